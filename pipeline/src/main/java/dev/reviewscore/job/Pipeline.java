package dev.reviewscore.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.reviewscore.Credentials;
import dev.reviewscore.InvalidInputException;
import dev.reviewscore.RunInfo;
import dev.reviewscore.config.JobConfig;
import dev.reviewscore.config.SourceDeletes;
import dev.reviewscore.config.TableLocation;
import dev.reviewscore.gates.GateCheck;
import dev.reviewscore.gates.GateDecision;
import dev.reviewscore.gates.GateViolation;
import dev.reviewscore.inference.ModelBundle;
import dev.reviewscore.inference.ModelLocation;
import dev.reviewscore.metrics.AggregatesTable;
import dev.reviewscore.metrics.Comparison;
import dev.reviewscore.metrics.Evaluation;
import dev.reviewscore.metrics.Metric;
import dev.reviewscore.metrics.MetricRows;
import dev.reviewscore.metrics.ModelComparison;
import dev.reviewscore.metrics.ReviewEvaluator;
import dev.reviewscore.metrics.RunHistory;
import dev.reviewscore.metrics.SliceEvaluation;
import dev.reviewscore.monitoring.RunMonitoring;
import dev.reviewscore.monitoring.ScoreMonitor;
import dev.reviewscore.report.ModelCardBlock;
import dev.reviewscore.report.Reports;
import dev.reviewscore.report.RunReport;
import dev.reviewscore.scoring.ReviewSentiment;
import dev.reviewscore.scoring.ScoringJob;
import dev.reviewscore.scoring.ScoringResult;
import dev.reviewscore.scoring.ScoringStage;
import dev.reviewscore.sink.DashboardTables;
import dev.reviewscore.sink.DeltaTables;
import dev.reviewscore.sink.MetricsTable;
import dev.reviewscore.sink.TableSchemas;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver's plan for one run: score, evaluate, or both with one run id. Prints a short account of what it did to
 * the given stream (the command line's standard output).
 */
public final class Pipeline {
    private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);
    private static final int HISTORY_RUNS = 60;
    private final SparkSession spark;
    private final JobConfig config;
    private final ModelBundle bundle;
    private final RunInfo run;
    private final PrintStream out;
    private Scored scored;
    private Evaluation evaluation;
    private Instant evaluatedAt;
    private double evaluateSeconds;
    private String evaluatedFrom;

    /**
     * @param spark the session
     * @param config the validated configuration
     * @param bundle the configured model, opened
     * @param run this run
     * @param out where the account goes
     */
    public Pipeline(SparkSession spark, JobConfig config, ModelBundle bundle, RunInfo run, PrintStream out) {
        this.spark = spark;
        this.config = config;
        this.bundle = bundle;
        this.run = run;
        this.out = out;
    }

    /**
     * Opens the configured model folder, loads it once in this JVM and makes one predictor with the configured
     * settings, so that a model breaking the contract or settings that do not fit the model fail before any Spark
     * work (and a local-mode run reuses the loaded copy).
     */
    public static ModelBundle openAndProbe(JobConfig config) {
        ModelBundle bundle = ReviewSentiment.openAndProbe(config.model(),
                ModelLocation.hadoopConfiguration(config.spark()));
        bundle.positiveIndex(config.model().positiveLabel());
        return bundle;
    }

    /** Scores the source into the scored table, monitors the scores, and appends the run's summary metrics. */
    public Scored score() {
        out.printf("Run %s: scoring %s with model %s (version %s)%n", run.runId(), config.source().location(),
                bundle.name(), bundle.version());
        ScoringResult result = new ScoringJob(spark, config, bundle, run).execute();
        out.println("Read: " + result.range().describe());
        out.printf(Locale.ROOT, "Input %d = scored %d + rejected %d + skipped %d (already scored); "
                        + "inserted %d, updated %d; %.1f s%n", result.input(), result.scored(), result.rejected(),
                result.skipped(), result.inserted(), result.updated(), result.duration().toMillis() / 1000.0);
        if (result.deleted() > 0) {
            out.printf(Locale.ROOT, "Deleted from the source: %d scores %s%n", result.deleted(),
                    config.scoring().sourceDeletes() == SourceDeletes.REMOVE ? "removed"
                            : "marked (source_deleted_at)");
        }
        if (!result.rejectsByReason().isEmpty()) {
            out.println("Rejected by reason: " + result.rejectsByReason() + " (see " + config.output().rejects() + ")");
        }
        StringBuilder stages = new StringBuilder("Stages:");
        result.stagesByKey().forEach((stage, duration) -> stages.append(String.format(Locale.ROOT, " %s %.1f s;", stage,
                duration.toMillis() / 1000.0)));
        double scoreSeconds = result.stages().get(ScoringStage.SCORE).toMillis() / 1000.0;
        out.println(stages.append(String.format(Locale.ROOT, " %.0f reviews/s while scoring",
                scoreSeconds > 0 ? result.scored() / scoreSeconds : 0)));
        out.println("Scored table: " + config.output().scored());

        int positive = bundle.positiveIndex(config.model().positiveLabel());
        RunMonitoring monitoring = ScoreMonitor.monitor(spark, config.output().scored(), config.output().metrics(),
                run.runId(), bundle.version(), positive < 0 ? null : bundle.labels().get(positive));
        out.println(monitoring.reviews() == 0 ? "Monitoring: " + monitoring.note()
                : String.format(Locale.ROOT, "Monitoring: %d reviews newly scored, positive rate %.4f, mean "
                        + "positive probability %.4f, drift (PSI) %s", monitoring.reviews(), monitoring.positiveRate(),
                monitoring.meanScore(), monitoring.drift() == null ? "n/a (" + monitoring.note() + ")"
                        : String.format(Locale.ROOT, "%.4f against run %s", monitoring.drift(),
                                monitoring.previousRun())));

        Map<Metric, Long> counts = new LinkedHashMap<>();
        counts.put(Metric.INPUT_ROWS, result.input());
        counts.put(Metric.SCORED_ROWS, result.scored());
        counts.put(Metric.REJECTED_ROWS, result.rejected());
        counts.put(Metric.SKIPPED_ROWS, result.skipped());
        counts.put(Metric.DELETED_ROWS, result.deleted());
        List<Row> rows = new ArrayList<>(MetricRows.scoringRows(run.runId(), bundle.name(), bundle.version(),
                run.startedAt(), counts, result.stagesByKey()));
        rows.addAll(MetricRows.sourceRows(result.range(), run.runId(), bundle.name(), bundle.version(),
                run.startedAt()));
        rows.addAll(ScoreMonitor.rows(monitoring, run.runId(), bundle.name(), bundle.version(), run.startedAt()));
        MetricsTable.append(spark, config.output().metrics(), rows, run.commitTag());
        scored = new Scored(result, monitoring);
        return scored;
    }

    /**
     * Evaluates the scored table for the configured model version, appends the metrics and writes the reports.
     *
     * @param scoring this run's scoring step, or null when the run did not score
     * @return the evaluation
     */
    public Evaluation evaluate(Scored scoring) {
        TableLocation table = config.output().scored();
        if (!DeltaTables.exists(spark, table)) {
            throw new InvalidInputException("Scored table " + table + " does not exist. Fix: run the score "
                    + "command first, or point output.scored at the scored table.");
        }
        String version = evaluatedVersion();
        Dataset<Row> all = TableSchemas.stillInSource(DeltaTables.read(spark, table));
        Dataset<Row> scores = all.where(col("model_version").equalTo(lit(version)));
        List<String> labels = bundle.labels();
        String name = bundle.name();
        if (!version.equals(bundle.version())) {
            Row first = scores.select("model_name").limit(1).collectAsList().stream().findFirst().orElse(null);
            name = first == null ? name : first.getString(0);
            labels = labelsOf(scores);
        }
        boolean empty = scores.limit(1).count() == 0;
        if (empty && config.evaluation().modelVersion() != null) {
            List<String> versions = all.select("model_version").distinct().limit(20).as(
                    org.apache.spark.sql.Encoders.STRING()).collectAsList();
            throw new InvalidInputException("Scored table " + table + " has no scores of model version " + version
                    + " (versions present: " + versions + "). Fix: set evaluation.model-version to one of those, "
                    + "or score with that model first.");
        }
        if (empty) {
            out.println("The scored table has no scores of model version " + version + " yet: the evaluation "
                    + "covers 0 reviews.");
        }
        long start = System.nanoTime();
        evaluatedAt = Instant.now();
        ReviewEvaluator evaluator = ReviewEvaluator.forScoredTable(config.evaluation(),
                config.model().positiveLabel(), labels, name, version);
        AggregatesTable.Result fromAggregates = new AggregatesTable(spark, config.output().aggregates(), table,
                run.commitTag()).evaluate(evaluator, config.evaluation().full()
                        ? "a full evaluation (evaluation.full)" : null, scoring == null ? null : run.runId());
        evaluation = fromAggregates.evaluation();
        evaluatedFrom = fromAggregates.from();
        String champion = config.evaluation().compareWith();
        if (champion != null) {
            evaluation = evaluation.withComparison(compare(all, champion, scores, version, labels));
        }
        MetricsTable.append(spark, config.output().metrics(),
                MetricRows.evaluationRows(evaluation, run.runId(), evaluatedAt), run.commitTag());
        DashboardTables.appendSlices(spark, config.output().sliceMetrics(), evaluation.slices().stream()
                .map(slice -> MetricRows.sliceColumns(evaluation, slice, run.runId(), evaluatedAt)).toList(),
                run.commitTag());
        RunHistory history = RunHistory.read(spark, config.output().metrics(), name, HISTORY_RUNS);
        List<GateDecision> gates = GateCheck.decide(config.gates(), evaluation,
                scoring == null ? null : scoring.result(), scoring == null ? null : scoring.monitoring());
        RunReport report = new RunReport(run.runId(), evaluatedAt, table.toString(), evaluation,
                scoring == null ? null : scoring.result(), scoring == null ? null : scoring.monitoring(), history,
                gates, config.gates().minLabeledReviews());
        List<Path> files = Reports.write(Path.of(config.output().reportDir()), report);

        out.printf("Evaluation of %s version %s: %d labeled of %d scored reviews%n", name, version,
                evaluation.overall().labeled(), evaluation.overall().rows());
        out.println("Computed from " + evaluation.basis());
        out.print(ModelCardBlock.render(evaluation.overall()));
        out.println("Metrics table: " + config.output().metrics());
        for (Path file : files) {
            out.println("Report: " + file);
        }
        evaluateSeconds = (System.nanoTime() - start) / 1e9;
        return evaluation;
    }

    /**
     * Appends the run's quality-gate outcome to the metrics table, so that a scheduler can read it whatever ran the
     * driver: {@code gates_broken} (slice all/all; 0 when the run passed every configured gate) and, per broken gate,
     * a {@code gate_broken} row (slice {@code gate} / the gate's key) with the measured value and the message.
     */
    private void recordGates(List<GateViolation> violations) {
        String version = evaluatedVersion();
        Instant at = Instant.now();
        List<Row> rows = new ArrayList<>();
        rows.add(MetricRows.row(run.runId(), bundle.name(), version, at, SliceEvaluation.ALL, SliceEvaluation.ALL,
                Metric.GATES_BROKEN, (double) violations.size(), violations.isEmpty() ? null
                        : violations.stream().map(GateViolation::gate).toList().toString()));
        for (GateViolation violation : violations) {
            rows.add(MetricRows.row(run.runId(), bundle.name(), version, at, "gate", violation.gate(),
                    Metric.GATE_BROKEN, violation.value(), violation.message()));
        }
        MetricsTable.append(spark, config.output().metrics(), rows, run.commitTag());
    }

    /**
     * Ends a run that did its work: records the quality gates' outcome in the metrics table, the run's row in the
     * runs table and, when it evaluated, the latest evaluation of its model version.
     *
     * @param command the command that ran (run, score or evaluate)
     * @param violations the quality gates the run broke
     */
    public void finish(String command, List<GateViolation> violations) {
        recordGates(violations);
        String outcome = violations.isEmpty() ? "succeeded" : "gates_broken";
        Map<String, Object> values = runValues(command, outcome);
        values.put("gates_configured", config.gates().configured());
        values.put("gates_broken", violations.size());
        values.put("broken_gates", violations.stream().map(GateViolation::gate).toList().toArray(new String[0]));
        DashboardTables.appendRun(spark, config.output().runs(), values, run.commitTag());
        if (evaluation != null) {
            Map<String, Object> latest = MetricRows.sliceColumns(evaluation, evaluation.overall(), run.runId(),
                    evaluatedAt);
            latest.put("outcome", outcome);
            DashboardTables.updateLatest(spark, config.output().latest(), latest, run.commitTag());
        }
    }

    /**
     * Records a run that failed in the runs table, as far as it got. Never throws: a table that cannot be written
     * is logged, and the run's own error is what the caller reports.
     *
     * @param command the command that ran
     * @param error why it failed
     */
    public void recordFailure(String command, Throwable error) {
        try {
            Map<String, Object> values = runValues(command, "failed");
            String message = String.valueOf(error.getMessage()).strip();
            int newline = message.indexOf('\n');
            values.put("error", Credentials.mask(error.getClass().getSimpleName() + ": "
                    + (newline < 0 ? message : message.substring(0, newline))));
            DashboardTables.appendRun(spark, config.output().runs(), values, run.commitTag());
        } catch (RuntimeException e) {
            LOG.warn("Could not record the failed run {} in {}: {}", run.runId(), config.output().runs(),
                    Credentials.mask(e.toString()));
        }
    }

    private Map<String, Object> runValues(String command, String outcome) {
        Map<String, Object> values = new java.util.HashMap<>();
        values.put("run_id", run.runId());
        values.put("command", command);
        values.put("started_at", java.sql.Timestamp.from(run.startedAt()));
        values.put("finished_at", java.sql.Timestamp.from(Instant.now()));
        values.put("outcome", outcome);
        values.put("model_name", bundle.name());
        values.put("model_version", scored != null ? bundle.version() : evaluatedVersion());
        values.put("spark_application_id", spark.sparkContext().applicationId());
        values.put("scheduler_run_id", config.output().schedulerRunId());
        if (scored != null) {
            ScoringResult result = scored.result();
            values.put("source", config.source().location().isCatalogTable() ? config.source().location().table()
                    : Credentials.mask(config.source().location().path()));
            values.put(Metric.INPUT_ROWS.metricName(), result.input());
            values.put(Metric.SCORED_ROWS.metricName(), result.scored());
            values.put(Metric.REJECTED_ROWS.metricName(), result.rejected());
            values.put(Metric.SKIPPED_ROWS.metricName(), result.skipped());
            values.put(Metric.DELETED_ROWS.metricName(), result.deleted());
            values.put("source_read", result.range().read());
            values.put("source_from_version", result.range().fromVersion());
            values.put("source_to_version", result.range().toVersion());
            values.put(Metric.REJECT_RATE.metricName(), result.rejectRate());
            values.put(Metric.POSITIVE_RATE.metricName(), scored.monitoring().positiveRate());
            values.put(Metric.MEAN_POSITIVE_PROBABILITY.metricName(), scored.monitoring().meanScore());
            values.put(Metric.DRIFT_PSI.metricName(), scored.monitoring().drift());
            values.put("drift_against_run", scored.monitoring().previousRun());
            result.stages().forEach((stage, time) -> values.put(stage.secondsColumn(), time.toMillis() / 1000.0));
        }
        if (evaluation != null) {
            values.put("evaluate_seconds", evaluateSeconds);
            values.put("evaluated_rows", evaluation.overall().rows());
            values.put("evaluated_from", evaluatedFrom);
            values.put(Metric.LABELED_ROWS.metricName(), evaluation.overall().labeled());
            values.put(Metric.ACCURACY.metricName(), Metric.ACCURACY.read(evaluation.overall()));
            values.put(Metric.AUC.metricName(), Metric.AUC.read(evaluation.overall()));
        }
        return values;
    }

    /** The model version evaluations and gates are about: {@code evaluation.model-version}, else the model's. */
    private String evaluatedVersion() {
        return config.evaluation().modelVersion() != null ? config.evaluation().modelVersion() : bundle.version();
    }

    /** The evaluated version (the challenger) against the champion version, on the reviews both scored. */
    private Comparison compare(Dataset<Row> all, String champion, Dataset<Row> scores, String version,
                               List<String> labels) {
        Dataset<Row> championScores = all.where(col("model_version").equalTo(lit(champion)));
        if (championScores.limit(1).count() == 0) {
            List<String> versions = all.select("model_version").distinct().limit(20).as(
                    org.apache.spark.sql.Encoders.STRING()).collectAsList();
            throw new InvalidInputException("Scored table " + config.output().scored() + " has no scores of model "
                    + "version " + champion + " (evaluation.compare-with) to compare with (versions present: "
                    + versions + "). Fix: set evaluation.compare-with to one of those, or score with the champion "
                    + "model first.");
        }
        List<String> championLabels = labelsOf(championScores);
        boolean sameLabels = championLabels.size() <= labels.size();
        for (int i = 0; sameLabels && i < championLabels.size(); i++) {
            sameLabels = championLabels.get(i) == null || championLabels.get(i).equals(labels.get(i));
        }
        if (!sameLabels) {
            throw new InvalidInputException("Model version " + champion + " (evaluation.compare-with) has labels "
                    + championLabels + ", but the evaluated version " + version + " has " + labels + ". Fix: compare "
                    + "versions of a model with the same labels.");
        }
        int positive = evaluation.positiveLabel() == null ? -1 : labels.indexOf(evaluation.positiveLabel());
        return ModelComparison.compare(championScores, scores, champion, version, labels, positive,
                config.evaluation().settings());
    }

    private static List<String> labelsOf(Dataset<Row> scores) {
        Map<Integer, String> byIndex = new java.util.TreeMap<>();
        for (Row row : scores.select("predicted_index", "predicted_label").distinct().collectAsList()) {
            byIndex.put(row.getInt(0), row.getString(1));
        }
        for (Row row : scores.where(col("label_index").isNotNull()).select("label_index", "label").distinct()
                .collectAsList()) {
            byIndex.put(row.getInt(0), row.getString(1));
        }
        if (byIndex.isEmpty()) {
            return List.of();
        }
        int size = java.util.Collections.max(byIndex.keySet()) + 1;
        String[] labels = new String[size];
        for (int i = 0; i < size; i++) {
            labels[i] = byIndex.getOrDefault(i, "LABEL_" + i);
        }
        return List.of(labels);
    }
}
