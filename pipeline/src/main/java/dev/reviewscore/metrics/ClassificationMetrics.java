package dev.reviewscore.metrics;

/**
 * Metrics computed from a {@link ConfusionMatrix}. Follows scikit-learn's {@code accuracy_score} and
 * {@code precision_recall_fscore_support} with {@code zero_division=0}: a precision whose denominator is 0 (the
 * label is never predicted), a recall whose denominator is 0 (the label never occurs) and an F1 whose precision and
 * recall are both 0 are 0, never NaN. Per-class arrays are in label-index order.
 */
public final class ClassificationMetrics {
    private ClassificationMetrics() {}

    /** Correct predictions over all reviews; NaN for an empty matrix (no labeled reviews). */
    public static double accuracy(ConfusionMatrix matrix) {
        long correct = 0;
        for (int i = 0; i < matrix.labels().size(); i++) {
            correct += matrix.count(i, i);
        }
        long total = matrix.total();
        return total == 0 ? Double.NaN : (double) correct / total;
    }

    /** Per label: true positives over reviews predicted as the label (0 when none is). */
    public static double[] precision(ConfusionMatrix matrix) {
        double[] precision = new double[matrix.labels().size()];
        for (int k = 0; k < precision.length; k++) {
            long predicted = matrix.predicted(k);
            precision[k] = predicted == 0 ? 0.0 : (double) matrix.count(k, k) / predicted;
        }
        return precision;
    }

    /** Per label: true positives over reviews whose true label it is (0 when there are none). */
    public static double[] recall(ConfusionMatrix matrix) {
        double[] recall = new double[matrix.labels().size()];
        for (int k = 0; k < recall.length; k++) {
            long support = matrix.support(k);
            recall[k] = support == 0 ? 0.0 : (double) matrix.count(k, k) / support;
        }
        return recall;
    }

    /**
     * Per label: the harmonic mean of precision and recall, {@code 2pr / (p + r)}, computed as scikit-learn does
     * (0 when both are 0).
     */
    public static double[] f1(ConfusionMatrix matrix) {
        double[] precision = precision(matrix);
        double[] recall = recall(matrix);
        double[] f1 = new double[precision.length];
        for (int k = 0; k < f1.length; k++) {
            double sum = precision[k] + recall[k];
            f1[k] = sum == 0 ? 0.0 : 2 * precision[k] * recall[k] / sum;
        }
        return f1;
    }

    /** The unweighted mean of the per-label F1 scores. */
    public static double macroF1(ConfusionMatrix matrix) {
        double sum = 0;
        for (double value : f1(matrix)) {
            sum += value;
        }
        return sum / matrix.labels().size();
    }

    /** The mean of the per-label F1 scores weighted by support; NaN for an empty matrix. */
    public static double weightedF1(ConfusionMatrix matrix) {
        double[] f1 = f1(matrix);
        double sum = 0;
        for (int k = 0; k < f1.length; k++) {
            sum += f1[k] * matrix.support(k);
        }
        long total = matrix.total();
        return total == 0 ? Double.NaN : sum / total;
    }
}
