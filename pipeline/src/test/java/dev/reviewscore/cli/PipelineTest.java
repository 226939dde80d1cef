package dev.reviewscore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.reviewscore.RunInfo;
import dev.reviewscore.config.JobConfig;
import dev.reviewscore.config.JobConfigLoader;
import dev.reviewscore.inference.ModelBundle;
import dev.reviewscore.metrics.Evaluation;
import dev.reviewscore.testing.TestPaths;
import dev.reviewscore.testing.TestSpark;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineTest {
    private final SparkSession spark = TestSpark.session();

    @TempDir
    Path dir;

    private Evaluation scoreAndEvaluate(String model, String... overrides) {
        StructType schema = new StructType().add("id", DataTypes.StringType).add("text", DataTypes.StringType)
                .add("label", DataTypes.StringType);
        List<Row> rows = Arrays.asList(RowFactory.create("1", "great great loved it", "great"),
                RowFactory.create("2", "awful boring bad", "terrible"),
                RowFactory.create("3", "the film was okay", "okay"),
                RowFactory.create("4", "a good film", "great"),
                RowFactory.create("5", "bad acting", "terrible"));
        spark.createDataFrame(rows, schema).write().format("delta").mode("overwrite")
                .save(dir.resolve("source").toString());
        JobConfig config = new JobConfigLoader(dir).loadText("""
                source { path = source, columns.label = label, labels.kind = names }
                model.location = "%s"
                output {
                  scored.path = scored, rejects.path = rejects, metrics.path = metrics, reports = reports
                }
                %s
                """.formatted(model, String.join("\n", overrides))).config();
        ModelBundle bundle = Pipeline.openAndProbe(config);
        Pipeline pipeline = new Pipeline(spark, config, bundle, RunInfo.start(),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        return pipeline.evaluate(pipeline.score());
    }

    @Test
    void aThreeLabelModelNeedsAConfiguredPositiveLabelForAuc() {
        Evaluation without = scoreAndEvaluate(TestPaths.fixtureModel("dict-three-labels").toString());
        assertEquals(List.of("terrible", "okay", "great"), without.labels());
        assertEquals(5, without.overall().labeled());
        assertNull(without.overall().auc());
        assertTrue(without.overall().aucNote().startsWith("no positive label: set model.positive-label"));

        Evaluation with = scoreAndEvaluate(TestPaths.fixtureModel("dict-three-labels").toString(),
                "model.positive-label = great");
        assertEquals("great", with.positiveLabel());
        assertEquals(1.0, with.overall().auc());
        assertEquals(3, with.overall().confusion().labels().size());
    }

    @Test
    void theMetricsTableHoldsOneSetOfRowsPerRun() {
        scoreAndEvaluate(TestPaths.fixtureModel("dict-three-labels").toString(), "model.positive-label = great");
        Dataset<Row> metrics = spark.read().format("delta").load(dir.resolve("metrics").toString());
        assertEquals(1, metrics.select("run_id").distinct().count());
        Row accuracy = metrics.where("metric = 'accuracy' AND slice_name = 'all'").first();
        assertTrue(accuracy.getDouble(accuracy.fieldIndex("value")) > 0.5);
        assertEquals(5.0, metrics.where("metric = 'input_rows'").first().getAs("value"));
        assertEquals(9, metrics.where("metric = 'confusion_count'").count());
        assertEquals(3, metrics.where("metric = 'precision'").count());
    }
}
