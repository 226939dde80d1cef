package dev.reviewscore.evaluation;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.reviewscore.config.EvaluatorSettings;
import dev.reviewscore.source.ReviewColumns;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
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
import dev.reviewscore.metrics.Comparison;
import dev.reviewscore.metrics.ErrorExample;
import dev.reviewscore.metrics.PairedTests;

/**
 * Compares two model versions on the cluster ({@link Comparison}; the tests are {@link PairedTests}). Rows never
 * reach the driver: the paired reviews are counted in one aggregation; for the paired AUC test each model's
 * placements come from its score histogram, range-partitioned and summed with the counts of the partitions before
 * it (two passes over the histogram, whose per-partition totals are all the driver sees), joined back to the reviews
 * by score, and summed per class. Disagreement examples are a bounded top-k.
 */
public final class ModelComparison {
    private ModelComparison() {}

    /**
     * Compares the champion's and the challenger's scores.
     *
     * @param champion scored-table rows of the champion version (review_id, label_index, predicted_index,
     *     probabilities, and text when kept)
     * @param challenger scored-table rows of the challenger version, likewise
     * @param labels the labels, in index order (the same for both versions)
     * @param positiveIndex the positive label, or -1 for none (no AUC test)
     * @param settings the number of disagreement examples
     */
    public static Comparison compare(Dataset<Row> champion, Dataset<Row> challenger, String championVersion,
                                     String challengerVersion, List<String> labels, int positiveIndex,
                                     EvaluatorSettings settings) {
        boolean hasText = List.of(challenger.columns()).contains("text");
        Dataset<Row> a = champion.select(col("review_id"), col(ReviewColumns.LABEL_INDEX).as("a_label"),
                col("predicted_index").as("a_predicted"), probability(positiveIndex, labels).as("a_score"));
        Dataset<Row> b = challenger.select(col("review_id"), col(ReviewColumns.LABEL_INDEX).as("b_label"),
                col("predicted_index").as("b_predicted"), probability(positiveIndex, labels).as("b_score"),
                (hasText ? substring(col("text"), 1, ErrorExample.TEXT_CHARACTERS) : lit(null).cast("string"))
                        .as("text"));
        Dataset<Row> pairs = a.join(b, "review_id").persist(StorageLevel.MEMORY_AND_DISK());
        try {
            Column labeled = col("a_label").isNotNull().and(col("a_label").equalTo(col("b_label")));
            Column aRight = labeled.and(col("a_predicted").equalTo(col("a_label")));
            Column bRight = labeled.and(col("b_predicted").equalTo(col("b_label")));
            Row counts = pairs.agg(count(lit(1)), sum(when(labeled, 1L).otherwise(0L)),
                    sum(when(aRight, 1L).otherwise(0L)), sum(when(bRight, 1L).otherwise(0L)),
                    sum(when(aRight.and(functions.not(bRight)), 1L).otherwise(0L)),
                    sum(when(bRight.and(functions.not(aRight)), 1L).otherwise(0L)),
                    sum(when(col("a_predicted").notEqual(col("b_predicted")), 1L).otherwise(0L))).first();
            long paired = counts.getLong(0);
            long[] sums = new long[6];
            for (int i = 0; i < sums.length; i++) {
                sums[i] = counts.isNullAt(i + 1) ? 0 : counts.getLong(i + 1);
            }
            PairedTests.PairedAuc auc = positiveIndex < 0 ? null
                    : pairedAuc(pairs.where(labeled.and(col("a_score").isNotNull()).and(col("b_score").isNotNull()))
                            .withColumn("positive", col("a_label").equalTo(positiveIndex)));
            List<Comparison.Disagreement> examples = new ArrayList<>();
            if (settings.errorExamples() > 0) {
                for (Row row : pairs.where(col("a_predicted").notEqual(col("b_predicted")))
                        .select(col("review_id").cast("string"), col("text"),
                                ReviewColumns.labelAt(labels, col("a_label")),
                                ReviewColumns.labelAt(labels, col("a_predicted")), col("a_score"),
                                ReviewColumns.labelAt(labels, col("b_predicted")), col("b_score"),
                                abs(col("a_score").minus(col("b_score"))).as("__gap"))
                        .orderBy(col("__gap").desc()).limit(settings.errorExamples()).collectAsList()) {
                    examples.add(new Comparison.Disagreement(row.getString(0), row.getString(1), row.getString(2),
                            row.getString(3), row.getDouble(4), row.getString(5), row.getDouble(6)));
                }
            }
            return new Comparison(championVersion, challengerVersion, paired, sums[0], sums[1], sums[2], sums[3],
                    sums[4], PairedTests.mcnemar(sums[3], sums[4]), auc, sums[5], examples);
        } finally {
            pairs.unpersist();
        }
    }

    /** The positive label's probability, or without one the probability of the predicted label. */
    private static Column probability(int positiveIndex, List<String> labels) {
        if (positiveIndex >= 0) {
            return element_at(col("probabilities"), lit(labels.get(positiveIndex)));
        }
        return element_at(col("probabilities"), ReviewColumns.labelAt(labels, col("predicted_index")));
    }

