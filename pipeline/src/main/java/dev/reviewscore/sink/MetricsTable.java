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
     * The rows of one run.
     *
     * @param runCounts extra whole-table counts of the run (for example input_rows, rejected_rows), written as
     *     metrics of slice all/all
     */
    public static List<Row> rows(Evaluation evaluation, String runId, Instant evaluatedAt,
                                 Map<String, Long> runCounts) {
        Timestamp at = Timestamp.from(evaluatedAt);
        List<Row> rows = new ArrayList<>();
        runCounts.forEach((metric, value) -> rows.add(RowFactory.create(runId, evaluation.modelName(),
                evaluation.modelVersion(), at, SliceEvaluation.ALL, SliceEvaluation.ALL, metric, null, null,
                value.doubleValue(), null)));
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
