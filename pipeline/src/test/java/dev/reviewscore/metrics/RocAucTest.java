package dev.reviewscore.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
        assertTrue(RocAuc.combine(List.of(onlyPositives.result())).isEmpty());
        assertTrue(RocAuc.combine(List.of()).isEmpty());
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
        assertEquals(whole, RocAuc.combine(runs).getAsDouble(), 0.0);
        assertEquals(bruteForce(positives, negatives), whole, 1e-12);
    }

    private static double auc(long[] positives, long[] negatives) {
        RocAuc.Accumulator accumulator = new RocAuc.Accumulator();
        for (int i = 0; i < positives.length; i++) {
            accumulator.add(positives[i], negatives[i]);
        }
        return RocAuc.combine(List.of(accumulator.result())).getAsDouble();
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
