package dev.reviewscore.gates;

import java.util.Locale;

/**
 * A quality gate a run broke.
 *
 * @param gate the gate's configuration key, for example {@code gates.min-auc}
 * @param threshold the configured threshold
 * @param measure what was measured, for example {@code auc}
 * @param value the run's value, or null when it is undefined
 * @param why why the value is undefined, else null
 */
public record GateViolation(String gate, double threshold, String measure, Double value, String why) {

    /** One line naming the gate, the threshold and the value. */
    public String message() {
        String found = value == null ? "undefined (" + why + ")" : String.format(Locale.ROOT, "%.4f", value);
        return "Quality gate failed: " + gate + " = " + threshold + ", but " + measure + " = " + found;
    }
}
