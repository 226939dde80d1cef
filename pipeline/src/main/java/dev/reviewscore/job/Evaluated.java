package dev.reviewscore.job;

import dev.reviewscore.metrics.Evaluation;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What a run's evaluation step did.
 *
 * @param evaluation the metrics, intervals and reviews to read
 * @param from {@code aggregates} when the aggregates were brought up to date, {@code rows} when they were rebuilt
 * @param at when the evaluation ran
 * @param took how long it took, writing the reports included
 * @param reports the report files it wrote
 */
public record Evaluated(Evaluation evaluation, String from, Instant at, Duration took, List<String> reports) {
    /** Copies the list. */
    public Evaluated {
        reports = List.copyOf(reports);
    }
}
