package dev.reviewscore.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.reviewscore.job.Action;
import dev.reviewscore.job.JobRun;
import dev.reviewscore.config.JobConfig;
import dev.reviewscore.config.JobConfigLoader;
import dev.reviewscore.testing.KernelTables;
import dev.reviewscore.testing.TestPaths;
import dev.reviewscore.testing.TestSpark;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline's tables as engines other than Spark read them: Delta Kernel (what non-Spark engines and connectors
 * build on) reads the scored, rejects and metrics tables a run wrote and gets the same columns, types and rows as
 * Spark.
 */
class DeltaKernelReadTest {
    private final SparkSession spark = TestSpark.session();

    @TempDir
    Path dir;

    @Test
    void kernelReadsTheScoredRejectsAndMetricsTablesAsSparkDoes() {
        StructType schema = new StructType().add("review_id", DataTypes.StringType)
                .add("review", DataTypes.StringType).add("label", DataTypes.StringType)
                .add("movie", DataTypes.StringType);
        spark.createDataFrame(List.of(
                RowFactory.create("k1", "A wonderful surprise of a film, warm and funny.", "positive", "Northbound"),
                RowFactory.create("k2", "Dull, long and badly acted.", "negative", "Ashfall"),
                RowFactory.create("k3", "   ", "negative", "Ashfall"),
                RowFactory.create("k4", "It was fine.", "meh", "Northbound")), schema)
                .write().format("delta").save(dir.resolve("source").toString());
        JobConfig config = new JobConfigLoader(dir).loadText("""
                source {
                  path = source
                  columns { id = review_id, text = review, label = label, pass-through = [movie] }
                  labels.kind = names
                }
                model.location = "%s"
                evaluation.slices.movie = movie
                output { scored.path = scored, rejects.path = rejects, metrics.path = metrics, reports = reports }
                """.formatted(TestPaths.defaultModel())).config();
        JobRun.execute(Action.RUN, config, JobRun.Listener.NONE);

        for (String table : List.of("scored", "rejects", "metrics")) {
            String path = dir.resolve(table).toString();
            KernelTables.Contents kernel = KernelTables.read(path);
            org.apache.spark.sql.Dataset<Row> read = spark.read().format("delta").load(path);
            Map<String, String> sparkColumns = new LinkedHashMap<>();
            for (StructField field : read.schema().fields()) {
                sparkColumns.put(field.name(), field.dataType().simpleString());
            }
            assertEquals(sparkColumns, kernel.columns(), table + ": columns and types");
            List<String> sparkRows = new ArrayList<>();
            for (Row row : read.collectAsList()) {
                Map<String, Object> values = new LinkedHashMap<>();
                for (int i = 0; i < row.length(); i++) {
                    values.put(row.schema().fields()[i].name(), sparkValue(row, i));
                }
                sparkRows.add(canonical(values));
            }
            List<String> kernelRows = new ArrayList<>(kernel.rows().stream().map(DeltaKernelReadTest::canonical)
                    .toList());
            sparkRows.sort(null);
            kernelRows.sort(null);
            assertTrue(!sparkRows.isEmpty(), table + " has rows");
            assertEquals(sparkRows, kernelRows, table + ": rows");
        }
    }

    /** A Spark value in Kernel's representation: timestamps as microseconds, maps as Java maps. */
    private static Object sparkValue(Row row, int i) {
        Object value = row.get(i);
        if (value instanceof Timestamp timestamp) {
            return timestamp.getTime() / 1000 * 1_000_000 + timestamp.getNanos() / 1000;
        }
        if (value instanceof scala.collection.Map<?, ?>) {
            return row.getJavaMap(i);
        }
        return value;
    }

    /** One row as text, with map entries sorted, so that rows compare whatever the order of map entries. */
    private static String canonical(Map<String, Object> row) {
        Map<String, Object> sorted = new LinkedHashMap<>();
        row.forEach((column, value) -> sorted.put(column, value instanceof Map<?, ?> map
                ? new TreeMap<>(map).toString() : value));
        return sorted.toString();
    }
}
