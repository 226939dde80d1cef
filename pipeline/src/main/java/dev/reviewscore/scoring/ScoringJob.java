package dev.reviewscore.scoring;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map_from_arrays;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.spark_partition_id;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.when;

import dev.reviewscore.RunInfo;
import dev.reviewscore.config.JobConfig;
import dev.reviewscore.config.SourceDeletes;
import dev.reviewscore.config.TableLocation;
import dev.reviewscore.inference.ModelBundle;
import dev.reviewscore.evaluation.AggregatesTable;
import dev.reviewscore.evaluation.ReviewEvaluator;
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
import java.util.EnumMap;
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
 * Scores a review table into the scored Delta table, so that the table ends as a full rescore of the source would
 * leave it: one score per review the source holds and can be scored, each of the review's current text, label and
 * pass-through values. A run reads the source (of a Delta source with its change data feed on, only the reviews
 * changed since the last run of this model version: {@link SourceChanges}), leaves out reviews this model version
 * already scored with the same values (unless a full rescore is asked for), scores the rest on the executors (through
 * {@link ReviewSentiment}, the Spark ML stage users call), MERGEs the scores on (review id, model version), records
 * the rows that could not be scored in the rejects table (each distinct row once), removes or marks the scores of
 * reviews the source no longer holds or holds only in rows that cannot be scored, adds what it changed to the
 * evaluation's aggregates ({@link AggregatesTable#addRun}), and records where it left the source and the scored table
 * ({@link ReadState}).
 *
 * <p>The source is read once: every row goes through one pass that checks it, marks it as already scored or not, and
 * scores the rest; that pass is kept (persisted) and everything written comes from it. Every run accounts for every
 * input row: {@code input = scored + rejected + skipped}, with the input counted separately from the source.
 * {@link #execute()} fails after writing if the equation does not hold.
 *
 * <p>When another writer changed the scored table between this run's read of it and its last write (a run of the
 * night before still writing, an evaluation is no writer), the run compares the whole source with the table again
 * and writes what differs, so that a run that read an older source version and wrote last leaves nothing stale.
 */
public final class ScoringJob {
    private static final Logger LOG = LoggerFactory.getLogger(ScoringJob.class);
    private static final List<String> KEYS = List.of(ReviewColumns.REVIEW_ID, TableSchemas.MODEL_VERSION);
    /** Marks rows this model version already scored with the same values (skipped, not scored again). */
    private static final String ALREADY_SCORED = "already_scored";
    private static final String PREVIOUS = "__previous_";
    private static final String DELETED_AT = TableSchemas.SOURCE_DELETED_AT;
    /** Scored-table columns whose every value is unique: no statistics. */
    private static final List<String> UNIQUE_STRINGS = List.of(ReviewColumns.TEXT, ReviewColumns.TEXT_HASH);
    private static final String CACHE_COMPRESSED = "spark.sql.inMemoryColumnarStorage.compressed";
    /** How many times a run compares the whole source again while other writers keep changing the scored table. */
    private static final int PASSES = 3;
    /** The Spark job description of the step that runs the model, after the run id. */
    public static final String SCORING_STEP = "scoring reviews";

    private final SparkSession spark;
    private final JobConfig config;
    private final ModelBundle bundle;
    private final RunInfo run;
    private final TableLocation scoredTable;
    private final int positive;
    private final List<String> passThrough;
    private final ReadState state;
    private final ClassicSession classic;

    /**
     * @param spark the session
     * @param config the job configuration
     * @param bundle the model, opened (and best probed) on the driver
     * @param run the run's id and start time
     */
    public ScoringJob(SparkSession spark, JobConfig config, ModelBundle bundle, RunInfo run) {
        this.spark = spark;
        this.classic = ClassicSession.of(spark);
        this.config = config;
        this.bundle = bundle;
        this.run = run;
        this.scoredTable = config.output().scored();
        this.positive = bundle.positiveIndex(config.model().positiveLabel());
        this.passThrough = config.source().columns().passThrough();
        this.state = new ReadState(spark, config.output().state(), scoredTable, config.source(), bundle.version());
    }

