package dev.reviewscore.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.reviewscore.InvalidInputException;
import dev.reviewscore.config.JobConfig;
import dev.reviewscore.config.TableLocation;
import dev.reviewscore.evaluation.AggregatesTable;
import dev.reviewscore.evaluation.ModelComparison;
import dev.reviewscore.evaluation.ReviewEvaluator;
import dev.reviewscore.gates.GateCheck;
import dev.reviewscore.gates.GateDecision;
import dev.reviewscore.metrics.Comparison;
import dev.reviewscore.metrics.Evaluation;
import dev.reviewscore.report.Reports;
import dev.reviewscore.report.RunReport;
import dev.reviewscore.sink.DashboardTables;
import dev.reviewscore.sink.DeltaTables;
import dev.reviewscore.sink.HadoopSettings;
import dev.reviewscore.sink.MetricRows;
import dev.reviewscore.sink.MetricsTable;
import dev.reviewscore.sink.RunHistory;
import dev.reviewscore.sink.TableSchemas;
import dev.reviewscore.source.ReviewColumns;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A run's evaluation step: evaluates the scored table for one model version from the aggregates (brought up to date
 * first), compares it with a champion version when asked, and writes the metrics, the slice metrics and the reports.
 */
final class EvaluateStep {
    /** Evaluations the reports' history of metrics over runs shows. */
    private static final int HISTORY_RUNS = 60;

    private EvaluateStep() {}

    /**
     * @param scoring this run's scoring step, or null when the run did not score
     * @throws InvalidInputException when the scored table does not exist, holds no scores of a model version that
     *     {@code evaluation.model-version} or {@code evaluation.compare-with} names, or a champion of other labels
     */
    static Evaluated run(RunContext context, Scored scoring) {
        SparkSession spark = context.spark();
        JobConfig config = context.config();
        TableLocation table = config.output().scored();
        if (!DeltaTables.exists(spark, table)) {
            throw new InvalidInputException("Scored table " + table + " does not exist. Fix: run the score "
                    + "command first, or point output.scored at the scored table.");
        }
        long start = System.nanoTime();
        Instant at = Instant.now();
        String version = context.evaluatedVersion();
        Dataset<Row> all = TableSchemas.stillInSource(DeltaTables.read(spark, table));
        Dataset<Row> scores = ofVersion(all, version);
        List<String> labels = context.bundle().labels();
        String name = context.bundle().name();
        if (!version.equals(context.bundle().version())) {
            Row first = scores.select("model_name").limit(1).collectAsList().stream().findFirst().orElse(null);
            name = first == null ? name : first.getString(0);
            labels = labelsOf(scores);
        }
        if (config.evaluation().modelVersion() != null && scores.isEmpty()) {
            throw new InvalidInputException("Scored table " + table + " has no scores of model version " + version
                    + " (versions present: " + versionsIn(all) + "). Fix: set evaluation.model-version to one of "
                    + "those, or score with that model first.");
        }
        ReviewEvaluator evaluator = ReviewEvaluator.forScoredTable(config.evaluation(),
                config.model().positiveLabel(), labels, name, version);
        AggregatesTable.Result fromAggregates = new AggregatesTable(spark, config.output().aggregates(), table,
                context.run().commitTag()).evaluate(evaluator, config.evaluation().full()
                        ? "a full evaluation (evaluation.full)" : null, scoring == null ? null : context.run().runId());
        Evaluation evaluation = fromAggregates.evaluation();
        String champion = config.evaluation().compareWith();
        if (champion != null) {
            evaluation = evaluation.withComparison(compare(context, all, champion, scores, version, labels,
                    evaluation));
        }
        String runId = context.run().runId();
        MetricsTable.append(spark, config.output().metrics(), MetricRows.evaluationRows(evaluation, runId, at),
                context.run().commitTag());
        Evaluation evaluated = evaluation;
        DashboardTables.appendSlices(spark, config.output().sliceMetrics(), evaluation.slices().stream()
                .map(slice -> MetricRows.sliceColumns(evaluated, slice, runId, at)).toList(),
                context.run().commitTag());
        RunHistory history = RunHistory.read(spark, config.output().metrics(), name, HISTORY_RUNS);
        List<GateDecision> gates = GateCheck.decide(config.gates(), evaluation,
                scoring == null ? null : scoring.result(), scoring == null ? null : scoring.monitoring());
        RunReport report = new RunReport(runId, at, table.toString(), evaluation,
                scoring == null ? null : scoring.result(), scoring == null ? null : scoring.monitoring(), history,
                gates, config.gates().minLabeledReviews());
        List<String> files = Reports.write(config.output().reportDir(), HadoopSettings.of(spark), report);
        return new Evaluated(evaluation, fromAggregates.from(), at, Duration.ofNanos(System.nanoTime() - start),
                files);
    }

    /** The evaluated version (the challenger) against the champion version, on the reviews both scored. */
    private static Comparison compare(RunContext context, Dataset<Row> all, String champion, Dataset<Row> scores,
                                      String version, List<String> labels, Evaluation evaluation) {
        Dataset<Row> championScores = ofVersion(all, champion);
        if (championScores.isEmpty()) {
            throw new InvalidInputException("Scored table " + context.config().output().scored() + " has no scores "
                    + "of model version " + champion + " (evaluation.compare-with) to compare with (versions present: "
                    + versionsIn(all) + "). Fix: set evaluation.compare-with to one of those, or score with the "
                    + "champion model first.");
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
                context.config().evaluation().settings());
    }

    private static Dataset<Row> ofVersion(Dataset<Row> scores, String version) {
        return scores.where(col(TableSchemas.MODEL_VERSION).equalTo(lit(version)));
    }

    /** Up to 20 model versions the scored table holds, for messages. */
    private static List<String> versionsIn(Dataset<Row> scores) {
        return scores.select(TableSchemas.MODEL_VERSION).distinct().limit(20).as(Encoders.STRING()).collectAsList();
    }

    /** A model version's labels in index order, as its scores name them. */
    private static List<String> labelsOf(Dataset<Row> scores) {
        Map<Integer, String> byIndex = new TreeMap<>();
        for (Row row : scores.select("predicted_index", "predicted_label").distinct().collectAsList()) {
            byIndex.put(row.getInt(0), row.getString(1));
        }
        for (Row row : scores.where(col(ReviewColumns.LABEL_INDEX).isNotNull())
                .select(ReviewColumns.LABEL_INDEX, "label").distinct()
                .collectAsList()) {
            byIndex.put(row.getInt(0), row.getString(1));
        }
        if (byIndex.isEmpty()) {
            return List.of();
        }
        int size = Collections.max(byIndex.keySet()) + 1;
        String[] labels = new String[size];
        for (int i = 0; i < size; i++) {
            labels[i] = byIndex.getOrDefault(i, "LABEL_" + i);
        }
        return List.of(labels);
    }
}
