package dev.reviewscore.gates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.reviewscore.config.GateBasis;
import dev.reviewscore.config.QualityGates;
import dev.reviewscore.metrics.Comparison;
import dev.reviewscore.metrics.ConfusionMatrix;
import dev.reviewscore.metrics.PairedTests;
import dev.reviewscore.metrics.Evaluation;
import dev.reviewscore.metrics.SliceEvaluation;
import dev.reviewscore.metrics.SliceIntervals;
import dev.reviewscore.monitoring.RunMonitoring;
import dev.reviewscore.scoring.ScoringResult;
import dev.reviewscore.source.SourceRange;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GateCheckTest {
    private static final SliceEvaluation CARD = new SliceEvaluation("all", "all", 200, 200,
            new ConfusionMatrix(List.of("NEGATIVE", "POSITIVE"), new long[][] {{88, 5}, {5, 102}}), 0.2338, 0.9885,
            null, SliceIntervals.NONE);
    private static final ScoringResult SCORING = new ScoringResult("r", "m", "v", 100, 90, 10, 0, 90, 0, 0,
            Map.of("empty_text", 10L), Map.of(), new SourceRange(SourceRange.ALL, null, null, null, "not Delta"));

    private static Evaluation evaluation(SliceEvaluation... slices) {
        return new Evaluation("m", "v", List.of("NEGATIVE", "POSITIVE"), "POSITIVE", List.of(slices), null);
    }

    private static RunMonitoring drift(Double psi) {
        return new RunMonitoring(90, 0.5, 0.5, new long[10], psi, psi == null ? null : "r0",
                psi == null ? "no earlier scoring run of this model version to compare with" : null);
    }

    @Test
    void aRunWithinEveryGatePasses() {
        QualityGates gates = QualityGates.of(0.9, 0.95, 0.9, 0.5, 0.25, 0.2);
        assertEquals(List.of(), GateCheck.check(gates, evaluation(CARD), SCORING, drift(0.01)));
    }

    @Test
    void eachBrokenGateGetsOneLineWithThresholdAndValue() {
        QualityGates gates = QualityGates.of(0.96, 0.99, null, 0.2, 0.1, 0.05);
        List<String> messages = GateCheck.check(gates, evaluation(CARD), SCORING, drift(0.3)).stream()
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
                "only one class among the labeled reviews: AUC is undefined", SliceIntervals.NONE);
        QualityGates gates = QualityGates.of(null, 0.9, null, null, 0.1, null);
        assertEquals(List.of("Quality gate failed: gates.min-auc = 0.9, but auc = undefined (only one class among the "
                        + "labeled reviews: AUC is undefined)"),
                GateCheck.check(gates, evaluation(oneClass), SCORING, drift(null)).stream().map(GateViolation::message).toList());
    }

    private static SliceEvaluation withWilson(String name, String value, long[][] counts) {
        ConfusionMatrix matrix = new ConfusionMatrix(List.of("NEGATIVE", "POSITIVE"), counts);
        return new SliceEvaluation(name, value, matrix.total(), matrix.total(), matrix, 0.3, null, "not computed",
                SliceIntervals.compute(matrix, null, null, 0.95));
    }

    private static QualityGates accuracyGate(double threshold, GateBasis on, boolean slices) {
        return new QualityGates(threshold, null, null, null, null, null, on, slices, 100, false);
    }

    @Test
    void aGateOnTheLowerBoundNeedsTheWholeIntervalAboveTheThreshold() {
        // 190 of 200 right: accuracy 0.95, Wilson 95% interval [0.9104, 0.9726]
        Evaluation card = evaluation(withWilson("all", "all", new long[][] {{88, 5}, {5, 102}}));
        assertEquals(List.of(), GateCheck.check(accuracyGate(0.92, GateBasis.POINT, false), card, null, null));
        List<GateViolation> bound = GateCheck.check(accuracyGate(0.92, GateBasis.LOWER_BOUND, false), card, null,
                null);
        assertEquals(List.of("Quality gate failed: gates.min-accuracy = 0.92, but accuracy (lower bound of its "
                + "interval) = 0.9104"), bound.stream().map(GateViolation::message).toList());
        assertEquals(List.of(), GateCheck.check(accuracyGate(0.92, GateBasis.INTERVAL, false), card, null, null));
        assertEquals(1, GateCheck.check(accuracyGate(0.98, GateBasis.INTERVAL, false), card, null, null).size(),
                "0.98 is above the whole interval");
    }

    @Test
    void aSliceFailsOnlyWhenItsWholeIntervalMissesTheThreshold() {
        Evaluation evaluation = evaluation(withWilson("all", "all", new long[][] {{88, 5}, {5, 102}}),
                // 12 of 12 right: [0.7575, 1], no evidence it is below 0.9
                withWilson("movie", "small", new long[][] {{6, 0}, {0, 6}}),
                // 70 of 100 right: [0.6042, 0.7811], clearly below 0.9
                withWilson("movie", "weak", new long[][] {{35, 15}, {15, 35}}));
        List<GateDecision> decisions = GateCheck.decide(accuracyGate(0.9, GateBasis.POINT, true), evaluation, null,
                null);
        assertEquals(List.of("all", "movie=small", "movie=weak"), decisions.stream().map(GateDecision::slice).toList());
        assertEquals(List.of(true, true, false), decisions.stream().map(GateDecision::passed).toList());
        assertEquals(List.of("gates.min-accuracy[movie=weak]"), GateCheck.check(accuracyGate(0.9, GateBasis.POINT,
                true), evaluation, null, null).stream().map(GateViolation::gate).toList());
        assertEquals(List.of(12L, 100L), decisions.stream().filter(d -> d.labeled() < 200)
                .map(GateDecision::labeled).toList(), "what a report flags as decided on few reviews");
    }

    @Test
    void aBoundWithoutAnIntervalBreaksTheGateAndSaysHowToGetOne() {
        Evaluation card = evaluation(withWilson("all", "all", new long[][] {{88, 5}, {5, 102}}));
        QualityGates gates = new QualityGates(null, null, 0.9, null, null, null, GateBasis.LOWER_BOUND, false, 100,
                false);
        assertEquals(List.of("Quality gate failed: gates.min-macro-f1 = 0.9, but macro_f1 (lower bound of its "
                        + "interval) = undefined (no confidence interval: set evaluation.bootstrap-replicates above 0)"),
                GateCheck.check(gates, card, null, null).stream().map(GateViolation::message).toList());
    }

    @Test
    void aChallengerSignificantlyWorseThanTheChampionBreaksItsGate() {
        QualityGates gates = new QualityGates(null, null, null, null, null, null, GateBasis.POINT, false, 100, true);
        SliceEvaluation card = withWilson("all", "all", new long[][] {{88, 5}, {5, 102}});
        // 40 reviews only the champion gets right, 12 only the challenger: McNemar p = 1.2e-4
        Comparison worse = new Comparison("v1", "v2", 200, 200, 190, 162, 40, 12, PairedTests.mcnemar(40, 12), null,
                52, List.of());
        List<GateViolation> broken = GateCheck.check(gates, evaluation(card).withComparison(worse), null, null);
        assertEquals(List.of("gates.challenger-not-worse"), broken.stream().map(GateViolation::gate).toList());
        assertTrue(broken.get(0).message().contains("accuracy difference against v1 (McNemar p = 0.0001"),
                broken.get(0).message());
        // 14 against 12 is noise: the gate passes although the challenger is a little worse
        Comparison close = new Comparison("v1", "v2", 200, 200, 190, 188, 14, 12, PairedTests.mcnemar(14, 12), null,
                26, List.of());
        assertEquals(List.of(), GateCheck.check(gates, evaluation(card).withComparison(close), null, null));
        assertEquals(List.of("Quality gate failed: gates.challenger-not-worse = 0.0, but accuracy difference = "
                        + "undefined (no champion to compare with: set evaluation.compare-with)"),
                GateCheck.check(gates, evaluation(card), null, null).stream().map(GateViolation::message).toList());
    }
}
