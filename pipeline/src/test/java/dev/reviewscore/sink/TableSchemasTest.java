package dev.reviewscore.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.reviewscore.config.TableLocation;
import dev.reviewscore.testing.TestSpark;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The output tables are a contract with the dashboards and jobs that read them. Each schema version has a golden
 * description in src/test/resources/schemas/v{VERSION}.txt ({@code table column type} per line); renaming,
 * retyping, removing or adding a column without a new schema version (and a new golden file) fails here.
 */
class TableSchemasTest {
    private static final Map<String, StructType> TABLES = Map.of(
            "scored", TableSchemas.SCORED, "rejects", TableSchemas.REJECTS, "metrics", TableSchemas.METRICS,
            "runs", TableSchemas.RUNS, "slice_metrics", TableSchemas.SLICE_METRICS, "latest", TableSchemas.LATEST,
            "source_state", TableSchemas.SOURCE_STATE, "aggregates", TableSchemas.AGGREGATES);

    private static List<String> describe() {
        List<String> lines = new ArrayList<>();
        for (String table : List.of("scored", "rejects", "metrics", "runs", "slice_metrics", "latest",
                "source_state", "aggregates")) {
            for (StructField field : TABLES.get(table).fields()) {
                lines.add(table + " " + field.name() + " " + field.dataType().simpleString());
            }
        }
        return lines;
    }

    @Test
    void theSchemasMatchTheGoldenDescriptionOfTheirVersion() throws IOException {
        String golden = "/schemas/v" + TableSchemas.VERSION + ".txt";
        String expected;
        try (InputStream in = getClass().getResourceAsStream(golden)) {
            assertNotNull(in, "no golden schema " + golden + ": a new schema version needs its description "
                    + "(the lines this test prints) committed there");
            expected = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String actual = String.join("\n", describe()) + "\n";
        assertEquals(expected, actual, "The table schemas changed without a new TableSchemas.VERSION. Bump the "
                + "version, document the change in docs/tables.md, and commit the new golden file.");
    }

    @Test
    void everyColumnCarriesAComment() {
        for (Map.Entry<String, StructType> table : TABLES.entrySet()) {
            for (StructField field : table.getValue().fields()) {
                assertTrue(field.getComment().isDefined(), table.getKey() + "." + field.name() + " has no comment");
            }
        }
    }

    @Test
    void createdTablesCarryEveryCommentAndTheVersion(@TempDir Path dir) throws IOException {
        SparkSession spark = TestSpark.session();
        boolean folderFirst = false;
        for (Map.Entry<String, StructType> table : TABLES.entrySet()) {
            folderFirst = !folderFirst;
            if (folderFirst) {
                Files.createDirectories(dir.resolve(table.getKey())); // an empty folder is made a table too
            }
            TableLocation location = TableLocation.atPath(dir.resolve(table.getKey()).toString());
            DeltaTables.ensureTable(spark, location, table.getValue(), List.of());
            Row property = spark.sql("SHOW TBLPROPERTIES " + location.sqlName() + " ("
                    + TableSchemas.VERSION_PROPERTY + ")").first();
            assertEquals(Integer.toString(TableSchemas.VERSION), property.getString(1), table.getKey());
            StructType written = DeltaTables.read(spark, location).schema();
            assertEquals(List.of(table.getValue().fieldNames()), List.of(written.fieldNames()), table.getKey());
            for (StructField field : table.getValue().fields()) {
                assertEquals(field.getComment(), written.apply(field.name()).getComment(),
                        table.getKey() + "." + field.name());
            }
        }
    }
}
