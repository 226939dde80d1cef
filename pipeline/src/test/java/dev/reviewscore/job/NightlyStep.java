package dev.reviewscore.job;

import dev.reviewscore.testing.GatedLogStore;
import dev.reviewscore.testing.TestPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * One step of the model-based test: an operation on the source, or the job's side. A step holds only values drawn
 * when the sequence was generated, and picks the reviews it changes from the world as it finds it (by a position in
 * the sorted ids), so that any subsequence of a sequence is a sequence too: shrinking removes steps freely.
 */
sealed interface NightlyStep {
    /** What the oracle checks after the step. */
    enum Check {
        /** Only what holds at any moment: the aggregates equal the scored table at their watermark. */
        ALWAYS,
        /** The job scored the current source: the scored table, rejects and monitoring too. */
        SCORED,
        /** The job scored the current source and evaluated: the metrics too. */
        SCORED_AND_EVALUATED,
        /** The job evaluated the scored table as it is. */
        EVALUATED
    }

    /** Applies the step to the world; returns the id of the job run the oracle checks, or null. */
    String apply(NightlyWorld world) throws Exception;

    /** What the oracle checks afterwards. */
    default Check check() {
        return Check.ALWAYS;
    }

    /** Short texts from SST-2's dev set: the reviews' texts. */
    List<String> TEXTS = texts();

