package dev.reviewscore.metrics;

import org.apache.commons.math3.distribution.BinomialDistribution;
import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * Tests of a difference between two models scored on the same reviews.
 * <ul>
 *   <li>Accuracy: McNemar's exact test. Only the reviews exactly one model gets right count: with {@code b} right by
 *       the champion alone and {@code c} by the challenger alone, the two-sided p-value is
 *       {@code min(1, 2 P(X <= min(b, c)))} for {@code X ~ Binomial(b + c, 1/2)} (as statsmodels'
 *       {@code mcnemar(exact=True)}).</li>
 *   <li>AUC: DeLong's paired test. Each review's placement (see {@link RocAuc}) under each model gives, per class,
 *       the sample variances and the covariance of the two models' placements; the difference's variance is
 *       {@code (S10_AA + S10_BB - 2 S10_AB) / m + (S01_AA + S01_BB - 2 S01_AB) / n}, and
 *       {@code z = (AUC_B - AUC_A) / sqrt(variance)} is compared with the standard normal, two-sided.</li>
 * </ul>
 */
public final class PairedTests {
    private static final NormalDistribution NORMAL = new NormalDistribution(null, 0, 1);

    private PairedTests() {}

    /**
     * McNemar's exact test.
     *
     * @param championOnly reviews only the champion predicts right
     * @param challengerOnly reviews only the challenger predicts right
     * @return the two-sided p-value; 1 when no review tells them apart
     */
    public static double mcnemar(long championOnly, long challengerOnly) {
        long discordant = championOnly + challengerOnly;
        if (discordant == 0) {
            return 1.0;
        }
        if (discordant > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("too many discordant reviews for the exact test: " + discordant);
        }
        BinomialDistribution binomial = new BinomialDistribution(null, (int) discordant, 0.5);
        return Math.min(1.0, 2 * binomial.cumulativeProbability((int) Math.min(championOnly, challengerOnly)));
    }

    /**
     * The sums of one class's placements under both models: the count, the sums, the sums of squares and the sum
     * of products.
     */
    public record PlacementSums(long count, double sumA, double sumB, double squaresA, double squaresB,
                                double products) {
        double varianceA() {
            return (squaresA - sumA * sumA / count) / (count - 1);
        }

        double varianceB() {
            return (squaresB - sumB * sumB / count) / (count - 1);
        }

        double covariance() {
            return (products - sumA * sumB / count) / (count - 1);
        }
    }

    /**
     * The result of DeLong's paired test.
     *
     * @param championAuc the champion's AUC on the paired reviews
     * @param challengerAuc the challenger's
     * @param variance the variance of their difference
     * @param pValue the two-sided p-value of a difference; NaN when the variance is 0 and the AUCs differ
     */
    public record PairedAuc(double championAuc, double challengerAuc, double variance, double pValue) {
        /** The challenger's AUC minus the champion's. */
        public double difference() {
            return challengerAuc - championAuc;
        }
    }

    /**
     * DeLong's paired test from the placements' sums.
     *
     * @param positives each positive's placement (share of negatives it outscores) under the champion (A) and the
     *     challenger (B)
     * @param negatives each negative's placement (share of positives that outscore it) under A and B
     * @return the test, or null with fewer than two reviews of a class
     */
    public static PairedAuc delong(PlacementSums positives, PlacementSums negatives) {
        if (positives.count() < 2 || negatives.count() < 2) {
            return null;
        }
        double championAuc = positives.sumA() / positives.count();
        double challengerAuc = positives.sumB() / positives.count();
        double variance = (positives.varianceA() + positives.varianceB() - 2 * positives.covariance())
                / positives.count()
                + (negatives.varianceA() + negatives.varianceB() - 2 * negatives.covariance()) / negatives.count();
        variance = Math.max(0, variance);
        double difference = challengerAuc - championAuc;
        double pValue;
        if (variance == 0) {
            pValue = difference == 0 ? 1.0 : Double.NaN;
        } else {
            double z = difference / Math.sqrt(variance);
            pValue = 2 * NORMAL.cumulativeProbability(-Math.abs(z));
        }
        return new PairedAuc(championAuc, challengerAuc, variance, pValue);
    }
}
