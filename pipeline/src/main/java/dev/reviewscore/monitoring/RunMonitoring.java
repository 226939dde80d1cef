package dev.reviewscore.monitoring;

import java.util.Locale;

/**
 * Label-free monitoring of the reviews one run scored (with those of earlier runs that ended before monitoring
 * theirs): how many, how many predicted positive, and how their scores
 * (positive-label probabilities) are spread, compared with the previous scoring run of the same model version.
 *
 * @param reviews reviews scored since the last monitored run
 * @param positiveRate share predicted positive, or null when none were scored or the model has no positive label
 * @param meanScore mean positive-label probability, or null likewise
 * @param histogram counts of scores per bin ({@link #BINS} equal-width bins over [0, 1])
 * @param drift population stability index against {@code previousRun}, or null (see {@code note})
 * @param previousRun the run compared with, or null
 * @param note why drift (or everything) is null, else null
 */
public record RunMonitoring(long reviews, Double positiveRate, Double meanScore, long[] histogram, Double drift,
                            String previousRun, String note) {
    /** Histogram bins over [0, 1]. */
    public static final int BINS = 10;

    /** The label of bin {@code i}: {@code 0.0-0.1}, ..., {@code 0.9-1.0}. */
    public static String binLabel(int i) {
        return String.format(Locale.ROOT, "%.1f-%.1f", i / (double) BINS, (i + 1) / (double) BINS);
    }
}
