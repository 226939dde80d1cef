package dev.reviewscore.sink;

import io.delta.tables.DeltaMergeBuilder;
import io.delta.tables.DeltaTable;
import org.apache.spark.sql.Row;

/**
 * Runs a MERGE on Delta 4 (the Spark 4.0 build): {@code execute()} returns the MERGE's row counts as a one-row
 * Dataset. The Spark 3.5 build has its own copy of this class, for Delta 3.
 */
final class MergeExecution {
    private MergeExecution() {}

    /**
     * @param table the target table
     * @param before the table's version before the MERGE
     * @param commitTag the MERGE commit's user metadata
     */
    static DeltaMerge.Counts execute(DeltaMergeBuilder merge, DeltaTable table, long before, String commitTag) {
        Row counts = merge.execute().first();
        return new DeltaMerge.Counts(counts.getAs("num_inserted_rows"), counts.getAs("num_updated_rows"),
                counts.getAs("num_deleted_rows"));
    }
}
