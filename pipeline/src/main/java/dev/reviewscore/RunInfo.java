package dev.reviewscore;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

/**
 * Identifies one run of the job; every row a run writes carries its id.
 *
 * @param runId sortable and unique: UTC start time, then 8 random hex digits ({@code 20261126T062500Z-1a2b3c4d})
 * @param startedAt when the run started
 */
public record RunInfo(String runId, Instant startedAt) {
    private static final DateTimeFormatter ID_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    /** A new run starting now. */
    public static RunInfo start() {
        Instant now = Instant.now();
        return new RunInfo(ID_TIME.format(now) + "-" + UUID.randomUUID().toString().substring(0, 8), now);
    }

    private static final String TAG_PREFIX = "reviewscore run ";

    /** What the run's Delta commits carry as their user metadata, so that a table's history names the run. */
    public String commitTag() {
        return TAG_PREFIX + runId;
    }

    /** The id of the run whose commit carries this user metadata, or null when no run of the job made it. */
    public static String runIdOf(String commitTag) {
        return commitTag != null && commitTag.startsWith(TAG_PREFIX) ? commitTag.substring(TAG_PREFIX.length())
                : null;
    }
}
