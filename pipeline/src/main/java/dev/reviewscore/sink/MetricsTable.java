package dev.reviewscore.sink;

import dev.reviewscore.config.TableLocation;
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

/** Appends an evaluation run's metrics to the metrics table ({@link TableSchemas#METRICS}), one row per value. */
public final class MetricsTable {
    private MetricsTable() {}

    /**
     * A scoring run's row counts (for example input_rows, rejected_rows), as metrics of slice all/all.
     *
     * @param counts metric name to count
     */
    public static List<Row> runCountRows(String runId, String modelName, String modelVersion, Instant at,
                                         Map<String, Long> counts) {
        List<Row> rows = new ArrayList<>();
        counts.forEach((metric, value) -> rows.add(RowFactory.create(runId, modelName, modelVersion,
                Timestamp.from(at), SliceEvaluation.ALL, SliceEvaluation.ALL, metric, null, null, value.doubleValue(),
                null)));
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

    /** Creates the table when absent and appends the run's rows. */
    public static void append(SparkSession spark, TableLocation table, List<Row> rows) {
        DeltaTables.ensureTable(spark, table, TableSchemas.METRICS, List.of());
        DeltaTables.append(table, spark.createDataFrame(rows, TableSchemas.METRICS));
    }
}
