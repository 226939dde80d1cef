package dev.reviewscore.gates;

import dev.reviewscore.config.GateBasis;
import dev.reviewscore.config.QualityGates;
import dev.reviewscore.metrics.Comparison;
import dev.reviewscore.metrics.Evaluation;
import dev.reviewscore.metrics.Interval;
import dev.reviewscore.metrics.Metric;
import dev.reviewscore.metrics.SliceEvaluation;
import dev.reviewscore.monitoring.RunMonitoring;
import dev.reviewscore.scoring.ScoringResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Checks a run against its quality gates. Gates on evaluation metrics need an evaluation, the reject-rate and drift
 * gates a scoring run. The metric gates compare the value, the pessimistic bound of its confidence interval, or the
 * whole interval with their threshold ({@link GateBasis}). A whole-table gate whose value (or bound) is undefined (no
 * labeled reviews, one class only, no interval) counts as broken, so that a scheduler hears of it rather than
 * trusting a missing number. With {@code gates.slices}, the metric gates also apply to every slice value with labeled
 * reviews, each decided by its whole interval: a slice fails only when its interval lies on the wrong side (a slice
 * whose metric or interval is undefined passes, and its decision says why). The drift
 * gate applies only when the run scored reviews and an earlier run of the same model version exists to compare with.
 */
public final class GateCheck {
    private GateCheck() {}

    /**
     * The broken gates.
     *
     * @param gates the thresholds
     * @param evaluation the evaluation, or null when the run did not evaluate
     * @param scoring the scoring counts, or null when the run did not score
     * @param monitoring the run's score monitoring, or null when the run did not score
     * @return the broken gates, empty when the run passes
     */
    public static List<GateViolation> check(QualityGates gates, Evaluation evaluation, ScoringResult scoring,
                                            RunMonitoring monitoring) {
        return decide(gates, evaluation, scoring, monitoring).stream().filter(decision -> !decision.passed())
                .map(GateDecision::violation).toList();
    }

    /**
     * Every configured gate's decision, whole table first, then each slice's.
     *
     * @see #check
     */
    public static List<GateDecision> decide(QualityGates gates, Evaluation evaluation, ScoringResult scoring,
                                            RunMonitoring monitoring) {
        List<GateDecision> decisions = new ArrayList<>();
        if (evaluation != null) {
            metricGates(decisions, gates, evaluation.overall(), gates.on());
            if (gates.slices()) {
                for (SliceEvaluation slice : evaluation.slices().subList(1, evaluation.slices().size())) {
                    if (slice.labeled() > 0) {
                        metricGates(decisions, gates, slice, GateBasis.INTERVAL);
                    }
                }
            }
            if (gates.challengerNotWorse()) {
                challengerGates(decisions, evaluation);
            }
        }
        if (scoring != null && gates.maxRejectRate() != null) {
            Double rate = scoring.rejectRate();
            decisions.add(new GateDecision("gates.max-reject-rate", SliceEvaluation.ALL, GateBasis.POINT,
                    gates.maxRejectRate(), Metric.REJECT_RATE.metricName(), rate, null, rate, -1,
                    rate != null && rate <= gates.maxRejectRate(), rate == null ? "no input rows" : null));
        }
        if (monitoring != null && monitoring.drift() != null && gates.maxDrift() != null) {
            decisions.add(new GateDecision("gates.max-drift", SliceEvaluation.ALL, GateBasis.POINT, gates.maxDrift(),
                    Metric.DRIFT_PSI.metricName(), monitoring.drift(), null, monitoring.drift(), -1,
                    monitoring.drift() <= gates.maxDrift(), null));
        }
        return decisions;
    }

