package dev.reviewscore.gates;

import dev.reviewscore.config.QualityGates;
import dev.reviewscore.metrics.Metric;
import dev.reviewscore.metrics.SliceEvaluation;
import dev.reviewscore.monitoring.RunMonitoring;
import dev.reviewscore.scoring.ScoringResult;
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
                                            ScoringResult scoring, RunMonitoring monitoring) {
        List<GateViolation> violations = new ArrayList<>();
        if (evaluation != null) {
            String noLabels = evaluation.labeled() == 0 ? "no labeled reviews" : null;
            atLeast(violations, "gates.min-accuracy", gates.minAccuracy(), Metric.ACCURACY, evaluation, noLabels);
            atLeast(violations, "gates.min-auc", gates.minAuc(), Metric.AUC, evaluation, evaluation.aucNote());
            atLeast(violations, "gates.min-macro-f1", gates.minMacroF1(), Metric.MACRO_F1, evaluation, noLabels);
            atMost(violations, "gates.max-log-loss", gates.maxLogLoss(), Metric.LOG_LOSS.metricName(),
                    Metric.LOG_LOSS.read(evaluation), noLabels);
        }
        if (scoring != null) {
            atMost(violations, "gates.max-reject-rate", gates.maxRejectRate(), Metric.REJECT_RATE.metricName(),
                    scoring.rejectRate(), "no input rows");
        }
        if (monitoring != null && monitoring.drift() != null) {
            atMost(violations, "gates.max-drift", gates.maxDrift(), Metric.DRIFT_PSI.metricName(), monitoring.drift(),
                    null);
        }
        return violations;
    }

    private static void atLeast(List<GateViolation> violations, String gate, Double threshold, Metric metric,
                                SliceEvaluation evaluation, String why) {
        Double value = metric.read(evaluation);
        if (threshold != null && (value == null || value < threshold)) {
            violations.add(new GateViolation(gate, threshold, metric.metricName(), value, why));
        }
    }

    private static void atMost(List<GateViolation> violations, String gate, Double threshold, String measure,
                               Double value, String why) {
        if (threshold != null && (value == null || value > threshold)) {
            violations.add(new GateViolation(gate, threshold, measure, value, why));
        }
    }
}
