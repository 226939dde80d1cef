package dev.reviewscore.bench;

import dev.reviewscore.config.ModelConfig;
import dev.reviewscore.inference.Prediction;
import dev.reviewscore.inference.SentimentModel;
import dev.reviewscore.inference.SentimentPredictor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The reference: a plain loop of batched predictions in this JVM, on {@code threads} Java threads that each own a
 * predictor over one shared model and score a contiguous share of the texts, fed in groups the way a Spark task
 * feeds its predictor. No Spark.
 */
final class PredictorBenchmark {
    private PredictorBenchmark() {}

    /**
     * What a timed pass measured.
     *
     * @param reviewsPerSecond reviews scored per second of wall-clock time
     * @param predictions the predictions, in input order
     * @param forwardPasses batches run
     */
    record Pass(double reviewsPerSecond, List<Prediction> predictions, long forwardPasses) {}

    /**
     * Scores every text twice, after a warm-up on a tenth of them, and reports the faster pass: the reference is
     * the predictor at its best, so that ratios against it are not flattered by its noise.
     */
    static Pass run(SentimentModel model, List<String> texts, ModelConfig config, int threads) throws Exception {
        pass(model, texts.subList(0, Math.max(Math.min(texts.size(), threads), texts.size() / 10)), config, threads);
        double best = 0;
        Pass pass = null;
        for (int round = 0; round < 2; round++) {
            long start = System.nanoTime();
            pass = pass(model, texts, config, threads);
            best = Math.max(best, texts.size() / ((System.nanoTime() - start) / 1e9));
        }
        return new Pass(best, pass.predictions(), pass.forwardPasses());
    }

    /** Seconds of one pass over the texts, without a warm-up (for interleaved measurements after one). */
    static double timedPass(SentimentModel model, List<String> texts, ModelConfig config, int threads)
            throws Exception {
        long start = System.nanoTime();
        pass(model, texts, config, threads);
        return (System.nanoTime() - start) / 1e9;
    }

    /** Each thread scores one contiguous share of the texts, as a Spark task scores its partition. */
    private static Pass pass(SentimentModel model, List<String> texts, ModelConfig config, int threads)
            throws Exception {
        int group = config.batchSize() * config.bucketWindow();
        int share = (texts.size() + threads - 1) / threads;
        List<List<Prediction>> results = new ArrayList<>();
        long[] passes = new long[threads];
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<Prediction>>> workers = new ArrayList<>();
            for (int worker = 0; worker < threads; worker++) {
                int id = worker;
                List<String> part = texts.subList(Math.min(texts.size(), id * share),
                        Math.min(texts.size(), (id + 1) * share));
                workers.add(pool.submit(() -> {
                    List<Prediction> predictions = new ArrayList<>(part.size());
                    try (SentimentPredictor predictor = model.newPredictor(config)) {
                        for (int start = 0; start < part.size(); start += group) {
                            predictions.addAll(predictor.predict(part.subList(start,
                                    Math.min(part.size(), start + group))));
                        }
                        passes[id] = predictor.forwardPasses();
                    }
                    return predictions;
                }));
            }
            for (Future<List<Prediction>> worker : workers) {
                results.add(worker.get());
            }
        } finally {
            pool.shutdownNow();
        }
        List<Prediction> predictions = new ArrayList<>(texts.size());
        results.forEach(predictions::addAll);
        long forward = 0;
        for (long p : passes) {
            forward += p;
        }
        return new Pass(0, predictions, forward);
    }
}