    private static List<String> texts() {
        try {
            List<String> texts = new ArrayList<>();
            for (String line : Files.readAllLines(TestPaths.sharedData().resolve("sst2_glue_dev.csv"),
                    StandardCharsets.UTF_8)) {
                int first = line.indexOf(',');
                int last = line.lastIndexOf(',');
                if (first > 0 && last > first && line.charAt(first + 1) == '"') {
                    texts.add(line.substring(first + 2, last - 1).replace("\"\"", "\""));
                }
            }
            return texts;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A text of its own: a sentence of the pool with a mark no other text has. Reviews share no text, so that no two
     * scores tie by accident: a score is a float computation whose last bits depend on the batch it ran in, and a
     * tie that one run breaks and another keeps would move the AUC of otherwise equal tables.
     */
    private static String text(NightlyWorld world, Random random) {
        return TEXTS.get(random.nextInt(TEXTS.size())) + " (" + world.source.nextDelivery() + ")";
    }

    /** A review drawn from a seed: text, a label (a quarter unlabeled, a few unknown), a movie and a date. */
    private static NightlySource.SourceRow review(NightlyWorld world, Random random) {
        String text = text(world, random);
        double draw = random.nextDouble();
        String label = draw < 0.25 ? null : draw < 0.3 ? NightlySource.UNKNOWN
                : random.nextBoolean() ? NightlySource.POSITIVE : NightlySource.NEGATIVE;
        return new NightlySource.SourceRow(world.source.newId(), text, label, movie(random),
                random.nextInt(10) == 0 ? null : LocalDate.of(2026, 8 + random.nextInt(4), 1 + random.nextInt(28)),
                world.source.nextDelivery());
    }

    private static String movie(Random random) {
        String[] movies = {"Steel Tide", "Paper Kings", "Night Train", "Blue Orchard", null};
        return movies[random.nextInt(movies.length)];
    }

    private static HashSet<String> picked(NightlyWorld world, double at, int count) {
        return new HashSet<>(world.source.pick(at, count));
    }

    // ---- the source ----

    /** New reviews. */
    record Append(int count, long seed) implements NightlyStep {
        @Override
        public String apply(NightlyWorld world) {
            Random random = new Random(seed);
            List<NightlySource.SourceRow> rows = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                rows.add(review(world, random));
            }
            world.append(rows);
            return null;
        }
    }

    /** Reviews whose text changes (every copy of the id). */
    record EditText(double at, int count, long seed) implements NightlyStep {
        @Override
        public String apply(NightlyWorld world) {
            Random random = new Random(seed);
            for (String id : picked(world, at, count)) {
                String text = text(world, random);
                world.update(java.util.Set.of(id), "text", text, row -> row.withText(text));
            }
            return null;
        }
    }

    /** Reviews whose label changes: to the other label, to none, or to one the mapping may not know. */
    record Relabel(double at, int count, long seed) implements NightlyStep {
        @Override
        public String apply(NightlyWorld world) {
            Random random = new Random(seed);
            String[] labels = {NightlySource.POSITIVE, NightlySource.NEGATIVE, null, NightlySource.UNKNOWN};
            for (String id : picked(world, at, count)) {
                String label = labels[random.nextInt(labels.length)];
                world.update(java.util.Set.of(id), "label", label, row -> row.withLabel(label));
            }
            return null;
        }
    }

    /** Reviews whose pass-through value (a slice) changes. */
    record ChangeMovie(double at, int count, long seed) implements NightlyStep {
        @Override
        public String apply(NightlyWorld world) {
            Random random = new Random(seed);
            for (String id : picked(world, at, count)) {
                String movie = movie(random);
                world.update(java.util.Set.of(id), "movie", movie, row -> row.withMovie(movie));
            }
            return null;
        }
    }

    /** Reviews whose text is blanked (empty or whitespace) or set to null. */
    record Blank(double at, int count, boolean toNull) implements NightlyStep {
        @Override
        public String apply(NightlyWorld world) {
            String text = toNull ? null : " \t ";
            world.update(picked(world, at, count), "text", text, row -> row.withText(text));
            return null;
        }
    }

    /** Reviews deleted. */
    record Delete(double at, int count) implements NightlyStep {
        @Override
        public String apply(NightlyWorld world) {
            world.delete(picked(world, at, count));
            return null;
        }
    }

    /** A second delivery of a review: an identical copy, or one with another text. */
    record Duplicate(double at, boolean identical, long seed) implements NightlyStep {
        @Override
        public String apply(NightlyWorld world) {
            List<String> ids = world.source.pick(at, 1);
            if (ids.isEmpty()) {
                return null;
            }
            NightlySource.SourceRow original = world.source.rows().stream()
                    .filter(row -> ids.get(0).equals(row.id())).findFirst().orElseThrow();
            String text = identical ? original.text() : text(world, new Random(seed));
            world.append(List.of(new NightlySource.SourceRow(original.id(), text, original.label(), original.movie(),
                    original.reviewDate(), world.source.nextDelivery())));
            return null;
        }
    }

    /** The natural fix of duplicate rejects: every later delivery of a repeated id deleted. */
    record CleanDuplicates() implements NightlyStep {
        @Override
        public String apply(NightlyWorld world) {
            world.keepFirstCopies();
            return null;
        }
    }

    /** A row without a review id. */
    record NullIdRow(long seed) implements NightlyStep {
        @Override
        public String apply(NightlyWorld world) {
            NightlySource.SourceRow row = review(world, new Random(seed));
            world.append(List.of(new NightlySource.SourceRow(null, row.text(), row.label(), row.movie(),
                    row.reviewDate(), row.delivery())));
            return null;
        }
    }

    /** The change data feed's history of earlier versions removed. */
    record VacuumSource() implements NightlyStep {
        @Override
        public String apply(NightlyWorld world) {
            world.vacuumSource();
            return null;
        }
    }

    /** The change data feed turned off or on. */
    record ChangeFeed(boolean on) implements NightlyStep {
        @Override
        public String apply(NightlyWorld world) {
            world.changeFeed(on);
            return null;
        }
    }

    /** The source overwritten with its own rows (same Delta id, every file new). */
    record OverwriteSource() implements NightlyStep {
        @Override
        public String apply(NightlyWorld world) {
            world.overwriteSource();
            return null;
        }
    }

    /** The source dropped and created again with its rows (a new Delta id). */
    record RecreateSource() implements NightlyStep {
        @Override
        public String apply(NightlyWorld world) {
            world.recreateSource();
            return null;
        }
    }

    /** A column added to the source. */
    record AddColumn() implements NightlyStep {
        @Override
        public String apply(NightlyWorld world) {
            world.addColumn();
            return null;
        }
    }

    /** The label mapping changed: the unknown label becomes negative, or unknown again. */
    record MapUnknownLabel(boolean negative) implements NightlyStep {
        @Override
        public String apply(NightlyWorld world) {
            world.mapUnknownLabel(negative);
            return null;
        }
    }

    // ---- the job ----

    /** {@code run}, or {@code run --full}. */
    record Run(boolean full) implements NightlyStep {
        @Override
        public String apply(NightlyWorld world) {
            return world.job(Action.RUN, full ? world.config("scoring.full = true", "evaluation.full = true")
                    : world.config());
        }

        @Override
        public Check check() {
            return Check.SCORED_AND_EVALUATED;
        }
    }

    /** {@code score}. */
    record Score() implements NightlyStep {
        @Override
        public String apply(NightlyWorld world) {
            return world.job(Action.SCORE, world.config());
        }

        @Override
        public Check check() {
            return Check.SCORED;
        }
    }

    /** {@code evaluate}, or {@code evaluate --full}; on a scored table that does not exist, the job's user error. */
    record Evaluate(boolean full) implements NightlyStep {
        @Override
        public String apply(NightlyWorld world) {
            if (!Files.isDirectory(world.table("scored").resolve("_delta_log"))) {
                try {
                    world.job(Action.EVALUATE, world.config());
                } catch (dev.reviewscore.InvalidInputException expected) {
                    return null;
                }
                throw new AssertionError("evaluating a scored table that does not exist did not fail");
            }
            return world.job(Action.EVALUATE, full ? world.config("evaluation.full = true") : world.config());
        }

        @Override
        public Check check() {
            return Check.EVALUATED;
        }
    }

    /** The other model version from now on. */
    record SwitchModel(boolean toB) implements NightlyStep {
        @Override
        public String apply(NightlyWorld world) {
            world.useModelB(toB);
            return null;
        }
    }

    /** OPTIMIZE of the scored table (Unity Catalog's predictive optimization does it by itself). */
    record OptimizeScored() implements NightlyStep {
        @Override
        public String apply(NightlyWorld world) {
            if (Files.isDirectory(world.table("scored").resolve("_delta_log"))) {
                world.optimizeScored();
            }
            return null;
        }
    }

    /** VACUUM of the scored table, with no retention. */
    record VacuumScored() implements NightlyStep {
        @Override
        public String apply(NightlyWorld world) {
            if (Files.isDirectory(world.table("scored").resolve("_delta_log"))) {
                world.vacuumScored();
            }
            return null;
        }
    }

    /** The scored table's folder deleted. */
    record DropScored() implements NightlyStep {
        @Override
        public String apply(NightlyWorld world) {
            world.dropScored();
            return null;
        }
    }

    /** The scored table restored to a version some commits back. */
    record RestoreScored(int back) implements NightlyStep {
        @Override
        public String apply(NightlyWorld world) {
            world.restoreScored(back);
            return null;
        }
    }

    /**
     * A {@code run} that dies at its {@code nth} commit, as a killed process would: nothing of the commit is written,
     * nothing after it runs. The next run must end as if it had not happened.
     */
    record CrashedRun(int nth) implements NightlyStep {
        @Override
        public String apply(NightlyWorld world) {
            try (GatedLogStore.Stop crash = GatedLogStore.crashAt(world.dir.resolve("tables"), nth)) {
                world.job(Action.RUN, world.config());
            } catch (GatedLogStore.Crash crashed) {
                return null;
            }
            return null;
        }
    }

    /**
     * Two nights that overlap: a run held just before its first commit to the scored table while the source changes
     * and a second run starts and ends; then the first one, which read the older source, goes on and writes last.
     */
    record OverlappingRuns(long seed) implements NightlyStep {
        @Override
        public String apply(NightlyWorld world) throws Exception {
            new Append(1, seed).apply(world);
            ExecutorService threads = NightlyWorld.threads();
            try (GatedLogStore.Stop hold = GatedLogStore.holdAt(world.table("scored"),
                    java.nio.file.Files.isDirectory(world.table("scored").resolve("_delta_log")) ? 1 : 2)) {
                Future<String> slow = world.jobInBackground(threads, Action.RUN, world.config());
                if (!reachedBeforeDone(hold, slow)) {
                    return slow.get(300, TimeUnit.SECONDS);
                }
                new EditText(new Random(seed).nextDouble(), 3, seed).apply(world);
                new Delete(new Random(seed + 1).nextDouble(), 1).apply(world);
                new Append(2, seed).apply(world);
                world.job(Action.RUN, world.config());
                hold.release();
                return slow.get(300, TimeUnit.SECONDS);
            } finally {
                threads.shutdownNow();
            }
        }

        @Override
        public Check check() {
            return Check.SCORED;
        }
    }

    /**
     * An {@code evaluate} while a {@code run} adds its changes to the aggregates: the run is held at its commit to
     * the aggregates table while the evaluation runs to its end, or a full evaluation (which rebuilds them) is held at
     * its commit there while the run runs to its end.
     */
    record EvaluationDuringRun(boolean holdTheRun) implements NightlyStep {
        @Override
        public String apply(NightlyWorld world) throws Exception {
            new Append(2, holdTheRun ? 1 : 2).apply(world);
            ExecutorService threads = NightlyWorld.threads();
            try (GatedLogStore.Stop hold = GatedLogStore.holdAt(world.table("aggregates"), 1)) {
                // a full evaluation always rebuilds, so it always reaches its commit to the aggregates
                Future<String> held = holdTheRun ? world.jobInBackground(threads, Action.RUN, world.config())
                        : world.jobInBackground(threads, Action.EVALUATE, world.config("evaluation.full = true"));
                if (reachedBeforeDone(hold, held)) {
                    try {
                        world.job(holdTheRun ? Action.EVALUATE : Action.RUN, world.config());
                    } catch (dev.reviewscore.InvalidInputException noScoredTable) {
                        // evaluating before anything was scored
                    }
                }
                hold.release();
                try {
                    held.get(300, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    if (!(e.getCause() instanceof dev.reviewscore.InvalidInputException)) {
                        throw e;
                    }
                }
                return null;
            } finally {
                threads.shutdownNow();
            }
        }
    }

    /** Waits until a held commit is reached (true) or the job ends without reaching it (false). */
    private static boolean reachedBeforeDone(GatedLogStore.Stop hold, Future<?> job) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < deadline) {
            if (hold.awaitReached(1)) {
                return true;
            }
            if (job.isDone()) {
                return false;
            }
        }
        throw new AssertionError("a job neither reached its held commit nor ended in 5 minutes");
    }

