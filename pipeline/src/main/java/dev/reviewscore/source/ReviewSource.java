package dev.reviewscore.source;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_position;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import dev.reviewscore.ErrorMessages;
import dev.reviewscore.InvalidInputException;
import dev.reviewscore.config.ColumnMapping;
import dev.reviewscore.config.LabelKind;
import dev.reviewscore.config.LabelMapping;
import dev.reviewscore.config.SourceConfig;
import dev.reviewscore.config.SourceFormat;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StringType;

/**
 * Reads a review table and normalizes it to the canonical columns of {@link ReviewColumns} plus the configured
 * pass-through columns. Every input row comes out exactly once: rows that cannot be scored carry a
 * {@link RejectReason} code in {@code reject_reason}, and are never dropped here.
 */
public final class ReviewSource {
    private static final String UNKNOWN = "\u0000unknown";
    private static final String FINGERPRINT = "__fingerprint";
    private static final String REPEATED_ID = "__repeated_id";
    private static final String COPIES = "__copies";
    private static final String VARIANTS = "__variants";

    private ReviewSource() {}

    /**
     * Reads the configured table as it is. A CSV or JSON source is read with Spark's corrupt-record column (option
     * {@code columnNameOfCorruptRecord}, default {@code _corrupt_record}): a record the reader cannot parse keeps its
     * raw text there, and {@link #normalize} rejects it as {@link RejectReason#MALFORMED_RECORD}.
     *
     * @throws InvalidInputException when the path or table does not exist or cannot be read, or when the reader's
     *     {@code mode} would drop malformed records
     */
    public static Dataset<Row> read(SparkSession spark, SourceConfig config) {
        try {
            if (config.location().isCatalogTable()) {
                return spark.table(config.location().table());
            }
            String corrupt = corruptRecordColumn(spark, config);
            DataFrameReader reader = spark.read().format(config.format().sparkName()).options(config.options());
            Dataset<Row> read = reader.load(config.location().path());
            if (corrupt == null || List.of(read.columns()).contains(corrupt)) {
                return read;
            }
            return reader.schema(read.schema().add(corrupt, DataTypes.StringType, true))
                    .load(config.location().path());
        } catch (Exception e) {
            if (e instanceof AnalysisException || e.getClass().getName().contains("AnalysisException")
                    || e instanceof IllegalArgumentException) {
                throw new InvalidInputException("Cannot read source " + config.location() + " as "
                        + (config.location().isCatalogTable() ? "a catalog table" : config.format().sparkName())
                        + ": " + ErrorMessages.firstLine(e)
                        + ". Fix: check source.path / source.table and source.format.", e);
            }
            throw e;
        }
    }

    /**
     * The column a CSV or JSON reader puts a malformed record's raw text in, or null for other sources. Spark keeps a
     * malformed record in {@code PERMISSIVE} mode (its fields null) and captures its text only when the schema has
     * this column, which an inferred CSV schema never has.
     */
    private static String corruptRecordColumn(SparkSession spark, SourceConfig config) {
        if (config.location().isCatalogTable()
                || (config.format() != SourceFormat.CSV && config.format() != SourceFormat.JSON)) {
            return null;
        }
        String mode = option(config, "mode");
        if (mode != null && mode.trim().equalsIgnoreCase("DROPMALFORMED")) {
            throw new InvalidInputException("Invalid configuration: source.options.mode = " + mode + " drops records "
                    + "Spark cannot parse, so they would be neither scored nor rejected. Fix: leave source.options.mode "
                    + "unset (malformed records are rejected as " + RejectReason.MALFORMED_RECORD.code() + ", with "
                    + "their text in the rejects table), or set it to FAILFAST to stop at the first one.");
        }
        String configured = option(config, "columnNameOfCorruptRecord");
        return configured != null ? configured : spark.conf().get("spark.sql.columnNameOfCorruptRecord");
    }

    private static String option(SourceConfig config, String name) {
        return config.options().entrySet().stream().filter(entry -> entry.getKey().equalsIgnoreCase(name))
                .map(java.util.Map.Entry::getValue).findFirst().orElse(null);
    }

