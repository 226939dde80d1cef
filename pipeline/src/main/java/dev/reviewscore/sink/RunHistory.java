package dev.reviewscore.sink;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;

import dev.reviewscore.config.TableLocation;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import dev.reviewscore.metrics.Metric;
import dev.reviewscore.metrics.SliceEvaluation;

/**
 * Whole-table metrics of past runs of one model, oldest first, as the metrics table holds them ({@link #read}): what a report's
 * "over time" chart shows.
 *
 * @param runs the runs
 */
public record RunHistory(List<Run> runs) {
    /** The metrics a history keeps. */
    public static final List<Metric> METRICS = List.of(Metric.ACCURACY, Metric.AUC, Metric.MACRO_F1,
            Metric.LOG_LOSS, Metric.POSITIVE_RATE, Metric.DRIFT_PSI, Metric.REJECTED_ROWS, Metric.INPUT_ROWS);

    /** Copies the runs. */
    public RunHistory {
        runs = List.copyOf(runs);
    }

    /**
     * The whole-table metrics of the latest runs of a model, oldest first.
     *
     * @param modelName the model's name (all its versions)
     * @param limit how many runs at most
     */
    public static RunHistory read(SparkSession spark, TableLocation table, String modelName, int limit) {
        if (!DeltaTables.exists(spark, table)) {
            return new RunHistory(List.of());
        }
        Dataset<Row> rows = DeltaTables.read(spark, table)
                .where(col("model_name").equalTo(lit(modelName))
                        .and(col("slice_name").equalTo(lit(SliceEvaluation.ALL)))
                        .and(col("metric").isin(METRICS.stream().map(Metric::metricName).toArray()))
                        .and(col("value").isNotNull()));
        List<String> latest = rows.groupBy(TableSchemas.RUN_ID).agg(max("evaluated_at").as("at"))
                .orderBy(col("at").desc())
                .limit(limit).select(TableSchemas.RUN_ID).as(Encoders.STRING()).collectAsList();
        Map<String, Run> runs = new TreeMap<>();
        Map<String, Map<String, Double>> values = new HashMap<>();
        Map<String, Map<String, List<Double>>> intervals = new HashMap<>();
        Map<String, Timestamp> times = new HashMap<>();
        Map<String, String> versions = new HashMap<>();
        for (Row row : rows.where(col(TableSchemas.RUN_ID).isin(latest.toArray()))
                .select(TableSchemas.RUN_ID, "evaluated_at", TableSchemas.MODEL_VERSION, "metric", "value", "lower",
                        "upper")
                .collectAsList()) {
            String run = row.getString(0);
            values.computeIfAbsent(run, r -> new HashMap<>()).put(row.getString(3), row.getDouble(4));
            if (!row.isNullAt(5) && !row.isNullAt(6)) {
                intervals.computeIfAbsent(run, r -> new HashMap<>()).put(row.getString(3),
                        List.of(row.getDouble(5), row.getDouble(6)));
            }
            times.merge(run, row.getTimestamp(1), (a, b) -> a.after(b) ? a : b);
            versions.put(run, row.getString(2));
        }
        values.forEach((run, metrics) -> runs.put(run, new Run(run, times.get(run).toInstant(),
                versions.get(run), metrics, intervals.getOrDefault(run, Map.of()))));
        return new RunHistory(new ArrayList<>(runs.values()));
    }

    /**
     * One past run.
     *
     * @param runId the run
     * @param at when it ran (its latest metric row)
     * @param modelVersion the model version it used
     * @param values metric name to value, for the {@link #METRICS} the run recorded
     * @param intervals metric name to the lower and upper bound of its confidence interval, where it has one
     */
    public record Run(String runId, Instant at, String modelVersion, Map<String, Double> values,
                      Map<String, List<Double>> intervals) {
        /** Copies the values. */
        public Run {
            values = Map.copyOf(values);
            intervals = Map.copyOf(intervals);
        }
    }
}
