package dev.reviewscore.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.reviewscore.cli.Main;
import dev.reviewscore.testing.TestPaths;
import dev.reviewscore.testing.TestSpark;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole job over Spark Connect, as on Databricks' standard access mode and serverless compute: a Spark Connect
 * server in a JVM of its own (Delta's extension and catalog, the project's classes on its class path, so that scoring
 * tasks run there), and the command line's job in another JVM as a Connect client, which has no SparkContext. The
 * job scores the sample and two rows without text, merges, records the rejects, evaluates, and writes the reports and
 * the metrics tables; a rerun scores nothing. The tables are read back here by a classic session of this JVM.
 */
class SparkConnectIT {
    @TempDir
    static Path dir;
    private static Process server;
    private static int port;

    /** The client's side: connects, then runs the command line's job with the remaining arguments. */
    public static final class Client {
        public static void main(String[] args) {
            SparkSession spark = SparkSession.builder().config("spark.api.mode", "connect")
                    .remote("sc://127.0.0.1:" + args[0]).getOrCreate();
            System.out.println("session=" + spark.getClass().getName());
            List<String> job = new ArrayList<>(List.of(args).subList(1, args.length));
            Main.main(job.toArray(String[]::new));
        }
    }

    /** What a JVM of this test printed, and how it ended. */
    private record Output(int exitCode, String text) {}

    @BeforeAll
    static void startServer() throws Exception {
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        List<String> command = java("server", List.of(
                "-Dspark.master=local[2]", "-Dspark.app.name=reviewscore-connect-server",
                "-Dspark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension",
                "-Dspark.sql.catalog.spark_catalog=org.apache.spark.sql.delta.catalog.DeltaCatalog",
                "-Dspark.connect.grpc.binding.port=" + port, "-Dspark.ui.enabled=false",
                "-Dspark.sql.shuffle.partitions=2", "-Dspark.databricks.delta.snapshotPartitions=1",
                "org.apache.spark.sql.connect.service.SparkConnectServer"));
        server = process(command, dir.resolve("server.log")).start();
        long deadline = System.currentTimeMillis() + 120_000;
        while (true) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                break;
            } catch (IOException notYet) {
                assertTrue(server.isAlive(), () -> "the Spark Connect server ended:\n" + log("server.log"));
                assertTrue(System.currentTimeMillis() < deadline, () -> "no Spark Connect server on port " + port
                        + " after 2 minutes:\n" + log("server.log"));
                Thread.sleep(500);
            }
        }
    }

    @AfterAll
    static void stopServer() throws InterruptedException {
        if (server != null) {
            server.destroy();
            server.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void theWholeJobRunsAsASparkConnectClientAndARerunScoresNothing() throws Exception {
        Path reviews = dir.resolve("reviews.csv");
        Files.copy(TestPaths.sampleReviews(), reviews);
        Files.writeString(reviews, "x0001,Steel Tide,2026-08-21,3,negative,\"\"\n"
                + "x0002,Steel Tide,2026-08-21,3,negative,\"   \"\n", StandardOpenOption.APPEND);
        Path out = dir.resolve("out");

        Output first = client(reviews, out, "first.log");
        assertEquals(0, first.exitCode(), first.text());
        assertTrue(first.text().contains("session=org.apache.spark.sql.connect.SparkSession"), first.text());
        assertTrue(first.text().contains("This Spark session has no SparkContext (Spark Connect)"),
                "the job ran without a SparkContext:\n" + first.text());
        assertTrue(first.text().contains("Input 322 = scored 320 + rejected 2 + skipped 0"), first.text());
        assertTrue(first.text().contains("\n- Accuracy: 0.985663082437276\n"), first.text());
        assertTrue(log("server.log").contains("ExecutorModels: Loaded model movie-sentiment"),
                "the scoring tasks ran in the server's executors:\n" + log("server.log"));

        SparkSession spark = TestSpark.session();
        Dataset<Row> scored = spark.read().format("delta").load(out.resolve("scored").toString());
        assertEquals(320, scored.count());
        assertEquals(320, scored.select("review_id").distinct().count());
        Dataset<Row> rejects = spark.read().format("delta").load(out.resolve("rejects").toString());
        assertEquals(List.of("x0001", "x0002"), rejects.select("review_id").orderBy("review_id")
                .as(Encoders.STRING()).collectAsList());
        assertTrue(spark.read().format("delta").load(out.resolve("metrics").toString())
                .where("metric = 'accuracy'").count() > 0, "the metrics table holds the run's accuracy");
        try (var runs = Files.list(out.resolve("reports"))) {
            Path run = runs.findFirst().orElseThrow();
            for (String report : List.of("report.md", "report.json", "report.html")) {
                assertTrue(Files.size(run.resolve(report)) > 0, report);
            }
        }

        Output rerun = client(reviews, out, "rerun.log");
        assertEquals(0, rerun.exitCode(), rerun.text());
        assertTrue(rerun.text().contains("Input 322 = scored 0 + rejected 2 + skipped 320"), rerun.text());
        assertEquals(320, spark.read().format("delta").load(out.resolve("scored").toString()).count());
        assertEquals(2, spark.read().format("delta").load(out.resolve("rejects").toString()).count(),
                "the rejects are recorded once");
    }

    private static Output client(Path reviews, Path out, String logName) throws Exception {
        List<String> command = java("client", List.of(Client.class.getName(), Integer.toString(port),
                "run", "--config", TestPaths.project().resolve("conf/local.conf").toString(),
                "--conf", "source.path=" + reviews,
                "--conf", "model.location=" + TestPaths.defaultModel(),
                "--conf", "output.scored.path=" + out.resolve("scored"),
                "--conf", "output.rejects.path=" + out.resolve("rejects"),
                "--conf", "output.metrics.path=" + out.resolve("metrics"),
                "--conf", "output.reports=" + out.resolve("reports")));
        Process process = process(command, dir.resolve(logName)).start();
        assertTrue(process.waitFor(5, TimeUnit.MINUTES), "the Connect client did not finish:\n" + log(logName));
        return new Output(process.exitValue(), log(logName));
    }

    /**
     * A java command: this JVM's class path after the Spark Connect server's jar or client's jar, which goes first
     * because the client's copies of Spark's SQL API classes are built against its own shaded Arrow.
     */
    private static List<String> java(String side, List<String> arguments) {
        String jar = TestPaths.buildDir().resolve("spark-connect").resolve(side.equals("server")
                ? "spark-connect_" + System.getenv("SPARK_SCALA_VERSION") + ".jar"
                : "spark-connect-client-jvm_" + System.getenv("SPARK_SCALA_VERSION") + ".jar").toString();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx2g", "@" + TestPaths.project().resolve("conf/jvm-options"),
                "-Dlog4j2.configurationFile=" + TestPaths.project().resolve("conf/log4j2.properties").toUri(), "-cp",
                jar + File.pathSeparator + System.getProperty("java.class.path")));
        command.addAll(arguments);
        return command;
    }

    private static ProcessBuilder process(List<String> command, Path log) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("DJL_OFFLINE", "true");
        builder.environment().put("OPT_OUT_TRACKING", "true");
        return builder;
    }

    private static String log(String name) {
        try {
            return Files.readString(dir.resolve(name));
        } catch (IOException e) {
            return "(no " + name + ": " + e + ")";
        }
    }
}
