package dev.reviewscore.metrics;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A Poisson bootstrap computed in one pass over the rows (Hanley and MacGibbon 2006; Chamandy et al. 2012): instead
 * of resampling the table, each row takes part in replicate {@code b} with a weight drawn from Poisson(1), and each
 * replicate's metrics come from its weighted counts. A row's weights come from a generator seeded by its review id,
 * so the same rows give the same interval on every run, in any partitioning, and a review weighs the same in every
 * slice it belongs to.
 */
public final class PoissonBootstrap {
    /** Replicates when none are configured. */
    public static final int DEFAULT_REPLICATES = 200;
    /** The unit of the replicates' log-loss sums: a loss term is rounded to a multiple of it. */
    public static final double LOSS_UNIT = 1e-9;
    private static final double E_INVERSE = Math.exp(-1);

    private PoissonBootstrap() {}

    /** A stable 64-bit seed of a review id: FNV-1a over its UTF-8 bytes, then SplitMix64's finalizer. */
    public static long seed(String reviewId) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : reviewId.getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xff;
            hash *= 0x100000001b3L;
        }
        hash = (hash ^ (hash >>> 30)) * 0xbf58476d1ce4e5b9L;
        hash = (hash ^ (hash >>> 27)) * 0x94d049bb133111ebL;
        return hash ^ (hash >>> 31);
    }

    /** Fills {@code weights} with one Poisson(1) draw per replicate, from a generator seeded by {@code seed}. */
    public static void weights(long seed, int[] weights) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int b = 0; b < weights.length; b++) {
            // inversion: the smallest k whose cumulative probability reaches u
            double u = random.nextDouble();
            int k = 0;
            double probability = E_INVERSE;
            double cumulative = probability;
            while (u > cumulative && k < 30) {
                k++;
                probability /= k;
                cumulative += probability;
            }
            weights[b] = k;
        }
    }

    /**
     * The weighted sums of one slice in every replicate: confusion counts and log-loss sums. The sums are exact
     * integers (a loss term counts in units of {@link #LOSS_UNIT}), so sums of parts, and sums less the rows taken
     * away, equal the sums of the rows in any order. Not thread-safe.
     *
     * @param labels the number of labels
     * @param confusion per replicate {@code b}, the weighted count of (true {@code t}, predicted {@code p}) at
     *     {@code (b * labels + t) * labels + p}
     * @param lossUnits per replicate, the weighted sum of the rows' loss terms, in units of {@link #LOSS_UNIT}
     */
    public record Replicates(int labels, long[] confusion, long[] lossUnits) {

        /** Empty sums for {@code replicates} replicates. */
        public static Replicates empty(int labels, int replicates) {
            return new Replicates(labels, new long[replicates * labels * labels], new long[replicates]);
        }

        /** The number of replicates. */
        public int replicates() {
            return lossUnits.length;
        }

        /**
         * Adds one labeled row with its weights; negative weights take a row away.
         *
         * @throws ArithmeticException when a sum overflows
         */
        public void add(int[] weights, int labelIndex, int predictedIndex, double lossTerm) {
            int cell = labelIndex * labels + predictedIndex;
            int stride = labels * labels;
            long loss = Math.round(lossTerm / LOSS_UNIT);
            for (int b = 0; b < weights.length; b++) {
                int weight = weights[b];
                if (weight != 0) {
                    confusion[b * stride + cell] += weight;
                    lossUnits[b] = Math.addExact(lossUnits[b], Math.multiplyExact(weight, loss));
                }
            }
        }

        /** Adds another part's sums (the same slice, other rows) into these. */
        public void addAll(Replicates other) {
            for (int i = 0; i < confusion.length; i++) {
                confusion[i] += other.confusion[i];
            }
            for (int b = 0; b < lossUnits.length; b++) {
                lossUnits[b] = Math.addExact(lossUnits[b], other.lossUnits[b]);
            }
        }

        /** Replicate {@code b}'s weighted sum of loss terms. */
        public double lossSum(int b) {
            return lossUnits[b] * LOSS_UNIT;
        }

        /** Replicate {@code b}'s confusion matrix. */
        public ConfusionMatrix matrix(List<String> labelNames, int b) {
            long[][] counts = new long[labels][labels];
            for (int t = 0; t < labels; t++) {
                System.arraycopy(confusion, (b * labels + t) * labels, counts[t], 0, labels);
            }
            return new ConfusionMatrix(labelNames, counts);
        }
    }
}
