package dev.reviewscore.evaluation;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.reviewscore.config.EvaluatorSettings;
import dev.reviewscore.config.TableLocation;
import dev.reviewscore.sink.DeltaMerge;
import dev.reviewscore.sink.DeltaTables;
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
import dev.reviewscore.metrics.Evaluation;
import dev.reviewscore.metrics.SliceEvaluation;
import dev.reviewscore.sink.MetricRows;

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
            .add("source_deleted_at", DataTypes.TimestampType)
            .add("run_id", DataTypes.StringType);

    private static final StructType ID = new StructType().add("review_id", DataTypes.StringType);
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

        AggregatesTable.Result first = aggregates.evaluate(evaluator, null, null);
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

        AggregatesTable.Result merged = aggregates.evaluate(evaluator, null, null);
        assertEquals("aggregates", merged.from(), merged.evaluation().basis());
        assertTrue(merged.evaluation().basis().contains("merged in"), merged.evaluation().basis());
        Evaluation full = evaluator.evaluate(current(scored));
        assertSame(full, merged.evaluation());
        assertEquals(List.of("all", "source"), full.slices().stream().map(SliceEvaluation::sliceName).distinct()
                .toList());
        assertTrue(full.slices().stream().noneMatch(slice -> slice.sliceValue().equals("forum")),
                "a slice value whose reviews are all gone is not evaluated");
        assertEquals(Aggregates.histogram(evaluator.prepare(current(scored)).rows(), LABELS, 1, evaluator.slices())
                        .where(col("reviews").notEqual(0)).collectAsList().stream().collect(HashSet::new,
                                HashSet::add, HashSet::addAll),
                new HashSet<>(histogram(dir.resolve("aggregates"))),
                "the merged histogram holds exactly the recomputed one's counts and loss sums");

        AggregatesTable.Result unchanged = aggregates.evaluate(evaluator, null, null);
        assertEquals("aggregates", unchanged.from());
        assertTrue(unchanged.evaluation().basis().contains("no row changed"), unchanged.evaluation().basis());
        assertSame(full, unchanged.evaluation());

        AggregatesTable.Result otherSlices = aggregates.evaluate(evaluator(Map.of()), null, null);
        assertEquals("rows", otherSlices.from(), "other slices are other aggregates: rebuilt from the rows");
        AggregatesTable.Result asked = aggregates.evaluate(evaluator, "a full evaluation", null);
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
        assertEquals("rows", aggregates.evaluate(evaluator, null, null).from());
        sql(scored, "ALTER TABLE %s SET TBLPROPERTIES (delta.enableChangeDataFeed = false)");
        sql(scored, "DELETE FROM %s WHERE CAST(review_id AS INT) < 50");
        sql(scored, "ALTER TABLE %s SET TBLPROPERTIES (delta.enableChangeDataFeed = true)");
        append(scored, rows(200, 230, "v1"));

        AggregatesTable.Result result = aggregates.evaluate(evaluator, null, null);
        assertEquals("rows", result.from());
        assertTrue(result.evaluation().basis().contains("cannot be read"), result.evaluation().basis());
        assertSame(evaluator.evaluate(current(scored)), result.evaluation());
        append(scored, rows(230, 260, "v1"));
        AggregatesTable.Result next = aggregates.evaluate(evaluator, null, null);
        assertEquals("aggregates", next.from(), next.evaluation().basis());
        assertSame(evaluator.evaluate(current(scored)), next.evaluation());
    }

    @Test
    void eachRunAddsItsOwnChangesSoTheAggregatesEqualAFullRecomputationWithoutAChangeFeed() {
        TableLocation scored = createScored(false);
        TableLocation table = TableLocation.atPath(dir.resolve("aggregates").toString());
        ReviewEvaluator evaluator = evaluator(Map.of("source", "source"));
        DeltaTables.append(scored, spark.createDataFrame(rows(0, 300, "v1"), SCORED), tag("r0"));
        DeltaTables.append(scored, spark.createDataFrame(rows(0, 50, "v2"), SCORED), tag("r0"));
        assertEquals("rows", new AggregatesTable(spark, table, scored, tag("r0")).evaluate(evaluator, null, "r0")
                .from());

        long before = version(scored);
        List<Row> gone = new ArrayList<>(ids(10, 20));
        gone.addAll(ids(30, 40));
        List<Row> written = new ArrayList<>(rows(250, 330, "v1", "r1"));
        written.addAll(rows(40, 60, "v2", "r1"));
        AggregatesTable run = new AggregatesTable(spark, table, scored, tag("r1"));
        try (AggregatesTable.RunChanges changes = run.beforeRun(evaluator, before,
                spark.createDataFrame(written, SCORED), spark.createDataFrame(gone, ID), 100)) {
            assertNotNull(changes, "the aggregates stand at the version the run starts from");
            DeltaMerge.merge(spark, scored, spark.createDataFrame(written, SCORED),
                    List.of("review_id", "model_version"), tag("r1"));
            DeltaMerge.delete(spark, scored, spark.createDataFrame(ids(10, 20), ID), List.of("review_id"),
                    "t.model_version = 'v1'", tag("r1"));
            DeltaMerge.update(spark, scored, spark.createDataFrame(ids(30, 40), ID), List.of("review_id"),
                    "t.model_version = 'v1'", Map.of("source_deleted_at", "current_timestamp()"), tag("r1"));
            assertTrue(run.addRun(changes));
        }

        AggregatesTable.Result after = run.evaluate(evaluator, null, "r1");
        assertEquals("aggregates", after.from(), after.evaluation().basis());
        assertTrue(after.evaluation().basis().contains("up to date at scored-table version " + version(scored))
                && after.evaluation().basis().contains("among those run r1 scored"), after.evaluation().basis());
        Evaluation full = evaluator.evaluate(current(scored));
        assertSame(full, after.evaluation());
        assertEquals(330 - 11 - 11, full.overall().rows(), "the removed and marked reviews are left out");
        assertEquals(Aggregates.histogram(evaluator.prepare(current(scored)).rows(), LABELS, 1, evaluator.slices())
                        .where(col("reviews").notEqual(0)).collectAsList().stream().collect(HashSet::new,
                                HashSet::add, HashSet::addAll),
                new HashSet<>(histogram(dir.resolve("aggregates"))),
                "the histogram the run added to holds exactly the recomputed one's counts and loss sums");

        long beforeOther = version(scored);
        AggregatesTable next = new AggregatesTable(spark, table, scored, tag("r2"));
        Dataset<Row> more = spark.createDataFrame(rows(330, 340, "v1", "r2"), SCORED);
        assertNull(next.beforeRun(evaluator, beforeOther - 1, more, null, 10),
                "aggregates that do not stand at the run's version are left to the evaluation");
        try (AggregatesTable.RunChanges changes = next.beforeRun(evaluator, beforeOther, more, null, 10)) {
            sql(scored, "UPDATE %s SET label = 'NEGATIVE' WHERE model_version = 'v1' AND CAST(review_id AS INT) < 100");
            DeltaMerge.merge(spark, scored, more, List.of("review_id", "model_version"), tag("r2"));
            assertFalse(next.addRun(changes),
                    "another writer's commit since the run started: the run cannot tell what changed");
        }
        AggregatesTable.Result rebuilt = next.evaluate(evaluator, null, "r2");
        assertEquals("rows", rebuilt.from());
        assertTrue(rebuilt.evaluation().basis().contains("did not bring the aggregates up to date"),
                rebuilt.evaluation().basis());
        assertSame(evaluator.evaluate(current(scored)), rebuilt.evaluation());
    }

    private static String tag(String runId) {
        return "reviewscore run " + runId;
    }

    private long version(TableLocation scored) {
        return spark.sql("DESCRIBE HISTORY " + scored.sqlName() + " LIMIT 1").first().getLong(0);
    }

    private static List<Row> ids(int from, int to) {
        List<Row> ids = new ArrayList<>();
        for (int id = from; id <= to; id++) {
            ids.add(RowFactory.create(Integer.toString(id)));
        }
        return ids;
    }

    private ReviewEvaluator evaluator(Map<String, String> slices) {
        return ReviewEvaluator.forLabels(LABELS).withPredictionCol("predicted_label").withPositiveLabel("POSITIVE")
                .withSlices(slices).withSettings(new EvaluatorSettings(0.95, 40, 0.9, 2)).withModel("m", "v1");
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
        return createScored(true);
    }

    private TableLocation createScored(boolean changeFeed) {
        String path = dir.resolve("scored").toString();
        spark.sql("CREATE TABLE delta.`" + path + "` (" + SCORED.toDDL() + ") USING delta TBLPROPERTIES "
                + "(delta.enableChangeDataFeed = " + changeFeed + ", delta.enableDeletionVectors = true)");
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
        return rows(from, to, version, "r0");
    }

    /** {@link #rows(int, int, String) Reviews} scored by a run. */
    private List<Row> rows(int from, int to, String version, String runId) {
        List<Row> rows = new ArrayList<>();
        String[] sources = {"imdb", "store", "forum"};
        for (int id = from; id < to; id++) {
            double positive = random.nextInt(41) / 40.0;
            String label = random.nextInt(5) == 0 ? null : random.nextDouble() < positive * 0.8 + 0.1
                    ? "POSITIVE" : "NEGATIVE";
            rows.add(RowFactory.create(Integer.toString(id), version, positive >= 0.5 ? "POSITIVE" : "NEGATIVE",
                    Map.of("NEGATIVE", 1 - positive, "POSITIVE", positive), label, sources[id % 3], null, runId));
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
