package dev.reviewscore.inference;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.engine.EngineException;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import dev.reviewscore.InvalidInputException;
import dev.reviewscore.config.ModelConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * A loaded model: the TorchScript module on one device and its Hugging Face tokenizer. Thread-safe; shared by all
 * tasks of an executor through {@link ExecutorModels}. Each task scores through its own {@link SentimentPredictor}.
 *
 * <p>Loading probes the model once with a sequence holding the tokenizer's largest id, so a model that takes other
 * inputs, returns the wrong number of logits, or has an embedding table smaller than the vocabulary fails here, with
 * a message naming the file and the fix, rather than in the middle of a scoring job.
 */
public final class SentimentModel implements AutoCloseable {
    private static final String PROBE_TEXT = "movie";

    private final ModelBundle bundle;
    private final Device device;
    private final ZooModel<EncodedBatch, float[][]> model;
    private final HuggingFaceTokenizer tokenizer;
    private final long[] prefix;
    private final long[] suffix;

    private SentimentModel(ModelBundle bundle, Device device, ZooModel<EncodedBatch, float[][]> model,
                           HuggingFaceTokenizer tokenizer) {
        this.bundle = bundle;
        this.device = device;
        this.model = model;
        this.tokenizer = tokenizer;
        long[] content = tokenizer.encode(PROBE_TEXT, false, false).getIds();
        long[] full = tokenizer.encode(PROBE_TEXT, true, false).getIds();
        int at = indexOf(full, content);
        if (at < 0) {
            throw new InvalidInputException("tokenizer.json in " + bundle.directory() + " encodes \"" + PROBE_TEXT
                    + "\" as " + Arrays.toString(content) + " alone but " + Arrays.toString(full)
                    + " with special tokens. Fix: use a tokenizer whose post-processor only adds special tokens.");
        }
        this.prefix = Arrays.copyOfRange(full, 0, at);
        this.suffix = Arrays.copyOfRange(full, at + content.length, full.length);
    }

