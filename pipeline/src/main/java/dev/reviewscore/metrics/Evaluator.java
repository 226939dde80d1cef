package dev.reviewscore.metrics;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.reviewscore.InvalidInputException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
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
     * @return the evaluation, whole table first
     * @throws InvalidInputException when a slice expression does not resolve against the scored table
     */
    public static Evaluation evaluate(Dataset<Row> scored, String modelName, String modelVersion,
                                      List<String> labels, int positiveIndex, Map<String, String> slices) {
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
                Double auc = null;
                String aucNote;
                if (positiveIndex < 0) {
                    aucNote = "no positive label: set model.positive-label to compute AUC for a model with "
                            + labels.size() + " labels";
                } else {
                    OptionalDouble value = RocAuc.combine(aucPartials.getOrDefault(slice, List.of()));
                    aucNote = value.isPresent() ? null
                            : "only one class among the labeled reviews: AUC is undefined";
                    auc = value.isPresent() ? value.getAsDouble() : null;
                }
                evaluations.add(new SliceEvaluation(slice.get(0), slice.get(1), rows, labeled, matrix, loss, auc,
                        aucNote));
            }
            if (evaluations.isEmpty()) {
                evaluations.add(new SliceEvaluation(SliceEvaluation.ALL, SliceEvaluation.ALL, 0, 0,
                        new ConfusionMatrix(labels, new long[labels.size()][labels.size()]), null, null,
                        "no scored reviews"));
            }
            return new Evaluation(modelName, modelVersion, labels,
                    positiveIndex < 0 ? null : labels.get(positiveIndex), evaluations,
                    positiveIndex < 0 ? null : curves(base));
        } finally {
            base.unpersist();
        }
    }

    /** One row per review and slice: slice name and value, true and predicted index, score, loss term. */
    private static Dataset<Row> sliced(Dataset<Row> scored, List<String> labels, int positiveIndex,
                                       Map<String, String> slices) {
        Column score = positiveIndex < 0 ? lit(null).cast("double")
                : element_at(col("probabilities"), lit(labels.get(positiveIndex)));
        Column lossTerm = when(col("label").isNotNull(), expr(
                "-ln(greatest(least(element_at(probabilities, label), 1D - " + EPS + "D), " + EPS + "D) "
                        + "/ aggregate(map_values(probabilities), 0D, "
                        + "(acc, p) -> acc + greatest(least(p, 1D - " + EPS + "D), " + EPS + "D)))"));
        Column positive = col("label_index").equalTo(lit(positiveIndex));
        List<Column> measures = List.of(col("label_index"), col("predicted_index"), score.as("score"),
                positive.as("is_positive"), lossTerm.as("loss_term"));
        Dataset<Row> all = scored.select(withSlice(lit(SliceEvaluation.ALL), lit(SliceEvaluation.ALL), measures));
        for (Map.Entry<String, String> slice : slices.entrySet()) {
            Column value;
            try {
                value = coalesce(expr(slice.getValue()).cast("string"), lit("null"));
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
                .add("twice_wins", DataTypes.LongType);
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
                    .map(r -> new RocAuc.Partial(r.getLong(3), r.getLong(4), r.getLong(5))).toList());
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
                    partial.twiceWins());
        }
    }
}
