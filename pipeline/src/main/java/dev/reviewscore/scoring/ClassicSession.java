package dev.reviewscore.scoring;

import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the scoring job does only where the driver holds a SparkContext (a classic session: spark-submit, YARN, local,
 * a dedicated Databricks cluster): it names each step's Spark jobs in the Spark UI, and reports scoring progress while
 * tasks run ({@link ScoringProgress}). A Spark Connect session has no SparkContext (its {@code sparkContext()} throws
 * {@link UnsupportedOperationException}); there the job runs the same without either, and its counts come when the
 * scoring pass ends. This is the one place the job touches the SparkContext.
 */
final class ClassicSession {
    private static final Logger LOG = LoggerFactory.getLogger(ClassicSession.class);

    private final SparkContext context;

    private ClassicSession(SparkContext context) {
        this.context = context;
    }

    /** The session's SparkContext, or none over Spark Connect. */
    static ClassicSession of(SparkSession spark) {
        try {
            return new ClassicSession(spark.sparkContext());
        } catch (UnsupportedOperationException e) {
            LOG.info("This Spark session has no SparkContext (Spark Connect): the scoring job's Spark jobs keep "
                    + "Spark's own names, and scoring progress is reported when the pass ends");
            return new ClassicSession(null);
        }
    }

    /** Names the Spark jobs this thread starts next (null: Spark's own names again). */
    void describeJobs(String description) {
        if (context != null) {
            context.setJobDescription(description);
        }
    }

    /** An accumulator that scoring tasks add the reviews they handle to, or null over Spark Connect. */
    LongAccumulator counter() {
        return context == null ? null : context.longAccumulator("reviewscore reviews scored");
    }

    /**
     * Reports progress of {@code total} reviews every {@code intervalSeconds}, from {@code counter}; over Spark
     * Connect (a null counter) reports only when closed.
     */
    ScoringProgress progress(LongAccumulator counter, long total, int intervalSeconds) {
        return new ScoringProgress(context, counter, total, intervalSeconds);
    }
}
