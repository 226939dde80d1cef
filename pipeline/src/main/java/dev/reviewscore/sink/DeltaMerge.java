package dev.reviewscore.sink;

import dev.reviewscore.config.TableLocation;
import java.util.ConcurrentModificationException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Upserts rows into a Delta table by key, in one commit tagged with the run, retried after a conflict with another
 * writer ({@link WriteConflicts}). Every MERGE is SQL ({@code MERGE INTO ... USING} a temporary view of the rows), the
 * interface every Delta build and Spark Connect share; its result row gives the counts on Delta 3 and 4 alike.
 */
public final class DeltaMerge {
    private static final String GUARD_FAILED = "MERGE guard failed: ";
    /** The session setting that lets a MERGE add the columns its source has and the table lacks. */
    private static final String SCHEMA_EVOLUTION = "spark.databricks.delta.schema.autoMerge.enabled";

    private DeltaMerge() {}

    /**
     * Counts from a MERGE.
     *
     * @param inserted rows inserted
     * @param updated rows updated
     * @param deleted rows deleted
     */
    public record Counts(long inserted, long updated, long deleted) {}

    /**
     * Rows whose keys match are updated, others inserted. New columns in {@code rows} are added to the table (schema
     * evolution).
     *
     * @param keys the columns identifying a row
     * @param commitTag the commit's user metadata, unique to the run
     * @return how many rows were inserted and updated
     */
    public static Counts merge(SparkSession spark, TableLocation location, Dataset<Row> rows, List<String> keys,
                               String commitTag) {
        return DeltaTables.withSessionSettings(spark, Map.of(SCHEMA_EVOLUTION, "true"), () -> execute(spark,
                location, rows, on(keys), commitTag, "merge into ",
                "WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *"));
    }

    /**
     * Deletes the table's rows that match a row of {@code rows} on {@code keys} and also satisfy {@code scope}.
     *
     * @param scope a SQL condition on the table's columns, prefixed {@code t.}
     * @return how many rows were deleted
     */
    public static Counts delete(SparkSession spark, TableLocation location, Dataset<Row> rows, List<String> keys,
                                String scope, String commitTag) {
        return execute(spark, location, rows, on(keys) + " AND (" + scope + ")", commitTag, "delete from ",
                "WHEN MATCHED THEN DELETE");
    }

    /**
     * Sets columns of the table's rows that match a row of {@code rows} on {@code keys} and also satisfy
     * {@code scope}.
     *
     * @param scope a SQL condition on the table's columns, prefixed {@code t.}
     * @param set column name to SQL expression
     * @return how many rows were updated
     */
    public static Counts update(SparkSession spark, TableLocation location, Dataset<Row> rows, List<String> keys,
                                String scope, Map<String, String> set, String commitTag) {
        return execute(spark, location, rows, on(keys) + " AND (" + scope + ")", commitTag, "update ",
                "WHEN MATCHED THEN UPDATE SET " + assignments(set));
    }

    /**
     * Inserts the rows whose keys (compared null-safe) the table does not hold yet; rows it holds stay as they are.
     * Running it again with the same rows changes nothing.
     *
     * @param rows the rows, at most one per key
     * @return how many rows were inserted
     */
    public static Counts insertAbsent(SparkSession spark, TableLocation location, Dataset<Row> rows,
                                      List<String> keys, String commitTag) {
        return execute(spark, location, rows, nullSafe(keys), commitTag, "insert into ",
                "WHEN NOT MATCHED THEN INSERT *");
    }

    /**
     * What a table must hold for a MERGE to apply: the row the source row {@code sourceRow} matches, with
     * {@code holds} true of it. A MERGE whose guard fails commits nothing and throws a
     * {@link ConcurrentModificationException}, as a conflict with another writer would.
     *
     * @param sourceRow a SQL condition over the source's {@code s.} columns that picks one source row
     * @param holds a SQL condition over the table's {@code t.} columns
     * @param message what failing it means
     */
    public record Guard(String sourceRow, String holds, String message) {}

