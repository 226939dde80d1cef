package dev.reviewscore.evaluation;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.when;

import dev.reviewscore.Fingerprint;
import dev.reviewscore.config.TableLocation;
import dev.reviewscore.source.DeltaHistory;
import dev.reviewscore.sink.DeltaMerge;
import dev.reviewscore.sink.DeltaTables;
import dev.reviewscore.sink.TableSchemas;
import dev.reviewscore.source.ReviewColumns;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.reviewscore.metrics.ErrorExample;
import dev.reviewscore.metrics.Evaluation;
import dev.reviewscore.metrics.PoissonBootstrap;

/**
 * The aggregates table ({@code output.aggregates}, {@link TableSchemas#AGGREGATES}): the exact, additive sums an
 * evaluation of one model version is computed from, kept per scored table. Each scoring run adds what it changed
 * ({@link #beforeRun}, {@link #addRun}): the rows it wrote, less the rows of the same reviews it replaced, removed or
 * marked, read before it wrote. Changes by other writers are merged from the scored table's change data feed, when it
 * is on, at the next evaluation ({@link #evaluate}). Either way the cost follows the changes, not the table. Counts are
 * integers and log-loss sums exact decimals, so the merged aggregates equal those of a recomputation from every row,
 * and so do the metrics.
 *
 * <p>The aggregates are rebuilt from every row of the scored table, at one pinned version, when asked ({@code
 * evaluation.full}), when there are none yet for this model version and {@link #definition definition} (a new model
 * version, other slices or bootstrap replicates, a recreated scored table), and when the scored table changed in a
 * way they were not brought up to date with and its changes cannot be read (change data feed off, or history
 * vacuumed). Commits that change no row (OPTIMIZE, VACUUM, properties; Unity Catalog runs some by itself) leave the
 * aggregates up to date. A rebuild replaces the model version's rows in one commit; an addition adds to them in one
 * commit. Either moves the watermark, the one row that says which scored-table version the aggregates are at, and an
 * addition applies only while the watermark is where it was read (another writer's rebuild or addition in between
 * fails it without a commit). A failed step leaves the aggregates as they were, and after a conflict with another
 * writer the whole step runs again from the table as it then is.
 *
 * <p>Scores marked deleted from the source ({@code source_deleted_at}) are left out, as everywhere in evaluation.
 */
public final class AggregatesTable {
    private static final Logger LOG = LoggerFactory.getLogger(AggregatesTable.class);
    private static final String HISTOGRAM = "histogram";
    private static final String BOOTSTRAP = "bootstrap";
    /** The one row of a model version and definition that says which scored-table version its aggregates are at. */
    private static final String WATERMARK = "watermark";
    /** Up to this many reviews changed by a run, their ids are sent to every task that reads earlier scores. */
    private static final long BROADCAST_ROWS = 2_000_000;
    private static final List<String> KEYS = List.of("scored_table", TableSchemas.MODEL_VERSION, "definition", "kind",
            "slice_name", "slice_value", ReviewColumns.LABEL_INDEX, "predicted_index", "score");
    private final SparkSession spark;
    private final TableLocation table;
    private final TableLocation scored;
    private final String commitTag;

    /**
     * @param table the aggregates table
     * @param scored the scored table
     * @param commitTag the user metadata of this run's commits
     */
    public AggregatesTable(SparkSession spark, TableLocation table, TableLocation scored, String commitTag) {
        this.spark = spark;
        this.table = table;
        this.scored = scored;
        this.commitTag = commitTag;
    }

    /**
     * An evaluation from the aggregates.
     *
     * @param evaluation the evaluation; its {@link Evaluation#basis()} says how the aggregates were brought up to date
     * @param from {@code aggregates} when the scored table's changes were merged into them, {@code rows} when they
     *     were rebuilt from every scored row
     */
    public record Result(Evaluation evaluation, String from) {}

