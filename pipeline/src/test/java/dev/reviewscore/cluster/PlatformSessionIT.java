package dev.reviewscore.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.reviewscore.cli.JobFailedException;
import dev.reviewscore.cli.Main;
import dev.reviewscore.testing.TestPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job where a platform owns the JVM and the session, as a Databricks JAR task: a child JVM with the runtime's
 * {@code DATABRICKS_RUNTIME_VERSION} creates its session first (Delta configured, its own SQL settings), then calls
 * the entry point {@code Main.main} twice, a good run and one that breaks a quality gate. The entry point must
 * return from the first and throw from the second (never exit the JVM), leave every setting of the session as it
 * was, and leave the session running and usable.
 */
class PlatformSessionIT {
    @TempDir
    Path dir;

    /** The platform's side, in the child JVM: args are the folder for the job's outputs. */
    public static final class Platform {
        public static void main(String[] args) {
            Path out = Path.of(args[0]);
            SparkSession spark = SparkSession.builder().appName("platform").master("local[2]")
                    .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
                    .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
                    .config("spark.sql.shuffle.partitions", "7")
                    .config("spark.databricks.delta.snapshotPartitions", "2")
                    .config("spark.sql.session.timeZone", "America/Los_Angeles")
                    .config("spark.ui.enabled", "false")
                    .getOrCreate();
            // a session that has done Delta work before, as a cluster's has: Delta's own session state is in place
            spark.range(3).write().format("delta").save(out.resolve("platform-table").toString());
            System.out.println("settings-before=" + settings(spark));
            List<String> job = new ArrayList<>(List.of("run", "--config",
                    TestPaths.project().resolve("conf/local.conf").toString(),
                    "--conf", "source.path=" + TestPaths.sampleReviews(),
                    "--conf", "model.location=" + TestPaths.defaultModel(),
                    "--conf", "output.scored.path=" + out.resolve("scored"),
                    "--conf", "output.rejects.path=" + out.resolve("rejects"),
                    "--conf", "output.metrics.path=" + out.resolve("metrics"),
                    "--conf", "output.reports=" + out.resolve("reports")));
            Main.main(job.toArray(String[]::new));
            System.out.println("first=returned");
            job.addAll(List.of("--conf", "gates.min-accuracy=0.999"));
            try {
                Main.main(job.toArray(String[]::new));
                System.out.println("second=returned");
            } catch (JobFailedException e) {
                System.out.println("second=threw exit code " + e.exitCode() + ": " + e.getMessage());
            }
            System.out.println("settings-after=" + settings(spark));
            System.out.println("stopped=" + spark.sparkContext().isStopped());
            System.out.println("scored=" + spark.read().format("delta").load(out.resolve("scored").toString())
                    .count());
            spark.stop();
        }

        /**
         * The session's settings (what {@code SET} lists), less the one Delta itself updates on every commit in the
         * session.
         */
        private static Map<String, String> settings(SparkSession spark) {
            Map<String, String> settings = new TreeMap<>();
            for (Row row : spark.sql("SET").collectAsList()) {
                settings.put(row.getString(0), row.getString(1));
            }
            settings.remove("spark.databricks.delta.lastCommitVersionInSession");
            return settings;
        }
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void thePlatformsSessionIsUsedAsItIsAndOutlivesTheJob() throws Exception {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx2g",
                "@" + TestPaths.project().resolve("conf/jvm-options"), "-cp", System.getProperty("java.class.path"),
                Platform.class.getName(), dir.toString());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("platform.log").toFile());
        builder.environment().put("DATABRICKS_RUNTIME_VERSION", "17.3");
        builder.environment().put("DJL_OFFLINE", "true");
        builder.environment().put("OPT_OUT_TRACKING", "true");
        Process process = builder.start();
        assertTrue(process.waitFor(5, TimeUnit.MINUTES), "the platform JVM did not finish");
        String log = Files.readString(dir.resolve("platform.log"));
        assertEquals(0, process.exitValue(), log);
        Map<String, String> lines = log.lines().filter(line -> line.matches("[a-z-]+=.*"))
                .collect(Collectors.toMap(line -> line.substring(0, line.indexOf('=')),
                        line -> line.substring(line.indexOf('=') + 1), (first, second) -> second));
        assertEquals("returned", lines.get("first"), log);
        assertTrue(lines.get("second").startsWith("threw exit code 3: reviewscore run failed with exit code 3 (a "
                + "quality gate was broken"), lines.get("second"));
        assertTrue(lines.get("settings-before").contains("spark.sql.shuffle.partitions=7"),
                lines.get("settings-before"));
        assertEquals(lines.get("settings-before"), lines.get("settings-after"), "the session's settings");
        assertEquals("false", lines.get("stopped"));
        assertEquals("320", lines.get("scored"));
    }
}
