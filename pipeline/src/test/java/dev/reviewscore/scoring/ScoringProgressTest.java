package dev.reviewscore.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.reviewscore.testing.TestSpark;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.junit.jupiter.api.Test;

class ScoringProgressTest {
    private final SparkSession spark = TestSpark.session();

    @Test
    void countsWhatTasksReportAndSaysHowMuchIsLeft() throws Exception {
        LongAccumulator counter = spark.sparkContext().longAccumulator("progress test");
        try (ScoringProgress progress = new ScoringProgress(spark.sparkContext(), counter, 2000, 0)) {
            assertTrue(progress.report().startsWith("Scoring: 0 of 2,000 reviews (0%), 0 reviews/s, about unknown "
                    + "left"), progress.report());
            spark.range(0, 1000, 1, 5).foreachPartition(rows -> {
                while (rows.hasNext()) {
                    rows.next();
                    counter.add(1);
                }
            });
            long deadline = System.currentTimeMillis() + 10_000;
            while (progress.scored() < 1000 && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(1000, progress.scored());
            assertTrue(progress.report().matches("Scoring: 1,000 of 2,000 reviews \\(50%\\), [0-9,]+ reviews/s, "
                    + "about .+ left"), progress.report());
        }
    }
}
