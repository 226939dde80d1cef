package dev.reviewscore.scoring;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.sha2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.reviewscore.RunInfo;
import dev.reviewscore.config.JobConfig;
import dev.reviewscore.config.JobConfigLoader;
import dev.reviewscore.inference.ModelBundle;
import dev.reviewscore.sink.DeltaTables;
import dev.reviewscore.source.SourceRange;
import dev.reviewscore.testing.TestPaths;
import dev.reviewscore.testing.TestSpark;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Incremental reads of a Delta source with its change data feed on: a sequence of appends, updates and deletes ends
 * with the same scored table as scoring the final source whole, and a run whose changes are gone reads it whole.
 */
class IncrementalReadTest {
    private final SparkSession spark = TestSpark.session();
    private static final ModelBundle MODEL = ModelBundle.open(TestPaths.defaultModel());

    @TempDir
    Path dir;

    private JobConfig config(String... overrides) {
        String text = "source { format = delta, path = source, columns { label = label, pass-through = [source] } }\n"
                + "model.location = \"" + TestPaths.defaultModel() + "\"\n" + """
                output {
                  scored.path = tables/scored
                  rejects.path = tables/rejects
                  metrics.path = tables/metrics
                  reports = reports
                }
                """ + String.join("\n", overrides);
        return new JobConfigLoader(dir).loadText(text).config();
    }

    private ScoringResult score(JobConfig config) {
        return new ScoringJob(spark, config, MODEL, RunInfo.start()).execute();
    }

    private String source() {
        return "delta.`" + dir.resolve("source") + "`";
    }

    private void sql(String statement) {
        spark.sql(statement.replace("SOURCE", source()));
    }

    private void createSource(boolean changeFeed) {
        sql("CREATE TABLE SOURCE (id STRING, text STRING, label STRING, source STRING) USING delta"
                + " TBLPROPERTIES (delta.enableChangeDataFeed = " + changeFeed + ")");
        sql("""
                INSERT INTO SOURCE VALUES
                  ('a', 'A wonderful film, I loved every minute.', 'positive', 'web'),
                  ('b', 'Dreadful and dull from start to end.', 'negative', 'web'),
                  ('c', 'The best thing I saw this year.', 'positive', 'web'),
                  ('d', 'A waste of two hours.', 'negative', 'web'),
                  ('e', 'Charming, funny and warm.', 'positive', 'web'),
                  ('f', 'I walked out halfway through.', 'negative', 'web')""");
    }

    private long sourceVersion() {
        return spark.sql("DESCRIBE HISTORY " + source() + " LIMIT 1").first().getLong(0);
    }

    /** (review id, SHA-256 of the text, label) of every row: the scored table's and the source's must be equal. */
    private static List<Row> identity(Dataset<Row> rows, String id, String hash, String label) {
        return rows.select(col(id), hash == null ? sha2(col("text"), 256) : col(hash), col(label))
                .orderBy(id).collectAsList();
    }

    private static Map<String, Double> probabilities(Dataset<Row> scored) {
        Map<String, Double> byId = new TreeMap<>();
        for (Row row : scored.select("review_id", "positive_probability").collectAsList()) {
            byId.put(row.getString(0), row.getDouble(1));
        }
        return byId;
    }

