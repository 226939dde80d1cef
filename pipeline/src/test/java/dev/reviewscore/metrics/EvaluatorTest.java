package dev.reviewscore.metrics;

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

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

class EvaluatorTest {
    private static final List<String> LABELS = List.of("NEGATIVE", "POSITIVE");
    private static final StructType INPUT = new StructType()
            .add("label_index", DataTypes.IntegerType)
            .add("predicted_index", DataTypes.IntegerType)
            .add("p_positive", DataTypes.DoubleType)
            .add("source", DataTypes.StringType);

    private final SparkSession spark = TestSpark.session();

    @ParameterizedTest
    @ValueSource(strings = {"heavy_ties", "rare_positives", "extreme_probabilities"})
    void matchesScikitLearn(String name) throws IOException {
        JsonNode expected = reference().get(name);
        SliceEvaluation all = Evaluator.evaluate(scored(fixture(name)), "m", "v1", LABELS, 1, Map.of()).overall();
        assertEquals(expected.get("rows").asLong(), all.rows());
        assertEquals(expected.get("rows").asLong(), all.labeled());
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
        SliceEvaluation all = Evaluator.evaluate(scored(modelCardRows()), "m", "v1", LABELS, 1, Map.of())
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
        Evaluation evaluation = Evaluator.evaluate(scored(rows), "m", "v1", LABELS, 1, Map.of("source", "source"));
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
            SliceEvaluation alone = Evaluator.evaluate(scored(own), "m", "v1", LABELS, 1, Map.of()).overall();
            assertEquals(alone.rows(), slice.rows(), slice.sliceValue());
            assertEquals(alone.unlabeled(), slice.unlabeled(), slice.sliceValue());
            assertEquals(alone.confusion(), slice.confusion(), slice.sliceValue());
            assertEquals(alone.accuracy(), slice.accuracy(), slice.sliceValue());
            assertEquals(alone.auc(), slice.auc(), 1e-12, slice.sliceValue());
            assertEquals(alone.logLoss(), slice.logLoss(), 1e-12, slice.sliceValue());
        }
        assertNotEquals(evaluation.slices().get(1).confusion(), evaluation.slices().get(2).confusion(),
                "the slices hold different rows");
    }

    @Test
    void undefinedValuesAreNullWithAReason() {
        List<Row> onlyPositives = List.of(RowFactory.create(1, 1, 0.8, "a"), RowFactory.create(1, 1, 0.9, "a"));
        SliceEvaluation all = Evaluator.evaluate(scored(onlyPositives), "m", "v1", LABELS, 1, Map.of()).overall();
        assertNull(all.auc());
        assertEquals("only one class among the labeled reviews: AUC is undefined", all.aucNote());
        SliceEvaluation.MetricValue precisionNegative = all.values().stream()
                .filter(v -> v.metric().equals("precision") && "NEGATIVE".equals(v.classLabel())).findFirst()
                .orElseThrow();
        assertEquals(0.0, precisionNegative.value());
        assertEquals("label never predicted: precision is 0 by convention (scikit-learn zero_division=0)",
                precisionNegative.note());

        List<Row> unlabeled = List.of(RowFactory.create(null, 1, 0.8, "a"));
        SliceEvaluation none = Evaluator.evaluate(scored(unlabeled), "m", "v1", LABELS, 1, Map.of()).overall();
        assertNull(none.accuracy());
        assertNull(none.logLoss());
        assertEquals(1, none.unlabeled());
    }

    /** A score table in the scored table's shape: label, label_index, predicted_index, probabilities. */
    private Dataset<Row> scored(List<Row> rows) {
        Dataset<Row> input = spark.createDataFrame(rows, INPUT).repartition(4);
        return input.select(
                col("label_index"),
                col("predicted_index"),
                when(col("label_index").isNotNull(),
                        element_at(array(lit("NEGATIVE"), lit("POSITIVE")), col("label_index").plus(1)))
                        .as("label"),
                map(lit("NEGATIVE"), lit(1.0).minus(col("p_positive")), lit("POSITIVE"), col("p_positive"))
                        .as("probabilities"),
                col("source"));
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
            rows.add(RowFactory.create(Integer.parseInt(fields[0]), Integer.parseInt(fields[1]),
                    Double.parseDouble(fields[2]), "all"));
        }
        return rows;
    }

    private static JsonNode reference() throws IOException {
        return new ObjectMapper().readTree(resource("reference.json"));
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = EvaluatorTest.class.getResourceAsStream("/metrics/" + name)) {
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
