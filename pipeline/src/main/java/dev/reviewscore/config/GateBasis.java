package dev.reviewscore.config;

/** What a metric gate compares with its threshold ({@code gates.on}). */
public enum GateBasis {
    /** The metric's value. */
    POINT,
    /**
     * The pessimistic end of the metric's confidence interval (the lower bound of a min gate, the upper bound of a
     * max gate): the run passes only when the whole interval clears the threshold.
     */
    LOWER_BOUND,
    /** The whole interval: the run fails only when the interval lies entirely on the wrong side of the threshold. */
    INTERVAL
}
