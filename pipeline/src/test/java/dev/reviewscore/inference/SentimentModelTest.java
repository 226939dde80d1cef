package dev.reviewscore.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reviewscore.InvalidInputException;
import dev.reviewscore.config.DeviceChoice;
import dev.reviewscore.config.LongTextPolicy;
import dev.reviewscore.config.ModelConfig;
import dev.reviewscore.testing.TestPaths;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SentimentModelTest {
    private static SentimentModel model;

    @TempDir
    Path temp;

    @BeforeAll
    static void load() {
        DjlEnvironment.ensureOffline();
        model = SentimentModel.load(ModelBundle.open(TestPaths.defaultModel()), false, Device.cpu());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static ModelConfig config(LongTextPolicy policy, int batchSize, int bucketWindow, Integer maxLength) {
        return ModelConfig.builder().location("unused").device(DeviceChoice.CPU).batchSize(batchSize)
                .maxLength(maxLength).longText(policy).windowOverlap(8).bucketWindow(bucketWindow).build();
    }

    @Test
    void tokenizesAndScoresExactlyAsTheTrainingCodeDid() throws Exception {
        assertTokenizesAndScoresLike(model, readJson("/tokenizer-parity.json"));
    }

    /**
     * The folder notebooks/export_hf_model.ipynb wrote for a small BertForSequenceClassification (transformers and
     * torch newer than this pipeline's libtorch; see models/build/check_hf_export.py), with the token ids and logits
     * transformers gave for the same texts, the last one longer than the position table.
     */
    @Test
    void loadsWhatTheExportNotebookWrites() throws Exception {
        ModelBundle bundle = ModelBundle.open(TestPaths.fixtureModel("hf-export-bert"));
        assertEquals(List.of("NEGATIVE", "POSITIVE"), bundle.labels());
        assertTrue(bundle.tokenTypes());
        try (SentimentModel bert = SentimentModel.load(bundle, true, Device.cpu())) {
            assertTokenizesAndScoresLike(bert, readJson("/models/hf-export-bert-reference.json").get("cases"));
        }
    }

    /** Each case's token ids (with [CLS] and [SEP]) and logits, as the reference implementation gave them. */
    private static void assertTokenizesAndScoresLike(SentimentModel scorer, JsonNode cases) throws Exception {
        List<String> texts = new ArrayList<>();
        for (JsonNode item : cases) {
            String text = item.get("text").asText();
            long[] expected = new long[item.get("ids").size() - 2];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = item.get("ids").get(i + 1).asLong();
            }
            long[] ids = scorer.contentIds(text);
            assertArrayEquals(expected, Arrays.copyOf(ids, Math.min(ids.length, 510)), "token ids of: " + text);
            texts.add(text);
        }
        try (SentimentPredictor predictor = scorer.newPredictor(config(LongTextPolicy.HEAD, 4, 1, null))) {
            List<Prediction> predictions = predictor.predict(texts);
            for (int i = 0; i < texts.size(); i++) {
                JsonNode logits = cases.get(i).get("logits");
                double[] expected = SentimentPredictor.softmax(new double[] {logits.get(0).asDouble(),
                        logits.get(1).asDouble()});
                assertArrayEquals(expected, predictions.get(i).probabilities(), 1e-5, texts.get(i));
            }
        }
    }

    private static JsonNode readJson(String resource) throws IOException {
        try (InputStream in = SentimentModelTest.class.getResourceAsStream(resource)) {
            return new ObjectMapper().readTree(in);
        }
    }

    @Test
    void scoresObviousReviewsTheRightWay() throws Exception {
        try (SentimentPredictor predictor = model.newPredictor(config(LongTextPolicy.HEAD_TAIL, 32, 16, null))) {
            List<Prediction> predictions = predictor.predict(List.of(
                    "An absolute delight: moving, funny and beautifully acted. I loved every minute.",
                    "A dull, lifeless mess. The worst film I have seen in years; avoid it."));
            assertEquals(1, predictions.get(0).predictedIndex());
            assertTrue(predictions.get(0).probabilities()[1] > 0.9);
            assertEquals(0, predictions.get(1).predictedIndex());
            assertTrue(predictions.get(1).probabilities()[0] > 0.9);
        }
    }

    @Test
    void lineBreakTagsReadAsSpaces() throws Exception {
        try (SentimentPredictor predictor = model.newPredictor(config(LongTextPolicy.HEAD, 8, 1, null))) {
            List<Prediction> predictions = predictor.predict(List.of("Great acting.<br /><br />Dull plot.",
                    "Great acting. Dull plot.", "Great acting.<BR>Dull plot."));
            assertEquals(predictions.get(1).tokens(), predictions.get(0).tokens());
            assertArrayEquals(predictions.get(1).probabilities(), predictions.get(0).probabilities(), 1e-9);
            assertArrayEquals(predictions.get(1).probabilities(), predictions.get(2).probabilities(), 1e-9);
        }
    }

    @Test
    void sortingByLengthNeverChangesWhichReviewAScoreBelongsTo() throws Exception {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String sentence = i % 3 == 0 ? "A wonderful, moving story. " : i % 3 == 1 ? "Boring and badly made. "
                    : "It was fine, I guess. ";
            texts.add(sentence.repeat(1 + (i * 7) % 23) + "Review " + i + ".");
        }
        List<Prediction> unsorted;
        List<Prediction> sorted;
        try (SentimentPredictor predictor = model.newPredictor(config(LongTextPolicy.HEAD, 8, 1, null))) {
            unsorted = predictor.predict(texts);
        }
        try (SentimentPredictor predictor = model.newPredictor(config(LongTextPolicy.HEAD, 8, 16, null))) {
            sorted = predictor.predict(texts);
        }
        for (int i = 0; i < texts.size(); i++) {
            assertArrayEquals(unsorted.get(i).probabilities(), sorted.get(i).probabilities(), 1e-5);
            assertEquals(unsorted.get(i).tokens(), sorted.get(i).tokens());
        }
        try (SentimentPredictor predictor = model.newPredictor(config(LongTextPolicy.HEAD, 8, 16, null))) {
            for (int i = 0; i < texts.size(); i += 7) {
                Prediction alone = predictor.predict(List.of(texts.get(i))).get(0);
                assertArrayEquals(alone.probabilities(), sorted.get(i).probabilities(), 1e-5);
            }
        }
    }

    /**
     * A review's score does not depend on the reviews that share its batch beyond float32 rounding: a batch is padded
     * to its longest review, and libtorch groups a float32 sum along a row by the row's length, so the last bits of
     * a sum can move with the padding (seen: 2e-8). Larger differences would mean padding leaks into the score.
     */
    @Test
    void aReviewsScoreDoesNotDependOnTheReviewsBatchedWithIt() throws Exception {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            texts.add(("An uneven film " + i + ": the cast is wonderful, the script is dull, and the ending moved me. ")
                    .repeat(1 + (i * 5) % 17));
        }
        String longest = "A long and winding review that goes on. ".repeat(60);
        try (SentimentPredictor predictor = model.newPredictor(config(LongTextPolicy.HEAD_TAIL, 8, 1, null))) {
            for (String text : texts) {
                double[] alone = predictor.predict(List.of(text)).get(0).probabilities();
                double[] padded = predictor.predict(List.of(text, longest)).get(0).probabilities();
                assertArrayEquals(alone, padded, 1e-6, text);
            }
        }
    }

    @Test
    void windowsScoreLongReviewsAsOneRowEach() throws Exception {
        String longReview = "The acting is superb and the story is moving. ".repeat(60);
        List<String> texts = List.of("Short and sweet, a lovely film.", longReview, "Terrible.", longReview);
        try (SentimentPredictor predictor = model.newPredictor(config(LongTextPolicy.WINDOWS, 4, 1, 64))) {
            List<Prediction> predictions = predictor.predict(texts);
            assertEquals(4, predictions.size());
            int sequences = predictions.stream().mapToInt(Prediction::windows).sum();
            assertEquals((sequences + 3) / 4, predictor.forwardPasses(), "windows of all reviews share batches");
            assertEquals(1, predictions.get(0).windows());
            assertTrue(predictions.get(1).windows() > 1, "windows: " + predictions.get(1).windows());
            assertTrue(predictions.get(1).tokens() > 62);
            assertArrayEquals(predictions.get(1).probabilities(), predictions.get(3).probabilities(), 1e-6);
            assertEquals(1, predictions.get(1).predictedIndex());
        }
        try (SentimentPredictor predictor = model.newPredictor(config(LongTextPolicy.HEAD, 4, 1, 64))) {
            Prediction head = predictor.predict(List.of(longReview)).get(0);
            assertEquals(1, head.windows());
            assertTrue(head.truncated());
        }
    }

    @Test
    void rejectsAMaximumLengthBeyondThePositionTable() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> model.newPredictor(config(LongTextPolicy.HEAD, 8, 1, 1024)));
        assertEquals("Invalid configuration: model.max-length = 1024 exceeds max_position_embeddings = 512 of "
                + "model movie-sentiment. Fix: use at most 512, or null for the model's maximum.", e.getMessage());
    }

    @Test
    void loadsABertStyleExportWithTokenTypesAndATupleOutput() throws Exception {
        List<Prediction> predictions = predictWithFixture("bert-tuple", true, "a wonderful film", "a terrible film");
        assertEquals(1, predictions.get(0).predictedIndex());
        assertEquals(0, predictions.get(1).predictedIndex());
        assertEquals(1.0, predictions.get(0).probabilities()[0] + predictions.get(0).probabilities()[1], 1e-9);
    }

    @Test
    void loadsADictOutputWithThreeLabels() throws Exception {
        List<Prediction> predictions = predictWithFixture("dict-three-labels", false, "great great loved it",
                "awful boring bad");
        assertEquals(3, predictions.get(0).probabilities().length);
        assertEquals(2, predictions.get(0).predictedIndex());
        assertEquals(0, predictions.get(1).predictedIndex());
    }

    @Test
    void readsLogitsAModelReturnsInHalfPrecision() throws Exception {
        List<Prediction> predictions = predictWithFixture("half-logits", false, "a wonderful film", "a terrible film");
        assertEquals(1, predictions.get(0).predictedIndex());
        assertEquals(0, predictions.get(1).predictedIndex());
        assertEquals(1.0, predictions.get(0).probabilities()[0] + predictions.get(0).probabilities()[1], 1e-9);
    }

    /** Loads a fixture model folder and scores the texts with head truncation, in one batch. */
    private static List<Prediction> predictWithFixture(String fixture, boolean tokenTypes, String... texts)
            throws Exception {
        ModelBundle bundle = ModelBundle.open(TestPaths.fixtureModel(fixture));
        try (SentimentModel loaded = SentimentModel.load(bundle, tokenTypes, Device.cpu());
             SentimentPredictor predictor = loaded.newPredictor(config(LongTextPolicy.HEAD, 8, 1, null))) {
            return predictor.predict(List.of(texts));
        }
    }

    @Test
    void aTokenTypeSettingThatDoesNotMatchTheModelFailsAtLoad() {
        ModelBundle bundle = ModelBundle.open(TestPaths.fixtureModel("bert-tuple"));
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> SentimentModel.load(bundle, false, Device.cpu()));
        assertTrue(e.getMessage().startsWith("Model model.pt in " + bundle.directory() + " does not take two inputs"),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("Fix: set model.token-types = true (or includeTokenTypes=true in "
                + "serving.properties) to match the traced forward()."), e.getMessage());
    }

    @Test
    void aVocabularyLargerThanTheEmbeddingTableFailsAtLoad() {
        ModelBundle bundle = ModelBundle.open(TestPaths.fixtureModel("small-embedding"));
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> SentimentModel.load(bundle, false, Device.cpu()));
        assertTrue(e.getMessage().startsWith("Model small.pt in " + bundle.directory() + " failed on token id "
                + (bundle.vocabularySize() - 1) + ", the largest id of tokenizer.json (" + bundle.vocabularySize()
                + " tokens): its embedding table is smaller than the tokenizer's vocabulary"), e.getMessage());
    }

    @Test
    void aTruncatedTorchScriptFileFailsAtLoadNamingTheFile() throws IOException {
        Path copy = TestPaths.copyFolder(TestPaths.fixtureModel("bert-tuple"), temp.resolve("broken"));
        byte[] bytes = Files.readAllBytes(copy.resolve("model.pt"));
        Files.write(copy.resolve("model.pt"), Arrays.copyOf(bytes, bytes.length / 2));
        ModelBundle bundle = ModelBundle.open(copy);
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> SentimentModel.load(bundle, true, Device.cpu()));
        assertTrue(e.getMessage().startsWith("Cannot load TorchScript " + copy.resolve("model.pt") + ": "),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("the file may be truncated or not TorchScript."), e.getMessage());
    }

    @Test
    void anExecutorLoadsEachModelOnce() throws IOException {
        // a folder of its own: no other test in this JVM can have loaded a model from it
        ModelBundle bundle = ModelBundle.open(TestPaths.copyFolder(TestPaths.fixtureModel("dict-three-labels"),
                temp.resolve("loaded-once")));
        int before = ExecutorModels.loads();
        SentimentModel first = ExecutorModels.get(bundle, false, Device.cpu(), 1, null);
        SentimentModel second = ExecutorModels.get(bundle, false, Device.cpu(), 1, null);
        assertTrue(first == second);
        assertEquals(before + 1, ExecutorModels.loads());
        assertFalse(first == ExecutorModels.get(ModelBundle.open(TestPaths.fixtureModel("bert-tuple")), true,
                Device.cpu(), 1, null));
    }
}
