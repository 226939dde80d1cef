package dev.reviewscore.job;

import java.util.Locale;

/** What a run does: score new and changed reviews, evaluate the scored table, or both with one run id. */
public enum Action {
    /** Score reviews not yet scored by this model version. */
    SCORE,
    /** Evaluate the scored table. */
    EVALUATE,
    /** Score, then evaluate. */
    RUN;

    /** The name the command line, the runs table and the metrics table use: {@code score}, {@code evaluate}, {@code run}. */
    public String command() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the action reads the source table (and so needs {@code source.path} or {@code source.table}). */
    public boolean readsSource() {
        return this != EVALUATE;
    }
}
