package dev.reviewscore.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ConfidenceIntervalsTest {

    @Test
    void theNormalQuantileIsScipysNormPpf() {
        // scipy.stats.norm.ppf(0.975), norm.ppf(0.95), norm.ppf(0.995)
        assertEquals(1.959963984540054, ConfidenceIntervals.z(0.95), 1e-12);
        assertEquals(1.6448536269514722, ConfidenceIntervals.z(0.90), 1e-12);
        assertEquals(2.5758293035489004, ConfidenceIntervals.z(0.99), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> ConfidenceIntervals.z(1.0));
    }

    @Test
    void wilsonStaysInsideTheUnitIntervalAtZeroAndAllSuccesses() {
        Interval none = ConfidenceIntervals.wilson(0, 12, 0.95);
        assertEquals(0.0, none.lower(), 0.0);
        Interval all = ConfidenceIntervals.wilson(12, 12, 0.95);
        assertEquals(1.0, all.upper(), 0.0);
        // 12 of 12 is no proof of perfection: the lower bound is far below 1
        assertEquals(12 / (12 + 1.959963984540054 * 1.959963984540054), all.lower(), 1e-12);
        assertNull(ConfidenceIntervals.wilson(0, 0, 0.95));
    }

    @Test
    void percentilesInterpolateLikeNumpy() {
        // numpy.percentile([5, 1, 4, 2, 3], [25, 75]) = [2, 4]; NaN replicates are left out
        Interval interval = ConfidenceIntervals.percentile(new double[] {5, 1, Double.NaN, 4, 2, 3}, 0.5);
        assertEquals(2.0, interval.lower(), 0.0);
        assertEquals(4.0, interval.upper(), 0.0);
        // numpy.percentile(range(10), [2.5, 97.5]) = [0.225, 8.775]
        double[] ten = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        Interval wide = ConfidenceIntervals.percentile(ten, 0.95);
        assertEquals(0.225, wide.lower(), 1e-12);
        assertEquals(8.775, wide.upper(), 1e-12);
    }

    @Test
    void theAucIntervalIsOnTheLogitScaleAndDegenerateAtOne() {
        Interval interval = ConfidenceIntervals.logitAuc(0.9, 0.0004, 0.95);
        double half = 1.959963984540054 * 0.02 / (0.9 * 0.1);
        assertEquals(1 / (1 + Math.exp(-(Math.log(9) - half))), interval.lower(), 1e-12);
        assertEquals(1 / (1 + Math.exp(-(Math.log(9) + half))), interval.upper(), 1e-12);
        Interval perfect = ConfidenceIntervals.logitAuc(1.0, 0.0, 0.95);
        assertEquals(1.0, perfect.lower(), 0.0);
        assertNull(ConfidenceIntervals.logitAuc(0.8, Double.NaN, 0.95));
    }
}
