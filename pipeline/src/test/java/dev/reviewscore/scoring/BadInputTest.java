package dev.reviewscore.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.reviewscore.InvalidInputException;
import dev.reviewscore.RunInfo;
import dev.reviewscore.cli.RunPrinter;
import dev.reviewscore.job.Action;
import dev.reviewscore.job.JobRun;
import dev.reviewscore.job.RunOutcome;
import dev.reviewscore.job.Scored;
import dev.reviewscore.config.JobConfig;
import dev.reviewscore.config.JobConfigLoader;
import dev.reviewscore.inference.ModelBundle;
import dev.reviewscore.metrics.Evaluation;
import dev.reviewscore.sink.DeltaTables;
import dev.reviewscore.testing.TestPaths;
import dev.reviewscore.testing.TestSpark;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Inputs that real review tables contain and a careless pipeline would lose or choke on. */
class BadInputTest {
    private static final StructType REVIEWS = new StructType().add("id", DataTypes.StringType)
            .add("text", DataTypes.StringType).add("label", DataTypes.StringType);

    private final SparkSession spark = TestSpark.session();

    @TempDir
    Path dir;

    private JobConfig config(String source, String model, String... overrides) {
        return new JobConfigLoader(dir).loadText(source + "\nmodel.location = \"" + model + "\"\n" + """
                output { scored.path = scored, rejects.path = rejects, metrics.path = metrics, reports = reports }
                """ + String.join("\n", overrides)).config();
    }

    private JobConfig deltaSource(Row... rows) {
        spark.createDataFrame(Arrays.asList(rows), REVIEWS).write().format("delta").mode("overwrite")
                .save(dir.resolve("source").toString());
        return config("source { path = source, columns.label = label }", TestPaths.defaultModel().toString());
    }

    private ScoringResult score(JobConfig config) {
        return new ScoringJob(spark, config, ModelBundle.open(Path.of(config.model().location())), RunInfo.start())
                .execute();
    }

    private Map<String, Row> scoredRows(JobConfig config) {
        Map<String, Row> rows = new HashMap<>();
        for (Row row : DeltaTables.read(spark, config.output().scored()).collectAsList()) {
            rows.put(row.getAs("review_id"), row);
        }
        return rows;
    }

    @Test
    void aOneMegabyteReviewIsScoredFromItsHeadAndTail() {
        String sentence = "The photography is gorgeous but the plot never really comes together in the end. ";
        String huge = sentence.repeat(1_000_000 / sentence.length() + 1);
        JobConfig config = deltaSource(RowFactory.create("huge", huge, "negative"),
                RowFactory.create("small", "A lovely film.", "positive"));
        ScoringResult result = score(config);
        assertEquals(2, result.scored());
        Row row = scoredRows(config).get("huge");
        assertTrue((int) row.getAs("token_count") > 150_000, "tokens: " + row.getAs("token_count"));
        assertEquals(true, row.getAs("truncated"));
        assertEquals(1, (int) row.getAs("windows"));
        assertTrue(((String) row.getAs("text")).length() >= 1_000_000);
    }

    @Test
    void invalidUtf8AndControlCharactersInACsvAreScoredNotDropped() throws IOException {
        Path csv = dir.resolve("broken.csv");
        byte[] header = "id,text,label\n".getBytes(StandardCharsets.UTF_8);
        byte[] bad = new byte[] {'1', ',', '"', 'A', ' ', 'g', 'r', 'e', 'a', 't', ' ', (byte) 0xFF, (byte) 0xFE, ' ',
            'f', 'i', 'l', 'm', 0x01, 0x07, '"', ',', 'p', 'o', 's', '\n'};
        byte[] good = "2,\"Boring \u0000 and \u001b dull\",neg\n".getBytes(StandardCharsets.UTF_8);
        Files.write(csv, concat(header, bad, good));
        JobConfig config = config("source { format = csv, path = broken.csv, options { header = true, escape = \"\\\"\" }"
                + ", columns.label = label }", TestPaths.defaultModel().toString());
        ScoringResult result = score(config);
        assertEquals(2, result.input());
        assertEquals(2, result.scored());
        Row first = scoredRows(config).get("1");
        assertTrue(((String) first.getAs("text")).contains("\uFFFD"), "invalid bytes become U+FFFD");
        assertEquals("POSITIVE", first.getAs("label"));
        assertEquals("NEGATIVE", scoredRows(config).get("2").getAs("label"));
    }

    @Test
    void aBrokenJsonLineIsRejectedAsMalformedWithItsRawText() throws IOException {
        Files.writeString(dir.resolve("reviews.json"), """
                {"id": "1", "text": "a great film, warm and funny", "label": "pos"}
                {"id": "2", "text": "cut off in the middle
                {"id": "3", "text": "dull, slow and far too long", "label": "neg"}
                """);
        assertTheSecondOfThreeRecordsIsRejectedAsMalformed(config("source { format = json, path = reviews.json, "
                + "columns.label = label }", TestPaths.defaultModel().toString()), "cut off in the middle");
    }

