package dev.reviewscore.metrics;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.reviewscore.InvalidInputException;
import dev.reviewscore.config.EvaluationSettings;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * Evaluates a scored table on the cluster. Rows never travel to the driver: the driver collects only aggregates
 * (counts per slice, confusion counts, log-loss sums, and one AUC partial per partition and slice), then computes
 * the metrics with {@link ClassificationMetrics} and {@link RocAuc}. No window or sort spans the whole table in one
 * partition: the exact AUC uses a range-partitioned sort.
 *
 * <p>Log loss follows scikit-learn's {@code log_loss}: probabilities are clipped to {@code [eps, 1 - eps]} with
 * {@code eps} the float64 machine epsilon, each review's probabilities are renormalized to sum to 1, and the loss
 * is the mean of {@code -ln p(true label)}.
 */
public final class Evaluator {
    private static final String EPS = "2.220446049250313E-16";
    private static final String SLICE_NAME = "slice_name";
    private static final String SLICE_VALUE = "slice_value";

    private Evaluator() {}

    /**
     * Evaluates the scores of one model version.
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
                                      EvaluationSettings settings) {
        Dataset<Row> base = sliced(scored, labels, positiveIndex, slices).persist(StorageLevel.MEMORY_AND_DISK());
        try {
            Map<List<String>, long[]> counts = new LinkedHashMap<>();
            Map<List<String>, Double> lossSums = new HashMap<>();
            for (Row row : base.groupBy(SLICE_NAME, SLICE_VALUE)
                    .agg(count(lit(1)), count(col("label_index")), sum(col("loss_term")))
                    .collectAsList()) {
                List<String> slice = List.of(row.getString(0), row.getString(1));
                counts.put(slice, new long[] {row.getLong(2), row.getLong(3)});
                lossSums.put(slice, row.isNullAt(4) ? null : row.getDouble(4));
            }
            Map<List<String>, long[][]> confusion = new HashMap<>();
            for (Row row : base.where(col("label_index").isNotNull())
                    .groupBy(SLICE_NAME, SLICE_VALUE, "label_index", "predicted_index").count().collectAsList()) {
                List<String> slice = List.of(row.getString(0), row.getString(1));
                confusion.computeIfAbsent(slice, s -> new long[labels.size()][labels.size()])
                        [row.getInt(2)][row.getInt(3)] = row.getLong(4);
            }
            Map<List<String>, List<RocAuc.Partial>> aucPartials =
                    positiveIndex < 0 ? Map.of() : aucPartials(base);
            Map<List<String>, PoissonBootstrap.Replicates> replicates = settings.bootstrapReplicates() == 0
                    ? Map.of() : replicates(scored, labels.size(), slices, settings.bootstrapReplicates());

            List<SliceEvaluation> evaluations = new ArrayList<>();
            List<String> names = new ArrayList<>(List.of(SliceEvaluation.ALL));
            names.addAll(slices.keySet());
            List<List<String>> order = new ArrayList<>(counts.keySet());
            order.sort(Comparator.comparing((List<String> s) -> names.indexOf(s.get(0))).thenComparing(s -> s.get(1)));
            for (List<String> slice : order) {
                long rows = counts.get(slice)[0];
                long labeled = counts.get(slice)[1];
                ConfusionMatrix matrix = new ConfusionMatrix(labels,
                        confusion.getOrDefault(slice, new long[labels.size()][labels.size()]));
                Double loss = labeled == 0 || lossSums.get(slice) == null ? null : lossSums.get(slice) / labeled;
                RocAuc.Estimate auc = null;
                String aucNote;
                if (positiveIndex < 0) {
                    aucNote = "no positive label: set model.positive-label to compute AUC for a model with "
                            + labels.size() + " labels";
                } else {
                    auc = RocAuc.combine(aucPartials.getOrDefault(slice, List.of()));
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
            ScoreCurves curves = positiveIndex < 0 ? null : curves(base);
            ThresholdAnalysis thresholds = curves == null || labels.size() != 2 ? null
                    : ThresholdAnalysis.of(curves, settings.targetPrecision());
            return new Evaluation(modelName, modelVersion, labels,
                    positiveIndex < 0 ? null : labels.get(positiveIndex), evaluations, curves, thresholds,
                    examples(scored, labels, positiveIndex, slices, settings.errorExamples()), null);
        } finally {
            base.unpersist();
        }
    }

    /** One row per review and slice: slice name and value, true and predicted index, score, loss term. */
    private static Dataset<Row> sliced(Dataset<Row> scored, List<String> labels, int positiveIndex,
                                       Map<String, String> slices) {
        Column score = positiveIndex < 0 ? lit(null).cast("double")
                : element_at(col("probabilities"), lit(labels.get(positiveIndex)));
        Column lossTerm = lossTerm();
        Column positive = col("label_index").equalTo(lit(positiveIndex));
        List<Column> measures = List.of(col("label_index"), col("predicted_index"), score.as("score"),
                positive.as("is_positive"), lossTerm.as("loss_term"));
        Dataset<Row> all = scored.select(withSlice(lit(SliceEvaluation.ALL), lit(SliceEvaluation.ALL), measures));
        for (Map.Entry<String, String> slice : slices.entrySet()) {
            Column value;
            try {
                value = sliceValue(slice.getValue());
                scored.select(value).schema();
            } catch (Exception e) {
                throw new InvalidInputException("Invalid configuration: evaluation.slices." + slice.getKey() + " = \""
                        + slice.getValue() + "\" does not work on the scored table: " + firstLine(e) + ". Fix: use "
                        + "a Spark SQL expression over the scored table's columns " + List.of(scored.columns()) + ".",
                        e);
            }
            all = all.unionByName(scored.select(withSlice(lit(slice.getKey()), value, measures)));
        }
        return all;
    }

