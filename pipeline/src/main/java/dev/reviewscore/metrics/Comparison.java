package dev.reviewscore.metrics;

import java.util.List;

/**
 * A champion model version against a challenger, on the reviews both scored (joined on review id).
 *
 * @param championVersion the champion's model version
 * @param challengerVersion the challenger's
 * @param paired reviews both versions scored
 * @param labeled paired reviews with a true label (the same in both versions' rows)
 * @param championRight labeled reviews the champion predicts right
 * @param challengerRight labeled reviews the challenger predicts right
 * @param championOnlyRight labeled reviews only the champion predicts right
 * @param challengerOnlyRight labeled reviews only the challenger predicts right
 * @param accuracyPValue McNemar's exact two-sided p-value of an accuracy difference
 * @param auc DeLong's paired test of the AUCs, or null (no positive label, or fewer than two reviews of a class)
 * @param disagreements paired reviews whose predicted labels differ
 * @param examples the disagreements with the largest difference in positive-label probability (or in the
 *     probability of the challenger's prediction, without a positive label)
 */
public record Comparison(String championVersion, String challengerVersion, long paired, long labeled,
                         long championRight, long challengerRight, long championOnlyRight, long challengerOnlyRight,
                         double accuracyPValue, PairedTests.PairedAuc auc, long disagreements,
                         List<Disagreement> examples) {

    /** Copies the examples. */
    public Comparison {
        examples = List.copyOf(examples);
    }

    /**
     * A review the two versions label differently.
     *
     * @param reviewId the review
     * @param text the start of its text, or null
     * @param label its true label, or null
     * @param championPredicted the champion's label
     * @param championProbability the champion's probability of the positive label (of its own label without one)
     * @param challengerPredicted the challenger's label
     * @param challengerProbability the challenger's probability, likewise
     */
    public record Disagreement(String reviewId, String text, String label, String championPredicted,
                               double championProbability, String challengerPredicted,
                               double challengerProbability) {}

    /** The champion's accuracy on the labeled paired reviews; NaN without any. */
    public double championAccuracy() {
        return labeled == 0 ? Double.NaN : (double) championRight / labeled;
    }

    /** The challenger's accuracy on the labeled paired reviews; NaN without any. */
    public double challengerAccuracy() {
        return labeled == 0 ? Double.NaN : (double) challengerRight / labeled;
    }

    /** Whether the challenger's accuracy is lower with a p-value below {@code alpha}. */
    public boolean accuracyWorse(double alpha) {
        return challengerRight < championRight && accuracyPValue < alpha;
    }

    /** Whether the challenger's AUC is lower with a p-value below {@code alpha}. */
    public boolean aucWorse(double alpha) {
        return auc != null && auc.difference() < 0 && !(auc.pValue() >= alpha);
    }
}