    /** Draws a sequence of steps. */
    static List<NightlyStep> generate(long seed, int steps) {
        Random random = new Random(seed);
        List<NightlyStep> sequence = new ArrayList<>();
        sequence.add(new Append(40 + random.nextInt(30), random.nextLong()));
        sequence.add(new Run(false));
        while (sequence.size() < steps) {
            sequence.add(draw(random));
        }
        return sequence;
    }

    /**
     * The evaluation of the last run or evaluation was computed as expected: from the aggregates ({@code
     * aggregates}) or by rebuilding them from every row ({@code rows}), as the runs table's {@code evaluated_from}
     * says.
     */
    record ExpectEvaluatedFrom(String from) implements NightlyStep {
        @Override
        public String apply(NightlyWorld world) {
            org.apache.spark.sql.Row last = world.spark.read().format("delta")
                    .load(world.table("runs").toString()).where("evaluated_from IS NOT NULL")
                    .orderBy(org.apache.spark.sql.functions.col("run_id").desc()).first();
            if (!from.equals(last.getAs("evaluated_from"))) {
                throw new AssertionError("run " + last.getAs("run_id") + " evaluated from "
                        + last.getAs("evaluated_from") + ", expected " + from);
            }
            return null;
        }
    }

    /**
     * A named part of the tour: the steps that lead to one situation the job must handle.
     *
     * @param name what the job must do there
     * @param steps the steps, the last of which runs the job
     */
    record Scene(String name, List<NightlyStep> steps) {}