    @Test
    void aSequenceOfAppendsUpdatesAndDeletesIsScoredExactlyOnce() {
        createSource(true);
        JobConfig config = config();
        ScoringResult first = score(config);
        assertEquals(SourceRange.ALL, first.range().read());
        assertTrue(first.range().reason().startsWith("no earlier run of this model version"), first.range().reason());
        assertEquals(sourceVersion(), first.range().toVersion());
        assertEquals(6, first.scored());

        ScoringResult unchanged = score(config);
        assertEquals(SourceRange.CHANGES, unchanged.range().read());
        assertEquals("no changes after version " + sourceVersion(), unchanged.range().describe());
        assertEquals(0, unchanged.input());

        long before = sourceVersion();
        sql("INSERT INTO SOURCE VALUES ('g', 'Gripping to the very last scene.', 'positive', 'web'),"
                + " ('h', 'Flat characters and a silly plot.', 'negative', 'web')");
        sql("UPDATE SOURCE SET text = 'On second thought, a dull film.' WHERE id = 'b'");
        sql("UPDATE SOURCE SET label = 'negative' WHERE id = 'c'");
        sql("UPDATE SOURCE SET source = 'app' WHERE id = 'd'");
        sql("DELETE FROM SOURCE WHERE id = 'e'");
        sql("UPDATE SOURCE SET id = 'f2' WHERE id = 'f'");
        sql("DELETE FROM SOURCE WHERE id = 'a'");
        sql("INSERT INTO SOURCE VALUES ('a', 'A wonderful film, I loved every minute.', 'positive', 'web')");

        ScoringResult changes = score(config);
        assertEquals(new SourceRange(SourceRange.CHANGES, first.range().tableId(), before + 1, sourceVersion(), null),
                changes.range());
        assertEquals(7, changes.input(), "g, h, b, c, d, f2 and a changed; e and f were deleted");
        assertEquals(6, changes.scored(), "new g, h, f2; b's new text; c's new label; d's new pass-through value");
        assertEquals(1, changes.skipped(), "a (deleted, then inserted as it was)");
        assertEquals(2, changes.deleted(), "e and f");
        assertEquals(3, changes.inserted());
        assertEquals(3, changes.updated());
        assertTrue(changes.balanced());

        Dataset<Row> scored = DeltaTables.read(spark, config.output().scored());
        Row detail = spark.sql("DESCRIBE DETAIL " + config.output().scored().sqlName()).first();
        assertEquals("true", detail.<String, String>getJavaMap(detail.fieldIndex("properties"))
                .get("delta.enableDeletionVectors"), "updates write deletion vectors, not whole files");
        Dataset<Row> now = spark.sql("SELECT * FROM " + source());
        assertEquals(identity(now, "id", null, "label"), identity(scored, "review_id", "text_hash", "source_label"));
        assertEquals("app", scored.where("review_id = 'd'").first().getAs("source"),
                "a pass-through value is a slice's value: the score carries the source's current one");

        JobConfig full = config("output.scored.path = tables/full", "scoring.full = true");
        ScoringResult whole = score(full);
        assertEquals("a full rescore (scoring.full)", whole.range().reason());
        Map<String, Double> incremental = probabilities(scored);
        Map<String, Double> fromScratch = probabilities(DeltaTables.read(spark, full.output().scored()));
        assertEquals(fromScratch.keySet(), incremental.keySet());
        fromScratch.forEach((id, p) -> assertEquals(p, incremental.get(id), 1e-6, id));
    }

    @Test
    void deletedReviewsAreMarkedWhenTheSettingSaysSoAndComeBackWhenInsertedAgain() {
        createSource(true);
        JobConfig config = config("scoring.source-deletes = mark");
        score(config);
        sql("DELETE FROM SOURCE WHERE id IN ('b', 'c')");
        ScoringResult deleting = score(config);
        assertEquals(2, deleting.deleted());
        assertEquals(0, deleting.input());
        Dataset<Row> scored = DeltaTables.read(spark, config.output().scored());
        assertEquals(6, scored.count(), "marked, not removed");
        List<Row> marked = scored.where("source_deleted_at IS NOT NULL").select("review_id", "source_deleted_at")
                .orderBy("review_id").collectAsList();
        assertEquals(List.of("b", "c"), marked.stream().map(row -> row.getString(0)).toList());
        Timestamp at = marked.get(0).getTimestamp(1);
        assertEquals(at, marked.get(1).getTimestamp(1), "one run marked both");

        assertEquals(0, score(config).deleted(), "a mark is set once");
        sql("INSERT INTO SOURCE VALUES ('b', 'Dreadful and dull from start to end.', 'negative', 'web')");
        ScoringResult back = score(config);
        assertEquals(1, back.scored(), "a review deleted and inserted again is scored again, even with its old text");
        Row b = DeltaTables.read(spark, config.output().scored()).where("review_id = 'b'").first();
        assertNull(b.getAs("source_deleted_at"));
        assertEquals(back.runId(), b.getAs("run_id"));
        assertEquals(at, DeltaTables.read(spark, config.output().scored()).where("review_id = 'c'").first()
                .getAs("source_deleted_at"), "c stays marked as the deleting run marked it");
    }

