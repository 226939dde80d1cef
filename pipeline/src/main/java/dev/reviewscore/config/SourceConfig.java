package dev.reviewscore.config;

import java.io.Serializable;
import java.util.Map;

/**
 * The review table to score.
 *
 * @param format the file format when reading by path ({@code source.format}); ignored for catalog tables
 * @param location the path or catalog table ({@code source.path} / {@code source.table})
 * @param options reader options passed to Spark unchanged ({@code source.options})
 * @param columns which columns hold id, text, label and pass-through values
 * @param labels how label values map to model labels
 */
public record SourceConfig(SourceFormat format, TableLocation location, Map<String, String> options,
                           ColumnMapping columns, LabelMapping labels) implements Serializable {

    /** Copies the options. */
    public SourceConfig {
        options = Map.copyOf(options);
    }
}
