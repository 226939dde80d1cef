package dev.reviewscore.config;

import java.io.Serializable;

/**
 * How a scoring run chooses its reviews and reports on itself.
 *
 * @param full whether every review is scored again, not only new or changed ones ({@code scoring.full})
 * @param progressSeconds seconds between progress reports while scoring; 0 turns them off
 *     ({@code scoring.progress-seconds})
 * @param partitionsPerCore a source read in fewer partitions than this many per executor core is spread over that
 *     many before scoring ({@code scoring.partitions-per-core})
 * @param readChanges whether a Delta source with its change data feed on is read only for the rows changed since
 *     the last run of the model version ({@code scoring.read-changes})
 * @param sourceDeletes what a review deleted from the source does to its score ({@code scoring.source-deletes})
 */
public record ScoringConfig(boolean full, int progressSeconds, int partitionsPerCore, boolean readChanges,
                            SourceDeletes sourceDeletes) implements Serializable {

    /** Checks the interval and the partition count. */
    public ScoringConfig {
        ConfigCheck.require(progressSeconds >= 0, "scoring.progress-seconds", progressSeconds,
                "use 0 (no progress reports) or more seconds");
        ConfigCheck.require(partitionsPerCore >= 1 && partitionsPerCore <= 64, "scoring.partitions-per-core",
                partitionsPerCore, "use a whole number from 1 to 64");
    }
}
