package dev.reviewscore.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.reviewscore.job.Sessions;
import dev.reviewscore.testing.GatedLogStore;
import dev.reviewscore.testing.TestPaths;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import io.delta.tables.DeltaTable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A scoring job killed (SIGKILL) inside its MERGE, after the MERGE wrote its data files and before its commit, leaves
 * the scored table as it was before the run; run again, it leaves the same scored table as a run that was never
 * interrupted. The job runs as the command line does, in a child JVM whose Delta log store ({@link GatedLogStore})
 * stops at that commit.
 */
class StopBeforeCommitIT {
    /** Reviews in the source: the first of the bundled sample's (one line each). */
    private static final int REVIEWS = 60;

    @TempDir
    Path dir;

    private List<String> command(String table, boolean pauseBeforeCommit) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + TestPaths.project().resolve("conf/jvm-options")));
        if (pauseBeforeCommit) {
            command.add("-D" + GatedLogStore.PAUSE_PROPERTY + "=" + dir.resolve(table));
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"),
                "dev.reviewscore.cli.Main", "score",
                "--config", TestPaths.project().resolve("conf/local.conf").toString()));
        for (String setting : List.of(
                "source.path=" + dir.resolve("reviews.csv"),
                "model.location=" + TestPaths.defaultModel(),
                "output.scored.path=" + dir.resolve(table),
                "output.rejects.path=" + dir.resolve(table + "-rejects"),
                "output.metrics.path=" + dir.resolve("metrics"),
                "output.reports=" + dir.resolve("reports"),
                "spark.delta.logStore.file.impl=" + GatedLogStore.class.getName(),
                "spark.master=local[2]")) {
            command.add("--conf");
            command.add(setting);
        }
        return command;
    }

    /** Runs the command line; with {@code killAt}, kills it as soon as it prints a line containing that text. */
    private int run(String table, String killAt) throws Exception {
        Process process = new ProcessBuilder(command(table, killAt != null)).redirectErrorStream(true).start();
        boolean killed = false;
        try (BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = output.readLine(); line != null; line = output.readLine()) {
                if (killAt != null && line.contains(killAt)) {
                    process.destroyForcibly();
                    killed = true;
                    break;
                }
            }
        }
        assertTrue(process.waitFor(5, TimeUnit.MINUTES));
        assertEquals(killAt != null, killed, "the kill point was " + (killed ? "" : "not ") + "reached");
        return process.exitValue();
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void aRunKilledBeforeItsCommitThenRerunEqualsAnUninterruptedRun() throws Exception {
        Files.write(dir.resolve("reviews.csv"), Files.readAllLines(TestPaths.sampleReviews()).subList(0, REVIEWS + 1));
        SparkSession spark = Sessions.create(Map.of("spark.master", "local[2]", "spark.ui.enabled", "false",
                "spark.driver.host", "127.0.0.1"));
        try {
            assertNotEquals(0, run("scored", GatedLogStore.PAUSED), "the killed run must not exit 0");
            DeltaTable killed = DeltaTable.forPath(spark, dir.resolve("scored").toString());
            assertEquals(0L, killed.history(1).select("version").first().getLong(0),
                    "only the table's creation is committed");
            assertEquals(0, killed.toDF().count(), "the MERGE's rows are not in the table");
            try (Stream<Path> files = Files.list(dir.resolve("scored"))) {
                assertTrue(files.anyMatch(file -> file.getFileName().toString().endsWith(".parquet")),
                        "the MERGE had written its data files when it was killed");
            }

            assertEquals(0, run("scored", null));
            assertEquals(0, run("reference", null));
            Dataset<Row> rerun = contents(spark, "scored");
            Dataset<Row> reference = contents(spark, "reference");
            assertEquals(REVIEWS, rerun.count());
            assertEquals(REVIEWS, rerun.select("review_id").distinct().count());
            assertEquals(0, rerun.except(reference).count());
            assertEquals(0, reference.except(rerun).count());
        } finally {
            spark.stop();
        }
    }

    private Dataset<Row> contents(SparkSession spark, String table) {
        return spark.read().format("delta").load(dir.resolve(table).toString())
                .selectExpr("review_id", "model_version", "predicted_label", "predicted_index",
                        "to_json(probabilities) AS probabilities", "label", "text_hash", "token_count", "movie");
    }
}
