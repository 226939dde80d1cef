package dev.reviewscore.api;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.reviewscore.InvalidInputException;
import dev.reviewscore.cli.Main;
import dev.reviewscore.metrics.Evaluation;
import dev.reviewscore.evaluation.ReviewEvaluator;
import dev.reviewscore.evaluation.SentimentEvaluator;
import dev.reviewscore.metrics.Metric;
import dev.reviewscore.metrics.SliceEvaluation;
import dev.reviewscore.scoring.ReviewSentiment;
import dev.reviewscore.testing.TestPaths;
import dev.reviewscore.testing.TestSpark;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.functions;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark ML API as a user's own Spark job calls it: only public classes, a DataFrame the user read, the stage and
 * the evaluators. The region between the {@code docs/models.md} markers is docs/models.md's "Use it from your own Spark code"
 * example, word for word.
 */
class SparkMlApiTest {
    private static final String MODEL = TestPaths.defaultModel().toString();
    private static final SparkSession spark = TestSpark.session();

    @TempDir
    static Path dir;

    private static Dataset<Row> reviews;
    private static Dataset<Row> scored;
    private static Evaluation evaluation;

    @BeforeAll
    static void scoreTheSampleThroughTheApi() {
        reviews = spark.read().option("header", "true").option("multiLine", "true").option("escape", "\"")
                .csv(TestPaths.sampleReviews().toString());
        String modelFolder = MODEL;
        // docs/models.md begin
        ReviewSentiment sentiment = new ReviewSentiment()
                .setModelLocation(modelFolder)      // a local path or a URI: s3://..., abfss://..., /Volumes/...
                .setTextCol("review")
                .setBatchSize(8);
        Dataset<Row> predictions = sentiment.transform(reviews);   // + predicted_label, probabilities,
                                                                   //   model_version, reject_reason
        Evaluation metrics = ReviewEvaluator.forLabels(sentiment.labels())
                .withLabelCol("label")
                .withProbabilitiesCol("probabilities")
                .withPredictionCol("predicted_label")
                .withSlice("movie", "movie")
                .evaluate(predictions);
        System.out.println("accuracy " + metrics.overall().accuracy() + ", AUC " + metrics.overall().auc());
        // docs/models.md end
        scored = predictions.cache();
        evaluation = metrics;
    }

    @Test
    void transformKeepsEveryRowAndColumnAndAddsTheModelsOutputs() {
        List<String> expected = new ArrayList<>(List.of(reviews.columns()));
        expected.addAll(List.of("predicted_label", "probabilities", "model_version", "reject_reason"));
        assertEquals(expected, List.of(scored.columns()));
        assertEquals(reviews.count(), scored.count());
        assertEquals(reviews.select("review_id").distinct().count(), scored.select("review_id").distinct().count());
        String version = new ReviewSentiment().setModelLocation(MODEL).modelVersion();
        for (Row row : scored.collectAsList()) {
            Map<String, Double> probabilities = row.getJavaMap(row.fieldIndex("probabilities"));
            assertEquals(1.0, probabilities.values().stream().mapToDouble(Double::doubleValue).sum(), 1e-6);
            String predicted = row.getString(row.fieldIndex("predicted_label"));
            double best = probabilities.values().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
            assertEquals(best, probabilities.get(predicted), 1e-12, "the predicted label is the most probable");
            assertEquals(version, row.getString(row.fieldIndex("model_version")));
            assertTrue(row.isNullAt(row.fieldIndex("reject_reason")));
        }
    }

    @Test
    void theCommandLineScoresAndEvaluatesExactlyAsTheApi() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = Main.execute(new String[] {"run", "--config",
            TestPaths.project().resolve("conf/local.conf").toString(),
            "--conf", "source.path=" + TestPaths.sampleReviews(),
            "--conf", "model.location=" + MODEL,
            "--conf", "output.scored.path=" + dir.resolve("job/scored"),
            "--conf", "output.rejects.path=" + dir.resolve("job/rejects"),
            "--conf", "output.metrics.path=" + dir.resolve("job/metrics"),
            "--conf", "output.reports=" + dir.resolve("job/reports")},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(out, true,
                        StandardCharsets.UTF_8));
        assertEquals(0, code, out.toString(StandardCharsets.UTF_8));

