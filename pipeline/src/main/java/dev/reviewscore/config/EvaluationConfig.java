package dev.reviewscore.config;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the evaluation covers.
 *
 * @param modelVersion the model version to evaluate, or null for the configured model's
 *     ({@code evaluation.model-version})
 * @param slices slice name to Spark SQL expression over the scored table's columns, in order
 *     ({@code evaluation.slices}); each value of each expression is evaluated on its own
 * @param settings confidence level, bootstrap replicates, target precision and error examples
 * @param compareWith a champion model version to compare the evaluated version with, or null
 *     ({@code evaluation.compare-with})
 * @param full whether the metrics are computed from every scored row, and the aggregates table rebuilt from them,
 *     instead of merging the scored table's changes into the aggregates ({@code evaluation.full})
 */
public record EvaluationConfig(String modelVersion, Map<String, String> slices, EvaluatorSettings settings,
                               String compareWith, boolean full) implements Serializable {

    /** Copies the slices, keeping their order. */
    public EvaluationConfig {
        slices = new LinkedHashMap<>(slices);
        for (Map.Entry<String, String> slice : slices.entrySet()) {
            ConfigCheck.require(slice.getKey().matches("[A-Za-z0-9_]+"), "evaluation.slices." + slice.getKey(),
                    slice.getValue(), "name slices with letters, digits and underscores");
            ConfigCheck.require(!slice.getKey().equals("all"), "evaluation.slices.all", slice.getValue(),
                    "'all' names the whole table; choose another name");
        }
    }

    /** The slices, in configuration order (unmodifiable view). */
    @Override
    public Map<String, String> slices() {
        return java.util.Collections.unmodifiableMap(slices);
    }
}
