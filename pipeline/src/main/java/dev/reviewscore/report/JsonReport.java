package dev.reviewscore.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.reviewscore.gates.GateDecision;
import dev.reviewscore.metrics.Comparison;
import dev.reviewscore.metrics.Evaluation;
import dev.reviewscore.metrics.Interval;
import dev.reviewscore.metrics.Metric;
import dev.reviewscore.metrics.ScoreCurves;
import dev.reviewscore.metrics.SliceEvaluation;
import dev.reviewscore.metrics.SliceIntervals;
import dev.reviewscore.monitoring.RunMonitoring;
import dev.reviewscore.scoring.ScoringResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON report of a run, for machines: the same numbers as the metrics table, nested by slice, with per-label
 * metrics as arrays in label-index order and the confusion matrix as {@code counts[true][predicted]}. Every key is
 * snake_case, and counts are whole numbers.
 */
public final class JsonReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
    /** Metrics that count reviews: written as whole numbers. */
    private static final Set<Metric> COUNTS = Set.of(Metric.ROWS, Metric.LABELED_ROWS, Metric.UNLABELED_ROWS,
            Metric.SUPPORT);
    /** Bins of the calibration (reliability) curve. */
    static final int CALIBRATION_BINS = 10;

    private JsonReport() {}

    /** Renders the report. */
    public static String render(RunReport report) {
        return write(tree(report));
    }

    /** The report as nested maps and lists, ready for JSON. */
    static Map<String, Object> tree(RunReport report) {
        Evaluation evaluation = report.evaluation();
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("run_id", report.runId());
        root.put("evaluated_at", report.evaluatedAt().toString());
        root.put("scored_table", report.scoredTable());
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("name", evaluation.modelName());
        model.put("version", evaluation.modelVersion());
        model.put("labels", evaluation.labels());
        model.put("positive_label", evaluation.positiveLabel());
        root.put("model", model);
        ScoringResult scoring = report.scoring();
        if (scoring != null) {
            Map<String, Object> counts = new LinkedHashMap<>();
            counts.put("input", scoring.input());
            counts.put("scored", scoring.scored());
            counts.put("rejected", scoring.rejected());
            counts.put("skipped", scoring.skipped());
            counts.put("inserted", scoring.inserted());
            counts.put("updated", scoring.updated());
            counts.put("rejects_by_reason", scoring.rejectsByReason());
            Map<String, Double> stages = new LinkedHashMap<>();
            scoring.stagesByKey().forEach((stage, duration) -> stages.put(stage, duration.toMillis() / 1000.0));
            counts.put(Metric.STAGE_SECONDS.metricName(), stages);
            root.put("scoring", counts);
        }
        RunMonitoring monitoring = report.monitoring();
        if (monitoring != null) {
            Map<String, Object> monitored = new LinkedHashMap<>();
            monitored.put("reviews", monitoring.reviews());
            monitored.put(Metric.POSITIVE_RATE.metricName(), monitoring.positiveRate());
            monitored.put(Metric.MEAN_POSITIVE_PROBABILITY.metricName(), monitoring.meanScore());
            monitored.put(Metric.DRIFT_PSI.metricName(), monitoring.drift());
            monitored.put("compared_with_run", monitoring.previousRun());
            monitored.put(Metric.SCORE_HISTOGRAM.metricName(), monitoring.histogram());
            monitored.put("note", monitoring.note());
            root.put("monitoring", monitored);
        }
        root.put("computed_from", evaluation.basis());
        root.put("metrics", slice(evaluation.overall()));
        ScoreCurves curves = evaluation.curves();
        if (curves != null && evaluation.overall().labeled() > 0) {
            Map<String, Object> calibration = new LinkedHashMap<>();
            calibration.put("bins", curves.calibration(CALIBRATION_BINS));
            calibration.put("expected_calibration_error", curves.expectedCalibrationError(CALIBRATION_BINS));
            root.put("calibration", calibration);
        }
        List<Object> slices = new ArrayList<>();
        for (SliceEvaluation slice : evaluation.slices().subList(1, evaluation.slices().size())) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("slice_name", slice.sliceName());
            entry.put("slice_value", slice.sliceValue());
            entry.putAll(slice(slice));
            slices.add(entry);
        }
        root.put("slices", slices);
        root.put("thresholds", evaluation.thresholds());
        root.put("examples", evaluation.examples());
        List<Object> gates = new ArrayList<>();
        for (GateDecision decision : report.gates()) {
            Map<String, Object> gate = new LinkedHashMap<>();
            gate.put("gate", decision.gate());
            gate.put("slice", decision.slice());
            gate.put("on", decision.bound());
            gate.put("threshold", decision.threshold());
            gate.put("measure", decision.measure());
            gate.put("value", decision.value());
            gate.put("compared", decision.compared());
            gate.put("labeled_reviews", decision.labeled() < 0 ? null : decision.labeled());
            gate.put("few_labeled_reviews", report.gatesOnFewReviews().contains(decision));
            gate.put("passed", decision.passed());
            gate.put("why", decision.why());
            gates.add(gate);
        }
        root.put("gates", gates);
        root.put("comparison", comparison(evaluation.comparison()));
        root.put("min_labeled_reviews", report.minLabeledReviews());
        return root;
    }

    /** The champion against the challenger, or null. */
    private static Map<String, Object> comparison(Comparison comparison) {
        if (comparison == null) {
            return null;
        }
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("champion_version", comparison.championVersion());
        tree.put("challenger_version", comparison.challengerVersion());
        tree.put("paired_reviews", comparison.paired());
        tree.put("labeled_reviews", comparison.labeled());
        tree.put("champion_accuracy", finite(comparison.championAccuracy()));
        tree.put("challenger_accuracy", finite(comparison.challengerAccuracy()));
        tree.put("champion_only_right", comparison.championOnlyRight());
        tree.put("challenger_only_right", comparison.challengerOnlyRight());
        tree.put("accuracy_p_value", comparison.accuracyPValue());
        if (comparison.auc() != null) {
            tree.put("champion_auc", comparison.auc().championAuc());
            tree.put("challenger_auc", comparison.auc().challengerAuc());
            tree.put("auc_difference_variance", comparison.auc().variance());
            tree.put("auc_p_value", finite(comparison.auc().pValue()));
        }
        tree.put("disagreements", comparison.disagreements());
        tree.put("disagreement_examples", comparison.examples());
        return tree;
    }

    private static Double finite(double value) {
        return Double.isFinite(value) ? value : null;
    }

    /**
     * A slice's confidence intervals: {@code level}, then per metric {@code {lower, upper, method}}, per-label
     * metrics as a list in label-index order (null where a label has none).
     */
    private static Map<String, Object> intervals(SliceEvaluation slice) {
        SliceIntervals intervals = slice.intervals();
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("level", intervals.level());
        for (Metric metric : Metric.headline()) {
            if (intervals.of(metric) != null) {
                tree.put(metric.metricName(), bounds(intervals.of(metric)));
            }
        }
        intervals.perLabel().forEach((metric, perLabel) -> tree.put(metric.metricName(),
                perLabel.stream().map(JsonReport::bounds).toList()));
        return tree;
    }

    private static Map<String, Object> bounds(Interval interval) {
        if (interval == null) {
            return null;
        }
        Map<String, Object> bounds = new LinkedHashMap<>();
        bounds.put("lower", interval.lower());
        bounds.put("upper", interval.upper());
        bounds.put("method", interval.method().methodName());
        return bounds;
    }

    /** JSON text of a tree, with {@code <} escaped so that it can sit inside an HTML script element. */
    static String write(Object tree) {
        try {
            return JSON.writeValueAsString(tree).replace("<", "\\u003c") + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot render the JSON report", e);
        }
    }

    private static Map<String, Object> slice(SliceEvaluation slice) {
        Map<String, Object> metrics = new LinkedHashMap<>();
        Map<String, List<Number>> perLabel = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        for (SliceEvaluation.MetricValue value : slice.values()) {
            if (value.predictedLabel() != null) {
                continue;
            }
            Number number = value.value() != null && COUNTS.contains(value.metric())
                    ? (Number) Math.round(value.value()) : value.value();
            String name = value.metric().metricName();
            if (value.classLabel() == null) {
                metrics.put(name, number);
            } else {
                perLabel.computeIfAbsent(name, m -> new ArrayList<>()).add(number);
            }
            if (value.note() != null) {
                notes.add(name + (value.classLabel() == null ? "" : " (" + value.classLabel() + ")") + ": "
                        + value.note());
            }
        }
        metrics.putAll(perLabel);
        Map<String, Object> confusion = new LinkedHashMap<>();
        confusion.put("orientation", "counts[true label][predicted label]");
        confusion.put("labels", slice.confusion().labels());
        confusion.put("counts", slice.confusion().counts());
        metrics.put("confusion_matrix", confusion);
        metrics.put("intervals", intervals(slice));
        metrics.put("notes", notes);
        return metrics;
    }
}
