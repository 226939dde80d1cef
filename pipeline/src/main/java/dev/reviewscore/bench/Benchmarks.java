package dev.reviewscore.bench;

import ai.djl.Device;
import dev.reviewscore.InvalidInputException;
import dev.reviewscore.config.DeviceChoice;
import dev.reviewscore.config.LongTextPolicy;
import dev.reviewscore.config.ModelConfig;
import dev.reviewscore.inference.DjlEnvironment;
import dev.reviewscore.inference.ModelBundle;
import dev.reviewscore.inference.SentimentModel;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Runs the selected measurements and prints each result table as Markdown. */
public final class Benchmarks {
    private Benchmarks() {}

    /**
     * @param settings what to measure
     * @param out where the tables go
     */
    public static void run(BenchSettings settings, PrintStream out) throws Exception {
        DjlEnvironment.ensureOffline();
        DjlEnvironment.threadsPerTask(settings.threads());
        out.printf("Benchmark on %d cores, Java %s, %s%n%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), System.getProperty("os.arch"));
        ModelBundle bundle = ModelBundle.open(settings.model());
        if (settings.sections().contains(BenchSettings.Section.LONG_TEXT)) {
            try (SentimentModel model = SentimentModel.load(bundle, bundle.tokenTypes(), Device.cpu())) {
                LabeledReviews dev = imdbDev(settings);
                ModelConfig base = new ModelConfig(bundle.directory(), null, DeviceChoice.CPU, settings.batchSize(),
                        null, LongTextPolicy.HEAD, 128, 16, null, settings.threads(), 16);
                out.println(LongTextBenchmark.run(model, dev, base, bundle.positiveIndex(null)).toMarkdown());
            }
        }
    }

    private static LabeledReviews imdbDev(BenchSettings settings) throws IOException {
        if (!Files.isRegularFile(settings.devIds())) {
            throw new InvalidInputException("IMDB dev ids " + settings.devIds() + " not found. Fix: pass --dev-ids "
                    + "models/build/imdb-dev-ids.txt (written by models/build/train_default_model.py).");
        }
        Set<String> ids = new HashSet<>(Files.readAllLines(settings.devIds()));
        ids.remove("");
        return LabeledReviews.read(settings.data().resolve("imdb_aclImdb_v1_train.csv"), ids, settings.reviews());
    }

    /** Parses section names such as {@code long-text}. */
    public static Set<BenchSettings.Section> sections(List<String> names) {
        Set<BenchSettings.Section> sections = new HashSet<>();
        for (String name : names) {
            try {
                sections.add(BenchSettings.Section.valueOf(name.toUpperCase(java.util.Locale.ROOT).replace('-', '_')));
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("Unknown benchmark section \"" + name + "\". Fix: use one of "
                        + List.of(BenchSettings.Section.values()).stream()
                        .map(s -> s.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')).toList() + ".");
            }
        }
        return sections;
    }
}