    /** DeLong's paired test over labeled pairs with both scores and a boolean column {@code positive}. */
    private static PairedTests.PairedAuc pairedAuc(Dataset<Row> pairs) {
        Row classes = pairs.agg(sum(when(col("positive"), 1L).otherwise(0L)),
                sum(when(col("positive"), 0L).otherwise(1L))).first();
        long m = classes.isNullAt(0) ? 0 : classes.getLong(0);
        long n = classes.isNullAt(1) ? 0 : classes.getLong(1);
        if (m < 2 || n < 2) {
            return null;
        }
        Dataset<Row> placementsA = placements(pairs, "a_score", m);
        Dataset<Row> placementsB = placements(pairs, "b_score", m);
        try {
            // doubled placements: a positive's = 2 * negatives below + negatives tied; a negative's = 2 * positives
            // above + positives tied
            Dataset<Row> placed = pairs
                    .join(placementsA.withColumnRenamed("score", "a_score")
                            .withColumnRenamed("positive_placement", "a_positive_placement")
                            .withColumnRenamed("negative_placement", "a_negative_placement"), "a_score")
                    .join(placementsB.withColumnRenamed("score", "b_score")
                            .withColumnRenamed("positive_placement", "b_positive_placement")
                            .withColumnRenamed("negative_placement", "b_negative_placement"), "b_score");
            Column x = when(col("positive"), col("a_positive_placement").divide(2.0 * n))
                    .otherwise(col("a_negative_placement").divide(2.0 * m));
            Column y = when(col("positive"), col("b_positive_placement").divide(2.0 * n))
                    .otherwise(col("b_negative_placement").divide(2.0 * m));
            PairedTests.PlacementSums positives = null;
            PairedTests.PlacementSums negatives = null;
            for (Row row : placed.select(col("positive"), x.as("x"), y.as("y")).groupBy("positive")
                    .agg(count(lit(1)), sum("x"), sum("y"), sum(col("x").multiply(col("x"))),
                            sum(col("y").multiply(col("y"))), sum(col("x").multiply(col("y"))))
                    .collectAsList()) {
                PairedTests.PlacementSums sums = new PairedTests.PlacementSums(row.getLong(1), row.getDouble(2),
                        row.getDouble(3), row.getDouble(4), row.getDouble(5), row.getDouble(6));
                if (row.getBoolean(0)) {
                    positives = sums;
                } else {
                    negatives = sums;
                }
            }
            return PairedTests.delong(positives, negatives);
        } finally {
            placementsA.unpersist();
            placementsB.unpersist();
        }
    }

    /**
     * Each distinct score's doubled placements: positives there outscore {@code 2 * negatives below + negatives
     * tied} halves of the negatives; negatives there are outscored by {@code 2 * positives above + positives tied}.
     */
    private static Dataset<Row> placements(Dataset<Row> pairs, String scoreColumn, long positives) {
        Dataset<Row> histogram = pairs.groupBy(col(scoreColumn).as("score"))
                .agg(sum(when(col("positive"), 1L).otherwise(0L)).as("positives"),
                        sum(when(col("positive"), 0L).otherwise(1L)).as("negatives"))
                .repartitionByRange(col("score")).sortWithinPartitions("score")
                .persist(StorageLevel.MEMORY_AND_DISK());
        StructType totalsSchema = new StructType().add("partition", DataTypes.IntegerType)
                .add("positives", DataTypes.LongType).add("negatives", DataTypes.LongType);
        List<Row> totals = histogram.mapPartitions((MapPartitionsFunction<Row, Row>) rows -> {
            long p = 0;
            long q = 0;
            while (rows.hasNext()) {
                Row row = rows.next();
                p += row.getLong(1);
                q += row.getLong(2);
            }
            return List.of(RowFactory.create(TaskContext.getPartitionId(), p, q)).iterator();
        }, Encoders.row(totalsSchema)).collectAsList();
        int partitions = totals.size(); // one row from each partition, empty ones too
        long[] positivesBefore = new long[partitions + 1];
        long[] negativesBefore = new long[partitions + 1];
        long[] positivesIn = new long[partitions];
        long[] negativesIn = new long[partitions];
        for (Row total : totals) {
            positivesIn[total.getInt(0)] = total.getLong(1);
            negativesIn[total.getInt(0)] = total.getLong(2);
        }
        for (int i = 0; i < partitions; i++) {
            positivesBefore[i + 1] = positivesBefore[i] + positivesIn[i];
            negativesBefore[i + 1] = negativesBefore[i] + negativesIn[i];
        }
        StructType schema = new StructType().add("score", DataTypes.DoubleType)
                .add("positive_placement", DataTypes.LongType).add("negative_placement", DataTypes.LongType);
        Dataset<Row> placed = histogram.mapPartitions(new Placements(positivesBefore, negativesBefore, positives),
                Encoders.row(schema)).persist(StorageLevel.MEMORY_AND_DISK());
        placed.count();
        histogram.unpersist();
        return placed;
    }

    /** Walks one partition of the sorted histogram, starting from the counts of the partitions before it. */
    private static final class Placements implements MapPartitionsFunction<Row, Row> {
        private static final long serialVersionUID = 1L;
        private final long[] positivesBefore;
        private final long[] negativesBefore;
        private final long positives;

        Placements(long[] positivesBefore, long[] negativesBefore, long positives) {
            this.positivesBefore = positivesBefore;
            this.negativesBefore = negativesBefore;
            this.positives = positives;
        }

        @Override
        public Iterator<Row> call(Iterator<Row> rows) {
            int partition = TaskContext.getPartitionId();
            long[] below = {positivesBefore[partition], negativesBefore[partition]};
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return rows.hasNext();
                }

                @Override
                public Row next() {
                    Row row = rows.next();
                    long p = row.getLong(1);
                    long q = row.getLong(2);
                    long positivesAbove = positives - below[0] - p;
                    Row placed = RowFactory.create(row.getDouble(0), 2 * below[1] + q, 2 * positivesAbove + p);
                    below[0] += p;
                    below[1] += q;
                    return placed;
                }
            };
        }
    }
}
