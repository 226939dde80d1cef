package dev.reviewscore.job;

import dev.reviewscore.RunInfo;
import dev.reviewscore.config.JobConfig;
import dev.reviewscore.gates.GateCheck;
import dev.reviewscore.gates.GateViolation;
import dev.reviewscore.inference.DjlEnvironment;
import dev.reviewscore.inference.ExecutorModels;
import dev.reviewscore.inference.ModelBundle;
import dev.reviewscore.inference.ModelLocation;
import dev.reviewscore.scoring.ReviewSentiment;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * One run of the job, from a validated configuration to its recorded outcome, in steps that each take and return
 * immutable values: probe the model, get the Spark session, score ({@link Scored}), evaluate ({@link Evaluated}),
 * check the quality gates, record how the run ended. A session that already existed (a notebook's or a platform's) is
 * used as it is and left running; one made here is stopped, with the executor's models.
 */
public final class JobRun {
    private JobRun() {}

    /** What a run reports as it goes, step by step; the command line prints it. */
    public interface Listener {
        /** A listener that reports nothing. */
        Listener NONE = new Listener() {};

        /** The run is about to score. */
        default void scoring(RunContext context) {}

        /** The run scored. */
        default void scored(RunContext context, Scored scored) {}

        /** The run evaluated. */
        default void evaluated(RunContext context, Evaluated evaluated) {}
    }

    /**
     * @param action what to do
     * @param config the validated configuration
     * @param listener what hears of each step
     * @return the run's id, its steps' results and the quality gates it broke
     * @throws dev.reviewscore.InvalidInputException for configuration, model and input errors
     */
    public static RunOutcome execute(Action action, JobConfig config, Listener listener) {
        DjlEnvironment.ensureOffline();
        ModelBundle bundle = openAndProbe(config);
        boolean shared = Sessions.existing().isDefined();
        SparkSession spark = Sessions.create(config.spark());
        try {
            RunContext context = new RunContext(spark, config, bundle, RunInfo.start());
            Scored scored = null;
            Evaluated evaluated = null;
            try {
                if (action.readsSource()) {
                    listener.scoring(context);
                    scored = ScoreStep.run(context);
                    listener.scored(context, scored);
                }
                if (action != Action.SCORE) {
                    evaluated = EvaluateStep.run(context, scored);
                    listener.evaluated(context, evaluated);
                }
            } catch (RuntimeException e) {
                RunRecord.failed(context, action.command(), scored, evaluated, e);
                throw e;
            }
            List<GateViolation> violations = GateCheck.check(config.gates(),
                    evaluated == null ? null : evaluated.evaluation(), scored == null ? null : scored.result(),
                    scored == null ? null : scored.monitoring());
            RunRecord.finished(context, action.command(), scored, evaluated, violations);
            return new RunOutcome(context.run().runId(), scored, evaluated, violations);
        } finally {
            if (!shared) {
                spark.stop();
                ExecutorModels.closeAll();
            }
        }
    }

    /**
     * Opens the configured model folder, loads it once in this JVM and makes one predictor with the configured
     * settings, so that a model breaking the contract or settings that do not fit the model fail before any Spark
     * work (and a local-mode run reuses the loaded copy).
     */
    public static ModelBundle openAndProbe(JobConfig config) {
        ModelBundle bundle = ReviewSentiment.openAndProbe(config.model(),
                ModelLocation.hadoopConfiguration(config.spark()));
        bundle.positiveIndex(config.model().positiveLabel());
        return bundle;
    }
}