    /**
     * A fixed tour through every kind of step, in scenes that each end in a run of the job the oracle checks: each
     * scene is the regression test of a way the nightly path once lost reviews or gave wrong numbers.
     */
    static List<Scene> tour() {
        return List.of(
                new Scene("a first run scores every review, rejects each bad row once and evaluates the labeled ones",
                        List.of(new Append(40, 11), new Duplicate(0.2, true, 12), new NullIdRow(13), new Run(false))),
                new Scene("edits, relabels, new slice values, blanked texts, deletes and a conflicting copy are read "
                        + "from the changes", List.of(new EditText(0.1, 3, 21), new Relabel(0.4, 4, 22),
                        new ChangeMovie(0.7, 2, 23), new Blank(0.3, 2, false), new Delete(0.9, 2),
                        new Duplicate(0.6, false, 24), new Run(false))),
                new Scene("a cleaned-up duplicate and rows a settings change fixes are scored; a schema change is "
                        + "read across", List.of(new CleanDuplicates(), new MapUnknownLabel(true), new AddColumn(),
                        new Score())),
                new Scene("OPTIMIZE and VACUUM of the scored table leave the aggregates up to date",
                        List.of(new OptimizeScored(), new VacuumScored(), new Evaluate(false),
                                new ExpectEvaluatedFrom("aggregates"))),
                new Scene("after the change feed's history is vacuumed, the whole source is compared and deleted "
                        + "reviews lose their scores", List.of(new Delete(0.5, 3), new VacuumSource(),
                        new Append(1, 51), new Run(false))),
                new Scene("the feed turned off and on, and the source overwritten, are read whole",
                        List.of(new ChangeFeed(false), new EditText(0.8, 2, 61), new ChangeFeed(true),
                                new OverwriteSource(), new Run(false))),
                new Scene("a run killed at a commit and rerun ends with the same scores, its rejects once, its "
                        + "reviews monitored", List.of(new RecreateSource(), new Blank(0.2, 1, true),
                        new Append(2, 71), new CrashedRun(3), new Run(false))),
                new Scene("two nights overlap and the one that read the older source writes last",
                        List.of(new OverlappingRuns(81))),
                new Scene("an evaluation while a run adds its changes to the aggregates",
                        List.of(new EvaluationDuringRun(true), new Evaluate(false))),
                new Scene("a scored table restored to an earlier version is filled from the whole source",
                        List.of(new RestoreScored(2), new Run(false))),
                new Scene("a scored table deleted and recreated is filled from the whole source",
                        List.of(new DropScored(), new Append(1, 111), new Run(false))),
                new Scene("another model version, then a full rescore, equal a fresh full run",
                        List.of(new SwitchModel(true), new Run(false), new Run(true))));
    }

