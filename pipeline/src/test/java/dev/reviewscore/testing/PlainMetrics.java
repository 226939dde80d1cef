package dev.reviewscore.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Binary classification metrics computed the obvious way, in plain loops over the reviews, as scikit-learn defines
 * them: the independent witness the project's Spark evaluation is checked against. Unlabeled reviews count as rows
 * and in nothing else. Nothing here is shared with the code under test.
 */
public final class PlainMetrics {
    /** scikit-learn's {@code log_loss} clips probabilities to [eps, 1 - eps], eps the float64 machine epsilon. */
    private static final double EPS = Math.ulp(1.0);

    private PlainMetrics() {}

    /**
     * One scored review.
     *
     * @param label the true label's index (0 negative, 1 positive), or -1 when unlabeled
     * @param predicted the predicted label's index
     * @param negative the probability of the negative label
     * @param positive the probability of the positive label
     */
    public record Review(int label, int predicted, double negative, double positive) {}

    /**
     * The metrics of a set of reviews; null where a metric is undefined.
     *
     * @param rows reviews
     * @param labeled reviews with a label
     * @param accuracy share of labeled reviews predicted right
     * @param logLoss mean of -ln p(true label), probabilities clipped and renormalized
     * @param auc ROC AUC of the positive label (ties count half); null with one class only
     * @param precision per label (0 when nothing is predicted as it)
     * @param recall per label (0 when no review has it)
     * @param f1 per label (0 when precision and recall are 0)
     * @param confusion [true][predicted] counts
     */
    public record Values(long rows, long labeled, Double accuracy, Double logLoss, Double auc, double[] precision,
                         double[] recall, double[] f1, long[][] confusion) {}

    /** The metrics of the reviews. */
    public static Values of(List<Review> reviews) {
        long labeled = 0;
        long right = 0;
        double loss = 0;
        long[][] confusion = new long[2][2];
        List<Double> positives = new ArrayList<>();
        List<Double> negatives = new ArrayList<>();
        for (Review review : reviews) {
            if (review.label() < 0) {
                continue;
            }
            labeled++;
            confusion[review.label()][review.predicted()]++;
            if (review.label() == review.predicted()) {
                right++;
            }
            double negative = Math.min(Math.max(review.negative(), EPS), 1 - EPS);
            double positive = Math.min(Math.max(review.positive(), EPS), 1 - EPS);
            loss += -Math.log((review.label() == 1 ? positive : negative) / (negative + positive));
            (review.label() == 1 ? positives : negatives).add(review.positive());
        }
        Double auc = null;
        if (!positives.isEmpty() && !negatives.isEmpty()) {
            double wins = 0;
            for (double p : positives) {
                for (double n : negatives) {
                    wins += p > n ? 1 : p == n ? 0.5 : 0;
                }
            }
            auc = wins / ((double) positives.size() * negatives.size());
        }
        double[] precision = new double[2];
        double[] recall = new double[2];
        double[] f1 = new double[2];
        for (int c = 0; c < 2; c++) {
            long tp = confusion[c][c];
            long predictedAs = confusion[0][c] + confusion[1][c];
            long actual = confusion[c][0] + confusion[c][1];
            precision[c] = predictedAs == 0 ? 0 : tp / (double) predictedAs;
            recall[c] = actual == 0 ? 0 : tp / (double) actual;
            f1[c] = precision[c] + recall[c] == 0 ? 0 : 2 * precision[c] * recall[c] / (precision[c] + recall[c]);
        }
        return new Values(reviews.size(), labeled, labeled == 0 ? null : right / (double) labeled,
                labeled == 0 ? null : loss / labeled, auc, precision, recall, f1, confusion);
    }

    /** The reviews grouped by a slice value (in value order). */
    public static <T> Map<String, List<T>> bySlice(List<T> reviews, java.util.function.Function<T, String> value) {
        Map<String, List<T>> slices = new TreeMap<>();
        for (T review : reviews) {
            slices.computeIfAbsent(value.apply(review), key -> new ArrayList<>()).add(review);
        }
        return slices;
    }
}
