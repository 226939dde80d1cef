package dev.reviewscore.sink;

import io.delta.tables.DeltaMergeBuilder;
import io.delta.tables.DeltaTable;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Runs a MERGE on Delta 3 (the Spark 3.5 build): {@code execute()} returns nothing, so the row counts come from the
 * metrics of the commit the MERGE made, found by its tag, so that another job's MERGE committed at the same moment is
 * never taken for it. The Spark 4.0 build has its own copy of this class, for Delta 4.
 */
final class MergeExecution {
    private MergeExecution() {}

    /**
     * @param table the target table
     * @param before the table's version before the MERGE
     * @param commitTag the MERGE commit's user metadata
     */
    static DeltaMerge.Counts execute(DeltaMergeBuilder merge, DeltaTable table, long before, String commitTag) {
        merge.execute();
        Dataset<Row> history = table.history(100);
        List<Row> commits = history.where(history.col("operation").equalTo("MERGE")
                        .and(history.col("version").gt(before)).and(history.col("userMetadata").equalTo(commitTag)))
                .select("operationMetrics").collectAsList();
        if (commits.isEmpty() && table.history(1).select("version").first().getLong(0) == before) {
            return new DeltaMerge.Counts(0, 0, 0); // Delta 3 commits nothing for a MERGE that changes no row
        }
        if (commits.size() != 1) {
            throw new IllegalStateException("Found " + commits.size() + " MERGE commits tagged \"" + commitTag
                    + "\" among the table's last 100 commits after version " + before + "; expected one");
        }
        Map<String, String> metrics = commits.get(0).getJavaMap(0);
        return new DeltaMerge.Counts(Long.parseLong(metrics.getOrDefault("numTargetRowsInserted", "0")),
                Long.parseLong(metrics.getOrDefault("numTargetRowsUpdated", "0")),
                Long.parseLong(metrics.getOrDefault("numTargetRowsDeleted", "0")));
    }
}
