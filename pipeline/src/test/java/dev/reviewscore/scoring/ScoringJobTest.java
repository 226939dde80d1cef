package dev.reviewscore.scoring;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.spark_partition_id;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reviewscore.InvalidInputException;
import dev.reviewscore.RunInfo;
import dev.reviewscore.config.JobConfig;
import dev.reviewscore.config.JobConfigLoader;
import dev.reviewscore.inference.ModelBundle;
import dev.reviewscore.sink.DeltaTables;
import dev.reviewscore.testing.TestPaths;
import dev.reviewscore.testing.TestSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScoringJobTest {
    private static final StructType REVIEWS = new StructType()
            .add("id", DataTypes.StringType)
            .add("text", DataTypes.StringType)
            .add("label", DataTypes.StringType)
            .add("source", DataTypes.StringType);

    private final SparkSession spark = TestSpark.session();

    @TempDir
    Path dir;

    private JobConfig config(String source, String model, String... overrides) {
        String text = source + "\nmodel.location = \"" + model + "\"\n" + """
                output {
                  scored.path = tables/scored
                  rejects.path = tables/rejects
                  metrics.path = tables/metrics
                  reports = reports
                }
                """ + String.join("\n", overrides);
        return new JobConfigLoader(dir).loadText(text).config();
    }

    private JobConfig deltaSource(String... overrides) {
        return config("source { format = delta, path = source, columns { label = label, pass-through = [source] } }",
                TestPaths.defaultModel().toString(), overrides);
    }

    private ScoringResult score(JobConfig config) {
        ModelBundle bundle = ModelBundle.open(Path.of(config.model().location()));
        return new ScoringJob(spark, config, bundle, RunInfo.start()).execute();
    }

    private void writeSource(Row... rows) {
        spark.createDataFrame(Arrays.asList(rows), REVIEWS).write().format("delta").mode("overwrite")
                .save(dir.resolve("source").toString());
    }

    private Dataset<Row> scored(JobConfig config) {
        return DeltaTables.read(spark, config.output().scored());
    }

    @Test
    void scoresTheSampleOnceAndARerunScoresNothing() throws IOException {
        JobConfig config = config("""
                source {
                  format = csv
                  path = "%s"
                  options { header = true, escape = "\\"", multiLine = true }
                  columns { id = review_id, text = review, label = label, pass-through = [movie, stars] }
                }
                """.formatted(TestPaths.sampleReviews()), TestPaths.defaultModel().toString());
        ScoringResult first = score(config);
        assertEquals(320, first.input());
        assertEquals(320, first.scored());
        assertEquals(0, first.rejected() + first.skipped());
        assertEquals(320, first.inserted());
        Dataset<Row> table = scored(config);
        assertEquals(320, table.count());
        assertEquals(320, table.select("review_id").distinct().count());
        for (Row row : table.limit(50).collectAsList()) {
            Map<String, Double> probabilities = row.getJavaMap(row.fieldIndex("probabilities"));
            assertEquals(1.0, probabilities.get("NEGATIVE") + probabilities.get("POSITIVE"), 1e-9);
            String predicted = row.getAs("predicted_label");
            assertTrue(probabilities.get(predicted) >= 0.5);
            assertEquals(probabilities.get("POSITIVE"), (Double) row.getAs("positive_probability"));
            assertEquals(first.modelVersion(), row.getAs("model_version"));
            assertEquals(first.runId(), row.getAs("run_id"));
        }
        long correct = table.where(col("label").equalTo(col("predicted_label"))).count();
        long labeled = table.where(col("label").isNotNull()).count();
        assertTrue(correct > 0.85 * labeled, correct + " of " + labeled + " correct");
        Row commit = spark.sql("DESCRIBE HISTORY " + config.output().scored().sqlName() + " LIMIT 1")
                .select("operation", "userMetadata").first();
        assertEquals("MERGE", commit.getString(0));
        assertEquals("reviewscore run " + first.runId(), commit.getString(1), "the commit names the run");
        assertTextsHaveNoStatistics(config);

        ScoringResult second = score(config);
        assertEquals(320, second.input());
        assertEquals(0, second.scored());
        assertEquals(320, second.skipped());
        assertEquals(320, scored(config).count());
    }

    /** Delta min/max statistics in the scored table's log for the short columns, none for the texts. */
    private void assertTextsHaveNoStatistics(JobConfig config) throws IOException {
        List<Row> stats = spark.read().json(config.output().scored().path() + "/_delta_log/*.json")
                .where(col("add").isNotNull()).select("add.stats").collectAsList();
        assertTrue(!stats.isEmpty());
        for (Row row : stats) {
            JsonNode minValues = new ObjectMapper().readTree(row.getString(0)).get("minValues");
            assertTrue(minValues.has("review_id") && minValues.has("movie"), minValues.toString());
            assertTrue(!minValues.has("text") && !minValues.has("text_hash"), minValues.toString());
        }
    }

    @Test
    void aSourceInFewerPartitionsThanCoresIsSpreadOverThemByReviewId() {
        Dataset<Row> source = spark.range(2000).selectExpr("concat('r', id) AS review_id", "repeat('x', 100) AS text")
                .coalesce(1);
        int partitions = spark.sparkContext().defaultParallelism() * 2;
        assertEquals(spark.sparkContext().defaultParallelism(), ScoringJob.defaultParallelism(spark),
                "the default parallelism, read through the DataFrame API");
        Dataset<Row> spread = ScoringJob.spreadOverCores(source, 1, 2, "REVIEW_ID");
        assertEquals(partitions, spread.rdd().getNumPartitions());
        Dataset<Row> placed = spread.select(col("review_id"), spark_partition_id().as("partition"));
        Map<String, Integer> partitionOf = new HashMap<>();
        placed.collectAsList().forEach(row -> partitionOf.put(row.getString(0), row.getInt(1)));
        assertEquals(2000, partitionOf.size());
        Dataset<Row> half = source.where("substring(review_id, 2) % 2 = 0");
        for (Row row : ScoringJob.spreadOverCores(half, 1, 2, "review_id")
                .select(col("review_id"), spark_partition_id()).collectAsList()) {
            assertEquals(partitionOf.get(row.getString(0)), row.getInt(1),
                    "a review's partition depends on its id alone, not on the other rows (a round robin's would)");
        }
        for (Row count : placed.groupBy("partition").count().collectAsList()) {
            assertTrue(count.getLong(1) > 2000 / partitions / 2, "a partition with " + count.getLong(1) + " rows");
        }
        assertEquals(partitions, placed.select("partition").distinct().count());
        assertEquals(partitions, ScoringJob.spreadOverCores(source.drop("review_id"), 1, 2, "review_id").rdd()
                .getNumPartitions(), "without an id column, spread all the same");
        Dataset<Row> enough = source.repartition(partitions);
        assertTrue(ScoringJob.spreadOverCores(enough, partitions, 2, "review_id") == enough, "enough partitions: left as it is");
    }

    @Test
    void aChangedTextIsScoredAgainAndAFullRunRescoresEverything() {
        writeSource(review("a", "A wonderful film.", "positive"), review("b", "Dreadful and dull.", "negative"),
                review("c", "I loved it.", "positive"));
        JobConfig config = deltaSource();
        assertEquals(3, score(config).scored());

        writeSource(review("a", "A wonderful film.", "positive"), review("b", "Actually, I loved it.", "positive"),
                review("c", "I loved it.", "positive"), review("d", "Awful.", "negative"));
        ScoringResult changed = score(config);
        assertEquals(2, changed.scored());
        assertEquals(1, changed.inserted());
        assertEquals(1, changed.updated());
        assertEquals(2, changed.skipped());
        Row b = scored(config).where("review_id = 'b'").first();
        assertEquals("Actually, I loved it.", b.getAs("text"));
        assertEquals("POSITIVE", b.getAs("label"));
        assertEquals(changed.runId(), b.getAs("run_id"));

        ScoringResult full = score(deltaSource("scoring.full = true"));
        assertEquals(4, full.scored());
        assertEquals(4, full.updated());
        assertEquals(0, full.skipped());
        assertEquals(4, scored(config).count());
    }

    @Test
    void badRowsGoToTheRejectsTableWithTheirReasonAndNothingIsLost() {
        writeSource(review("ok", "A fine film.", "positive"), review(null, "No id at all.", "positive"),
                review("nulltext", null, "negative"), review("empty", "", "negative"),
                review("blank", " \t\n ", "negative"), review("neutral", "It was fine.", "meh"),
                review("twin", "Same text.", "positive"), review("twin", "Same text.", "positive"),
                review("clash", "First text.", "positive"), review("clash", "Second text.", "negative"));
        JobConfig config = deltaSource();
        ScoringResult result = score(config);
        assertEquals(10, result.input());
        assertEquals(2, result.scored());
        assertEquals(8, result.rejected());
        assertEquals(Map.of("null_review_id", 1L, "null_text", 1L, "empty_text", 2L, "unknown_label", 1L,
                "duplicate_row", 1L, "conflicting_duplicate_id", 2L), result.rejectsByReason());
        assertEquals(0, result.skipped());
        assertEquals(List.of("ok", "twin"), scored(config).orderBy("review_id").select("review_id")
                .as(org.apache.spark.sql.Encoders.STRING()).collectAsList());

        Dataset<Row> rejects = DeltaTables.read(spark, config.output().rejects());
        assertEquals(8, rejects.count());
        Row unknown = rejects.where("reason = 'unknown_label'").first();
        assertEquals("neutral", unknown.getAs("review_id"));
        assertEquals(result.runId(), unknown.getAs("run_id"));
        String original = unknown.getAs("original");
        assertTrue(original.contains("\"label\":\"meh\""), original);
        assertTrue(((String) unknown.getAs("detail")).startsWith("the label value is not one the label mapping"));
    }

    @Test
    void aNewModelVersionGetsItsOwnRows() throws IOException {
        writeSource(review("a", "A wonderful film.", "positive"), review("b", "Dreadful.", "negative"));
        assertEquals(2, score(deltaSource("output.partition-by = [model_version]")).scored());
        Path copy = TestPaths.copyFolder(TestPaths.defaultModel(), dir.resolve("model-v2"));
        Files.writeString(copy.resolve("serving.properties"), "\n# retrained\n",
                java.nio.file.StandardOpenOption.APPEND);
        JobConfig v2 = config("source { format = delta, path = source, columns { label = label } }",
                copy.toString());
        ScoringResult second = score(v2);
        assertEquals(2, second.scored());
        assertEquals(2, second.inserted());
        Dataset<Row> table = scored(v2);
        assertEquals(4, table.count());
        assertEquals(2, table.select("model_version").distinct().count());
        Row detail = spark.sql("DESCRIBE DETAIL " + v2.output().scored().sqlName()).first();
        assertEquals(List.of("model_version"), detail.getList(detail.fieldIndex("partitionColumns")));
    }

    @Test
    void aMissingTextColumnFailsBeforeScoring() {
        writeSource(review("a", "A wonderful film.", "positive"));
        JobConfig config = deltaSource("source.columns.text = body");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> score(config));
        assertEquals("Source path " + dir.resolve("source") + " has no column \"body\" (source.columns.text). "
                + "Columns: [id, text, label, source]. Fix: set source.columns.text to one of them.", e.getMessage());
        assertTrue(!DeltaTables.exists(spark, config.output().scored()));
    }

    @Test
    void passThroughColumnsLandInTheScoredTableAndLabelsStayUnlabeledWhenAbsent() {
        writeSource(review("a", "A wonderful film.", null), review("b", "Dreadful.", "negative"));
        JobConfig config = deltaSource();
        score(config);
        Map<String, Row> rows = new HashMap<>();
        for (Row row : scored(config).collectAsList()) {
            rows.put(row.getAs("review_id"), row);
        }
        assertEquals("web", (String) rows.get("a").getAs("source"));
        assertEquals(null, (String) rows.get("a").getAs("label"));
        assertEquals("NEGATIVE", rows.get("b").getAs("label"));
        assertEquals(0, (int) rows.get("b").getAs("label_index"));
        List<String> columns = new ArrayList<>(List.of(scored(config).columns()));
        assertEquals("source", columns.get(columns.size() - 1));
    }

    @Test
    void longReviewsScoredInWindowsComeOutAsOneRowEach() {
        String longPositive = "The acting is superb and the story is moving and funny. ".repeat(30);
        String longNegative = "The plot is dull, the jokes fall flat and it drags on. ".repeat(30);
        writeSource(review("long-pos", longPositive, "positive"), review("short", "Lovely.", "positive"),
                review("long-neg", longNegative, "negative"), review("tiny", "Awful.", "negative"));
        JobConfig config = deltaSource("model { long-text = windows, max-length = 64, window-overlap = 8 }");
        ScoringResult result = score(config);
        assertEquals(4, result.scored());
        Map<String, Row> rows = new HashMap<>();
        for (Row row : scored(config).collectAsList()) {
            rows.put(row.getAs("review_id"), row);
        }
        assertEquals(4, rows.size());
        int windows = rows.get("long-pos").getAs("windows");
        assertTrue(windows > 5, "windows: " + windows);
        assertEquals(1, (int) rows.get("short").getAs("windows"));
        assertEquals(false, rows.get("long-pos").getAs("truncated"));
        assertEquals("POSITIVE", rows.get("long-pos").getAs("predicted_label"));
        assertEquals("NEGATIVE", rows.get("long-neg").getAs("predicted_label"));
    }

    private static Row review(String id, String text, String label) {
        return RowFactory.create(id, text, label, "web");
    }
}
