package dev.reviewscore.cli;

import dev.reviewscore.Credentials;
import dev.reviewscore.ErrorMessages;
import dev.reviewscore.InvalidInputException;
import dev.reviewscore.bench.BenchSettings;
import dev.reviewscore.bench.Benchmarks;
import dev.reviewscore.config.JobConfigLoader;
import dev.reviewscore.job.Action;
import dev.reviewscore.job.JobRun;
import dev.reviewscore.job.RunOutcome;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The command line: {@code score}, {@code evaluate}, and {@code run} (score, then evaluate, with one run id).
 *
 * <p>Exit codes: 0 success; 2 usage, configuration or input errors (one message saying what, where and how to fix
 * it); 3 a quality gate broken (everything was written; one line per broken gate); 1 other failures (the cause is
 * printed last).
 */
@Command(name = "reviewscore", mixinStandardHelpOptions = true, version = "reviewscore 1.0",
        description = "Scores movie reviews with a sentiment model on Spark and reports how good the scores are.",
        subcommands = {Main.Score.class, Main.Evaluate.class, Main.Run.class, Main.Bench.class})
public final class Main implements Callable<Integer> {
    /** Exit code of a run that succeeded. */
    public static final int OK = 0;
    /** Exit code of an internal failure. */
    public static final int FAILED = 1;
    /** Exit code of a usage, configuration or input error. */
    public static final int USER_ERROR = 2;
    /** Exit code of a run that wrote all its results but broke a quality gate. */
    public static final int GATE_FAILED = 3;

    private final PrintStream out;
    private final PrintStream err;

    private Main(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        CommandLine.usage(this, out);
        return USER_ERROR;
    }

    /**
     * Runs the command line. A driver that is its own process exits with the run's code; where a platform hosts the
     * driver (YARN cluster mode, Databricks; see {@link DriverHost}) it returns on success and throws a
     * {@link JobFailedException} otherwise, so that the platform records the outcome of one attempt.
     */
    public static void main(String[] args) {
        DriverHost host = DriverHost.detect(System.getenv(), System.getProperties());
        int code = execute(args, System.out, System.err);
        if (host == DriverHost.OWN_PROCESS) {
            System.exit(code);
        }
        if (code != OK) {
            throw new JobFailedException(args.length == 0 ? "" : args[0], code);
        }
    }

