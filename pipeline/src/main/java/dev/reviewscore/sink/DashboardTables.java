package dev.reviewscore.sink;

import dev.reviewscore.config.TableLocation;
import dev.reviewscore.metrics.ClassificationMetrics;
import dev.reviewscore.metrics.Evaluation;
import dev.reviewscore.metrics.SliceEvaluation;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * Writes the tables dashboards read without pivoting: the runs ({@link TableSchemas#RUNS}), the headline metrics per
 * evaluation run and slice ({@link TableSchemas#SLICE_METRICS}) and the latest evaluation of each model version
 * ({@link TableSchemas#LATEST}).
 */
public final class DashboardTables {
    private DashboardTables() {}

    /**
     * Appends one run's row.
     *
     * @param values column name to value ({@link TableSchemas#RUNS}); columns left out are null
     * @throws IllegalArgumentException for a name that is not a column
     */
    public static void appendRun(SparkSession spark, TableLocation table, Map<String, Object> values,
                                 String commitTag) {
        Row row = row(TableSchemas.RUNS, values);
        DeltaTables.ensureTable(spark, table, TableSchemas.RUNS, List.of());
        DeltaTables.append(table, spark.createDataFrame(List.of(row), TableSchemas.RUNS), commitTag);
    }

    /** Appends an evaluation's rows, one per slice. */
    public static void appendSlices(SparkSession spark, TableLocation table, Evaluation evaluation, String runId,
                                    Instant evaluatedAt, String commitTag) {
        List<Row> rows = new ArrayList<>();
        for (SliceEvaluation slice : evaluation.slices()) {
            rows.add(row(TableSchemas.SLICE_METRICS, sliceValues(evaluation, slice, runId, evaluatedAt)));
        }
        DeltaTables.ensureTable(spark, table, TableSchemas.SLICE_METRICS, List.of());
        DeltaTables.append(table, spark.createDataFrame(rows, TableSchemas.SLICE_METRICS), commitTag);
    }

    /**
     * Makes an evaluation the latest of its model version: replaces that version's row, or adds one.
     *
     * @param outcome the run's outcome (succeeded or gates_broken)
     */
    public static void updateLatest(SparkSession spark, TableLocation table, Evaluation evaluation, String runId,
                                    Instant evaluatedAt, String outcome, String commitTag) {
        Map<String, Object> all = sliceValues(evaluation, evaluation.overall(), runId, evaluatedAt);
        all.put("outcome", outcome);
        all.keySet().retainAll(List.of(TableSchemas.LATEST.fieldNames()));
        DeltaTables.ensureTable(spark, table, TableSchemas.LATEST, List.of());
        DeltaTables.replace(table, spark.createDataFrame(List.of(row(TableSchemas.LATEST, all)), TableSchemas.LATEST),
                "model_name = " + DeltaTables.sqlString(evaluation.modelName()) + " AND model_version = "
                        + DeltaTables.sqlString(evaluation.modelVersion()), commitTag);
    }

    private static Map<String, Object> sliceValues(Evaluation evaluation, SliceEvaluation slice, String runId,
                                                   Instant evaluatedAt) {
        Map<String, Object> values = new java.util.HashMap<>();
        values.put("run_id", runId);
        values.put("model_name", evaluation.modelName());
        values.put("model_version", evaluation.modelVersion());
        values.put("evaluated_at", Timestamp.from(evaluatedAt));
        values.put("slice_name", slice.sliceName());
        values.put("slice_value", slice.sliceValue());
        values.put("rows", slice.rows());
        values.put("labeled_rows", slice.labeled());
        for (SliceEvaluation.MetricValue value : slice.values()) {
            if (value.classLabel() == null && List.of("accuracy", "auc", "log_loss", "macro_f1", "weighted_f1")
                    .contains(value.metric())) {
                values.put(value.metric(), value.value());
            }
        }
        int positive = evaluation.positiveLabel() == null ? -1 : evaluation.labels().indexOf(evaluation.positiveLabel());
        if (positive >= 0 && slice.labeled() > 0) {
            values.put("positive_label", evaluation.positiveLabel());
            values.put("precision", ClassificationMetrics.precision(slice.confusion())[positive]);
            values.put("recall", ClassificationMetrics.recall(slice.confusion())[positive]);
            values.put("f1", ClassificationMetrics.f1(slice.confusion())[positive]);
        }
        return values;
    }

    private static Row row(StructType schema, Map<String, Object> values) {
        for (String name : values.keySet()) {
            if (!List.of(schema.fieldNames()).contains(name)) {
                throw new IllegalArgumentException("no column " + name + " in " + List.of(schema.fieldNames()));
            }
        }
        Object[] row = new Object[schema.fields().length];
        for (int i = 0; i < row.length; i++) {
            row[i] = values.get(schema.fields()[i].name());
        }
        return RowFactory.create(row);
    }
}
