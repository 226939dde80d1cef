package dev.reviewscore.scoring;

import dev.reviewscore.source.SourceRange;
import java.time.Duration;
import java.util.Map;

/**
 * What a scoring run did.
 *
 * @param runId the run
 * @param modelName the model's name
 * @param modelVersion the model's version
 * @param input rows read from the source
 * @param scored rows scored and merged into the scored table
 * @param rejected rows written to the rejects table
 * @param skipped rows left out because this model version already scored the same text
 * @param inserted rows the MERGE inserted (new reviews)
 * @param updated rows the MERGE updated (changed texts, or all rows of a full rescore)
 * @param deleted scores removed or marked ({@code scoring.source-deletes}) because the source no longer holds their
 *     reviews, or holds only rows of them that cannot be scored
 * @param rejectsByReason rejected rows per reason code
 * @param stages wall-clock time of each step, in order
 * @param range what the run read of the source
 */
public record ScoringResult(String runId, String modelName, String modelVersion, long input, long scored, long rejected,
                     long skipped, long inserted, long updated, long deleted, Map<String, Long> rejectsByReason,
                     Map<ScoringStage, Duration> stages, SourceRange range) {
    /** Copies the maps, keeping the order of the stages. */
    public ScoringResult {
        rejectsByReason = Map.copyOf(rejectsByReason);
        stages = stages.isEmpty() ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.EnumMap<>(stages));
    }

    /** The stages' times by their key ({@link ScoringStage#key()}), in order. */
    public Map<String, Duration> stagesByKey() {
        Map<String, Duration> byKey = new java.util.LinkedHashMap<>();
        stages.forEach((stage, time) -> byKey.put(stage.key(), time));
        return byKey;
    }

    /** Wall-clock time of the whole scoring run. */
    public Duration duration() {
        return stages.values().stream().reduce(Duration.ZERO, Duration::plus);
    }

    /** Rejected rows per row read, or null when the run read none. */
    public Double rejectRate() {
        return input == 0 ? null : rejected / (double) input;
    }

    /** Whether {@code input = scored + rejected + skipped}. */
    public boolean balanced() {
        return input == scored + rejected + skipped && scored == inserted + updated;
    }
}