    /**
     * Runs the scoring job.
     *
     * @return the counts
     * @throws dev.reviewscore.InvalidInputException for unreadable sources, missing columns and invalid settings
     * @throws IllegalStateException when the accounting equation does not hold
     */
    public ScoringResult execute() {
        String wholeBecause = config.scoring().full() ? "a full rescore (scoring.full)"
                : config.scoring().readChanges() ? null : "scoring.read-changes = false";
        for (int pass = 1; ; pass++) {
            Pass done = pass(wholeBecause);
            ScoringResult result = done.result();
            LOG.info("Scoring run {}: input {} = scored {} + rejected {} + skipped {} (inserted {}, updated {})",
                    run.runId(), result.input(), result.scored(), result.rejected(), result.skipped(),
                    result.inserted(), result.updated());
            if (!result.balanced()) {
                throw new IllegalStateException("Row accounting failed for run " + run.runId() + ": input "
                        + result.input() + " != scored " + result.scored() + " + rejected " + result.rejected()
                        + " + skipped " + result.skipped() + " (merge inserted " + result.inserted() + ", updated "
                        + result.updated() + "). The source may have changed during the run; rerun the job, which "
                        + "scores only what is missing.");
            }
            if (done.interleaved() == null) {
                state.record(result.range(), run, done.scoredAfter());
                return result;
            }
            if (pass == PASSES) {
                LOG.warn("Run {}: other writers kept changing {} while this run wrote ({}); the next run reads the "
                        + "whole source", run.runId(), scoredTable, done.interleaved());
                state.invalidate(run);
                return result;
            }
            wholeBecause = "another writer changed the scored table while this run wrote (" + done.interleaved()
                    + "), so the run compared the whole source with it again";
            LOG.warn("Run {}: {}", run.runId(), wholeBecause);
        }
    }

    /**
     * One pass over the source.
     *
     * @param result what the pass did
     * @param scoredAfter the scored table after the pass's writes
     * @param interleaved the commits of other writers between the pass's read of the scored table and its last
     *     write, or null when there were none
     */
    private record Pass(ScoringResult result, DeltaHistory.Detail scoredAfter, String interleaved) {}

