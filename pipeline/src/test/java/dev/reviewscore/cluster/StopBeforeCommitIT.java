package dev.reviewscore.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.reviewscore.job.Sessions;
import dev.reviewscore.testing.TestPaths;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import io.delta.tables.DeltaTable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A scoring job killed (SIGKILL) after it scored and before its Delta commit finished, then run again, leaves the
 * same scored table as a run that was never interrupted. The job runs as the command line does, in a child JVM.
 */
class StopBeforeCommitIT {
    private static final String MERGING = "merging them into";

    @TempDir
    Path dir;

    private List<String> command(String table) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + TestPaths.project().resolve("conf/jvm-options"),
                "-cp", System.getProperty("java.class.path"),
                "dev.reviewscore.cli.Main", "score",
                "--config", TestPaths.project().resolve("conf/local.conf").toString()));
        for (String setting : List.of(
                "source.path=" + TestPaths.sampleReviews(),
                "model.location=" + TestPaths.defaultModel(),
                "output.scored.path=" + dir.resolve(table),
                "output.rejects.path=" + dir.resolve(table + "-rejects"),
                "output.metrics.path=" + dir.resolve("metrics"),
                "output.reports=" + dir.resolve("reports"),
                "spark.master=local[2]")) {
            command.add("--conf");
            command.add(setting);
        }
        return command;
    }

    /** Runs the command line; with {@code killAt}, kills it as soon as it prints a line containing that text. */
    private int run(String table, String killAt) throws Exception {
        Process process = new ProcessBuilder(command(table)).redirectErrorStream(true).start();
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
        SparkSession spark = Sessions.create(Map.of("spark.master", "local[2]", "spark.ui.enabled", "false",
                "spark.driver.host", "127.0.0.1"));
        try {
            assertNotEquals(0, run("scored", MERGING), "the killed run must not exit 0");
            long afterKill = DeltaTable.isDeltaTable(spark, dir.resolve("scored").toString())
                    ? contents(spark, "scored").count() : 0;
            assertTrue(afterKill == 0 || afterKill == 320, "a commit is all or nothing: " + afterKill + " rows");
            System.out.println("StopBeforeCommitIT: the killed run left " + afterKill + " scored rows");

            assertEquals(0, run("scored", null));
            assertEquals(0, run("reference", null));
            Dataset<Row> rerun = contents(spark, "scored");
            Dataset<Row> reference = contents(spark, "reference");
            assertEquals(320, rerun.count());
            assertEquals(320, rerun.select("review_id").distinct().count());
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
