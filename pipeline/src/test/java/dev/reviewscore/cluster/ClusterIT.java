package dev.reviewscore.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.reviewscore.RunInfo;
import dev.reviewscore.job.JobRun;
import dev.reviewscore.job.Sessions;
import dev.reviewscore.config.JobConfig;
import dev.reviewscore.config.JobConfigLoader;
import dev.reviewscore.inference.ModelBundle;
import dev.reviewscore.inference.ModelLocation;
import dev.reviewscore.scoring.ScoringJob;
import dev.reviewscore.scoring.ScoringResult;
import dev.reviewscore.sink.DeltaTables;
import dev.reviewscore.testing.ExecutorProbe;
import dev.reviewscore.testing.SampleCopies;
import dev.reviewscore.testing.TestPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline on a real multi-JVM Spark cluster on this machine ({@code local-cluster}: a master, two workers and
 * two executor JVMs of one core each), so that per-executor state, serialization and executor loss are real.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
    private static final int EXECUTORS = 2;
    private static SparkSession spark;

    @TempDir
    static Path dir;

    /** The executors' java.io.tmpdir, so their model cache is not the driver's. */
    private static Path executorTmp;

    @BeforeAll
    static void startCluster() throws Exception {
        ExecutorProbe.record();
        Path sparkHome = Path.of(System.getenv("SPARK_HOME"));
        Files.createDirectories(sparkHome.resolve("jars"));
        Files.writeString(sparkHome.resolve("RELEASE"), "");
        Map<String, String> settings = new HashMap<>();
        settings.put("spark.master", "local-cluster[" + EXECUTORS + ",1,1536]");
        settings.put("spark.executor.extraClassPath", System.getProperty("java.class.path"));
        settings.put("spark.ui.enabled", "false");
        settings.put("spark.sql.shuffle.partitions", "8");
        settings.put("spark.databricks.delta.snapshotPartitions", "2");
        settings.put("spark.driver.host", "127.0.0.1");
        executorTmp = Files.createDirectories(dir.resolve("executor-tmp"));
        settings.put("spark.executor.extraJavaOptions", "-Djava.io.tmpdir=" + executorTmp);
        spark = Sessions.create(settings);
        long deadline = System.currentTimeMillis() + 120_000;
        while (spark.sparkContext().getExecutorMemoryStatus().size() < EXECUTORS + 1) {
            assertTrue(System.currentTimeMillis() < deadline, "executors did not register");
            Thread.sleep(200);
        }
    }

    @AfterAll
    static void stopCluster() {
        if (spark != null) {
            spark.stop();
        }
    }

    private static long writeSource(String name, int copies) {
        return SampleCopies.write(spark, dir.resolve(name), copies, 8);
    }

    private static JobConfig config(String source) {
        return config(source, TestPaths.defaultModel().toString());
    }

    private static JobConfig config(String source, String model) {
        return new JobConfigLoader(dir).loadText("""
                source { path = %s, columns.label = label }
                model.location = "%s"
                output {
                  scored.path = scored-%s, rejects.path = rejects-%s, metrics.path = metrics, reports = reports
                }
                """.formatted(source, model, source, source)).config();
    }

    private static ScoringResult score(JobConfig config) {
        return new ScoringJob(spark, config, ModelBundle.open(Path.of(config.model().location())), RunInfo.start())
                .execute();
    }

    private static List<String> onEveryExecutor(org.apache.spark.api.java.function.MapPartitionsFunction<Long, String>
                                                        probe) {
        return spark.range(0, 64, 1, 64).mapPartitions(probe, Encoders.STRING()).collectAsList();
    }

    private static void assertScoredOnce(JobConfig config, long input, ScoringResult result) {
        assertEquals(input, result.input());
        assertEquals(input, result.scored());
        assertEquals(0, result.rejected());
        assertEquals(0, result.skipped());
        Dataset<Row> table = DeltaTables.read(spark, config.output().scored());
        assertEquals(input, table.count());
        assertEquals(input, table.select("review_id", "model_version").distinct().count());
    }

    /** Counts the scoring step's tasks. */
    private static class ScoringTasks extends SparkListener {
        final Set<Integer> stages = ConcurrentHashMap.newKeySet();
        final AtomicInteger started = new AtomicInteger();

        @Override
        public void onJobStart(SparkListenerJobStart start) {
            if (start.properties().getProperty("spark.job.description", "").endsWith(ScoringJob.SCORING_STEP)) {
                start.stageIds().foreach(id -> stages.add((Integer) id));
            }
        }

        @Override
        public void onTaskStart(SparkListenerTaskStart start) {
            if (stages.contains(start.stageId())) {
                onScoringTask(start);
            }
        }

        void onScoringTask(SparkListenerTaskStart start) {
            started.incrementAndGet();
        }
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    @Order(1)
    void eachExecutorLoadsTheModelOnceAndStaysOffline() {
        Set<String> executors = new HashSet<>(onEveryExecutor(ExecutorProbe.RECORD));
        assertEquals(EXECUTORS, executors.size(), "both executors ran a probe task: " + executors);
        long input = writeSource("reviews", 10);
        JobRun.openAndProbe(config("reviews"));
        assertEquals(List.of(), ExecutorProbe.opened(), "URLs opened by the driver while loading the model");
        ScoringTasks tasks = new ScoringTasks();
        spark.sparkContext().addSparkListener(tasks);
        ScoringResult result;
        try {
            result = score(config("reviews"));
        } finally {
            spark.sparkContext().removeSparkListener(tasks);
        }
        assertScoredOnce(config("reviews"), input, result);
        assertTrue(tasks.started.get() >= 2 * EXECUTORS, "scoring tasks: " + tasks.started.get());

        Map<String, String> reports = new HashMap<>();
        for (String line : onEveryExecutor(ExecutorProbe.REPORT)) {
            reports.put(line.substring(0, line.indexOf('|')), line);
        }
        assertEquals(executors, reports.keySet());
        for (String report : reports.values()) {
            String[] fields = report.split("\\|", -1);
            assertEquals("1", fields[1], "model loads in executor " + report);
            assertEquals("true", fields[2], "DJL_OFFLINE in executor " + report);
            assertEquals("true", fields[3], "DJL offline switches in executor " + report);
            assertEquals("", fields[4], "URLs opened by executor " + report);
        }
        assertEquals(List.of(), ExecutorProbe.opened(), "URLs opened by the driver");
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    @Order(2)
    void killingAnExecutorWhileItScoresStillScoresEveryReviewOnce() throws Exception {
        List<String> pids = onEveryExecutor(ExecutorProbe.REPORT).stream().map(l -> l.substring(0, l.indexOf('|')))
                .distinct().toList();
        long input = writeSource("more-reviews", 20);
        AtomicLong killedPid = new AtomicLong();
        ScheduledExecutorService killer = Executors.newSingleThreadScheduledExecutor();
        ScoringTasks killOnce = new ScoringTasks() {
            @Override
            void onScoringTask(SparkListenerTaskStart start) {
                if (started.incrementAndGet() == 1) {
                    killer.schedule(() -> {
                        long pid = Long.parseLong(pids.get(0));
                        ProcessHandle.of(pid).ifPresent(p -> {
                            if (p.destroyForcibly()) {
                                killedPid.set(pid);
                            }
                        });
                    }, 1500, TimeUnit.MILLISECONDS);
                }
            }
        };
        spark.sparkContext().addSparkListener(killOnce);
        ScoringResult result;
        try {
            result = score(config("more-reviews"));
        } finally {
            spark.sparkContext().removeSparkListener(killOnce);
            killer.shutdownNow();
        }
        assertTrue(killedPid.get() != 0, "no executor was killed");
        assertTrue(ProcessHandle.of(killedPid.get()).map(p -> !p.isAlive()).orElse(true));
        assertScoredOnce(config("more-reviews"), input, result);
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    @Order(3)
    void executorsCopyAModelGivenAsAUriIntoTheirOwnCache() throws Exception {
        String uri = TestPaths.defaultModel().toUri().toString();
        JobConfig config = config("uri-reviews", uri);
        long input = writeSource("uri-reviews", 1);
        ModelBundle bundle = ModelLocation.open(uri, ModelLocation.hadoopConfiguration(config.spark()));
        Path executorCopy = executorTmp.resolve("reviewscore-models").resolve(bundle.version());
        assertFalse(Files.exists(executorCopy), "the executors' model cache starts empty");
        assertScoredOnce(config, input, new ScoringJob(spark, config, bundle, RunInfo.start()).execute());
        assertTrue(Files.isDirectory(executorCopy), "no executor copied the model from " + uri);
        assertEquals(ModelBundle.open(TestPaths.defaultModel()).version(), ModelBundle.open(executorCopy).version(),
                "the executors' copy has the model's files");
    }
}
