package dev.reviewscore.gates;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.reviewscore.config.QualityGates;
import dev.reviewscore.metrics.ConfusionMatrix;
import dev.reviewscore.metrics.SliceEvaluation;
import dev.reviewscore.monitoring.RunMonitoring;
import dev.reviewscore.scoring.ScoringJob;
import dev.reviewscore.scoring.ScoringResult;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GateCheckTest {
    private static final SliceEvaluation CARD = new SliceEvaluation("all", "all", 200, 200,
            new ConfusionMatrix(List.of("NEGATIVE", "POSITIVE"), new long[][] {{88, 5}, {5, 102}}), 0.2338, 0.9885,
            null);
    private static final ScoringResult SCORING = new ScoringResult("r", "m", "v", 100, 90, 10, 0, 90, 0,
            Map.of("empty_text", 10L), Map.of());

    private static RunMonitoring drift(Double psi) {
        return new RunMonitoring(90, 0.5, 0.5, new long[10], psi, psi == null ? null : "r0",
                psi == null ? "no earlier scoring run of this model version to compare with" : null);
    }

    @Test
    void aRunWithinEveryGatePasses() {
        QualityGates gates = new QualityGates(0.9, 0.95, 0.9, 0.5, 0.25, 0.2);
        assertEquals(List.of(), GateCheck.check(gates, CARD, SCORING, drift(0.01)));
    }

    @Test
    void eachBrokenGateGetsOneLineWithThresholdAndValue() {
        QualityGates gates = new QualityGates(0.96, 0.99, null, 0.2, 0.1, 0.05);
        List<String> messages = GateCheck.check(gates, CARD, SCORING, drift(0.3)).stream()
                .map(GateViolation::message).toList();
        assertEquals(List.of(
                "Quality gate failed: gates.min-accuracy = 0.96, but accuracy = 0.9500",
                "Quality gate failed: gates.min-auc = 0.99, but auc = 0.9885",
                "Quality gate failed: gates.max-log-loss = 0.2, but log_loss = 0.2338",
                "Quality gate failed: gates.max-reject-rate = 0.05, but reject_rate = 0.1000",
                "Quality gate failed: gates.max-drift = 0.1, but drift_psi = 0.3000"), messages);
    }

    @Test
    void anUndefinedMetricBreaksItsGateButAFirstRunHasNoDriftToCheck() {
        SliceEvaluation oneClass = new SliceEvaluation("all", "all", 5, 5,
                new ConfusionMatrix(List.of("NEGATIVE", "POSITIVE"), new long[][] {{0, 0}, {1, 4}}), 0.3, null,
                "only one class among the labeled reviews: AUC is undefined");
        QualityGates gates = new QualityGates(null, 0.9, null, null, 0.1, null);
        assertEquals(List.of("Quality gate failed: gates.min-auc = 0.9, but auc = undefined (only one class among the "
                        + "labeled reviews: AUC is undefined)"),
                GateCheck.check(gates, oneClass, SCORING, drift(null)).stream().map(GateViolation::message).toList());
    }
}
