package dev.reviewscore.job;

import static org.junit.jupiter.api.Assertions.fail;

import dev.reviewscore.testing.TestSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model-based test of the nightly path: sequences of operations on a Delta source with its change data feed
 * (appends, edits, relabels, blanked texts, deletes, duplicate ids and their cleanup, a vacuumed or toggled feed, an
 * overwritten or recreated source, a schema change, a changed label mapping) and on the job's side (runs, full runs,
 * evaluations, a model version change, OPTIMIZE, VACUUM, a dropped or restored scored table, a run killed at one of
 * its commits, two runs that overlap, an evaluation racing a run), each followed by {@link NightlyOracle}'s checks:
 * after every step the tables must be where a fresh full run of the current source would leave them.
 *
 * <p>By default it walks one fixed tour ({@link NightlyStep#tour()}), one test per scene, in one world. Random
 * sequences instead: {@code bin/test -Dtest=NightlyModelTest -DskipITs -Dnightly.steps=200 -Dnightly.seeds=1,2,3},
 * one test per seed; on a difference it prints the seed, the step and the sequence, then looks for a shorter sequence
 * that still shows a difference ({@code -Dnightly.shrink-minutes}, default 20) and prints it.
 */
class NightlyModelTest {
    /** A fresh full run is compared with the nightly tables after every this many runs, and after the last step. */
    private static final int FRESH_EVERY = 8;
    private final SparkSession spark = TestSpark.session();

    @TempDir
    Path dir;

    /** What applying steps found: the step that showed a difference (-1 for none) and what it was. */
    private record Outcome(int failedStep, List<String> differences) {
        boolean failed() {
            return failedStep >= 0;
        }
    }

    /** Applies steps to one world, checking after each; counts the runs for the fresh full runs. */
    private final class Replay implements AutoCloseable {
        private final NightlyWorld world;
        private final NightlyOracle oracle;
        private final long seed;
        private final boolean verbose;
        private int runs;

        Replay(Path folder, long seed, boolean verbose) throws Exception {
            Files.createDirectories(folder);
            this.world = new NightlyWorld(spark, folder, seed % 5 == 4);
            this.oracle = new NightlyOracle(world);
            this.seed = seed;
            this.verbose = verbose;
        }

        /** Applies the steps; {@code lastOfAll} makes the last run of them compare a fresh full run. */
        Outcome apply(List<NightlyStep> steps, boolean lastOfAll) {
            for (int i = 0; i < steps.size(); i++) {
                NightlyStep step = steps.get(i);
                long start = System.nanoTime();
                long checked = start;
                List<String> differences = new ArrayList<>();
                try {
                    String runId = step.apply(world);
                    checked = System.nanoTime();
                    differences.addAll(oracle.check(step.check(), runId));
                    boolean isRun = step instanceof NightlyStep.Run;
                    runs += isRun ? 1 : 0;
                    boolean last = lastOfAll && steps.subList(i + 1, steps.size()).stream()
                            .noneMatch(NightlyStep.Run.class::isInstance);
                    if (isRun && differences.isEmpty() && (runs % FRESH_EVERY == 0 || last)) {
                        differences.addAll(oracle.freshFullRun(runId, runs));
                    }
                } catch (Exception | AssertionError e) {
                    differences.add("the step failed: " + e + (world.lastOutput.isEmpty() ? ""
                            : "\n  its output:\n" + world.lastOutput));
                }
                if (verbose) {
                    System.out.printf(Locale.ROOT, "nightly seed %d step %d/%d %s: %.1f s (checks %.1f s)%s%n", seed,
                            i + 1, steps.size(), step, (checked - start) / 1e9, (System.nanoTime() - checked) / 1e9,
                            differences.isEmpty() ? "" : " DIFFERENCE");
                }
                if (!differences.isEmpty()) {
                    return new Outcome(i, differences);
                }
            }
            return new Outcome(-1, List.of());
        }

        @Override
        public void close() {
            oracle.close();
        }
    }

    @TestFactory
    Stream<DynamicTest> everyNightEndsWhereAFreshFullRunWould() throws Exception {
        String steps = System.getProperty("nightly.steps");
        if (steps == null) {
            Replay tour = new Replay(dir.resolve("tour"), 0, true);
            List<NightlyStep.Scene> scenes = NightlyStep.tour();
            List<DynamicTest> tests = new ArrayList<>();
            for (int i = 0; i < scenes.size(); i++) {
                NightlyStep.Scene scene = scenes.get(i);
                boolean last = i == scenes.size() - 1;
                tests.add(DynamicTest.dynamicTest(scene.name(), () -> {
                    Outcome outcome = tour.apply(scene.steps(), last);
                    if (last) {
                        tour.close();
                    }
                    if (outcome.failed()) {
                        fail("Step " + (outcome.failedStep() + 1) + " (" + scene.steps().get(outcome.failedStep())
                                + ") left the tables where a fresh full run would not:\n  "
                                + String.join("\n  ", outcome.differences()));
                    }
                }));
            }
            return tests.stream();
        }
        int shrinkMinutes = Integer.getInteger("nightly.shrink-minutes", 20);
        return Stream.of(System.getProperty("nightly.seeds", "1").split(",")).map(text -> {
            long seed = Long.parseLong(text.trim());
            return DynamicTest.dynamicTest("seed " + seed + ", " + steps + " steps", () -> random(seed,
                    Integer.parseInt(steps), shrinkMinutes));
        });
    }

    private void random(long seed, int steps, int shrinkMinutes) throws Exception {
        long started = System.nanoTime();
        List<NightlyStep> sequence = NightlyStep.generate(seed, steps);
        Outcome outcome;
        try (Replay replay = new Replay(dir.resolve("seed-" + seed), seed, true)) {
            outcome = replay.apply(sequence, true);
        }
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
        System.out.printf(Locale.ROOT, "Nightly model: seed %d, %d steps, no difference, in %.0f s%n", seed, steps,
                (System.nanoTime() - started) / 1e9);
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
                Outcome outcome;
                try (Replay replay = new Replay(dir.resolve("shrink-" + seed + "-" + ++attempt), seed, false)) {
                    outcome = replay.apply(candidate, true);
                }
                if (outcome.failed()) {
                    shortest = new ArrayList<>(candidate.subList(0, outcome.failedStep() + 1));
                    removed = true;
                    System.out.println("nightly: a difference still shows in " + shortest.size() + " steps:\n"
                            + describe(shortest));
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
