package dev.reviewscore.config;

import java.io.Serializable;

/**
 * Thresholds a run must meet; null turns a gate off. A run that breaks one still writes all its results, then exits
 * with its own exit code so that a scheduler alerts.
 *
 * @param minAccuracy lowest acceptable accuracy ({@code gates.min-accuracy})
 * @param minAuc lowest acceptable ROC AUC ({@code gates.min-auc})
 * @param minMacroF1 lowest acceptable macro F1 ({@code gates.min-macro-f1})
 * @param maxLogLoss highest acceptable log loss ({@code gates.max-log-loss})
 * @param maxDrift highest acceptable population stability index of this run's scores against the previous run's
 *     ({@code gates.max-drift}; 0.1 is a common warning level, 0.25 a common alarm)
 * @param maxRejectRate highest acceptable share of this run's input rows rejected ({@code gates.max-reject-rate})
 * @param on what the accuracy, AUC, macro-F1 and log-loss gates compare with their threshold ({@code gates.on})
 * @param slices whether those gates also apply to every slice value, each decided by its whole interval
 *     ({@code gates.slices})
 * @param minLabeledReviews gates decided on fewer labeled reviews are flagged in the report
 *     ({@code gates.min-labeled-reviews})
 * @param challengerNotWorse the evaluated version must not be significantly worse than the champion
 *     ({@code evaluation.compare-with}) in accuracy (McNemar) or AUC (paired DeLong), at a significance of one minus
 *     the confidence level ({@code gates.challenger-not-worse})
 */
public record QualityGates(Double minAccuracy, Double minAuc, Double minMacroF1, Double maxLogLoss, Double maxDrift,
                           Double maxRejectRate, GateBasis on, boolean slices, int minLabeledReviews,
                           boolean challengerNotWorse) implements Serializable {

    /** Checks that thresholds are in range. */
    public QualityGates {
        unitInterval("gates.min-accuracy", minAccuracy);
        unitInterval("gates.min-auc", minAuc);
        unitInterval("gates.min-macro-f1", minMacroF1);
        unitInterval("gates.max-reject-rate", maxRejectRate);
        ConfigCheck.require(maxLogLoss == null || maxLogLoss > 0, "gates.max-log-loss", maxLogLoss,
                "use a positive number, or null to turn the gate off");
        ConfigCheck.require(maxDrift == null || maxDrift > 0, "gates.max-drift", maxDrift,
                "use a positive number (0.25 is a common alarm level), or null to turn the gate off");
        ConfigCheck.require(on != null, "gates.on", null, "use point, lower-bound or interval");
        ConfigCheck.require(minLabeledReviews >= 0, "gates.min-labeled-reviews", minLabeledReviews,
                "use a whole number of at least 0");
    }

    /** These thresholds, decided on point values, without slices. */
    public static QualityGates of(Double minAccuracy, Double minAuc, Double minMacroF1, Double maxLogLoss,
                                  Double maxDrift, Double maxRejectRate) {
        return new QualityGates(minAccuracy, minAuc, minMacroF1, maxLogLoss, maxDrift, maxRejectRate,
                GateBasis.POINT, false, 100, false);
    }

    /** No gates. */
    public static QualityGates none() {
        return of(null, null, null, null, null, null);
    }

    /** How many gates are turned on. */
    public int configured() {
        return (int) java.util.stream.Stream.of(minAccuracy, minAuc, minMacroF1, maxLogLoss, maxDrift, maxRejectRate)
                .filter(java.util.Objects::nonNull).count() + (challengerNotWorse ? 1 : 0);
    }

    private static void unitInterval(String key, Double value) {
        ConfigCheck.require(value == null || (value >= 0 && value <= 1), key, value,
                "use a number from 0 to 1, or null to turn the gate off");
    }
}
