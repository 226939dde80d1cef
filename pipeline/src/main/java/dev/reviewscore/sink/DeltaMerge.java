package dev.reviewscore.sink;

import static org.apache.spark.sql.functions.expr;

import dev.reviewscore.config.TableLocation;
import io.delta.tables.DeltaMergeBuilder;
import io.delta.tables.DeltaTable;
import java.util.ConcurrentModificationException;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Upserts rows into a Delta table by key, in one commit tagged with the run, retried after a conflict with another
 * writer ({@link WriteConflicts}). How the row counts are read differs between Delta 4 and Delta 3; each Spark build
 * compiles its own {@code MergeExecution}.
 */
public final class DeltaMerge {
    private static final String GUARD_FAILED = "MERGE guard failed: ";

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
        return execute(spark, location, rows, on(keys), commitTag, "merge into ",
                merge -> merge.whenMatched().updateAll().whenNotMatched().insertAll().withSchemaEvolution());
    }

    /**
     * Deletes the table's rows that match a row of {@code rows} on {@code keys} and also satisfy {@code scope}.
     *
     * @param scope a SQL condition on the table's columns, prefixed {@code t.}
     * @return how many rows were deleted
     */
    public static Counts delete(SparkSession spark, TableLocation location, Dataset<Row> rows, List<String> keys,
                                String scope, String commitTag) {
        return execute(spark, location, rows, on(keys).and(expr(scope)), commitTag, "delete from ",
                merge -> merge.whenMatched().delete());
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
        return execute(spark, location, rows, on(keys).and(expr(scope)), commitTag, "update ",
                merge -> merge.whenMatched().updateExpr(set));
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
                merge -> merge.whenNotMatched().insertAll());
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
        Map<String, String> failAll = new java.util.HashMap<>();
        set.keySet().forEach(column -> failAll.put(column, fail));
        try {
            return once(spark, location, rows, nullSafe(keys), commitTag,
                    merge -> merge.whenMatched(guard.sourceRow() + " AND NOT (" + guard.holds() + ")")
                            .updateExpr(failAll)
                            .whenMatched().updateExpr(set)
                            .whenNotMatched(guard.sourceRow()).insertExpr(Map.of(keys.get(0), fail))
                            .whenNotMatched().insertAll());
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

    private static Column nullSafe(List<String> keys) {
        Column condition = null;
        for (String key : keys) {
            Column equal = new Column("t." + key).eqNullSafe(new Column("s." + key));
            condition = condition == null ? equal : condition.and(equal);
        }
        return condition;
    }

    private static Column on(List<String> keys) {
        Column condition = null;
        for (String key : keys) {
            Column equal = new Column("t." + key).equalTo(new Column("s." + key));
            condition = condition == null ? equal : condition.and(equal);
        }
        return condition;
    }

    private static Counts execute(SparkSession spark, TableLocation location, Dataset<Row> rows, Column condition,
                                  String commitTag, String operation, UnaryOperator<DeltaMergeBuilder> clauses) {
        return WriteConflicts.retry(operation + location,
                () -> once(spark, location, rows, condition, commitTag, clauses));
    }

    private static Counts once(SparkSession spark, TableLocation location, Dataset<Row> rows, Column condition,
                               String commitTag, UnaryOperator<DeltaMergeBuilder> clauses) {
        DeltaTable table = location.isCatalogTable() ? DeltaTable.forName(spark, location.table())
                : DeltaTable.forPath(spark, location.path());
        long before = table.history(1).select("version").first().getLong(0);
        DeltaMergeBuilder merge = clauses.apply(table.as("t").merge(rows.as("s"), condition));
        return DeltaTables.withSessionSettings(spark, Map.of(DeltaTables.COMMIT_METADATA, commitTag),
                () -> MergeExecution.execute(merge, table, before, commitTag));
    }
}
