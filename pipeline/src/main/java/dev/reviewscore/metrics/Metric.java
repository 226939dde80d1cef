package dev.reviewscore.metrics;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Every metric the pipeline records, under the name the metrics table, the dashboard tables, the reports, the quality
 * gates and the Spark ML evaluator use for it. A headline metric is one number per slice and reads itself from a
 * {@link SliceEvaluation}; the others are per label, counts, or measured by the scoring run and its monitoring.
 */
public enum Metric {
    /** Scored reviews in the slice. */
    ROWS("scored reviews in the slice", null),
    /** Reviews with a true label. */
    LABELED_ROWS("reviews with a true label", null),
    /** Reviews without a true label. */
    UNLABELED_ROWS("reviews without a true label", null),
    /** Share of labeled reviews whose predicted label is the true one. */
    ACCURACY("share of labeled reviews whose predicted label is the true one", SliceEvaluation::accuracy),
    /** Mean cross-entropy of the true labels (scikit-learn's log_loss); smaller is better. */
    LOG_LOSS("mean cross-entropy of the true labels (scikit-learn's log_loss)", SliceEvaluation::logLoss),
    /** Exact ROC AUC of the positive label against the rest. */
    AUC("exact ROC AUC of the positive label against the rest", SliceEvaluation::auc),
    /** Mean of the labels' F1. */
    MACRO_F1("mean of the labels' F1", slice -> slice.labeled() == 0 ? null
            : ClassificationMetrics.macroF1(slice.confusion())),
    /** The labels' F1 weighted by support. */
    WEIGHTED_F1("the labels' F1 weighted by support", slice -> slice.labeled() == 0 ? null
            : ClassificationMetrics.weightedF1(slice.confusion())),
    /** Per label: share of reviews predicted as the label that have it. */
    PRECISION("per label: share of the reviews predicted as the label that have it", null),
    /** Per label: share of the reviews with the label predicted as it. */
    RECALL("per label: share of the reviews with the label that are predicted as it", null),
    /** Per label: harmonic mean of precision and recall. */
    F1("per label: harmonic mean of precision and recall", null),
    /** Per label: labeled reviews with the label. */
    SUPPORT("per label: labeled reviews with the label", null),
    /** Per true and predicted label: reviews with that pair. */
    CONFUSION_COUNT("per true and predicted label: reviews with that pair", null),
    /** Rows the scoring run read from the source. */
    INPUT_ROWS("rows the scoring run read from the source", null),
    /** Rows the scoring run scored. */
    SCORED_ROWS("rows the scoring run scored", null),
    /** Rows the scoring run rejected. */
    REJECTED_ROWS("rows the scoring run rejected, each with its reason in the rejects table", null),
    /** Rows the scoring run skipped, already scored by the model version. */
    SKIPPED_ROWS("rows the scoring run skipped: already scored by the model version", null),
    /** Scores the scoring run removed or marked because the source deleted their reviews. */
    DELETED_ROWS("scores the scoring run removed or marked because the source deleted their reviews", null),
    /**
     * The first source version whose changes the scoring run read (slice {@code source}/{@code changes}), or 0 when
     * it read the whole source (slice {@code source}/{@code all}, the note saying why).
     */
    SOURCE_FROM_VERSION("the first Delta version of the source the scoring run read (0: the whole source)", null),
    /** The source version the scoring run read up to, inclusive. */
    SOURCE_TO_VERSION("the Delta version of the source the scoring run read up to, inclusive", null),
    /** Share of the rows read that the scoring run rejected. */
    REJECT_RATE("share of the rows the scoring run read that it rejected", null),
    /** Seconds a scoring step took. */
    STAGE_SECONDS("seconds a scoring step took", null),
    /** Reviews the run's monitoring covered. */
    MONITORED_REVIEWS("reviews the run's score monitoring covered", null),
    /** Share of the run's scored reviews predicted positive. */
    POSITIVE_RATE("share of the run's scored reviews predicted positive", null),
    /** Mean positive probability of the run's scored reviews. */
    MEAN_POSITIVE_PROBABILITY("mean positive probability of the run's scored reviews", null),
    /** Population stability index of the run's scores against the previous run's. */
    DRIFT_PSI("population stability index of the run's scores against the previous run's", null),
    /** Reviews per bin of the positive probability. */
    SCORE_HISTOGRAM("reviews per bin of the positive probability", null),
    /** Quality gates the run broke. */
    GATES_BROKEN("quality gates the run broke (0 when it passed every configured gate)", null),
    /** A broken quality gate's measured value. */
    GATE_BROKEN("a broken quality gate's measured value", null);

    private final String definition;
    private final Function<SliceEvaluation, Double> reader;

    Metric(String definition, Function<SliceEvaluation, Double> reader) {
        this.definition = definition;
        this.reader = reader;
    }

    /** The headline metrics, one number per slice, in report order. */
    public static List<Metric> headline() {
        return Arrays.stream(values()).filter(Metric::isHeadline).toList();
    }

    /**
     * The metric of a name.
     *
     * @throws IllegalArgumentException for a name no metric has
     */
    public static Metric named(String name) {
        for (Metric metric : values()) {
            if (metric.metricName().equals(name)) {
                return metric;
            }
        }
        throw new IllegalArgumentException("no metric named " + name);
    }

    /** The name tables, reports and gates use: the constant's name in lower case. */
    public String metricName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** What the metric measures. */
    public String definition() {
        return definition;
    }

    /** Whether it is one number per slice that {@link #read} gives. */
    public boolean isHeadline() {
        return reader != null;
    }

    /** Whether a larger value is better (all headline metrics except log loss). */
    public boolean largerIsBetter() {
        return this != LOG_LOSS;
    }

    /**
     * A headline metric's value for a slice, or null when undefined there.
     *
     * @throws IllegalStateException for a metric that is not a headline metric
     */
    public Double read(SliceEvaluation slice) {
        if (reader == null) {
            throw new IllegalStateException(metricName() + " is not one number per slice");
        }
        return reader.apply(slice);
    }
}