    /** Scores a source of records 1, 2 and 3 whose second is malformed; checks its reject and the scores. */
    private void assertTheSecondOfThreeRecordsIsRejectedAsMalformed(JobConfig config, String rawText) {
        ScoringResult result = score(config);
        assertEquals(List.of(3L, 2L, 1L), List.of(result.input(), result.scored(), result.rejected()));
        assertEquals(Map.of("malformed_record", 1L), result.rejectsByReason());
        Row rejected = DeltaTables.read(spark, config.output().rejects()).first();
        assertEquals("malformed_record", rejected.getAs("reason"));
        assertTrue(((String) rejected.getAs("original")).contains(rawText), (String) rejected.getAs("original"));
        assertEquals(Set.of("1", "3"), scoredRows(config).keySet());
    }

    @Test
    void aCsvRowSparkCannotParseIsRejectedAsMalformedWithItsRawText() throws IOException {
        Files.writeString(dir.resolve("reviews.csv"), """
                id,text,stars
                1,a great film,9
                2,a misplaced comma, it says,8
                3,dull and slow,2
                """);
        JobConfig config = config("source { format = csv, path = reviews.csv, options { header = true, "
                + "inferSchema = true }, columns.label = stars, labels.kind = stars }",
                TestPaths.defaultModel().toString());
        assertTheSecondOfThreeRecordsIsRejectedAsMalformed(config, "a misplaced comma, it says,8");
        assertEquals("2", DeltaTables.read(spark, config.output().rejects()).first().getAs("review_id"),
                "the fields a malformed CSV row has are kept");
    }

    @Test
    void aReaderModeThatDropsMalformedRecordsIsRefused() {
        JobConfig config = config("source { format = json, path = reviews.json, options.mode = DROPMALFORMED }",
                TestPaths.defaultModel().toString());
        InvalidInputException error = assertThrows(InvalidInputException.class, () -> score(config));
        assertTrue(error.getMessage().contains("source.options.mode"), error.getMessage());
    }

    @Test
    void emojiCjkAndRightToLeftTextAreScored() {
        JobConfig config = deltaSource(RowFactory.create("emoji", "😍😍😍 best film ever 🎬", "positive"),
                RowFactory.create("cjk", "这部电影非常好看", "positive"),
                RowFactory.create("rtl", "فيلم رائع جدا", "positive"),
                RowFactory.create("mixed", "Worst film. 最差 😡 سيء", "negative"));
        ScoringResult result = score(config);
        assertEquals(4, result.scored());
        for (Row row : scoredRows(config).values()) {
            Map<String, Double> probabilities = row.getJavaMap(row.fieldIndex("probabilities"));
            assertEquals(1.0, probabilities.values().stream().mapToDouble(Double::doubleValue).sum(), 1e-9);
            assertTrue((int) row.getAs("token_count") > 0);
        }
    }

    @Test
    void anEmptySourceIsARunWithNothingToScore() {
        JobConfig config = deltaSource();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RunOutcome outcome = JobRun.execute(Action.RUN, config,
                RunPrinter.to(new PrintStream(out, true, StandardCharsets.UTF_8)));
        Scored scored = outcome.scored();
        assertEquals(0, scored.result().input());
        assertEquals(List.of(0L, 0L, 0L), List.of(scored.result().scored(), scored.result().rejected(),
                scored.result().skipped()));
        assertEquals(0, scored.monitoring().reviews());
        Evaluation evaluation = outcome.evaluated().evaluation();
        assertEquals(0, evaluation.overall().rows());
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("the evaluation covers 0 reviews"));
        assertEquals(0, DeltaTables.read(spark, config.output().scored()).count());
    }

    @Test
    void reviewsTheModelFailsOnAreRejectedAndTheRestScored() {
        spark.createDataFrame(List.of(RowFactory.create("1", "a great film", "positive"),
                        RowFactory.create("2", "poison in the plot", "negative"),
                        RowFactory.create("3", "a terrible film", "negative"),
                        RowFactory.create("4", "the poison scene", "positive")), REVIEWS)
                .write().format("delta").mode("overwrite").save(dir.resolve("source").toString());
        JobConfig config = config("source { path = source, columns.label = label }",
                TestPaths.fixtureModel("poison-token").toString());
        ScoringResult result = score(config);
        assertEquals(4, result.input());
        assertEquals(2, result.scored());
        assertEquals(Map.of("model_error", 2L), result.rejectsByReason());
        Row rejected = DeltaTables.read(spark, config.output().rejects()).where("review_id = '2'").first();
        assertTrue(((String) rejected.getAs("detail")).contains("poison token in the input"),
                (String) rejected.getAs("detail"));
        assertTrue(((String) rejected.getAs("original")).contains("poison in the plot"));
    }

    private static byte[] concat(byte[]... parts) {
        int length = Arrays.stream(parts).mapToInt(p -> p.length).sum();
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }
}
