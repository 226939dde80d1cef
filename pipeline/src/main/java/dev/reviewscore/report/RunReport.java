package dev.reviewscore.report;

import dev.reviewscore.gates.GateDecision;
import dev.reviewscore.metrics.Evaluation;
import dev.reviewscore.sink.RunHistory;
import dev.reviewscore.monitoring.RunMonitoring;
import dev.reviewscore.scoring.ScoringResult;
import java.time.Instant;
import java.util.List;

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
 * @param gates the configured quality gates' decisions
 * @param minLabeledReviews gates decided on fewer labeled reviews are flagged
 */
public record RunReport(String runId, Instant evaluatedAt, String scoredTable, Evaluation evaluation,
                        ScoringResult scoring, RunMonitoring monitoring, RunHistory history,
                        List<GateDecision> gates, int minLabeledReviews) {

    /** Copies the gates. */
    public RunReport {
        gates = List.copyOf(gates);
    }

    /** The gates decided on fewer than {@link #minLabeledReviews} labeled reviews. */
    public List<GateDecision> gatesOnFewReviews() {
        return gates.stream().filter(gate -> gate.labeled() >= 0 && gate.labeled() < minLabeledReviews).toList();
    }
}
