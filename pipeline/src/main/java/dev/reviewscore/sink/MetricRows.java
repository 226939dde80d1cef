package dev.reviewscore.sink;

import dev.reviewscore.metrics.ClassificationMetrics;
import dev.reviewscore.metrics.Evaluation;
import dev.reviewscore.metrics.Interval;
import dev.reviewscore.metrics.Metric;
import dev.reviewscore.metrics.SliceEvaluation;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Shapes a run's values into rows of the metrics table ({@link TableSchemas#METRICS}, one row per value) and of the
 * slice and latest dashboard tables ({@link TableSchemas#SLICE_METRICS}, {@link TableSchemas#LATEST}).
 */
public final class MetricRows {
    private MetricRows() {}

    /**
     * One metrics row without a class label.
     *
     * @param value the value, or null when undefined
     * @param note why the value is null, or context for it, else null
     */
    public static Row row(String runId, String modelName, String modelVersion, Instant at, String sliceName,
                          String sliceValue, Metric metric, Double value, String note) {
        return RowFactory.create(runId, modelName, modelVersion, Timestamp.from(at), sliceName, sliceValue,
                metric.metricName(), null, null, value, note, null, null, null, null);
    }

    /**
     * A scoring run's summary: row counts ({@link Metric#INPUT_ROWS} and the others) and the seconds each step took
     * ({@link Metric#STAGE_SECONDS}, slice stage / step name).
     */
    public static List<Row> scoringRows(String runId, String modelName, String modelVersion, Instant at,
                                        Map<Metric, Long> counts, Map<String, Duration> stages) {
        List<Row> rows = new ArrayList<>();
        counts.forEach((metric, value) -> rows.add(row(runId, modelName, modelVersion, at, SliceEvaluation.ALL,
                SliceEvaluation.ALL, metric, value.doubleValue(), null)));
        stages.forEach((stage, duration) -> rows.add(row(runId, modelName, modelVersion, at, "stage", stage,
                Metric.STAGE_SECONDS, duration.toMillis() / 1000.0, null)));
        return rows;
    }

    /** An evaluation's values, every slice. */
    public static List<Row> evaluationRows(Evaluation evaluation, String runId, Instant evaluatedAt) {
        Timestamp at = Timestamp.from(evaluatedAt);
        List<Row> rows = new ArrayList<>();
        for (SliceEvaluation slice : evaluation.slices()) {
            for (SliceEvaluation.MetricValue value : slice.values()) {
                Interval interval = value.interval();
                rows.add(RowFactory.create(runId, evaluation.modelName(), evaluation.modelVersion(), at,
                        slice.sliceName(), slice.sliceValue(), value.metric().metricName(), value.classLabel(),
                        value.predictedLabel(), value.value(), value.note(),
                        interval == null ? null : interval.lower(), interval == null ? null : interval.upper(),
                        interval == null ? null : interval.method().methodName(),
                        interval == null ? null : slice.intervals().level()));
            }
        }
        return rows;
    }

    /**
     * The dashboard columns of one slice of an evaluation: its counts, headline metrics and, for a model with a
     * positive label, that label's precision, recall and F1.
     *
     * @return column name to value ({@link TableSchemas#SLICE_METRICS}); a metric left out is null
     */
    public static Map<String, Object> sliceColumns(Evaluation evaluation, SliceEvaluation slice, String runId,
                                                   Instant evaluatedAt) {
        Map<String, Object> values = new HashMap<>();
        values.put(TableSchemas.RUN_ID, runId);
        values.put("model_name", evaluation.modelName());
        values.put(TableSchemas.MODEL_VERSION, evaluation.modelVersion());
        values.put("evaluated_at", Timestamp.from(evaluatedAt));
        values.put("slice_name", slice.sliceName());
        values.put("slice_value", slice.sliceValue());
        values.put("rows", slice.rows());
        values.put("labeled_rows", slice.labeled());
        for (Metric metric : Metric.headline()) {
            values.put(metric.metricName(), metric.read(slice));
        }
        for (Metric metric : List.of(Metric.ACCURACY, Metric.AUC)) {
            Interval interval = slice.intervals().of(metric);
            if (interval != null) {
                values.put(metric.metricName() + "_lower", interval.lower());
                values.put(metric.metricName() + "_upper", interval.upper());
                values.put("confidence_level", slice.intervals().level());
            }
        }
        int positive = evaluation.positiveLabel() == null ? -1
                : evaluation.labels().indexOf(evaluation.positiveLabel());
        if (positive >= 0 && slice.labeled() > 0) {
            values.put("positive_label", evaluation.positiveLabel());
            values.put(Metric.PRECISION.metricName(), ClassificationMetrics.precision(slice.confusion())[positive]);
            values.put(Metric.RECALL.metricName(), ClassificationMetrics.recall(slice.confusion())[positive]);
            values.put(Metric.F1.metricName(), ClassificationMetrics.f1(slice.confusion())[positive]);
        }
        return values;
    }
}
