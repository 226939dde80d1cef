package dev.reviewscore.gates;

import dev.reviewscore.config.GateBasis;
import dev.reviewscore.metrics.Interval;

/**
 * How one quality gate was decided for one slice.
 *
 * @param gate the gate's configuration key, for example {@code gates.min-auc}
 * @param slice {@code all} for the whole table, else {@code name=value} of a slice
 * @param basis what was compared with the threshold
 * @param threshold the configured threshold
 * @param measure what was measured, for example {@code auc}
 * @param value the metric's value, or null when undefined
 * @param interval its confidence interval, or null
 * @param compared the number compared with the threshold (the value or a bound), or null when it is undefined
 * @param labeled the labeled reviews the decision rests on, or -1 for a gate that is not about labels
 * @param passed whether the gate passed
 * @param why why {@code compared} is undefined, else null
 */
public record GateDecision(String gate, String slice, GateBasis basis, double threshold, String measure, Double value,
                           Interval interval, Double compared, long labeled, boolean passed, String why) {

    /** The violation this decision reports, when the gate did not pass; a slice's gate is keyed {@code gate[slice]}. */
    public GateViolation violation() {
        String what = measure + switch (basis) {
            case POINT -> "";
            case LOWER_BOUND -> " (" + bound() + " of its interval)";
            case INTERVAL -> " (" + bound() + " of its interval: the whole interval misses the threshold)";
        };
        return new GateViolation(slice.equals("all") ? gate : gate + "[" + slice + "]", threshold, what, compared,
                why);
    }

    /** What {@link #compared} is, in words: value, lower bound or upper bound. */
    public String bound() {
        if (basis == GateBasis.POINT) {
            return "value";
        }
        boolean minimum = gate.contains(".min-");
        boolean lower = basis == GateBasis.LOWER_BOUND ? minimum : !minimum;
        return lower ? "lower bound" : "upper bound";
    }
}
