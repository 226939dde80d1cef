package dev.reviewscore.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Floating-point operations of one forward pass of a BERT-shaped encoder over a sequence of {@code t} tokens,
 * counted from its shapes (config.json: num_hidden_layers, hidden_size, intermediate_size); a multiply-add counts 2.
 * Per layer: Q, K, V and output projections {@code 4 * 2tH^2}, attention scores and weighted values
 * {@code 2 * 2t^2H}, feed-forward {@code 2 * 2tHF}; then the pooler and classifier on one token. Embedding lookups,
 * softmax, layer norms and activations are not counted (they are not matrix work).
 *
 * @param layers encoder layers
 * @param hidden hidden size H
 * @param intermediate feed-forward size F
 * @param labels output labels
 */
record TransformerFlops(int layers, int hidden, int intermediate, int labels) {

    /** Reads the shape from a model folder's config.json, or null when it does not describe an encoder. */
    static TransformerFlops of(Path modelFolder, int labels) throws IOException {
        JsonNode config = new ObjectMapper().readTree(modelFolder.resolve("config.json").toFile());
        if (!config.has("num_hidden_layers") || !config.has("hidden_size")) {
            return null;
        }
        int hidden = config.get("hidden_size").asInt();
        return new TransformerFlops(config.get("num_hidden_layers").asInt(), hidden,
                config.path("intermediate_size").asInt(4 * hidden), labels);
    }

    /** Operations for one sequence of {@code t} tokens. */
    double perSequence(int t) {
        double h = hidden;
        double perLayer = 4 * 2.0 * t * h * h + 2 * 2.0 * t * t * h + 2 * 2.0 * t * h * intermediate;
        return layers * perLayer + 2 * h * h + 2 * h * labels;
    }
}
