package dev.reviewscore.metrics;

import java.util.Arrays;
import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * Confidence intervals from the aggregates the evaluator collects. The formulas, written down:
 * <ul>
 *   <li>Wilson score interval of k successes in n trials, with {@code z} the two-sided normal quantile of the level:
 *       {@code (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)}, {@code p = k/n} (as statsmodels'
 *       {@code proportion_confint(method="wilson")}).</li>
 *   <li>AUC: DeLong's variance ({@link RocAuc.Estimate#variance()}) on the logit scale,
 *       {@code logit(A) ± z·sqrt(V)/(A(1-A))}, mapped back with the logistic function.</li>
 *   <li>Bootstrap: the percentiles {@code (1-level)/2} and {@code (1+level)/2} of the replicate values, interpolated
 *       linearly between order statistics (numpy's default {@code percentile} method).</li>
 * </ul>
 */
public final class ConfidenceIntervals {
    private static final NormalDistribution NORMAL = new NormalDistribution(null, 0, 1);

    private ConfidenceIntervals() {}

    /**
     * The two-sided standard normal quantile of a confidence level: 1.959963984540054 for 0.95.
     *
     * @throws IllegalArgumentException for a level outside (0, 1)
     */
    public static double z(double level) {
        checkLevel(level);
        return NORMAL.inverseCumulativeProbability(0.5 + level / 2);
    }

    /**
     * Wilson's score interval of a share.
     *
     * @return the interval, or null when there are no trials
     */
    public static Interval wilson(long successes, long trials, double level) {
        if (successes < 0 || successes > trials) {
            throw new IllegalArgumentException("successes must be in [0, trials]: " + successes + " of " + trials);
        }
        if (trials == 0) {
            return null;
        }
        double z = z(level);
        double n = trials;
        double p = successes / n;
        double z2 = z * z;
        double denominator = 1 + z2 / n;
        double center = (p + z2 / (2 * n)) / denominator;
        double half = z * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator;
        // at 0 and n successes a bound is exactly 0 or 1 (center and half width are equal there, up to rounding)
        double lower = successes == 0 ? 0 : Math.max(0, center - half);
        double upper = successes == trials ? 1 : Math.min(1, center + half);
        return new Interval(lower, upper, Interval.Method.WILSON);
    }

    /**
     * The logit interval of an AUC from DeLong's variance. At an AUC of exactly 0 or 1 the variance is 0 and the
     * interval is the point itself.
     *
     * @return the interval, or null when the variance is undefined (fewer than two positives or negatives)
     */
    public static Interval logitAuc(double auc, double variance, double level) {
        if (Double.isNaN(variance)) {
            return null;
        }
        if (auc <= 0 || auc >= 1 || variance <= 0) {
            return new Interval(auc, auc, Interval.Method.DELONG_LOGIT);
        }
        double logit = Math.log(auc / (1 - auc));
        double half = z(level) * Math.sqrt(variance) / (auc * (1 - auc));
        return new Interval(logistic(logit - half), logistic(logit + half), Interval.Method.DELONG_LOGIT);
    }

    /**
     * The percentile interval of bootstrap replicate values; NaN values (a replicate where the metric is undefined)
     * are left out.
     *
     * @return the interval, or null when no replicate has a value
     */
    public static Interval percentile(double[] replicates, double level) {
        checkLevel(level);
        double[] sorted = Arrays.stream(replicates).filter(v -> !Double.isNaN(v)).sorted().toArray();
        if (sorted.length == 0) {
            return null;
        }
        return new Interval(quantile(sorted, (1 - level) / 2), quantile(sorted, (1 + level) / 2),
                Interval.Method.POISSON_BOOTSTRAP);
    }

    private static double quantile(double[] sorted, double q) {
        double position = q * (sorted.length - 1);
        int below = (int) Math.floor(position);
        int above = Math.min(below + 1, sorted.length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }

    private static double logistic(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    private static void checkLevel(double level) {
        if (!(level > 0 && level < 1)) {
            throw new IllegalArgumentException("a confidence level is between 0 and 1 (0.95 for 95%): " + level);
        }
    }
}
