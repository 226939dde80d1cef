package dev.reviewscore.config;

import java.io.Serializable;

/**
 * What an evaluator computes beyond the point metrics: the settings {@code ReviewEvaluator.withSettings} takes, and
 * the part of the job's {@code evaluation.*} settings ({@link EvaluationConfig}) that every evaluation uses.
 *
 * @param confidenceLevel the level of every confidence interval, in (0, 1) ({@code evaluation.confidence-level})
 * @param bootstrapReplicates Poisson bootstrap replicates for the intervals of F1 and log loss; 0 for none
 *     ({@code evaluation.bootstrap-replicates})
 * @param targetPrecision the precision of the positive label the threshold analysis looks for, in (0, 1]
 *     ({@code evaluation.target-precision})
 * @param errorExamples reviews listed per class among the most confidently wrong, and near the threshold; 0 for none
 *     ({@code evaluation.error-examples})
 */
public record EvaluatorSettings(double confidenceLevel, int bootstrapReplicates, double targetPrecision,
                                int errorExamples) implements Serializable {

    /** 95% intervals, 200 bootstrap replicates, a target precision of 0.9 and 10 examples. */
    public static final EvaluatorSettings DEFAULT = new EvaluatorSettings(0.95, 200, 0.9, 10);

    /** Checks the ranges. */
    public EvaluatorSettings {
        ConfigCheck.require(confidenceLevel > 0 && confidenceLevel < 1, "evaluation.confidence-level",
                confidenceLevel, "use a level between 0 and 1, for example 0.95 for 95% intervals");
        ConfigCheck.require(bootstrapReplicates >= 0 && bootstrapReplicates <= 10_000,
                "evaluation.bootstrap-replicates", bootstrapReplicates,
                "use 0 (no bootstrap intervals) to 10000; 200 is enough for 95% intervals");
        ConfigCheck.require(targetPrecision > 0 && targetPrecision <= 1, "evaluation.target-precision",
                targetPrecision, "use a precision above 0 and at most 1");
        ConfigCheck.require(errorExamples >= 0 && errorExamples <= 1000, "evaluation.error-examples", errorExamples,
                "use 0 (none) to 1000");
    }
}
