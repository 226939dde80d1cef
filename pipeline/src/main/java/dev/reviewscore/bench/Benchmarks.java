package dev.reviewscore.bench;

import ai.djl.Device;
import dev.reviewscore.InvalidInputException;
import dev.reviewscore.job.Sessions;
import dev.reviewscore.config.DeviceChoice;
import dev.reviewscore.config.JobConfig;
import dev.reviewscore.config.LongTextPolicy;
import dev.reviewscore.config.ModelConfig;
import dev.reviewscore.inference.DjlEnvironment;
import dev.reviewscore.inference.ExecutorModels;
import dev.reviewscore.inference.ModelBundle;
import dev.reviewscore.inference.Prediction;
import dev.reviewscore.inference.SentimentModel;
import dev.reviewscore.scoring.ScoringResult;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import dev.reviewscore.metrics.Evaluation;

/**
 * Runs the selected measurements on the same models, data, batch size and thread settings, and prints each result
 * table as Markdown (BENCHMARKS.md records them). Throughputs are measured in one run, so their ratios hold even on a
 * noisy machine; absolute numbers do not travel.
 */
public final class Benchmarks {
    private static final int MATMUL_SIZE = 1024;

    private final BenchSettings settings;
    private final PrintStream out;
    private final int cores = Runtime.getRuntime().availableProcessors();
    private final BenchProgress progress;
    private SparkSession spark;

    private Benchmarks(BenchSettings settings, PrintStream out, BenchProgress progress) {
        this.settings = settings;
        this.out = out;
        this.progress = progress;
    }

    /**
     * Runs the measurements; progress goes to standard error at least every 30 seconds.
     *
     * @param settings what to measure
     * @param out where the tables go
     */
    public static void run(BenchSettings settings, PrintStream out) throws Exception {
        try (BenchProgress progress = new BenchProgress(System.err, Duration.ofSeconds(30))) {
            new Benchmarks(settings, out, progress).run();
        }
    }

    private boolean on(BenchSettings.Section section) {
        return settings.sections().contains(section);
    }

