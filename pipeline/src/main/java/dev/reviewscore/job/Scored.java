package dev.reviewscore.job;

import dev.reviewscore.monitoring.RunMonitoring;
import dev.reviewscore.scoring.ScoringResult;

/**
 * What a run's scoring step did.
 *
 * @param result the counts and timings
 * @param monitoring the label-free monitoring of the reviews it scored
 */
public record Scored(ScoringResult result, RunMonitoring monitoring) {}
