package dev.reviewscore.config;

/** What a review deleted from the source does to its score ({@code scoring.source-deletes}). */
public enum SourceDeletes {
    /** The score is deleted from the scored table. */
    REMOVE,
    /** The score stays, with {@code source_deleted_at} set; evaluations leave it out. */
    MARK
}