    private void run() throws Exception {
        DjlEnvironment.ensureOffline();
        DjlEnvironment.threadsPerTask(settings.threads());
        deleteFolder(settings.work());
        Files.createDirectories(settings.work());
        out.printf("Benchmark on %d cores (%s), Java %s; batch %d, %d intra-op thread(s) per task%n%n", cores,
                System.getProperty("os.arch"), System.getProperty("java.version"), settings.batchSize(),
                settings.threads());
        try {
            MarkdownTable pipeline = new MarkdownTable("1-2. Raw predictor against the Spark pipeline (IMDB reviews; "
                    + cores + " threads against local[" + cores + "]; marginal: the extra reviews/s of a run twice as "
                    + "large, without fixed costs, from the median times of each size; interleaved pairs, medians "
                    + "with the pairs' [min, max])", "model", "reviews",
                    "pairs", "raw reviews/s", "end to end reviews/s", "end to end / raw",
                    "score only (no-op sink) reviews/s", "score only / raw", "raw marginal reviews/s",
                    "end to end marginal reviews/s", "marginal end to end / raw",
                    "keep-text = false: end to end / raw", "keep-text = false: marginal / raw",
                    "fixed cost per run (s)", "end-to-end steps of the last pair (s)");
            MarkdownTable batching = new MarkdownTable("3. Unsorted against length-bucketed batches (1 thread)",
                    "model", "data", "reviews", "unsorted reviews/s", "bucketed reviews/s", "speed-up",
                    "forward passes unsorted / bucketed", "max probability difference");
            MarkdownTable loading = new MarkdownTable("4. Model loading", "model", "first load in a JVM (ms)",
                    "loads of this model in the JVM after its measurements", "warm executor: ms to first prediction");
            MarkdownTable hardware = new MarkdownTable("6. Achieved FLOP/s against a " + MATMUL_SIZE + "x"
                    + MATMUL_SIZE + " float32 matrix multiply (1 thread)", "model", "matmul GFLOP/s",
                    "GFLOP per review (mean)", "reviews/s", "achieved GFLOP/s", "share of matmul");
            MarkdownTable tuning = new MarkdownTable("Tuning knobs on IMDB reviews", "model", "measured", "batch size",
                    "intra-op threads", "predictor threads or tasks", "partitions per core", "reviews/s");
            for (Path folder : settings.models()) {
                if (!Files.isDirectory(folder)) {
                    out.println("Not measured: no model at " + folder + " (for the BERT-shaped model run "
                            + "/usr/bin/python3 models/build/make_bert_shaped_model.py).\n");
                    continue;
                }
                measureModel(ModelBundle.open(folder), pipeline, batching, loading, hardware, tuning);
            }
            for (MarkdownTable table : List.of(pipeline, batching, loading, hardware, tuning)) {
                if (!table.rows().isEmpty()) {
                    out.println(table.toMarkdown());
                }
            }
            if (on(BenchSettings.Section.EVALUATION)) {
                out.println(evaluation().toMarkdown());
            }
            if (on(BenchSettings.Section.NIGHTLY)) {
                ModelBundle bundle = ModelBundle.open(settings.models().get(0));
                LabeledReviews texts = sample("imdb_aclImdb_v1_train.csv",
                        (int) Math.min(25_000, settings.nightlyReviews()));
                out.println(new NightlyBenchmark(spark(), settings.work(), progress).run(bundle, texts,
                        settings.nightlyReviews(), settings.nights(), settings.batchSize(), settings.threads())
                        .toMarkdown());
            }
            if (on(BenchSettings.Section.LONG_TEXT)) {
                ModelBundle bundle = ModelBundle.open(settings.models().get(0));
                SentimentModel model = ExecutorModels.get(bundle, bundle.tokenTypes(), Device.cpu(),
                        settings.threads(), null);
                progress.step("7. long texts: head, head-tail and windows on IMDB dev");
                out.println(LongTextBenchmark.run(model, imdbDev(), config(bundle, LongTextPolicy.HEAD, 16),
                        bundle.positiveIndex(null)).toMarkdown());
            }
        } finally {
            if (spark != null) {
                spark.stop();
            }
        }
    }

