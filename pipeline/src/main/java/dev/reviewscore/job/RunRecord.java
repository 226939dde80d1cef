package dev.reviewscore.job;

import dev.reviewscore.Credentials;
import dev.reviewscore.ErrorMessages;
import dev.reviewscore.gates.GateViolation;
import dev.reviewscore.metrics.Evaluation;
import dev.reviewscore.metrics.Metric;
import dev.reviewscore.sink.MetricRows;
import dev.reviewscore.metrics.SliceEvaluation;
import dev.reviewscore.scoring.ScoringResult;
import dev.reviewscore.sink.DashboardTables;
import dev.reviewscore.sink.MetricsTable;
import dev.reviewscore.sink.TableSchemas;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a run ended, recorded where schedulers and dashboards read it: the quality gates' outcome in the metrics table,
 * one row in the runs table, and, for an evaluation, the latest evaluation of its model version.
 */
final class RunRecord {
    private static final Logger LOG = LoggerFactory.getLogger(RunRecord.class);

    private RunRecord() {}

    /**
     * Records a run that did its work.
     *
     * @param command the command that ran (run, score or evaluate)
     * @param scored its scoring step, or null
     * @param evaluated its evaluation step, or null
     * @param violations the quality gates it broke
     */
    static void finished(RunContext context, String command, Scored scored, Evaluated evaluated,
                         List<GateViolation> violations) {
        recordGates(context, violations);
        String outcome = violations.isEmpty() ? "succeeded" : "gates_broken";
        Map<String, Object> values = runValues(context, command, outcome, scored, evaluated);
        values.put("gates_configured", context.config().gates().configured());
        values.put("gates_broken", violations.size());
        values.put("broken_gates", violations.stream().map(GateViolation::gate).toList().toArray(new String[0]));
        DashboardTables.appendRun(context.spark(), context.config().output().runs(), values,
                context.run().commitTag());
        if (evaluated != null) {
            Evaluation evaluation = evaluated.evaluation();
            Map<String, Object> latest = MetricRows.sliceColumns(evaluation, evaluation.overall(),
                    context.run().runId(), evaluated.at());
            latest.put("outcome", outcome);
            DashboardTables.updateLatest(context.spark(), context.config().output().latest(), latest,
                    context.run().commitTag());
        }
    }

    /**
     * Records a run that failed in the runs table, as far as it got. Never throws: a table that cannot be written
     * is logged, and the run's own error is what the caller reports.
     */
    static void failed(RunContext context, String command, Scored scored, Evaluated evaluated, Throwable error) {
        try {
            Map<String, Object> values = runValues(context, command, "failed", scored, evaluated);
            values.put("error", Credentials.mask(error.getClass().getSimpleName() + ": "
                    + ErrorMessages.firstLine(error)));
            DashboardTables.appendRun(context.spark(), context.config().output().runs(), values,
                    context.run().commitTag());
        } catch (RuntimeException e) {
            LOG.warn("Could not record the failed run {} in {}: {}", context.run().runId(),
                    context.config().output().runs(), Credentials.mask(e.toString()));
        }
    }

    /**
     * Appends the run's quality-gate outcome to the metrics table, so that a scheduler can read it whatever ran the
     * driver: {@code gates_broken} (slice all/all; 0 when the run passed every configured gate) and, per broken gate,
     * a {@code gate_broken} row (slice {@code gate} / the gate's key) with the measured value and the message.
     */
    private static void recordGates(RunContext context, List<GateViolation> violations) {
        String runId = context.run().runId();
        String name = context.bundle().name();
        String version = context.evaluatedVersion();
        Instant at = Instant.now();
        List<Row> rows = new ArrayList<>();
        rows.add(MetricRows.row(runId, name, version, at, SliceEvaluation.ALL, SliceEvaluation.ALL,
                Metric.GATES_BROKEN, (double) violations.size(), violations.isEmpty() ? null
                        : violations.stream().map(GateViolation::gate).toList().toString()));
        for (GateViolation violation : violations) {
            rows.add(MetricRows.row(runId, name, version, at, "gate", violation.gate(), Metric.GATE_BROKEN,
                    violation.value(), violation.message()));
        }
        MetricsTable.append(context.spark(), context.config().output().metrics(), rows, context.run().commitTag());
    }

    private static Map<String, Object> runValues(RunContext context, String command, String outcome, Scored scored,
                                                 Evaluated evaluated) {
        var config = context.config();
        Map<String, Object> values = new HashMap<>();
        values.put(TableSchemas.RUN_ID, context.run().runId());
        values.put("command", command);
        values.put("started_at", Timestamp.from(context.run().startedAt()));
        values.put("finished_at", Timestamp.from(Instant.now()));
        values.put("outcome", outcome);
        values.put("model_name", context.bundle().name());
        values.put(TableSchemas.MODEL_VERSION, scored != null ? context.bundle().version()
                : context.evaluatedVersion());
        values.put("spark_application_id", context.spark().conf().get("spark.app.id", null));
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
        if (evaluated != null) {
            SliceEvaluation overall = evaluated.evaluation().overall();
            values.put("evaluate_seconds", evaluated.took().toMillis() / 1000.0);
            values.put("evaluated_rows", overall.rows());
            values.put("evaluated_from", evaluated.from());
            values.put(Metric.LABELED_ROWS.metricName(), overall.labeled());
            values.put(Metric.ACCURACY.metricName(), Metric.ACCURACY.read(overall));
            values.put(Metric.AUC.metricName(), Metric.AUC.read(overall));
        }
        return values;
    }
}
