package dev.reviewscore.job;

import dev.reviewscore.metrics.Metric;
import dev.reviewscore.monitoring.RunMonitoring;
import dev.reviewscore.monitoring.ScoreMonitor;
import dev.reviewscore.scoring.ScoringJob;
import dev.reviewscore.scoring.ScoringResult;
import dev.reviewscore.sink.MetricRows;
import dev.reviewscore.sink.MetricsTable;
import dev.reviewscore.source.SourceRange;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;

/** A run's scoring step: scores the source into the scored table, monitors the scores, records the run's counts. */
final class ScoreStep {
    private ScoreStep() {}

    /** Scores, monitors, and appends the scoring's rows (counts, stages, what was read, monitoring) to the metrics. */
    static Scored run(RunContext context) {
        var bundle = context.bundle();
        var run = context.run();
        var config = context.config();
        ScoringResult result = new ScoringJob(context.spark(), config, bundle, run).execute();
        int positive = bundle.positiveIndex(config.model().positiveLabel());
        RunMonitoring monitoring = ScoreMonitor.monitor(context.spark(), config.output().scored(),
                config.output().metrics(), run.runId(), bundle.version(),
                positive < 0 ? null : bundle.labels().get(positive));
        Map<Metric, Long> counts = new LinkedHashMap<>();
        counts.put(Metric.INPUT_ROWS, result.input());
        counts.put(Metric.SCORED_ROWS, result.scored());
        counts.put(Metric.REJECTED_ROWS, result.rejected());
        counts.put(Metric.SKIPPED_ROWS, result.skipped());
        counts.put(Metric.DELETED_ROWS, result.deleted());
        List<Row> rows = new ArrayList<>(MetricRows.scoringRows(run.runId(), bundle.name(), bundle.version(),
                run.startedAt(), counts, result.stagesByKey()));
        rows.addAll(sourceRows(result.range(), run.runId(), bundle.name(), bundle.version(), run.startedAt()));
        rows.addAll(ScoreMonitor.rows(monitoring, run.runId(), bundle.name(), bundle.version(), run.startedAt()));
        MetricsTable.append(context.spark(), config.output().metrics(), rows, run.commitTag());
        return new Scored(result, monitoring);
    }

    /**
     * What a scoring run read of its source: {@link Metric#SOURCE_FROM_VERSION} and {@link Metric#SOURCE_TO_VERSION}
     * in slice {@code source} / {@code all} or {@code changes}, the note saying why a run read the whole source;
     * nothing for a source that is not Delta.
     */
    private static List<Row> sourceRows(SourceRange range, String runId, String modelName, String modelVersion,
                                       Instant at) {
        if (range.toVersion() == null) {
            return List.of(MetricRows.row(runId, modelName, modelVersion, at, "source", range.read(),
                    Metric.SOURCE_FROM_VERSION, null, range.reason()));
        }
        return List.of(
                MetricRows.row(runId, modelName, modelVersion, at, "source", range.read(), Metric.SOURCE_FROM_VERSION,
                        range.changesOnly() ? range.fromVersion().doubleValue() : 0.0, range.reason()),
                MetricRows.row(runId, modelName, modelVersion, at, "source", range.read(), Metric.SOURCE_TO_VERSION,
                        range.toVersion().doubleValue(), null));
    }
}
