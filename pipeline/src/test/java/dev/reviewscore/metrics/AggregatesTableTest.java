package dev.reviewscore.metrics;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.reviewscore.config.EvaluationSettings;
import dev.reviewscore.config.TableLocation;
import dev.reviewscore.testing.TestSpark;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The aggregates table, kept up to date from a scored table's change data feed through inserts, rescores, label
 * changes, deletes and marks, gives exactly the evaluation of a recomputation from the rows: the same aggregates,
 * the same metrics, intervals and curves to the last bit.
 */
class AggregatesTableTest {
    private static final List<String> LABELS = List.of("NEGATIVE", "POSITIVE");
    private static final Instant AT = Instant.parse("2026-12-03T00:00:00Z");
    private static final StructType SCORED = new StructType()
            .add("review_id", DataTypes.StringType)
            .add("model_version", DataTypes.StringType)
            .add("predicted_label", DataTypes.StringType)
            .add("probabilities", DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType))
            .add("label", DataTypes.StringType)
            .add("source", DataTypes.StringType)
            .add("source_deleted_at", DataTypes.TimestampType);

    private final SparkSession spark = TestSpark.session();
    private final Random random = new Random(20261203);

    @TempDir
    Path dir;

    @Test
    void mergedAggregatesEqualAFullRecomputationThroughInsertsUpdatesDeletesAndMarks() {
        TableLocation scored = createScored();
        AggregatesTable aggregates = new AggregatesTable(spark, TableLocation.atPath(dir.resolve("aggregates")
                .toString()), scored, "test");
        ReviewEvaluator evaluator = evaluator(Map.of("source", "source"));
        append(scored, rows(0, 300, "v1"));
        append(scored, rows(0, 40, "v2"));

        AggregatesTable.Result first = aggregates.evaluate(evaluator, null);
        assertEquals("rows", first.from(), first.evaluation().basis());
        assertSame(evaluator.evaluate(current(scored)), first.evaluation());

        append(scored, rows(300, 360, "v1"));
        sql(scored, "UPDATE %s SET probabilities = map('NEGATIVE', 0.8125D, 'POSITIVE', 0.1875D), "
                + "predicted_label = 'NEGATIVE' WHERE model_version = 'v1' AND CAST(review_id AS INT) %% 17 = 3");
        sql(scored, "UPDATE %s SET label = CASE WHEN label = 'POSITIVE' THEN 'NEGATIVE' ELSE 'POSITIVE' END "
                + "WHERE model_version = 'v1' AND CAST(review_id AS INT) %% 23 = 5");
        sql(scored, "DELETE FROM %s WHERE model_version = 'v1' AND CAST(review_id AS INT) %% 19 = 7");
        sql(scored, "UPDATE %s SET source_deleted_at = current_timestamp() "
                + "WHERE model_version = 'v1' AND CAST(review_id AS INT) %% 29 = 11");
        sql(scored, "UPDATE %s SET probabilities = map('NEGATIVE', 0.5D, 'POSITIVE', 0.5D) WHERE model_version = 'v2'");
        sql(scored, "DELETE FROM %s WHERE model_version = 'v1' AND source = 'forum'");

        AggregatesTable.Result merged = aggregates.evaluate(evaluator, null);
        assertEquals("aggregates", merged.from(), merged.evaluation().basis());
        assertTrue(merged.evaluation().basis().contains("merged in"), merged.evaluation().basis());
        Evaluation full = evaluator.evaluate(current(scored));
        assertSame(full, merged.evaluation());
        assertEquals(List.of("all", "source"), full.slices().stream().map(SliceEvaluation::sliceName).distinct()
                .toList());
        assertTrue(full.slices().stream().noneMatch(slice -> slice.sliceValue().equals("forum")),
                "a slice value whose reviews are all gone is not evaluated");
        assertEquals(Evaluator.histogram(evaluator.prepare(current(scored)).rows(), LABELS, 1, evaluator.slices())
                        .where(col("reviews").notEqual(0)).collectAsList().stream().collect(HashSet::new,
                                HashSet::add, HashSet::addAll),
                new HashSet<>(histogram(dir.resolve("aggregates"))),
                "the merged histogram holds exactly the recomputed one's counts and loss sums");

        AggregatesTable.Result unchanged = aggregates.evaluate(evaluator, null);
        assertEquals("aggregates", unchanged.from());
        assertTrue(unchanged.evaluation().basis().contains("nothing changed"), unchanged.evaluation().basis());
        assertSame(full, unchanged.evaluation());

        AggregatesTable.Result otherSlices = aggregates.evaluate(evaluator(Map.of()), null);
        assertEquals("rows", otherSlices.from(), "other slices are other aggregates: rebuilt from the rows");
        AggregatesTable.Result asked = aggregates.evaluate(evaluator, "a full evaluation");
        assertEquals("rows", asked.from());
        assertSame(full, asked.evaluation());
    }

    @Test
    void changesThatCannotBeReadRebuildTheAggregatesFromTheRows() {
        TableLocation scored = createScored();
        AggregatesTable aggregates = new AggregatesTable(spark, TableLocation.atPath(dir.resolve("aggregates")
                .toString()), scored, "test");
        ReviewEvaluator evaluator = evaluator(Map.of());
        append(scored, rows(0, 200, "v1"));
        assertEquals("rows", aggregates.evaluate(evaluator, null).from());
        sql(scored, "ALTER TABLE %s SET TBLPROPERTIES (delta.enableChangeDataFeed = false)");
        sql(scored, "DELETE FROM %s WHERE CAST(review_id AS INT) < 50");
        sql(scored, "ALTER TABLE %s SET TBLPROPERTIES (delta.enableChangeDataFeed = true)");
        append(scored, rows(200, 230, "v1"));

        AggregatesTable.Result result = aggregates.evaluate(evaluator, null);
        assertEquals("rows", result.from());
        assertTrue(result.evaluation().basis().contains("cannot be read"), result.evaluation().basis());
        assertSame(evaluator.evaluate(current(scored)), result.evaluation());
        append(scored, rows(230, 260, "v1"));
        AggregatesTable.Result next = aggregates.evaluate(evaluator, null);
        assertEquals("aggregates", next.from(), next.evaluation().basis());
        assertSame(evaluator.evaluate(current(scored)), next.evaluation());
    }

    private ReviewEvaluator evaluator(Map<String, String> slices) {
        return ReviewEvaluator.forLabels(LABELS).withPredictionCol("predicted_label").withPositiveLabel("POSITIVE")
                .withSlices(slices).withSettings(new EvaluationSettings(0.95, 40, 0.9, 2)).withModel("m", "v1");
    }

    /** Every metric value, interval and note, the curves and the threshold analysis are the same. */
    private static void assertSame(Evaluation expected, Evaluation actual) {
        assertEquals(MetricRows.evaluationRows(expected, "r", AT), MetricRows.evaluationRows(actual, "r", AT));
        assertArrayEquals(expected.curves().positives(), actual.curves().positives());
        assertArrayEquals(expected.curves().negatives(), actual.curves().negatives());
        assertArrayEquals(expected.curves().scoreSums(), actual.curves().scoreSums());
        assertEquals(expected.thresholds(), actual.thresholds());
    }

    private TableLocation createScored() {
        String path = dir.resolve("scored").toString();
        spark.sql("CREATE TABLE delta.`" + path + "` (" + SCORED.toDDL() + ") USING delta TBLPROPERTIES "
                + "(delta.enableChangeDataFeed = true, delta.enableDeletionVectors = true)");
        return TableLocation.atPath(path);
    }

    private Dataset<Row> current(TableLocation scored) {
        return spark.read().format("delta").load(scored.path())
                .where(col("model_version").equalTo(lit("v1")).and(col("source_deleted_at").isNull()));
    }

    private void append(TableLocation scored, List<Row> rows) {
        spark.createDataFrame(rows, SCORED).write().format("delta").mode("append").save(scored.path());
    }

    private void sql(TableLocation scored, String statement) {
        spark.sql(String.format(statement, "delta.`" + scored.path() + "`"));
    }

    /** Reviews with scores on a coarse grid (many ties), a fifth unlabeled, from three sources. */
    private List<Row> rows(int from, int to, String version) {
        List<Row> rows = new ArrayList<>();
        String[] sources = {"imdb", "store", "forum"};
        for (int id = from; id < to; id++) {
            double positive = random.nextInt(41) / 40.0;
            String label = random.nextInt(5) == 0 ? null : random.nextDouble() < positive * 0.8 + 0.1
                    ? "POSITIVE" : "NEGATIVE";
            rows.add(RowFactory.create(Integer.toString(id), version, positive >= 0.5 ? "POSITIVE" : "NEGATIVE",
                    Map.of("NEGATIVE", 1 - positive, "POSITIVE", positive), label, sources[id % 3], null));
        }
        return rows;
    }

    /** The histogram rows of an aggregates table at a path that count reviews. */
    private List<Row> histogram(Path table) {
        return spark.read().format("delta").load(table.toString())
                .where(col("kind").equalTo("histogram").and(col("reviews").notEqual(0)))
                .select("slice_name", "slice_value", "label_index", "predicted_index", "score", "reviews", "loss_sum")
                .collectAsList();
    }
}