    private Pass pass(String wholeBecause) {
        Stopwatch watch = new Stopwatch();
        describe(ScoringStage.READ);
        DeltaHistory.Detail scoredBefore = DeltaTables.exists(spark, scoredTable)
                ? DeltaHistory.detail(spark, scoredTable) : null;
        ReadState.Start start = state.start(scoredBefore);
        String why = wholeBecause != null ? wholeBecause : start.wholeBecause();
        try (SourceChanges.Read read = SourceChanges.read(spark, config.source(), why == null ? start.point() : null,
                why)) {
            Dataset<Row> source = read.rows();
            Extent extent = Extent.of(source);
            long input = extent.rows();
            Dataset<Row> normalized = ReviewSource.normalize(spreadOverCores(source, extent.partitions(),
                    config.scoring().partitionsPerCore(), config.source().columns().id()), config.source(),
                    bundle.labels(), positive);
            Long before = scoredBefore == null ? null : scoredBefore.version();
            Dataset<Row> marked = markScored(normalized, before);
            LongAccumulator counter = classic.counter();
            watch.lap(ScoringStage.READ);

            Dataset<Row> predicted = ReviewSentiment.predict(marked, bundle, config.model(), ReviewColumns.TEXT,
                    ReviewColumns.REJECT_REASON, ALREADY_SCORED, counter);
            try {
                Map<String, Long> counts = score(predicted, counter, input);
                watch.lap(ScoringStage.SCORE);
                long scored = counts.getOrDefault("scored", 0L);
                Dataset<Row> scores = scoredRows(predicted.where(col(ReviewColumns.REJECT_REASON).isNull()
                        .and(not(col(ALREADY_SCORED)))));
                if (read.wholeDeltaTable() && !start.soleSource()) {
                    LOG.warn("{} also holds scores of this model version from other sources ({}): this run, which "
                            + "read the whole source, keeps the scores of reviews the source no longer holds. Give "
                            + "each source a scored table of its own.", scoredTable, config.output().state());
                }
                Dataset<Row> gone = before == null ? null
                        : gone(predicted, read, before, read.wholeDeltaTable() && start.soleSource());
                AggregatesTable aggregates = new AggregatesTable(spark, config.output().aggregates(), scoredTable,
                        run.commitTag());
                // read while the version this run started from is still the table's latest (no time travel)
                AggregatesTable.RunChanges changes = before == null || (scored == 0 && gone == null) ? null
                        : aggregates.beforeRun(ReviewEvaluator.forScoredTable(config.evaluation(),
                                config.model().positiveLabel(), bundle.labels(), bundle.name(), bundle.version()),
                                before, scores, gone, scored);
                watch.lap(ScoringStage.AGGREGATES);
                try {
                    DeltaMerge.Counts merged = merge(scores, scored);
                    watch.lap(ScoringStage.MERGE);
                    Map<String, Long> byReason = reject(predicted, counts.getOrDefault("rejected", 0L));
                    watch.lap(ScoringStage.REJECTS);
                    long deleted = gone == null ? 0 : applyDeletes(gone);
                    watch.lap(ScoringStage.DELETES);
                    DeltaHistory.Detail after = DeltaHistory.detail(spark, scoredTable);
                    String interleaved = interleaved(before, after);
                    if (changes != null && interleaved == null) {
                        describe(ScoringStage.AGGREGATES);
                        aggregates.addRun(changes);
                    }
                    watch.lap(ScoringStage.AGGREGATES);
                    long rejected = byReason.values().stream().mapToLong(Long::longValue).sum();
                    return new Pass(new ScoringResult(run.runId(), bundle.name(), bundle.version(), input, scored,
                            rejected, counts.getOrDefault("skipped", 0L), merged.inserted(), merged.updated(),
                            deleted, byReason, watch.stages(), read.range()), after, interleaved);
                } finally {
                    if (changes != null) {
                        changes.close();
                    }
                }
            } finally {
                predicted.unpersist();
                classic.describeJobs(null);
            }
        }
    }

    /**
     * The normalized rows, marked {@value #ALREADY_SCORED} where this model version's score at {@code before} is of
     * the same text, label and pass-through values (never on a full rescore).
     */
    private Dataset<Row> markScored(Dataset<Row> normalized, Long before) {
        if (config.scoring().full() || before == null) {
            return normalized.withColumn(ALREADY_SCORED, lit(false));
        }
        List<String> compared = new ArrayList<>(List.of(ReviewColumns.TEXT_HASH, ReviewColumns.SOURCE_LABEL,
                ReviewColumns.LABEL));
        List<String> held = Arrays.asList(DeltaHistory.snapshot(spark, scoredTable, before).columns());
        boolean allHeld = true;
        for (String name : passThrough) {
            allHeld &= held.stream().anyMatch(name::equalsIgnoreCase);
            compared.add(name);
        }
        if (!allHeld) {
            LOG.info("The scored table lacks some of the pass-through columns {}: every review is scored again",
                    passThrough);
            return normalized.withColumn(ALREADY_SCORED, lit(false));
        }
        List<Column> previousColumns = new ArrayList<>(List.of(col(ReviewColumns.REVIEW_ID).as(PREVIOUS + "id")));
        Column same = normalized.col(ReviewColumns.REVIEW_ID).equalTo(col(PREVIOUS + "id"));
        for (String name : compared) {
            String quoted = ReviewSource.quote(name);
            previousColumns.add(col(quoted).cast("string").as(PREVIOUS + name));
            same = same.and(normalized.col(quoted).cast("string").eqNullSafe(col(ReviewSource.quote(PREVIOUS + name))));
        }
        Dataset<Row> previous = currentScores(before).select(previousColumns.toArray(new Column[0]));
        String[] previousNames = previous.columns();
        return normalized.join(previous, same, "left")
                .withColumn(ALREADY_SCORED, col(PREVIOUS + "id").isNotNull()
                        .and(col(ReviewColumns.REJECT_REASON).isNull()))
                .drop(previousNames);
    }

