package dev.reviewscore.cli;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.reviewscore.testing.CapturedLogs;
import dev.reviewscore.testing.CredentialedFileSystem;
import dev.reviewscore.testing.TestPaths;
import dev.reviewscore.testing.TestSpark;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    @TempDir
    Path dir;

    private record Outcome(int code, String out, String err) {}

    private Outcome main(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private String[] withOutputsInTemp(String command, String... extra) {
        String config = TestPaths.project().resolve("conf/local.conf").toString();
        String[] base = {command, "--config", config,
            "--conf", "source.path=" + TestPaths.sampleReviews(),
            "--conf", "model.location=" + TestPaths.defaultModel(),
            "--conf", "output.scored.path=" + dir.resolve("scored"),
            "--conf", "output.rejects.path=" + dir.resolve("rejects"),
            "--conf", "output.metrics.path=" + dir.resolve("metrics"),
            "--conf", "output.reports=" + dir.resolve("reports")};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return args;
    }

    @Test
    void runScoresEvaluatesAndPrintsTheModelCardBlockThenARerunScoresNothing() throws Exception {
        TestSpark.session();
        Outcome first = main(withOutputsInTemp("run"));
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().contains("Input 320 = scored 320 + rejected 0 + skipped 0"), first.out());
        assertTrue(first.out().contains("\n- Loss: "), first.out());
        assertTrue(first.out().contains("\n- Accuracy: "), first.out());
        assertTrue(first.out().contains("\n- F1: ["), first.out());
        assertTrue(first.out().contains("\n- Auc: "), first.out());
        try (var reports = Files.walk(dir.resolve("reports"))) {
            assertEquals(2, reports.filter(p -> p.toString().endsWith("report.md")
                    || p.toString().endsWith("report.json")).count());
        }
        String out = first.out();
        String block = out.substring(out.indexOf("- Loss: "), out.indexOf('\n', out.indexOf("- Auc: ")));
        String readme = Files.readString(TestPaths.project().resolve("README.md"));
        assertTrue(readme.contains("```\n" + block + "\n```"), "README's model-card block is what the sample run "
                + "prints:\n" + block);
        double loss = 0;
        int labeled = 0;
        for (Row row : TestSpark.session().read().format("delta").load(dir.resolve("scored").toString())
                .select("label", "probabilities").collectAsList()) {
            if (!row.isNullAt(0)) {
                loss -= Math.log(row.<String, Double>getJavaMap(1).get(row.getString(0)));
                labeled++;
            }
        }
        assertEquals(279, labeled, "the sample's labeled reviews");
        assertEquals(String.format(Locale.ROOT, "- Loss: %.4f", loss / labeled), block.lines().findFirst()
                .orElseThrow(), "the Loss line is the log loss of the labeled reviews, computed here in a plain loop");

        Outcome second = main(withOutputsInTemp("run"));
        assertEquals(0, second.code(), second.err());
        assertTrue(second.out().contains("Input 320 = scored 0 + rejected 0 + skipped 320"), second.out());
        assertEquals(320, TestSpark.session().read().format("delta").load(dir.resolve("scored").toString()).count());
        var metrics = TestSpark.session().read().format("delta").load(dir.resolve("metrics").toString());
        assertEquals(2, metrics.select("run_id").distinct().count());
        assertEquals(List.of(0.0, 0.0), metrics.where("metric = 'gates_broken'").select("value")
                .as(Encoders.DOUBLE()).collectAsList(), "each run records that it broke no gate");
    }

    @Test
    void aBrokenQualityGateExitsWithThreeAfterWritingEverything() throws Exception {
        TestSpark.session();
        Outcome outcome = main(withOutputsInTemp("run", "--conf", "gates.min-accuracy=0.999",
                "--conf", "gates.max-reject-rate=0.5"));
        assertEquals(3, outcome.code(), outcome.err());
        String[] lines = outcome.err().strip().split("\n");
        assertEquals(1, java.util.Arrays.stream(lines).filter(l -> l.startsWith("Quality gate failed")).count());
        assertTrue(lines[lines.length - 1].matches("Quality gate failed: gates\\.min-accuracy = 0\\.999, but "
                + "accuracy = 0\\.9[0-9]{3}"), lines[lines.length - 1]);
        assertEquals(320, TestSpark.session().read().format("delta").load(dir.resolve("scored").toString()).count());
        assertTrue(TestSpark.session().read().format("delta").load(dir.resolve("metrics").toString())
                .where("metric = 'accuracy' AND slice_name = 'movie'").count() > 5, "per-movie slices written");
        try (var reports = Files.walk(dir.resolve("reports"))) {
            assertTrue(reports.anyMatch(p -> p.toString().endsWith("report.json")));
        }
        var metrics = TestSpark.session().read().format("delta").load(dir.resolve("metrics").toString());
        assertEquals(List.of(1.0), metrics.where("metric = 'gates_broken'").select("value").as(Encoders.DOUBLE())
                .collectAsList(), "the gate outcome is in the metrics table");
        Row broken = metrics.where("metric = 'gate_broken'").select("slice_name", "slice_value", "note").first();
        assertEquals("gate", broken.getString(0));
        assertEquals("gates.min-accuracy", broken.getString(1));
        assertEquals(lines[lines.length - 1], broken.getString(2));
    }

    @Test
    void aGateOnTheLowerBoundFailsWhereThePointValuePassesAndTheReportSaysSo() throws Exception {
        TestSpark.session();
        // 275 of 279 labeled sample reviews are right: accuracy 0.9857, Wilson 95% interval about [0.964, 0.994]
        Outcome point = main(withOutputsInTemp("run", "--conf", "gates.min-accuracy=0.97"));
        assertEquals(0, point.code(), point.err());
        assertTrue(point.out().matches("(?s).*\n- 95% confidence intervals: Loss \\[0\\.\\d{4}, 0\\.\\d{4}\\], "
                + "Accuracy \\[0\\.96\\d\\d, 0\\.99\\d\\d\\], F1 \\[\\[.*"), point.out());

        Outcome bound = main(withOutputsInTemp("evaluate", "--conf", "gates.min-accuracy=0.97",
                "--conf", "gates.on=lower-bound", "--conf", "gates.slices=true", "--conf", "gates.min-auc=0.9"));
        assertEquals(3, bound.code(), bound.err());
        List<String> failed = java.util.Arrays.stream(bound.err().strip().split("\n"))
                .filter(l -> l.startsWith("Quality gate failed")).toList();
        assertTrue(failed.get(0).matches("Quality gate failed: gates\\.min-accuracy = 0\\.97, but accuracy \\(lower "
                + "bound of its interval\\) = 0\\.96\\d\\d"), failed.toString());
        assertTrue(failed.stream().allMatch(l -> l.startsWith("Quality gate failed: gates.min-")), failed.toString());

        Outcome interval = main(withOutputsInTemp("evaluate", "--conf", "gates.min-accuracy=0.97",
                "--conf", "gates.on=interval"));
        assertEquals(0, interval.code(), interval.err());

        var metrics = TestSpark.session().read().format("delta").load(dir.resolve("metrics").toString());
        Row accuracy = metrics.where("metric = 'accuracy' AND slice_name = 'all'")
                .select("value", "lower", "upper", "interval_method", "confidence_level").first();
        assertTrue(accuracy.getDouble(1) < accuracy.getDouble(0) && accuracy.getDouble(0) < accuracy.getDouble(2));
        assertEquals("wilson", accuracy.getString(3));
        assertEquals(0.95, accuracy.getDouble(4));
        String markdown;
        try (var reports = Files.walk(dir.resolve("reports"))) {
            List<Path> files = reports.filter(p -> p.toString().endsWith("report.md")).sorted(
                    java.util.Comparator.comparing(p -> p.toFile().lastModified())).toList();
            markdown = Files.readString(files.get(1));
        }
        assertTrue(markdown.contains("## Quality gates"), markdown);
        assertTrue(markdown.contains("| gates.min-accuracy | all | accuracy lower bound | 0.96"), markdown);
        assertTrue(markdown.contains("labeled reviews (gates.min-labeled-reviews): "), "slices of the 320 sample "
                + "reviews have fewer than 100 labeled reviews each: " + markdown);
    }

    @Test
    void evaluateNeedsNoSourceButScoreDoes() throws Exception {
        TestSpark.session();
        assertEquals(0, main(withOutputsInTemp("score")).code());
        Path noSource = Files.writeString(dir.resolve("no-source.conf"), """
                model.location = "%s"
                output { scored.path = "%s", rejects.path = "%s", metrics.path = "%s", reports = "%s" }
                """.formatted(TestPaths.defaultModel(), dir.resolve("scored"), dir.resolve("rejects"),
                dir.resolve("metrics"), dir.resolve("reports")));
        Outcome evaluated = main("evaluate", "--config", noSource.toString());
        assertEquals(0, evaluated.code(), evaluated.err());
        assertTrue(evaluated.out().contains("labeled of 320 scored reviews"), evaluated.out());
        Outcome scored = main("score", "--config", noSource.toString());
        assertEquals(2, scored.code());
        assertTrue(scored.err().contains("source.path"), scored.err());
    }

    @Test
    void credentialsInLocationsAreMaskedInOutputLogsTablesAndReports() throws Exception {
        SparkSession spark = TestSpark.session();
        spark.sparkContext().hadoopConfiguration().set("fs.credfs.impl", CredentialedFileSystem.class.getName());
        List<String> sample = Files.readAllLines(TestPaths.sampleReviews()).subList(0, 7);
        Path reviews = Files.write(dir.resolve("reviews.csv"), sample);
        Outcome outcome;
        String logs;
        try (CapturedLogs captured = new CapturedLogs()) {
            outcome = main(withOutputsInTemp("run",
                    "--conf", "source.path=" + CredentialedFileSystem.location("alice", "hunter2", reviews),
                    "--conf", "model.location=" + CredentialedFileSystem.location("alice", "hunter2",
                            TestPaths.defaultModel()),
                    "--conf", "spark.hadoop.fs.credfs.impl=" + CredentialedFileSystem.class.getName()));
            logs = captured.text();
        }
        assertEquals(0, outcome.code(), outcome.err());
        assertTrue(outcome.out().contains("scoring path credfs://****@bucket/"), outcome.out());
        assertTrue(logs.contains("merging them into"), "the job's log lines were captured");
        Map<String, String> written = new TreeMap<>();
        written.put("standard output", outcome.out());
        written.put("standard error", outcome.err());
        written.put("log", logs);
        try (var files = Files.walk(dir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                if (file.toString().contains("/reports/")) {
                    written.put(dir.relativize(file).toString(), Files.readString(file));
                }
            }
        }
        for (String table : List.of("scored", "rejects", "metrics", "review_runs", "review_slice_metrics",
                "review_latest_metrics")) {
            var rows = spark.read().format("delta").load(dir.resolve(table).toString());
            written.put(table, String.join("\n", rows.select(to_json(struct(col("*")))).as(Encoders.STRING())
                    .collectAsList()));
        }
        assertTrue(written.get("review_runs").contains("credfs://****@bucket/"), written.get("review_runs"));
        written.forEach((place, text) -> assertFalse(text.contains("hunter2"), place + " shows the password"));
    }

    @Test
    void invalidConfigurationExitsWithTwoAndOneMessage() {
        Outcome outcome = main(withOutputsInTemp("score", "--conf", "model.batch-size=-1"));
        assertEquals(2, outcome.code());
        assertEquals("Error: Invalid configuration: model.batch-size = -1. Fix: use a whole number from 1 to 4096 "
                + "(8 is a good start on CPU) (in the configuration file, or with --conf model.batch-size=...).\n",
                outcome.err());
    }

    @Test
    void aMissingModelFolderExitsWithTwo() {
        Outcome outcome = main(withOutputsInTemp("score", "--conf", "model.location=" + dir.resolve("none")));
        assertEquals(2, outcome.code());
        assertTrue(outcome.err().startsWith("Error: Model folder " + dir.resolve("none") + " does not exist."),
                outcome.err());
    }

    @Test
    void usageErrorsExitWithTwo() {
        assertEquals(2, main("frobnicate").code());
        assertEquals(2, main("score", "--no-such-option").code());
        assertEquals(2, main().code());
    }

    @Test
    void anInternalFailureExitsWithOneAndEndsWithTheCause() throws Exception {
        Path log = Files.createDirectories(dir.resolve("scored/_delta_log"));
        Files.writeString(log.resolve("00000000000000000000.json"), "{\"this is\": not a delta log\n");
        Outcome outcome = main(withOutputsInTemp("score"));
        assertEquals(1, outcome.code(), outcome.err());
        String[] lines = outcome.err().strip().split("\n");
        assertTrue(lines[lines.length - 1].startsWith("Failed: "), lines[lines.length - 1]);
    }

    @Test
    void aLocationWhoseFileSystemIsMissingSaysWhichLibraryProvidesItAndExitsWithTwo() {
        Outcome outcome = main(withOutputsInTemp("score", "--conf", "source.path=s3a://reviews-bucket/reviews.csv"));
        assertEquals(2, outcome.code(), outcome.err());
        assertEquals(1, outcome.err().strip().lines().count(), "one message, no stack trace:\n" + outcome.err());
        assertTrue(outcome.err().startsWith("Error: No Hadoop file system for s3a:// locations on this machine's "
                + "class path ("), outcome.err());
        assertTrue(outcome.err().contains("org.apache.hadoop:hadoop-aws"), outcome.err());
    }

    @Test
    void anOutputFolderThatIsNotADeltaTableExitsWithTwo() throws Exception {
        Files.createDirectories(dir.resolve("scored"));
        Files.writeString(dir.resolve("scored/notes.txt"), "not a table");
        Outcome outcome = main(withOutputsInTemp("score"));
        assertEquals(2, outcome.code(), outcome.err());
        assertTrue(outcome.err().contains("the folder exists, is not empty, and is not a Delta table. Fix: point the "
                + "output.* setting at an empty folder or a Delta table."), outcome.err());
    }

    @Test
    void evaluatingBeforeScoringSaysWhatToDo() {
        Outcome outcome = main(withOutputsInTemp("evaluate"));
        assertEquals(2, outcome.code());
        assertTrue(outcome.err().startsWith("Error: Scored table path " + dir.resolve("scored") + " does not exist. "
                + "Fix: run the score command first"), outcome.err());
    }
}
