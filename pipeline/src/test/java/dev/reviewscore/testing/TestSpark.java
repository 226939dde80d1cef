package dev.reviewscore.testing;

import dev.reviewscore.job.Sessions;
import dev.reviewscore.inference.DjlEnvironment;
import java.util.HashMap;
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
            Map<String, String> settings = new HashMap<>(Map.of(
                    "spark.master", "local[2]",
                    "spark.ui.enabled", "false",
                    "spark.sql.shuffle.partitions", "2",
                    "spark.default.parallelism", "2",
                    // Delta's own test settings (delta-io/delta build.sbt): a 50-partition state reconstruction
                    // per snapshot costs seconds on tables of a few hundred rows.
                    "spark.databricks.delta.snapshotPartitions", "1",
                    "spark.sql.sources.parallelPartitionDiscovery.parallelism", "2",
                    "spark.driver.host", "127.0.0.1",
                    // Delta's own log store for file: paths, which a test can hold at a commit
                    "spark.delta.logStore.file.impl", GatedLogStore.class.getName(),
                    "spark.sql.warehouse.dir", TestPaths.project().resolve("pipeline/target/spark-warehouse")
                            .toString()));
            // no JVM-wide lock per table around commits (Delta takes one for log stores whose partial writes could
            // be seen): jobs of separate processes share none, and a test that holds one job's commit must let
            // another job of this JVM read and write the table meanwhile
            settings.put("spark.databricks.delta.commitLock.enabled", "false");
            // Tables of a few hundred rows: compiling each query's Java code (Janino) and re-planning it adaptively
            // cost more than running it interpreted, about 40% of a whole run. The jobs the *IT tests, the command
            // line runs and the benchmarks start keep Spark's defaults.
            settings.put("spark.sql.codegen.wholeStage", "false");
            settings.put("spark.sql.codegen.factoryMode", "NO_CODEGEN");
            settings.put("spark.sql.adaptive.enabled", "false");
            session = Sessions.create(settings);
        }
        return session;
    }
}