    /**
     * Brings the evaluator's model version's aggregates up to the scored table's current version and evaluates from
     * them.
     *
     * @param evaluator the evaluator, with the model version, labels, slices and settings of the evaluation; it reads
     *     the scored table's columns
     * @param rebuildBecause why the aggregates must be rebuilt from every row, or null to merge the changes where
     *     possible
     * @param scoredBy the run that just scored into the table (its reviews are those the report's examples come
     *     from when the aggregates are already up to date), or null
     * @return the evaluation
     */
    public Result evaluate(ReviewEvaluator evaluator, String rebuildBecause, String scoredBy) {
        String version = evaluator.modelVersion();
        return DeltaMerge.readModifyWrite("update the aggregates in " + table, () -> {
            DeltaHistory.Detail detail = DeltaHistory.detail(spark, scored);
            if (detail == null) {
                throw new IllegalStateException("The scored table " + scored + " is not a Delta table");
            }
            Probe probe = probe(evaluator, detail);
            List<DeltaHistory.Commit> changed = probe.applied() == null || probe.applied() > detail.version()
                    ? List.of() : changesSince(probe.applied(), detail.version());
            String reason = rebuildBecause != null ? rebuildBecause : whyRebuild(probe, detail, changed);
            List<ErrorExample> examples = null;
            String basis = null;
            if (reason == null && !changed.isEmpty()) {
                long from = probe.applied() + 1;
                try {
                    examples = merge(evaluator, probe, from, detail.version());
                    basis = "the aggregates in " + table + " at scored-table version " + detail.version()
                            + ", with the changes of versions " + from + " to " + detail.version()
                            + " merged in (the reviews to read are among those changed)";
                } catch (Exception e) { // Delta's AnalysisException is checked, and Scala does not declare it
                    if (!DeltaHistory.historyGone(e)) {
                        throw e;
                    }
                    LOG.warn("Cannot read the changes of {} after version {}; rebuilding the aggregates of model "
                            + "version {} from every row: {}", scored, probe.applied(), version, e.toString());
                    reason = "the scored table's changes after version " + probe.applied() + " cannot be read any "
                            + "more (history vacuumed, or the change data feed was off for some versions)";
                }
            } else if (reason == null) {
                examples = scoredBy == null ? List.of() : examplesOf(evaluator, detail.version(), scoredBy);
                basis = "the aggregates in " + table + ", up to date at scored-table version " + detail.version()
                        + (scoredBy == null ? " (no row changed since they were last brought up to date)"
                                : " (the reviews to read are among those run " + scoredBy + " scored)");
            }
            if (reason != null) {
                examples = rebuild(evaluator, probe.definition(), detail.version());
                basis = "every scored row at scored-table version " + detail.version() + " (" + reason
                        + "); the aggregates in " + table + " were rebuilt from them";
            }
            LOG.info("Evaluating {} version {} from {}", scored, version, basis);
            Evaluation evaluation = read(probe.definition(), examples,
                    evaluator.described(probe.labels(), probe.positiveIndex(), basis));
            return new Result(evaluation, reason == null ? "aggregates" : "rows");
        });
    }

    /**
     * Where the aggregates of an evaluation stand.
     *
     * @param labels the labels in index order
     * @param positiveIndex the label AUC is computed for, or -1
     * @param definition the definition of the aggregates
     * @param applied the scored table's version the aggregates were brought up to (their watermark), or null when
     *     there are none
     */
    private record Probe(List<String> labels, int positiveIndex, String definition, Long applied) {}