    /** This model version's scores in the table at a version, of reviews the source still has. */
    private Dataset<Row> currentScores(long version) {
        return TableSchemas.stillInSource(DeltaHistory.snapshot(spark, scoredTable, version))
                .where(col(TableSchemas.MODEL_VERSION).equalTo(lit(bundle.version())));
    }

    /**
     * Runs the model on the rows to score, keeping (persisting) every row of the pass, and counts the rows scored,
     * rejected and skipped.
     */
    private Map<String, Long> score(Dataset<Row> predicted, LongAccumulator counter, long input) {
        describe(ScoringStage.SCORE);
        Column status = when(col(ReviewColumns.REJECT_REASON).isNotNull(), lit("rejected"))
                .when(col(ALREADY_SCORED), lit("skipped")).otherwise(lit("scored"));
        Map<String, Long> counts = new TreeMap<>();
        try (ScoringProgress progress = classic.progress(counter, input, config.scoring().progressSeconds())) {
            // The cache is built by the first job that reads it. Compressing it would try a dictionary on every
            // string column, copying and hashing each review text, which unique texts never repay.
            DeltaTables.withSessionSettings(spark, Map.of(CACHE_COMPRESSED, "false"), () -> {
                predicted.persist(StorageLevel.MEMORY_AND_DISK());
                for (Row row : predicted.groupBy(status).count().collectAsList()) {
                    counts.put(row.getString(0), row.getLong(1));
                }
                return counts;
            });
            LOG.info(progress.report(counts.values().stream().mapToLong(Long::longValue).sum()));
        }
        return counts;
    }

    /**
     * The ids whose scores of this model version go: read ids none of whose rows can be scored now, ids the source
     * deleted after changing them, and, when the read holds every row of a Delta source that is this scored table's
     * only source, ids the table scored that the source no longer holds.
     */
    private Dataset<Row> gone(Dataset<Row> predicted, SourceChanges.Read read, long before, boolean orphans) {
        Column id = col(ReviewColumns.REVIEW_ID);
        Dataset<Row> candidates = predicted.where(id.isNotNull()).select(id);
        if (read.deletedIds() != null) {
            candidates = candidates.union(read.deletedIds().select(id));
        }
        if (orphans) {
            candidates = candidates.union(currentScores(before).select(id));
        }
        Dataset<Row> scorable = predicted.where(id.isNotNull().and(col(ReviewColumns.REJECT_REASON).isNull()))
                .select(id);
        Dataset<Row> gone = candidates.distinct().join(scorable, ReviewColumns.REVIEW_ID, "left_anti");
        return gone.isEmpty() ? null : gone;
    }

    /** MERGEs the scores into the scored table, created first when absent. */
    private DeltaMerge.Counts merge(Dataset<Row> scores, long scored) {
        describe(ScoringStage.MERGE);
        LOG.info("Run {}: scored {} reviews; merging them into {}", run.runId(), scored, scoredTable);
        DeltaTables.ensureTable(spark, scoredTable, withComments(scores.schema()), config.output().partitionBy(),
                scoredTableProperties(scores.schema(), config.output().partitionBy(),
                        config.output().deletionVectors()));
        if (scored == 0) {
            return new DeltaMerge.Counts(0, 0, 0);
        }
        // Delta would otherwise materialize the source a second time to guard against a non-deterministic one;
        // recomputing this source gives the same rows (the model is deterministic and earlier scores are read at a
        // pinned table version)
        return DeltaMerge.withDeterministicSource(spark, () -> DeltaMerge.merge(spark, scoredTable, scores, KEYS,
                run.commitTag()));
    }

