package dev.reviewscore.config;

import java.io.Serializable;
import java.util.List;

/**
 * Where results go.
 *
 * @param scored the scored Delta table, one row per (review id, model version) ({@code output.scored})
 * @param rejects the Delta table of rows that could not be scored, with the reason ({@code output.rejects})
 * @param metrics the Delta table of evaluation metrics, one set of rows per run ({@code output.metrics})
 * @param reportDir the folder for JSON and Markdown reports ({@code output.reports})
 * @param partitionBy partition columns of the scored table when it is created ({@code output.partition-by})
 * @param keepText whether the scored table keeps each review's text; without it the column holds nulls
 *     ({@code output.keep-text})
 */
public record OutputConfig(TableLocation scored, TableLocation rejects, TableLocation metrics, String reportDir,
                           List<String> partitionBy, boolean keepText) implements Serializable {

    /** Copies the partition columns. */
    public OutputConfig {
        partitionBy = List.copyOf(partitionBy);
    }
}
