package dev.reviewscore.config;

import java.io.Serializable;
import java.util.Map;

/**
 * A validated, immutable job configuration. Built by {@link JobConfigLoader} from a configuration file and
 * command-line overrides.
 *
 * @param source the review table to score; null for a command that reads none (evaluate) when none is configured
 * @param model the model and how it runs
 * @param output where results go
 * @param scoring which reviews a run scores, and its progress reports
 * @param evaluation what the evaluation covers
 * @param gates thresholds a run must meet
 * @param spark Spark settings applied when the session is created ({@code spark.*})
 */
public record JobConfig(SourceConfig source, ModelConfig model, OutputConfig output, ScoringConfig scoring,
                        EvaluationConfig evaluation, QualityGates gates, Map<String, String> spark)
        implements Serializable {

    /** Copies the Spark settings. */
    public JobConfig {
        spark = Map.copyOf(spark);
    }
}