    /**
     * Records the run's rejected rows in the rejects table: each distinct row (model version, review id, reason and
     * original values) once, however often runs read it again.
     *
     * @return the run's rejected rows per reason
     */
    private Map<String, Long> reject(Dataset<Row> predicted, long rejectedRows) {
        describe(ScoringStage.REJECTS);
        DeltaTables.ensureTable(spark, config.output().rejects(), TableSchemas.REJECTS, List.of());
        Map<String, Long> byReason = new TreeMap<>();
        if (rejectedRows == 0) {
            return byReason;
        }
        Dataset<Row> rejects = rejectRows(predicted.where(col(ReviewColumns.REJECT_REASON).isNotNull()));
        for (Row row : rejects.groupBy("reason").count().collectAsList()) {
            byReason.put(row.getString(0), row.getLong(1));
        }
        DeltaMerge.insertAbsent(spark, config.output().rejects(),
                rejects.dropDuplicates(TableSchemas.MODEL_VERSION, "review_id", "reason", "original"),
                List.of(TableSchemas.MODEL_VERSION, "review_id", "reason", "original"), run.commitTag());
        return byReason;
    }

    /**
     * Removes or marks ({@code scoring.source-deletes}) this model version's scores of the given review ids.
     *
     * @return the scores removed or marked
     */
    private long applyDeletes(Dataset<Row> ids) {
        describe(ScoringStage.DELETES);
        String scope = "t.model_version = " + DeltaTables.sqlString(bundle.version());
        DeltaMerge.Counts counts = config.scoring().sourceDeletes() == SourceDeletes.REMOVE
                ? DeltaMerge.delete(spark, scoredTable, ids, List.of(ReviewColumns.REVIEW_ID), scope,
                        run.commitTag())
                : DeltaMerge.update(spark, scoredTable,
                        ids.withColumn(DELETED_AT, lit(Timestamp.from(run.startedAt()))),
                        List.of(ReviewColumns.REVIEW_ID), scope + " AND t." + DELETED_AT + " IS NULL",
                        Map.of(DELETED_AT, "s." + DELETED_AT), run.commitTag());
        long deleted = counts.deleted() + counts.updated();
        if (deleted > 0) {
            LOG.info("Run {}: {} {} scores of reviews the source no longer holds or can no longer be scored",
                    run.runId(), config.scoring().sourceDeletes() == SourceDeletes.REMOVE ? "removed" : "marked",
                    deleted);
        }
        return deleted;
    }

    /**
     * The commits other writers made to the scored table after {@code before} up to {@code after}, that changed
     * rows, in one line; null when there are none.
     */
    private String interleaved(Long before, DeltaHistory.Detail after) {
        // a table this run created starts at version 0, its creation
        List<String> others = DeltaHistory.commits(spark, scoredTable, before == null ? 0 : before, after.version())
                .stream().filter(commit -> !commit.dataNeutral() && !run.commitTag().equals(commit.userMetadata()))
                .map(DeltaHistory.Commit::describe).toList();
        return others.isEmpty() ? null : String.join(", ", others);
    }

    /**
     * A source read in fewer partitions than {@code partitionsPerCore} per executor core, spread over that many so
     * that every core scores; a source with enough partitions is returned as it is. Rows are spread by the hash of
     * their id: which partition a row goes to depends on the row alone, so a retried task gets the same rows. A round
     * robin would have to sort every partition by a hash of each whole row, text included, to be as repeatable.
     * A source without the id column (it fails its checks later) is spread round robin.
     *
     * @param sourcePartitions how many partitions Spark reads the source in ({@link Extent#partitions()})
     * @param idColumn the source's review id column
     */
    public static Dataset<Row> spreadOverCores(Dataset<Row> source, int sourcePartitions, int partitionsPerCore,
                                               String idColumn) {
        int partitions = defaultParallelism(source.sparkSession()) * partitionsPerCore;
        if (sourcePartitions >= partitions) {
            return source;
        }
        boolean hasId = Arrays.stream(source.columns()).anyMatch(idColumn::equalsIgnoreCase);
        return hasId ? source.repartition(partitions, col(ReviewSource.quote(idColumn)))
                : source.repartition(partitions);
    }

