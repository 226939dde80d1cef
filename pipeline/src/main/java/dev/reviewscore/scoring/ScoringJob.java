package dev.reviewscore.scoring;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map_from_arrays;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.when;

import dev.reviewscore.RunInfo;
import dev.reviewscore.config.JobConfig;
import dev.reviewscore.config.SourceDeletes;
import dev.reviewscore.config.TableLocation;
import dev.reviewscore.inference.ModelBundle;
import dev.reviewscore.metrics.AggregatesTable;
import dev.reviewscore.metrics.ReviewEvaluator;
import dev.reviewscore.sink.DeltaMerge;
import dev.reviewscore.sink.DeltaTables;
import dev.reviewscore.sink.TableSchemas;
import dev.reviewscore.source.DeltaHistory;
import dev.reviewscore.source.RejectReason;
import dev.reviewscore.source.ReviewColumns;
import dev.reviewscore.source.ReviewSource;
import dev.reviewscore.source.SourceChanges;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores a review table into the scored Delta table: reads the source (of a Delta source with its change data feed
 * on, only what changed since the last run of this model version: {@link SourceChanges}) and normalizes it, leaves
 * out reviews this model version already scored with the same text and label (unless a full rescore is asked for),
 * scores the rest on the executors (through {@link ReviewSentiment}, the Spark ML stage users call), MERGEs the
 * scores on (review id, model version), appends rows that could not be scored to the rejects table, removes or marks
 * the scores of reviews the source deleted, adds what it changed to the evaluation's aggregates
 * ({@link AggregatesTable#addRun}), and records how far it read in the source state table.
 *
 * <p>The source is read once: every row goes through one pass that checks it, marks it as already scored or not, and
 * scores the rest; that pass is kept (persisted) and everything written comes from it. Every run accounts for every
 * input row: {@code input = scored + rejected + skipped}, with the input counted separately from the source.
 * {@link #execute()} fails after writing if the equation does not hold.
 */
public final class ScoringJob {
    private static final Logger LOG = LoggerFactory.getLogger(ScoringJob.class);
    private static final List<String> KEYS = List.of(ReviewColumns.REVIEW_ID, "model_version");
    /** Marks rows this model version already scored with the same text (skipped, not scored again). */
    private static final String ALREADY_SCORED = "already_scored";
    private static final String DELETED_AT = TableSchemas.SOURCE_DELETED_AT;
    /** Scored-table columns whose every value is unique: no statistics. */
    private static final List<String> UNIQUE_STRINGS = List.of(ReviewColumns.TEXT, ReviewColumns.TEXT_HASH);
    private static final String CACHE_COMPRESSED = "spark.sql.inMemoryColumnarStorage.compressed";
    /** The Spark job description of the step that runs the model, after the run id. */
    public static final String SCORING_STEP = "scoring reviews";

    private final SparkSession spark;
    private final JobConfig config;
    private final ModelBundle bundle;
    private final RunInfo run;

    /**
     * @param spark the session
     * @param config the job configuration
     * @param bundle the model, opened (and best probed) on the driver
     * @param run the run's id and start time
     */
    public ScoringJob(SparkSession spark, JobConfig config, ModelBundle bundle, RunInfo run) {
        this.spark = spark;
        this.config = config;
        this.bundle = bundle;
        this.run = run;
    }

    /**
     * Runs the scoring job.
     *
     * @return the counts
     * @throws dev.reviewscore.InvalidInputException for unreadable sources, missing columns and invalid settings
     * @throws IllegalStateException when the accounting equation does not hold
     */
    public ScoringResult execute() {
        Map<String, Duration> stages = new java.util.LinkedHashMap<>();
        long mark = System.nanoTime();
        TableLocation scoredTable = config.output().scored();
        int positive = bundle.positiveIndex(config.model().positiveLabel());
        List<String> passThrough = config.source().columns().passThrough();

        describe("reading and checking the source");
        ReadState state = new ReadState(spark, config.output().state(), scoredTable, config.source().location(),
                bundle.version());
        String wholeBecause = config.scoring().full() ? "a full rescore (scoring.full)"
                : config.scoring().readChanges() ? null : "scoring.read-changes = false";
        SourceChanges.Read read = SourceChanges.read(spark, config.source(), wholeBecause == null ? state.last() : null,
                wholeBecause);
        Dataset<Row> source = read.rows();
        long input = source.count();
        Dataset<Row> raw = spreadOverCores(source, config.scoring().partitionsPerCore(),
                config.source().columns().id());
        Dataset<Row> normalized = ReviewSource.normalize(raw, config.source(), bundle.labels(), positive);
        Long before = DeltaTables.exists(spark, scoredTable) ? DeltaHistory.detail(spark, scoredTable).version() : null;
        Dataset<Row> previous = config.scoring().full() || before == null ? null : previousScores(scoredTable, before);
        Dataset<Row> marked = previous == null
                ? normalized.withColumn(ALREADY_SCORED, lit(false))
                : normalized.join(previous, sameScore(normalized, previous), "left")
                        .withColumn(ALREADY_SCORED, col("prev_review_id").isNotNull()
                                .and(col(ReviewColumns.REJECT_REASON).isNull()))
                        .drop("prev_review_id", "prev_text_hash", "prev_source_label");
        mark = lap(stages, "read", mark);

        LongAccumulator counter = spark.sparkContext().longAccumulator("reviewscore reviews scored");
        Dataset<Row> predicted = ReviewSentiment.of(bundle, config.model())
                .predict(marked, ReviewColumns.TEXT, ReviewColumns.REJECT_REASON, ALREADY_SCORED, counter);
        describe(SCORING_STEP);
        Column status = when(col(ReviewColumns.REJECT_REASON).isNotNull(), lit("rejected"))
                .when(col(ALREADY_SCORED), lit("skipped")).otherwise(lit("scored"));
        Map<String, Long> counts = new TreeMap<>();
        try (ScoringProgress progress = new ScoringProgress(spark.sparkContext(), counter, input,
                config.scoring().progressSeconds())) {
            // The cache is built by the first job that reads it. Compressing it would try a dictionary on every
            // string column, copying and hashing each review text, which unique texts never repay.
            DeltaTables.withSessionSettings(spark, Map.of(CACHE_COMPRESSED, "false"), () -> {
                predicted.persist(StorageLevel.MEMORY_AND_DISK());
                for (Row row : predicted.groupBy(status).count().collectAsList()) {
                    counts.put(row.getString(0), row.getLong(1));
                }
                return counts;
            });
            LOG.info(progress.report());
        }
        long scored = counts.getOrDefault("scored", 0L);
        long skipped = counts.getOrDefault("skipped", 0L);
        mark = lap(stages, "score", mark);

        Dataset<Row> scores = scoredRows(predicted.where(col(ReviewColumns.REJECT_REASON).isNull()
                .and(not(col(ALREADY_SCORED)))), positive, passThrough);
        DeltaMerge.Counts merged;
        Map<String, Long> byReason = new TreeMap<>();
        long rejected;
        long deleted;
        Dataset<Row> deletedIds = read.deletedIds() == null || read.deletedIds().isEmpty() ? null
                : read.deletedIds();
        // Read while the version this run started from is still the table's latest (no time travel).
        describe("reading the scores this run replaces in " + scoredTable);
        AggregatesTable aggregates = new AggregatesTable(spark, config.output().aggregates(), scoredTable,
                run.commitTag());
        long aggregatesStart = System.nanoTime();
        AggregatesTable.RunChanges changes = before == null || (scored == 0 && deletedIds == null) ? null
                : aggregates.beforeRun(ReviewEvaluator.forScoredTable(config.evaluation(),
                        config.model().positiveLabel(), bundle.labels(), bundle.name(), bundle.version()), before,
                        scores, deletedIds, scored);
        long aggregatesNanos = System.nanoTime() - aggregatesStart;
        mark = System.nanoTime();
        try {
            describe("merging scores into " + scoredTable);
            LOG.info("Run {}: scored {} reviews; merging them into {}", run.runId(), scored, scoredTable);
            DeltaTables.ensureTable(spark, scoredTable, withComments(scores.schema()), config.output().partitionBy(),
                    scoredTableProperties(scores.schema(), config.output().partitionBy(),
                            config.output().deletionVectors()));
            merged = scored == 0 ? new DeltaMerge.Counts(0, 0, 0) : mergeFromPersistedSource(scoredTable, scores);
            mark = lap(stages, "merge", mark);

            describe("writing rejected rows to " + config.output().rejects());
            Dataset<Row> rejects = rejectRows(predicted.where(col(ReviewColumns.REJECT_REASON).isNotNull()),
                    passThrough);
            if (counts.getOrDefault("rejected", 0L) > 0) {
                for (Row row : rejects.groupBy("reason").count().collectAsList()) {
                    byReason.put(row.getString(0), row.getLong(1));
                }
            }
            rejected = byReason.values().stream().mapToLong(Long::longValue).sum();
            DeltaTables.ensureTable(spark, config.output().rejects(), TableSchemas.REJECTS, List.of());
            if (rejected > 0) {
                DeltaTables.append(config.output().rejects(), rejects, run.commitTag());
            }
            mark = lap(stages, "rejects", mark);

            deleted = deletedIds == null ? 0 : applyDeletes(scoredTable, deletedIds);
            mark = lap(stages, "deletes", mark);

            if (changes != null) {
                describe("adding the run's changes to " + config.output().aggregates());
                aggregates.addRun(changes);
            }
        } finally {
            if (changes != null) {
                changes.close();
            }
            predicted.unpersist();
        }
        spark.sparkContext().setJobDescription(null);
        stages.put("aggregates", Duration.ofNanos(aggregatesNanos + System.nanoTime() - mark));

        ScoringResult result = new ScoringResult(run.runId(), bundle.name(), bundle.version(), input, scored,
                rejected, skipped, merged.inserted(), merged.updated(), deleted, byReason, stages, read.range());
        LOG.info("Scoring run {}: input {} = scored {} + rejected {} + skipped {} (inserted {}, updated {})",
                run.runId(), input, scored, rejected, skipped, merged.inserted(), merged.updated());
        if (!result.balanced()) {
            throw new IllegalStateException("Row accounting failed for run " + run.runId() + ": input " + input
                    + " != scored " + scored + " + rejected " + rejected + " + skipped " + skipped
                    + " (merge inserted " + merged.inserted() + ", updated " + merged.updated() + "). The source "
                    + "may have changed during the run; rerun the job, which scores only what is missing.");
        }
        state.record(read.range(), run);
        return result;
    }

    /**
     * A source read in fewer partitions than {@code partitionsPerCore} per executor core, spread over that many so
     * that every core scores; a source with enough partitions is returned as it is. Rows are spread by the hash of
     * their id: which partition a row goes to depends on the row alone, so a retried task gets the same rows. A round
     * robin would have to sort every partition by a hash of each whole row, text included, to be as repeatable.
     * A source without the id column (it fails its checks later) is spread round robin.
     *
     * @param idColumn the source's review id column
     */
    public static Dataset<Row> spreadOverCores(Dataset<Row> source, int partitionsPerCore, String idColumn) {
        int partitions = source.sparkSession().sparkContext().defaultParallelism() * partitionsPerCore;
        if (source.rdd().getNumPartitions() >= partitions) {
            return source;
        }
        boolean hasId = Arrays.stream(source.columns()).anyMatch(idColumn::equalsIgnoreCase);
        return hasId ? source.repartition(partitions, col(ReviewSource.quote(idColumn)))
                : source.repartition(partitions);
    }

    /**
     * MERGEs scores whose source is already persisted. Delta would otherwise materialize the source a second time to
     * guard against a non-deterministic one; recomputing this source gives the same rows (the model is deterministic
     * and earlier scores are read at a pinned table version).
     */
    private DeltaMerge.Counts mergeFromPersistedSource(TableLocation table, Dataset<Row> scores) {
        return DeltaMerge.withDeterministicSource(spark, () -> DeltaMerge.merge(spark, table, scores, KEYS,
                run.commitTag()));
    }

    /**
     * Removes or marks ({@code scoring.source-deletes}) this model version's scores of reviews the source deleted.
     *
     * @return the scores removed or marked
     */
    private long applyDeletes(TableLocation table, Dataset<Row> deletedIds) {
        describe("applying the source's deletes to " + table);
        String scope = "t.model_version = " + DeltaTables.sqlString(bundle.version());
        DeltaMerge.Counts counts = config.scoring().sourceDeletes() == SourceDeletes.REMOVE
                ? DeltaMerge.delete(spark, table, deletedIds, List.of(ReviewColumns.REVIEW_ID), scope, run.commitTag())
                : DeltaMerge.update(spark, table,
                        deletedIds.withColumn(DELETED_AT, lit(Timestamp.from(run.startedAt()))),
                        List.of(ReviewColumns.REVIEW_ID), scope + " AND t." + DELETED_AT + " IS NULL",
                        Map.of(DELETED_AT, "s." + DELETED_AT), run.commitTag());
        long deleted = counts.deleted() + counts.updated();
        if (deleted > 0) {
            LOG.info("Run {}: {} {} scores of reviews the source deleted", run.runId(),
                    config.scoring().sourceDeletes() == SourceDeletes.REMOVE ? "removed" : "marked", deleted);
        }
        return deleted;
    }

    private static long lap(Map<String, Duration> stages, String stage, long since) {
        long now = System.nanoTime();
        stages.put(stage, Duration.ofNanos(now - since));
        return now;
    }

    /** Names the Spark jobs of the next step in the Spark UI (and for listeners). */
    private void describe(String step) {
        spark.sparkContext().setJobDescription("reviewscore " + run.runId() + ": " + step);
    }

    /** Scores of this model version in the table at a version, of reviews the source still has. */
    private Dataset<Row> previousScores(TableLocation table, long version) {
        Dataset<Row> scores = TableSchemas.stillInSource(DeltaHistory.snapshot(spark, table, version))
                .where(col("model_version").equalTo(lit(bundle.version())));
        return scores.select(col(ReviewColumns.REVIEW_ID).as("prev_review_id"),
                col(ReviewColumns.TEXT_HASH).as("prev_text_hash"),
                col(ReviewColumns.SOURCE_LABEL).as("prev_source_label"));
    }

    /** The same review with the same text and label: its score would not change. */
    private static Column sameScore(Dataset<Row> rows, Dataset<Row> previous) {
        return rows.col(ReviewColumns.REVIEW_ID).equalTo(previous.col("prev_review_id"))
                .and(rows.col(ReviewColumns.TEXT_HASH).equalTo(previous.col("prev_text_hash")))
                .and(rows.col(ReviewColumns.SOURCE_LABEL).eqNullSafe(previous.col("prev_source_label")));
    }

    private Dataset<Row> scoredRows(Dataset<Row> predicted, int positive, List<String> passThrough) {
        Column labels = array(bundle.labels().stream().map(name -> lit(name)).toArray(Column[]::new));
        List<Column> columns = new ArrayList<>(List.of(
                col(ReviewColumns.REVIEW_ID),
                lit(bundle.name()).as("model_name"),
                lit(bundle.version()).as("model_version"),
                ReviewColumns.labelAt(bundle.labels(), col(ScorePartition.PREDICTED_INDEX)).as("predicted_label"),
                col(ScorePartition.PREDICTED_INDEX),
                (positive >= 0 ? element_at(col(ScorePartition.CLASS_PROBABILITIES), lit(positive + 1))
                        : lit(null).cast("double")).as("positive_probability"),
                map_from_arrays(labels, col(ScorePartition.CLASS_PROBABILITIES)).as("probabilities"),
                col(ReviewColumns.LABEL),
                col(ReviewColumns.LABEL_INDEX),
                col(ReviewColumns.SOURCE_LABEL),
                (config.output().keepText() ? col(ReviewColumns.TEXT) : lit(null).cast("string"))
                        .as(ReviewColumns.TEXT),
                col(ReviewColumns.TEXT_HASH),
                col(ScorePartition.TOKEN_COUNT),
                col(ScorePartition.WINDOWS),
                col(ScorePartition.TRUNCATED),
                lit(run.runId()).as("run_id"),
                lit(Timestamp.from(run.startedAt())).as("scored_at"),
                lit(null).cast("timestamp").as(DELETED_AT)));
        passThrough.forEach(name -> columns.add(col("`" + name + "`")));
        return predicted.select(columns.toArray(new Column[0]));
    }

    private Dataset<Row> rejectRows(Dataset<Row> rejected, List<String> passThrough) {
        Column detail = null;
        for (RejectReason reason : RejectReason.values()) {
            Column matches = col(ReviewColumns.REJECT_REASON).equalTo(reason.code());
            detail = detail == null ? when(matches, lit(reason.detail())) : detail.when(matches, lit(reason.detail()));
        }
        List<Column> original = new ArrayList<>(List.of(col(ReviewColumns.REVIEW_ID).as("id"),
                col(ReviewColumns.TEXT), col(ReviewColumns.SOURCE_LABEL).as("label")));
        passThrough.forEach(name -> original.add(col("`" + name + "`")));
        original.add(col(ReviewColumns.MALFORMED_RECORD));
        return rejected.select(
                lit(run.runId()).as("run_id"),
                lit(Timestamp.from(run.startedAt())).as("rejected_at"),
                lit(bundle.version()).as("model_version"),
                col(ReviewColumns.REVIEW_ID),
                col(ReviewColumns.REJECT_REASON).as("reason"),
                coalesce(col(ScorePartition.REJECT_DETAIL), detail).as("detail"),
                to_json(struct(original.toArray(new Column[0]))).as("original"),
                lit(bundle.name()).as("model_name"));
    }

    private static StructType withComments(StructType schema) {
        List<StructField> fields = new ArrayList<>();
        for (StructField field : schema.fields()) {
            List<String> contract = List.of(TableSchemas.SCORED.fieldNames());
            fields.add(contract.contains(field.name())
                    ? new StructField(field.name(), field.dataType(), true,
                            TableSchemas.SCORED.apply(field.name()).metadata())
                    : field);
        }
        return new StructType(fields.toArray(new StructField[0]));
    }

    /**
     * A new scored table's properties: deletion vectors when {@code output.deletion-vectors} asks, and Delta's
     * per-file min/max statistics for every column that can have them but the partition columns, the review texts
     * and their hashes. Every text is unique, so their statistics would never skip a file, yet they cost every write
     * a copy of every text. The change data feed stays off: each run adds its own changes to the aggregates, and
     * the feed would make every MERGE write the old image of each updated row as well.
     */
    private static Map<String, String> scoredTableProperties(StructType schema, List<String> partitionBy,
                                                             boolean deletionVectors) {
        Map<String, String> properties = new java.util.LinkedHashMap<>();
        properties.put(DeltaTables.STATS_COLUMNS, Arrays.stream(schema.fields())
                .filter(field -> DeltaTables.skippable(field.dataType()))
                .map(StructField::name)
                .filter(name -> !UNIQUE_STRINGS.contains(name) && !partitionBy.contains(name))
                .map(ReviewSource::quote).collect(Collectors.joining(",")));
        if (deletionVectors) {
            properties.put("delta.enableDeletionVectors", "true");
        }
        return properties;
    }
}
