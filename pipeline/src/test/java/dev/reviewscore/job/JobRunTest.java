package dev.reviewscore.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.reviewscore.InvalidInputException;
import dev.reviewscore.config.JobConfig;
import dev.reviewscore.config.JobConfigLoader;
import dev.reviewscore.config.TableLocation;
import dev.reviewscore.metrics.Comparison;
import dev.reviewscore.metrics.Evaluation;
import dev.reviewscore.sink.MetricRows;
import dev.reviewscore.source.DeltaHistory;
import dev.reviewscore.testing.TestPaths;
import dev.reviewscore.testing.TestSpark;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobRunTest {
    private final SparkSession spark = TestSpark.session();

    @TempDir
    Path dir;

    private static final StructType REVIEWS = new StructType().add("id", DataTypes.StringType)
            .add("text", DataTypes.StringType).add("label", DataTypes.StringType);

    /** Runs the job on this test's tables, with a model and settings. */
    private RunOutcome run(Action action, String model, String... overrides) {
        JobConfig config = new JobConfigLoader(dir).loadText("""
                source { path = source, columns.label = label, labels.kind = names }
                model.location = "%s"
                output {
                  scored.path = scored, rejects.path = rejects, metrics.path = metrics, reports = reports
                }
                %s
                """.formatted(model, String.join("\n", overrides))).config();
        return JobRun.execute(action, config, JobRun.Listener.NONE);
    }

    private void writeSource(Row... rows) {
        spark.createDataFrame(Arrays.asList(rows), REVIEWS).write().format("delta").mode("overwrite")
                .save(dir.resolve("source").toString());
    }

    private Evaluation scoreAndEvaluate(String model, String... overrides) {
        writeSource(RowFactory.create("1", "great great loved it", "great"),
                RowFactory.create("2", "awful boring bad", "terrible"),
                RowFactory.create("3", "the film was okay", "okay"),
                RowFactory.create("4", "a good film", "great"),
                RowFactory.create("5", "bad acting", "terrible"));
        return run(Action.RUN, model, overrides).evaluated().evaluation();
    }

    @Test
    void theNextRunsScoresAreComparedWithTheLastRunsForDrift() {
        String model = TestPaths.defaultModel().toString();
        writeSource(RowFactory.create("a1", "A wonderful, moving film.", "positive"),
                RowFactory.create("a2", "Dull and boring.", "negative"),
                RowFactory.create("a3", "I loved it.", "positive"),
                RowFactory.create("a4", "Awful acting.", "negative"));
        Scored first = run(Action.SCORE, model, "source.labels.kind = names").scored();
        assertEquals(4, first.monitoring().reviews());
        assertEquals(0.5, first.monitoring().positiveRate());
        double meanScore = 0;
        for (Row row : spark.read().format("delta").load(dir.resolve("scored").toString())
                .select("positive_probability").collectAsList()) {
            meanScore += row.getDouble(0) / 4;
        }
        assertEquals(meanScore, first.monitoring().meanScore(), 1e-12, "the mean score, added up here row by row");
        assertNull(first.monitoring().drift());
        writeSource(RowFactory.create("b1", "Dreadful.", "negative"), RowFactory.create("b2", "Terrible plot.", "negative"),
                RowFactory.create("b3", "Awful, just awful.", "negative"), RowFactory.create("b4", "A bore.", "negative"));
        Scored second = run(Action.SCORE, model, "source.labels.kind = names").scored();
        assertEquals(4, second.monitoring().reviews());
        assertEquals(0.0, second.monitoring().positiveRate());
        assertEquals(first.result().runId(), second.monitoring().previousRun());
        assertTrue(second.monitoring().drift() > 0.25, "drift " + second.monitoring().drift());
        Row psi = spark.read().format("delta").load(dir.resolve("metrics").toString())
                .where("metric = 'drift_psi' AND run_id = '" + second.result().runId() + "'").first();
        assertEquals(second.monitoring().drift(), psi.getAs("value"));
    }

    @Test
    void slicesAreExpressionsAndABadOneSaysWhatWentWrong() {
        Evaluation evaluation = scoreAndEvaluate(TestPaths.fixtureModel("dict-three-labels").toString(),
                "model.positive-label = great", "evaluation.slices { words = \"size(split(text, ' '))\" }");
        assertEquals(List.of("all", "words", "words", "words"),
                evaluation.slices().stream().map(s -> s.sliceName()).toList());
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> scoreAndEvaluate(TestPaths.fixtureModel("dict-three-labels").toString(),
                        "evaluation.slices { bad = no_such_column }"));
        assertTrue(e.getMessage().startsWith("Invalid configuration: evaluation.slices.bad = \"no_such_column\" "
                + "does not work on the scored table: "), e.getMessage());
    }

    @Test
    void aThreeLabelModelNeedsAConfiguredPositiveLabelForAuc() {
        Evaluation without = scoreAndEvaluate(TestPaths.fixtureModel("dict-three-labels").toString());
        assertEquals(List.of("terrible", "okay", "great"), without.labels());
        assertEquals(5, without.overall().labeled());
        assertNull(without.overall().auc());
        assertTrue(without.overall().aucNote().startsWith("no positive label: set model.positive-label"));

        Evaluation with = scoreAndEvaluate(TestPaths.fixtureModel("dict-three-labels").toString(),
                "model.positive-label = great");
        assertEquals("great", with.positiveLabel());
        assertEquals(1.0, with.overall().auc());
        assertEquals(3, with.overall().confusion().labels().size());
    }

    @Test
    void aChallengerIsComparedWithItsChampionOnTheReviewsBothScored() throws Exception {
        writeSource(RowFactory.create("a1", "A wonderful, moving film.", "positive"),
                RowFactory.create("a2", "Dull and boring.", "negative"),
                RowFactory.create("a3", "I loved it.", "positive"),
                RowFactory.create("a4", "Awful acting.", "negative"),
                RowFactory.create("a5", "Not bad at all, quite fun.", "positive"),
                RowFactory.create("a6", "A waste of two hours.", "negative"));
        String championVersion = run(Action.SCORE, TestPaths.defaultModel().toString()).scored().result()
                .modelVersion();
        Evaluation evaluation = run(Action.RUN, TestPaths.fixtureModel("half-logits").toString(),
                "evaluation.compare-with = \"" + championVersion + "\"", "gates.challenger-not-worse = true")
                .evaluated().evaluation();
        Comparison comparison = evaluation.comparison();
        assertEquals(championVersion, comparison.championVersion());
        assertEquals(6, comparison.paired());
        assertEquals(6, comparison.labeled());
        assertEquals(comparison.championOnlyRight() - comparison.challengerOnlyRight(),
                comparison.championRight() - comparison.challengerRight());
        try (var reports = java.nio.file.Files.walk(dir.resolve("reports"))) {
            String markdown = java.nio.file.Files.readString(reports.filter(p -> p.endsWith("report.md"))
                    .findFirst().orElseThrow());
            assertTrue(markdown.contains("## Champion against challenger"), markdown);
            assertTrue(markdown.contains("| gates.challenger-not-worse | all | accuracy difference against "
                    + championVersion), markdown);
        }

        InvalidInputException e = assertThrows(InvalidInputException.class, () -> run(Action.EVALUATE,
                TestPaths.fixtureModel("half-logits").toString(), "evaluation.compare-with = no-such-version"));
        assertTrue(e.getMessage().contains("has no scores of model version no-such-version "
                + "(evaluation.compare-with) to compare with (versions present: "), e.getMessage());
    }

    @Test
    void theMetricsTableHoldsOneSetOfRowsPerRun() {
        scoreAndEvaluate(TestPaths.fixtureModel("dict-three-labels").toString(), "model.positive-label = great");
        scoreAndEvaluate(TestPaths.fixtureModel("dict-three-labels").toString(), "model.positive-label = great");
        Dataset<Row> metrics = spark.read().format("delta").load(dir.resolve("metrics").toString());
        List<String> runs = metrics.select("run_id").distinct().orderBy("run_id").as(Encoders.STRING())
                .collectAsList();
        assertEquals(2, runs.size());
        for (String run : runs) {
            Dataset<Row> set = metrics.where(functions.col("run_id").equalTo(run));
            assertEquals(set.count(), set.select("slice_name", "slice_value", "metric", "class_label",
                    "predicted_label").distinct().count(), run + ": each metric once per slice and class");
            List<Row> accuracy = set.where("metric = 'accuracy' AND slice_name = 'all'").collectAsList();
            assertEquals(1, accuracy.size(), run);
            assertTrue(accuracy.get(0).getDouble(accuracy.get(0).fieldIndex("value")) > 0.5, run);
            assertEquals(5.0, set.where("metric = 'input_rows'").first().getAs("value"), run);
            assertEquals(9, set.where("metric = 'confusion_count'").count(), run);
            assertEquals(3, set.where("metric = 'precision'").count(), run);
        }
    }

    @Test
    void theMetricsTableRecordsWhatEachRunReadAndEvaluationsLeaveOutMarkedDeletes() {
        String source = "delta.`" + dir.resolve("source") + "`";
        spark.sql("CREATE TABLE " + source + " (id STRING, text STRING, label STRING) USING delta"
                + " TBLPROPERTIES (delta.enableChangeDataFeed = true)");
        spark.sql("INSERT INTO " + source + " VALUES ('a1', 'A wonderful, moving film.', 'positive'),"
                + " ('a2', 'Dull and boring.', 'negative'), ('a3', 'I loved it.', 'positive'),"
                + " ('a4', 'Awful acting.', 'negative')");
        String model = TestPaths.defaultModel().toString();
        String[] settings = {"source.labels.kind = names", "scoring.source-deletes = mark"};
        String firstRun = run(Action.RUN, model, settings).runId();
        long firstVersion = spark.sql("DESCRIBE HISTORY " + source + " LIMIT 1").first().getLong(0);
        spark.sql("DELETE FROM " + source + " WHERE id = 'a2'");
        spark.sql("INSERT INTO " + source + " VALUES ('a5', 'A joy from start to finish.', 'positive')");
        long secondVersion = spark.sql("DESCRIBE HISTORY " + source + " LIMIT 1").first().getLong(0);

        RunOutcome second = run(Action.RUN, model, settings);
        Scored scored = second.scored();
        assertEquals(1, scored.result().deleted());
        assertEquals(5, spark.read().format("delta").load(dir.resolve("scored").toString()).count());
        Evaluation evaluation = second.evaluated().evaluation();
        assertEquals(4, evaluation.overall().rows(), "the marked score is left out");
        assertTrue(evaluation.basis().contains("up to date"), "the run took the marked score away from the "
                + "aggregates itself: " + evaluation.basis());

        Dataset<Row> metrics = spark.read().format("delta").load(dir.resolve("metrics").toString())
                .where("slice_name = 'source'");
        List<String> read = metrics.orderBy("run_id", "metric").select(functions.concat_ws(" ",
                        functions.when(functions.col("run_id").equalTo(firstRun), "first").otherwise("second"),
                        functions.col("slice_value"), functions.col("metric"), functions.col("value").cast("long")))
                .as(Encoders.STRING()).collectAsList();
        assertEquals(List.of("first all source_from_version 0", "first all source_to_version " + firstVersion,
                "second changes source_from_version " + (firstVersion + 1),
                "second changes source_to_version " + secondVersion), read);
        assertTrue(metrics.where("run_id = '" + firstRun + "' AND metric = 'source_from_version'").first()
                .<String>getAs("note").startsWith("no earlier run"));
        Row deleted = spark.read().format("delta").load(dir.resolve("metrics").toString())
                .where("metric = 'deleted_rows' AND run_id = '" + scored.result().runId() + "'").first();
        assertEquals(1.0, deleted.<Double>getAs("value"));
    }

    @Test
    void laterRunsAddWhatTheyChangedToTheAggregatesAndAFullEvaluationGivesTheSameMetrics() {
        String model = TestPaths.defaultModel().toString();
        String[] settings = {"source.labels.kind = names", "evaluation.slices.length = \"length(text) > 12\""};
        writeSource(RowFactory.create("1", "A wonderful, moving film.", "positive"),
                RowFactory.create("2", "Dull and boring.", "negative"),
                RowFactory.create("3", "I loved it.", "positive"));
        Evaluation rebuilt = run(Action.RUN, model, settings).evaluated().evaluation();
        assertTrue(rebuilt.basis().startsWith("every scored row"), rebuilt.basis());

        writeSource(RowFactory.create("1", "A wonderful, moving film.", "positive"),
                RowFactory.create("2", "Dull and boring, then awful.", "negative"),
                RowFactory.create("4", "Awful acting.", "negative"),
                RowFactory.create("5", "A joy from start to finish.", "positive"));
        RunOutcome second = run(Action.RUN, model, settings);
        Scored scored = second.scored();
        Evaluation merged = second.evaluated().evaluation();
        assertTrue(merged.basis().contains("up to date") && merged.basis().contains(
                "among those run " + scored.result().runId() + " scored"), merged.basis());
        assertFalse(DeltaHistory.detail(spark, TableLocation.atPath(dir.resolve("scored").toString())).changeFeed(),
                "the scored table needs no change data feed: the scoring run added its own changes");
        assertEquals(4, merged.overall().rows(), "the whole scored table, not only what changed: 1, 2, 4 and 5 (the "
                + "source, read whole, no longer holds 3)");

        Evaluation full = run(Action.EVALUATE, model, settings[0], settings[1], "evaluation.full = true").evaluated()
                .evaluation();
        assertTrue(full.basis().startsWith("every scored row at scored-table version"), full.basis());
        java.time.Instant at = java.time.Instant.EPOCH;
        assertEquals(MetricRows.evaluationRows(full, "r", at), MetricRows.evaluationRows(merged, "r", at));

        List<String> from = spark.read().format("delta").load(dir.resolve("review_runs").toString())
                .orderBy("started_at").select("evaluated_from").as(Encoders.STRING()).collectAsList();
        assertEquals(List.of("rows", "aggregates", "rows"), from);
    }
}
