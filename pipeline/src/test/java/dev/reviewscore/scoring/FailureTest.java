package dev.reviewscore.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.reviewscore.RunInfo;
import dev.reviewscore.config.JobConfig;
import dev.reviewscore.config.JobConfigLoader;
import dev.reviewscore.inference.ModelBundle;
import dev.reviewscore.sink.DeltaTables;
import dev.reviewscore.testing.CapturedLogs;
import dev.reviewscore.testing.GatedLogStore;
import dev.reviewscore.testing.SampleCopies;
import dev.reviewscore.testing.TestPaths;
import dev.reviewscore.testing.TestSpark;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Task failures and concurrent writers never lose or duplicate a scored row. */
class FailureTest {
    private final SparkSession spark = TestSpark.session();

    @TempDir
    Path dir;

    private JobConfig config(String table) {
        return new JobConfigLoader(dir).loadText("""
                source { path = source, columns.label = label }
                model.location = "%s"
                output { scored.path = %s, rejects.path = rejects-%s, metrics.path = metrics, reports = reports }
                """.formatted(TestPaths.defaultModel(), table, table)).config();
    }

    /** The sample reviews, copied {@code copies} times under new ids, as a Delta source. */
    private long writeSource(int copies) {
        return SampleCopies.write(spark, dir.resolve("source"), copies, 4);
    }

    private ScoringResult score(JobConfig config) {
        return score(spark, config);
    }

    private static ScoringResult score(SparkSession session, JobConfig config) {
        return new ScoringJob(session, config, ModelBundle.open(Path.of(config.model().location())), RunInfo.start())
                .execute();
    }

    private void assertExactlyOnce(JobConfig config, long expected) {
        Dataset<Row> table = DeltaTables.read(spark, config.output().scored());
        assertEquals(expected, table.count());
        assertEquals(expected, table.select("review_id", "model_version").distinct().count());
    }

    @Test
    void tasksKilledPartWayThroughScoringAreRerunAndEveryReviewLandsOnce() {
        long input = writeSource(40);
        Set<Long> killed = ConcurrentHashMap.newKeySet();
        ScheduledExecutorService killer = Executors.newSingleThreadScheduledExecutor();
        Set<Integer> scoringStages = ConcurrentHashMap.newKeySet();
        SparkListener killFirstAttempts = new SparkListener() {
            @Override
            public void onJobStart(SparkListenerJobStart start) {
                String description = start.properties().getProperty("spark.job.description", "");
                if (description.endsWith(ScoringJob.SCORING_STEP)) {
                    start.stageIds().foreach(id -> scoringStages.add((Integer) id));
                }
            }

            @Override
            public void onTaskStart(SparkListenerTaskStart start) {
                if (start.taskInfo().attemptNumber() == 0 && scoringStages.contains(start.stageId())) {
                    long taskId = start.taskInfo().taskId();
                    killer.schedule(() -> {
                        if (spark.sparkContext().killTaskAttempt(taskId, true, "fault injected by FailureTest")) {
                            killed.add(taskId);
                        }
                    }, 300, TimeUnit.MILLISECONDS);
                }
            }
        };
        spark.sparkContext().addSparkListener(killFirstAttempts);
        ScoringResult result;
        try {
            result = score(config("scored"));
        } finally {
            spark.sparkContext().removeSparkListener(killFirstAttempts);
            killer.shutdownNow();
        }
        assertTrue(!killed.isEmpty(), "no scoring task ran long enough to be killed: the test did not exercise retries");
        assertEquals(input, result.input());
        assertEquals(input, result.scored());
        assertEquals(0, result.rejected());
        assertEquals(0, result.skipped());
        assertExactlyOnce(config("scored"), input);
    }

    @Test
    void twoRunsWritingTheSameTableAtOnceLeaveEachReviewOnce() throws Exception {
        long input = writeSource(3);
        List<ScoringResult> results = new ArrayList<>();
        String logs;
        // both runs' MERGEs read the same table version and race for the same commit: one wins, one must retry
        try (GatedLogStore.Gate gate = GatedLogStore.holdTogether(dir.resolve("shared"), 2);
             CapturedLogs captured = new CapturedLogs()) {
            ExecutorService runs = Executors.newFixedThreadPool(2);
            List<Future<ScoringResult>> futures = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                // two jobs: two sessions (sharing this JVM's SparkContext), each with its own settings, and without
                // Delta's lock that serializes one JVM's commits to a table (jobs in two JVMs share no lock)
                SparkSession job = spark.newSession();
                job.conf().set("spark.databricks.delta.commitLock.enabled", "false");
                futures.add(runs.submit(() -> score(job, config("shared"))));
            }
            for (Future<ScoringResult> future : futures) {
                results.add(future.get(5, TimeUnit.MINUTES));
            }
            runs.shutdown();
            assertTrue(gate.metTogether(), "the two MERGEs did not reach their commit together");
            logs = captured.text();
        }
        assertTrue(logs.contains("merge into path " + dir.resolve("shared") + " conflicted with another writer"),
                "the losing MERGE was retried: " + logs);
        for (ScoringResult result : results) {
            assertEquals(input, result.input());
            assertEquals(0, result.rejected());
            assertEquals(input, result.scored() + result.skipped(), "each run scored or skipped every review");
        }
        assertEquals(input, results.get(0).inserted() + results.get(1).inserted(),
                "each review inserted by exactly one of the runs");
        assertExactlyOnce(config("shared"), input);
    }
}
