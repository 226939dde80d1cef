package dev.reviewscore.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.reviewscore.InvalidInputException;
import dev.reviewscore.testing.TestPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelBundleTest {
    @TempDir
    Path temp;

    @Test
    void describesTheDefaultModel() {
        ModelBundle bundle = ModelBundle.open(TestPaths.defaultModel());
        assertEquals("movie-sentiment", bundle.name());
        assertEquals("movie-sentiment.pt", bundle.torchScript());
        assertEquals(List.of("NEGATIVE", "POSITIVE"), bundle.labels());
        assertEquals(512, bundle.maxPositions());
        assertFalse(bundle.tokenTypes());
        assertFalse(bundle.multiLabel());
        assertEquals(20000, bundle.vocabularySize());
        assertTrue(bundle.version().matches("[0-9a-f]{16}"), bundle.version());
        assertEquals(1, bundle.positiveIndex(null));
        assertEquals(0, bundle.positiveIndex("negative"));
    }

    @Test
    void describesExportsWithTokenTypesAndOtherLabels() {
        ModelBundle bert = ModelBundle.open(TestPaths.fixtureModel("bert-tuple"));
        assertEquals("model", bert.name());
        assertTrue(bert.tokenTypes());
        assertEquals(1, bert.positiveIndex(null));
        ModelBundle three = ModelBundle.open(TestPaths.fixtureModel("dict-three-labels"));
        assertEquals(List.of("terrible", "okay", "great"), three.labels());
        assertEquals(-1, three.positiveIndex(null));
        assertEquals(2, three.positiveIndex("great"));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> three.positiveIndex("good"));
        assertEquals("Invalid configuration: model.positive-label = \"good\" is not a label of model classifier "
                + "(labels: [terrible, okay, great]). Fix: use one of those.", e.getMessage());
    }

    @Test
    void theVersionFollowsModelFilesButNotDocumentation() throws IOException {
        Path copy = copyOfDefaultModel();
        String original = ModelBundle.open(copy).version();
        assertEquals(ModelBundle.open(TestPaths.defaultModel()).version(), original);
        Files.writeString(copy.resolve("MODEL_CARD.md"), "\nedited", StandardOpenOption.APPEND);
        assertEquals(original, ModelBundle.open(copy).version());
        Files.writeString(copy.resolve("config.json"), "\n", StandardOpenOption.APPEND);
        assertNotEquals(original, ModelBundle.open(copy).version());
    }

    /**
     * The version scheme pinned on a fixture folder: scored tables key their rows by version, so a change of the
     * scheme would make every table look unscored and rescore it. The value was computed outside Java (Python's
     * hashlib): SHA-256 over each file's name, a zero byte and its bytes, in name order, first 16 hex digits.
     */
    @Test
    void theVersionSchemeIsPinned() {
        assertEquals("7d04da4bfeed6492", ModelBundle.open(TestPaths.fixtureModel("small-embedding")).version());
    }

    @Test
    void aMissingTokenizerNamesTheFileAndTheFix() throws IOException {
        Path copy = copyOfDefaultModel();
        Files.delete(copy.resolve("tokenizer.json"));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ModelBundle.open(copy));
        assertEquals("tokenizer.json is missing from model folder " + copy + ". Fix: save the tokenizer next to "
                + "the model (tokenizer.save_pretrained(folder) writes it; see notebooks/export_hf_model.ipynb).",
                e.getMessage());
    }

    @Test
    void aMissingConfigNamesTheFileAndTheFix() throws IOException {
        Path copy = copyOfDefaultModel();
        Files.delete(copy.resolve("config.json"));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ModelBundle.open(copy));
        assertEquals("config.json is missing from model folder " + copy + ". Fix: save the model configuration "
                + "next to the model (model.config.save_pretrained(folder)).", e.getMessage());
    }

    @Test
    void aFolderWithoutTorchScriptSaysWhatWasLookedFor() throws IOException {
        Path copy = copyOfDefaultModel();
        Files.delete(copy.resolve("movie-sentiment.pt"));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ModelBundle.open(copy));
        assertTrue(e.getMessage().startsWith("No TorchScript file in model folder " + copy + " (looked for "
                + "movie-sentiment.pt, " + copy.getFileName() + ".pt, model.pt)."), e.getMessage());
    }

    @Test
    void labelsMustBeNumberedFromZero() throws IOException {
        Path copy = copyOfDefaultModel();
        Files.writeString(copy.resolve("config.json"), "{\"id2label\": {\"1\": \"NEGATIVE\", \"2\": \"POSITIVE\"}}");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ModelBundle.open(copy));
        assertEquals("config.json in " + copy + " has id2label indices [1, 2]. Fix: number the labels 0 to n-1 in "
                + "logit order.", e.getMessage());
        Files.writeString(copy.resolve("config.json"), "{\"max_position_embeddings\": 512}");
        InvalidInputException none = assertThrows(InvalidInputException.class, () -> ModelBundle.open(copy));
        assertTrue(none.getMessage().startsWith("config.json in " + copy + " has no id2label."), none.getMessage());
    }

    @Test
    void aMissingFolderSaysWhereToPointModelLocation() {
        Path missing = temp.resolve("nowhere");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ModelBundle.open(missing));
        assertTrue(e.getMessage().startsWith("Model folder " + missing + " does not exist. Fix: set model.location"),
                e.getMessage());
    }

    private Path copyOfDefaultModel() throws IOException {
        return TestPaths.copyFolder(TestPaths.defaultModel(), temp.resolve("model-copy"));
    }
}
