package dev.reviewscore.source;

import static org.apache.spark.sql.functions.col;

import dev.reviewscore.config.TableLocation;
import java.io.FileNotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A Delta table's versions: where it stands, its rows at a version, and the rows changed between two versions
 * (Delta's change data feed, https://docs.delta.io/delta-change-data-feed/). Tables are named by path or catalog
 * name alike.
 */
public final class DeltaHistory {
    /** The change feed's column saying what a row is: insert, update_preimage, update_postimage or delete. */
    public static final String CHANGE_TYPE = "_change_type";
    /** The table property that turns the change data feed on. */
    public static final String CHANGE_FEED = "delta.enableChangeDataFeed";
    /** Delta and Spark errors that mean the changes after a version cannot be read any more. */
    private static final List<String> HISTORY_GONE = List.of("DELTA_MISSING_CHANGE_DATA",
            "DELTA_TRUNCATED_TRANSACTION_LOG", "DELTA_VERSIONS_NOT_CONTIGUOUS", "DELTA_FILE_NOT_FOUND",
            "DELTA_CHANGE_DATA_FEED_INCOMPATIBLE", "FAILED_READ_FILE", "FileNotFoundException");

    private DeltaHistory() {}

    /**
     * Where a Delta table stands.
     *
     * @param id Delta's id of the table: a table recreated under the same name gets a new one
     * @param version its latest version
     * @param changeFeed whether its change data feed is on now
     */
    public record Detail(String id, long version, boolean changeFeed) {}

    /** What Delta says of the table now, or null when it is not a Delta table. */
    public static Detail detail(SparkSession spark, TableLocation location) {
        Row row;
        try {
            row = spark.sql("DESCRIBE DETAIL " + location.sqlName()).first();
        } catch (Exception e) { // no such table, or no Delta table at the path (Spark's AnalysisException is checked)
            return null;
        }
        // a path without a Delta log has a null format, a catalog table of another format its own
        if (!"delta".equalsIgnoreCase(row.getAs("format"))) {
            return null;
        }
        Map<String, String> properties = row.getJavaMap(row.fieldIndex("properties"));
        long version = spark.sql("DESCRIBE HISTORY " + location.sqlName() + " LIMIT 1").first().getLong(0);
        return new Detail(row.getAs("id"), version, "true".equalsIgnoreCase(properties.get(CHANGE_FEED)));
    }

    /**
     * One commit of a table, as {@code DESCRIBE HISTORY} lists it.
     *
     * @param version the version the commit made
     * @param operation Delta's name of the operation ({@code MERGE}, {@code OPTIMIZE}, {@code RESTORE}, ...)
     * @param userMetadata the commit's user metadata, or null
     */
    public record Commit(long version, String operation, String userMetadata) {
        /**
         * Operations that change no row of the table: Delta's {@code DeltaOperations} says so of each operation
         * ({@code changesData} is false), whatever files they rewrite. Unity Catalog's predictive optimization runs
         * some of them (OPTIMIZE, VACUUM, statistics) on managed tables by itself.
         */
        private static final Set<String> DATA_NEUTRAL = Set.of("OPTIMIZE", "REORG", "VACUUM START", "VACUUM END",
                "SET TBLPROPERTIES", "UNSET TBLPROPERTIES", "ADD COLUMNS", "CHANGE COLUMN", "UPGRADE PROTOCOL",
                "COMPUTE STATS", "CLUSTER BY", "ROW TRACKING BACKFILL", "ADD CONSTRAINT", "DROP CONSTRAINT",
                "DROP FEATURE", "Empty Commit");

        /** Whether the commit changed no row (it compacted files, vacuumed, or changed properties or columns). */
        public boolean dataNeutral() {
            return DATA_NEUTRAL.contains(operation);
        }

        /** One line for messages: version, operation and user metadata. */
        public String describe() {
            return "version " + version + " (" + operation + (userMetadata == null ? "" : ", " + userMetadata) + ")";
        }
    }

    /** The table's commits after version {@code after} up to {@code to} (inclusive), in version order. */
    public static List<Commit> commits(SparkSession spark, TableLocation location, long after, long to) {
        if (to <= after) {
            return List.of();
        }
        // the newest commits first: a few more than asked for, in case others committed since; all when short
        List<Commit> commits = history(spark, location, " LIMIT " + (to - after + 16), after, to);
        return commits.size() == to - after ? commits : history(spark, location, "", after, to);
    }

    private static List<Commit> history(SparkSession spark, TableLocation location, String limit, long after,
                                        long to) {
        List<Commit> commits = new ArrayList<>();
        for (Row row : spark.sql("DESCRIBE HISTORY " + location.sqlName() + limit)
                .where(col("version").gt(after).and(col("version").leq(to))).orderBy("version")
                .select("version", "operation", "userMetadata").collectAsList()) {
            commits.add(new Commit(row.getLong(0), row.getString(1), row.getString(2)));
        }
        return commits;
    }

    /** Whether a row of {@link #changes} is one the table holds after its commit: inserted, or an update's new image. */
    public static Column written() {
        return col(CHANGE_TYPE).isin("insert", "update_postimage");
    }

    /** The table's rows at a version. */
    public static Dataset<Row> snapshot(SparkSession spark, TableLocation location, long version) {
        return spark.sql("SELECT * FROM " + location.sqlName() + " VERSION AS OF " + version);
    }

    /**
     * The rows changed by the commits {@code from} to {@code to} (both inclusive), with Delta's {@code _change_type}
     * ({@code insert}, {@code update_preimage}, {@code update_postimage}, {@code delete}), {@code _commit_version}
     * and {@code _commit_timestamp}. Delta checks the range when the rows are read: see {@link #historyGone}.
     */
    public static Dataset<Row> changes(SparkSession spark, TableLocation location, long from, long to) {
        // the change feed reader takes no format for a catalog table
        var reader = spark.read().option("readChangeFeed", "true").option("startingVersion", from)
                .option("endingVersion", to);
        return location.isCatalogTable() ? reader.table(location.table())
                : reader.format("delta").load(location.path());
    }

    /**
     * Whether an error from reading {@link #changes} means that they cannot be read any more: the history was
     * vacuumed or the log cleaned up, the change data feed was off for some of the versions, or the schema changed
     * in a way the feed cannot span. The error codes are those of {@code error/delta-error-classes.json} in
     * delta-spark, and Spark's {@code FAILED_READ_FILE}.
     */
    public static boolean historyGone(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof FileNotFoundException) {
                return true;
            }
            String message = String.valueOf(cause.getMessage());
            if (HISTORY_GONE.stream().anyMatch(message::contains)) {
                return true;
            }
        }
        return false;
    }
}
