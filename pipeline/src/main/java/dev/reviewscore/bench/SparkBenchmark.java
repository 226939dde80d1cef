package dev.reviewscore.bench;

import static org.apache.spark.sql.functions.col;

import dev.reviewscore.RunInfo;
import dev.reviewscore.config.JobConfig;
import dev.reviewscore.config.JobConfigLoader;
import dev.reviewscore.inference.ExecutorModels;
import dev.reviewscore.inference.ModelBundle;
import dev.reviewscore.inference.SentimentModel;
import dev.reviewscore.inference.SentimentPredictor;
import dev.reviewscore.inference.TaskDevice;
import dev.reviewscore.scoring.ReviewSentiment;
import dev.reviewscore.scoring.ScoringJob;
import dev.reviewscore.scoring.ScoringResult;
import dev.reviewscore.source.ReviewColumns;
import dev.reviewscore.source.ReviewSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** The Spark side: the pipeline end to end, scoring alone into a no-op sink, and model loading in a task. */
final class SparkBenchmark {
    private final SparkSession spark;
    private final Path work;

    SparkBenchmark(SparkSession spark, Path work) {
        this.spark = spark;
        this.work = work;
    }

    /** Writes labeled reviews as a Delta source table of {@code files} files; returns its folder. */
    Path writeSource(String name, LabeledReviews reviews, int files) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < reviews.size(); i++) {
            rows.add(RowFactory.create(reviews.ids().get(i), reviews.texts().get(i), reviews.labels()[i]));
        }
        StructType schema = new StructType().add("id", DataTypes.StringType).add("text", DataTypes.StringType)
                .add("label", DataTypes.IntegerType);
        Path folder = work.resolve(name);
        spark.createDataFrame(rows, schema).repartition(files).write().format("delta").mode("overwrite")
                .save(folder.toString());
        return folder;
    }

    JobConfig config(Path source, ModelBundle bundle, String run, int batchSize, int threads) {
        return config(source, bundle, run, batchSize, threads, 2);
    }

    JobConfig config(Path source, ModelBundle bundle, String run, int batchSize, int threads, int partitionsPerCore) {
        return config(source, bundle, run, batchSize, threads, partitionsPerCore, true);
    }

    JobConfig config(Path source, ModelBundle bundle, String run, int batchSize, int threads, int partitionsPerCore,
                     boolean keepText) {
        return config(source, bundle, run, batchSize, threads, partitionsPerCore, keepText, "");
    }

    /** @param more HOCON settings added to (and overriding) the job's */
    JobConfig config(Path source, ModelBundle bundle, String run, int batchSize, int threads, int partitionsPerCore,
                     boolean keepText, String more) {
        return new JobConfigLoader(work).loadText("""
                source { path = "%s", columns.label = label, labels.kind = binary }
                model { location = "%s", batch-size = %d, threads = %d }
                scoring { progress-seconds = 0, partitions-per-core = %d }
                output {
                  scored.path = "%s", rejects.path = "%s", metrics.path = "%s", reports = "%s", keep-text = %b
                }
                """.formatted(source, bundle.location(), batchSize, threads, partitionsPerCore,
                work.resolve(run + "-scored"),
                work.resolve(run + "-rejects"), work.resolve(run + "-metrics"), work.resolve(run + "-reports"),
                keepText) + more).config();
    }

    /** The whole scoring job (read, check, score, MERGE into a new Delta table, rejects), timed. */
    ScoringResult endToEnd(JobConfig config, ModelBundle bundle) {
        return new ScoringJob(spark, config, bundle, RunInfo.start()).execute();
    }

    /** A scoring run's steps and their seconds, for example {@code read 1.2, score 9.2, merge 1.7}. */
    static String steps(ScoringResult result) {
        StringBuilder steps = new StringBuilder();
        result.stagesByKey().forEach((stage, time) -> steps.append(steps.length() == 0 ? "" : ", ").append(stage)
                .append(' ').append(String.format(Locale.ROOT, "%.1f", time.toMillis() / 1000.0)));
        return steps.toString();
    }

    /** Reviews per second of reading, checking and scoring, into Spark's no-op sink. */
    double scoreOnly(JobConfig config, ModelBundle bundle) {
        Dataset<Row> source = ReviewSource.read(spark, config.source());
        Dataset<Row> raw = ScoringJob.spreadOverCores(source, ScoringJob.Extent.of(source).partitions(),
                config.scoring().partitionsPerCore(), config.source().columns().id());
        Dataset<Row> normalized = ReviewSource.normalize(raw, config.source(), bundle.labels(),
                bundle.positiveIndex(null)).where(col(ReviewColumns.REJECT_REASON).isNull());
        long rows = normalized.count();
        long start = System.nanoTime();
        ReviewSentiment.of(bundle, config.model()).setTextCol(ReviewColumns.TEXT).setRejectReasonCol("score_reject")
                .transform(normalized).write().format("noop").mode("overwrite").save();
        return rows / ((System.nanoTime() - start) / 1e9);
    }

    /** In a task on a warm executor: milliseconds to get the shared model, a predictor and a first prediction. */
    double warmFirstPredictionMillis(ModelBundle bundle, JobConfig config, String text) {
        MapPartitionsFunction<Long, Double> firstPrediction = rows -> {
            long start = System.nanoTime();
            SentimentModel model = ExecutorModels.get(bundle, bundle.tokenTypes(),
                    TaskDevice.forCurrentTask(config.model().device()), config.model().threads(), null);
            try (SentimentPredictor predictor = model.newPredictor(config.model())) {
                predictor.predict(List.of(text));
            }
            return List.of((System.nanoTime() - start) / 1e6).iterator();
        };
        return spark.range(0, 1, 1, 1).mapPartitions(firstPrediction, Encoders.DOUBLE()).first();
    }
}