    /** The row's term of the log loss: -ln of its clipped, renormalized probability of the true label; null unlabeled. */
    private static Column lossTerm() {
        return when(col("label").isNotNull(), expr(
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

    private static String firstLine(Throwable e) {
        String message = String.valueOf(e.getMessage());
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /**
     * The most confidently wrong reviews of each true class, then the reviews nearest a positive-label probability
     * of 0.5: each a bounded top-k (Spark's TakeOrderedAndProject keeps k rows per partition), never a sort of the
     * table.
     */
    private static List<ErrorExample> examples(Dataset<Row> scored, List<String> labels, int positiveIndex,
                                               Map<String, String> slices, int k) {
        if (k == 0) {
            return List.of();
        }
        Column labelNames = array(labels.stream().map(functions::lit).toArray(Column[]::new));
        Column predicted = element_at(labelNames, col("predicted_index").plus(1));
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
            Dataset<Row> wrong = scored.where(col("label_index").equalTo(label)
                    .and(col("predicted_index").notEqual(col("label_index"))));
            for (Row row : wrong.select(select).orderBy(col("__confidence").desc()).limit(k).collectAsList()) {
                examples.add(example(ErrorExample.CONFIDENTLY_WRONG, row, slices));
            }
        }
        if (positiveIndex >= 0 && labels.size() == 2) {
            Column distance = abs(element_at(col("probabilities"), lit(labels.get(positiveIndex))).minus(0.5));
            List<Column> withDistance = new ArrayList<>(columns);
            withDistance.add(distance.as("__distance"));
            for (Row row : scored.where(col("label_index").isNotNull())
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

    /** The whole table's labeled scores in fine bins: one small aggregation. */
    private static ScoreCurves curves(Dataset<Row> base) {
        long[] positives = new long[ScoreCurves.BINS];
        long[] negatives = new long[ScoreCurves.BINS];
        double[] sums = new double[ScoreCurves.BINS];
        Column bin = least(greatest(floor(col("score").multiply(ScoreCurves.BINS)), lit(0)),
                lit(ScoreCurves.BINS - 1)).cast("int");
        for (Row row : base.where(col(SLICE_NAME).equalTo(SliceEvaluation.ALL)
                        .and(col("label_index").isNotNull()).and(col("score").isNotNull()))
                .groupBy(bin.as("bin"))
                .agg(sum(when(col("is_positive"), 1L).otherwise(0L)), sum(when(col("is_positive"), 0L).otherwise(1L)),
                        sum(col("score")))
                .collectAsList()) {
            positives[row.getInt(0)] = row.getLong(1);
            negatives[row.getInt(0)] = row.getLong(2);
            sums[row.getInt(0)] = row.getDouble(3);
        }
        return new ScoreCurves(positives, negatives, sums);
    }

    /** AUC partials per slice, in score order: a range-partitioned sort of the score histogram. */
    private static Map<List<String>, List<RocAuc.Partial>> aucPartials(Dataset<Row> base) {
        Dataset<Row> histogram = base
                .where(col("label_index").isNotNull().and(col("score").isNotNull()))
                .groupBy(SLICE_NAME, SLICE_VALUE, "score")
                .agg(sum(when(col("is_positive"), 1L).otherwise(0L)).as("positives"),
                        sum(when(col("is_positive"), 0L).otherwise(1L)).as("negatives"));
        StructType partialSchema = new StructType()
                .add(SLICE_NAME, DataTypes.StringType)
                .add(SLICE_VALUE, DataTypes.StringType)
                .add("partition", DataTypes.IntegerType)
                .add("positives", DataTypes.LongType)
                .add("negatives", DataTypes.LongType)
                .add("twice_wins", DataTypes.LongType)
                .add("positive_squares", DataTypes.DoubleType)
                .add("negative_squares", DataTypes.DoubleType);
        List<Row> partials = histogram
                .repartitionByRange(col(SLICE_NAME), col(SLICE_VALUE), col("score"))
                .sortWithinPartitions(SLICE_NAME, SLICE_VALUE, "score")
                .mapPartitions(new PartialSums(), Encoders.row(partialSchema))
                .collectAsList();
        Map<List<String>, List<Row>> bySlice = new HashMap<>();
        for (Row row : partials) {
            bySlice.computeIfAbsent(List.of(row.getString(0), row.getString(1)), s -> new ArrayList<>()).add(row);
        }
        Map<List<String>, List<RocAuc.Partial>> result = new HashMap<>();
        bySlice.forEach((slice, rows) -> {
            rows.sort(Comparator.comparingInt(r -> r.getInt(2)));
            result.put(slice, rows.stream()
                    .map(r -> new RocAuc.Partial(r.getLong(3), r.getLong(4), r.getLong(5), r.getDouble(6),
                            r.getDouble(7))).toList());
        });
        return result;
    }

    /** Sums each slice's run of ascending scores within one partition. */
    private static final class PartialSums implements MapPartitionsFunction<Row, Row> {
        private static final long serialVersionUID = 1L;

        @Override
        public Iterator<Row> call(Iterator<Row> rows) {
            int partition = TaskContext.getPartitionId();
            List<Row> out = new ArrayList<>();
            String name = null;
            String value = null;
            RocAuc.Accumulator accumulator = null;
            while (rows.hasNext()) {
                Row row = rows.next();
                String rowName = row.getString(0);
                String rowValue = row.getString(1);
                if (accumulator == null || !rowName.equals(name) || !rowValue.equals(value)) {
                    if (accumulator != null) {
                        out.add(partialRow(name, value, partition, accumulator.result()));
                    }
                    name = rowName;
                    value = rowValue;
                    accumulator = new RocAuc.Accumulator();
                }
                accumulator.add(row.getLong(3), row.getLong(4));
            }
            if (accumulator != null) {
                out.add(partialRow(name, value, partition, accumulator.result()));
            }
            return out.iterator();
        }

        private static Row partialRow(String name, String value, int partition, RocAuc.Partial partial) {
            return RowFactory.create(name, value, partition, partial.positives(), partial.negatives(),
                    partial.twiceWins(), partial.positiveSquares(), partial.negativeSquares());
        }
    }

    /**
     * Each slice's Poisson bootstrap sums: one pass over the reviews (each draws its weights once, for the whole table
     * and every slice it is in), one row per partition and slice to the driver.
     */
    private static Map<List<String>, PoissonBootstrap.Replicates> replicates(Dataset<Row> scored, int labels,
                                                                           Map<String, String> slices,
                                                                           int replicates) {
        StructType schema = new StructType()
                .add(SLICE_NAME, DataTypes.StringType)
                .add(SLICE_VALUE, DataTypes.StringType)
                .add("confusion", DataTypes.createArrayType(DataTypes.LongType, false))
                .add("loss_sums", DataTypes.createArrayType(DataTypes.DoubleType, false));
        List<Column> columns = new ArrayList<>(List.of(col("review_id").cast("string"), col("label_index"),
                col("predicted_index"), lossTerm()));
        slices.values().forEach(expression -> columns.add(sliceValue(expression)));
        Map<List<String>, PoissonBootstrap.Replicates> result = new HashMap<>();
        for (Row row : scored.where(col("label_index").isNotNull()).select(columns.toArray(new Column[0]))
                .mapPartitions(new BootstrapSums(labels, replicates, List.copyOf(slices.keySet())),
                        Encoders.row(schema))
                .collectAsList()) {
            List<Long> confusion = row.getList(2);
            List<Double> lossSums = row.getList(3);
            PoissonBootstrap.Replicates part = new PoissonBootstrap.Replicates(labels,
                    confusion.stream().mapToLong(Long::longValue).toArray(),
                    lossSums.stream().mapToDouble(Double::doubleValue).toArray());
            result.merge(List.of(row.getString(0), row.getString(1)), part, (a, b) -> {
                a.addAll(b);
                return a;
            });
        }
        return result;
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
                int label = row.getInt(1);
                int predicted = row.getInt(2);
                double loss = row.isNullAt(3) ? 0 : row.getDouble(3);
                for (int s = -1; s < sliceNames.size(); s++) {
                    List<String> slice = s < 0 ? List.of(SliceEvaluation.ALL, SliceEvaluation.ALL)
                            : List.of(sliceNames.get(s), row.getString(4 + s));
                    sums.computeIfAbsent(slice, key -> PoissonBootstrap.Replicates.empty(labels, replicates))
                            .add(weights, label, predicted, loss);
                }
            }
            List<Row> out = new ArrayList<>();
            sums.forEach((slice, replicateSums) -> out.add(RowFactory.create(slice.get(0), slice.get(1),
                    replicateSums.confusion(), replicateSums.lossSums())));
            return out.iterator();
        }
    }
}
