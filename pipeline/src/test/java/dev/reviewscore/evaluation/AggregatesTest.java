package dev.reviewscore.evaluation;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map;
import static org.apache.spark.sql.functions.when;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reviewscore.config.EvaluatorSettings;
import dev.reviewscore.testing.TestSpark;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import dev.reviewscore.metrics.ClassificationMetrics;
import dev.reviewscore.metrics.ConfusionMatrix;
import dev.reviewscore.metrics.ErrorExample;
import dev.reviewscore.metrics.Evaluation;
import dev.reviewscore.metrics.Interval;
import dev.reviewscore.metrics.Metric;
import dev.reviewscore.metrics.SliceEvaluation;
import dev.reviewscore.metrics.SliceIntervals;

class AggregatesTest {
    private static final List<String> LABELS = List.of("NEGATIVE", "POSITIVE");
    private static final StructType INPUT = new StructType()
            .add("label_index", DataTypes.IntegerType)
            .add("predicted_index", DataTypes.IntegerType)
            .add("p_positive", DataTypes.DoubleType)
            .add("source", DataTypes.StringType)
            .add("review_id", DataTypes.StringType);

    private final SparkSession spark = TestSpark.session();

    @ParameterizedTest
    @ValueSource(strings = {"heavy_ties", "rare_positives", "extreme_probabilities", "quarter_unlabeled"})
    void matchesScikitLearn(String name) throws IOException {
        assertMatchesScikitLearn(name, Aggregates.evaluate(scored(fixture(name)), "m", "v1", LABELS, 1, Map.of(),
                EvaluatorSettings.DEFAULT).overall());
    }

    /**
     * The evaluator users call reads a scored table as the job writes it: a label name, null for an unlabeled
     * review. Unlabeled reviews count among the rows and in nothing else: a loss that took them for the last label
     * read 1.06 on this fixture where scikit-learn reads 0.62.
     */
    @Test
    void unlabeledReviewsOfAScoredTableCountAsRowsAndInNoMetric() throws IOException {
        Dataset<Row> table = scored(fixture("quarter_unlabeled")).select(col("review_id"),
                when(col("label_index").equalTo(0), lit("NEGATIVE")).when(col("label_index").equalTo(1),
                        lit("POSITIVE")).as("label"),
                col("probabilities"), when(col("predicted_index").equalTo(1), lit("POSITIVE"))
                        .otherwise(lit("NEGATIVE")).as("predicted_label"));
        SliceEvaluation all = ReviewEvaluator.forLabels(LABELS).withPredictionCol("predicted_label")
                .withPositiveLabel("POSITIVE").evaluate(table).overall();
        assertMatchesScikitLearn("quarter_unlabeled", all);
    }

    private static void assertMatchesScikitLearn(String name, SliceEvaluation all) throws IOException {
        JsonNode expected = reference().get(name);
        assertEquals(expected.get("rows").asLong(), all.rows());
        assertEquals(expected.has("labeled") ? expected.get("labeled").asLong() : expected.get("rows").asLong(),
                all.labeled());
        assertEquals(expected.get("accuracy").asDouble(), all.accuracy(), 1e-12);
        assertEquals(expected.get("auc").asDouble(), all.auc(), 1e-9);
        assertEquals(expected.get("log_loss").asDouble(), all.logLoss(), 1e-9);
        assertArrayEquals(doubles(expected.get("precision")), ClassificationMetrics.precision(all.confusion()), 1e-12);
        assertArrayEquals(doubles(expected.get("recall")), ClassificationMetrics.recall(all.confusion()), 1e-12);
        assertArrayEquals(doubles(expected.get("f1")), ClassificationMetrics.f1(all.confusion()), 1e-12);
        assertEquals(expected.get("macro_f1").asDouble(), ClassificationMetrics.macroF1(all.confusion()), 1e-12);
        assertEquals(expected.get("weighted_f1").asDouble(), ClassificationMetrics.weightedF1(all.confusion()),
                1e-12);
        for (int actual = 0; actual < 2; actual++) {
            for (int predicted = 0; predicted < 2; predicted++) {
                assertEquals(expected.get("confusion").get(actual).get(predicted).asLong(),
                        all.confusion().count(actual, predicted));
            }
        }
    }

