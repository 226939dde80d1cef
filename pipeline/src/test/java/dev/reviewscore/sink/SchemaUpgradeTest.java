package dev.reviewscore.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.reviewscore.cli.Main;
import dev.reviewscore.testing.TestPaths;
import dev.reviewscore.testing.TestSpark;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tables written by the previous schema version (its golden description, src/test/resources/schemas/v1.txt, with
 * rows in them) are upgraded by the current job the first time it writes to them: their rows stay, the columns the
 * new version added appear (null in the old rows, filled in new ones), and the version property is raised.
 */
class SchemaUpgradeTest {
    private final SparkSession spark = TestSpark.session();

    @TempDir
    Path dir;

    /** Table name to its columns ({@code name type}) as schema version 1 had them. */
    private static Map<String, List<String>> version1() throws Exception {
        Map<String, List<String>> tables = new LinkedHashMap<>();
        try (InputStream in = SchemaUpgradeTest.class.getResourceAsStream("/schemas/v1.txt")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).strip().split("\n")) {
                String[] parts = line.split(" ", 3);
                tables.computeIfAbsent(parts[0], t -> new ArrayList<>()).add("`" + parts[1] + "` " + parts[2]);
            }
        }
        return tables;
    }

    private Dataset<Row> table(String name) {
        return spark.read().format("delta").load(dir.resolve(name).toString());
    }

    @Test
    void theJobUpgradesTablesOfTheFormerVersionWithoutLosingRows() throws Exception {
        for (Map.Entry<String, List<String>> v1 : version1().entrySet()) {
            spark.sql("CREATE TABLE delta.`" + dir.resolve(v1.getKey()) + "` (" + String.join(", ", v1.getValue())
                    + ") USING delta TBLPROPERTIES ('" + TableSchemas.VERSION_PROPERTY + "' = '1')");
        }
        spark.sql("INSERT INTO delta.`" + dir.resolve("scored") + "` (review_id, model_name, model_version, "
                + "predicted_label, run_id) VALUES ('old-1', 'movie-sentiment', 'an-older-version', 'POSITIVE', 'r0'), "
                + "('old-2', 'movie-sentiment', 'an-older-version', 'NEGATIVE', 'r0')");
        spark.sql("INSERT INTO delta.`" + dir.resolve("rejects") + "` (run_id, model_version, review_id, reason) "
                + "VALUES ('r0', 'an-older-version', 'old-3', 'empty_text')");
        spark.sql("INSERT INTO delta.`" + dir.resolve("metrics") + "` (run_id, model_name, model_version, "
                + "evaluated_at, slice_name, slice_value, metric, value) VALUES ('r0', 'movie-sentiment', "
                + "'an-older-version', TIMESTAMP '2026-01-05 02:00:00', 'all', 'all', 'accuracy', 0.5)");

        Path source = Files.writeString(dir.resolve("reviews.csv"), """
                review_id,review,label
                n1,"A wonderful, warm film.",positive
                n2,"Dull and far too long.",negative
                n3," ",negative
                """);
        Path config = Files.writeString(dir.resolve("job.conf"), """
                source {
                  format = csv
                  path = "%s"
                  options { header = true }
                  columns { id = review_id, text = review, label = label }
                  labels.kind = names
                }
                model.location = "%s"
                output {
                  scored.path = "%s"
                  rejects.path = "%s"
                  metrics.path = "%s"
                  reports = "%s"
                }
                """.formatted(source, TestPaths.defaultModel(), dir.resolve("scored"), dir.resolve("rejects"),
                dir.resolve("metrics"), dir.resolve("reports")));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        int code = Main.execute(new String[] {"run", "--config", config.toString()}, print, print);
        assertEquals(Main.OK, code, out.toString(StandardCharsets.UTF_8));

        assertEquals(List.of("n1", "n2", "old-1", "old-2"), table("scored").orderBy("review_id")
                .select("review_id").as(org.apache.spark.sql.Encoders.STRING()).collectAsList());
        assertEquals(2, table("rejects").count());
        assertEquals(1, table("metrics").where("run_id = 'r0'").count());
        Map<String, StructType> current = Map.of("scored", TableSchemas.SCORED, "rejects", TableSchemas.REJECTS,
                "metrics", TableSchemas.METRICS);
        Map<String, List<String>> addedSinceVersion1 = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> v1 : version1().entrySet()) {
            List<String> old = v1.getValue().stream().map(column -> column.substring(1, column.indexOf('`', 1)))
                    .toList();
            List<String> added = new ArrayList<>(List.of(current.get(v1.getKey()).fieldNames()));
            added.removeAll(old);
            addedSinceVersion1.put(v1.getKey(), added);
        }
        assertEquals(Map.of("scored", List.of(TableSchemas.SOURCE_DELETED_AT), "rejects", List.of("model_name"),
                "metrics", List.of("lower", "upper", "interval_method", "confidence_level")), addedSinceVersion1,
                "the columns versions 2 to " + TableSchemas.VERSION + " added to these tables");
        addedSinceVersion1.forEach((name, added) -> {
            StructType upgraded = table(name).schema();
            for (String column : added) {
                assertEquals(current.get(name).apply(column).getComment(), upgraded.apply(column).getComment(),
                        name + "." + column + " was added with its comment");
                assertEquals(0, table(name).where("run_id = 'r0' AND `" + column + "` IS NOT NULL").count(),
                        name + "." + column + " is null in the rows written before");
            }
            assertEquals(Integer.toString(TableSchemas.VERSION), spark.sql("SHOW TBLPROPERTIES delta.`"
                    + dir.resolve(name) + "` ('" + TableSchemas.VERSION_PROPERTY + "')").first().getString(1), name);
        });
        assertEquals("movie-sentiment", table("rejects").where("run_id <> 'r0'").first().getAs("model_name"),
                "rejects.model_name is filled in a new row");
        assertEquals(0.95, table("metrics").where("run_id <> 'r0' AND metric = 'accuracy' AND slice_name = 'all'")
                .first().<Double>getAs("confidence_level"), "the metrics' interval columns are filled in new rows");
        assertTrue(table("metrics").where("run_id <> 'r0' AND metric = 'accuracy' AND slice_name = 'all' AND "
                + "lower IS NOT NULL AND upper IS NOT NULL AND interval_method = 'wilson'").count() == 1);
        assertEquals(0, table("scored").where("run_id <> 'r0' AND source_deleted_at IS NOT NULL").count(),
                "scored.source_deleted_at is null for reviews the source holds");
    }

    @Test
    void aTableOfALaterVersionIsLeftAloneWithAClearError() {
        spark.sql("CREATE TABLE delta.`" + dir.resolve("metrics") + "` (run_id STRING) USING delta "
                + "TBLPROPERTIES ('" + TableSchemas.VERSION_PROPERTY + "' = '" + (TableSchemas.VERSION + 1) + "')");
        String message = org.junit.jupiter.api.Assertions.assertThrows(dev.reviewscore.InvalidInputException.class,
                () -> DeltaTables.ensureTable(spark, dev.reviewscore.config.TableLocation.atPath(
                        dir.resolve("metrics").toString()), TableSchemas.METRICS, List.of())).getMessage();
        assertTrue(message.contains("cannot write to a later one"), message);
        assertEquals(List.of("run_id"), List.of(table("metrics").schema().fieldNames()), "nothing was changed");
    }
}
