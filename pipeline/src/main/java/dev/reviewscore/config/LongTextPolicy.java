package dev.reviewscore.config;

/** What the predictor does with a review longer than the model's maximum sequence length. */
public enum LongTextPolicy {
    /** Keep the first tokens. */
    HEAD,
    /** Keep the first quarter and the last three quarters of the token budget (opening and verdict). */
    HEAD_TAIL,
    /** Score overlapping windows over the whole review and average their logits, weighted by window length. */
    WINDOWS
}
