package dev.reviewscore.metrics;

import java.util.List;
import java.util.OptionalDouble;

/**
 * Exact area under the ROC curve from counts of positives and negatives per distinct score, as the Mann-Whitney
 * statistic: the share of (positive, negative) pairs in which the positive scores higher, a tie counting half.
 * This equals scikit-learn's {@code roc_auc_score} (no binning).
 *
 * <p>Scores arrive in ascending order, possibly split into consecutive runs (one per Spark partition of a range
 * partitioned, sorted table). Each run is summed into a {@link Partial} on its own; {@link #combine(List)} joins the
 * partials in score order. Pair counts are kept doubled in exact 64-bit integers, so no rounding happens until the
 * final division.
 */
public final class RocAuc {
    private RocAuc() {}

    /**
     * The sums of one run of ascending scores.
     *
     * @param positives positives in the run
     * @param negatives negatives in the run
     * @param twiceWins twice the pairs inside the run where the positive scores higher, plus the tied pairs once
     */
    public record Partial(long positives, long negatives, long twiceWins) {}

    /** Sums a run of distinct scores fed in ascending order. Not thread-safe. */
    public static final class Accumulator {
        private long positives;
        private long negatives;
        private long twiceWins;

        /**
         * Adds the reviews at the next (higher) distinct score.
         *
         * @param positivesAtScore positives with this score
         * @param negativesAtScore negatives with this score
         */
        public void add(long positivesAtScore, long negativesAtScore) {
            twiceWins = Math.addExact(twiceWins,
                    Math.multiplyExact(positivesAtScore, Math.addExact(2 * negatives, negativesAtScore)));
            positives += positivesAtScore;
            negatives += negativesAtScore;
        }

        /** The sums so far. */
        public Partial result() {
            return new Partial(positives, negatives, twiceWins);
        }
    }

    /**
     * Joins runs given in ascending score order.
     *
     * @return the AUC, or empty when there are no positives or no negatives (AUC is undefined)
     */
    public static OptionalDouble combine(List<Partial> runsInScoreOrder) {
        long positives = 0;
        long negatives = 0;
        long twiceWins = 0;
        for (Partial run : runsInScoreOrder) {
            twiceWins = Math.addExact(twiceWins,
                    Math.addExact(run.twiceWins(), Math.multiplyExact(2 * negatives, run.positives())));
            positives += run.positives();
            negatives += run.negatives();
        }
        if (positives == 0 || negatives == 0) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(twiceWins / (2.0 * positives * negatives));
    }
}
