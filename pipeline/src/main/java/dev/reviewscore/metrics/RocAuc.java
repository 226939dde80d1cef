package dev.reviewscore.metrics;

import java.util.List;

/**
 * Exact area under the ROC curve from counts of positives and negatives per distinct score, as the Mann-Whitney
 * statistic: the share of (positive, negative) pairs in which the positive scores higher, a tie counting half.
 * This equals scikit-learn's {@code roc_auc_score} (no binning).
 *
 * <p>Scores arrive in ascending order, possibly split into consecutive runs (one per Spark partition of a range
 * partitioned, sorted table). Each run is summed into a {@link Partial} on its own; {@link #combine(List)} joins the
 * partials in score order. Pair counts are kept doubled in exact 64-bit integers, so no rounding happens until the
 * final division.
 *
 * <p>The same pass gives DeLong's variance (DeLong, DeLong and Clarke-Pearson 1988). Each positive's placement is
 * the share of negatives it outscores (ties half), each negative's the share of positives that outscore it; the AUC
 * is the mean of either, and its variance is {@code S10/m + S01/n}, with {@code S10} and {@code S01} the sample
 * variances (n - 1 denominators) of the positives' and the negatives' placements and {@code m}, {@code n} the
 * numbers of positives and negatives. A partial keeps the sums of squared placements within its run; combining
 * shifts them by the counts of the runs below.
 */
public final class RocAuc {
    private RocAuc() {}

    /**
     * The sums of one run of ascending scores. Placements are counted doubled (a tie is 1, a win 2) and relative to
     * the run.
     *
     * @param positives positives in the run
     * @param negatives negatives in the run
     * @param twiceWins twice the pairs inside the run where the positive scores higher, plus the tied pairs once
     * @param positiveSquares the sum over the run's positives of their squared doubled placement among the run's
     *     negatives below them
     * @param negativeSquares the sum over the run's negatives of their squared doubled placement among the run's
     *     positives below them
     */
    public record Partial(long positives, long negatives, long twiceWins, double positiveSquares,
                          double negativeSquares) {}

    /**
     * The AUC and its variance.
     *
     * @param auc the exact AUC
     * @param variance DeLong's variance; NaN with fewer than two positives or two negatives
     * @param positives positives counted
     * @param negatives negatives counted
     */
    public record Estimate(double auc, double variance, long positives, long negatives) {}

    /** Sums a run of distinct scores fed in ascending order. Not thread-safe. */
    public static final class Accumulator {
        private long positives;
        private long negatives;
        private long twiceWins;
        private double positiveSquares;
        private double negativeSquares;

        /**
         * Adds the reviews at the next (higher) distinct score.
         *
         * @param positivesAtScore positives with this score
         * @param negativesAtScore negatives with this score
         */
        public void add(long positivesAtScore, long negativesAtScore) {
            long positivePlacement = Math.addExact(2 * negatives, negativesAtScore);
            long negativePlacement = Math.addExact(2 * positives, positivesAtScore);
            twiceWins = Math.addExact(twiceWins, Math.multiplyExact(positivesAtScore, positivePlacement));
            positiveSquares += positivesAtScore * (double) positivePlacement * positivePlacement;
            negativeSquares += negativesAtScore * (double) negativePlacement * negativePlacement;
            positives += positivesAtScore;
            negatives += negativesAtScore;
        }

        /** The sums so far. */
        public Partial result() {
            return new Partial(positives, negatives, twiceWins, positiveSquares, negativeSquares);
        }
    }

    /**
     * Joins runs given in ascending score order.
     *
     * @return the AUC and its variance, or null when there are no positives or no negatives (AUC is undefined)
     */
    public static Estimate combine(List<Partial> runsInScoreOrder) {
        long positives = 0;
        long negatives = 0;
        long twiceWins = 0;
        double positiveSquares = 0;
        double negativeSquares = 0;
        for (Partial run : runsInScoreOrder) {
            // a run's placements, shifted by the negatives (for its positives) and positives (for its negatives)
            // of the runs below it: sum of (2b + x)^2 = 4b^2 k + 4b sum(x) + sum(x^2)
            double below = 2.0 * negatives;
            positiveSquares += below * below * run.positives() + 2 * below * run.twiceWins() + run.positiveSquares();
            long negativeLinear = Math.subtractExact(Math.multiplyExact(2 * run.positives(), run.negatives()),
                    run.twiceWins());
            double positivesBelow = 2.0 * positives;
            negativeSquares += positivesBelow * positivesBelow * run.negatives() + 2 * positivesBelow * negativeLinear
                    + run.negativeSquares();
            twiceWins = Math.addExact(twiceWins,
                    Math.addExact(run.twiceWins(), Math.multiplyExact(2 * negatives, run.positives())));
            positives += run.positives();
            negatives += run.negatives();
        }
        if (positives == 0 || negatives == 0) {
            return null;
        }
        double m = positives;
        double n = negatives;
        double auc = twiceWins / (2.0 * m * n);
        if (positives < 2 || negatives < 2) {
            return new Estimate(auc, Double.NaN, positives, negatives);
        }
        // positives: placement = doubled / 2n; negatives: placement = (2m - doubled positives below) / 2m
        double positiveSum = positiveSquares / (4 * n * n);
        double belowSum = 2 * m * n - twiceWins;
        double negativeSum = (4 * m * m * n - 4 * m * belowSum + negativeSquares) / (4 * m * m);
        double s10 = Math.max(0, (positiveSum - m * auc * auc) / (m - 1));
        double s01 = Math.max(0, (negativeSum - n * auc * auc) / (n - 1));
        return new Estimate(auc, s10 / m + s01 / n, positives, negatives);
    }
}
