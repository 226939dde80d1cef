package dev.reviewscore.config;

import java.io.Serializable;
import java.util.Map;

/**
 * A validated, immutable job configuration. Built by {@link JobConfigLoader} from a configuration file and
 * command-line overrides.
 *
 * @param source the review table to score
 * @param model the model and how it runs
 * @param output where results go
 * @param fullRescore whether every review is scored again, not only new or changed ones ({@code scoring.full})
 * @param evaluatedVersion the model version to evaluate, or null for the configured model's
 *     ({@code evaluation.model-version})
 * @param spark Spark settings applied when the session is created ({@code spark.*})
 */
public record JobConfig(SourceConfig source, ModelConfig model, OutputConfig output, boolean fullRescore,
                        String evaluatedVersion, Map<String, String> spark) implements Serializable {

    /** Copies the Spark settings. */
    public JobConfig {
        spark = Map.copyOf(spark);
    }
}