    /**
     * The challenger against the champion: one decision for accuracy (McNemar) and one for AUC (paired DeLong), each
     * broken when the challenger is worse with a p-value below one minus the confidence level.
     */
    private static void challengerGates(List<GateDecision> decisions, Evaluation evaluation) {
        String gate = "gates.challenger-not-worse";
        Comparison comparison = evaluation.comparison();
        double alpha = 1 - evaluation.overall().intervals().level();
        if (comparison == null) {
            decisions.add(new GateDecision(gate, SliceEvaluation.ALL, GateBasis.POINT, 0, "accuracy difference", null,
                    null, null, -1, false, "no champion to compare with: set evaluation.compare-with"));
            return;
        }
        double accuracyDifference = comparison.challengerAccuracy() - comparison.championAccuracy();
        decisions.add(new GateDecision(gate, SliceEvaluation.ALL, GateBasis.POINT, 0,
                String.format(Locale.ROOT, "accuracy difference against %s (McNemar p = %.4g)",
                        comparison.championVersion(), comparison.accuracyPValue()),
                Double.isNaN(accuracyDifference) ? null : accuracyDifference, null,
                Double.isNaN(accuracyDifference) ? null : accuracyDifference, comparison.labeled(),
                comparison.labeled() > 0 && !comparison.accuracyWorse(alpha),
                comparison.labeled() == 0 ? "no labeled reviews both versions scored" : null));
        if (comparison.auc() != null) {
            double aucDifference = comparison.auc().difference();
            decisions.add(new GateDecision(gate, SliceEvaluation.ALL, GateBasis.POINT, 0,
                    String.format(Locale.ROOT, "AUC difference against %s (paired DeLong p = %.4g)",
                            comparison.championVersion(), comparison.auc().pValue()),
                    aucDifference, null, aucDifference, comparison.labeled(), !comparison.aucWorse(alpha), null));
        }
    }

    private static void metricGates(List<GateDecision> decisions, QualityGates gates, SliceEvaluation slice,
                                    GateBasis basis) {
        metricGate(decisions, "gates.min-accuracy", gates.minAccuracy(), Metric.ACCURACY, slice, basis);
        metricGate(decisions, "gates.min-auc", gates.minAuc(), Metric.AUC, slice, basis);
        metricGate(decisions, "gates.min-macro-f1", gates.minMacroF1(), Metric.MACRO_F1, slice, basis);
        metricGate(decisions, "gates.max-log-loss", gates.maxLogLoss(), Metric.LOG_LOSS, slice, basis);
    }

    private static void metricGate(List<GateDecision> decisions, String gate, Double threshold, Metric metric,
                                   SliceEvaluation slice, GateBasis basis) {
        if (threshold == null) {
            return;
        }
        boolean minimum = metric.largerIsBetter();
        Double value = metric.read(slice);
        Interval interval = slice.intervals().of(metric);
        String why = null;
        if (value == null) {
            why = slice.labeled() == 0 ? "no labeled reviews" : metric == Metric.AUC ? slice.aucNote() : "undefined";
        } else if (basis != GateBasis.POINT && interval == null) {
            why = "no confidence interval" + (metric == Metric.MACRO_F1 || metric == Metric.LOG_LOSS
                    ? ": set evaluation.bootstrap-replicates above 0" : " (too few reviews of a class)");
        }
        Double compared = why != null ? null : switch (basis) {
            case POINT -> value;
            case LOWER_BOUND -> minimum ? interval.lower() : interval.upper();
            case INTERVAL -> minimum ? interval.upper() : interval.lower();
        };
        boolean wholeTable = slice.sliceName().equals(SliceEvaluation.ALL);
        // a slice without an interval (one class only, say) has no evidence against it: it passes, with the reason
        boolean passed = compared == null ? !wholeTable : minimum ? compared >= threshold : compared <= threshold;
        String sliceName = wholeTable ? SliceEvaluation.ALL : slice.sliceName() + "=" + slice.sliceValue();
        decisions.add(new GateDecision(gate, sliceName, basis, threshold, metric.metricName(), value, interval,
                compared, slice.labeled(), passed, why));
    }
}
