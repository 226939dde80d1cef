package dev.reviewscore.config;

/** File formats a review source can be read from by path. */
public enum SourceFormat {
    CSV, JSON, PARQUET, DELTA;

    /** The name Spark's reader knows this format by. */
    public String sparkName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