    /**
     * Runs the command line without exiting.
     *
     * @return the exit code
     */
    public static int execute(String[] args, PrintStream out, PrintStream err) {
        CommandLine commandLine = new CommandLine(new Main(out, err));
        commandLine.setOut(new java.io.PrintWriter(out, true));
        commandLine.setErr(new java.io.PrintWriter(err, true));
        commandLine.setExitCodeExceptionMapper(e -> e instanceof InvalidInputException
                || e instanceof CommandLine.ParameterException ? USER_ERROR : FAILED);
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            Exception reported = MissingFileSystem.explain(e).map(Exception.class::cast).orElse(e);
            if (reported instanceof InvalidInputException) {
                err.println("Error: " + reported.getMessage());
                return USER_ERROR;
            }
            java.io.StringWriter trace = new java.io.StringWriter();
            e.printStackTrace(new java.io.PrintWriter(trace));
            err.print(Credentials.mask(trace.toString()));
            err.println(Credentials.mask("Failed: " + e.getClass().getName() + ": " + ErrorMessages.firstLine(e)));
            return FAILED;
        });
        return commandLine.execute(args);
    }

    /** Options every sub-command takes. */
    static final class JobOptions {
        @Option(names = {"-c", "--config"}, defaultValue = "conf/local.conf",
                description = "Job configuration file (HOCON). Default: ${DEFAULT-VALUE}")
        Path config;

        @Option(names = {"-C", "--conf"}, paramLabel = "KEY=VALUE",
                description = "Override a configuration key, for example --conf model.batch-size=64. Repeatable.")
        List<String> overrides = new ArrayList<>();
    }

    /**
     * Shared flow: load and validate the configuration, print it, run the action (see {@link JobRun}), print the
     * broken quality gates.
     */
    abstract static class JobCommand implements Callable<Integer> {
        @Mixin
        JobOptions options;

        @CommandLine.ParentCommand
        Main parent;

        /** What the command does: the action its {@code @Command} name names. */
        Action action() {
            return Action.valueOf(getClass().getAnnotation(Command.class).name().toUpperCase(java.util.Locale.ROOT));
        }

        List<String> extraOverrides() {
            return List.of();
        }

        @Override
        public Integer call() {
            PrintStream out = parent.out;
            List<String> overrides = new ArrayList<>(options.overrides);
            overrides.addAll(extraOverrides());
            JobConfigLoader.Loaded loaded = new JobConfigLoader(Path.of("")).load(options.config, overrides,
                    action().readsSource());
            out.println("Configuration " + options.config + ":");
            for (Map.Entry<String, String> setting : loaded.settings().entrySet()) {
                out.println("  " + setting.getKey() + " = " + setting.getValue());
            }
            RunOutcome outcome = JobRun.execute(action(), loaded.config(), RunPrinter.to(out));
            out.flush();
            outcome.brokenGates().forEach(violation -> parent.err.println(violation.message()));
            return outcome.passed() ? OK : GATE_FAILED;
        }
    }

    /** A command that scores: its {@code --full} rescores every review. */
    abstract static class ScoringCommand extends JobCommand {
        @Option(names = "--full", description = "Rescore every review, not only new or changed ones; a run also "
                + "evaluates from every scored row and rebuilds the aggregates table.")
        boolean full;

        @Override
        List<String> extraOverrides() {
            return full ? List.of("scoring.full=true", "evaluation.full=true") : List.of();
        }
    }

    /** Scores new and changed reviews. */
    @Command(name = "score", mixinStandardHelpOptions = true,
            description = "Score reviews not yet scored by this model version into the scored Delta table.")
    static final class Score extends ScoringCommand {}

    /** Evaluates the scored table. */
    @Command(name = "evaluate", mixinStandardHelpOptions = true,
            description = "Evaluate the scored table: metrics table, JSON and Markdown reports.")
    static final class Evaluate extends JobCommand {
        @Option(names = "--full", description = "Compute the metrics from every scored row and rebuild the "
                + "aggregates table, instead of merging the scored table's changes into it.")
        boolean full;

        @Override
        List<String> extraOverrides() {
            return full ? List.of("evaluation.full=true") : List.of();
        }
    }

    /** Scores, then evaluates. */
    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Score, then evaluate, as one run.")
    static final class Run extends ScoringCommand {}

    /** Measures the predictor and the pipeline; prints Markdown tables. */
    @Command(name = "bench", mixinStandardHelpOptions = true,
            description = "Measure the predictor, the pipeline and the evaluator on the shared labeled data; print "
                    + "Markdown tables (BENCHMARKS.md records them).")
    static final class Bench implements Callable<Integer> {
        @CommandLine.ParentCommand
        Main parent;

        @Option(names = "--section", split = ",", defaultValue = "all", description = "Measurements, comma-"
                + "separated: all, pipeline, batching, loading, evaluation, hardware, tuning, long-text, nightly. "
                + "Default: ${DEFAULT-VALUE}")
        List<String> sections;

        @Option(names = "--model", defaultValue = "models/movie-sentiment,target/bench-models/bert-small", split = ",",
                description = "Model folders. Default: ${DEFAULT-VALUE}")
        List<Path> models;

        @Option(names = "--data", defaultValue = "../shared/data", description = "Shared labeled data folder.")
        Path data;

        @Option(names = "--dev-ids", defaultValue = "models/build/imdb-dev-ids.txt",
                description = "Ids of the IMDB dev split (long-text table).")
        Path devIds;

        @Option(names = "--reviews", defaultValue = "25000", description = "IMDB reviews per measurement of small "
                + "models (the pipeline measurement also runs twice as many).")
        int reviews;

        @Option(names = "--encoder-reviews", defaultValue = "400", description = "IMDB reviews per measurement of "
                + "BERT-shaped models (the pipeline measurement also runs twice as many).")
        int encoderReviews;

        @Option(names = "--evaluation-rows", defaultValue = "1000000,10000000", split = ",",
                description = "Sizes of the generated scored tables.")
        List<Long> evaluationRows;

        @Option(names = "--pairs", defaultValue = "5", description = "Interleaved raw-predictor and pipeline pairs "
                + "of the pipeline measurement; its ratios are their medians. Default: ${DEFAULT-VALUE}")
        int pairs;

        @Option(names = "--nightly-reviews", defaultValue = "1000000", description = "Reviews in the nightly "
                + "measurement's Delta source before its first night. Default: ${DEFAULT-VALUE}")
        long nightlyReviews;

        @Option(names = "--nights", defaultValue = "2", description = "Nightly runs of the nightly measurement, each "
                + "after 1% new and 0.1% edited reviews. Default: ${DEFAULT-VALUE}")
        int nights;

        @Option(names = "--batch-size", defaultValue = "8", description = "Sequences per forward pass.")
        int batchSize;

        @Option(names = "--threads", defaultValue = "1", description = "PyTorch intra-op threads per task.")
        int threads;

        @Option(names = "--work", defaultValue = "target/bench-work", description = "Scratch folder for tables.")
        Path work;

        @Option(names = "--smoke", description = "The smallest configuration: a few reviews and small tables, to "
                + "check that every measurement runs (figures mean nothing).")
        boolean smoke;

        @Override
        public Integer call() throws Exception {
            Benchmarks.run(new BenchSettings(Benchmarks.sections(sections),
                    models.stream().map(Path::toAbsolutePath).toList(), data.toAbsolutePath(),
                    devIds.toAbsolutePath(), smoke ? 64 : reviews, smoke ? 8 : encoderReviews,
                    smoke ? List.of(10_000L, 20_000L) : evaluationRows, smoke ? 2 : pairs,
                    smoke ? 2_000 : nightlyReviews, smoke ? 1 : nights, batchSize, threads,
                    work.toAbsolutePath()),
                    parent.out);
            return OK;
        }
    }
}
