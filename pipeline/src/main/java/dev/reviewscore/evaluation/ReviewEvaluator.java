package dev.reviewscore.evaluation;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_max;
import static org.apache.spark.sql.functions.array_position;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.map_from_arrays;
import static org.apache.spark.sql.functions.map_keys;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.monotonically_increasing_id;
import static org.apache.spark.sql.functions.when;

import dev.reviewscore.InvalidInputException;
import dev.reviewscore.config.EvaluationConfig;
import dev.reviewscore.config.EvaluatorSettings;
import dev.reviewscore.inference.ModelBundle;
import dev.reviewscore.source.ReviewColumns;
import dev.reviewscore.source.ReviewSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.NumericType;
import dev.reviewscore.metrics.Evaluation;

/**
 * Evaluates any DataFrame that has a true-label column and a probability column with exactly the metrics the job
 * computes (accuracy, per-label precision / recall / F1, macro and weighted F1, log loss, exact ROC AUC, confusion
 * counts), for the whole table and per slice when asked, on the cluster: only aggregates reach the driver.
 *
 * <p>Accepted columns: probabilities as a map of label to probability (what {@code ReviewSentiment} writes), an array
 * of doubles or a Spark ML vector in label order; the true label as a label name (in any letter case) or a label
 * index (integer or double, as Spark ML's label columns are); rows whose label is null count as unlabeled. The predicted label is read
 * from a prediction column when one is set, else it is the most probable label. Rows without probabilities (not
 * scored) are left out. Settings are immutable: each {@code with...} returns a new evaluator.
 */
public final class ReviewEvaluator {
    // set only on a new copy, before it is returned (see copyWith)
    private List<String> labels;
    private String labelCol;
    private String probabilitiesCol;
    private String predictionCol;
    private String positiveLabel;
    private Map<String, String> slices;
    private String modelName;
    private String modelVersion;
    private String idCol = "review_id";
    private EvaluatorSettings settings = EvaluatorSettings.DEFAULT;

