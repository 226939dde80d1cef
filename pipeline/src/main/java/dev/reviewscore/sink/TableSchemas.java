package dev.reviewscore.sink;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The schemas of the tables this pipeline writes: a contract with the dashboards and jobs that read them. Columns
 * carry Delta column comments. Changes are additive: a new version adds tables, or columns at the end of a table,
 * and never renames, retypes or removes one; the job upgrades a table of an earlier version when it first writes to
 * it ({@link DeltaTables#ensureTable}). Pass-through columns of the scored table follow its fixed columns and are not
 * part of the contract.
 *
 * <p>Version 2 added the dashboard tables ({@link #RUNS}, {@link #SLICE_METRICS}, {@link #LATEST}) and the rejects
 * table's {@code model_name}. Version 3 added confidence intervals: {@code lower}, {@code upper},
 * {@code interval_method} and {@code confidence_level} in the metrics table, and the bounds of accuracy and AUC in the
 * slice metrics table. Version 4 added incremental reads: the scored table's {@code source_deleted_at}, the runs
 * table's source version range, deleted rows and their seconds, and the {@link #SOURCE_STATE} table. Version 5 added
 * the {@link #AGGREGATES} table and the runs table's {@code evaluated_from}. Version 6 added the runs table's
 * {@code aggregates_seconds}. Version 7 added what the source state trusts a row by: the scored table's id and
 * version after the run, and the read settings' fingerprint.
 */
public final class TableSchemas {
    /** The schema version, stored as table property {@value #VERSION_PROPERTY}. */
    public static final int VERSION = 7;
    /** The table property holding the schema version. */
    public static final String VERSION_PROPERTY = "reviewscore.schema.version";

    /** The column naming the model version, in every table that has one. */
    public static final String MODEL_VERSION = "model_version";
    /** The column naming the run that wrote a row, in every table that has one. */
    public static final String RUN_ID = "run_id";
    /** The scored table's column marking scores of reviews the source deleted (since schema version 4). */
    public static final String SOURCE_DELETED_AT = "source_deleted_at";

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
        column(SOURCE_DELETED_AT, DataTypes.TimestampType, "When a run saw the review deleted from the source "
                + "(scoring.source-deletes = mark); null while the source has it (since schema version 4)"),
    });

    /** One row per distinct row that could not be scored, per model version, from the first run that rejected it. */
    public static final StructType REJECTS = new StructType(new StructField[] {
        column("run_id", DataTypes.StringType, "The run that rejected the row"),
        column("rejected_at", DataTypes.TimestampType, "When that run started"),
        column("model_version", DataTypes.StringType, "The model version the run scored with"),
        column("review_id", DataTypes.StringType, "Review id, null when the source row has none"),
        column("reason", DataTypes.StringType, "Reason code: malformed_record, null_review_id, null_text, "
                + "empty_text, unknown_label, duplicate_row, conflicting_duplicate_id, model_error"),
        column("detail", DataTypes.StringType, "What the reason means, or the model's error message"),
        column("original", DataTypes.StringType, "The row's values as JSON: id, text, source label, "
                + "pass-through, and malformed_record: the raw text of a record the reader could not parse"),
        column("model_name", DataTypes.StringType, "The model the run scored with (since schema version 2)"),
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
        column("lower", DataTypes.DoubleType, "Lower bound of the value's confidence interval; null when it has none "
                + "(since schema version 3)"),
        column("upper", DataTypes.DoubleType, "Upper bound of the value's confidence interval; null when it has none"),
        column("interval_method", DataTypes.StringType,
                "How the interval was computed: wilson, delong-logit or poisson-bootstrap"),
        column("confidence_level", DataTypes.DoubleType, "The interval's confidence level, for example 0.95"),
    });

    /** For dashboards: one row per run, whatever it did and however it ended. */
    public static final StructType RUNS = new StructType(new StructField[] {
        column("run_id", DataTypes.StringType, "The run"),
        column("command", DataTypes.StringType, "run, score or evaluate"),
        column("started_at", DataTypes.TimestampType, "When the run started"),
        column("finished_at", DataTypes.TimestampType, "When the run ended"),
        column("outcome", DataTypes.StringType,
                "succeeded, gates_broken (everything written, a quality gate broken: exit code 3) or failed"),
        column("error", DataTypes.StringType, "Why a failed run failed (first line of the error), else null"),
        column("model_name", DataTypes.StringType, "Model name"),
        column("model_version", DataTypes.StringType, "The model version scored with, or evaluated"),
        column("source", DataTypes.StringType, "The source scored (credentials masked); null when the run did not score"),
        column("input_rows", DataTypes.LongType, "Rows read from the source; null when the run did not score"),
        column("scored_rows", DataTypes.LongType, "Rows scored and merged into the scored table"),
        column("rejected_rows", DataTypes.LongType, "Rows written to the rejects table"),
        column("skipped_rows", DataTypes.LongType, "Rows already scored by this model version with the same text"),
        column("reject_rate", DataTypes.DoubleType, "rejected_rows / input_rows; null when nothing was read"),
        column("positive_rate", DataTypes.DoubleType, "Share of this run's scored reviews predicted positive"),
        column("mean_positive_probability", DataTypes.DoubleType, "Mean positive probability of this run's scores"),
        column("drift_psi", DataTypes.DoubleType,
                "Population stability index of this run's scores against drift_against_run; null when none"),
        column("drift_against_run", DataTypes.StringType, "The earlier scoring run drift_psi compares with"),
        column("read_seconds", DataTypes.DoubleType, "Seconds reading and checking the source"),
        column("score_seconds", DataTypes.DoubleType, "Seconds scoring"),
        column("merge_seconds", DataTypes.DoubleType, "Seconds merging scores into the scored table"),
        column("rejects_seconds", DataTypes.DoubleType, "Seconds writing rejected rows"),
        column("evaluate_seconds", DataTypes.DoubleType, "Seconds evaluating and writing reports; null when not run"),
        column("evaluated_rows", DataTypes.LongType, "Scored reviews the evaluation covered; null when not run"),
        column("labeled_rows", DataTypes.LongType, "Labeled reviews among them"),
        column("accuracy", DataTypes.DoubleType, "Whole-table accuracy of the evaluation"),
        column("auc", DataTypes.DoubleType, "Whole-table ROC AUC of the evaluation"),
        column("gates_configured", DataTypes.IntegerType,
                "Quality gates configured (each run checks those its command reaches); null when not reached"),
        column("gates_broken", DataTypes.IntegerType, "Quality gates broken; null when not reached"),
        column("broken_gates", DataTypes.createArrayType(DataTypes.StringType),
                "The broken gates' keys, for example gates.min-accuracy"),
        column("spark_application_id", DataTypes.StringType, "Spark's application id (YARN: the application)"),
        column("scheduler_run_id", DataTypes.StringType, "The scheduler's id for the run (output.scheduler-run-id)"),
        column("source_read", DataTypes.StringType, "all (the whole source) or changes (only rows changed since "
                + "source_from_version, from its change data feed); null when the run did not score (since schema "
                + "version 4)"),
        column("source_from_version", DataTypes.LongType,
                "First Delta version of the source whose changes the run read; null when it read the whole source"),
        column("source_to_version", DataTypes.LongType,
                "The Delta version of the source the run read up to (inclusive); null when the source is not Delta"),
        column("deleted_rows", DataTypes.LongType,
                "Scores removed or marked because their reviews were deleted from the source"),
        column("deletes_seconds", DataTypes.DoubleType, "Seconds removing or marking the scores of deleted reviews"),
        column("evaluated_from", DataTypes.StringType, "What the evaluation's metrics were computed from: "
                + "'aggregates' (kept up to date by scoring runs, or merged with the scored table's changes) or "
                + "'rows' (every scored row, and the aggregates rebuilt); null when the run did not evaluate (since "
                + "schema version 5)"),
        column("aggregates_seconds", DataTypes.DoubleType, "Seconds adding the run's changes to the aggregates "
                + "table; null when the run did not score (since schema version 6)"),
    });

    /** For dashboards: one row per evaluation run and slice, the headline metrics as columns. */
    public static final StructType SLICE_METRICS = new StructType(new StructField[] {
        column("run_id", DataTypes.StringType, "The evaluation run"),
        column("model_name", DataTypes.StringType, "Model name"),
        column("model_version", DataTypes.StringType, "Model version evaluated"),
        column("evaluated_at", DataTypes.TimestampType, "When the evaluation ran"),
        column("slice_name", DataTypes.StringType, "Slice name (evaluation.slices), or 'all' for the whole table"),
        column("slice_value", DataTypes.StringType, "Slice value, or 'all'"),
        column("rows", DataTypes.LongType, "Scored reviews in the slice"),
        column("labeled_rows", DataTypes.LongType, "Labeled reviews in the slice"),
        column("accuracy", DataTypes.DoubleType, "Accuracy; null without labeled reviews"),
        column("auc", DataTypes.DoubleType, "ROC AUC of the positive label; null when undefined (one class only)"),
        column("log_loss", DataTypes.DoubleType, "Mean cross-entropy (scikit-learn's log_loss)"),
        column("macro_f1", DataTypes.DoubleType, "Mean of the labels' F1"),
        column("weighted_f1", DataTypes.DoubleType, "Labels' F1 weighted by support"),
        column("positive_label", DataTypes.StringType, "The label the next three columns are about"),
        column("precision", DataTypes.DoubleType, "Precision of the positive label"),
        column("recall", DataTypes.DoubleType, "Recall of the positive label"),
        column("f1", DataTypes.DoubleType, "F1 of the positive label"),
        column("accuracy_lower", DataTypes.DoubleType,
                "Lower bound of accuracy's confidence interval (Wilson; since schema version 3)"),
        column("accuracy_upper", DataTypes.DoubleType, "Upper bound of accuracy's confidence interval"),
        column("auc_lower", DataTypes.DoubleType, "Lower bound of the AUC's confidence interval (DeLong, logit)"),
        column("auc_upper", DataTypes.DoubleType, "Upper bound of the AUC's confidence interval"),
        column("confidence_level", DataTypes.DoubleType, "The intervals' confidence level, for example 0.95"),
    });

    /** For dashboards: the latest evaluation of each model version, whole table, with its run's outcome. */
    public static final StructType LATEST = new StructType(new StructField[] {
        column("model_name", DataTypes.StringType, "Model name"),
        column("model_version", DataTypes.StringType, "Model version"),
        column("run_id", DataTypes.StringType, "The latest run that evaluated this model version"),
        column("evaluated_at", DataTypes.TimestampType, "When that run evaluated"),
        column("outcome", DataTypes.StringType, "That run's outcome: succeeded or gates_broken"),
        column("rows", DataTypes.LongType, "Scored reviews evaluated"),
        column("labeled_rows", DataTypes.LongType, "Labeled reviews among them"),
        column("accuracy", DataTypes.DoubleType, "Accuracy"),
        column("auc", DataTypes.DoubleType, "ROC AUC of the positive label"),
        column("log_loss", DataTypes.DoubleType, "Mean cross-entropy"),
        column("macro_f1", DataTypes.DoubleType, "Mean of the labels' F1"),
        column("weighted_f1", DataTypes.DoubleType, "Labels' F1 weighted by support"),
    });

    /**
     * Where each incremental read stands: every successful scoring run appends a row; the latest row per (scored
     * table, source, model version) is where the next run of that model version starts, reading a Delta source's
     * changes after {@code source_version}. The rows also say which sources a scored table holds reviews of.
     */
    public static final StructType SOURCE_STATE = new StructType(new StructField[] {
        column("scored_table", DataTypes.StringType, "The scored table the runs wrote"),
        column("source", DataTypes.StringType, "The source they read (credentials masked)"),
        column("model_version", DataTypes.StringType, "The model version they scored with"),
        column("source_table_id", DataTypes.StringType,
                "Delta's id of the source table: a source recreated under the same name is read whole"),
        column("source_version", DataTypes.LongType, "The source version the last successful run read up to; null "
                + "for a source that is not Delta, and when the next run must read the whole source"),
        column("source_read", DataTypes.StringType, "How that run read it: all or changes"),
        column("run_id", DataTypes.StringType, "That run"),
        column("updated_at", DataTypes.TimestampType, "When that run recorded the row: the latest row of a key counts"),
        column("scored_table_id", DataTypes.StringType, "Delta's id of the scored table the run left: a scored table "
                + "recreated under the same name makes the next run read the whole source (since schema version 7)"),
        column("scored_version", DataTypes.LongType, "The scored table's version after the run's writes: a table "
                + "restored before it, or changed since by others than the job's runs, makes the next run read the "
                + "whole source"),
        column("read_settings", DataTypes.StringType, "Fingerprint of source.columns and source.labels: other "
                + "settings make the next run read the whole source"),
    });

    /**
     * The exact aggregates each evaluation of a model version is computed from, kept up to date from the scored
     * table's changes: {@code histogram} rows count the reviews and sum their log-loss terms per slice value, true
     * label, predicted label and positive-label score; one {@code bootstrap} row per slice value holds the bootstrap
     * replicates' sums. A row that counts no review may stay. Rows are summed, never read one by one.
     */
    public static final StructType AGGREGATES = new StructType(new StructField[] {
        column("scored_table", DataTypes.StringType, "The scored table aggregated"),
        column("model_version", DataTypes.StringType, "The model version whose scores are aggregated"),
        column("definition", DataTypes.StringType, "Hash of what the aggregates depend on: the scored table's Delta "
                + "id, the labels, the positive label, the slices and the bootstrap replicates"),
        column("kind", DataTypes.StringType, "histogram, bootstrap, or watermark: the one row saying which scored-table "
                + "version the model version's aggregates stand at"),
        column("slice_name", DataTypes.StringType, "Slice, or 'all' for the whole table"),
        column("slice_value", DataTypes.StringType, "Slice value, or 'all'"),
        column("label_index", DataTypes.IntegerType, "histogram: index of the true label, null for unlabeled reviews"),
        column("predicted_index", DataTypes.IntegerType, "histogram: index of the predicted label"),
        column("score", DataTypes.DoubleType, "histogram: the positive label's probability; null without one"),
        column("reviews", DataTypes.LongType, "histogram: the reviews with these values"),
        column("loss_sum", DataTypes.createDecimalType(30, 18),
                "histogram: the sum of their log-loss terms, each rounded to 18 decimal places"),
        column("replicate_confusion", DataTypes.createArrayType(DataTypes.LongType),
                "bootstrap: each replicate's weighted confusion counts, replicate by true label by predicted label"),
        column("replicate_loss_units", DataTypes.createArrayType(DataTypes.LongType),
                "bootstrap: each replicate's weighted log-loss sum, in units of 1e-9"),
        column("scored_version", DataTypes.LongType, "The scored table's version this row was last brought up to; "
                + "the watermark row's is where the next evaluation reads changes from"),
    });

    private TableSchemas() {}

    private static StructField column(String name, DataType type, String comment) {
        Metadata metadata = new MetadataBuilder().putString("comment", comment).build();
        return new StructField(name, type, true, metadata);
    }

    /**
     * The scores of reviews the source still has: those not marked {@value #SOURCE_DELETED_AT}. Scores of a table
     * older than schema version 4 have no such mark and are all kept.
     *
     * @param scores rows of the scored table
     */
    public static Dataset<Row> stillInSource(Dataset<Row> scores) {
        return List.of(scores.columns()).contains(SOURCE_DELETED_AT)
                ? scores.where(functions.col(SOURCE_DELETED_AT).isNull()) : scores;
    }
}