    /**
     * Maps a source table to the canonical review columns.
     *
     * @param raw the table as read
     * @param config the column and label mapping
     * @param labels the model's label names, in logit order
     * @param positiveIndex the index of the positive label, or -1 when the model has none
     * @return the {@link ReviewColumns#CANONICAL} columns, then the pass-through columns
     * @throws InvalidInputException when a mapped column does not exist (the message lists the columns that do)
     */
    public static Dataset<Row> normalize(Dataset<Row> raw, SourceConfig config, List<String> labels,
                                         int positiveIndex) {
        ColumnMapping columns = config.columns();
        StructField id = field(raw, columns.id(), "source.columns.id", config);
        StructField text = field(raw, columns.text(), "source.columns.text", config);
        StructField label = columns.label() == null ? null : field(raw, columns.label(), "source.columns.label", config);
        List<Column> passThrough = new ArrayList<>();
        for (String name : columns.passThrough()) {
            StructField field = field(raw, name, "source.columns.pass-through", config);
            if (ReviewColumns.CANONICAL.contains(field.name().toLowerCase(Locale.ROOT))) {
                throw new InvalidInputException("Invalid configuration: source.columns.pass-through lists \"" + name
                        + "\", a name the scored table uses itself (" + ReviewColumns.CANONICAL + "). Fix: rename "
                        + "the column in a view, or leave it out.");
            }
            passThrough.add(col(quote(field.name())));
        }

        String corrupt = corruptRecordColumn(raw.sparkSession(), config);
        Column malformed = corrupt != null && List.of(raw.columns()).contains(corrupt)
                ? col(quote(corrupt)) : lit(null).cast("string");
        Column idValue = col(quote(id.name())).cast("string");
        Column textValue = col(quote(text.name())).cast("string");
        Column sourceLabel = label == null ? lit(null).cast("string") : col(quote(label.name())).cast("string");
        Column mapped = label == null ? lit(null).cast("string")
                : labelName(label.name(), label.dataType(), config.labels(), labels, positiveIndex);

        List<Column> selected = new ArrayList<>(List.of(
                idValue.as(ReviewColumns.REVIEW_ID),
                textValue.as(ReviewColumns.TEXT),
                when(mapped.notEqual(lit(UNKNOWN)), mapped).as(ReviewColumns.LABEL),
                sourceLabel.as(ReviewColumns.SOURCE_LABEL),
                sha2(textValue, 256).as(ReviewColumns.TEXT_HASH),
                when(malformed.isNotNull(), lit(RejectReason.MALFORMED_RECORD.code()))
                        .when(idValue.isNull(), lit(RejectReason.NULL_REVIEW_ID.code()))
                        .when(textValue.isNull(), lit(RejectReason.NULL_TEXT.code()))
                        .when(textValue.rlike("(?U)^\\s*$"), lit(RejectReason.EMPTY_TEXT.code()))
                        .when(mapped.equalTo(lit(UNKNOWN)), lit(RejectReason.UNKNOWN_LABEL.code()))
                        .as(ReviewColumns.REJECT_REASON),
                malformed.as(ReviewColumns.MALFORMED_RECORD)));
        selected.addAll(passThrough);
        Dataset<Row> normalized = raw.select(selected.toArray(new Column[0]));

        Column labelArray = array(labels.stream().map(name -> lit(name)).toArray(Column[]::new));
        normalized = normalized.withColumn(ReviewColumns.LABEL_INDEX,
                when(col(ReviewColumns.LABEL).isNotNull(),
                        array_position(labelArray, col(ReviewColumns.LABEL)).minus(1).cast("int")));
        return rejectDuplicates(reorder(normalized, columns.passThrough()), columns.passThrough());
    }

    /**
     * Rejects rows whose review id occurs more than once: when every copy has the same text, label and pass-through
     * values, one is kept and the others are {@code duplicate_row}; when the copies differ, all are
     * {@code conflicting_duplicate_id}. Rows already rejected keep their reason.
     *
     * <p>Finding repeated ids shuffles only ids and 64-bit fingerprints of the rows' values, in one aggregation
     * that runs here. When no id repeats (the usual case) the rows are returned untouched; otherwise the (few)
     * repeated ids are broadcast to the rows, so that review texts are never shuffled.
     */
    private static Dataset<Row> rejectDuplicates(Dataset<Row> rows, List<String> passThrough) {
        List<Column> identity = new ArrayList<>(List.of(col(ReviewColumns.TEXT), col(ReviewColumns.SOURCE_LABEL)));
        passThrough.forEach(name -> identity.add(col(quote(name))));
        Dataset<Row> keyed = rows.withColumn(FINGERPRINT, xxhash64(identity.toArray(new Column[0])));
        Dataset<Row> repeated = keyed.where(col(ReviewColumns.REVIEW_ID).isNotNull()
                        .and(col(ReviewColumns.MALFORMED_RECORD).isNull()))
                .groupBy(col(ReviewColumns.REVIEW_ID).as(REPEATED_ID))
                .agg(count(lit(1)).as(COPIES), countDistinct(col(FINGERPRINT)).as(VARIANTS))
                .where(col(COPIES).gt(1));
        if (repeated.isEmpty()) {
            return rows;
        }
        Dataset<Row> joined = keyed.join(broadcast(repeated),
                keyed.col(ReviewColumns.REVIEW_ID).equalTo(col(REPEATED_ID)), "left");
        Dataset<Row> once = joined.where(col(REPEATED_ID).isNull());
        Column copy = row_number().over(Window.partitionBy(col(ReviewColumns.REVIEW_ID)).orderBy(col(FINGERPRINT)));
        Dataset<Row> copies = joined.where(col(REPEATED_ID).isNotNull()).withColumn(ReviewColumns.REJECT_REASON,
                when(col(ReviewColumns.REJECT_REASON).isNotNull(), col(ReviewColumns.REJECT_REASON))
                        .when(col(VARIANTS).gt(1), lit(RejectReason.CONFLICTING_DUPLICATE_ID.code()))
                        .when(copy.gt(1), lit(RejectReason.DUPLICATE_ROW.code())));
        return once.unionByName(copies).drop(FINGERPRINT, REPEATED_ID, COPIES, VARIANTS);
    }