    @Test
    void evaluatesTheModelCardTable() {
        SliceEvaluation all = Aggregates.evaluate(scored(modelCardRows()), "m", "v1", LABELS, 1, Map.of(), EvaluatorSettings.DEFAULT)
                .overall();
        assertEquals(new ConfusionMatrix(LABELS, new long[][] {{88, 5}, {5, 102}}), all.confusion());
        assertEquals(0.95, all.accuracy());
        double[] card = {0.946236559139785, 0.9532710280373832};
        assertArrayEquals(card, ClassificationMetrics.f1(all.confusion()));
        assertArrayEquals(card, ClassificationMetrics.precision(all.confusion()));
        assertArrayEquals(card, ClassificationMetrics.recall(all.confusion()));
    }

    @Test
    void evaluatesSlicesSeparatelyAndCountsUnlabeledRows() {
        List<Row> rows = new ArrayList<>(modelCardRows());
        rows.add(RowFactory.create(null, 1, 0.9, "imdb"));
        rows.add(RowFactory.create(null, 0, 0.1, "imdb"));
        Evaluation evaluation = Aggregates.evaluate(scored(rows), "m", "v1", LABELS, 1, Map.of("source", "source"),
                EvaluatorSettings.DEFAULT);
        assertEquals(List.of("all/all", "source/imdb", "source/sst"), evaluation.slices().stream()
                .map(s -> s.sliceName() + "/" + s.sliceValue()).toList());
        SliceEvaluation all = evaluation.overall();
        assertEquals(202, all.rows());
        assertEquals(200, all.labeled());
        assertEquals(2, all.unlabeled());
        long sliceRows = evaluation.slices().get(1).rows() + evaluation.slices().get(2).rows();
        assertEquals(202, sliceRows);
        long sliceLabeled = evaluation.slices().get(1).labeled() + evaluation.slices().get(2).labeled();
        assertEquals(200, sliceLabeled);
        // each slice's metrics are those of an evaluation of its rows alone
        for (SliceEvaluation slice : evaluation.slices().subList(1, 3)) {
            List<Row> own = rows.stream().filter(row -> row.getString(3).equals(slice.sliceValue())).toList();
            SliceEvaluation alone = Aggregates.evaluate(scored(own), "m", "v1", LABELS, 1, Map.of(), EvaluatorSettings.DEFAULT).overall();
            assertEquals(alone.rows(), slice.rows(), slice.sliceValue());
            assertEquals(alone.unlabeled(), slice.unlabeled(), slice.sliceValue());
            assertEquals(alone.confusion(), slice.confusion(), slice.sliceValue());
            assertEquals(alone.accuracy(), slice.accuracy(), slice.sliceValue());
            assertEquals(alone.auc(), slice.auc(), 1e-12, slice.sliceValue());
            assertEquals(alone.logLoss(), slice.logLoss(), 1e-12, slice.sliceValue());
            assertSameIntervals(alone.intervals(), slice.intervals(), slice.sliceValue());
        }
        assertNotEquals(evaluation.slices().get(1).confusion(), evaluation.slices().get(2).confusion(),
                "the slices hold different rows");
    }

    @Test
    void undefinedValuesAreNullWithAReason() {
        List<Row> onlyPositives = List.of(RowFactory.create(1, 1, 0.8, "a"), RowFactory.create(1, 1, 0.9, "a"));
        SliceEvaluation all = Aggregates.evaluate(scored(onlyPositives), "m", "v1", LABELS, 1, Map.of(), EvaluatorSettings.DEFAULT).overall();
        assertNull(all.auc());
        assertEquals("only one class among the labeled reviews: AUC is undefined", all.aucNote());
        SliceEvaluation.MetricValue precisionNegative = all.values().stream()
                .filter(v -> v.metric() == Metric.PRECISION && "NEGATIVE".equals(v.classLabel())).findFirst()
                .orElseThrow();
        assertEquals(0.0, precisionNegative.value());
        assertEquals("label never predicted: precision is 0 by convention (scikit-learn zero_division=0)",
                precisionNegative.note());

        List<Row> unlabeled = List.of(RowFactory.create(null, 1, 0.8, "a"));
        SliceEvaluation none = Aggregates.evaluate(scored(unlabeled), "m", "v1", LABELS, 1, Map.of(), EvaluatorSettings.DEFAULT).overall();
        assertNull(none.accuracy());
        assertNull(none.logLoss());
        assertEquals(1, none.unlabeled());
    }

