package dev.reviewscore.metrics;

import java.util.Arrays;
import java.util.List;

/**
 * Counts of (true label, predicted label) pairs. Row index = true label, column index = predicted label, both in
 * the model's label order (scikit-learn's {@code confusion_matrix} orientation).
 *
 * @param labels label names, in index order
 * @param counts {@code counts[true][predicted]}
 */
public record ConfusionMatrix(List<String> labels, long[][] counts) {

    /** Checks that the matrix is square, as wide as the labels, and holds no negative count. */
    public ConfusionMatrix {
        labels = List.copyOf(labels);
        if (counts.length != labels.size()) {
            throw new IllegalArgumentException("counts must have one row per label: " + labels.size()
                    + " labels, " + counts.length + " rows");
        }
        long[][] copy = new long[counts.length][];
        for (int i = 0; i < counts.length; i++) {
            if (counts[i].length != labels.size()) {
                throw new IllegalArgumentException("row " + i + " has " + counts[i].length + " columns, expected "
                        + labels.size());
            }
            for (long count : counts[i]) {
                if (count < 0) {
                    throw new IllegalArgumentException("negative count in row " + i + ": " + count);
                }
            }
            copy[i] = counts[i].clone();
        }
        counts = copy;
    }

    /** The count of reviews with true label {@code actual} predicted as {@code predicted}. */
    public long count(int actual, int predicted) {
        return counts[actual][predicted];
    }

    /** Reviews counted. */
    public long total() {
        long total = 0;
        for (long[] row : counts) {
            total += Arrays.stream(row).sum();
        }
        return total;
    }

    /** Reviews whose true label is {@code label} (the label's support). */
    public long support(int label) {
        return Arrays.stream(counts[label]).sum();
    }

    /** Reviews predicted as {@code label}. */
    public long predicted(int label) {
        long predicted = 0;
        for (long[] row : counts) {
            predicted += row[label];
        }
        return predicted;
    }

    /** A defensive copy of the counts. */
    @Override
    public long[][] counts() {
        long[][] copy = new long[counts.length][];
        for (int i = 0; i < counts.length; i++) {
            copy[i] = counts[i].clone();
        }
        return copy;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ConfusionMatrix that && labels.equals(that.labels)
                && Arrays.deepEquals(counts, that.counts);
    }

    @Override
    public int hashCode() {
        return 31 * labels.hashCode() + Arrays.deepHashCode(counts);
    }

    @Override
    public String toString() {
        return "ConfusionMatrix" + labels + Arrays.deepToString(counts);
    }
}
