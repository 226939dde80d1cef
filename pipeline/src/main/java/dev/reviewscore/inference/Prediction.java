package dev.reviewscore.inference;

/**
 * The model's verdict on one review.
 *
 * @param probabilities the probability of every label, in the model's label order (softmax of the logits, or
 *     sigmoid for multi-label models)
 * @param predictedIndex the index of the most probable label
 * @param tokens the review's tokens, special tokens excluded, before any truncation
 * @param windows the sequences scored for the review (more than 1 only with long-text = windows)
 * @param truncated whether some of the review's tokens were not read by the model
 */
public record Prediction(double[] probabilities, int predictedIndex, int tokens, int windows, boolean truncated) {}
