package dev.reviewscore.metrics;

import java.util.ArrayList;
import java.util.List;

/**
 * The evaluation of one slice of the scored table ({@code all}/{@code all} for the whole table).
 *
 * @param sliceName the slice column, or {@code all}
 * @param sliceValue the slice value, or {@code all}
 * @param rows scored reviews in the slice
 * @param labeled reviews with a true label
 * @param confusion the confusion matrix of the labeled reviews
 * @param logLoss mean cross-entropy of the labeled reviews, or null when there are none
 * @param auc ROC AUC of the positive label against the rest, or null when undefined (see {@link #aucNote()})
 * @param aucNote why the AUC is null, or null
 * @param intervals the confidence intervals of the metrics ({@link SliceIntervals#NONE} for none)
 */
public record SliceEvaluation(String sliceName, String sliceValue, long rows, long labeled,
                              ConfusionMatrix confusion, Double logLoss, Double auc, String aucNote,
                              SliceIntervals intervals) {

    /** The name and value of the whole-table slice. */
    public static final String ALL = "all";

    /**
     * One metric value.
     *
     * @param metric the metric
     * @param classLabel the label of a per-class metric, or the true label of a confusion count, else null
     * @param predictedLabel the predicted label of a confusion count, else null
     * @param value the value, or null when undefined
     * @param note why the value is null, or 0 by convention, else null
     * @param interval the value's confidence interval, or null
     */
    public record MetricValue(Metric metric, String classLabel, String predictedLabel, Double value, String note,
                              Interval interval) {}

    /** Reviews without a true label. */
    public long unlabeled() {
        return rows - labeled;
    }

    /** Accuracy, or null when no review is labeled. */
    public Double accuracy() {
        return labeled == 0 ? null : ClassificationMetrics.accuracy(confusion);
    }

    /**
     * Every value of this slice, in a fixed order: counts, accuracy, loss, AUC, macro and weighted F1, then per
     * label precision, recall, F1 and support, then the confusion counts.
     */
    public List<MetricValue> values() {
        List<MetricValue> values = new ArrayList<>();
        values.add(new MetricValue(Metric.ROWS, null, null, (double) rows, null, null));
        values.add(new MetricValue(Metric.LABELED_ROWS, null, null, (double) labeled, null, null));
        values.add(new MetricValue(Metric.UNLABELED_ROWS, null, null, (double) unlabeled(), null,
                null));
        String noLabels = labeled == 0 ? "no labeled reviews" : null;
        for (Metric metric : Metric.headline()) {
            values.add(new MetricValue(metric, null, null, metric.read(this),
                    metric == Metric.AUC ? aucNote : noLabels, intervals.of(metric)));
        }
        double[] precision = ClassificationMetrics.precision(confusion);
        double[] recall = ClassificationMetrics.recall(confusion);
        double[] f1 = ClassificationMetrics.f1(confusion);
        List<String> labels = confusion.labels();
        for (int k = 0; k < labels.size(); k++) {
            boolean neverPredicted = confusion.predicted(k) == 0;
            boolean absent = confusion.support(k) == 0;
            values.add(new MetricValue(Metric.PRECISION, labels.get(k), null, labeled == 0 ? null : precision[k],
                    noLabels != null ? noLabels : neverPredicted
                            ? "label never predicted: precision is 0 by convention (scikit-learn zero_division=0)"
                            : null, intervals.of(Metric.PRECISION, k)));
            values.add(new MetricValue(Metric.RECALL, labels.get(k), null, labeled == 0 ? null : recall[k],
                    noLabels != null ? noLabels : absent
                            ? "label absent from the labeled reviews: recall is 0 by convention" : null,
                    intervals.of(Metric.RECALL, k)));
            values.add(new MetricValue(Metric.F1, labels.get(k), null, labeled == 0 ? null : f1[k],
                    noLabels != null ? noLabels : (neverPredicted || absent) && f1[k] == 0
                            ? "precision and recall are 0: F1 is 0 by convention" : null,
                    intervals.of(Metric.F1, k)));
            values.add(new MetricValue(Metric.SUPPORT, labels.get(k), null,
                    (double) confusion.support(k), null, null));
        }
        for (int actual = 0; actual < labels.size(); actual++) {
            for (int predicted = 0; predicted < labels.size(); predicted++) {
                values.add(new MetricValue(Metric.CONFUSION_COUNT, labels.get(actual), labels.get(predicted),
                        (double) confusion.count(actual, predicted), null, null));
            }
        }
        return values;
    }
}
