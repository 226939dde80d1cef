package dev.reviewscore.testing;

import dev.reviewscore.job.Sessions;
import dev.reviewscore.inference.DjlEnvironment;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/** The one local SparkSession (with Delta) that all tests in a test JVM share. */
public final class TestSpark {
    private static SparkSession session;

    private TestSpark() {}

    /** The shared session, created on first use through the job's own session factory. */
    public static synchronized SparkSession session() {
        if (session == null) {
            DjlEnvironment.ensureOffline();
            session = Sessions.create(Map.of(
                    "spark.master", "local[2]",
                    "spark.ui.enabled", "false",
                    "spark.sql.shuffle.partitions", "4",
                    "spark.default.parallelism", "4",
                    // Delta's own test settings (delta-io/delta build.sbt): a 50-partition state reconstruction
                    // per snapshot costs seconds on tables of a few hundred rows.
                    "spark.databricks.delta.snapshotPartitions", "2",
                    "spark.sql.sources.parallelPartitionDiscovery.parallelism", "4",
                    "spark.driver.host", "127.0.0.1",
                    // Delta's own log store for file: paths, which a test can hold at a commit
                    "spark.delta.logStore.file.impl", GatedLogStore.class.getName(),
                    "spark.sql.warehouse.dir", TestPaths.project().resolve("pipeline/target/spark-warehouse")
                            .toString()));
        }
        return session;
    }
}