    private Probe probe(ReviewEvaluator evaluator, DeltaHistory.Detail detail) {
        List<String> labels = evaluator.labels();
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("An evaluation from aggregates needs the labels in index order");
        }
        int positive = evaluator.positiveIndex(labels);
        String definition = definition(detail.id(), labels, positive, evaluator);
        Long applied = null;
        if (DeltaTables.exists(spark, table)) {
            Row row = rowsOf(evaluator.modelVersion(), definition).where(col("kind").equalTo(WATERMARK))
                    .agg(max(col("scored_version"))).first();
            applied = row.isNullAt(0) ? null : row.getLong(0);
        }
        return new Probe(labels, positive, definition, applied);
    }

    /**
     * The scored table's commits after version {@code after} up to {@code to} that changed rows: commits that did
     * not (OPTIMIZE, VACUUM, properties, as Delta's own operations say) leave the aggregates as they were.
     */
    private List<DeltaHistory.Commit> changesSince(long after, long to) {
        return DeltaHistory.commits(spark, scored, after, to).stream()
                .filter(commit -> !commit.dataNeutral()).toList();
    }

    /** Whether the aggregates stand at a version of the scored table: no row changed between them and it. */
    private boolean standAt(Probe probe, long version) {
        return probe.applied() != null && probe.applied() <= version
                && changesSince(probe.applied(), version).isEmpty();
    }

    private String whyRebuild(Probe probe, DeltaHistory.Detail detail, List<DeltaHistory.Commit> changed) {
        if (probe.applied() == null) {
            return "no aggregates of this model version with these labels, slices and bootstrap replicates yet";
        }
        if (probe.applied() > detail.version()) {
            return "the scored table is at version " + detail.version() + ", before the version " + probe.applied()
                    + " the aggregates were brought up to";
        }
        if (!changed.isEmpty() && !detail.changeFeed()) {
            return "the scored table changed after version " + probe.applied() + " by commits that did not bring the "
                    + "aggregates up to date (" + changed.get(0).describe() + (changed.size() > 1 ? " and "
                    + (changed.size() - 1) + " more" : "") + "), and its change data feed is off; ALTER TABLE "
                    + scored.sqlName() + " SET TBLPROPERTIES (" + DeltaHistory.CHANGE_FEED + " = true) lets later "
                    + "evaluations merge such changes";
        }
        return null;
    }

    /**
     * What one scoring run changes in the scored table, read before it writes, for {@link #addRun}; closing it
     * releases the rows it keeps.
     *
     * @param evaluator the evaluation the aggregates are kept for, as the job configures it
     * @param reader the same evaluation, reading the narrowed rows
     * @param before the scored table's version the run started from
     * @param written the rows the run will write and the table will still count, narrowed
     * @param replaced the rows of the same reviews and of those it will remove or mark, as counted at {@code before},
     *     narrowed and kept (persisted)
     */
    public record RunChanges(ReviewEvaluator evaluator, ReviewEvaluator reader, long before, Dataset<Row> written,
                             Dataset<Row> replaced) implements AutoCloseable {
        @Override
        public void close() {
            replaced.unpersist();
        }
    }

    /**
     * Starts adding one scoring run's changes to the aggregates of its model version: reads, while {@code before}
     * is still the scored table's latest version, the rows the run will replace, remove or mark (only the columns
     * the evaluation reads). Returns null, and reads nothing, when the aggregates do not stand at {@code before}:
     * then the next evaluation brings them up to date.
     *
     * @param evaluator the evaluation of the run's model version, as the job configures it
     * @param before the scored table's version the run started from and read its earlier scores at
     * @param written the rows the run will MERGE into the scored table (deterministic: persisted)
     * @param removedOrMarked the ids of reviews whose scores the run will remove or mark deleted, or null
     * @param changedRows about how many rows the run will write, remove or mark
     * @return the run's changes, or null
     */
    public RunChanges beforeRun(ReviewEvaluator evaluator, long before, Dataset<Row> written,
                                Dataset<Row> removedOrMarked, long changedRows) {
        DeltaHistory.Detail detail = DeltaHistory.detail(spark, scored);
        Probe probe = probe(evaluator, detail);
        String version = evaluator.modelVersion();
        if (!standAt(probe, before)) {
            LOG.info("The aggregates of {} model version {} stand at {}, not at version {} the run started from; "
                    + "the next evaluation brings them up to date", scored, version,
                    probe.applied() == null ? "no version" : "version " + probe.applied(), before);
            return null;
        }
        Dataset<Row> ofVersion = written.where(col(TableSchemas.MODEL_VERSION).equalTo(lit(version)));
        Dataset<Row> touched = ofVersion.select(ReviewColumns.REVIEW_ID);
        Dataset<Row> kept = current(ofVersion, version);
        if (removedOrMarked != null) {
            Dataset<Row> gone = removedOrMarked.select(ReviewColumns.REVIEW_ID);
            touched = touched.union(gone);
            kept = kept.join(gone, ReviewColumns.REVIEW_ID, "left_anti");
        }
        Dataset<Row> replaced = current(DeltaHistory.snapshot(spark, scored, before), version).join(
                changedRows <= BROADCAST_ROWS ? broadcast(touched) : touched, ReviewColumns.REVIEW_ID, "left_semi");
        ReviewEvaluator.Narrowed narrowedReplaced = evaluator.narrow(replaced.withColumn(Aggregates.SIGN, lit(-1)));
        ReviewEvaluator.Narrowed narrowedWritten = evaluator.narrow(kept.withColumn(Aggregates.SIGN, lit(1)));
        Dataset<Row> read = narrowedReplaced.rows().persist(StorageLevel.MEMORY_AND_DISK());
        long rows = read.count();
        LOG.info("Read the {} scores of {} at version {} the run replaces, removes or marks", rows, scored, before);
        return new RunChanges(evaluator, narrowedWritten.evaluator(), before, narrowedWritten.rows(), read);
    }

    /**
     * Adds what one scoring run changed in the scored table to the aggregates of its model version: the rows it
     * wrote that the table still counts, less the rows it replaced, removed or marked ({@link #beforeRun}). Does so
     * only when the aggregates still stand at the version the run started from and every commit to the scored table
     * since is the run's own (its user metadata is this table's commit tag); otherwise leaves them to the next
     * evaluation, and logs why.
     *
     * @param changes the run's changes, read before it wrote
     * @return whether the aggregates were brought up to the scored table's version
     */
    public boolean addRun(RunChanges changes) {
        return DeltaMerge.readModifyWrite("update the aggregates in " + table, () -> {
            DeltaHistory.Detail detail = DeltaHistory.detail(spark, scored);
            Probe probe = probe(changes.evaluator(), detail);
            String version = changes.evaluator().modelVersion();
            if (!standAt(probe, changes.before())) {
                LOG.info("The aggregates of {} model version {} moved to {} while the run wrote; the next evaluation "
                        + "brings them up to date", scored, version, probe.applied());
                return false;
            }
            List<DeltaHistory.Commit> others = changesSince(changes.before(), detail.version()).stream()
                    .filter(commit -> !commitTag.equals(commit.userMetadata())).toList();
            if (!others.isEmpty()) {
                LOG.info("{} has commits after version {} that are not this run's ({}); the next evaluation brings "
                        + "the aggregates of model version {} up to date", scored, changes.before(),
                        others.stream().map(DeltaHistory.Commit::describe).toList(), version);
                return false;
            }
            // kept: checking the labels, the bootstrap replicates and the MERGE each read them
            Dataset<Row> signed = changes.written().unionByName(changes.replaced())
                    .persist(StorageLevel.MEMORY_AND_DISK());
            try {
                add(changes.reader(), changes.reader().prepare(signed), probe, detail.version());
            } finally {
                signed.unpersist();
            }
            LOG.info("Added the run's changes of {} (versions {} to {}) to the aggregates of model version {}", scored,
                    changes.before() + 1, detail.version(), version);
            return true;
        });
    }

    /**
     * What the aggregates depend on besides the rows, hashed: the scored table's Delta id, the labels, the positive
     * label, the slices and the bootstrap replicates. Aggregates of another definition are never merged into.
     */
    private static String definition(String tableId, List<String> labels, int positiveIndex,
                                     ReviewEvaluator evaluator) {
        String text = String.join("\n", tableId, String.valueOf(labels), Integer.toString(positiveIndex),
                String.valueOf(evaluator.slices()),
                Integer.toString(evaluator.settings().bootstrapReplicates()));
        return Fingerprint.of(text);
    }

    /** The rows of the model version that evaluations count: not marked deleted from the source. */
    private static Dataset<Row> current(Dataset<Row> rows, String modelVersion) {
        return TableSchemas.stillInSource(rows).where(col(TableSchemas.MODEL_VERSION).equalTo(lit(modelVersion)));
    }

    /** Replaces the model version's aggregates with those of every row; returns the reviews to read. */
    private List<ErrorExample> rebuild(ReviewEvaluator evaluator, String definition, long version) {
        ReviewEvaluator.Prepared prepared = evaluator.prepare(current(DeltaHistory.snapshot(spark, scored, version),
                evaluator.modelVersion()));
        Dataset<Row> rows = aggregates(evaluator, prepared, definition, version).persist();
        DeltaTables.ensureTable(spark, table, TableSchemas.AGGREGATES, List.of());
        DeltaTables.replace(table, rows, "scored_table = " + DeltaTables.sqlString(scored.toString())
                + " AND model_version = " + DeltaTables.sqlString(evaluator.modelVersion()), commitTag);
        rows.unpersist();
        return Aggregates.examples(prepared.rows(), prepared.labels(), prepared.positiveIndex(), evaluator.slices(),
                evaluator.settings().errorExamples());
    }

    /**
     * Adds the changes of scored-table versions {@code from} to {@code to} to the aggregates; returns the reviews to
     * read among the changed ones.
     */
    private List<ErrorExample> merge(ReviewEvaluator evaluator, Probe probe, long from, long to) {
        Dataset<Row> changes = current(DeltaHistory.changes(spark, scored, from, to), evaluator.modelVersion())
                .withColumn(Aggregates.SIGN, when(DeltaHistory.written(), lit(1))
                        .otherwise(lit(-1)));
        ReviewEvaluator.Prepared prepared = evaluator.prepare(changes);
        DeltaMerge.Counts counts = add(evaluator, prepared, probe, to);
        LOG.info("Merged the changes of {} versions {} to {} into {}: {} aggregate rows added, {} updated", scored,
                from, to, table, counts.inserted(), counts.updated());
        Dataset<Row> changed = prepared.rows().where(col(Aggregates.SIGN).gt(0));
        return Aggregates.examples(changed, prepared.labels(), prepared.positiveIndex(), evaluator.slices(),
                evaluator.settings().errorExamples());
    }

    /**
     * Adds the aggregates of signed prepared rows to the table's and moves the watermark to the scored table's
     * version, in one MERGE that applies only while the watermark still stands where the probe found it: rows added
     * to aggregates another writer rebuilt or added to meanwhile would count twice. Otherwise the MERGE fails without
     * committing, and {@link DeltaMerge#readModifyWrite} runs the whole step again from the table as it then is.
     */
    private DeltaMerge.Counts add(ReviewEvaluator evaluator, ReviewEvaluator.Prepared prepared, Probe probe,
                                  long version) {
        Dataset<Row> rows = aggregates(evaluator, prepared, probe.definition(), version)
                .where(col("kind").isin(BOOTSTRAP, WATERMARK).or(col("reviews").notEqual(0))
                        .or(col("loss_sum").notEqual(0)));
        Map<String, String> add = new HashMap<>();
        add.put("reviews", "t.reviews + s.reviews");
        add.put("loss_sum", "t.loss_sum + s.loss_sum");
        add.put("replicate_confusion", "zip_with(t.replicate_confusion, s.replicate_confusion, (a, b) -> a + b)");
        add.put("replicate_loss_units",
                "zip_with(t.replicate_loss_units, s.replicate_loss_units, (a, b) -> a + b)");
        add.put("scored_version", "s.scored_version");
        DeltaMerge.Guard watermark = new DeltaMerge.Guard("s.kind = '" + WATERMARK + "'",
                "t.scored_version = " + probe.applied(), "the aggregates of " + scored + " moved from scored-table "
                + "version " + probe.applied() + " while this step added to them");
        // the rows come from persisted rows, or changes read at pinned versions, and the driver's replicate sums
        return DeltaMerge.withDeterministicSource(spark, () -> DeltaMerge.add(spark, table, rows, KEYS, add,
                watermark, commitTag));
    }

    /** The reviews to read among those one run scored, at a version of the scored table. */
    private List<ErrorExample> examplesOf(ReviewEvaluator evaluator, long version, String runId) {
        ReviewEvaluator.Prepared prepared = evaluator.prepare(current(DeltaHistory.snapshot(spark, scored, version)
                .where(col(TableSchemas.RUN_ID).equalTo(lit(runId))), evaluator.modelVersion()));
        return Aggregates.examples(prepared.rows(), prepared.labels(), prepared.positiveIndex(), evaluator.slices(),
                evaluator.settings().errorExamples());
    }

    /** The aggregate rows of prepared rows (signed or not), as the table holds them. */
    private Dataset<Row> aggregates(ReviewEvaluator evaluator, ReviewEvaluator.Prepared prepared, String definition,
                                    long version) {
        Dataset<Row> histogram = Aggregates.histogram(prepared.rows(), prepared.labels(), prepared.positiveIndex(),
                evaluator.slices());
        Column[] keyColumns = {lit(scored.toString()).as("scored_table"),
            lit(evaluator.modelVersion()).as(TableSchemas.MODEL_VERSION), lit(definition).as("definition")};
        Dataset<Row> histogramRows = histogram.select(keyColumns[0], keyColumns[1], keyColumns[2],
                lit(HISTOGRAM).as("kind"), col("slice_name"), col("slice_value"), col(ReviewColumns.LABEL_INDEX),
                col("predicted_index"), col("score"), col("reviews"), col("loss_sum"),
                lit(null).cast("array<bigint>").as("replicate_confusion"),
                lit(null).cast("array<bigint>").as("replicate_loss_units"), lit(version).as("scored_version"));
        List<Row> bootstrap = new ArrayList<>();
        Aggregates.replicates(prepared.rows(), prepared.labels().size(), evaluator.slices(), evaluator.settings())
                .forEach((slice, sums) -> bootstrap.add(RowFactory.create(scored.toString(),
                        evaluator.modelVersion(), definition, BOOTSTRAP, slice.get(0), slice.get(1), null, null,
                        null, null, null, longs(sums.confusion()), longs(sums.lossUnits()), version)));
        bootstrap.add(RowFactory.create(scored.toString(), evaluator.modelVersion(), definition, WATERMARK, null,
                null, null, null, null, null, null, null, null, version));
        Dataset<Row> bootstrapRows = spark.createDataFrame(bootstrap, TableSchemas.AGGREGATES);
        return histogramRows.unionByName(bootstrapRows);
    }

    private static List<Long> longs(long[] values) {
        List<Long> list = new ArrayList<>(values.length);
        for (long value : values) {
            list.add(value);
        }
        return list;
    }

    private Dataset<Row> rowsOf(String modelVersion, String definition) {
        return DeltaTables.read(spark, table).where(col("scored_table").equalTo(lit(scored.toString()))
                .and(col(TableSchemas.MODEL_VERSION).equalTo(lit(modelVersion)))
                .and(col("definition").equalTo(lit(definition))));
    }

    /** Evaluates from the table's aggregates of the model version. */
    private Evaluation read(String definition, List<ErrorExample> examples, Aggregates.Described described) {
        Dataset<Row> rows = rowsOf(described.modelVersion(), definition);
        Dataset<Row> histogram = rows.where(col("kind").equalTo(HISTOGRAM))
                .select("slice_name", "slice_value", ReviewColumns.LABEL_INDEX, "predicted_index", "score", "reviews",
                        "loss_sum");
        Map<List<String>, PoissonBootstrap.Replicates> replicates = new HashMap<>();
        int labels = described.labels().size();
        for (Row row : rows.where(col("kind").equalTo(BOOTSTRAP))
                .select("slice_name", "slice_value", "replicate_confusion", "replicate_loss_units").collectAsList()) {
            PoissonBootstrap.Replicates sums = Aggregates.replicatesOf(labels, row.getList(2), row.getList(3));
            if (sums.confusion().length > 0 && !allZero(sums.confusion())) {
                replicates.put(List.of(row.getString(0), row.getString(1)), sums);
            }
        }
        return Aggregates.fromAggregates(histogram, replicates, examples, described);
    }

    private static boolean allZero(long[] values) {
        for (long value : values) {
            if (value != 0) {
                return false;
            }
        }
        return true;
    }

}
