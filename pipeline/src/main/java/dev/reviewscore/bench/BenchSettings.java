package dev.reviewscore.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * What a benchmark run measures and with what.
 *
 * @param sections the measurements to run
 * @param models model folders to measure (missing ones are reported, not measured)
 * @param data the shared labeled data folder
 * @param devIds the IMDB dev split's ids (models/build/imdb-dev-ids.txt), for the long-text table
 * @param reviews IMDB reviews per measurement for small models (the default model)
 * @param encoderReviews IMDB reviews per measurement for BERT-shaped models (they are 100 times slower)
 * @param evaluationRows sizes of the generated scored tables for the evaluation measurement
 * @param pairs interleaved raw-predictor and pipeline pairs of the pipeline measurement
 * @param nightlyReviews reviews in the nightly measurement's source before its first night
 * @param nights nightly runs of the nightly measurement
 * @param batchSize sequences per forward pass
 * @param threads PyTorch intra-op threads per task
 * @param work a scratch folder for tables
 */
public record BenchSettings(Set<Section> sections, List<Path> models, Path data, Path devIds, int reviews,
                            int encoderReviews, List<Long> evaluationRows, int pairs, long nightlyReviews, int nights,
                            int batchSize, int threads, Path work) {

    /** The measurements a benchmark run can make. */
    public enum Section {
        /** The raw predictor against the Spark pipeline, end to end and into a no-op sink. */
        PIPELINE,
        /** Unsorted against length-bucketed batches, on short (SST-2) and long (IMDB) reviews. */
        BATCHING,
        /** Model loads per executor JVM and time to first prediction. */
        LOADING,
        /** The evaluator on large generated scored tables. */
        EVALUATION,
        /** The predictor's achieved FLOP/s against a matrix multiply through the same libtorch. */
        HARDWARE,
        /** Batch size and intra-op threads of the raw predictor. */
        TUNING,
        /** Accuracy and throughput of each long-text policy on the IMDB dev split. */
        LONG_TEXT,
        /** Nightly runs reading only the changes of a large Delta source, against the first run. */
        NIGHTLY
    }

    /** Copies the collections. */
    public BenchSettings {
        if (pairs < 1) {
            throw new IllegalArgumentException("the pipeline measurement needs at least one pair: " + pairs);
        }
        sections = Set.copyOf(sections);
        models = List.copyOf(models);
        evaluationRows = List.copyOf(evaluationRows);
    }
}
