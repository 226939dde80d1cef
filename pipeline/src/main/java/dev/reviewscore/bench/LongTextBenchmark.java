package dev.reviewscore.bench;

import dev.reviewscore.config.DeviceChoice;
import dev.reviewscore.config.LongTextPolicy;
import dev.reviewscore.config.ModelConfig;
import dev.reviewscore.inference.Prediction;
import dev.reviewscore.inference.SentimentModel;
import dev.reviewscore.inference.SentimentPredictor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Measures each long-text policy on labeled reviews: accuracy, AUC and throughput of the predictor, fed the way a
 * Spark task feeds it (groups of {@code batch-size x bucket-window} reviews). Throughput is the median of three
 * timed passes per policy, the policies taking turns so that machine noise spreads over all of them.
 */
public final class LongTextBenchmark {
    private static final int ROUNDS = 3;

    private LongTextBenchmark() {}

    /**
     * @param model the loaded model
     * @param reviews labeled reviews (IMDB dev for the recorded table)
     * @param base settings other than the policy (batch size, bucket window, maximum length, windows)
     * @param positive the index of the positive label
     */
    public static MarkdownTable run(SentimentModel model, LabeledReviews reviews, ModelConfig base, int positive)
            throws Exception {
        MarkdownTable table = new MarkdownTable("Long-text policies on " + reviews.size() + " reviews (batch "
                + base.batchSize() + ", max length " + SentimentModel.effectiveMaxLength(base, model.bundle())
                + ", 1 intra-op thread)", "policy", "accuracy", "AUC", "reviews/s", "sequences per review",
                "truncated reviews", "mean tokens per review");
        LongTextPolicy[] policies = LongTextPolicy.values();
        double[][] seconds = new double[policies.length][ROUNDS];
        List<List<Prediction>> results = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            for (int p = 0; p < policies.length; p++) {
                ModelConfig config = withPolicy(base, policies[p]);
                try (SentimentPredictor predictor = model.newPredictor(config)) {
                    if (round == 0) {
                        predictAll(predictor, reviews.texts().subList(0, Math.min(200, reviews.size())), config);
                    }
                    long start = System.nanoTime();
                    List<Prediction> predictions = predictAll(predictor, reviews.texts(), config);
                    seconds[p][round] = (System.nanoTime() - start) / 1e9;
                    if (round == 0) {
                        results.add(predictions);
                    }
                }
            }
        }
        for (int p = 0; p < policies.length; p++) {
            List<Prediction> predictions = results.get(p);
            Quality quality = Quality.of(predictions, reviews.labels(), positive);
            long sequences = predictions.stream().mapToLong(Prediction::windows).sum();
            long truncated = predictions.stream().filter(Prediction::truncated).count();
            double[] times = seconds[p].clone();
            java.util.Arrays.sort(times);
            table.add(policies[p].name().toLowerCase(Locale.ROOT).replace('_', '-'),
                    String.format(Locale.ROOT, "%.4f", quality.accuracy()),
                    String.format(Locale.ROOT, "%.4f", quality.auc()),
                    String.format(Locale.ROOT, "%.0f", reviews.size() / times[ROUNDS / 2]),
                    String.format(Locale.ROOT, "%.2f", (double) sequences / reviews.size()), truncated,
                    String.format(Locale.ROOT, "%.0f", predictions.stream().mapToInt(Prediction::tokens).average()
                            .orElse(0)));
        }
        return table;
    }

    private static ModelConfig withPolicy(ModelConfig base, LongTextPolicy policy) {
        return base.toBuilder().device(DeviceChoice.CPU).longText(policy).build();
    }

    static List<Prediction> predictAll(SentimentPredictor predictor, List<String> texts, ModelConfig config)
            throws Exception {
        int group = config.batchSize() * config.bucketWindow();
        List<Prediction> predictions = new ArrayList<>(texts.size());
        for (int start = 0; start < texts.size(); start += group) {
            predictions.addAll(predictor.predict(texts.subList(start, Math.min(texts.size(), start + group))));
        }
        return predictions;
    }
}
