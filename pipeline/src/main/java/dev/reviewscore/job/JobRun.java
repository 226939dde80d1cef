package dev.reviewscore.job;

import dev.reviewscore.RunInfo;
import dev.reviewscore.config.JobConfig;
import dev.reviewscore.gates.GateCheck;
import dev.reviewscore.gates.GateViolation;
import dev.reviewscore.inference.DjlEnvironment;
import dev.reviewscore.inference.ExecutorModels;
import dev.reviewscore.inference.ModelBundle;
import java.io.PrintStream;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * One run of the job, from a validated configuration to its recorded outcome: probe the model, get the Spark session,
 * run the action, check and record the quality gates, stop. A session that already existed (a notebook's or a
 * platform's) is used as it is and left running; one made here is stopped, with the executor's models.
 */
public final class JobRun {
    private JobRun() {}

    /**
     * @param action what to do
     * @param config the validated configuration
     * @param out where the run's account goes
     * @return the run's id and the quality gates it broke
     * @throws dev.reviewscore.InvalidInputException for configuration, model and input errors
     */
    public static RunOutcome execute(Action action, JobConfig config, PrintStream out) {
        DjlEnvironment.ensureOffline();
        ModelBundle bundle = Pipeline.openAndProbe(config);
        boolean shared = Sessions.existing().isDefined();
        SparkSession spark = Sessions.create(config.spark());
        try {
            RunInfo run = RunInfo.start();
            Pipeline pipeline = new Pipeline(spark, config, bundle, run, out);
            List<GateViolation> violations;
            try {
                violations = switch (action) {
                    case SCORE -> {
                        Scored scored = pipeline.score();
                        yield GateCheck.check(config.gates(), null, scored.result(), scored.monitoring());
                    }
                    case EVALUATE -> GateCheck.check(config.gates(), pipeline.evaluate(null), null, null);
                    case RUN -> {
                        Scored scored = pipeline.score();
                        yield GateCheck.check(config.gates(), pipeline.evaluate(scored), scored.result(),
                                scored.monitoring());
                    }
                };
            } catch (RuntimeException e) {
                pipeline.recordFailure(action.command(), e);
                throw e;
            }
            pipeline.finish(action.command(), violations);
            return new RunOutcome(run.runId(), violations);
        } finally {
            if (!shared) {
                spark.stop();
                ExecutorModels.closeAll();
            }
            out.flush();
        }
    }
}
