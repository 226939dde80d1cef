package dev.reviewscore.source;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;

import dev.reviewscore.ErrorMessages;
import dev.reviewscore.config.SourceConfig;
import dev.reviewscore.config.SourceFormat;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads what a run has to look at: for a Delta source whose change data feed is on, only the reviews changed after
 * the version the last run read up to (Delta's {@code readChangeFeed}, between that version and the current one);
 * otherwise the whole source, at a pinned version when it is Delta. A run reads the whole source, and logs why, when
 * the source is not Delta, the caller asks for it (no usable read state, a full rescore), the table was recreated, its
 * change data feed is off, or the changes cannot be read (history vacuumed, log cleaned up, the feed off for some of
 * the versions, an incompatible schema change).
 *
 * <p>The changes only say which review ids changed. What a changed id holds now is decided per id: the rows its last
 * commit wrote, when the table holds as many rows of that id (they all survive: no later commit touched it);
 * otherwise (a second copy inserted beside an older row, one of two copies deleted) its rows as the table holds them.
 * An id the table no longer holds is deleted.
 */
public final class SourceChanges {
    private static final Logger LOG = LoggerFactory.getLogger(SourceChanges.class);
    private static final String COMMIT_VERSION = "_commit_version";
    private static final String COMMIT_TIMESTAMP = "_commit_timestamp";
    private static final String LAST_VERSION = "__last_version";
    private static final String CHANGED_ID = "__changed_id";
    private static final String WRITTEN = "__written";
    private static final String HELD = "__held";

    private SourceChanges() {}

    /**
     * The rows a run reads; closing it releases the changes it keeps.
     *
     * @param rows the source's rows to look at, in the source's own columns
     * @param deletedIds the ids (column {@code review_id}, as strings) the source no longer holds after changing
     *     them; null when the whole source was read (then every id it holds is among the rows)
     * @param range what was read
     * @param kept data sets kept (persisted) for the run
     */
    public record Read(Dataset<Row> rows, Dataset<Row> deletedIds, SourceRange range, List<Dataset<Row>> kept)
            implements AutoCloseable {
        /** Whether the rows are every row of a Delta table at one version: the ids it lacks are gone from it. */
        public boolean wholeDeltaTable() {
            return deletedIds == null && range.toVersion() != null;
        }

        @Override
        public void close() {
            kept.forEach(Dataset::unpersist);
        }
    }

    /**
     * Where the last run's read stopped.
     *
     * @param tableId Delta's id of the source table then
     * @param version the version read up to (inclusive)
     */
    public record ReadPoint(String tableId, long version) {}

    /**
     * Reads the source.
     *
     * @param last where the last successful run of this model version stopped, or null when the whole source must be
     *     read (then {@code wholeBecause} says why)
     * @param wholeBecause why the whole source must be read, or null to read only changes where the source allows it
     */
    public static Read read(SparkSession spark, SourceConfig config, ReadPoint last, String wholeBecause) {
        DeltaHistory.Detail detail = detail(spark, config);
        if (detail == null) {
            return whole(spark, config, null, "the source is not a Delta table, so its changes are unknown");
        }
        if (wholeBecause != null || last == null) {
            return whole(spark, config, detail, wholeBecause);
        }
        if (!last.tableId().equals(detail.id())) {
            return whole(spark, config, detail, "the source table was recreated: its Delta id is " + detail.id()
                    + ", the last run read " + last.tableId());
        }
        if (last.version() > detail.version()) {
            return whole(spark, config, detail, "the source is at version " + detail.version()
                    + ", before the version " + last.version() + " the last run read");
        }
        if (!detail.changeFeed()) {
            return whole(spark, config, detail, "its change data feed is off; ALTER TABLE ... SET TBLPROPERTIES ("
                    + DeltaHistory.CHANGE_FEED + " = true) makes later runs read only what changed");
        }
        if (last.version() == detail.version()) {
            Dataset<Row> none = DeltaHistory.snapshot(spark, config.location(), detail.version()).limit(0);
            Dataset<Row> noIds = spark.createDataFrame(List.of(),
                    new StructType().add(ReviewColumns.REVIEW_ID, DataTypes.StringType));
            return new Read(none, noIds, new SourceRange(SourceRange.CHANGES, detail.id(),
                    detail.version() + 1, detail.version(), null), List.of());
        }
        long from = last.version() + 1;
        Dataset<Row> changes = null;
        try {
            changes = DeltaHistory.changes(spark, config.location(), from, detail.version())
                    .persist(StorageLevel.MEMORY_AND_DISK());
            changes.count();
        } catch (Exception e) { // Spark's SparkException is checked, and Scala does not declare it
            if (changes != null) {
                changes.unpersist();
            }
            if (!DeltaHistory.historyGone(e)) {
                throw e;
            }
            LOG.warn("Cannot read the changes of {} after version {}, so this run compares the whole source with the "
                    + "scored table: {}", config.location(), last.version(), ErrorMessages.firstLine(e));
            return whole(spark, config, detail, "the changes after version " + last.version() + " cannot be read "
                    + "any more: the history was vacuumed or cleaned up, the change data feed was off for some of "
                    + "those versions, or the schema changed");
        }
        SourceRange range = new SourceRange(SourceRange.CHANGES, detail.id(), from, detail.version(), null);
        LOG.info("Reading {}: {}", config.location(), range.describe());
        return current(spark, config, changes, detail.version(), range);
    }

    /**
     * The current rows of the ids the changes touch, and the touched ids the table no longer holds. Of the table at
     * {@code version} only the id column is read, but for the few ids whose rows cannot be told from the changes.
     * Rows without an id are read as the changes wrote them (they are rejected).
     */
    private static Read current(SparkSession spark, SourceConfig config, Dataset<Row> changes, long version,
                                SourceRange range) {
        Column id = col(ReviewSource.quote(config.columns().id()));
        Column idValue = id.cast(DataTypes.StringType);
        Dataset<Row> withId = changes.where(id.isNotNull());
        Dataset<Row> written = withId
                .withColumn(LAST_VERSION, max(col(COMMIT_VERSION)).over(Window.partitionBy(id)))
                .where(col(COMMIT_VERSION).equalTo(col(LAST_VERSION)).and(DeltaHistory.written()))
                .drop(DeltaHistory.CHANGE_TYPE, COMMIT_VERSION, COMMIT_TIMESTAMP, LAST_VERSION);
        Dataset<Row> changed = withId.select(idValue.as(CHANGED_ID)).distinct();
        Dataset<Row> table = DeltaHistory.snapshot(spark, config.location(), version);
        Dataset<Row> counts = changed
                .join(written.groupBy(idValue.as(CHANGED_ID)).agg(count(lit(1)).as(WRITTEN)), CHANGED_ID, "left")
                .join(table.select(idValue.as(CHANGED_ID)).join(changed, CHANGED_ID, "left_semi")
                        .groupBy(CHANGED_ID).agg(count(lit(1)).as(HELD)), CHANGED_ID, "left")
                .persist(StorageLevel.MEMORY_AND_DISK());
        Dataset<Row> deleted = counts.where(col(HELD).isNull()).select(col(CHANGED_ID).as(ReviewColumns.REVIEW_ID));
        Dataset<Row> reread = counts.where(col(HELD).isNotNull()
                .and(coalesce(col(WRITTEN), lit(0L)).notEqual(col(HELD)))).select(CHANGED_ID);
        Dataset<Row> rows = changes.where(id.isNull().and(DeltaHistory.written()))
                .drop(DeltaHistory.CHANGE_TYPE, COMMIT_VERSION, COMMIT_TIMESTAMP)
                .unionByName(written, true);
        if (!reread.isEmpty()) {
            LOG.info("Reading {} review ids of {} at version {} from the table: the changes do not tell all of their "
                    + "rows", reread.count(), config.location(), version);
            rows = rows.join(reread, idValue.equalTo(col(CHANGED_ID)), "left_anti")
                    .unionByName(table.join(reread, idValue.equalTo(col(CHANGED_ID)), "left_semi"), true);
        }
        return new Read(rows, deleted, range, List.of(changes, counts));
    }

    private static Read whole(SparkSession spark, SourceConfig config, DeltaHistory.Detail detail,
                              String reason) {
        SourceRange range = new SourceRange(SourceRange.ALL, detail == null ? null : detail.id(), null,
                detail == null ? null : detail.version(), reason);
        LOG.info("Reading {}: {}", config.location(), range.describe());
        Dataset<Row> rows = detail == null ? ReviewSource.read(spark, config)
                : DeltaHistory.snapshot(spark, config.location(), detail.version());
        return new Read(rows, null, range, List.of());
    }

    /** What Delta says of the source table, or null when it is not a Delta table. */
    private static DeltaHistory.Detail detail(SparkSession spark, SourceConfig config) {
        if (!config.location().isCatalogTable() && config.format() != SourceFormat.DELTA) {
            return null;
        }
        return DeltaHistory.detail(spark, config.location());
    }
}
