package dev.reviewscore.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RocAucTest {

    @Test
    void perfectRankingIsOneAndReversedIsZero() {
        assertEquals(1.0, auc(new long[] {0, 0, 1, 1}, new long[] {1, 1, 0, 0}));
        assertEquals(0.0, auc(new long[] {1, 1, 0, 0}, new long[] {0, 0, 1, 1}));
    }

    @Test
    void tiesCountHalf() {
        // every review has the same score: all pairs are ties
        assertEquals(0.5, auc(new long[] {3}, new long[] {5}));
        // scores a < b: negatives {a, b}, positives {b}: one win, one tie = 1.5 / 2
        assertEquals(0.75, auc(new long[] {0, 1}, new long[] {1, 1}));
    }

    @Test
    void isUndefinedWithoutBothClasses() {
        RocAuc.Accumulator onlyPositives = new RocAuc.Accumulator();
        onlyPositives.add(4, 0);
        assertNull(RocAuc.combine(List.of(onlyPositives.result())));
        assertNull(RocAuc.combine(List.of()));
    }

    @Test
    void splittingTheScoresIntoRunsGivesTheSameAreaAsOneRun() {
        Random random = new Random(5);
        long[] positives = new long[200];
        long[] negatives = new long[200];
        for (int i = 0; i < 200; i++) {
            positives[i] = random.nextInt(4) * (i / 50 + 1);
            negatives[i] = random.nextInt(4) * (4 - i / 50);
        }
        double whole = auc(positives, negatives);
        List<RocAuc.Partial> runs = new ArrayList<>();
        int[] cuts = {0, 1, 37, 38, 120, 200};
        for (int c = 0; c + 1 < cuts.length; c++) {
            RocAuc.Accumulator run = new RocAuc.Accumulator();
            for (int i = cuts[c]; i < cuts[c + 1]; i++) {
                run.add(positives[i], negatives[i]);
            }
            runs.add(run.result());
        }
        RocAuc.Estimate split = RocAuc.combine(runs);
        assertEquals(whole, split.auc(), 0.0);
        assertEquals(bruteForce(positives, negatives), whole, 1e-12);
        assertEquals(bruteForceVariance(positives, negatives), split.variance(), 1e-15);
        assertEquals(estimate(positives, negatives).variance(), split.variance(), 1e-15);
    }

    @Test
    void theVarianceNeedsTwoOfEachClassAndIsZeroForAPerfectRanking() {
        assertTrue(Double.isNaN(estimate(new long[] {0, 1}, new long[] {1, 1}).variance()));
        assertEquals(0.0, estimate(new long[] {0, 0, 2, 1}, new long[] {1, 2, 0, 0}).variance(), 0.0);
    }

    /** DeLong's variance from each review's placement, one review at a time. */
    private static double bruteForceVariance(long[] positives, long[] negatives) {
        List<Double> positivePlacements = new ArrayList<>();
        List<Double> negativePlacements = new ArrayList<>();
        long m = java.util.Arrays.stream(positives).sum();
        long n = java.util.Arrays.stream(negatives).sum();
        for (int s = 0; s < positives.length; s++) {
            double negativesBelow = 0;
            double positivesAbove = 0;
            for (int t = 0; t < positives.length; t++) {
                double weight = t < s ? 1 : t == s ? 0.5 : 0;
                negativesBelow += weight * negatives[t];
                positivesAbove += (t > s ? 1 : t == s ? 0.5 : 0) * positives[t];
            }
            for (long i = 0; i < positives[s]; i++) {
                positivePlacements.add(negativesBelow / n);
            }
            for (long i = 0; i < negatives[s]; i++) {
                negativePlacements.add(positivesAbove / m);
            }
        }
        return sampleVariance(positivePlacements) / m + sampleVariance(negativePlacements) / n;
    }

    private static double sampleVariance(List<Double> values) {
        double mean = values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        return values.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum() / (values.size() - 1);
    }

    private static RocAuc.Estimate estimate(long[] positives, long[] negatives) {
        RocAuc.Accumulator accumulator = new RocAuc.Accumulator();
        for (int i = 0; i < positives.length; i++) {
            accumulator.add(positives[i], negatives[i]);
        }
        return RocAuc.combine(List.of(accumulator.result()));
    }

    private static double auc(long[] positives, long[] negatives) {
        RocAuc.Accumulator accumulator = new RocAuc.Accumulator();
        for (int i = 0; i < positives.length; i++) {
            accumulator.add(positives[i], negatives[i]);
        }
        return RocAuc.combine(List.of(accumulator.result())).auc();
    }

    private static double bruteForce(long[] positives, long[] negatives) {
        double wins = 0;
        long pairs = 0;
        for (int p = 0; p < positives.length; p++) {
            for (int n = 0; n < negatives.length; n++) {
                long count = positives[p] * negatives[n];
                pairs += count;
                wins += p > n ? count : p == n ? count / 2.0 : 0;
            }
        }
        return wins / pairs;
    }
}