    @ParameterizedTest
    @ValueSource(strings = {"heavy_ties", "rare_positives", "extreme_probabilities"})
    void intervalsMatchTheReferenceScript(String name) throws IOException {
        JsonNode expected = resourceJson("reference-intervals.json").get(name);
        for (String level : List.of("0.95", "0.90")) {
            EvaluatorSettings settings = new EvaluatorSettings(Double.parseDouble(level), 0, 0.9, 0);
            SliceIntervals intervals = Aggregates.evaluate(scored(fixture(name)), "m", "v1", LABELS, 1, Map.of(),
                    settings).overall().intervals();
            JsonNode at = expected.get(level);
            assertInterval(at.get("accuracy"), intervals.of(Metric.ACCURACY), name + " accuracy " + level);
            assertInterval(at.get("auc"), intervals.of(Metric.AUC), name + " auc " + level);
            for (int k = 0; k < 2; k++) {
                assertInterval(at.get("precision").get(k), intervals.of(Metric.PRECISION, k), name + " precision");
                assertInterval(at.get("recall").get(k), intervals.of(Metric.RECALL, k), name + " recall");
            }
            assertEquals(Interval.Method.WILSON, intervals.of(Metric.ACCURACY).method());
            assertEquals(Interval.Method.DELONG_LOGIT, intervals.of(Metric.AUC).method());
            assertNull(intervals.of(Metric.LOG_LOSS), "no bootstrap with 0 replicates");
        }
    }

    @Test
    void bootstrapIntervalsRepeatInAnyPartitioningAndHoldTheirValues() {
        List<Row> rows = modelCardRows();
        SliceEvaluation four = Aggregates.evaluate(scored(rows), "m", "v1", LABELS, 1, Map.of(),
                EvaluatorSettings.DEFAULT).overall();
        SliceEvaluation one = Aggregates.evaluate(scored(rows).coalesce(1), "m", "v1", LABELS, 1, Map.of(),
                EvaluatorSettings.DEFAULT).overall();
        assertSameIntervals(four.intervals(), one.intervals(), "4 partitions against 1");
        for (Metric metric : List.of(Metric.LOG_LOSS, Metric.MACRO_F1, Metric.WEIGHTED_F1)) {
            Interval interval = four.intervals().of(metric);
            assertEquals(Interval.Method.POISSON_BOOTSTRAP, interval.method(), metric.metricName());
            assertTrue(interval.contains(metric.read(four)), metric.metricName() + " " + interval);
            assertTrue(interval.upper() - interval.lower() > 0.01, metric.metricName() + " " + interval);
        }
        double[] f1 = ClassificationMetrics.f1(four.confusion());
        for (int k = 0; k < 2; k++) {
            assertTrue(four.intervals().of(Metric.F1, k).contains(f1[k]), "F1 of label " + k);
        }
        // another seed stream (other review ids) moves the bootstrap bounds but not the Wilson ones
        SliceEvaluation renamed = Aggregates.evaluate(scored(rows).withColumn("review_id",
                        org.apache.spark.sql.functions.concat(col("review_id"), lit("x"))), "m", "v1", LABELS, 1,
                Map.of(), EvaluatorSettings.DEFAULT).overall();
        assertEquals(four.intervals().of(Metric.ACCURACY), renamed.intervals().of(Metric.ACCURACY));
        assertNotEquals(four.intervals().of(Metric.LOG_LOSS), renamed.intervals().of(Metric.LOG_LOSS));
    }

    /** Equal intervals, to rounding: sums taken in another order may differ in their last bits. */
    private static void assertSameIntervals(SliceIntervals expected, SliceIntervals actual, String what) {
        assertEquals(expected.headline().keySet(), actual.headline().keySet(), what);
        expected.headline().forEach((metric, interval) -> {
            assertEquals(interval.lower(), actual.of(metric).lower(), 1e-12, what + " " + metric);
            assertEquals(interval.upper(), actual.of(metric).upper(), 1e-12, what + " " + metric);
        });
        assertEquals(expected.perLabel().keySet(), actual.perLabel().keySet(), what);
        expected.perLabel().forEach((metric, intervals) -> {
            for (int k = 0; k < intervals.size(); k++) {
                assertEquals(intervals.get(k).lower(), actual.of(metric, k).lower(), 1e-12, what + " " + metric);
                assertEquals(intervals.get(k).upper(), actual.of(metric, k).upper(), 1e-12, what + " " + metric);
            }
        });
    }

