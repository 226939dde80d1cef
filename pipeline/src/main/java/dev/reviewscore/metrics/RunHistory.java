package dev.reviewscore.metrics;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Whole-table metrics of past runs of one model, oldest first, as the metrics table holds them: what a report's
 * "over time" chart shows.
 *
 * @param runs the runs
 */
public record RunHistory(List<Run> runs) {
    /** The metrics a history keeps. */
    public static final List<String> METRICS = List.of("accuracy", "auc", "macro_f1", "log_loss", "positive_rate",
            "drift_psi", "rejected_rows", "input_rows");

    /** Copies the runs. */
    public RunHistory {
        runs = List.copyOf(runs);
    }

    /**
     * One past run.
     *
     * @param runId the run
     * @param at when it ran (its latest metric row)
     * @param modelVersion the model version it used
     * @param values metric name to value, for the {@link #METRICS} the run recorded
     */
    public record Run(String runId, Instant at, String modelVersion, Map<String, Double> values) {
        /** Copies the values. */
        public Run {
            values = Map.copyOf(values);
        }
    }
}