    private void measureModel(ModelBundle bundle, MarkdownTable pipeline, MarkdownTable batching,
                              MarkdownTable loading, MarkdownTable hardware, MarkdownTable tuning) throws Exception {
        boolean encoder = TransformerFlops.of(bundle.path(), bundle.labels().size()) != null;
        int size = encoder ? settings.encoderReviews() : settings.reviews();
        LabeledReviews imdb = sample("imdb_aclImdb_v1_train.csv", size);
        LabeledReviews sst = sample("sst2_glue_train.csv", size);
        ModelConfig bucketed = config(bundle, LongTextPolicy.HEAD_TAIL, 16);
        ModelConfig unsorted = config(bundle, LongTextPolicy.HEAD_TAIL, 1);

        int loadsBefore = ExecutorModels.loads();
        long start = System.nanoTime();
        SentimentModel model = ExecutorModels.get(bundle, bundle.tokenTypes(), Device.cpu(), settings.threads(), null);
        double coldLoadMillis = (System.nanoTime() - start) / 1e6;

        String name = bundle.name();
        if (on(BenchSettings.Section.PIPELINE)) {
            measurePipeline(bundle, model, imdb, bucketed, size, pipeline);
        }
        PredictorBenchmark.Pass sortedImdb = null;
        if (on(BenchSettings.Section.BATCHING) || on(BenchSettings.Section.HARDWARE)) {
            progress.step("3. " + name + ": bucketed batches, " + size + " IMDB reviews on 1 thread");
            sortedImdb = PredictorBenchmark.run(model, imdb.texts(), bucketed, 1);
        }
        if (on(BenchSettings.Section.BATCHING)) {
            for (Map.Entry<String, LabeledReviews> data : Map.of("IMDB", imdb, "SST-2", sst).entrySet()) {
                PredictorBenchmark.Pass sorted = data.getKey().equals("IMDB") ? sortedImdb
                        : PredictorBenchmark.run(model, data.getValue().texts(), bucketed, 1);
                progress.step("3. " + name + ": unsorted batches, " + data.getValue().size() + " " + data.getKey()
                        + " reviews on 1 thread");
                PredictorBenchmark.Pass plain = PredictorBenchmark.run(model, data.getValue().texts(), unsorted, 1);
                batching.add(bundle.name(), data.getKey() + " (max length " + bundle.maxPositions() + ")",
                        data.getValue().size(), rate(plain.reviewsPerSecond()), rate(sorted.reviewsPerSecond()),
                        ratio(sorted.reviewsPerSecond() / plain.reviewsPerSecond()),
                        plain.forwardPasses() + " / " + sorted.forwardPasses(),
                        String.format(Locale.ROOT, "%.1e", maxDifference(plain.predictions(), sorted.predictions())));
            }
        }
        if (on(BenchSettings.Section.LOADING)) {
            progress.step("4. " + name + ": loading and first prediction on a warm executor");
            SparkBenchmark sparkBench = new SparkBenchmark(spark(), settings.work());
            JobConfig job = sparkBench.config(settings.work(), bundle, bundle.name() + "-loading", settings.batchSize(),
                    settings.threads());
            sparkBench.warmFirstPredictionMillis(bundle, job, imdb.texts().get(0));
            double warm = sparkBench.warmFirstPredictionMillis(bundle, job, imdb.texts().get(1));
            loading.add(bundle.name(), String.format(Locale.ROOT, "%.0f", coldLoadMillis),
                    ExecutorModels.loads() - loadsBefore, String.format(Locale.ROOT, "%.1f", warm));
        }
        if (on(BenchSettings.Section.HARDWARE)) {
            progress.step("6. " + name + ": " + MATMUL_SIZE + "x" + MATMUL_SIZE + " matrix multiply");
            TransformerFlops shape = TransformerFlops.of(bundle.path(), bundle.labels().size());
            double matmul = MatrixMultiplyBenchmark.flops(MATMUL_SIZE, 5);
            if (shape == null) {
                hardware.add(bundle.name(), gflops(matmul), "not an encoder: shapes not counted", "", "", "");
            } else {
                double flops = 0;
                int budget = SentimentModel.effectiveMaxLength(bucketed, bundle) - 2;
                for (Prediction prediction : sortedImdb.predictions()) {
                    flops += shape.perSequence(Math.min(prediction.tokens(), budget) + 2);
                }
                double perReview = flops / sortedImdb.predictions().size();
                double achieved = perReview * sortedImdb.reviewsPerSecond();
                hardware.add(bundle.name(), gflops(matmul), String.format(Locale.ROOT, "%.2f", perReview / 1e9),
                        rate(sortedImdb.reviewsPerSecond()), gflops(achieved), ratio(achieved / matmul));
            }
        }
        if (on(BenchSettings.Section.TUNING)) {
            List<String> texts = imdb.texts();
            for (int batch : new int[] {8, 32}) {
                for (int threads : new int[] {1, cores}) {
                    progress.step("tuning. " + name + ": raw predictor, batch " + batch + ", " + threads
                            + " thread(s)");
                    ModelConfig config = ModelConfig.builder().location(bundle.directory())
                            .device(DeviceChoice.CPU).batchSize(batch).threads(settings.threads()).build();
                    tuning.add(bundle.name(), "raw predictor", batch, settings.threads(), threads, "",
                            rate(PredictorBenchmark.run(model, texts, config, threads).reviewsPerSecond()));
                }
            }
            if (!encoder) {
                SparkBenchmark sparkBench = new SparkBenchmark(spark(), settings.work());
                Path oneFile = sparkBench.writeSource(bundle.name() + "-one-file", imdb, 1);
                for (int perCore : new int[] {1, 2, 4}) {
                    progress.step("tuning. " + name + ": score only, " + perCore + " partition(s) per core");
                    JobConfig job = sparkBench.config(oneFile, bundle, bundle.name() + "-ppc" + perCore,
                            settings.batchSize(), settings.threads(), perCore);
                    tuning.add(bundle.name(), "score only, source in 1 file", settings.batchSize(),
                            settings.threads(), cores, perCore, rate(sparkBench.scoreOnly(job, bundle)));
                }
            }
        }
    }

