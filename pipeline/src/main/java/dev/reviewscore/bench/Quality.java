package dev.reviewscore.bench;

import dev.reviewscore.inference.Prediction;
import dev.reviewscore.metrics.RocAuc;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Accuracy and ROC AUC of a benchmark's predictions, computed in memory (benchmarks score thousands of reviews, not
 * tables).
 *
 * @param accuracy share of reviews whose predicted label is the true one
 * @param auc ROC AUC of the positive label's probability
 */
public record Quality(double accuracy, double auc) {

    /**
     * @param predictions one per review
     * @param labels true labels, 1 for positive
     * @param positive the index of the positive label in the predictions
     */
    public static Quality of(List<Prediction> predictions, int[] labels, int positive) {
        int correct = 0;
        Integer[] order = new Integer[labels.length];
        for (int i = 0; i < labels.length; i++) {
            boolean predictedPositive = predictions.get(i).predictedIndex() == positive;
            correct += predictedPositive == (labels[i] == 1) ? 1 : 0;
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> predictions.get(i).probabilities()[positive]));
        RocAuc.Accumulator accumulator = new RocAuc.Accumulator();
        for (int start = 0; start < order.length; ) {
            double score = predictions.get(order[start]).probabilities()[positive];
            long positives = 0;
            long negatives = 0;
            int end = start;
            while (end < order.length && predictions.get(order[end]).probabilities()[positive] == score) {
                positives += labels[order[end]];
                negatives += 1 - labels[order[end]];
                end++;
            }
            accumulator.add(positives, negatives);
            start = end;
        }
        RocAuc.Estimate auc = RocAuc.combine(List.of(accumulator.result()));
        return new Quality((double) correct / labels.length,
                auc == null ? Double.NaN : auc.auc());
    }
}
