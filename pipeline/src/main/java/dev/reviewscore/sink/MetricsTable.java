package dev.reviewscore.sink;

import dev.reviewscore.config.TableLocation;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Appends rows to the metrics table ({@link TableSchemas#METRICS}), one row per value. */
public final class MetricsTable {
    private MetricsTable() {}

    /** Creates the table when absent and appends a run's rows, in a commit tagged {@code commitTag}. */
    public static void append(SparkSession spark, TableLocation table, List<Row> rows, String commitTag) {
        DeltaTables.ensureTable(spark, table, TableSchemas.METRICS, List.of());
        DeltaTables.append(table, spark.createDataFrame(rows, TableSchemas.METRICS), commitTag);
    }
}
