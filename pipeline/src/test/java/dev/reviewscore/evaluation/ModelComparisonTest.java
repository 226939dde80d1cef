package dev.reviewscore.evaluation;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reviewscore.config.EvaluatorSettings;
import dev.reviewscore.testing.PlainMetrics;
import dev.reviewscore.testing.TestSpark;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import dev.reviewscore.metrics.Comparison;

class ModelComparisonTest {
    private static final List<String> LABELS = List.of("NEGATIVE", "POSITIVE");
    private final SparkSession spark = TestSpark.session();

    @Test
    void matchesTheReferenceScriptsMcNemarAndPairedDeLong() throws IOException {
        JsonNode expected = new ObjectMapper().readTree(resource("reference-paired.json"));
        Dataset<Row> fixture = fixture().repartition(5);
        Comparison comparison = ModelComparison.compare(version(fixture, "champion"), version(fixture, "challenger"),
                "v1", "v2", LABELS, 1, new EvaluatorSettings(0.95, 0, 0.9, 5));
        assertEquals(expected.get("paired").asLong(), comparison.paired());
        assertEquals(expected.get("labeled").asLong(), comparison.labeled());
        assertEquals(expected.get("champion_right").asLong(), comparison.championRight());
        assertEquals(expected.get("challenger_right").asLong(), comparison.challengerRight());
        assertEquals(expected.get("champion_only_right").asLong(), comparison.championOnlyRight());
        assertEquals(expected.get("challenger_only_right").asLong(), comparison.challengerOnlyRight());
        assertEquals(expected.get("mcnemar_p").asDouble(), comparison.accuracyPValue(), 1e-12);
        assertEquals(expected.get("disagreements").asLong(), comparison.disagreements());
        assertEquals(expected.get("champion_auc").asDouble(), comparison.auc().championAuc(), 1e-12);
        assertEquals(expected.get("challenger_auc").asDouble(), comparison.auc().challengerAuc(), 1e-12);
        assertEquals(expected.get("auc_difference_variance").asDouble(), comparison.auc().variance(), 1e-15);
        assertEquals(expected.get("auc_p").asDouble(), comparison.auc().pValue(), 1e-9);

        List<Comparison.Disagreement> examples = comparison.examples();
        assertEquals(5, examples.size());
        for (int i = 0; i < examples.size(); i++) {
            Comparison.Disagreement d = examples.get(i);
            assertTrue(!d.championPredicted().equals(d.challengerPredicted()), d.toString());
            double gap = Math.abs(d.championProbability() - d.challengerProbability());
            if (i > 0) {
                Comparison.Disagreement before = examples.get(i - 1);
                assertTrue(Math.abs(before.championProbability() - before.challengerProbability()) >= gap - 1e-12);
            }
            assertEquals("text of " + d.reviewId(), d.text());
        }
    }

    @Test
    void onlyReviewsBothVersionsScoredArePaired() {
        Dataset<Row> fixture = fixture();
        Dataset<Row> champion = version(fixture, "champion").where(col("review_id").lt("p1000"));
        Comparison comparison = ModelComparison.compare(champion, version(fixture, "challenger"), "v1", "v2", LABELS,
                1, new EvaluatorSettings(0.95, 0, 0.9, 5));
        List<Row> paired = fixture.where(col("review_id").lt("p1000")).collectAsList();
        assertEquals(paired.size(), comparison.paired());
        assertEquals(paired.size(), comparison.labeled(), "every paired review of the fixture is labeled");
        long championRight = paired.stream().filter(r -> r.getInt(1) == r.getInt(2)).count();
        long challengerRight = paired.stream().filter(r -> r.getInt(1) == r.getInt(4)).count();
        assertEquals(championRight, comparison.championRight());
        assertEquals(challengerRight, comparison.challengerRight(), "counted on the paired reviews only, not on "
                + "all of the challenger's");
        List<PlainMetrics.Review> championReviews = new ArrayList<>();
        List<PlainMetrics.Review> challengerReviews = new ArrayList<>();
        for (Row row : paired) {
            championReviews.add(new PlainMetrics.Review(row.getInt(1), row.getInt(2), 1 - row.getDouble(3),
                    row.getDouble(3)));
            challengerReviews.add(new PlainMetrics.Review(row.getInt(1), row.getInt(4), 1 - row.getDouble(5),
                    row.getDouble(5)));
        }
        assertEquals(PlainMetrics.of(championReviews).auc(), comparison.auc().championAuc(), 1e-12);
        assertEquals(PlainMetrics.of(challengerReviews).auc(), comparison.auc().challengerAuc(), 1e-12,
                "the challenger's AUC on the paired reviews, not on all it scored");
        assertEquals(5, comparison.examples().size());
        assertTrue(comparison.examples().stream().allMatch(example -> example.reviewId().compareTo("p1000") < 0
                && !example.championPredicted().equals(example.challengerPredicted())), comparison.examples()
                .toString());
    }

    /** One version's rows of the fixture in the scored table's shape. */
    private static Dataset<Row> version(Dataset<Row> fixture, String prefix) {
        return fixture.select(col("review_id"), col("label").as("label_index"),
                col(prefix + "_predicted").as("predicted_index"),
                map(lit("NEGATIVE"), lit(1.0).minus(col(prefix + "_score")), lit("POSITIVE"), col(prefix + "_score"))
                        .as("probabilities"),
                concat(lit("text of "), col("review_id")).as("text"));
    }

    private Dataset<Row> fixture() {
        StructType schema = new StructType().add("review_id", DataTypes.StringType)
                .add("label", DataTypes.IntegerType)
                .add("champion_predicted", DataTypes.IntegerType).add("champion_score", DataTypes.DoubleType)
                .add("challenger_predicted", DataTypes.IntegerType).add("challenger_score", DataTypes.DoubleType);
        List<Row> rows = new ArrayList<>();
        try {
            for (String line : resource("paired.csv").split("\n")) {
                if (line.isBlank() || line.startsWith("review_id")) {
                    continue;
                }
                String[] f = line.split(",");
                rows.add(RowFactory.create(f[0], Integer.parseInt(f[1]), Integer.parseInt(f[2]),
                        Double.parseDouble(f[3]), Integer.parseInt(f[4]), Double.parseDouble(f[5])));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return spark.createDataFrame(rows, schema);
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = ModelComparisonTest.class.getResourceAsStream("/metrics/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
