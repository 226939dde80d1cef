package dev.reviewscore.metrics;

import java.util.Locale;

/**
 * A two-sided confidence interval of one metric value.
 *
 * @param lower the lower bound
 * @param upper the upper bound
 * @param method how it was computed
 */
public record Interval(double lower, double upper, Method method) {

    /** How an interval is computed. */
    public enum Method {
        /** Wilson's score interval for a share of counts (accuracy, precision, recall). */
        WILSON,
        /** DeLong's variance of the AUC, on the logit scale and mapped back, so it stays inside [0, 1]. */
        DELONG_LOGIT,
        /** Percentiles of a Poisson bootstrap, one pass over the rows (F1, macro and weighted F1, log loss). */
        POISSON_BOOTSTRAP;

        /** The name tables and reports use, for example {@code delong-logit}. */
        public String methodName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** Checks that the bounds are ordered numbers. */
    public Interval {
        if (Double.isNaN(lower) || Double.isNaN(upper) || lower > upper) {
            throw new IllegalArgumentException("an interval needs lower <= upper: [" + lower + ", " + upper + "]");
        }
    }

    /** Whether the value lies inside, bounds included. */
    public boolean contains(double value) {
        return lower <= value && value <= upper;
    }
}
