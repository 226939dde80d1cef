package dev.reviewscore.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.LibUtils;
import dev.reviewscore.InvalidInputException;
import dev.reviewscore.config.ModelConfig;
import dev.reviewscore.inference.DjlEnvironment;
import dev.reviewscore.inference.ModelBundle;
import dev.reviewscore.inference.Prediction;
import dev.reviewscore.inference.SentimentModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The project's predictor on one device, without Spark: {@link SentimentModel} and its predictor (the tokenizer,
 * batching, length bucketing and truncation the job uses) timed over files of texts, for each batch size with
 * bucketing on ({@code model.bucket-window} 16) and off (1). It needs only the inference classes, DJL and a libtorch
 * (DJL's native jar, or the folder {@code PYTORCH_LIBRARY_PATH} names), so {@code gpu/check.sh} runs it on a GPU
 * machine that has Python torch but no Spark, and the same command runs on a CPU.
 *
 * <pre>
 * DeviceBenchmark --model DIR --device gpu|cpu --texts NAME=FILE[,NAME=FILE] [--batches 8,32,128]
 *     [--max-length 512] [--reference DIR --compare 64] --out FILE
 * </pre>
 *
 * <p>Each measurement is one JSON object per line in {@code --out}: the export, texts, batch size, bucketing, the
 * best of two timed passes after a warm-up (sequences per second; the head-and-tail truncation gives one sequence per
 * text), and the tokens of each text's sequence ({@code lengths-NAME.txt} next to it) so that another runtime can
 * run the same batches. With {@code --reference}, the largest difference of any probability from that export's on
 * the CPU, over the first {@code --compare} texts of each file.
 */
public final class DeviceBenchmark {
    private static final int BUCKET_WINDOW = 16;

    private DeviceBenchmark() {}

    /**
     * Runs the measurements the arguments ask for.
     *
     * @param args see the class comment
     * @throws Exception when the model cannot be loaded or fails
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        DjlEnvironment.ensureOffline();
        Path out = Path.of(required(options, "out"));
        Path modelDir = Path.of(required(options, "model"));
        Device device = device(required(options, "device"));
        int maxLength = Integer.parseInt(options.getOrDefault("max-length", "512"));
        int[] batches = Arrays.stream(options.getOrDefault("batches", "8,32,128").split(","))
                .mapToInt(Integer::parseInt).toArray();
        Map<String, List<String>> texts = new LinkedHashMap<>();
        for (String named : required(options, "texts").split(",")) {
            String[] parts = named.split("=", 2);
            texts.put(parts[0], Files.readAllLines(Path.of(parts[1]), StandardCharsets.UTF_8));
        }
        ModelBundle bundle = ModelBundle.open(modelDir);
        ModelConfig base = ModelConfig.builder().location(modelDir.toString()).maxLength(maxLength).threads(1).build();
        Files.createDirectories(out.toAbsolutePath().getParent());
        try (PrintWriter results = new PrintWriter(Files.newBufferedWriter(out, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND));
             SentimentModel model = SentimentModel.load(bundle, false, device)) {
            System.out.printf(Locale.ROOT, "%s on %s (PyTorch %s from %s, %d GPUs)%n", bundle.name(), model.device(),
                    Engine.getEngine("PyTorch").getVersion(), LibUtils.getLibtorchPath(),
                    Engine.getEngine("PyTorch").getGpuCount());
            for (Map.Entry<String, List<String>> set : texts.entrySet()) {
                List<Prediction> compared = null;
                for (int batch : batches) {
                    for (boolean bucketing : new boolean[] {true, false}) {
                        ModelConfig config = base.toBuilder().batchSize(batch)
                                .bucketWindow(bucketing ? BUCKET_WINDOW : 1).build();
                        PredictorBenchmark.Pass pass = PredictorBenchmark.run(model, set.getValue(), config, 1);
                        if (compared == null) {
                            compared = pass.predictions();
                            writeLengths(out.resolveSibling("lengths-" + set.getKey() + ".txt"), compared, maxLength);
                        }
                        String line = String.format(Locale.ROOT, "{\"side\": \"jvm\", \"export\": \"%s\", \"texts\": "
                                + "\"%s\", \"batch\": %d, \"bucketing\": %b, \"sequences\": %d, \"per_second\": %.2f, "
                                + "\"forward_passes\": %d, \"device\": \"%s\"}", modelDir.getFileName(), set.getKey(),
                                batch, bucketing, set.getValue().size(), pass.reviewsPerSecond(), pass.forwardPasses(),
                                model.device());
                        results.println(line);
                        results.flush();
                        System.out.println(line);
                    }
                }
                if (options.containsKey("reference")) {
                    int count = Math.min(set.getValue().size(),
                            Integer.parseInt(options.getOrDefault("compare", "64")));
                    double difference = largestDifference(Path.of(options.get("reference")), base,
                            set.getValue().subList(0, count), compared.subList(0, count));
                    String line = String.format(Locale.ROOT, "{\"side\": \"jvm\", \"export\": \"%s\", \"texts\": "
                            + "\"%s\", \"compared\": %d, \"reference\": \"%s on cpu()\", \"max_difference\": %.3e}",
                            modelDir.getFileName(), set.getKey(), count,
                            Path.of(options.get("reference")).getFileName(), difference);
                    results.println(line);
                    System.out.println(line);
                }
            }
        }
    }

    /** The largest difference of a probability between these predictions and the reference export's on the CPU. */
    private static double largestDifference(Path reference, ModelConfig base, List<String> texts,
                                            List<Prediction> predictions) throws Exception {
        ModelConfig config = base.toBuilder().location(reference.toString()).batchSize(8).build();
        double largest = 0;
        try (SentimentModel cpu = SentimentModel.load(ModelBundle.open(reference), false, Device.cpu());
             var predictor = cpu.newPredictor(config)) {
            List<Prediction> expected = predictor.predict(texts);
            for (int i = 0; i < texts.size(); i++) {
                double[] a = expected.get(i).probabilities();
                double[] b = predictions.get(i).probabilities();
                for (int k = 0; k < a.length; k++) {
                    largest = Math.max(largest, Math.abs(a[k] - b[k]));
                }
            }
        }
        return largest;
    }

    /** Each text's sequence length: its tokens, cut to the budget, with [CLS] and [SEP]. */
    private static void writeLengths(Path file, List<Prediction> predictions, int maxLength) throws IOException {
        StringBuilder lengths = new StringBuilder();
        for (Prediction prediction : predictions) {
            lengths.append(Math.min(prediction.tokens(), maxLength - 2) + 2).append('\n');
        }
        Files.writeString(file, lengths, StandardCharsets.UTF_8);
    }

    private static Device device(String name) {
        if (name.equals("cpu")) {
            return Device.cpu();
        }
        int gpus = Engine.getEngine("PyTorch").getGpuCount();
        if (gpus == 0) {
            throw new InvalidInputException("--device gpu, but the PyTorch engine (" + Engine.getEngine("PyTorch")
                    .getVersion() + ") sees no GPU. Fix: point PYTORCH_LIBRARY_PATH at a CUDA build of libtorch (a "
                    + "Python torch install's torch/lib), with PYTORCH_FLAVOR=cu128 and PYTORCH_VERSION=2.7.1.");
        }
        return Device.gpu(0);
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("Expected --name value pairs, got " + args[i]);
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        return options;
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            throw new IllegalArgumentException("Missing --" + name + "; see DeviceBenchmark's usage");
        }
        return value;
    }
}
