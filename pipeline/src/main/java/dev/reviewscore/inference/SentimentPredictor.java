package dev.reviewscore.inference;

import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Scores reviews in batches on one {@link SentimentModel}. One per task; not thread-safe; close it to free its
 * native memory.
 *
 * <p>{@link #predict(List)} tokenizes every review, splits long ones by the long-text policy, and runs all
 * resulting sequences through the model in batches of the configured size, so windows of several reviews share
 * batches. With length sorting on, sequences are ordered by length before batching (little padding); results are
 * always returned in input order, one {@link Prediction} per review.
 */
public final class SentimentPredictor implements AutoCloseable {
    private final SentimentModel model;
    private final Predictor<EncodedBatch, float[][]> predictor;
    private final SequenceSplitter splitter;
    private final int batchSize;
    private final boolean sortByLength;
    private long forwardPasses;

    SentimentPredictor(SentimentModel model, Predictor<EncodedBatch, float[][]> predictor, SequenceSplitter splitter,
                       int batchSize, boolean sortByLength) {
        this.model = model;
        this.predictor = predictor;
        this.splitter = splitter;
        this.batchSize = batchSize;
        this.sortByLength = sortByLength;
    }

    /**
     * Scores reviews.
     *
     * @param texts review texts (not null)
     * @return one prediction per text, in the same order
     * @throws TranslateException when the model fails on a batch
     */
    public List<Prediction> predict(List<String> texts) throws TranslateException {
        int reviews = texts.size();
        List<long[]> sequences = new ArrayList<>();
        List<Integer> owner = new ArrayList<>();
        List<Integer> weight = new ArrayList<>();
        int[] tokens = new int[reviews];
        int[] windows = new int[reviews];
        boolean[] truncated = new boolean[reviews];
        for (int review = 0; review < reviews; review++) {
            long[] content = model.contentIds(texts.get(review));
            SequenceSplitter.Split split = splitter.split(content);
            tokens[review] = content.length;
            windows[review] = split.sequences().size();
            truncated[review] = split.truncated();
            for (int i = 0; i < split.sequences().size(); i++) {
                sequences.add(split.sequences().get(i));
                owner.add(review);
                weight.add(split.weights().get(i));
            }
        }

        Integer[] order = new Integer[sequences.size()];
        Arrays.setAll(order, i -> i);
        if (sortByLength) {
            Arrays.sort(order, Comparator.comparingInt((Integer i) -> sequences.get(i).length).thenComparingInt(i -> i));
        }
        float[][] logits = new float[sequences.size()][];
        for (int start = 0; start < order.length; start += batchSize) {
            int end = Math.min(order.length, start + batchSize);
            long[][] batch = new long[end - start][];
            for (int i = start; i < end; i++) {
                batch[i - start] = sequences.get(order[i]);
            }
            float[][] batchLogits = predictor.predict(EncodedBatch.pad(batch));
            forwardPasses++;
            for (int i = start; i < end; i++) {
                logits[order[i]] = batchLogits[i - start];
            }
        }

        int labels = model.bundle().labels().size();
        double[][] sums = new double[reviews][labels];
        double[] weights = new double[reviews];
        for (int s = 0; s < logits.length; s++) {
            int review = owner.get(s);
            double w = Math.max(1, weight.get(s));
            for (int k = 0; k < labels; k++) {
                sums[review][k] += w * logits[s][k];
            }
            weights[review] += w;
        }
        List<Prediction> predictions = new ArrayList<>(reviews);
        for (int review = 0; review < reviews; review++) {
            double[] mean = new double[labels];
            for (int k = 0; k < labels; k++) {
                mean[k] = sums[review][k] / weights[review];
            }
            double[] probabilities = model.multiLabel() ? sigmoid(mean) : softmax(mean);
            predictions.add(new Prediction(probabilities, argmax(probabilities), tokens[review], windows[review],
                    truncated[review]));
        }
        return predictions;
    }

    static double[] softmax(double[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (double logit : logits) {
            max = Math.max(max, logit);
        }
        double sum = 0;
        double[] result = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            result[i] = Math.exp(logits[i] - max);
            sum += result[i];
        }
        for (int i = 0; i < logits.length; i++) {
            result[i] /= sum;
        }
        return result;
    }

    static double[] sigmoid(double[] logits) {
        double[] result = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            result[i] = 1 / (1 + Math.exp(-logits[i]));
        }
        return result;
    }

    private static int argmax(double[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Forward passes (batches) run so far. */
    public long forwardPasses() {
        return forwardPasses;
    }

    /** Closes the underlying DJL predictor; the shared model stays loaded. */
    @Override
    public void close() {
        predictor.close();
    }
}
