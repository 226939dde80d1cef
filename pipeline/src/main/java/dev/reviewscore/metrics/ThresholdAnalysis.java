package dev.reviewscore.metrics;

/**
 * Decision thresholds of a binary model, from the same score histogram as the curves ({@link ScoreCurves}): a review
 * is predicted positive when its positive-label probability is at least the threshold, and thresholds are the bin
 * edges, where the histogram is exact.
 *
 * @param atHalf the metrics at 0.5 (close to the model's own prediction, the more probable label)
 * @param bestF1 the threshold with the highest F1 of the positive label (the highest such threshold on a tie)
 * @param targetPrecision the lowest threshold whose precision reaches {@code target} (the most recall at that
 *     precision), or null when no threshold reaches it
 * @param target the precision looked for
 */
public record ThresholdAnalysis(Point atHalf, Point bestF1, Point targetPrecision, double target) {

    /**
     * The positive label's metrics at one threshold.
     *
     * @param threshold reviews scoring at least this are predicted positive
     * @param precision precision of the positive label (0 when nothing is predicted positive)
     * @param recall recall of the positive label
     * @param f1 F1 of the positive label
     * @param accuracy accuracy of the two-label prediction
     * @param predictedPositive reviews predicted positive
     */
    public record Point(double threshold, double precision, double recall, double f1, double accuracy,
                        long predictedPositive) {}

    /**
     * Analyses the curves' histogram.
     *
     * @return the analysis, or null without labeled reviews of both classes
     */
    public static ThresholdAnalysis of(ScoreCurves curves, double target) {
        long positives = 0;
        long negatives = 0;
        for (int bin = 0; bin < ScoreCurves.BINS; bin++) {
            positives += curves.positives()[bin];
            negatives += curves.negatives()[bin];
        }
        if (positives == 0 || negatives == 0) {
            return null;
        }
        Point half = null;
        Point best = null;
        Point precise = null;
        long truePositives = 0;
        long falsePositives = 0;
        for (int bin = ScoreCurves.BINS - 1; bin >= 0; bin--) {
            truePositives += curves.positives()[bin];
            falsePositives += curves.negatives()[bin];
            Point point = point((double) bin / ScoreCurves.BINS, truePositives, falsePositives, positives, negatives);
            if (bin == ScoreCurves.BINS / 2) {
                half = point;
            }
            if (curves.positives()[bin] + curves.negatives()[bin] == 0 && bin != ScoreCurves.BINS / 2) {
                continue;
            }
            if (best == null || point.f1() > best.f1()) {
                best = point;
            }
            if (point.predictedPositive() > 0 && point.precision() >= target) {
                precise = point;
            }
        }
        return new ThresholdAnalysis(half, best, precise, target);
    }

    private static Point point(double threshold, long truePositives, long falsePositives, long positives,
                               long negatives) {
        long predicted = truePositives + falsePositives;
        double precision = predicted == 0 ? 0 : (double) truePositives / predicted;
        double recall = (double) truePositives / positives;
        double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        double accuracy = (double) (truePositives + negatives - falsePositives) / (positives + negatives);
        return new Point(threshold, precision, recall, f1, accuracy, predicted);
    }
}
