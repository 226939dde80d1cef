package dev.reviewscore.config;

/** How values of the source's label column map to the model's labels. */
public enum LabelKind {
    /** Boolean columns as {@link #BOOLEAN}, numeric columns as {@link #BINARY}, strings as {@link #NAMES}. */
    AUTO,
    /** 1 is positive, 0 negative. */
    BINARY,
    /** true is positive, false negative. */
    BOOLEAN,
    /** Names: the configured positive / negative names, or any of the model's label names (case-insensitive). */
    NAMES,
    /** Star ratings: at least the positive minimum is positive, at most the negative maximum negative. */
    STARS
}
