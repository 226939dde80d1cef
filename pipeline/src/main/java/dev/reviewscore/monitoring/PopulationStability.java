package dev.reviewscore.monitoring;

/**
 * The population stability index (PSI) between two histograms over the same bins:
 * {@code sum((a_i - e_i) * ln(a_i / e_i))} over the bins' shares {@code e} (expected, the earlier run) and
 * {@code a} (actual, this run). An empty bin's share is taken as {@value #EMPTY_SHARE} so that the index stays
 * finite. Common reading: below 0.1 stable, 0.1 to 0.25 a moderate shift, above 0.25 a major shift.
 */
public final class PopulationStability {
    /** The share used for a bin that holds nothing. */
    public static final double EMPTY_SHARE = 1e-4;

    private PopulationStability() {}

    /**
     * @param expected counts per bin of the reference run
     * @param actual counts per bin of this run
     * @return the index, or NaN when either histogram is empty
     * @throws IllegalArgumentException when the histograms have different bin counts
     */
    public static double index(long[] expected, long[] actual) {
        if (expected.length != actual.length) {
            throw new IllegalArgumentException("histograms must have the same bins: expected has " + expected.length
                    + ", actual " + actual.length);
        }
        long expectedTotal = 0;
        long actualTotal = 0;
        for (int i = 0; i < expected.length; i++) {
            expectedTotal += expected[i];
            actualTotal += actual[i];
        }
        if (expectedTotal == 0 || actualTotal == 0) {
            return Double.NaN;
        }
        double psi = 0;
        for (int i = 0; i < expected.length; i++) {
            double e = Math.max(EMPTY_SHARE, (double) expected[i] / expectedTotal);
            double a = Math.max(EMPTY_SHARE, (double) actual[i] / actualTotal);
            psi += (a - e) * Math.log(a / e);
        }
        return psi;
    }
}
