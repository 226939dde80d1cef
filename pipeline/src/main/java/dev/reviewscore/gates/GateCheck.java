package dev.reviewscore.gates;

import dev.reviewscore.config.QualityGates;
import dev.reviewscore.metrics.ClassificationMetrics;
import dev.reviewscore.metrics.SliceEvaluation;
import dev.reviewscore.monitoring.RunMonitoring;
import dev.reviewscore.scoring.ScoringJob;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a run against its quality gates. Gates on evaluation metrics need an evaluation, the reject-rate and drift
 * gates a scoring run. An evaluation gate whose value is undefined (no labeled reviews, one class only) counts as
 * broken, so that a scheduler hears of it rather than trusting a missing number. The drift gate applies only when
 * the run scored reviews and an earlier run of the same model version exists to compare with.
 */
public final class GateCheck {
    private GateCheck() {}

    /**
     * @param gates the thresholds
     * @param evaluation the whole-table evaluation, or null when the run did not evaluate
     * @param scoring the scoring counts, or null when the run did not score
     * @param monitoring the run's score monitoring, or null when the run did not score
     * @return the broken gates, empty when the run passes
     */
    public static List<GateViolation> check(QualityGates gates, SliceEvaluation evaluation,
                                            ScoringJob.Result scoring, RunMonitoring monitoring) {
        List<GateViolation> violations = new ArrayList<>();
        if (evaluation != null) {
            String noLabels = evaluation.labeled() == 0 ? "no labeled reviews" : null;
            atLeast(violations, "gates.min-accuracy", gates.minAccuracy(), "accuracy", evaluation.accuracy(),
                    noLabels);
            atLeast(violations, "gates.min-auc", gates.minAuc(), "auc", evaluation.auc(), evaluation.aucNote());
            atLeast(violations, "gates.min-macro-f1", gates.minMacroF1(), "macro_f1",
                    evaluation.labeled() == 0 ? null : ClassificationMetrics.macroF1(evaluation.confusion()), noLabels);
            atMost(violations, "gates.max-log-loss", gates.maxLogLoss(), "log_loss", evaluation.logLoss(), noLabels);
        }
        if (scoring != null) {
            atMost(violations, "gates.max-reject-rate", gates.maxRejectRate(), "reject_rate",
                    scoring.input() == 0 ? null : (double) scoring.rejected() / scoring.input(), "no input rows");
        }
        if (monitoring != null && monitoring.drift() != null) {
            atMost(violations, "gates.max-drift", gates.maxDrift(), "drift_psi", monitoring.drift(), null);
        }
        return violations;
    }

    private static void atLeast(List<GateViolation> violations, String gate, Double threshold, String measure,
                                Double value, String why) {
        if (threshold != null && (value == null || value < threshold)) {
            violations.add(new GateViolation(gate, threshold, measure, value, why));
        }
    }

    private static void atMost(List<GateViolation> violations, String gate, Double threshold, String measure,
                               Double value, String why) {
        if (threshold != null && (value == null || value > threshold)) {
            violations.add(new GateViolation(gate, threshold, measure, value, why));
        }
    }
}
