package dev.reviewscore.metrics;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The confidence intervals of one slice's metrics, at one level: accuracy, precision and recall by Wilson's score
 * interval, AUC by DeLong's variance on the logit scale, F1 (per label, macro, weighted) and log loss by a Poisson
 * bootstrap. A metric without an interval (undefined, or too few reviews) has none here.
 *
 * @param level the confidence level, for example 0.95
 * @param headline intervals of one-number metrics ({@link Metric#isHeadline()})
 * @param perLabel intervals of per-label metrics, in label-index order (an entry may be null)
 */
public record SliceIntervals(double level, Map<Metric, Interval> headline, Map<Metric, List<Interval>> perLabel) {

    /** No intervals. */
    public static final SliceIntervals NONE = new SliceIntervals(0.95, Map.of(), Map.of());

    /** Copies the maps. */
    public SliceIntervals {
        headline = headline.isEmpty() ? Map.of() : new EnumMap<>(headline);
        Map<Metric, List<Interval>> copy = new EnumMap<>(Metric.class);
        perLabel.forEach((metric, intervals) -> copy.put(metric,
                java.util.Collections.unmodifiableList(new ArrayList<>(intervals))));
        perLabel = copy;
    }

    /**
     * Computes a slice's intervals.
     *
     * @param confusion the slice's confusion matrix
     * @param auc its AUC and DeLong variance, or null when the AUC is undefined or not computed
     * @param replicates its bootstrap sums, or null for no bootstrap
     * @param level the confidence level
     */
    public static SliceIntervals compute(ConfusionMatrix confusion, RocAuc.Estimate auc,
                                         PoissonBootstrap.Replicates replicates, double level) {
        Map<Metric, Interval> headline = new EnumMap<>(Metric.class);
        Map<Metric, List<Interval>> perLabel = new EnumMap<>(Metric.class);
        long total = confusion.total();
        if (total == 0) {
            return new SliceIntervals(level, headline, perLabel);
        }
        int labels = confusion.labels().size();
        long correct = 0;
        List<Interval> precision = new ArrayList<>();
        List<Interval> recall = new ArrayList<>();
        for (int k = 0; k < labels; k++) {
            correct += confusion.count(k, k);
            precision.add(ConfidenceIntervals.wilson(confusion.count(k, k), confusion.predicted(k), level));
            recall.add(ConfidenceIntervals.wilson(confusion.count(k, k), confusion.support(k), level));
        }
        headline.put(Metric.ACCURACY, ConfidenceIntervals.wilson(correct, total, level));
        perLabel.put(Metric.PRECISION, precision);
        perLabel.put(Metric.RECALL, recall);
        Interval aucInterval = auc == null ? null : ConfidenceIntervals.logitAuc(auc.auc(), auc.variance(), level);
        if (aucInterval != null) {
            headline.put(Metric.AUC, aucInterval);
        }
        if (replicates != null) {
            bootstrap(confusion.labels(), replicates, level, headline, perLabel);
        }
        headline.values().removeIf(java.util.Objects::isNull);
        return new SliceIntervals(level, headline, perLabel);
    }

    private static void bootstrap(List<String> labels, PoissonBootstrap.Replicates replicates, double level,
                                  Map<Metric, Interval> headline, Map<Metric, List<Interval>> perLabel) {
        int b = replicates.replicates();
        double[][] f1 = new double[labels.size()][b];
        double[] macro = new double[b];
        double[] weighted = new double[b];
        double[] loss = new double[b];
        for (int r = 0; r < b; r++) {
            ConfusionMatrix matrix = replicates.matrix(labels, r);
            long weight = matrix.total();
            double[] f1s = ClassificationMetrics.f1(matrix);
            for (int k = 0; k < f1s.length; k++) {
                f1[k][r] = weight == 0 ? Double.NaN : f1s[k];
            }
            macro[r] = weight == 0 ? Double.NaN : ClassificationMetrics.macroF1(matrix);
            weighted[r] = ClassificationMetrics.weightedF1(matrix);
            loss[r] = weight == 0 ? Double.NaN : replicates.lossSum(r) / weight;
        }
        List<Interval> f1Intervals = new ArrayList<>();
        for (double[] values : f1) {
            f1Intervals.add(ConfidenceIntervals.percentile(values, level));
        }
        perLabel.put(Metric.F1, f1Intervals);
        headline.put(Metric.MACRO_F1, ConfidenceIntervals.percentile(macro, level));
        headline.put(Metric.WEIGHTED_F1, ConfidenceIntervals.percentile(weighted, level));
        headline.put(Metric.LOG_LOSS, ConfidenceIntervals.percentile(loss, level));
    }

    /** The interval of a headline metric, or null. */
    public Interval of(Metric metric) {
        return headline.get(metric);
    }

    /** The interval of a per-label metric for one label, or null. */
    public Interval of(Metric metric, int label) {
        List<Interval> intervals = perLabel.get(metric);
        return intervals == null || label >= intervals.size() ? null : intervals.get(label);
    }
}
