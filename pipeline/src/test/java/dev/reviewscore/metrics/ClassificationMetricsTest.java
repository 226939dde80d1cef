package dev.reviewscore.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClassificationMetricsTest {
    private static final List<String> LABELS = List.of("NEGATIVE", "POSITIVE");

    @Test
    void reproducesTheModelCardNumbers() {
        ConfusionMatrix card = new ConfusionMatrix(LABELS, new long[][] {{88, 5}, {5, 102}});
        double[] expected = {0.946236559139785, 0.9532710280373832};
        assertEquals(0.95, ClassificationMetrics.accuracy(card));
        assertArrayEquals(expected, ClassificationMetrics.precision(card));
        assertArrayEquals(expected, ClassificationMetrics.recall(card));
        assertArrayEquals(expected, ClassificationMetrics.f1(card));
    }

    @Test
    void computesEachCountByHand() {
        // true NEGATIVE: 6 right, 2 wrong; true POSITIVE: 1 wrong, 3 right
        ConfusionMatrix matrix = new ConfusionMatrix(LABELS, new long[][] {{6, 2}, {1, 3}});
        assertEquals(12, matrix.total());
        assertEquals(8, matrix.support(0));
        assertEquals(7, matrix.predicted(0));
        assertEquals(9.0 / 12, ClassificationMetrics.accuracy(matrix));
        assertArrayEquals(new double[] {6.0 / 7, 3.0 / 5}, ClassificationMetrics.precision(matrix));
        assertArrayEquals(new double[] {6.0 / 8, 3.0 / 4}, ClassificationMetrics.recall(matrix));
        double f1Negative = 2 * (6.0 / 7) * (6.0 / 8) / (6.0 / 7 + 6.0 / 8);
        double f1Positive = 2 * (3.0 / 5) * (3.0 / 4) / (3.0 / 5 + 3.0 / 4);
        assertArrayEquals(new double[] {f1Negative, f1Positive}, ClassificationMetrics.f1(matrix), 1e-15);
        assertEquals((f1Negative + f1Positive) / 2, ClassificationMetrics.macroF1(matrix), 1e-15);
        assertEquals((8 * f1Negative + 4 * f1Positive) / 12, ClassificationMetrics.weightedF1(matrix), 1e-15);
    }

    @Test
    void aLabelNeverPredictedHasPrecisionZeroNotNaN() {
        ConfusionMatrix matrix = new ConfusionMatrix(LABELS, new long[][] {{5, 0}, {3, 0}});
        assertArrayEquals(new double[] {5.0 / 8, 0.0}, ClassificationMetrics.precision(matrix));
        assertArrayEquals(new double[] {1.0, 0.0}, ClassificationMetrics.recall(matrix));
        assertEquals(0.0, ClassificationMetrics.f1(matrix)[1]);
    }

    @Test
    void anAbsentLabelHasRecallZero() {
        ConfusionMatrix matrix = new ConfusionMatrix(LABELS, new long[][] {{4, 1}, {0, 0}});
        assertArrayEquals(new double[] {1.0, 0.0}, ClassificationMetrics.precision(matrix));
        assertArrayEquals(new double[] {0.8, 0.0}, ClassificationMetrics.recall(matrix));
        assertEquals(0.0, ClassificationMetrics.f1(matrix)[1]);
    }

    @Test
    void anEmptyMatrixHasUndefinedAccuracy() {
        ConfusionMatrix empty = new ConfusionMatrix(LABELS, new long[2][2]);
        assertTrue(Double.isNaN(ClassificationMetrics.accuracy(empty)));
        assertTrue(Double.isNaN(ClassificationMetrics.weightedF1(empty)));
        assertArrayEquals(new double[] {0.0, 0.0}, ClassificationMetrics.f1(empty));
    }

    @Test
    void rejectsAMatrixOfTheWrongShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ConfusionMatrix(LABELS, new long[][] {{1, 2, 3}, {4, 5, 6}}));
        assertEquals("row 0 has 3 columns, expected 2", e.getMessage());
    }
}
