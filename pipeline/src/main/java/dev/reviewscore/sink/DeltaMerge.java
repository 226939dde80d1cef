package dev.reviewscore.sink;

import dev.reviewscore.config.TableLocation;
import io.delta.tables.DeltaMergeBuilder;
import io.delta.tables.DeltaTable;
import java.util.List;
import java.util.Map;
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
    private DeltaMerge() {}

    /**
     * Counts from a MERGE.
     *
     * @param inserted rows inserted
     * @param updated rows updated
     */
    public record Counts(long inserted, long updated) {}

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
        return WriteConflicts.retry("merge into " + location, () -> {
            Column condition = null;
            for (String key : keys) {
                Column equal = new Column("t." + key).equalTo(new Column("s." + key));
                condition = condition == null ? equal : condition.and(equal);
            }
            DeltaTable table = location.isCatalogTable() ? DeltaTable.forName(spark, location.table())
                    : DeltaTable.forPath(spark, location.path());
            long before = table.history(1).select("version").first().getLong(0);
            DeltaMergeBuilder merge = table.as("t").merge(rows.as("s"), condition)
                    .whenMatched().updateAll()
                    .whenNotMatched().insertAll()
                    .withSchemaEvolution();
            return DeltaTables.withSessionSettings(spark, Map.of(DeltaTables.COMMIT_METADATA, commitTag),
                    () -> MergeExecution.execute(merge, table, before, commitTag));
        });
    }
}