    /**
     * The raw predictor against the whole scoring job, in interleaved pairs: each pair times the raw predictor and
     * the job on the same reviews, then both on twice as many, one right after the other, so that a slow or fast
     * spell of a noisy machine touches both sides of a ratio. The table gives each ratio's median over the pairs
     * with its range. A marginal rate divides by the difference of two times, which magnifies the noise of either:
     * its figure comes from the median time of each size (median extra seconds for the extra reviews), with the
     * range of the pairs' own marginal ratios. Score only and the runs without texts are measured once, against the
     * median raw rate.
     */
    private void measurePipeline(ModelBundle bundle, SentimentModel model, LabeledReviews imdb, ModelConfig bucketed,
                                 int size, MarkdownTable pipeline) throws Exception {
        String name = bundle.name();
        int pairs = settings.pairs();
        int steps = 4 * pairs + 4;
        int[] step = {0};
        java.util.function.Consumer<String> next = what -> progress.step("1-2. " + name + ": " + what + " ("
                + ++step[0] + " of " + steps + ")");
        LabeledReviews twice = sample("imdb_aclImdb_v1_train.csv", 2 * size);
        next.accept("warm-up of the raw predictor and the Spark pipeline; writing the sources");
        PredictorBenchmark.timedPass(model, imdb.texts().subList(0, Math.max(cores, size / 10)), bucketed, cores);
        SparkBenchmark sparkBench = new SparkBenchmark(spark(), settings.work());
        LabeledReviews warmUp = sample("imdb_aclImdb_v1_train.csv", Math.max(cores, size / 10));
        Path warmSource = sparkBench.writeSource(name + "-warm-up", warmUp, 2 * cores);
        JobConfig warmJob = sparkBench.config(warmSource, bundle, name + "-warm-up", settings.batchSize(),
                settings.threads());
        sparkBench.scoreOnly(warmJob, bundle);
        sparkBench.endToEnd(warmJob, bundle);
        Path source = sparkBench.writeSource(name + "-source", imdb, 2 * cores);
        Path sourceTwice = sparkBench.writeSource(name + "-source-x2", twice, 2 * cores);

        double[] raw = new double[pairs];
        double[] endToEnd = new double[pairs];
        double[] rawTimes = new double[pairs];
        double[] rawTimesTwice = new double[pairs];
        double[] times = new double[pairs];
        double[] timesTwice = new double[pairs];
        double[] fixedCost = new double[pairs];
        double[] ratios = new double[pairs];
        double[] marginalRatios = new double[pairs];
        ScoringResult last = null;
        for (int pair = 0; pair < pairs; pair++) {
            String tag = "pair " + (pair + 1) + " of " + pairs + ": ";
            next.accept(tag + "raw predictor, " + size + " reviews on " + cores + " threads");
            double rawSeconds = PredictorBenchmark.timedPass(model, imdb.texts(), bucketed, cores);
            next.accept(tag + "Spark pipeline end to end, " + size + " reviews");
            last = sparkBench.endToEnd(sparkBench.config(source, bundle, name + "-pair" + pair, settings.batchSize(),
                    settings.threads()), bundle);
            double seconds = last.duration().toNanos() / 1e9;
            next.accept(tag + "raw predictor, " + 2 * size + " reviews");
            double rawSecondsTwice = PredictorBenchmark.timedPass(model, twice.texts(), bucketed, cores);
            next.accept(tag + "Spark pipeline end to end, " + 2 * size + " reviews");
            double secondsTwice = sparkBench.endToEnd(sparkBench.config(sourceTwice, bundle, name + "-pair" + pair
                    + "-x2", settings.batchSize(), settings.threads()), bundle).duration().toNanos() / 1e9;
            raw[pair] = size / rawSeconds;
            endToEnd[pair] = size / seconds;
            rawTimes[pair] = rawSeconds;
            rawTimesTwice[pair] = rawSecondsTwice;
            times[pair] = seconds;
            timesTwice[pair] = secondsTwice;
            fixedCost[pair] = 2 * seconds - secondsTwice;
            ratios[pair] = endToEnd[pair] / raw[pair];
            marginalRatios[pair] = (rawSecondsTwice - rawSeconds) / (secondsTwice - seconds);
        }
        double medianRaw = median(raw);
        double medianRawMarginal = size / (median(rawTimesTwice) - median(rawTimes));
        double medianMarginal = size / (median(timesTwice) - median(times));
        next.accept("score only (no-op sink), " + size + " reviews");
        double scoreOnly = sparkBench.scoreOnly(sparkBench.config(source, bundle, name, settings.batchSize(),
                settings.threads()), bundle);
        next.accept("end to end without texts, " + size + " reviews");
        double withoutText = sparkBench.endToEnd(sparkBench.config(source, bundle, name + "-no-text",
                settings.batchSize(), settings.threads(), 2, false), bundle).duration().toNanos() / 1e9;
        next.accept("end to end without texts, " + 2 * size + " reviews");
        double withoutTextTwice = sparkBench.endToEnd(sparkBench.config(sourceTwice, bundle, name + "-no-text-x2",
                settings.batchSize(), settings.threads(), 2, false), bundle).duration().toNanos() / 1e9;
        progress.step("1-2. " + name + ": done");
        pipeline.add(name, size, pairs, rate(medianRaw), rate(median(endToEnd)), medianAndRange(ratios),
                rate(scoreOnly), ratio(scoreOnly / medianRaw), rate(medianRawMarginal), rate(medianMarginal),
                ratio(medianMarginal / medianRawMarginal) + " " + range(marginalRatios),
                ratio(size / withoutText / medianRaw),
                ratio(size / (withoutTextTwice - withoutText) / medianRawMarginal),
                String.format(Locale.ROOT, "%.1f", median(fixedCost)), SparkBenchmark.steps(last));
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /** {@code 0.85 [0.80, 0.90]}: the median and the range. */
    private static String medianAndRange(double[] values) {
        return ratio(median(values)) + " " + range(values);
    }

    /** {@code [0.80, 0.90]}: the smallest and largest value. */
    private static String range(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return "[" + ratio(sorted[0]) + ", " + ratio(sorted[sorted.length - 1]) + "]";
    }

    private ModelConfig config(ModelBundle bundle, LongTextPolicy policy, int bucketWindow) {
        return ModelConfig.builder().location(bundle.directory()).device(DeviceChoice.CPU)
                .batchSize(settings.batchSize()).longText(policy).threads(settings.threads())
                .bucketWindow(bucketWindow).build();
    }

    private MarkdownTable evaluation() {
        MarkdownTable table = new MarkdownTable("5. Evaluation of generated scored tables (local[" + cores + "], "
                + "one slice column of 7 values; intervals: 200 bootstrap replicates)", "rows",
                "generate and write (s)", "evaluate without bootstrap (s)", "evaluate with all intervals (s)",
                "intervals / without", "time / time of the smallest", "plans with a single-partition stage");
        double first = 0;
        int done = 0;
        for (long rows : settings.evaluationRows()) {
            String which = String.format(Locale.ROOT, "5. evaluation: table %d of %d, %,d rows", ++done,
                    settings.evaluationRows().size(), rows);
            EvaluationBenchmark.Result result = EvaluationBenchmark.run(spark(),
                    settings.work().resolve("evaluation-" + rows), rows, 4 * cores, first == 0,
                    step -> progress.step(which + ": " + step));
            first = first == 0 ? result.seconds() : first;
            table.add(String.format(Locale.ROOT, "%,d", rows), String.format(Locale.ROOT, "%.1f", result.writeSeconds()),
                    String.format(Locale.ROOT, "%.1f", result.pointSeconds()),
                    String.format(Locale.ROOT, "%.1f", result.seconds()), ratio(result.seconds() / result.pointSeconds()),
                    ratio(result.seconds() / first), result.singlePartitionPlans().size());
        }
        return table;
    }

    private SparkSession spark() {
        if (spark == null) {
            spark = Sessions.create(Map.of("spark.master", "local[" + cores + "]", "spark.ui.enabled", "false",
                    "spark.sql.shuffle.partitions", Integer.toString(4 * cores),
                    "spark.databricks.delta.snapshotPartitions", Integer.toString(cores),
                    "spark.driver.host", "127.0.0.1"));
        }
        return spark;
    }

    /**
     * {@code size} reviews of a shared file, drawn with a fixed seed; beyond the file's size the draw starts over,
     * the repeated reviews getting new ids.
     */
    private LabeledReviews sample(String file, int size) {
        LabeledReviews all = LabeledReviews.read(settings.data().resolve(file), null, Integer.MAX_VALUE);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(17));
        List<String> ids = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        int[] labels = new int[size];
        for (int i = 0; i < size; i++) {
            int pick = order.get(i % all.size());
            ids.add(all.ids().get(pick) + (i < all.size() ? "" : "-copy" + i / all.size()));
            texts.add(all.texts().get(pick));
            labels[i] = all.labels()[pick];
        }
        return new LabeledReviews(ids, texts, labels);
    }

