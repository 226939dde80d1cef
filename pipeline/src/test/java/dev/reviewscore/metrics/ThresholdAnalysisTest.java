package dev.reviewscore.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ThresholdAnalysisTest {

    @Test
    void findsTheBestF1AndTheTargetPrecisionAsAScanOfEveryReviewWould() {
        Random random = new Random(7);
        int n = 5000;
        double[] scores = new double[n];
        boolean[] positive = new boolean[n];
        long[] positives = new long[ScoreCurves.BINS];
        long[] negatives = new long[ScoreCurves.BINS];
        for (int i = 0; i < n; i++) {
            positive[i] = random.nextDouble() < 0.3;
            double logit = random.nextGaussian() + (positive[i] ? 1.5 : -0.5);
            scores[i] = 1 / (1 + Math.exp(-logit));
            (positive[i] ? positives : negatives)[ScoreCurves.bin(scores[i])]++;
        }
        ThresholdAnalysis analysis = ThresholdAnalysis.of(new ScoreCurves(positives, negatives,
                new double[ScoreCurves.BINS]), 0.8);

        double bestF1 = -1;
        double bestThreshold = -1;
        double preciseThreshold = Double.NaN;
        for (int bin = ScoreCurves.BINS - 1; bin >= 0; bin--) {
            double threshold = (double) bin / ScoreCurves.BINS;
            long tp = 0;
            long fp = 0;
            long fn = 0;
            for (int i = 0; i < n; i++) {
                boolean predicted = scores[i] >= threshold;
                tp += predicted && positive[i] ? 1 : 0;
                fp += predicted && !positive[i] ? 1 : 0;
                fn += !predicted && positive[i] ? 1 : 0;
            }
            double f1 = 2.0 * tp / (2 * tp + fp + fn);
            if (f1 > bestF1) {
                bestF1 = f1;
                bestThreshold = threshold;
            }
            if (tp + fp > 0 && (double) tp / (tp + fp) >= 0.8) {
                preciseThreshold = threshold;
            }
            if (bin == ScoreCurves.BINS / 2) {
                assertEquals(f1, analysis.atHalf().f1(), 1e-12);
                assertEquals((double) tp / (tp + fp), analysis.atHalf().precision(), 1e-12);
            }
        }
        assertEquals(bestF1, analysis.bestF1().f1(), 1e-12);
        assertEquals(bestThreshold, analysis.bestF1().threshold(), 0.0);
        assertEquals(preciseThreshold, analysis.targetPrecision().threshold(), 0.0);
        assertTrue(analysis.targetPrecision().precision() >= 0.8);
        assertTrue(analysis.bestF1().f1() >= analysis.atHalf().f1());
    }

    @Test
    void aTargetNoThresholdReachesIsNullAndOneClassHasNoAnalysis() {
        long[] positives = new long[ScoreCurves.BINS];
        long[] negatives = new long[ScoreCurves.BINS];
        positives[100] = 5;
        negatives[900] = 5;
        ThresholdAnalysis reversed = ThresholdAnalysis.of(new ScoreCurves(positives, negatives,
                new double[ScoreCurves.BINS]), 0.9);
        assertNull(reversed.targetPrecision());
        assertNull(ThresholdAnalysis.of(new ScoreCurves(positives, new long[ScoreCurves.BINS],
                new double[ScoreCurves.BINS]), 0.9));
    }
}
