package dev.reviewscore.sink;

import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The schemas of the tables this pipeline writes: a contract with the dashboards and jobs that read them. Columns
 * carry Delta column comments. Renaming, retyping or removing a column requires a new {@link #VERSION}; adding one
 * at the end does too. Pass-through columns of the scored table follow its fixed columns and are not part of the
 * contract.
 */
public final class TableSchemas {
    /** The schema version, stored as table property {@value #VERSION_PROPERTY}. */
    public static final int VERSION = 1;
    /** The table property holding the schema version. */
    public static final String VERSION_PROPERTY = "reviewscore.schema.version";

    /** One row per (review id, model version): the latest score of that review by that model. */
    public static final StructType SCORED = new StructType(new StructField[] {
        column("review_id", DataTypes.StringType, "Review id from the source (source.columns.id), as a string"),
        column("model_name", DataTypes.StringType, "Model name (serving.properties option.modelName or file name)"),
        column("model_version", DataTypes.StringType, "Content hash of the model files: a changed model is a new version"),
        column("predicted_label", DataTypes.StringType, "The most probable label"),
        column("predicted_index", DataTypes.IntegerType, "Index of the predicted label in the model's labels"),
        column("positive_probability", DataTypes.DoubleType,
                "Probability of the positive label (model.positive-label); null when the model has none"),
        column("probabilities", DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType),
                "Probability of every label, by label name"),
        column("label", DataTypes.StringType, "True label (mapped from the source label), null when unlabeled"),
        column("label_index", DataTypes.IntegerType, "Index of the true label in the model's labels"),
        column("source_label", DataTypes.StringType, "The label value as the source has it"),
        column("text", DataTypes.StringType, "The review text that was scored"),
        column("text_hash", DataTypes.StringType, "SHA-256 of the text (hex); a changed text is scored again"),
        column("token_count", DataTypes.IntegerType, "Tokens in the review, special tokens excluded, before truncation"),
        column("windows", DataTypes.IntegerType, "Sequences the model read for this review (long-text = windows)"),
        column("truncated", DataTypes.BooleanType, "Whether part of the review was not read by the model"),
        column("run_id", DataTypes.StringType, "The run that wrote this score"),
        column("scored_at", DataTypes.TimestampType, "When that run started scoring"),
    });

    /** One row per input row that was not scored, per run. */
    public static final StructType REJECTS = new StructType(new StructField[] {
        column("run_id", DataTypes.StringType, "The run that rejected the row"),
        column("rejected_at", DataTypes.TimestampType, "When that run started"),
        column("model_version", DataTypes.StringType, "The model version the run scored with"),
        column("review_id", DataTypes.StringType, "Review id, null when the source row has none"),
        column("reason", DataTypes.StringType, "Reason code: null_review_id, null_text, empty_text, unknown_label, "
                + "duplicate_row, conflicting_duplicate_id, model_error"),
        column("detail", DataTypes.StringType, "What the reason means, or the model's error message"),
        column("original", DataTypes.StringType, "The row's values as JSON: id, text, source label, pass-through"),
    });

    /** Long format: one row per metric value, per evaluation run and slice; charts read it over time. */
    public static final StructType METRICS = new StructType(new StructField[] {
        column("run_id", DataTypes.StringType, "The evaluation run"),
        column("model_name", DataTypes.StringType, "Model name"),
        column("model_version", DataTypes.StringType, "Model version evaluated"),
        column("evaluated_at", DataTypes.TimestampType, "When the evaluation ran"),
        column("slice_name", DataTypes.StringType, "Slice column, or 'all' for the whole table"),
        column("slice_value", DataTypes.StringType, "Slice value, or 'all'"),
        column("metric", DataTypes.StringType, "Metric name, for example accuracy, f1, auc, log_loss, rows"),
        column("class_label", DataTypes.StringType,
                "Label of per-class metrics; the true label of confusion_count; null otherwise"),
        column("predicted_label", DataTypes.StringType, "The predicted label of confusion_count; null otherwise"),
        column("value", DataTypes.DoubleType, "The value; null when undefined (see note)"),
        column("note", DataTypes.StringType, "Why a value is null or 0 by convention, else null"),
    });

    private TableSchemas() {}

    private static StructField column(String name, DataType type, String comment) {
        Metadata metadata = new MetadataBuilder().putString("comment", comment).build();
        return new StructField(name, type, true, metadata);
    }
}
