package dev.reviewscore.testing;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;

import java.nio.file.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Larger review tables made of the bundled sample reviews, each copy under new ids. */
public final class SampleCopies {
    private SampleCopies() {}

    /**
     * Writes the sample {@code copies} times (columns id, text, label) as a Delta table of {@code files} files.
     *
     * @return the number of rows written
     */
    public static long write(SparkSession spark, Path table, int copies, int files) {
        Dataset<Row> sample = spark.read().option("header", "true").option("escape", "\"").option("multiLine", "true")
                .csv(TestPaths.sampleReviews().toString());
        Dataset<Row> all = null;
        for (int copy = 0; copy < copies; copy++) {
            Dataset<Row> one = sample.select(concat(col("review_id"), lit("-" + copy)).as("id"),
                    col("review").as("text"), col("label"));
            all = all == null ? one : all.unionByName(one);
        }
        all.repartition(files).write().format("delta").mode("overwrite").save(table.toString());
        return all.count();
    }
}