    /**
     * Loads and probes a model.
     *
     * @param bundle the model folder
     * @param tokenTypes whether to send token_type_ids (must match the traced forward())
     * @param device the device to load on
     * @return the loaded model; close it when no task needs it any more
     * @throws InvalidInputException when the folder's files cannot be loaded or the probe fails
     */
    public static SentimentModel load(ModelBundle bundle, boolean tokenTypes, Device device) {
        DjlEnvironment.ensureOffline();
        Path dir = bundle.path();
        HuggingFaceTokenizer tokenizer;
        try {
            tokenizer = HuggingFaceTokenizer.newInstance(dir.resolve("tokenizer.json"),
                    Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
        } catch (IOException | RuntimeException e) {
            throw new InvalidInputException("Cannot load " + dir.resolve("tokenizer.json") + ": " + e.getMessage()
                    + ". Fix: write it with tokenizer.save_pretrained(folder) from a fast (Rust) tokenizer.", e);
        }
        ZooModel<EncodedBatch, float[][]> model = null;
        try {
            model = Criteria.builder()
                    .setTypes(EncodedBatch.class, float[][].class)
                    .optModelPath(dir)
                    .optModelName(bundle.torchScript().substring(0, bundle.torchScript().length() - 3))
                    .optEngine("PyTorch")
                    .optDevice(device)
                    .optTranslator(new LogitsTranslator(tokenTypes))
                    .optOption("mapLocation", "true")
                    .build()
                    .loadModel();
            SentimentModel loaded = new SentimentModel(bundle, device, model, tokenizer);
            loaded.probe(tokenTypes);
            return loaded;
        } catch (ModelNotFoundException | MalformedModelException | IOException | EngineException e) {
            close(model, tokenizer);
            throw new InvalidInputException("Cannot load TorchScript " + dir.resolve(bundle.torchScript()) + ": "
                    + tellingLine(e) + ". Fix: export the model again with torch.jit.trace and torch.jit.save (see "
                    + "notebooks/export_hf_model.ipynb); the file may be truncated or not TorchScript.", e);
        } catch (RuntimeException e) {
            close(model, tokenizer);
            throw e;
        }
    }

    private void probe(boolean tokenTypes) {
        long[] ids = new long[prefix.length + 1 + suffix.length];
        System.arraycopy(prefix, 0, ids, 0, prefix.length);
        ids[prefix.length] = bundle.vocabularySize() - 1;
        System.arraycopy(suffix, 0, ids, prefix.length + 1, suffix.length);
        float[][] logits;
        try (Predictor<EncodedBatch, float[][]> predictor = model.newPredictor()) {
            logits = predictor.predict(EncodedBatch.pad(new long[][] {ids}));
        } catch (TranslateException | RuntimeException e) {
            throw new InvalidInputException(probeFailure(e, tokenTypes), e);
        }
        if (logits.length != 1 || logits[0].length != bundle.labels().size()) {
            throw new InvalidInputException("Model " + bundle.torchScript() + " in " + bundle.directory()
                    + " returns " + (logits.length == 1 ? logits[0].length : -1) + " logits per review, but config.json "
                    + "names " + bundle.labels().size() + " labels " + bundle.labels() + ". Fix: make id2label in "
                    + "config.json list one label per logit, in logit order.");
        }
    }

    private String probeFailure(Exception e, boolean tokenTypes) {
        String full = fullMessage(e);
        String cause = tellingLine(e);
        String where = "Model " + bundle.torchScript() + " in " + bundle.directory();
        if (full.contains("argument") && (full.contains("missing value") || full.contains("Expected at most"))) {
            return where + " does not take " + (tokenTypes ? "three" : "two") + " inputs (" + cause + "). Fix: set "
                    + "model.token-types = " + !tokenTypes + " (or includeTokenTypes=" + !tokenTypes
                    + " in serving.properties) to match the traced forward().";
        }
        if (full.contains("index out of range") || full.contains("out of bounds")) {
            return where + " failed on token id " + (bundle.vocabularySize() - 1) + ", the largest id of "
                    + "tokenizer.json (" + bundle.vocabularySize() + " tokens): its embedding table is smaller than "
                    + "the tokenizer's vocabulary (" + cause + "). Fix: ship the tokenizer the model was trained with.";
        }
        return where + " failed on a probe input: " + cause + ". Fix: check that forward(input_ids, attention_mask"
                + (tokenTypes ? ", token_type_ids" : "") + ") returns logits of shape [batch, labels].";
    }

    /** The model folder this was loaded from. */
    public ModelBundle bundle() {
        return bundle;
    }

    /** The device the model runs on. */
    public Device device() {
        return device;
    }

    /**
     * A predictor for one task. Not thread-safe; the caller closes it (a task-completion listener does so).
     *
     * @param config batch size, maximum length and long-text policy
     * @return the predictor
     */
    public SentimentPredictor newPredictor(ModelConfig config) {
        int maxLength = effectiveMaxLength(config, bundle);
        SequenceSplitter splitter = new SequenceSplitter(prefix, suffix, maxLength, config.longText(),
                config.windowOverlap(), config.maxWindows());
        return new SentimentPredictor(this, model.newPredictor(), splitter, config.batchSize(),
                config.bucketWindow() > 1);
    }

    /**
     * The sequence length a configuration gives for a model: model.max-length, else the model's maximum.
     *
     * @throws InvalidInputException when the configured length exceeds the model's position table
     */
    public static int effectiveMaxLength(ModelConfig config, ModelBundle bundle) {
        if (config.maxLength() == null) {
            return bundle.maxPositions();
        }
        if (config.maxLength() > bundle.maxPositions()) {
            throw new InvalidInputException("Invalid configuration: model.max-length = " + config.maxLength()
                    + " exceeds max_position_embeddings = " + bundle.maxPositions() + " of model " + bundle.name()
                    + ". Fix: use at most " + bundle.maxPositions() + ", or null for the model's maximum.");
        }
        return config.maxLength();
    }

    /** Content token ids of a text: no special tokens, no truncation. */
    long[] contentIds(String text) {
        Encoding encoding = tokenizer.encode(text, false, false);
        return encoding.getIds();
    }

    boolean multiLabel() {
        return bundle.multiLabel();
    }

    @Override
    public void close() {
        close(model, tokenizer);
    }

    private static void close(ZooModel<?, ?> model, HuggingFaceTokenizer tokenizer) {
        if (model != null) {
            model.close();
        }
        tokenizer.close();
    }

    private static int indexOf(long[] haystack, long[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        return -1;
    }

    private static String fullMessage(Throwable e) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            text.append(t.getMessage()).append('\n');
        }
        return text.toString();
    }

    /** The most telling line of an engine error: the line naming the error, else the first line. */
    private static String tellingLine(Throwable e) {
        String[] lines = fullMessage(e).split("\n");
        for (String line : lines) {
            if (line.matches(".*(Error|Exception): .*") && !line.startsWith("Exception raised from")) {
                return line.trim();
            }
        }
        for (String line : lines) {
            if (!line.isBlank() && !line.equals("null")) {
                return line.trim();
            }
        }
        return e.getClass().getSimpleName();
    }
}
