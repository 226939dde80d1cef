package dev.reviewscore.metrics;

import java.util.ArrayList;
import java.util.List;

/**
 * The labeled reviews' positive-label scores in {@link #BINS} equal-width bins over [0, 1]: enough to draw the ROC
 * and precision-recall curves, the score histogram of each true class and the calibration curve, without holding
 * any review. Curves drawn from bins are exact at the bin edges; the AUC itself is computed exactly elsewhere
 * ({@link RocAuc}).
 *
 * @param positives positives per bin
 * @param negatives negatives per bin
 * @param scoreSums sum of the scores in each bin (for calibration)
 */
public record ScoreCurves(long[] positives, long[] negatives, double[] scoreSums) {
    /** Fine bins over [0, 1]. */
    public static final int BINS = 1000;

    /** Checks the arrays have {@link #BINS} entries each. */
    public ScoreCurves {
        if (positives.length != BINS || negatives.length != BINS || scoreSums.length != BINS) {
            throw new IllegalArgumentException("score curves need " + BINS + " bins per array");
        }
        positives = positives.clone();
        negatives = negatives.clone();
        scoreSums = scoreSums.clone();
    }

    /** The bin of a score: {@code min(floor(score * BINS), BINS - 1)}. */
    public static int bin(double score) {
        return Math.max(0, Math.min(BINS - 1, (int) Math.floor(score * BINS)));
    }

    /** A point of a curve. */
    public record Point(double x, double y, double threshold) {}

    /**
     * The ROC curve: (false positive rate, true positive rate) for thresholds at the bin edges, from the highest
     * (nothing predicted positive) down to 0 (everything positive). Bins with no review add no point.
     */
    public List<Point> roc() {
        long totalPositives = sum(positives);
        long totalNegatives = sum(negatives);
        List<Point> points = new ArrayList<>(List.of(new Point(0, 0, 1.0)));
        long truePositives = 0;
        long falsePositives = 0;
        for (int bin = BINS - 1; bin >= 0; bin--) {
            if (positives[bin] + negatives[bin] == 0) {
                continue;
            }
            truePositives += positives[bin];
            falsePositives += negatives[bin];
            points.add(new Point(ratio(falsePositives, totalNegatives), ratio(truePositives, totalPositives),
                    (double) bin / BINS));
        }
        return points;
    }

    /** The precision-recall curve: (recall, precision) for the same thresholds as {@link #roc()}. */
    public List<Point> precisionRecall() {
        long totalPositives = sum(positives);
        List<Point> points = new ArrayList<>();
        long truePositives = 0;
        long predicted = 0;
        for (int bin = BINS - 1; bin >= 0; bin--) {
            if (positives[bin] + negatives[bin] == 0) {
                continue;
            }
            truePositives += positives[bin];
            predicted += positives[bin] + negatives[bin];
            points.add(new Point(ratio(truePositives, totalPositives), ratio(truePositives, predicted),
                    (double) bin / BINS));
        }
        return points;
    }

    /**
     * Score histograms per true class over {@code bins} equal-width bins (a divisor of {@link #BINS}).
     *
     * @return {@code [0]} negatives per bin, {@code [1]} positives per bin
     */
    public long[][] histograms(int bins) {
        int width = width(bins);
        long[][] histograms = new long[2][bins];
        for (int bin = 0; bin < BINS; bin++) {
            histograms[0][bin / width] += negatives[bin];
            histograms[1][bin / width] += positives[bin];
        }
        return histograms;
    }

    /**
     * The reliability curve over {@code bins} equal-width bins: per bin, the reviews in it, their mean score, and
     * the share that is positive. Empty bins are left out.
     */
    public List<CalibrationBin> calibration(int bins) {
        int width = width(bins);
        List<CalibrationBin> curve = new ArrayList<>();
        for (int coarse = 0; coarse < bins; coarse++) {
            long count = 0;
            long positive = 0;
            double scores = 0;
            for (int bin = coarse * width; bin < (coarse + 1) * width; bin++) {
                count += positives[bin] + negatives[bin];
                positive += positives[bin];
                scores += scoreSums[bin];
            }
            if (count > 0) {
                curve.add(new CalibrationBin(count, scores / count, (double) positive / count));
            }
        }
        return curve;
    }

    /**
     * One bin of a reliability curve.
     *
     * @param reviews reviews in the bin
     * @param meanScore their mean positive-label probability
     * @param positiveShare the share of them that is positive
     */
    public record CalibrationBin(long reviews, double meanScore, double positiveShare) {}

    /**
     * Expected calibration error over {@code bins} bins: the mean over reviews of |mean score - positive share| of
     * their bin; NaN without reviews.
     */
    public double expectedCalibrationError(int bins) {
        long total = 0;
        double error = 0;
        for (CalibrationBin bin : calibration(bins)) {
            total += bin.reviews();
            error += bin.reviews() * Math.abs(bin.meanScore() - bin.positiveShare());
        }
        return total == 0 ? Double.NaN : error / total;
    }

    private static int width(int bins) {
        if (bins <= 0 || BINS % bins != 0) {
            throw new IllegalArgumentException("bins must divide " + BINS + ": " + bins);
        }
        return BINS / bins;
    }

    private static long sum(long[] values) {
        long sum = 0;
        for (long value : values) {
            sum += value;
        }
        return sum;
    }

    private static double ratio(long numerator, long denominator) {
        return denominator == 0 ? 0 : (double) numerator / denominator;
    }
}
