package dev.reviewscore.inference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reviewscore.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * A model folder in the model contract, checked and described: a traced TorchScript file, {@code tokenizer.json},
 * {@code config.json} (id2label, optional label2id / max_position_embeddings / problem_type) and optional
 * {@code serving.properties}. Opening one reads only these small files; it loads no engine.
 *
 * <p>The version is a content hash of every file in the folder except documentation ({@code *.md}) and hidden files,
 * so a changed model is a new version whatever its name.
 *
 * @param location where the model lives, as configured: the local folder, or the URI it was copied from
 * @param directory the local folder (absolute) the files were read from
 * @param name the model's name: serving.properties {@code option.modelName}, else the TorchScript file's base name
 * @param version the first 16 hex digits of the SHA-256 over the model files' names and contents
 * @param torchScript the TorchScript file name inside the folder
 * @param labels label names in logit order (config.json id2label)
 * @param maxPositions the longest sequence the model takes (config.json max_position_embeddings, else 512)
 * @param tokenTypes whether the export expects token_type_ids (serving.properties includeTokenTypes, else false)
 * @param multiLabel whether logits are independent sigmoids (problem_type multi_label_classification, or one label)
 * @param vocabularySize one more than the largest token id tokenizer.json can produce
 */
public record ModelBundle(String location, String directory, String name, String version, String torchScript, List<String> labels,
                          int maxPositions, boolean tokenTypes, boolean multiLabel, int vocabularySize)
        implements Serializable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int DEFAULT_MAX_POSITIONS = 512;
    /** Content hashes this JVM computed, by folder and its files' names, sizes and modification times. */
    private static final Map<String, String> HASHES = new ConcurrentHashMap<>();

    /** Copies the labels. */
    public ModelBundle {
        labels = List.copyOf(labels);
    }

    /**
     * Checks a model folder against the model contract and describes it.
     *
     * @param folder the local model folder
     * @return the bundle
     * @throws InvalidInputException naming the missing or malformed file and the fix
     */
    public static ModelBundle open(Path folder) {
        Path dir = folder.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            throw new InvalidInputException("Model folder " + dir + " does not exist. Fix: set model.location to a "
                    + "folder with a TorchScript file, tokenizer.json and config.json (models/movie-sentiment is "
                    + "the bundled default).");
        }
        Properties serving = readServingProperties(dir);
        String torchScript = findTorchScript(dir, serving.getProperty("option.modelName"));
        Path tokenizer = requireFile(dir, "tokenizer.json", "save the tokenizer next to the model "
                + "(tokenizer.save_pretrained(folder) writes it; see notebooks/export_hf_model.ipynb)");
        int vocabularySize = vocabularySize(tokenizer, readJson(tokenizer));
        JsonNode config = readJson(requireFile(dir, "config.json",
                "save the model configuration next to the model (model.config.save_pretrained(folder))"));
        List<String> labels = readLabels(dir, config);
        int maxPositions = config.path("max_position_embeddings").asInt(DEFAULT_MAX_POSITIONS);
        if (maxPositions < 8) {
            throw new InvalidInputException("config.json in " + dir + " has max_position_embeddings = "
                    + maxPositions + ". Fix: set it to the length of the model's position table (512 for BERT).");
        }
        String problemType = config.path("problem_type").asText("single_label_classification");
        boolean multiLabel = "multi_label_classification".equals(problemType) || labels.size() == 1;
        boolean tokenTypes = Boolean.parseBoolean(serving.getProperty("includeTokenTypes", "false").trim());
        String name = serving.getProperty("option.modelName", torchScript.substring(0, torchScript.length() - 3)).trim();
        return new ModelBundle(dir.toString(), dir.toString(), name, contentHash(dir), torchScript, labels,
                maxPositions, tokenTypes, multiLabel, vocabularySize);
    }

    /** The same bundle, recorded as coming from {@code uri} (its files were copied from there). */
    public ModelBundle at(String uri) {
        return new ModelBundle(uri, directory, name, version, torchScript, labels, maxPositions, tokenTypes, multiLabel,
                vocabularySize);
    }

    /** The folder as a path. */
    public Path path() {
        return Path.of(directory);
    }

    /**
     * The index of the label treated as positive in binary metrics.
     *
     * @param configured the configured label name, or null to infer: a label named positive / pos (any case),
     *     else index 1 of a two-label model
     * @return the index, or -1 when none can be chosen (more than two labels and none configured)
     * @throws InvalidInputException when a configured label is not one of the model's labels
     */
    public int positiveIndex(String configured) {
        return positiveIndex(labels, configured, name);
    }

    /**
     * The positive label's index among {@code labels}, by the rule of {@link #positiveIndex(String)}.
     *
     * @param labels label names in index order
     * @param configured the configured label name, or null to infer
     * @param modelName the model's name, for the error message
     */
    public static int positiveIndex(List<String> labels, String configured, String modelName) {
        if (configured != null) {
            for (int i = 0; i < labels.size(); i++) {
                if (labels.get(i).equalsIgnoreCase(configured)) {
                    return i;
                }
            }
            throw new InvalidInputException("Invalid configuration: model.positive-label = \"" + configured
                    + "\" is not a label of model " + modelName + " (labels: " + labels + "). Fix: use one of those.");
        }
        for (int i = 0; i < labels.size(); i++) {
            String label = labels.get(i).toLowerCase(Locale.ROOT);
            if (label.equals("positive") || label.equals("pos")) {
                return i;
            }
        }
        return labels.size() == 2 ? 1 : -1;
    }

    private static Properties readServingProperties(Path dir) {
        Properties properties = new Properties();
        Path file = dir.resolve("serving.properties");
        if (Files.isRegularFile(file)) {
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                properties.load(reader);
            } catch (IOException e) {
                throw new InvalidInputException("Cannot read " + file + ": " + e.getMessage(), e);
            }
        }
        return properties;
    }

    private static String findTorchScript(Path dir, String modelName) {
        List<String> candidates = new ArrayList<>();
        if (modelName != null) {
            candidates.add(modelName.trim() + ".pt");
        }
        candidates.add(dir.getFileName() + ".pt");
        candidates.add("model.pt");
        for (String candidate : candidates) {
            if (Files.isRegularFile(dir.resolve(candidate))) {
                return candidate;
            }
        }
        List<String> found = listFiles(dir).stream().filter(f -> f.endsWith(".pt")).toList();
        if (found.size() == 1) {
            return found.get(0);
        }
        throw new InvalidInputException("No TorchScript file in model folder " + dir + " (looked for "
                + String.join(", ", candidates) + (found.isEmpty() ? "" : "; found several: " + found) + "). Fix: "
                + "save the traced model as model.pt, or name it in serving.properties as option.modelName=<name> "
                + "for <name>.pt.");
    }

    private static Path requireFile(Path dir, String file, String fix) {
        Path path = dir.resolve(file);
        if (!Files.isRegularFile(path)) {
            throw new InvalidInputException(file + " is missing from model folder " + dir + ". Fix: " + fix + ".");
        }
        return path;
    }

    private static JsonNode readJson(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new InvalidInputException("Cannot parse " + file + " as JSON: " + e.getMessage()
                    + ". Fix: write it with model.config.save_pretrained(folder).", e);
        }
    }

    private static List<String> readLabels(Path dir, JsonNode config) {
        JsonNode id2label = config.path("id2label");
        if (!id2label.isObject() || id2label.isEmpty()) {
            throw new InvalidInputException("config.json in " + dir + " has no id2label. Fix: add the label names, "
                    + "for example \"id2label\": {\"0\": \"NEGATIVE\", \"1\": \"POSITIVE\"}.");
        }
        TreeMap<Integer, String> byIndex = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = id2label.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            try {
                byIndex.put(Integer.parseInt(entry.getKey().trim()), entry.getValue().asText());
            } catch (NumberFormatException e) {
                throw new InvalidInputException("config.json in " + dir + " has id2label key \"" + entry.getKey()
                        + "\", not a number. Fix: key id2label by logit index: \"0\", \"1\", ...");
            }
        }
        if (byIndex.firstKey() != 0 || byIndex.lastKey() != byIndex.size() - 1) {
            throw new InvalidInputException("config.json in " + dir + " has id2label indices " + byIndex.keySet()
                    + ". Fix: number the labels 0 to n-1 in logit order.");
        }
        List<String> labels = new ArrayList<>(byIndex.values());
        JsonNode label2id = config.path("label2id");
        for (int i = 0; i < labels.size(); i++) {
            JsonNode id = label2id.path(labels.get(i));
            if (!label2id.isMissingNode() && !id.isMissingNode() && id.asInt(-1) != i) {
                throw new InvalidInputException("config.json in " + dir + " maps " + labels.get(i) + " to " + i
                        + " in id2label but to " + id.asText() + " in label2id. Fix: make the two agree.");
            }
        }
        if (labels.stream().distinct().count() != labels.size()) {
            throw new InvalidInputException("config.json in " + dir + " repeats a label name: " + labels
                    + ". Fix: give every label its own name.");
        }
        return labels;
    }

    private static int vocabularySize(Path file, JsonNode tokenizer) {
        int size = 0;
        JsonNode vocab = tokenizer.path("model").path("vocab");
        if (vocab.isObject()) {
            for (JsonNode id : vocab) {
                size = Math.max(size, id.asInt() + 1);
            }
        } else if (vocab.isArray()) {
            size = vocab.size();
        }
        for (JsonNode added : tokenizer.path("added_tokens")) {
            size = Math.max(size, added.path("id").asInt() + 1);
        }
        if (size == 0) {
            throw new InvalidInputException(file + " has no model vocabulary. Fix: write it with "
                    + "tokenizer.save_pretrained(folder) from a fast (Rust) tokenizer.");
        }
        return size;
    }

    private static List<String> listFiles(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new InvalidInputException("Cannot list model folder " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * The content hash of a model folder: SHA-256 over each model file's name and bytes, in name order, skipping
     * documentation ({@code *.md}) and hidden files. Returns the first 16 hex digits. A folder this JVM hashed before
     * whose files have the same names, sizes and modification times is not read again: the driver opens, probes and
     * checks the same folder in turn.
     */
    static String contentHash(Path dir) {
        String stamp = filesStamp(dir);
        return HASHES.computeIfAbsent(dir.toAbsolutePath().normalize() + "\n" + stamp, key -> readHash(dir));
    }

    /** The names, sizes and modification times of a folder's files, in name order. */
    private static String filesStamp(Path dir) {
        StringBuilder stamp = new StringBuilder();
        for (String file : listFiles(dir)) {
            try {
                Path path = dir.resolve(file);
                stamp.append(file).append('/').append(Files.size(path)).append('/')
                        .append(Files.getLastModifiedTime(path)).append(';');
            } catch (IOException e) {
                throw new InvalidInputException("Cannot read model folder " + dir + ": " + e.getMessage(), e);
            }
        }
        return stamp.toString();
    }

    private static String readHash(Path dir) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (String file : listFiles(dir)) {
                if (file.startsWith(".") || file.toLowerCase(Locale.ROOT).endsWith(".md")) {
                    continue;
                }
                digest.update(file.getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
                try (InputStream in = new DigestInputStream(Files.newInputStream(dir.resolve(file)), digest)) {
                    while (in.read(buffer) >= 0) {
                        // the digest sees every byte read
                    }
                }
            }
            return HexFormat.of().formatHex(digest.digest()).substring(0, 16);
        } catch (IOException e) {
            throw new InvalidInputException("Cannot read model folder " + dir + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
