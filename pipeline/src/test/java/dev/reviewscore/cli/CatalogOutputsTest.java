package dev.reviewscore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.reviewscore.sink.TableSchemas;
import dev.reviewscore.testing.TestPaths;
import dev.reviewscore.testing.TestSpark;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every output as a catalog table named the way Unity Catalog names them ({@code catalog.schema.table}), through the
 * session catalog: the job creates the three tables in an existing schema, and a rerun finds them by name.
 */
class CatalogOutputsTest {
    private final SparkSession spark = TestSpark.session();

    @TempDir
    Path dir;

    private void run(String schema) throws Exception {
        Path config = Files.writeString(dir.resolve("catalog.conf"), """
                source {
                  format = csv
                  path = "%s"
                  options { header = true, escape = "\\"", multiLine = true, inferSchema = true }
                  columns { id = review_id, text = review, label = label }
                  labels.kind = names
                }
                model.location = "%s"
                output {
                  scored.table = %s.scored_reviews
                  rejects.table = %s.rejected_reviews
                  metrics.table = %s.review_metrics
                  reports = "%s"
                }
                """.formatted(TestPaths.sampleReviews(), TestPaths.defaultModel(), schema, schema, schema,
                dir.resolve("reports")));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.execute(new String[] {"run", "--config", config.toString()},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void threePartTableNamesForEveryOutput() throws Exception {
        String schema = "spark_catalog.catalog_outputs_" + Long.toHexString(System.nanoTime());
        spark.sql("CREATE SCHEMA " + schema + " LOCATION '" + dir.resolve("schema") + "'");
        try {
            run(schema);
            run(schema);
            assertEquals(320, spark.table(schema + ".scored_reviews").count());
            assertEquals(0, spark.table(schema + ".rejected_reviews").count());
            assertEquals(2, spark.table(schema + ".review_metrics").select("run_id").distinct().count());
            // the dashboard tables, not configured, are made next to the metrics table in the same schema
            assertEquals(2, spark.table(schema + ".review_runs").count());
            assertEquals(2, spark.table(schema + ".review_slice_metrics").where("slice_name = 'all'").count());
            assertEquals(1, spark.table(schema + ".review_latest_metrics").count());
            assertTrue(spark.sql("DESCRIBE DETAIL " + schema + ".scored_reviews").first().<String>getAs("format")
                    .equals("delta"));
            for (String table : List.of("scored_reviews", "rejected_reviews", "review_metrics", "review_runs",
                    "review_slice_metrics", "review_latest_metrics")) {
                StructType created = spark.table(schema + "." + table).schema();
                assertTrue(created.fields()[0].getComment().isDefined(), table + " has column comments");
                assertEquals(Integer.toString(TableSchemas.VERSION), spark.sql("SHOW TBLPROPERTIES " + schema + "."
                        + table + " ('" + TableSchemas.VERSION_PROPERTY + "')").first().getString(1));
            }
        } finally {
            spark.sql("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }
}