    private static Dataset<Row> reorder(Dataset<Row> rows, List<String> passThrough) {
        List<Column> ordered = new ArrayList<>();
        ReviewColumns.CANONICAL.forEach(name -> ordered.add(col(name)));
        passThrough.forEach(name -> ordered.add(col(quote(name))));
        return rows.select(ordered.toArray(new Column[0]));
    }

    /** The label name a source value maps to: a model label, null when unlabeled, or UNKNOWN. */
    private static Column labelName(String column, DataType type, LabelMapping mapping, List<String> labels,
                                    int positiveIndex) {
        Column raw = col(quote(column));
        String positive = positiveIndex >= 0 ? labels.get(positiveIndex) : UNKNOWN;
        String negative = labels.size() == 2 && positiveIndex >= 0 ? labels.get(1 - positiveIndex) : UNKNOWN;
        LabelKind kind = mapping.kind();
        if (kind == LabelKind.AUTO) {
            kind = type instanceof BooleanType ? LabelKind.BOOLEAN
                    : type instanceof NumericType ? LabelKind.BINARY : LabelKind.NAMES;
        }
        Column value;
        switch (kind) {
            case BOOLEAN -> {
                Column flag = tryCast(column, "BOOLEAN");
                value = when(flag.isNull(), lit(UNKNOWN)).when(flag, lit(positive)).otherwise(lit(negative));
            }
            case BINARY -> {
                Column number = tryCast(column, "DOUBLE");
                value = when(number.equalTo(1), lit(positive)).when(number.equalTo(0), lit(negative))
                        .otherwise(lit(UNKNOWN));
            }
            case STARS -> {
                Column stars = tryCast(column, "DOUBLE");
                value = when(stars.geq(mapping.starsPositiveMin()), lit(positive))
                        .when(stars.leq(mapping.starsNegativeMax()), lit(negative))
                        .when(stars.isNotNull(), lit(null).cast("string"))
                        .otherwise(lit(UNKNOWN));
            }
            default -> {
                Column name = lower(trim(raw.cast("string")));
                value = when(name.isin(mapping.positiveNames().toArray()), lit(positive))
                        .when(name.isin(mapping.negativeNames().toArray()), lit(negative));
                for (String label : labels) {
                    value = value.when(name.equalTo(lit(label.toLowerCase(Locale.ROOT))), lit(label));
                }
                value = value.otherwise(lit(UNKNOWN));
            }
        }
        return when(raw.isNull(), lit(null).cast("string")).otherwise(value);
    }

    private static StructField field(Dataset<Row> raw, String name, String key, SourceConfig config) {
        for (StructField field : raw.schema().fields()) {
            if (field.name().equalsIgnoreCase(name)) {
                if (key.equals("source.columns.text") && !(field.dataType() instanceof StringType)) {
                    throw new InvalidInputException("Source " + config.location() + " column \"" + field.name()
                            + "\" (source.columns.text) has type " + field.dataType().simpleString()
                            + ", not string. Fix: map source.columns.text to the column holding the review text.");
                }
                return field;
            }
        }
        throw new InvalidInputException("Source " + config.location() + " has no column \"" + name + "\" (" + key
                + "). Columns: " + Arrays.toString(raw.columns()) + ". Fix: set " + key + " to one of them.");
    }

    /**
     * The column's value as {@code type}, or null where it is not one: a plain cast fails the whole job on the first
     * such value under ANSI mode, Spark 4's default.
     */
    private static Column tryCast(String column, String type) {
        return expr("try_cast(" + quote(column) + " AS " + type + ")");
    }

    /** A column name quoted for SQL, as Spark parses it back. */
    public static String quote(String name) {
        return "`" + name.replace("`", "``") + "`";
    }
}
