package dev.reviewscore.source;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.when;

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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads what a run has to look at: for a Delta source whose change data feed is on, only the rows changed after the
 * version the last run read up to (Delta's {@code readChangeFeed}, between that version and the current one);
 * otherwise the whole source, at a pinned version when it is Delta. A run reads the whole source, and logs why, when
 * the source is not Delta, no earlier run read it, the table was recreated, its change data feed is off, or the
 * changes cannot be read (history vacuumed, log cleaned up, the feed off for some of the versions, an incompatible
 * schema change).
 *
 * <p>Of the changes, each review id's last commit decides: the rows it inserted or updated there are read again;
 * an id whose last commit only deleted it (or moved it to another id) is deleted.
 */
public final class SourceChanges {
    private static final Logger LOG = LoggerFactory.getLogger(SourceChanges.class);
    private static final String COMMIT_VERSION = "_commit_version";
    private static final String COMMIT_TIMESTAMP = "_commit_timestamp";
    private static final String LAST_VERSION = "__last_version";

    private SourceChanges() {}

    /**
     * The rows a run reads.
     *
     * @param rows the source's rows to look at, in the source's own columns
     * @param deletedIds the ids (column {@code review_id}, as strings) the source deleted in the range; null when the
     *     whole source was read, which tells nothing about deletes
     * @param range what was read
     */
    public record Read(Dataset<Row> rows, Dataset<Row> deletedIds, SourceRange range) {}

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
     * @param last where the last successful run of this model version stopped, or null when there was none
     * @param wholeBecause why the whole source must be read (a full rescore, {@code scoring.read-changes = false}),
     *     or null to read only changes where the source allows it
     */
    public static Read read(SparkSession spark, SourceConfig config, ReadPoint last, String wholeBecause) {
        DeltaHistory.Detail detail = detail(spark, config);
        if (detail == null) {
            return whole(spark, config, null, "the source is not a Delta table, so its changes are unknown");
        }
        if (wholeBecause != null) {
            return whole(spark, config, detail, wholeBecause);
        }
        if (last == null) {
            return whole(spark, config, detail, "no earlier run of this model version into this scored table read "
                    + "the source");
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
                    detail.version() + 1, detail.version(), null));
        }
        long from = last.version() + 1;
        Dataset<Row> changes;
        try {
            changes = DeltaHistory.changes(spark, config.location(), from, detail.version());
            changes.count();
        } catch (Exception e) { // Spark's SparkException is checked, and Scala does not declare it
            if (!DeltaHistory.historyGone(e)) {
                throw e;
            }
            LOG.warn("Cannot read the changes of {} after version {}, so this run compares the whole source with the "
                    + "scored table; reviews deleted from the source since then keep their scores: {}",
                    config.location(), last.version(), ReviewSource.firstLine(e));
            return whole(spark, config, detail, "the changes after version " + last.version() + " cannot be read "
                    + "any more: the history was vacuumed or cleaned up, the change data feed was off for some of those "
                    + "versions, or the schema changed");
        }
        Column id = col(ReviewSource.quote(config.columns().id()));
        Dataset<Row> lastCommit = changes
                .withColumn(LAST_VERSION, max(col(COMMIT_VERSION)).over(Window.partitionBy(id)))
                .where(col(COMMIT_VERSION).equalTo(col(LAST_VERSION)).or(id.isNull()));
        Dataset<Row> rows = lastCommit.where(DeltaHistory.written())
                .drop(DeltaHistory.CHANGE_TYPE, COMMIT_VERSION, COMMIT_TIMESTAMP, LAST_VERSION);
        SourceRange range = new SourceRange(SourceRange.CHANGES, detail.id(), from, detail.version(), null);
        LOG.info("Reading {}: {}", config.location(), range.describe());
        return new Read(rows, deletedIds(lastCommit, config), range);
    }

    /** Ids whose last change deleted them (or moved their row to another id). */
    private static Dataset<Row> deletedIds(Dataset<Row> lastCommit, SourceConfig config) {
        Column id = col(ReviewSource.quote(config.columns().id()));
        Column kept = DeltaHistory.written();
        return lastCommit.where(id.isNotNull())
                .groupBy(id.cast(DataTypes.StringType).as(ReviewColumns.REVIEW_ID))
                .agg(max(when(kept, lit(1)).otherwise(lit(0))).as("__kept"))
                .where(col("__kept").equalTo(0)).select(ReviewColumns.REVIEW_ID);
    }

    private static Read whole(SparkSession spark, SourceConfig config, DeltaHistory.Detail detail,
                              String reason) {
        SourceRange range = new SourceRange(SourceRange.ALL, detail == null ? null : detail.id(), null,
                detail == null ? null : detail.version(), reason);
        LOG.info("Reading {}: {}", config.location(), range.describe());
        Dataset<Row> rows = detail == null ? ReviewSource.read(spark, config)
                : DeltaHistory.snapshot(spark, config.location(), detail.version());
        return new Read(rows, null, range);
    }

    /** What Delta says of the source table, or null when it is not a Delta table. */
    private static DeltaHistory.Detail detail(SparkSession spark, SourceConfig config) {
        if (!config.location().isCatalogTable() && config.format() != SourceFormat.DELTA) {
            return null;
        }
        return DeltaHistory.detail(spark, config.location());
    }
}
