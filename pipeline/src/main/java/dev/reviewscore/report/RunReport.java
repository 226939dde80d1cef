package dev.reviewscore.report;

import dev.reviewscore.metrics.Evaluation;
import dev.reviewscore.metrics.RunHistory;
import dev.reviewscore.monitoring.RunMonitoring;
import dev.reviewscore.scoring.ScoringResult;
import java.time.Instant;

/**
 * Everything a report shows about one evaluation run.
 *
 * @param runId the run
 * @param evaluatedAt when the evaluation ran
 * @param scoredTable the scored table evaluated (as configured)
 * @param evaluation the metrics
 * @param scoring the scoring counts when the same run scored, else null
 * @param monitoring the label-free monitoring of the reviews the run scored, else null
 * @param history past runs of the model, this one included, oldest first
 */
public record RunReport(String runId, Instant evaluatedAt, String scoredTable, Evaluation evaluation,
                        ScoringResult scoring, RunMonitoring monitoring, RunHistory history) {}
