package dev.reviewscore.sink;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;

import dev.reviewscore.config.TableLocation;
import dev.reviewscore.metrics.Evaluation;
import dev.reviewscore.metrics.RunHistory;
import dev.reviewscore.metrics.SliceEvaluation;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/** Appends an evaluation run's metrics to the metrics table ({@link TableSchemas#METRICS}), one row per value. */
public final class MetricsTable {
    private MetricsTable() {}

    /**
     * One metrics row without a class label.
     *
     * @param value the value, or null when undefined
     * @param note why the value is null, or context for it, else null
     */
    public static Row row(String runId, String modelName, String modelVersion, Instant at, String sliceName,
                          String sliceValue, String metric, Double value, String note) {
        return RowFactory.create(runId, modelName, modelVersion, Timestamp.from(at), sliceName, sliceValue, metric,
                null, null, value, note);
    }

    /**
     * A scoring run's summary: row counts (input_rows, scored_rows, rejected_rows, skipped_rows) and the seconds
     * each step took (metric stage_seconds, slice stage / step name).
     */
    public static List<Row> scoringRows(String runId, String modelName, String modelVersion, Instant at,
                                        Map<String, Long> counts, Map<String, Duration> stages) {
        List<Row> rows = new ArrayList<>();
        counts.forEach((metric, value) -> rows.add(row(runId, modelName, modelVersion, at, SliceEvaluation.ALL,
                SliceEvaluation.ALL, metric, value.doubleValue(), null)));
        stages.forEach((stage, duration) -> rows.add(row(runId, modelName, modelVersion, at, "stage", stage,
                "stage_seconds", duration.toMillis() / 1000.0, null)));
        return rows;
    }

    /** An evaluation's values, every slice. */
    public static List<Row> evaluationRows(Evaluation evaluation, String runId, Instant evaluatedAt) {
        Timestamp at = Timestamp.from(evaluatedAt);
        List<Row> rows = new ArrayList<>();
        for (SliceEvaluation slice : evaluation.slices()) {
            for (SliceEvaluation.MetricValue value : slice.values()) {
                rows.add(RowFactory.create(runId, evaluation.modelName(), evaluation.modelVersion(), at,
                        slice.sliceName(), slice.sliceValue(), value.metric(), value.classLabel(),
                        value.predictedLabel(), value.value(), value.note()));
            }
        }
        return rows;
    }

    /**
     * The whole-table metrics of the latest runs of a model, oldest first.
     *
     * @param modelName the model's name (all its versions)
     * @param limit how many runs at most
     */
    public static RunHistory history(SparkSession spark, TableLocation table, String modelName, int limit) {
        if (!DeltaTables.exists(spark, table)) {
            return new RunHistory(List.of());
        }
        Dataset<Row> rows = DeltaTables.read(spark, table)
                .where(col("model_name").equalTo(lit(modelName))
                        .and(col("slice_name").equalTo(lit(SliceEvaluation.ALL)))
                        .and(col("metric").isin(RunHistory.METRICS.toArray()))
                        .and(col("value").isNotNull()));
        List<String> latest = rows.groupBy("run_id").agg(max("evaluated_at").as("at")).orderBy(col("at").desc())
                .limit(limit).select("run_id").as(Encoders.STRING()).collectAsList();
        Map<String, RunHistory.Run> runs = new TreeMap<>();
        Map<String, Map<String, Double>> values = new HashMap<>();
        Map<String, Timestamp> times = new HashMap<>();
        Map<String, String> versions = new HashMap<>();
        for (Row row : rows.where(col("run_id").isin(latest.toArray()))
                .select("run_id", "evaluated_at", "model_version", "metric", "value").collectAsList()) {
            String run = row.getString(0);
            values.computeIfAbsent(run, r -> new HashMap<>()).put(row.getString(3), row.getDouble(4));
            times.merge(run, row.getTimestamp(1), (a, b) -> a.after(b) ? a : b);
            versions.put(run, row.getString(2));
        }
        values.forEach((run, metrics) -> runs.put(run, new RunHistory.Run(run, times.get(run).toInstant(),
                versions.get(run), metrics)));
        return new RunHistory(new ArrayList<>(runs.values()));
    }

    /** Creates the table when absent and appends a run's rows, in a commit tagged {@code commitTag}. */
    public static void append(SparkSession spark, TableLocation table, List<Row> rows, String commitTag) {
        DeltaTables.ensureTable(spark, table, TableSchemas.METRICS, List.of());
        DeltaTables.append(table, spark.createDataFrame(rows, TableSchemas.METRICS), commitTag);
    }
}
