package dev.reviewscore.evaluation;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.reviewscore.ErrorMessages;
import dev.reviewscore.InvalidInputException;
import dev.reviewscore.config.EvaluatorSettings;
import dev.reviewscore.source.ReviewColumns;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import dev.reviewscore.metrics.ClassificationMetrics;
import dev.reviewscore.metrics.ConfusionMatrix;
import dev.reviewscore.metrics.ErrorExample;
import dev.reviewscore.metrics.Evaluation;
import dev.reviewscore.metrics.PoissonBootstrap;
import dev.reviewscore.metrics.RocAuc;
import dev.reviewscore.metrics.ScoreCurves;
import dev.reviewscore.metrics.SliceEvaluation;
import dev.reviewscore.metrics.SliceIntervals;
import dev.reviewscore.metrics.ThresholdAnalysis;

/**
 * Evaluates a scored table on the cluster. Rows never travel to the driver: the rows are first summed into exact,
 * additive aggregates ({@link #histogram}: reviews and log-loss sums per slice value, true label, predicted label and
 * distinct score; {@link #replicates}: each slice's bootstrap sums), and every metric is computed from those with
 * {@link ClassificationMetrics} and {@link RocAuc}. An evaluation from rows and one from the same aggregates kept in a
 * table ({@link AggregatesTable}) are the same to the last bit. No window or sort spans the whole table in one
 * partition: the exact AUC sums each score bin on its own.
 *
 * <p>Log loss follows scikit-learn's {@code log_loss}: probabilities are clipped to {@code [eps, 1 - eps]} with
 * {@code eps} the float64 machine epsilon, each review's probabilities are renormalized to sum to 1, and the loss
 * is the mean of {@code -ln p(true label)}. Each review's term is summed as a decimal rounded to 18 places, so that
 * sums do not depend on their order.
 */
public final class Aggregates {
    /** A column of rows to aggregate: 1 adds the row, -1 takes it away; absent, every row is added. */
    static final String SIGN = "__sign";
    /** The type of exact log-loss sums. */
    static final String LOSS_TYPE = "decimal(30,18)";
    private static final String EPS = "2.220446049250313E-16";
    private static final String SLICE_NAME = "slice_name";
    private static final String SLICE_VALUE = "slice_value";

    private Aggregates() {}

