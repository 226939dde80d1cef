package dev.reviewscore.scoring;

import java.util.Locale;

/** The steps of a scoring run, in the order it takes them; each is timed ({@code <key>_seconds} in the runs table). */
public enum ScoringStage {
    /** Reading the source and checking every row, and comparing it with the scores the table holds. */
    READ("reading and checking the source"),
    /** Running the model on the rows to score. */
    SCORE(ScoringJob.SCORING_STEP),
    /** Merging the scores into the scored table. */
    MERGE("merging scores"),
    /** Recording the rows that could not be scored. */
    REJECTS("recording rejected rows"),
    /** Removing or marking the scores of reviews the source no longer holds, or can no longer be scored. */
    DELETES("removing the scores of reviews the source no longer holds"),
    /** Adding what the run changed to the evaluation's aggregates. */
    AGGREGATES("adding the run's changes to the aggregates");

    private final String description;

    ScoringStage(String description) {
        this.description = description;
    }

    /** The stage's name in the metrics table and reports: {@code read}, {@code score}, ... */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The runs table's column of the stage's seconds. */
    public String secondsColumn() {
        return key() + "_seconds";
    }

    /** What the stage does, for the Spark jobs it runs. */
    String description() {
        return description;
    }
}
