package dev.reviewscore.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PopulationStabilityTest {
    @Test
    void identicalDistributionsHaveNoDrift() {
        assertEquals(0.0, PopulationStability.index(new long[] {10, 20, 30}, new long[] {1, 2, 3}), 1e-15);
    }

    @Test
    void computesTheIndexBinByBin() {
        // shares: expected (0.5, 0.5), actual (0.8, 0.2)
        double expected = (0.8 - 0.5) * Math.log(0.8 / 0.5) + (0.2 - 0.5) * Math.log(0.2 / 0.5);
        assertEquals(expected, PopulationStability.index(new long[] {50, 50}, new long[] {80, 20}), 1e-12);
    }

    @Test
    void anEmptyBinStaysFinite() {
        double psi = PopulationStability.index(new long[] {100, 0}, new long[] {50, 50});
        double expected = (0.5 - 1.0) * Math.log(0.5 / 1.0) + (0.5 - 1e-4) * Math.log(0.5 / 1e-4);
        assertEquals(expected, psi, 1e-12);
        assertTrue(psi > 0.25, "a major shift");
    }

    @Test
    void emptyHistogramsHaveNoIndexAndBinsMustMatch() {
        assertTrue(Double.isNaN(PopulationStability.index(new long[] {0, 0}, new long[] {1, 2})));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PopulationStability.index(new long[] {1}, new long[] {1, 2}));
        assertEquals("histograms must have the same bins: expected has 1, actual 2", e.getMessage());
    }
}
