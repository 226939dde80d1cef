package dev.reviewscore.config;

import java.io.Serializable;
import java.util.List;

/**
 * Where results go.
 *
 * @param scored the scored Delta table, one row per (review id, model version) ({@code output.scored})
 * @param rejects the Delta table of rows that could not be scored, with the reason ({@code output.rejects})
 * @param metrics the Delta table of evaluation metrics, one set of rows per run ({@code output.metrics})
 * @param runs the Delta table with one row per run, for dashboards ({@code output.runs}; default: next to the metrics
 *     table, named {@code review_runs})
 * @param sliceMetrics the Delta table with one row per evaluation run and slice, the headline metrics as columns
 *     ({@code output.slice-metrics}; default: next to the metrics table, named {@code review_slice_metrics})
 * @param latest the Delta table with the latest evaluation of each model version ({@code output.latest}; default:
 *     next to the metrics table, named {@code review_latest_metrics})
 * @param state the Delta table with the source version each (scored table, source, model version) was read up to
 *     ({@code output.state}; default: next to the metrics table, named {@code review_source_state})
 * @param aggregates the Delta table with the exact aggregates evaluations are computed from ({@code output.aggregates};
 *     default: next to the metrics table, named {@code review_aggregates})
 * @param schedulerRunId the scheduler's id for this run, written to the runs table, or null
 *     ({@code output.scheduler-run-id})
 * @param reportDir the folder for JSON and Markdown reports ({@code output.reports})
 * @param partitionBy partition columns of the scored table when it is created ({@code output.partition-by})
 * @param keepText whether the scored table keeps each review's text; without it the column holds nulls
 *     ({@code output.keep-text})
 * @param deletionVectors whether a new scored table is created with Delta's deletion vectors, so that a MERGE
 *     updating a few reviews writes those rows only instead of rewriting every file holding one
 *     ({@code output.deletion-vectors})
 */
public record OutputConfig(TableLocation scored, TableLocation rejects, TableLocation metrics, TableLocation runs,
                           TableLocation sliceMetrics, TableLocation latest, TableLocation state,
                           TableLocation aggregates,
                           String schedulerRunId, String reportDir,
                           List<String> partitionBy, boolean keepText, boolean deletionVectors)
        implements Serializable {

    /** Copies the partition columns. */
    public OutputConfig {
        partitionBy = List.copyOf(partitionBy);
    }
}
