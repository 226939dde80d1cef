package dev.reviewscore.bench;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.xxhash64;

import dev.reviewscore.RunInfo;
import dev.reviewscore.config.JobConfig;
import dev.reviewscore.inference.ModelBundle;
import dev.reviewscore.evaluation.AggregatesTable;
import dev.reviewscore.metrics.Evaluation;
import dev.reviewscore.sink.MetricRows;
import dev.reviewscore.evaluation.ReviewEvaluator;
import dev.reviewscore.scoring.ScoringJob;
import dev.reviewscore.scoring.ScoringResult;
import dev.reviewscore.sink.DeltaTables;
import dev.reviewscore.sink.TableSchemas;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Section 8: what a nightly run costs against the first run, on a Delta source with its change data feed on. The
 * source holds the IMDB train texts repeated under new ids, each copy with a sentence of its own added (so that nearly
 * every review has a score of its own, as in a real table, and the evaluation's aggregates are as large as a real
 * table's), a movie and a review date; the evaluation has the sample's slices (movie, month, length). Each night
 * appends 1% new reviews and edits the text of 0.1%. Also times an empty run (nothing changed: the fixed cost) and, as
 * its floor, a minimal Spark and Delta job that creates a small table and reads it back.
 */
final class NightlyBenchmark {
    /** The sample's slices (conf/local.conf), over the source's pass-through columns and the token count. */
    private static final String SLICES = """
            source.columns.pass-through = [movie, review_date]
            evaluation.slices {
              movie = movie
              review_month = "date_format(review_date, 'yyyy-MM')"
              length = "CASE WHEN token_count < 100 THEN '1 short (<100 tokens)' WHEN token_count < 400 THEN '2 medium (100-399)' ELSE '3 long (400+)' END"
            }
            """;
    private static final int MOVIES = 40;

    private final SparkSession spark;
    private final SparkBenchmark sparkBench;
    private final Path work;
    private final BenchProgress progress;

    NightlyBenchmark(SparkSession spark, Path work, BenchProgress progress) {
        this.spark = spark;
        this.sparkBench = new SparkBenchmark(spark, work);
        this.work = work;
        this.progress = progress;
    }

    /**
     * @param bundle the model
     * @param texts the reviews repeated into the source
     * @param reviews reviews in the source before the first night
     * @param nights nightly runs after the first run
     */
    MarkdownTable run(ModelBundle bundle, LabeledReviews texts, long reviews, int nights, int batchSize,
                      int threads) {
        String name = bundle.name();
        progress.step("8. " + name + ": writing a Delta source of " + reviews + " reviews (change data feed on)");
        String source = createSource(texts, reviews);
        JobConfig job = sparkBench.config(work.resolve("nightly-source"), bundle, "nightly", batchSize, threads, 2,
                true, SLICES);

        progress.step("8. " + name + ": a minimal Spark and Delta job (create a table, read it back)");
        double floor = minimalJob();
        progress.step("8. " + name + ": first run over " + reviews + " reviews");
        Run first = timed(job, bundle);
        progress.step("8. " + name + ": empty run (nothing changed)");
        Run empty = timed(job, bundle);

        MarkdownTable table = new MarkdownTable("8. Nightly runs against the first run (" + name + ", a Delta source "
                + "of " + reviews + " IMDB reviews, each with a sentence of its own, with its change data feed on; "
                + "slices by movie, month and length; each night appends 1% new reviews and edits the text of 0.1%; "
                + "the scoring job end to end, wall clock)", "run", "source read",
                "input", "scored", "skipped", "seconds", "steps (s)", "run / first run",
                "(run - empty run) / first run", "target: seconds <= 0.05 x first + empty",
                "evaluation (s): from aggregates / from every row");
        table.add("first run", first.result().range().describe(), first.result().input(), first.result().scored(),
                first.result().skipped(), seconds(first.seconds()), first.steps(), "1", "", "", first.evaluations());
        table.add("empty run", empty.result().range().describe(), empty.result().input(), empty.result().scored(),
                empty.result().skipped(), seconds(empty.seconds()), empty.steps(),
                ratio(empty.seconds() / first.seconds()), "", "", empty.evaluations());
        long total = reviews;
        for (int night = 1; night <= nights; night++) {
            long added = Math.max(1, reviews / 100);
            long edited = Math.max(1, reviews / 1000);
            progress.step("8. " + name + ": night " + night + " of " + nights + ": appending " + added
                    + " reviews and editing " + edited);
            append(texts, total, added);
            spark.sql("UPDATE " + source + " SET text = concat(text, ' Seen again on night " + night + ".') "
                    + "WHERE pmod(xxhash64(id, " + night + "), " + (reviews / edited) + ") = 0");
            total += added;
            progress.step("8. " + name + ": night " + night + " of " + nights + ": nightly run");
            Run run = timed(job, bundle);
            double target = 0.05 * first.seconds() + empty.seconds();
            table.add("night " + night, run.result().range().describe(), run.result().input(),
                    run.result().scored(), run.result().skipped(), seconds(run.seconds()), run.steps(),
                    ratio(run.seconds() / first.seconds()),
                    ratio((run.seconds() - empty.seconds()) / first.seconds()),
                    String.format(Locale.ROOT, "%s <= %.1f: %s", seconds(run.seconds()), target,
                            run.seconds() <= target ? "met" : "not met"), run.evaluations());
        }
        table.add("minimal Spark + Delta job", "", "", "", "", seconds(floor), "create a 1,000-row table, read it",
                "", "", String.format(Locale.ROOT, "empty run / minimal job: %.1f", empty.seconds() / floor), "");
        return table;
    }

    private String createSource(LabeledReviews texts, long reviews) {
        String source = "delta.`" + work.resolve("nightly-source") + "`";
        spark.sql("CREATE TABLE " + source + " (id STRING, text STRING, label INT, movie STRING, review_date DATE) "
                + "USING delta TBLPROPERTIES (delta.enableChangeDataFeed = true)");
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            rows.add(RowFactory.create((long) i, texts.texts().get(i), texts.labels()[i]));
        }
        StructType schema = new StructType().add("k", DataTypes.LongType).add("text", DataTypes.StringType)
                .add("label", DataTypes.IntegerType);
        spark.createDataFrame(rows, schema).write().format("delta").save(work.resolve("nightly-texts").toString());
        append(texts, 0, reviews);
        return source;
    }

    /**
     * Appends reviews {@code first} to {@code first + count - 1}: each the text {@code id mod texts} with a sentence
     * naming the review, one of {@value #MOVIES} movies and a date in 2026.
     */
    private void append(LabeledReviews texts, long first, long count) {
        var base = spark.read().format("delta").load(work.resolve("nightly-texts").toString());
        int files = Math.max(1, (int) Math.min(16, count / 20_000));
        spark.range(first, first + count).withColumn("k", col("id").mod(texts.size()))
                .join(broadcast(base), "k")
                .select(concat(lit("r"), col("id").cast("string")).as("id"),
                        concat(col("text"), lit(" This was review number "), col("id").cast("string"), lit("."))
                                .as("text"), col("label"),
                        concat(lit("Movie "), pmod(xxhash64(col("id")), lit(MOVIES)).cast("string")).as("movie"),
                        date_add(lit(java.sql.Date.valueOf("2026-01-01")), pmod(col("id"), lit(330)).cast("int"))
                                .as("review_date"))
                .repartition(files).write().format("delta").mode("append")
                .save(work.resolve("nightly-source").toString());
    }

    private double minimalJob() {
        long start = System.nanoTime();
        String path = work.resolve("minimal-delta").toString();
        spark.range(1000).withColumn("text", lit("x")).write().format("delta").save(path);
        spark.read().format("delta").load(path).count();
        return (System.nanoTime() - start) / 1e9;
    }

    /**
     * A scoring run, then its evaluation from the aggregates (merging what the run changed) and, for comparison, a
     * full evaluation from every row (not timed into the run).
     */
    private Run timed(JobConfig job, ModelBundle bundle) {
        long start = System.nanoTime();
        RunInfo info = RunInfo.start();
        ScoringResult result = new ScoringJob(spark, job, bundle, info).execute();
        double seconds = (System.nanoTime() - start) / 1e9;
        ReviewEvaluator evaluator = ReviewEvaluator.forScoredTable(job.evaluation(), job.model().positiveLabel(),
                bundle.labels(), bundle.name(), bundle.version());
        long evaluateStart = System.nanoTime();
        AggregatesTable.Result merged = new AggregatesTable(spark, job.output().aggregates(), job.output().scored(),
                info.commitTag()).evaluate(evaluator, null, info.runId());
        double mergedSeconds = (System.nanoTime() - evaluateStart) / 1e9;
        long fullStart = System.nanoTime();
        Evaluation full = evaluator.evaluate(DeltaTables.read(spark, job.output().scored())
                .where(col(TableSchemas.MODEL_VERSION).equalTo(lit(bundle.version()))));
        double fullSeconds = (System.nanoTime() - fullStart) / 1e9;
        if (!MetricRows.evaluationRows(full, "", Instant.EPOCH)
                .equals(MetricRows.evaluationRows(merged.evaluation(), "", Instant.EPOCH))) {
            throw new IllegalStateException("The evaluation from the aggregates differs from the one from every row");
        }
        return new Run(result, seconds, SparkBenchmark.steps(result), String.format(Locale.ROOT, "%.1f (%s) / %.1f",
                mergedSeconds, merged.from(), fullSeconds));
    }

    /**
     * @param evaluations the seconds of the evaluation from the aggregates (and what it was computed from), and of a
     *     full evaluation, which gave the same metrics
     */
    private record Run(ScoringResult result, double seconds, String steps, String evaluations) {}

    private static String seconds(double seconds) {
        return String.format(Locale.ROOT, "%.1f", seconds);
    }

    private static String ratio(double value) {
        return String.format(Locale.ROOT, "%.3f", value);
    }
}