    /**
     * Adds rows into a table by key, null-safe: where a key matches, the row is updated with {@code set} (SQL over
     * the table's {@code t.} and the rows' {@code s.} columns), else inserted; only while the table holds what
     * {@code guard} says. Run inside {@link #readModifyWrite}, which repeats the whole step after a conflict (and a
     * failed guard): this merge is not retried on its own, because rows computed from what the table held before
     * another writer's commit would be added twice.
     *
     * @return how many rows were inserted and updated
     */
    public static Counts add(SparkSession spark, TableLocation location, Dataset<Row> rows, List<String> keys,
                             Map<String, String> set, Guard guard, String commitTag) {
        String fail = "raise_error(" + DeltaTables.sqlString(GUARD_FAILED + guard.message()) + ")";
        Map<String, String> failAll = set.keySet().stream()
                .collect(Collectors.toMap(column -> column, column -> fail));
        try {
            return once(spark, location, rows, nullSafe(keys), commitTag,
                    "WHEN MATCHED AND " + guard.sourceRow() + " AND NOT (" + guard.holds() + ") THEN UPDATE SET "
                            + assignments(failAll)
                            + " WHEN MATCHED THEN UPDATE SET " + assignments(set)
                            + " WHEN NOT MATCHED AND " + guard.sourceRow() + " THEN INSERT (" + quoted(keys.get(0))
                            + ") VALUES (" + fail + ")"
                            + " WHEN NOT MATCHED THEN INSERT *");
        } catch (RuntimeException e) {
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (String.valueOf(cause.getMessage()).contains(GUARD_FAILED)) {
                    throw new ConcurrentModificationException(GUARD_FAILED + guard.message(), e);
                }
            }
            throw e;
        }
    }

    /**
     * Runs MERGEs whose source gives the same rows each time it is computed (persisted, or read at pinned table
     * versions), without Delta's copy of the source: Delta materializes a MERGE's source in case recomputing it would
     * give other rows ({@code spark.databricks.delta.merge.materializeSource}).
     */
    public static <T> T withDeterministicSource(SparkSession spark, Supplier<T> merges) {
        return DeltaTables.withSessionSettings(spark, Map.of("spark.databricks.delta.merge.materializeSource", "none"),
                merges);
    }

    /**
     * Runs a step that reads a table and writes what it read back changed, and runs it again from the start after a
     * conflict with another writer ({@link WriteConflicts}).
     *
     * @param what the step, for messages
     */
    public static <T> T readModifyWrite(String what, Supplier<T> step) {
        return WriteConflicts.retry(what, step);
    }

    private static String nullSafe(List<String> keys) {
        return keys.stream().map(key -> "t." + quoted(key) + " <=> s." + quoted(key))
                .collect(Collectors.joining(" AND "));
    }

    private static String on(List<String> keys) {
        return keys.stream().map(key -> "t." + quoted(key) + " = s." + quoted(key))
                .collect(Collectors.joining(" AND "));
    }

    private static String assignments(Map<String, String> set) {
        return set.entrySet().stream().map(column -> "t." + quoted(column.getKey()) + " = " + column.getValue())
                .collect(Collectors.joining(", "));
    }

    private static String quoted(String column) {
        return "`" + column.replace("`", "``") + "`";
    }

    private static Counts execute(SparkSession spark, TableLocation location, Dataset<Row> rows, String condition,
                                  String commitTag, String operation, String clauses) {
        return WriteConflicts.retry(operation + location,
                () -> once(spark, location, rows, condition, commitTag, clauses));
    }

    /**
     * One MERGE of {@code rows} (as the temporary view {@code s}) into the table ({@code t}), its commit tagged.
     * Delta's MERGE command returns one row: {@code num_affected_rows}, {@code num_updated_rows},
     * {@code num_deleted_rows}, {@code num_inserted_rows}.
     */
    private static Counts once(SparkSession spark, TableLocation location, Dataset<Row> rows, String condition,
                               String commitTag, String clauses) {
        String view = "reviewscore_merge_" + UUID.randomUUID().toString().replace("-", "");
        rows.createOrReplaceTempView(view);
        try {
            String merge = "MERGE INTO " + location.sqlName() + " t USING " + view + " s ON " + condition + " "
                    + clauses;
            Row counts = DeltaTables.withSessionSettings(spark, Map.of(DeltaTables.COMMIT_METADATA, commitTag),
                    () -> spark.sql(merge).first());
            return new Counts(counts.getAs("num_inserted_rows"), counts.getAs("num_updated_rows"),
                    counts.getAs("num_deleted_rows"));
        } finally {
            spark.catalog().dropTempView(view);
        }
    }
}
