package dev.reviewscore.notebooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.reviewscore.job.Action;
import dev.reviewscore.job.JobRun;
import dev.reviewscore.config.JobConfig;
import dev.reviewscore.config.JobConfigLoader;
import dev.reviewscore.sink.DeltaTables;
import dev.reviewscore.testing.TestPaths;
import dev.reviewscore.testing.TestSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs every SQL cell of notebooks/explore_results.sql (Databricks source format) against tables the pipeline wrote:
 * two runs, the second with rows that are rejected, so that every query has something to show.
 */
class ExploreResultsNotebookTest {
    private final SparkSession spark = TestSpark.session();

    @TempDir
    Path dir;

    private void run(List<String> overrides) {
        List<String> all = new ArrayList<>(List.of("output.scored.path=" + dir.resolve("scored"),
                "output.rejects.path=" + dir.resolve("rejects"), "output.metrics.path=" + dir.resolve("metrics"),
                "output.reports=" + dir.resolve("reports")));
        all.addAll(overrides);
        JobConfig config = new JobConfigLoader(TestPaths.project()).load(Path.of("conf/local.conf"), all).config();
        JobRun.execute(Action.RUN, config, JobRun.Listener.NONE);
    }

    @Test
    void everySqlCellRunsAgainstThePipelinesTables() throws Exception {
        run(List.of());
        StructType schema = new StructType().add("review_id", DataTypes.StringType)
                .add("review", DataTypes.StringType).add("label", DataTypes.StringType)
                .add("movie", DataTypes.StringType).add("review_date", DataTypes.DateType)
                .add("stars", DataTypes.IntegerType);
        spark.createDataFrame(List.of(
                        RowFactory.create("n1", "A wonderful surprise of a film.", "positive", "Northbound",
                                java.sql.Date.valueOf("2026-11-01"), 9),
                        RowFactory.create("n2", null, "negative", "Northbound", java.sql.Date.valueOf("2026-11-02"), 2),
                        RowFactory.create("n3", "It was fine.", "meh", "Ashfall", java.sql.Date.valueOf("2026-11-03"), 5)),
                schema).write().format("delta").save(dir.resolve("night-2").toString());
        run(List.of("source.format=delta", "source.path=" + dir.resolve("night-2"), "source.options={}"));
        assertEquals(2, DeltaTables.read(spark, dev.reviewscore.config.TableLocation.atPath(
                dir.resolve("rejects").toString())).count());

        List<String> cells = List.of(Files.readString(TestPaths.project().resolve("notebooks/explore_results.sql"))
                .split("\n-- COMMAND ----------\n"));
        int queries = 0;
        for (String cell : cells) {
            List<String> code = cell.lines().filter(l -> !l.startsWith("-- MAGIC") && !l.startsWith("-- Databricks"))
                    .toList();
            String sql = String.join("\n", code).strip();
            if (sql.isEmpty()) {
                continue;
            }
            if (sql.contains("-- parameters")) {
                // the cell as written declares the variables; a user then points them at their tables
                for (String statement : sql.split(";\\s*\n")) {
                    spark.sql(statement.replaceAll(";\\s*$", ""));
                }
                // variable -> (its default, the folder this test's runs wrote: the dashboard tables sit next to metrics)
                Map<String, List<String>> tables = Map.of(
                        "scored", List.of("main.reviews.scored_reviews", "scored"),
                        "rejects", List.of("main.reviews.rejected_reviews", "rejects"),
                        "metrics", List.of("main.reviews.review_metrics", "metrics"),
                        "runs", List.of("main.reviews.review_runs", "review_runs"),
                        "slice_metrics", List.of("main.reviews.review_slice_metrics", "review_slice_metrics"),
                        "latest", List.of("main.reviews.review_latest_metrics", "review_latest_metrics"));
                spark.sql("CREATE DATABASE IF NOT EXISTS notebook_test");
                tables.forEach((table, names) -> {
                    assertEquals(names.get(0), spark.sql("SELECT " + table + "_table").first().getString(0));
                    spark.sql("DROP TABLE IF EXISTS notebook_test." + table);
                    spark.sql("CREATE TABLE notebook_test." + table + " USING DELTA LOCATION '"
                            + dir.resolve(names.get(1)) + "'");
                    spark.sql("SET VAR " + table + "_table = 'notebook_test." + table + "'");
                });
                continue;
            }
            List<Row> rows = spark.sql(sql.replaceAll(";\\s*$", "")).collectAsList();
            assertTrue(!rows.isEmpty(), "no rows from notebook cell:\n" + sql);
            queries++;
        }
        assertEquals(8, queries, "SQL cells run");
    }
}