    @Test
    void listsTheMostConfidentlyWrongReviewsOfEachClassAndThoseNearestTheThreshold() {
        Evaluation evaluation = Aggregates.evaluate(scored(modelCardRows()), "m", "v1", LABELS, 1,
                Map.of("source", "source"), new EvaluatorSettings(0.95, 0, 0.9, 3));
        List<ErrorExample> wrong = evaluation.examples().stream()
                .filter(e -> e.kind().equals(ErrorExample.CONFIDENTLY_WRONG)).toList();
        // five wrong per class, at probabilities 0.600 to 0.612 of the wrong label: the top three, highest first
        assertEquals(List.of("NEGATIVE", "NEGATIVE", "NEGATIVE", "POSITIVE", "POSITIVE", "POSITIVE"),
                wrong.stream().map(ErrorExample::label).toList());
        assertEquals(List.of(0.612, 0.609, 0.606, 0.612, 0.609, 0.606), wrong.stream()
                .map(e -> Math.round(e.confidence() * 1000) / 1000.0).toList());
        assertTrue(wrong.stream().allMatch(e -> !e.label().equals(e.predicted())));
        assertTrue(wrong.stream().allMatch(e -> e.slices().keySet().equals(java.util.Set.of("source"))));
        List<ErrorExample> near = evaluation.examples().stream()
                .filter(e -> e.kind().equals(ErrorExample.NEAR_THRESHOLD)).toList();
        assertEquals(3, near.size());
        // the nearest scores are 0.4 and 0.6 (four reviews): nothing lies closer to 0.5
        assertTrue(near.stream().allMatch(e -> Math.abs(Math.abs(e.score() - 0.5) - 0.1) < 1e-9), near.toString());
        assertEquals(0.5, evaluation.thresholds().atHalf().threshold());
        assertEquals(0.95, evaluation.thresholds().atHalf().accuracy(), 1e-12);
    }

    private static void assertInterval(JsonNode expected, Interval actual, String what) {
        assertEquals(expected.get(0).asDouble(), actual.lower(), 1e-9, what + " lower");
        assertEquals(expected.get(1).asDouble(), actual.upper(), 1e-9, what + " upper");
    }

    /**
     * A score table in the scored table's shape: review_id, label, label_index, predicted_index, probabilities. A
     * row's id is its values and its occurrence among equal rows, so a row keeps its id in any subset of its list.
     */
    private Dataset<Row> scored(List<Row> rows) {
        Map<String, Integer> seen = new java.util.HashMap<>();
        List<Row> withIds = new ArrayList<>();
        for (Row row : rows) {
            String content = row.mkString("/");
            int occurrence = seen.merge(content, 1, Integer::sum);
            withIds.add(RowFactory.create(row.get(0), row.get(1), row.get(2), row.get(3), content + "#" + occurrence));
        }
        Dataset<Row> input = spark.createDataFrame(withIds, INPUT).repartition(4);
        return input.select(
                col("label_index"),
                col("predicted_index"),
                when(col("label_index").isNotNull(),
                        element_at(array(lit("NEGATIVE"), lit("POSITIVE")), col("label_index").plus(1)))
                        .as("label"),
                map(lit("NEGATIVE"), lit(1.0).minus(col("p_positive")), lit("POSITIVE"), col("p_positive"))
                        .as("probabilities"),
                col("source"), col("review_id"));
    }

    /** 200 reviews whose confusion matrix is the model card's [[88, 5], [5, 102]]. */
    private static List<Row> modelCardRows() {
        List<Row> rows = new ArrayList<>();
        int[][] counts = {{88, 5}, {5, 102}};
        for (int actual = 0; actual < 2; actual++) {
            for (int predicted = 0; predicted < 2; predicted++) {
                for (int i = 0; i < counts[actual][predicted]; i++) {
                    double p = predicted == 1 ? 0.6 + i * 0.003 : 0.4 - i * 0.003;
                    rows.add(RowFactory.create(actual, predicted, p, i % 2 == 0 ? "imdb" : "sst"));
                }
            }
        }
        return rows;
    }

    private static List<Row> fixture(String name) throws IOException {
        List<Row> rows = new ArrayList<>();
        String text = resource(name + ".csv");
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("label")) {
                continue;
            }
            String[] fields = line.split(",");
            rows.add(RowFactory.create(fields[0].isEmpty() ? null : Integer.valueOf(fields[0]),
                    Integer.parseInt(fields[1]),
                    Double.parseDouble(fields[2]), "all"));
        }
        return rows;
    }

    private static JsonNode reference() throws IOException {
        return resourceJson("reference.json");
    }

    private static JsonNode resourceJson(String name) throws IOException {
        return new ObjectMapper().readTree(resource(name));
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = AggregatesTest.class.getResourceAsStream("/metrics/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static double[] doubles(JsonNode array) {
        double[] values = new double[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).asDouble();
        }
        return values;
    }
}