    /**
     * Evaluates the scores of one model version from its rows.
     *
     * @param scored rows of the scored table for that model version
     * @param modelName the model's name
     * @param modelVersion the version
     * @param labels the model's labels in index order
     * @param positiveIndex the label AUC is computed for (one against the rest), or -1 for none
     * @param slices slice name to SQL expression over the scored table; each value is evaluated on its own, besides
     *     the whole table
     * @param settings the confidence level and bootstrap replicates of the intervals
     * @return the evaluation, whole table first
     * @throws InvalidInputException when a slice expression does not resolve against the scored table
     */
    public static Evaluation evaluate(Dataset<Row> scored, String modelName, String modelVersion,
                                      List<String> labels, int positiveIndex, Map<String, String> slices,
                                      EvaluatorSettings settings) {
        Dataset<Row> histogram = histogram(scored, labels, positiveIndex, slices)
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            return fromAggregates(histogram, replicates(scored, labels.size(), slices, settings),
                    examples(scored, labels, positiveIndex, slices, settings.errorExamples()),
                    new Described(modelName, modelVersion, labels, positiveIndex, List.copyOf(slices.keySet()),
                            settings, null));
        } finally {
            histogram.unpersist();
        }
    }

    /**
     * What an evaluation describes.
     *
     * @param modelName the model's name
     * @param modelVersion the version
     * @param labels the model's labels in index order
     * @param positiveIndex the label AUC is computed for, or -1 for none
     * @param sliceNames the slices, in the order the report lists them
     * @param settings the confidence level, target precision and error examples
     * @param basis what the aggregates were computed from, or null for the rows evaluated
     */
    record Described(String modelName, String modelVersion, List<String> labels, int positiveIndex,
                     List<String> sliceNames, EvaluatorSettings settings, String basis) {}

    /**
     * The exact, additive aggregates of scored rows: one row per slice value, true label, predicted label and
     * positive-label score ({@code slice_name, slice_value, label_index, predicted_index, score}), with the number of
     * reviews ({@code reviews}) and the decimal sum of their log-loss terms ({@code loss_sum}, zero for unlabeled
     * reviews). Rows whose {@value #SIGN} is -1 are taken away instead of added, so the aggregates of a table's
     * changes update the aggregates of the table.
     */
    static Dataset<Row> histogram(Dataset<Row> scored, List<String> labels, int positiveIndex,
                                  Map<String, String> slices) {
        Column sign = List.of(scored.columns()).contains(SIGN) ? col(SIGN) : lit(1);
        Column loss = lossTerm().cast(LOSS_TYPE);
        Column signedLoss = when(sign.gt(0), loss).otherwise(loss.unary_$minus());
        return sliced(scored, labels, positiveIndex, slices, List.of(sign.as(SIGN), signedLoss.as("loss_term")))
                .groupBy(SLICE_NAME, SLICE_VALUE, ReviewColumns.LABEL_INDEX, "predicted_index", "score")
                .agg(sum(col(SIGN)).cast("bigint").as("reviews"),
                        coalesce(sum(col("loss_term")), lit(0).cast(LOSS_TYPE)).cast(LOSS_TYPE).as("loss_sum"));
    }

    /**
     * Evaluates from aggregates.
     *
     * @param histogram the aggregates ({@link #histogram}); rows that count no review are left out
     * @param replicates each slice's bootstrap sums; empty for no bootstrap
     * @param examples the reviews to read
     * @param described what the evaluation describes
     */
    static Evaluation fromAggregates(Dataset<Row> histogram, Map<List<String>, PoissonBootstrap.Replicates> replicates,
                                     List<ErrorExample> examples, Described described) {
        List<String> labels = described.labels();
        int positiveIndex = described.positiveIndex();
        EvaluatorSettings settings = described.settings();
        Dataset<Row> counted = histogram.where(col("reviews").notEqual(0));
        Map<List<String>, long[]> counts = new LinkedHashMap<>();
        Map<List<String>, BigDecimal> lossSums = new HashMap<>();
        for (Row row : counted.groupBy(SLICE_NAME, SLICE_VALUE)
                .agg(sum(col("reviews")),
                        sum(when(col(ReviewColumns.LABEL_INDEX).isNotNull(), col("reviews")).otherwise(0L)),
                        sum(col("loss_sum")))
                .collectAsList()) {
            List<String> slice = List.of(row.getString(0), row.getString(1));
            counts.put(slice, new long[] {row.getLong(2), row.getLong(3)});
            lossSums.put(slice, row.getDecimal(4));
        }
        Map<List<String>, long[][]> confusion = new HashMap<>();
        for (Row row : counted.where(col(ReviewColumns.LABEL_INDEX).isNotNull())
                .groupBy(SLICE_NAME, SLICE_VALUE, ReviewColumns.LABEL_INDEX, "predicted_index").agg(sum(col("reviews")))
                .collectAsList()) {
            List<String> slice = List.of(row.getString(0), row.getString(1));
            confusion.computeIfAbsent(slice, s -> new long[labels.size()][labels.size()])
                    [row.getInt(2)][row.getInt(3)] = row.getLong(4);
        }
        Map<List<String>, List<ScoreRun>> runs = positiveIndex < 0 ? Map.of() : scoreRuns(counted, positiveIndex);

        List<SliceEvaluation> evaluations = new ArrayList<>();
        List<String> names = new ArrayList<>(List.of(SliceEvaluation.ALL));
        names.addAll(described.sliceNames());
        List<List<String>> order = new ArrayList<>(counts.keySet());
        order.sort(Comparator.comparing((List<String> s) -> names.indexOf(s.get(0))).thenComparing(s -> s.get(1)));
        for (List<String> slice : order) {
            long rows = counts.get(slice)[0];
            long labeled = counts.get(slice)[1];
            ConfusionMatrix matrix = new ConfusionMatrix(labels,
                    confusion.getOrDefault(slice, new long[labels.size()][labels.size()]));
            Double loss = labeled == 0 ? null : lossSums.get(slice).doubleValue() / labeled;
            RocAuc.Estimate auc = null;
            String aucNote;
            if (positiveIndex < 0) {
                aucNote = "no positive label: set model.positive-label to compute AUC for a model with "
                        + labels.size() + " labels";
            } else {
                auc = RocAuc.combine(runs.getOrDefault(slice, List.of()).stream().map(ScoreRun::partial).toList());
                aucNote = auc != null ? null : "only one class among the labeled reviews: AUC is undefined";
            }
            SliceIntervals intervals = SliceIntervals.compute(matrix, auc, replicates.get(slice),
                    settings.confidenceLevel());
            evaluations.add(new SliceEvaluation(slice.get(0), slice.get(1), rows, labeled, matrix, loss,
                    auc == null ? null : auc.auc(), aucNote, intervals));
        }
        if (evaluations.isEmpty()) {
            evaluations.add(new SliceEvaluation(SliceEvaluation.ALL, SliceEvaluation.ALL, 0, 0,
                    new ConfusionMatrix(labels, new long[labels.size()][labels.size()]), null, null,
                    "no scored reviews", new SliceIntervals(settings.confidenceLevel(), Map.of(), Map.of())));
        }
        ScoreCurves curves = positiveIndex < 0 ? null
                : curves(runs.getOrDefault(List.of(SliceEvaluation.ALL, SliceEvaluation.ALL), List.of()));
        ThresholdAnalysis thresholds = curves == null || labels.size() != 2 ? null
                : ThresholdAnalysis.of(curves, settings.targetPrecision());
        return new Evaluation(described.modelName(), described.modelVersion(), labels,
                positiveIndex < 0 ? null : labels.get(positiveIndex), evaluations, curves, thresholds, examples, null,
                described.basis());
    }

    /**
     * One row per review and slice: slice name and value, true and predicted index, positive-label score, and the
     * given columns.
     */
    private static Dataset<Row> sliced(Dataset<Row> scored, List<String> labels, int positiveIndex,
                                       Map<String, String> slices, List<Column> more) {
        Column score = positiveIndex < 0 ? lit(null).cast("double")
                : element_at(col("probabilities"), lit(labels.get(positiveIndex)));
        List<Column> measures = new ArrayList<>(List.of(col(ReviewColumns.LABEL_INDEX), col("predicted_index"),
                score.as("score")));
        measures.addAll(more);
        Dataset<Row> all = scored.select(withSlice(lit(SliceEvaluation.ALL), lit(SliceEvaluation.ALL), measures));
        for (Map.Entry<String, String> slice : slices.entrySet()) {
            Column value;
            try {
                value = sliceValue(slice.getValue());
                scored.select(value).schema();
            } catch (Exception e) {
                throw new InvalidInputException("Invalid configuration: evaluation.slices." + slice.getKey() + " = \""
                        + slice.getValue() + "\" does not work on the scored table: " + ErrorMessages.firstLine(e) + ". Fix: use "
                        + "a Spark SQL expression over the scored table's columns " + List.of(scored.columns()) + ".",
                        e);
            }
            all = all.unionByName(scored.select(withSlice(lit(slice.getKey()), value, measures)));
        }
        return all;
    }

    /** The row's term of the log loss: -ln of its clipped, renormalized probability of the true label; null unlabeled. */
    private static Column lossTerm() {
        return when(col(ReviewColumns.LABEL_INDEX).isNotNull(), expr(
                "-ln(greatest(least(element_at(probabilities, label), 1D - " + EPS + "D), " + EPS + "D) "
                        + "/ aggregate(map_values(probabilities), 0D, "
                        + "(acc, p) -> acc + greatest(least(p, 1D - " + EPS + "D), " + EPS + "D)))"));
    }

    /** A slice expression's value as a string, {@code "null"} for null. */
    private static Column sliceValue(String expression) {
        return coalesce(expr(expression).cast("string"), lit("null"));
    }

    private static Column[] withSlice(Column name, Column value, List<Column> measures) {
        List<Column> columns = new ArrayList<>();
        columns.add(name.as(SLICE_NAME));
        columns.add(value.as(SLICE_VALUE));
        columns.addAll(measures);
        return columns.toArray(new Column[0]);
    }

    /**
     * The most confidently wrong reviews of each true class, then the reviews nearest a positive-label probability
     * of 0.5: each a bounded top-k (Spark's TakeOrderedAndProject keeps k rows per partition), never a sort of the
     * table.
     */
    static List<ErrorExample> examples(Dataset<Row> scored, List<String> labels, int positiveIndex,
                                               Map<String, String> slices, int k) {
        if (k == 0) {
            return List.of();
        }
        Column predicted = ReviewColumns.labelAt(labels, col("predicted_index"));
        boolean hasText = List.of(scored.columns()).contains("text");
        List<Column> columns = new ArrayList<>(List.of(col("review_id").cast("string"),
                (hasText ? substring(col("text"), 1, ErrorExample.TEXT_CHARACTERS) : lit(null).cast("string"))
                        .as("__text"),
                col("label"), predicted.as("__predicted"),
                element_at(col("probabilities"), predicted).as("__confidence"),
                (positiveIndex < 0 ? lit(null).cast("double")
                        : element_at(col("probabilities"), lit(labels.get(positiveIndex)))).as("__score")));
        slices.values().forEach(expression -> columns.add(sliceValue(expression)));
        Column[] select = columns.toArray(new Column[0]);
        List<ErrorExample> examples = new ArrayList<>();
        for (int label = 0; label < labels.size(); label++) {
            Dataset<Row> wrong = scored.where(col(ReviewColumns.LABEL_INDEX).equalTo(label)
                    .and(col("predicted_index").notEqual(col(ReviewColumns.LABEL_INDEX))));
            for (Row row : wrong.select(select).orderBy(col("__confidence").desc()).limit(k).collectAsList()) {
                examples.add(example(ErrorExample.CONFIDENTLY_WRONG, row, slices));
            }
        }
        if (positiveIndex >= 0 && labels.size() == 2) {
            Column distance = abs(element_at(col("probabilities"), lit(labels.get(positiveIndex))).minus(0.5));
            List<Column> withDistance = new ArrayList<>(columns);
            withDistance.add(distance.as("__distance"));
            for (Row row : scored.where(col(ReviewColumns.LABEL_INDEX).isNotNull())
                    .select(withDistance.toArray(new Column[0])).orderBy(col("__distance"))
                    .limit(k).collectAsList()) {
                examples.add(example(ErrorExample.NEAR_THRESHOLD, row, slices));
            }
        }
        return examples;
    }

    private static ErrorExample example(String kind, Row row, Map<String, String> slices) {
        Map<String, String> values = new LinkedHashMap<>();
        int i = 6;
        for (String slice : slices.keySet()) {
            values.put(slice, row.getString(i++));
        }
        return new ErrorExample(kind, row.getString(0), row.getString(1), row.getString(2), row.getString(3),
                row.getDouble(4), row.isNullAt(5) ? null : row.getDouble(5), values);
    }

    /**
     * One slice's labeled reviews in one bin of {@link ScoreCurves}: its AUC partial and the sum of its scores.
     *
     * @param bin the bin
     * @param partial the bin's distinct scores summed in ascending order
     * @param scoreSum the sum of the bin's scores, one per review
     */
    private record ScoreRun(int bin, RocAuc.Partial partial, double scoreSum) {}

    /**
     * Each slice's AUC partials, one per score bin, in bin order: the labeled aggregates grouped by score, then
     * hash-partitioned by (slice, bin) and sorted by score within. A bin's sums do not depend on how Spark splits the
     * work, so the same aggregates give the same AUC, variance and curves to the last bit.
     */
    private static Map<List<String>, List<ScoreRun>> scoreRuns(Dataset<Row> counted, int positiveIndex) {
        Column positive = col(ReviewColumns.LABEL_INDEX).equalTo(lit(positiveIndex));
        Column bin = least(greatest(floor(col("score").multiply(ScoreCurves.BINS)), lit(0)),
                lit(ScoreCurves.BINS - 1)).cast("int");
        Dataset<Row> byScore = counted.where(col(ReviewColumns.LABEL_INDEX).isNotNull().and(col("score").isNotNull()))
                .groupBy(SLICE_NAME, SLICE_VALUE, "score")
                .agg(sum(when(positive, col("reviews")).otherwise(0L)).as("positives"),
                        sum(when(positive, lit(0L)).otherwise(col("reviews"))).as("negatives"))
                .where(col("positives").notEqual(0).or(col("negatives").notEqual(0)))
                .withColumn("bin", bin);
        StructType runSchema = new StructType()
                .add(SLICE_NAME, DataTypes.StringType)
                .add(SLICE_VALUE, DataTypes.StringType)
                .add("bin", DataTypes.IntegerType)
                .add("positives", DataTypes.LongType)
                .add("negatives", DataTypes.LongType)
                .add("twice_wins", DataTypes.LongType)
                .add("positive_squares", DataTypes.DoubleType)
                .add("negative_squares", DataTypes.DoubleType)
                .add("score_sum", DataTypes.DoubleType);
        List<Row> rows = byScore.select(SLICE_NAME, SLICE_VALUE, "bin", "score", "positives", "negatives")
                .repartition(col(SLICE_NAME), col(SLICE_VALUE), col("bin"))
                .sortWithinPartitions(SLICE_NAME, SLICE_VALUE, "bin", "score")
                .mapPartitions(new BinSums(), Encoders.row(runSchema))
                .collectAsList();
        Map<List<String>, List<ScoreRun>> result = new HashMap<>();
        for (Row row : rows) {
            result.computeIfAbsent(List.of(row.getString(0), row.getString(1)), s -> new ArrayList<>())
                    .add(new ScoreRun(row.getInt(2), new RocAuc.Partial(row.getLong(3), row.getLong(4),
                            row.getLong(5), row.getDouble(6), row.getDouble(7)), row.getDouble(8)));
        }
        result.values().forEach(runs -> runs.sort(Comparator.comparingInt(ScoreRun::bin)));
        return result;
    }

    /** The whole table's labeled scores in fine bins, from its score runs. */
    private static ScoreCurves curves(List<ScoreRun> runs) {
        long[] positives = new long[ScoreCurves.BINS];
        long[] negatives = new long[ScoreCurves.BINS];
        double[] sums = new double[ScoreCurves.BINS];
        for (ScoreRun run : runs) {
            positives[run.bin()] = run.partial().positives();
            negatives[run.bin()] = run.partial().negatives();
            sums[run.bin()] = run.scoreSum();
        }
        return new ScoreCurves(positives, negatives, sums);
    }

    /** Sums each (slice, bin) run of ascending scores within one partition. */
    private static final class BinSums implements MapPartitionsFunction<Row, Row> {
        private static final long serialVersionUID = 1L;

        @Override
        public Iterator<Row> call(Iterator<Row> rows) {
            List<Row> out = new ArrayList<>();
            String name = null;
            String value = null;
            int bin = -1;
            RocAuc.Accumulator accumulator = null;
            double scoreSum = 0;
            while (rows.hasNext()) {
                Row row = rows.next();
                String rowName = row.getString(0);
                String rowValue = row.getString(1);
                int rowBin = row.getInt(2);
                if (accumulator == null || !rowName.equals(name) || !rowValue.equals(value) || rowBin != bin) {
                    if (accumulator != null) {
                        out.add(runRow(name, value, bin, accumulator.result(), scoreSum));
                    }
                    name = rowName;
                    value = rowValue;
                    bin = rowBin;
                    accumulator = new RocAuc.Accumulator();
                    scoreSum = 0;
                }
                long positives = row.getLong(4);
                long negatives = row.getLong(5);
                accumulator.add(positives, negatives);
                scoreSum += row.getDouble(3) * (positives + negatives);
            }
            if (accumulator != null) {
                out.add(runRow(name, value, bin, accumulator.result(), scoreSum));
            }
            return out.iterator();
        }

        private static Row runRow(String name, String value, int bin, RocAuc.Partial partial, double scoreSum) {
            return RowFactory.create(name, value, bin, partial.positives(), partial.negatives(),
                    partial.twiceWins(), partial.positiveSquares(), partial.negativeSquares(), scoreSum);
        }
    }

    /**
     * Each slice's Poisson bootstrap sums, empty when the settings ask for no bootstrap: one pass over the labeled
     * reviews (each draws its weights once, for the whole table and every slice it is in; a row whose
     * {@value #SIGN} is -1 is taken away), one row per partition and slice to the driver.
     */
    static Map<List<String>, PoissonBootstrap.Replicates> replicates(Dataset<Row> scored, int labels,
                                                                   Map<String, String> slices,
                                                                   EvaluatorSettings settings) {
        int replicates = settings.bootstrapReplicates();
        if (replicates == 0) {
            return Map.of();
        }
        StructType schema = new StructType()
                .add(SLICE_NAME, DataTypes.StringType)
                .add(SLICE_VALUE, DataTypes.StringType)
                .add("confusion", DataTypes.createArrayType(DataTypes.LongType, false))
                .add("loss_units", DataTypes.createArrayType(DataTypes.LongType, false));
        List<Column> columns = new ArrayList<>(List.of(col("review_id").cast("string"), col(ReviewColumns.LABEL_INDEX),
                col("predicted_index"), lossTerm(),
                List.of(scored.columns()).contains(SIGN) ? col(SIGN) : lit(1)));
        slices.values().forEach(expression -> columns.add(sliceValue(expression)));
        Map<List<String>, PoissonBootstrap.Replicates> result = new HashMap<>();
        for (Row row : scored.where(col(ReviewColumns.LABEL_INDEX).isNotNull()).select(columns.toArray(new Column[0]))
                .mapPartitions(new BootstrapSums(labels, replicates, List.copyOf(slices.keySet())),
                        Encoders.row(schema))
                .collectAsList()) {
            result.merge(List.of(row.getString(0), row.getString(1)), replicatesOf(labels, row.getList(2),
                    row.getList(3)), (a, b) -> {
                        a.addAll(b);
                        return a;
                    });
        }
        return result;
    }

    /** Bootstrap sums from their arrays. */
    static PoissonBootstrap.Replicates replicatesOf(int labels, List<Long> confusion, List<Long> lossUnits) {
        return new PoissonBootstrap.Replicates(labels, confusion.stream().mapToLong(Long::longValue).toArray(),
                lossUnits.stream().mapToLong(Long::longValue).toArray());
    }

    /** Sums one partition's rows into every replicate of their slice. */
    private static final class BootstrapSums implements MapPartitionsFunction<Row, Row> {
        private static final long serialVersionUID = 1L;
        private final int labels;
        private final int replicates;
        private final List<String> sliceNames;

        BootstrapSums(int labels, int replicates, List<String> sliceNames) {
            this.labels = labels;
            this.replicates = replicates;
            this.sliceNames = sliceNames;
        }

        @Override
        public Iterator<Row> call(Iterator<Row> rows) {
            Map<List<String>, PoissonBootstrap.Replicates> sums = new LinkedHashMap<>();
            int[] weights = new int[replicates];
            while (rows.hasNext()) {
                Row row = rows.next();
                if (row.isNullAt(0)) {
                    throw new InvalidInputException("Cannot evaluate: a scored row has no review id, which seeds "
                            + "its bootstrap weights. Fix: give every row an id.");
                }
                PoissonBootstrap.weights(PoissonBootstrap.seed(row.getString(0)), weights);
                if (row.getInt(4) < 0) {
                    for (int b = 0; b < weights.length; b++) {
                        weights[b] = -weights[b];
                    }
                }
                int label = row.getInt(1);
                int predicted = row.getInt(2);
                double loss = row.isNullAt(3) ? 0 : row.getDouble(3);
                for (int s = -1; s < sliceNames.size(); s++) {
                    List<String> slice = s < 0 ? List.of(SliceEvaluation.ALL, SliceEvaluation.ALL)
                            : List.of(sliceNames.get(s), row.getString(5 + s));
                    sums.computeIfAbsent(slice, key -> PoissonBootstrap.Replicates.empty(labels, replicates))
                            .add(weights, label, predicted, loss);
                }
            }
            List<Row> out = new ArrayList<>();
            sums.forEach((slice, replicateSums) -> out.add(RowFactory.create(slice.get(0), slice.get(1),
                    replicateSums.confusion(), replicateSums.lossUnits())));
            return out.iterator();
        }
    }
}