    private LabeledReviews imdbDev() throws IOException {
        if (!Files.isRegularFile(settings.devIds())) {
            throw new InvalidInputException("IMDB dev ids " + settings.devIds() + " not found. Fix: pass --dev-ids "
                    + "models/build/imdb-dev-ids.txt (written by models/build/train_default_model.py).");
        }
        Set<String> ids = new HashSet<>(Files.readAllLines(settings.devIds()));
        ids.remove("");
        return LabeledReviews.read(settings.data().resolve("imdb_aclImdb_v1_train.csv"), ids, Integer.MAX_VALUE);
    }

    private static void deleteFolder(Path folder) throws IOException {
        if (Files.exists(folder)) {
            try (var files = Files.walk(folder)) {
                for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        }
    }

    private static double maxDifference(List<Prediction> a, List<Prediction> b) {
        double max = 0;
        for (int i = 0; i < a.size(); i++) {
            for (int k = 0; k < a.get(i).probabilities().length; k++) {
                max = Math.max(max, Math.abs(a.get(i).probabilities()[k] - b.get(i).probabilities()[k]));
            }
        }
        return max;
    }

    private static String rate(double perSecond) {
        return String.format(Locale.ROOT, "%,.1f", perSecond);
    }

    private static String ratio(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }

    private static String gflops(double flops) {
        return String.format(Locale.ROOT, "%.1f", flops / 1e9);
    }

    /** Parses section names such as {@code long-text}. */
    public static Set<BenchSettings.Section> sections(List<String> names) {
        Set<BenchSettings.Section> sections = new HashSet<>();
        for (String name : names) {
            if (name.equals("all")) {
                sections.addAll(List.of(BenchSettings.Section.values()));
                continue;
            }
            try {
                sections.add(BenchSettings.Section.valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_')));
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("Unknown benchmark section \"" + name + "\". Fix: use all or some of "
                        + List.of(BenchSettings.Section.values()).stream()
                        .map(s -> s.name().toLowerCase(Locale.ROOT).replace('_', '-')).toList() + ".");
            }
        }
        return sections;
    }
}
