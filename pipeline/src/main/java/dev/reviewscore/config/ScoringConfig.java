package dev.reviewscore.config;

import java.io.Serializable;

/**
 * How a scoring run chooses its reviews and reports on itself.
 *
 * @param full whether every review is scored again, not only new or changed ones ({@code scoring.full})
 * @param progressSeconds seconds between progress reports while scoring; 0 turns them off
 *     ({@code scoring.progress-seconds})
 */
public record ScoringConfig(boolean full, int progressSeconds) implements Serializable {

    /** Checks the interval. */
    public ScoringConfig {
        ConfigCheck.require(progressSeconds >= 0, "scoring.progress-seconds", progressSeconds,
                "use 0 (no progress reports) or more seconds");
    }
}
