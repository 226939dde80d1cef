package dev.reviewscore.config;

import dev.reviewscore.InvalidInputException;

/** Validation helpers whose messages name the configuration key, the value found, and the fix. */
final class ConfigCheck {
    private ConfigCheck() {}

    /**
     * Throws when {@code valid} is false.
     *
     * @param key the configuration key, for example {@code model.batch-size}
     * @param value the value found
     * @param fix what to set instead, for example "set it to a whole number of at least 1"
     */
    static void require(boolean valid, String key, Object value, String fix) {
        if (!valid) {
            throw invalid(key, value, fix);
        }
    }

    /** The exception for an invalid value of {@code key}. */
    static InvalidInputException invalid(String key, Object value, String fix) {
        return new InvalidInputException(
                "Invalid configuration: " + key + " = " + render(value) + ". Fix: " + fix
                        + " (in the configuration file, or with --conf " + key + "=...).");
    }

    private static String render(Object value) {
        if (value == null) {
            return "(not set)";
        }
        return value instanceof String ? "\"" + value + "\"" : String.valueOf(value);
    }
}
