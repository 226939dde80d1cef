package dev.reviewscore.metrics;

import java.util.List;

/**
 * The evaluation of one model version over the scored table.
 *
 * @param modelName the model's name
 * @param modelVersion the model version evaluated
 * @param labels the model's labels, in index order
 * @param positiveLabel the label AUC is computed for, or null when the model has none
 * @param slices the whole table first ({@link SliceEvaluation#ALL}), then each configured slice value
 * @param curves the whole table's labeled scores in bins, for curves and calibration; null without a positive label
 * @param thresholds the threshold analysis of a binary model, or null
 * @param examples the most confidently wrong reviews per true class, then those nearest the threshold
 * @param comparison this version (the challenger) against a champion version, or null
 * @param basis what the metrics were computed from when not from the rows themselves (the aggregates table, and how
 *     it was brought up to date), else null
 */
public record Evaluation(String modelName, String modelVersion, List<String> labels, String positiveLabel,
                         List<SliceEvaluation> slices, ScoreCurves curves, ThresholdAnalysis thresholds,
                         List<ErrorExample> examples, Comparison comparison, String basis) {

    /** Copies the lists. */
    public Evaluation {
        labels = List.copyOf(labels);
        slices = List.copyOf(slices);
        examples = List.copyOf(examples);
    }

    /** An evaluation without threshold analysis and examples. */
    public Evaluation(String modelName, String modelVersion, List<String> labels, String positiveLabel,
                      List<SliceEvaluation> slices, ScoreCurves curves) {
        this(modelName, modelVersion, labels, positiveLabel, slices, curves, null, List.of(), null, null);
    }

    /** This evaluation with a comparison against a champion version. */
    public Evaluation withComparison(Comparison against) {
        return new Evaluation(modelName, modelVersion, labels, positiveLabel, slices, curves, thresholds, examples,
                against, basis);
    }

    /** The evaluation of the whole table. */
    public SliceEvaluation overall() {
        return slices.get(0);
    }
}
