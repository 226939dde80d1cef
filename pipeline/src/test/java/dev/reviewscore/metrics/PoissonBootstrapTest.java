package dev.reviewscore.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PoissonBootstrapTest {
    private static final List<String> LABELS = List.of("NEGATIVE", "POSITIVE");

    @Test
    void weightsArePoissonOneAndRepeatForTheSameId() {
        int[] weights = new int[200_000];
        PoissonBootstrap.weights(PoissonBootstrap.seed("review-1"), weights);
        double mean = java.util.Arrays.stream(weights).average().orElseThrow();
        double variance = java.util.Arrays.stream(weights).mapToDouble(w -> (w - mean) * (w - mean)).sum()
                / (weights.length - 1);
        assertEquals(1.0, mean, 0.01);
        assertEquals(1.0, variance, 0.02);
        long zeros = java.util.Arrays.stream(weights).filter(w -> w == 0).count();
        assertEquals(Math.exp(-1), zeros / (double) weights.length, 0.005);

        int[] again = new int[200_000];
        PoissonBootstrap.weights(PoissonBootstrap.seed("review-1"), again);
        assertArrayEquals(weights, again);
        PoissonBootstrap.weights(PoissonBootstrap.seed("review-2"), again);
        assertNotEquals(java.util.Arrays.toString(weights), java.util.Arrays.toString(again));
    }

    /**
     * On samples from a population whose F1 and log loss are known, the 95% intervals cover the true values about
     * 95% of the time: with 400 samples, the share lies in [0.91, 0.98] unless the intervals are wrong (a binomial
     * spread of 0.011).
     */
    @Test
    void ninetyFivePercentIntervalsCoverTheTrueValueAboutNinetyFivePercentOfTheTime() {
        // population: 40% positives; positives predicted right 85% of the time, negatives 80%
        double truePositive = 0.4 * 0.85;
        double falseNegative = 0.4 * 0.15;
        double falsePositive = 0.6 * 0.2;
        double trueF1 = 2 * truePositive / (2 * truePositive + falsePositive + falseNegative);
        // the probability a review gives its true label: 0.95, 0.7 or 0.3, with chances 0.6, 0.25, 0.15
        double[] probabilities = {0.95, 0.7, 0.3};
        double[] chances = {0.6, 0.25, 0.15};
        double trueLoss = 0;
        for (int i = 0; i < 3; i++) {
            trueLoss -= chances[i] * Math.log(probabilities[i]);
        }
        Random random = new Random(20261202);
        int samples = 400;
        int rows = 600;
        int f1Covered = 0;
        int lossCovered = 0;
        int[] weights = new int[200];
        for (int sample = 0; sample < samples; sample++) {
            long[][] counts = new long[2][2];
            PoissonBootstrap.Replicates replicates = PoissonBootstrap.Replicates.empty(2, weights.length);
            for (int row = 0; row < rows; row++) {
                int label = random.nextDouble() < 0.4 ? 1 : 0;
                boolean right = random.nextDouble() < (label == 1 ? 0.85 : 0.8);
                int predicted = right ? label : 1 - label;
                double u = random.nextDouble();
                double p = u < 0.6 ? probabilities[0] : u < 0.85 ? probabilities[1] : probabilities[2];
                counts[label][predicted]++;
                PoissonBootstrap.weights(PoissonBootstrap.seed(sample + "/" + row), weights);
                replicates.add(weights, label, predicted, -Math.log(p));
            }
            SliceIntervals intervals = SliceIntervals.compute(new ConfusionMatrix(LABELS, counts), null, replicates,
                    0.95);
            f1Covered += intervals.of(Metric.F1, 1).contains(trueF1) ? 1 : 0;
            lossCovered += intervals.of(Metric.LOG_LOSS).contains(trueLoss) ? 1 : 0;
        }
        double f1Coverage = f1Covered / (double) samples;
        double lossCoverage = lossCovered / (double) samples;
        assertTrue(f1Coverage >= 0.91 && f1Coverage <= 0.98, "F1 coverage " + f1Coverage);
        assertTrue(lossCoverage >= 0.91 && lossCoverage <= 0.98, "log-loss coverage " + lossCoverage);
    }
}