        Map<String, Double> job = new HashMap<>();
        for (Row row : spark.read().format("delta").load(dir.resolve("job/scored").toString())
                .select("review_id", "positive_probability").collectAsList()) {
            job.put(row.getString(0), row.getDouble(1));
        }
        List<Row> api = scored.select(col("review_id"), element_at(col("probabilities"), lit("POSITIVE")))
                .collectAsList();
        assertEquals(job.size(), api.size());
        // the model computes in float32, and a review batched with other neighbours (other padding lengths) may take
        // other kernel paths on some CPUs: the same review's probability can differ in its last float32 bits
        for (Row row : api) {
            assertEquals(job.get(row.getString(0)), row.getDouble(1), 1e-6, row.getString(0));
        }

        Map<String, Double> jobMetrics = new HashMap<>();
        for (Row row : spark.read().format("delta").load(dir.resolve("job/metrics").toString())
                .where("class_label IS NULL AND value IS NOT NULL").collectAsList()) {
            jobMetrics.put(row.getAs("slice_name") + "/" + row.getAs("slice_value") + "/" + row.getAs("metric"),
                    row.getAs("value"));
        }
        int compared = 0;
        for (SliceEvaluation slice : evaluation.slices()) {
            for (SliceEvaluation.MetricValue value : slice.values()) {
                if (value.classLabel() == null && value.value() != null) {
                    // log loss and AUC follow the probabilities (equal to float32 rounding, above); counts are exact
                    boolean fromProbabilities = value.metric() == Metric.LOG_LOSS || value.metric() == Metric.AUC;
                    String key = slice.sliceName() + "/" + slice.sliceValue() + "/" + value.metric().metricName();
                    assertEquals(jobMetrics.get(key), value.value(), fromProbabilities ? 1e-6 : 0.0, key);
                    compared++;
                }
            }
        }
        assertTrue(compared >= 6 * evaluation.slices().size(), "compared " + compared);
        assertTrue(evaluation.slices().size() > 2, "the movie slices are there");
    }

    @Test
    void emptyAndNullTextsComeOutUnscoredWithTheirReason() {
        StructType schema = new StructType().add("id", DataTypes.IntegerType).add("text", DataTypes.StringType);
        Dataset<Row> rows = spark.createDataFrame(List.of(RowFactory.create(1, "A warm and funny film."),
                RowFactory.create(2, "   "), RowFactory.create(3, null)), schema);
        List<Row> out = new ReviewSentiment().setModelLocation(MODEL).setTextCol("text")
                .setPredictionCol("sentiment").transform(rows).orderBy("id").collectAsList();
        assertEquals(3, out.size());
        assertNotNull(out.get(0).getAs("sentiment"));
        assertNotNull(out.get(0).getAs("probabilities"));
        assertNull(out.get(0).getAs("reject_reason"));
        assertNull(out.get(1).getAs("sentiment"));
        assertNull(out.get(1).getAs("probabilities"));
        assertEquals("empty_text", out.get(1).getAs("reject_reason"));
        assertNull(out.get(2).getAs("sentiment"));
        assertNull(out.get(2).getAs("probabilities"));
        assertEquals("null_text", out.get(2).getAs("reject_reason"));
    }

    @Test
    void settingsThatCannotWorkFailBeforeAnySparkJobWithTheirName() throws Exception {
        StructType schema = new StructType().add("text", DataTypes.StringType);
        Dataset<Row> rows = spark.createDataFrame(List.of(RowFactory.create("fine")), schema);
        List<String> groups = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        java.util.concurrent.CountDownLatch marked = new java.util.concurrent.CountDownLatch(1);
        SparkListener jobs = new SparkListener() {
            @Override
            public void onJobStart(SparkListenerJobStart start) {
                groups.add(String.valueOf(start.properties().getProperty("spark.jobGroup.id")));
            }

            @Override
            public void onJobEnd(SparkListenerJobEnd end) {
                if (groups.contains("marker")) {
                    marked.countDown();
                }
            }
        };
        spark.sparkContext().addSparkListener(jobs);
        try {
            spark.sparkContext().setJobGroup("settings", "settings that cannot work", false);
            assertTrue(assertThrows(InvalidInputException.class,
                    () -> new ReviewSentiment().setModelLocation(MODEL).transform(rows)).getMessage()
                    .contains("no column \"review\" (textCol)"));
            assertTrue(assertThrows(InvalidInputException.class,
                    () -> new ReviewSentiment().setTextCol("text").transform(rows)).getMessage()
                    .contains("setModelLocation"));
            assertTrue(assertThrows(InvalidInputException.class,
                    () -> new ReviewSentiment().setModelLocation(MODEL).setTextCol("text").setLongText("middle")
                            .transform(rows)).getMessage().contains("head, head-tail, windows"));
            // a job of its own group after them: the listener hears of it after any job the checks started
            spark.sparkContext().setJobGroup("marker", "marks the end of the checks", false);
            spark.range(1).count();
            assertTrue(marked.await(60, java.util.concurrent.TimeUnit.SECONDS));
            assertFalse(groups.contains("settings"), "Spark jobs started by the checks: " + groups);
        } finally {
            spark.sparkContext().clearJobGroup();
            spark.sparkContext().removeSparkListener(jobs);
        }
    }

    @Test
    void aPipelineWithTheStageIsSavedLoadedAndScoresTheSame() throws Exception {
        ReviewSentiment stage = new ReviewSentiment().setModelLocation(MODEL).setTextCol("review")
                .setLongText("windows").setBatchSize(4);
        PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {stage}).fit(reviews);
        String path = dir.resolve("pipeline").toString();
        fitted.write().overwrite().save(path);
        PipelineModel loaded = PipelineModel.load(path);
        ReviewSentiment reloaded = (ReviewSentiment) loaded.stages()[0];
        assertEquals("windows", reloaded.getLongText());
        assertEquals(4, reloaded.getBatchSize());
        assertEquals(MODEL, reloaded.getModelLocation());
        assertEquals(stage.uid(), reloaded.uid());
        Dataset<Row> sample = reviews.limit(24);
        assertEquals(fitted.transform(sample).select("review_id", "probabilities").collectAsList(),
                loaded.transform(sample).select("review_id", "probabilities").collectAsList());

        stage.write().overwrite().save(dir.resolve("stage").toString());
        assertEquals(stage.extractParamMap().toString(),
                ReviewSentiment.load(dir.resolve("stage").toString()).extractParamMap().toString());
    }

    @Test
    void theSparkMlEvaluatorGivesTheHeadlineMetricsForMapsVectorsAndIndexLabels() throws Exception {
        SliceEvaluation all = evaluation.overall();
        SentimentEvaluator evaluator = new SentimentEvaluator().setPredictionCol("predicted_label");
        assertEquals(all.accuracy(), evaluator.evaluate(scored), 0.0);
        assertEquals(all.auc(), evaluator.setMetricName("auc").evaluate(scored), 0.0);
        assertEquals(all.logLoss(), evaluator.setMetricName("log_loss").evaluate(scored), 1e-12);
        assertFalse(evaluator.isLargerBetter());

        // a Spark ML classifier's shape: a numeric label index and a probability vector in label order
        Dataset<Row> mlShaped = scored.select(
                when(col("label").equalTo("positive"), 1.0).when(col("label").equalTo("negative"), 0.0)
                        .as("label_index"),
                functions.array_to_vector(array(element_at(col("probabilities"), lit("NEGATIVE")),
                        element_at(col("probabilities"), lit("POSITIVE")))).as("probability"));
        SentimentEvaluator vectors = new SentimentEvaluator().setLabelCol("label_index")
                .setProbabilitiesCol("probability").setLabels("negative", "positive");
        assertEquals(all.accuracy(), vectors.evaluate(mlShaped), 0.0);
        assertEquals(all.auc(), vectors.setMetricName("auc").evaluate(mlShaped), 0.0);
        assertEquals(all.values().stream().filter(v -> v.metric() == Metric.MACRO_F1).findFirst().orElseThrow()
                .value(), vectors.setMetricName("macro_f1").evaluate(mlShaped), 0.0);

        vectors.write().overwrite().save(dir.resolve("evaluator").toString());
        SentimentEvaluator loaded = SentimentEvaluator.load(dir.resolve("evaluator").toString());
        assertEquals("macro_f1", loaded.getMetricName());
        assertEquals(List.of("negative", "positive"), List.of(loaded.getLabels()));

        assertTrue(assertThrows(InvalidInputException.class, () -> ReviewEvaluator.forLabels(List.of("neg", "pos"))
                .withPredictionCol("predicted_label").evaluate(scored)).getMessage()
                .contains("is not one of the labels [neg, pos]"));
    }

    @Test
    void theDocsShowTheCodeThisTestRuns() throws Exception {
        String source = Files.readString(TestPaths.project()
                .resolve("pipeline/src/test/java/dev/reviewscore/api/SparkMlApiTest.java"));
        Matcher region = Pattern.compile("// docs/models.md begin\\n(.*?)\\n\\s*// docs/models.md end", Pattern.DOTALL)
                .matcher(source);
        assertTrue(region.find());
        String code = region.group(1).stripIndent();
        String docs = Files.readString(TestPaths.project().resolve("docs/models.md"));
        assertTrue(docs.contains(code), "docs/models.md's \"Use it from your own Spark code\" must show:\n" + code);
    }
}
