package dev.reviewscore.job;

import dev.reviewscore.RunInfo;
import dev.reviewscore.config.JobConfig;
import dev.reviewscore.inference.ModelBundle;
import org.apache.spark.sql.SparkSession;

/**
 * What every step of one run works with.
 *
 * @param spark the session
 * @param config the validated configuration
 * @param bundle the configured model, opened
 * @param run the run's id and start time
 */
public record RunContext(SparkSession spark, JobConfig config, ModelBundle bundle, RunInfo run) {
    /** The model version evaluations and gates are about: {@code evaluation.model-version}, else the model's. */
    public String evaluatedVersion() {
        return config.evaluation().modelVersion() != null ? config.evaluation().modelVersion() : bundle.version();
    }
}
