package dev.reviewscore.metrics;

import java.util.Map;

/**
 * A review worth reading: one of the most confidently wrong of its true class, or one of those nearest the decision
 * threshold.
 *
 * @param kind {@link #CONFIDENTLY_WRONG} or {@link #NEAR_THRESHOLD}
 * @param reviewId the review's id
 * @param text the start of its text ({@link #TEXT_CHARACTERS} characters at most), or null when the table has none
 * @param label its true label, or null when unlabeled
 * @param predicted its predicted label
 * @param confidence the probability of the predicted label
 * @param score the probability of the positive label, or null without one
 * @param slices its value of each configured slice, by slice name
 */
public record ErrorExample(String kind, String reviewId, String text, String label, String predicted,
                           double confidence, Double score, Map<String, String> slices) {
    /** The kind of a review whose predicted label is wrong, with a high probability. */
    public static final String CONFIDENTLY_WRONG = "confidently_wrong";
    /** The kind of a review whose positive-label probability is nearest 0.5. */
    public static final String NEAR_THRESHOLD = "near_threshold";
    /** The most characters of a text an example keeps. */
    public static final int TEXT_CHARACTERS = 300;

    /** Copies the slices. */
    public ErrorExample {
        slices = Map.copyOf(slices);
    }
}
