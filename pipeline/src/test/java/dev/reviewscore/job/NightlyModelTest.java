package dev.reviewscore.job;

import static org.junit.jupiter.api.Assertions.fail;

import dev.reviewscore.testing.TestSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model-based test of the nightly path: sequences of operations on a Delta source with its change data feed
 * (appends, edits, relabels, blanked texts, deletes, duplicate ids and their cleanup, a vacuumed or toggled feed, a
 * replaced or recreated source, a schema change, a changed label mapping) and on the job's side (runs, full runs,
 * evaluations, a model version change, OPTIMIZE, VACUUM, a dropped or restored scored table, a run killed at one of
 * its commits, two runs that overlap, an evaluation racing a run), each followed by {@link NightlyOracle}'s checks:
 * after every step the tables must be where a fresh full run of the current source would leave them.
 *
 * <p>By default it walks one fixed tour that takes every kind of step at least once. Longer random sequences:
 * {@code bin/test -Dtest=NightlyModelTest -DskipITs -Dnightly.steps=200 -Dnightly.seeds=1,2,3}; on a difference it
 * prints the seed, the step and the sequence, then looks for a shorter sequence that still shows a difference
 * ({@code -Dnightly.shrink-minutes}, default 20 for random sequences, 0 for the tour) and prints it.
 */
class NightlyModelTest {
    private static final long TOUR_SEED = 20261206L;
    /** A fresh full run is compared with the nightly tables after every this many runs, and after the last step. */
    private static final int FRESH_EVERY = 8;
    private final SparkSession spark = TestSpark.session();

    @TempDir
    Path dir;

    /** What replaying a sequence found: the step that showed a difference (-1 for none) and what it was. */
    private record Outcome(int failedStep, List<String> differences) {
        boolean failed() {
            return failedStep >= 0;
        }
    }

    @Test
    void everySequenceOfNightsEndsWhereAFreshFullRunWould() throws Exception {
        String steps = System.getProperty("nightly.steps");
        List<Long> seeds = new ArrayList<>();
        for (String seed : System.getProperty("nightly.seeds", Long.toString(TOUR_SEED)).split(",")) {
            seeds.add(Long.parseLong(seed.trim()));
        }
        int shrinkMinutes = Integer.getInteger("nightly.shrink-minutes", steps == null ? 0 : 20);
        long started = System.nanoTime();
        int total = 0;
        for (long seed : seeds) {
            List<NightlyStep> sequence = steps == null ? NightlyStep.tour(seed)
                    : NightlyStep.generate(seed, Integer.parseInt(steps));
            Outcome outcome = replay(sequence, seed, dir.resolve("seed-" + seed), true);
            if (outcome.failed()) {
                List<NightlyStep> failing = sequence.subList(0, outcome.failedStep() + 1);
                String report = "Seed " + seed + ": step " + (outcome.failedStep() + 1) + " of " + sequence.size()
                        + " (" + failing.get(outcome.failedStep()) + ") left the tables where a fresh full run would "
                        + "not:\n  " + String.join("\n  ", outcome.differences()) + "\nThe sequence:\n"
                        + describe(failing);
                System.out.println(report);
                List<NightlyStep> shortest = shrink(failing, seed, shrinkMinutes);
                fail(report + (shortest.size() < failing.size() ? "\nThe shortest sequence found that still shows a "
                        + "difference (" + shortest.size() + " steps):\n" + describe(shortest) : ""));
            }
            total += sequence.size();
        }
        System.out.printf(Locale.ROOT, "Nightly model: %d steps over seeds %s, no difference, in %.0f s%n", total,
                seeds, (System.nanoTime() - started) / 1e9);
    }

    /** Applies the steps to a new world, checking after each; stops at the first difference. */
    private Outcome replay(List<NightlyStep> sequence, long seed, Path world, boolean verbose) throws Exception {
        Files.createDirectories(world);
        NightlyWorld nightly = new NightlyWorld(spark, world, seed % 5 == 4);
        try (NightlyOracle oracle = new NightlyOracle(nightly)) {
            int runs = 0;
            for (int i = 0; i < sequence.size(); i++) {
                NightlyStep step = sequence.get(i);
                long start = System.nanoTime();
                long checked = start;
                List<String> differences = new ArrayList<>();
                try {
                    String runId = step.apply(nightly);
                    checked = System.nanoTime();
                    differences.addAll(oracle.check(step.check(), runId));
                    boolean isRun = step instanceof NightlyStep.Run;
                    runs += isRun ? 1 : 0;
                    if (isRun && differences.isEmpty() && (runs % FRESH_EVERY == 0 || lastRun(sequence, i))) {
                        differences.addAll(oracle.freshFullRun(runId, runs));
                    }
                } catch (Exception | AssertionError e) {
                    differences.add("the step failed: " + e + (nightly.lastOutput.isEmpty() ? ""
                            : "\n  its output:\n" + nightly.lastOutput));
                }
                if (verbose) {
                    System.out.printf(Locale.ROOT, "nightly seed %d step %d/%d %s: %.1f s (checks %.1f s)%s%n", seed,
                            i + 1, sequence.size(), step, (checked - start) / 1e9, (System.nanoTime() - checked) / 1e9,
                            differences.isEmpty() ? "" : " DIFFERENCE");
                }
                if (!differences.isEmpty()) {
                    return new Outcome(i, differences);
                }
            }
        }
        return new Outcome(-1, List.of());
    }

    private static boolean lastRun(List<NightlyStep> sequence, int index) {
        return sequence.subList(index + 1, sequence.size()).stream().noneMatch(NightlyStep.Run.class::isInstance);
    }

    /**
     * A shorter sequence that still ends in a difference: steps are taken out one by one, from the end, and left out
     * when the rest still shows one; until no step can go or the time is up.
     */
    private List<NightlyStep> shrink(List<NightlyStep> failing, long seed, int minutes) throws Exception {
        long deadline = System.nanoTime() + minutes * 60_000_000_000L;
        List<NightlyStep> shortest = new ArrayList<>(failing);
        int attempt = 0;
        boolean removed = true;
        while (removed && System.nanoTime() < deadline) {
            removed = false;
            for (int i = shortest.size() - 2; i >= 0 && System.nanoTime() < deadline; i--) {
                List<NightlyStep> candidate = new ArrayList<>(shortest);
                candidate.remove(i);
                Outcome outcome = replay(candidate, seed, dir.resolve("shrink-" + seed + "-" + ++attempt), false);
                if (outcome.failed()) {
                    shortest = new ArrayList<>(candidate.subList(0, outcome.failedStep() + 1));
                    removed = true;
                    System.out.println("nightly: a difference still shows in " + shortest.size() + " steps");
                    i = Math.min(i, shortest.size() - 1);
                }
            }
        }
        return shortest;
    }

    private static String describe(List<NightlyStep> steps) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < steps.size(); i++) {
            text.append(String.format(Locale.ROOT, "  %3d. %s%n", i + 1, steps.get(i)));
        }
        return text.toString();
    }
}