    /**
     * How many rows a source has, and how many partitions Spark reads it in (1 + the largest
     * {@code spark_partition_id()} of its rows), in one pass over it.
     *
     * @param rows the rows
     * @param partitions the partitions
     */
    public record Extent(long rows, int partitions) {
        /** Counts the source's rows and partitions. */
        public static Extent of(Dataset<Row> source) {
            Row extent = source.select(spark_partition_id().as("partition")).agg(count(lit(1)), max("partition"))
                    .first();
            return new Extent(extent.getLong(0), extent.isNullAt(1) ? 0 : extent.getInt(1) + 1);
        }
    }

    /**
     * Spark's default parallelism (all executors' cores, or {@code spark.default.parallelism}), through the
     * DataFrame API: the partitions Spark splits a range into when not told how many
     * ({@code spark.sql.leafNodeDefaultParallelism}, by default the default parallelism).
     */
    static int defaultParallelism(SparkSession spark) {
        return spark.range(0, 1 << 20).select(spark_partition_id().as("partition")).agg(max("partition")).first()
                .getInt(0) + 1;
    }

    /** Names the Spark jobs of the next step in the Spark UI (and for listeners). */
    private void describe(ScoringStage stage) {
        classic.describeJobs("reviewscore " + run.runId() + ": " + stage.description());
    }

    private Dataset<Row> scoredRows(Dataset<Row> predicted) {
        Column labels = array(bundle.labels().stream().map(name -> lit(name)).toArray(Column[]::new));
        List<Column> columns = new ArrayList<>(List.of(
                col(ReviewColumns.REVIEW_ID),
                lit(bundle.name()).as("model_name"),
                lit(bundle.version()).as(TableSchemas.MODEL_VERSION),
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
                lit(run.runId()).as(TableSchemas.RUN_ID),
                lit(Timestamp.from(run.startedAt())).as("scored_at"),
                lit(null).cast("timestamp").as(DELETED_AT)));
        passThrough.forEach(name -> columns.add(col(ReviewSource.quote(name))));
        return predicted.select(columns.toArray(new Column[0]));
    }

    private Dataset<Row> rejectRows(Dataset<Row> rejected) {
        Column detail = null;
        for (RejectReason reason : RejectReason.values()) {
            Column matches = col(ReviewColumns.REJECT_REASON).equalTo(reason.code());
            detail = detail == null ? when(matches, lit(reason.detail())) : detail.when(matches, lit(reason.detail()));
        }
        List<Column> original = new ArrayList<>(List.of(col(ReviewColumns.REVIEW_ID).as("id"),
                col(ReviewColumns.TEXT), col(ReviewColumns.SOURCE_LABEL).as("label")));
        passThrough.forEach(name -> original.add(col(ReviewSource.quote(name))));
        original.add(col(ReviewColumns.MALFORMED_RECORD));
        return rejected.select(
                lit(run.runId()).as(TableSchemas.RUN_ID),
                lit(Timestamp.from(run.startedAt())).as("rejected_at"),
                lit(bundle.version()).as(TableSchemas.MODEL_VERSION),
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

    /** Times the stages of one pass. */
    private static final class Stopwatch {
        private final Map<ScoringStage, Duration> stages = new EnumMap<>(ScoringStage.class);
        private long mark = System.nanoTime();

        /** Adds the time since the last lap to a stage (a stage may run in several parts). */
        void lap(ScoringStage stage) {
            long now = System.nanoTime();
            stages.merge(stage, Duration.ofNanos(now - mark), Duration::plus);
            mark = now;
        }

        Map<ScoringStage, Duration> stages() {
            Map<ScoringStage, Duration> all = new EnumMap<>(ScoringStage.class);
            for (ScoringStage stage : ScoringStage.values()) {
                all.put(stage, stages.getOrDefault(stage, Duration.ZERO));
            }
            return all;
        }
    }
}