    private ReviewEvaluator(List<String> labels, String labelCol, String probabilitiesCol, String predictionCol,
                            String positiveLabel, Map<String, String> slices, String modelName, String modelVersion) {
        this.labels = List.copyOf(labels);
        this.labelCol = labelCol;
        this.probabilitiesCol = probabilitiesCol;
        this.predictionCol = predictionCol;
        this.positiveLabel = positiveLabel;
        this.slices = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(slices));
        this.modelName = modelName;
        this.modelVersion = modelVersion;
    }

    /** A copy of this evaluator with one change. */
    private ReviewEvaluator copyWith(java.util.function.Consumer<ReviewEvaluator> change) {
        ReviewEvaluator copy = new ReviewEvaluator(labels, labelCol, probabilitiesCol, predictionCol, positiveLabel,
                slices, modelName, modelVersion);
        copy.idCol = idCol;
        copy.settings = settings;
        change.accept(copy);
        return copy;
    }

    /**
     * An evaluator for the columns {@code label} and {@code probabilities}, without slices.
     *
     * @param labels the labels in index order; empty to take them (sorted) from the keys of a probability map
     * @return the evaluator
     */
    public static ReviewEvaluator forLabels(List<String> labels) {
        return new ReviewEvaluator(labels, "label", "probabilities", null, null, Map.of(), null, null);
    }

    /**
     * The evaluator of one model version's rows in the scored table, as the job's evaluation settings configure it:
     * the evaluation of a run and the aggregates a scoring run keeps up to date are computed by the same one.
     *
     * @param evaluation the job's {@code evaluation} settings (slices, intervals, error examples)
     * @param positiveLabel the model's positive label ({@code model.positive-label}), or null
     * @param labels the model version's labels in index order
     */
    public static ReviewEvaluator forScoredTable(EvaluationConfig evaluation, String positiveLabel,
                                                 List<String> labels, String modelName, String modelVersion) {
        return forLabels(labels).withPredictionCol("predicted_label").withPositiveLabel(positiveLabel)
                .withSlices(evaluation.slices()).withSettings(evaluation.settings()).withModel(modelName, modelVersion);
    }

    /** Reads the true label from this column (a label name, or an index). */
    public ReviewEvaluator withLabelCol(String column) {
        return copyWith(copy -> copy.labelCol = column);
    }

    /** Reads the probabilities from this column (map of label to probability, array or vector in label order). */
    public ReviewEvaluator withProbabilitiesCol(String column) {
        return copyWith(copy -> copy.probabilitiesCol = column);
    }

    /** Reads the predicted label from this column (a name or an index) instead of taking the most probable one. */
    public ReviewEvaluator withPredictionCol(String column) {
        return copyWith(copy -> copy.predictionCol = column);
    }

    /**
     * Computes AUC for this label against the rest; null (the default) takes a label named positive or pos, else
     * the second of two labels.
     */
    public ReviewEvaluator withPositiveLabel(String label) {
        return copyWith(copy -> copy.positiveLabel = label);
    }

    /** Also evaluates each value of a Spark SQL expression over the DataFrame's columns on its own. */
    public ReviewEvaluator withSlice(String name, String expression) {
        Map<String, String> more = new LinkedHashMap<>(slices);
        more.put(name, expression);
        return withSlices(more);
    }

    /** Slices by name and SQL expression, replacing any set before. */
    public ReviewEvaluator withSlices(Map<String, String> byName) {
        return copyWith(copy -> copy.slices = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(byName)));
    }

    /**
     * Reads each row's id from this column (default {@code review_id}). The id seeds the row's bootstrap weights,
     * so that the same rows give the same intervals on every run; without such a column Spark's {@code monotonically_increasing_id}
     * (partition and position) stands in, which repeats only when the DataFrame is partitioned the same way.
     */
    public ReviewEvaluator withIdCol(String column) {
        return copyWith(copy -> copy.idCol = column);
    }

    /** Sets the confidence level, bootstrap replicates, target precision and error examples. */
    public ReviewEvaluator withSettings(EvaluatorSettings evaluationSettings) {
        return copyWith(copy -> copy.settings = evaluationSettings);
    }

    /** Names the model and version the evaluation describes (in reports and the metrics table). */
    public ReviewEvaluator withModel(String name, String version) {
        return copyWith(copy -> {
            copy.modelName = name;
            copy.modelVersion = version;
        });
    }

    /**
     * Evaluates the DataFrame.
     *
     * @param dataset the rows
     * @return the evaluation, whole table first
     * @throws InvalidInputException for missing columns or columns of another type, and label values that are not
     *     labels
     */
    public Evaluation evaluate(Dataset<?> dataset) {
        Prepared prepared = prepare(dataset.toDF());
        return Aggregates.evaluate(prepared.rows(), modelName, modelVersion, prepared.labels(),
                prepared.positiveIndex(), slices, settings);
    }

    /**
     * Rows as the evaluator reads them.
     *
     * @param rows the rows with probabilities, and columns {@code review_id}, {@code label_index},
     *     {@code predicted_index}, {@code label} and {@code probabilities} (a map of label to probability) as the
     *     evaluator reads them, besides the DataFrame's other columns
     * @param labels the labels in index order
     * @param positiveIndex the label AUC is computed for, or -1
     */
    record Prepared(Dataset<Row> rows, List<String> labels, int positiveIndex) {}

    /**
     * Rows narrowed to what an evaluator reads, and the evaluator that reads them.
     *
     * @param rows the id, probability, label and prediction columns, the sign when there is one, and each slice's
     *     value in a column of its own
     * @param evaluator this evaluator, reading the slices from those columns
     */
    record Narrowed(Dataset<Row> rows, ReviewEvaluator evaluator) {}

    /**
     * Narrows rows to the columns this evaluator reads, computing each slice's value once: for rows that several
     * aggregations read and that are best kept (persisted) without the columns nobody reads, such as review texts.
     */
    Narrowed narrow(Dataset<Row> rows) {
        List<String> present = Arrays.asList(rows.columns());
        List<Column> kept = new ArrayList<>();
        for (String name : Arrays.asList(idCol, probabilitiesCol, labelCol, predictionCol, Aggregates.SIGN)) {
            if (name != null && present.contains(name)) {
                kept.add(col(ReviewSource.quote(name)));
            }
        }
        Map<String, String> sliceColumns = new LinkedHashMap<>();
        for (Map.Entry<String, String> slice : slices.entrySet()) {
            String column = "__slice_" + sliceColumns.size();
            kept.add(functions.expr(slice.getValue()).as(column));
            sliceColumns.put(slice.getKey(), ReviewSource.quote(column));
        }
        return new Narrowed(rows.select(kept.toArray(new Column[0])), withSlices(sliceColumns));
    }

    /** Reads the columns of {@code rows} as this evaluator is set to. */
    Prepared prepare(Dataset<Row> rows) {
        DataType probabilityType = type(rows, probabilitiesCol, "probabilities");
        List<String> names = labels.isEmpty() ? labelsFromMap(rows, probabilityType) : labels;
        Column labelArray = array(names.stream().map(name -> lit(name)).toArray(Column[]::new));
        Column probabilities = probabilityArray(col(ReviewSource.quote(probabilitiesCol)), probabilityType, names);
        Column labelIndex = index(rows, labelCol, "label", names);
        Column predictedIndex = predictionCol == null
                ? array_position(col("__probabilities"), array_max(col("__probabilities"))).minus(1).cast("int")
                : index(rows, predictionCol, "prediction", names);
        Column id = Arrays.asList(rows.columns()).contains(idCol) ? col(ReviewSource.quote(idCol)).cast("string")
                : monotonically_increasing_id().cast("string");
        Dataset<Row> prepared = rows.where(col(ReviewSource.quote(probabilitiesCol)).isNotNull())
                .withColumn("review_id", id)
                .withColumn("__probabilities", probabilities)
                .withColumn(ReviewColumns.LABEL_INDEX, labelIndex)
                .withColumn("predicted_index", predictedIndex)
                .withColumn("label", ReviewColumns.labelAt(names, col(ReviewColumns.LABEL_INDEX)))
                .withColumn("probabilities", map_from_arrays(labelArray, col("__probabilities")))
                .drop("__probabilities");
        checkLabels(rows, labelIndex, names);
        return new Prepared(prepared, names, positiveIndex(names));
    }

    /** What an evaluation by this evaluator with these labels describes. */
    Aggregates.Described described(List<String> names, int positiveIndex, String basis) {
        return new Aggregates.Described(modelName, modelVersion, names, positiveIndex, List.copyOf(slices.keySet()),
                settings, basis);
    }

    /** The labels given, in index order; empty when they are taken from the probabilities. */
    List<String> labels() {
        return labels;
    }

    /** The index of the label AUC is computed for among these labels, or -1. */
    int positiveIndex(List<String> names) {
        return ModelBundle.positiveIndex(names, positiveLabel, modelName == null ? "evaluated" : modelName);
    }

    /** The slices, by name. */
    Map<String, String> slices() {
        return slices;
    }

    /** The evaluation settings. */
    EvaluatorSettings settings() {
        return settings;
    }

    /** The model version evaluated, or null. */
    String modelVersion() {
        return modelVersion;
    }

    private static DataType type(Dataset<Row> rows, String column, String role) {
        if (!Arrays.asList(rows.columns()).contains(column)) {
            throw new InvalidInputException("Cannot evaluate: there is no " + role + " column \"" + column
                    + "\" (columns: " + Arrays.asList(rows.columns()) + "). Fix: name the column that holds the "
                    + role + ".");
        }
        return rows.schema().apply(column).dataType();
    }

    private List<String> labelsFromMap(Dataset<Row> rows, DataType probabilityType) {
        if (!(probabilityType instanceof MapType)) {
            throw new InvalidInputException("Cannot evaluate: column \"" + probabilitiesCol + "\" is "
                    + probabilityType.simpleString() + ", which does not name its labels. Fix: give the labels in "
                    + "index order (ReviewEvaluator.forLabels(List.of(...))).");
        }
        List<String> keys = rows.select(explode(map_keys(col(ReviewSource.quote(probabilitiesCol))))).distinct()
                .as(Encoders.STRING()).collectAsList();
        List<String> sorted = new ArrayList<>(keys);
        java.util.Collections.sort(sorted);
        return sorted;
    }

    private Column probabilityArray(Column column, DataType type, List<String> names) {
        if (type instanceof MapType map && map.keyType().equals(DataTypes.StringType)) {
            return array(names.stream().map(name -> element_at(column, lit(name)).cast("double"))
                    .toArray(Column[]::new));
        }
        if (type instanceof ArrayType array && array.elementType() instanceof NumericType) {
            return column.cast("array<double>");
        }
        if (type.equals(SQLDataTypes.VectorType())) {
            return org.apache.spark.ml.functions.vector_to_array(column, "float64");
        }
        throw new InvalidInputException("Cannot evaluate: column \"" + probabilitiesCol + "\" is "
                + type.simpleString() + ". Fix: use a map of label to probability, an array of doubles or a Spark "
                + "ML vector, in label order " + names + ".");
    }

    private Column index(Dataset<Row> rows, String column, String role, List<String> names) {
        DataType type = type(rows, column, role);
        Column value = col(ReviewSource.quote(column));
        if (type.equals(DataTypes.StringType)) {
            Column lowerCase = array(names.stream().map(name -> lit(name.toLowerCase(Locale.ROOT)))
                    .toArray(Column[]::new));
            Column position = array_position(lowerCase, lower(value));
            return when(position.gt(0), position.minus(1)).cast("int");
        }
        if (type instanceof NumericType) {
            return when(value.geq(0).and(value.lt(names.size())).and(value.equalTo(value.cast("int"))),
                    value.cast("int"));
        }
        throw new InvalidInputException("Cannot evaluate: " + role + " column \"" + column + "\" is "
                + type.simpleString() + ". Fix: use a label name (string) or a label index (number).");
    }

    /** Fails on a label value that is not a label: it would otherwise count as unlabeled without a word. */
    private void checkLabels(Dataset<Row> rows, Column labelIndex, List<String> names) {
        // one aggregate over every partition: a LIMIT 1 that finds nothing (the usual case) would scan the rows
        // again in ever more partitions, one Spark job each
        String unknown = rows.where(col(ReviewSource.quote(labelCol)).isNotNull().and(labelIndex.isNull()))
                .agg(min(col(ReviewSource.quote(labelCol)).cast("string"))).first().getString(0);
        if (unknown != null) {
            throw new InvalidInputException("Cannot evaluate: label column \"" + labelCol + "\" holds \""
                    + unknown + "\", which is not one of the labels " + names + ". Fix: "
                    + "map the labels first, or give the labels in index order.");
        }
    }
}