    private static NightlyStep draw(Random random) {
        int draw = random.nextInt(100);
        double at = random.nextDouble();
        long seed = random.nextLong();
        if (draw < 12) {
            return new Append(1 + random.nextInt(6), seed);
        } else if (draw < 18) {
            return new EditText(at, 1 + random.nextInt(4), seed);
        } else if (draw < 23) {
            return new Relabel(at, 1 + random.nextInt(4), seed);
        } else if (draw < 26) {
            return new ChangeMovie(at, 1 + random.nextInt(3), seed);
        } else if (draw < 29) {
            return new Blank(at, 1 + random.nextInt(2), random.nextBoolean());
        } else if (draw < 33) {
            return new Delete(at, 1 + random.nextInt(3));
        } else if (draw < 36) {
            return new Duplicate(at, random.nextBoolean(), seed);
        } else if (draw < 38) {
            return new CleanDuplicates();
        } else if (draw < 39) {
            return new NullIdRow(seed);
        } else if (draw < 41) {
            return new VacuumSource();
        } else if (draw < 43) {
            return new ChangeFeed(random.nextInt(3) > 0);
        } else if (draw < 44) {
            return new OverwriteSource();
        } else if (draw < 45) {
            return new RecreateSource();
        } else if (draw < 46) {
            return new AddColumn();
        } else if (draw < 48) {
            return new MapUnknownLabel(random.nextBoolean());
        } else if (draw < 66) {
            return new Run(random.nextInt(8) == 0);
        } else if (draw < 72) {
            return new Score();
        } else if (draw < 79) {
            return new Evaluate(random.nextInt(4) == 0);
        } else if (draw < 81) {
            return new SwitchModel(random.nextBoolean());
        } else if (draw < 84) {
            return new OptimizeScored();
        } else if (draw < 86) {
            return new VacuumScored();
        } else if (draw < 87) {
            return new DropScored();
        } else if (draw < 89) {
            return new RestoreScored(1 + random.nextInt(4));
        } else if (draw < 94) {
            return new CrashedRun(1 + random.nextInt(9));
        } else if (draw < 97) {
            return new OverlappingRuns(seed);
        }
        return new EvaluationDuringRun(random.nextBoolean());
    }
}
