package dev.reviewscore.bench;

import java.nio.file.Path;
import java.util.Set;

/**
 * What a benchmark run measures and with what.
 *
 * @param sections the measurements to run
 * @param model the model folder
 * @param data the shared labeled data folder
 * @param devIds the IMDB dev split's ids (models/build/imdb-dev-ids.txt)
 * @param reviews reviews per measurement (a sample; smaller for a smoke run)
 * @param batchSize sequences per forward pass
 * @param threads PyTorch intra-op threads
 */
public record BenchSettings(Set<Section> sections, Path model, Path data, Path devIds, int reviews, int batchSize,
                            int threads) {

    /** The measurements a benchmark run can make. */
    public enum Section {
        /** Accuracy and throughput of each long-text policy on the IMDB dev split. */
        LONG_TEXT
    }

    /** Copies the sections. */
    public BenchSettings {
        sections = Set.copyOf(sections);
    }
}