    @Test
    void aVacuumedHistoryFallsBackToTheFullComparison() {
        createSource(true);
        JobConfig config = config();
        score(config);
        sql("UPDATE SOURCE SET text = 'Not as good the second time.' WHERE id = 'a'");
        sql("UPDATE SOURCE SET text = 'It grows on you.' WHERE id = 'b'");
        Map<String, String> settings = new HashMap<>(Map.of("spark.databricks.delta.retentionDurationCheck.enabled",
                "false"));
        DeltaTables.withSessionSettings(spark, settings, () -> spark.sql("VACUUM " + source() + " RETAIN 0 HOURS"));

        ScoringResult fallback = score(config);
        assertEquals(SourceRange.ALL, fallback.range().read());
        assertTrue(fallback.range().reason().startsWith("the changes after version "), fallback.range().reason());
        assertEquals(6, fallback.input());
        assertEquals(2, fallback.scored());
        assertEquals(4, fallback.skipped());
        Dataset<Row> scored = DeltaTables.read(spark, config.output().scored());
        assertEquals(identity(spark.sql("SELECT * FROM " + source()), "id", null, "label"),
                identity(scored, "review_id", "text_hash", "source_label"));

        assertEquals(SourceRange.CHANGES, score(config).range().read(), "the next run reads changes again");
    }

    @Test
    void versionsWithoutChangeDataAreReadWhole() {
        createSource(true);
        JobConfig config = config();
        score(config);
        sql("ALTER TABLE SOURCE SET TBLPROPERTIES (delta.enableChangeDataFeed = false)");
        sql("INSERT INTO SOURCE VALUES ('g', 'Gripping to the very last scene.', 'positive', 'web')");
        sql("ALTER TABLE SOURCE SET TBLPROPERTIES (delta.enableChangeDataFeed = true)");
        ScoringResult second = score(config);
        assertEquals(SourceRange.ALL, second.range().read(), "the insert made while the feed was off is not lost");
        assertTrue(second.range().reason().startsWith("the changes after version "), second.range().reason());
        assertEquals(1, second.scored());
        assertEquals(6, second.skipped());
    }

    @Test
    void aSourceWithoutItsChangeFeedIsReadWholeAndSaysHowToTurnItOn() {
        createSource(false);
        JobConfig config = config();
        score(config);
        sql("INSERT INTO SOURCE VALUES ('g', 'Gripping to the very last scene.', 'positive', 'web')");
        ScoringResult second = score(config);
        assertEquals(SourceRange.ALL, second.range().read());
        assertTrue(second.range().reason().contains("SET TBLPROPERTIES (delta.enableChangeDataFeed = true)"),
                second.range().reason());
        assertEquals(7, second.input());
        assertEquals(1, second.scored());
        assertEquals(0, second.deleted());
    }

    @Test
    void aCatalogSourceIsReadByNameForItsChanges() {
        String schema = "spark_catalog.incremental_" + Long.toHexString(System.nanoTime());
        spark.sql("CREATE SCHEMA " + schema + " LOCATION '" + dir.resolve("schema") + "'");
        try {
            String table = schema + ".reviews";
            spark.sql("CREATE TABLE " + table + " (id STRING, text STRING, label STRING, source STRING) USING delta"
                    + " TBLPROPERTIES (delta.enableChangeDataFeed = true)");
            spark.sql("INSERT INTO " + table + " VALUES ('a', 'A wonderful film.', 'positive', 'web'),"
                    + " ('b', 'Dreadful and dull.', 'negative', 'web')");
            JobConfig config = config("source { path = null, table = \"" + table + "\" }");
            assertEquals(SourceRange.ALL, score(config).range().read());
            spark.sql("INSERT INTO " + table + " VALUES ('c', 'I loved it.', 'positive', 'web')");
            spark.sql("DELETE FROM " + table + " WHERE id = 'a'");
            ScoringResult changes = score(config);
            assertEquals(SourceRange.CHANGES, changes.range().read());
            assertEquals(1, changes.input());
            assertEquals(1, changes.scored());
            assertEquals(1, changes.deleted());
            assertEquals(List.of("b", "c"), DeltaTables.read(spark, config.output().scored()).orderBy("review_id")
                    .select("review_id").as(org.apache.spark.sql.Encoders.STRING()).collectAsList());
        } finally {
            spark.sql("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }
}
