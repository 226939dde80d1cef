package dev.reviewscore.monitoring;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.reviewscore.config.TableLocation;
import dev.reviewscore.metrics.Metric;
import dev.reviewscore.sink.MetricRows;
import dev.reviewscore.sink.DeltaTables;
import dev.reviewscore.sink.TableSchemas;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Computes a run's {@link RunMonitoring} on the cluster (aggregates only) and turns it into metrics table rows. The
 * previous run's histogram is read back from the metrics table, so no old scores are scanned again.
 */
public final class ScoreMonitor {
    private ScoreMonitor() {}

    /**
     * Monitors the reviews a run scored, and those scored by earlier runs of the model version that ended before they
     * were monitored (a run killed after its MERGE): the batch is every score of the model version written by this
     * run or by a run that started after the last monitored one, so a rerun that scores nothing new after a kill
     * still monitors, and drift-gates, the night's reviews.
     *
     * @param scored the scored table
     * @param metrics the metrics table, where earlier runs' monitoring and histograms are
     * @param runId this run
     * @param modelVersion the model version
     * @param positiveLabel the positive label, or null when the model has none
     */
    public static RunMonitoring monitor(SparkSession spark, TableLocation scored, TableLocation metrics, String runId,
                                        String modelVersion, String positiveLabel) {
        long[] histogram = new long[RunMonitoring.BINS];
        if (positiveLabel == null) {
            return new RunMonitoring(0, null, null, histogram, null, null,
                    "no positive label: set model.positive-label to monitor scores");
        }
        Dataset<Row> earlier = DeltaTables.exists(spark, metrics) ? DeltaTables.read(spark, metrics)
                .where(col(TableSchemas.MODEL_VERSION).equalTo(lit(modelVersion))
                        .and(col(TableSchemas.RUN_ID).lt(lit(runId)))) : null;
        Map<String, String> latest = earlier == null ? Map.of()
                : latestRuns(earlier, Metric.MONITORED_REVIEWS, Metric.SCORE_HISTOGRAM);
        String lastMonitored = latest.get(Metric.MONITORED_REVIEWS.metricName());
        Column batch = col(TableSchemas.RUN_ID).leq(lit(runId));
        if (lastMonitored != null) {
            batch = batch.and(col(TableSchemas.RUN_ID).gt(lit(lastMonitored)));
        }
        Dataset<Row> run = DeltaTables.read(spark, scored)
                .where(batch.and(col(TableSchemas.MODEL_VERSION).equalTo(lit(modelVersion))))
                .select(col("positive_probability").as("score"), col("predicted_label"));
        // one pass: the totals are the sums of the bins
        long reviews = 0;
        long positives = 0;
        double scoreSum = 0;
        for (Row bin : run.groupBy(least(floor(col("score").multiply(RunMonitoring.BINS)),
                        lit(RunMonitoring.BINS - 1)).cast("int").as("bin"))
                .agg(count(lit(1)), count(when(col("predicted_label").equalTo(lit(positiveLabel)), true)),
                        sum(col("score")))
                .collectAsList()) {
            histogram[bin.getInt(0)] = bin.getLong(1);
            reviews += bin.getLong(1);
            positives += bin.getLong(2);
            scoreSum += bin.getDouble(3);
        }
        if (reviews == 0) {
            return new RunMonitoring(0, null, null, histogram, null, null, "this run scored no reviews");
        }
        String previous = latest.get(Metric.SCORE_HISTOGRAM.metricName());
        long[] previousHistogram = null;
        if (previous != null) {
            previousHistogram = new long[RunMonitoring.BINS];
            for (Row bin : earlier.where(col("metric").equalTo(Metric.SCORE_HISTOGRAM.metricName())
                            .and(col(TableSchemas.RUN_ID).equalTo(lit(previous))))
                    .select("slice_value", "value").collectAsList()) {
                for (int i = 0; i < RunMonitoring.BINS; i++) {
                    if (RunMonitoring.binLabel(i).equals(bin.getString(0))) {
                        previousHistogram[i] = (long) bin.getDouble(1);
                    }
                }
            }
        }
        Double drift = previousHistogram == null ? null
                : PopulationStability.index(previousHistogram, histogram);
        return new RunMonitoring(reviews, (double) positives / reviews, scoreSum / reviews, histogram, drift, previous,
                previous == null ? "no earlier scoring run of this model version to compare with" : null);
    }

    /** The latest run id with rows of each of these metrics, by metric name (absent when none has rows). */
    private static Map<String, String> latestRuns(Dataset<Row> rows, Metric... of) {
        Map<String, String> latest = new HashMap<>();
        for (Row row : rows.where(col("metric").isin((Object[]) Arrays.stream(of).map(Metric::metricName)
                        .toArray(String[]::new)))
                .groupBy("metric").agg(max(col(TableSchemas.RUN_ID))).collectAsList()) {
            latest.put(row.getString(0), row.getString(1));
        }
        return latest;
    }

    /** The monitoring as metrics table rows (slice all/all, the histogram under slice score_bin). */
    public static List<Row> rows(RunMonitoring monitoring, String runId, String modelName, String modelVersion,
                                 Instant at) {
        List<Row> rows = new ArrayList<>();
        rows.add(MetricRows.row(runId, modelName, modelVersion, at, "all", "all", Metric.MONITORED_REVIEWS,
                (double) monitoring.reviews(), null));
        rows.add(MetricRows.row(runId, modelName, modelVersion, at, "all", "all", Metric.POSITIVE_RATE,
                monitoring.positiveRate(), monitoring.positiveRate() == null ? monitoring.note() : null));
        rows.add(MetricRows.row(runId, modelName, modelVersion, at, "all", "all", Metric.MEAN_POSITIVE_PROBABILITY,
                monitoring.meanScore(), monitoring.meanScore() == null ? monitoring.note() : null));
        rows.add(MetricRows.row(runId, modelName, modelVersion, at, "all", "all", Metric.DRIFT_PSI, monitoring.drift(),
                monitoring.drift() == null ? monitoring.note() : "against run " + monitoring.previousRun()));
        if (monitoring.reviews() > 0) {
            for (int i = 0; i < RunMonitoring.BINS; i++) {
                rows.add(MetricRows.row(runId, modelName, modelVersion, at, "score_bin", RunMonitoring.binLabel(i),
                        Metric.SCORE_HISTOGRAM, (double) monitoring.histogram()[i], null));
            }
        }
        return rows;
    }
}
