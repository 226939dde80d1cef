package dev.reviewscore.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkException;
import org.junit.jupiter.api.Test;

/**
 * Delta's errors as a Spark Connect client receives them: an {@code INTERNAL_ERROR} that names the error class the
 * client does not know, in the form {@code SparkConnectIT} met ({@code [INTERNAL_ERROR] Cannot find main error class
 * 'DELTA_MISSING_DELTA_TABLE'}).
 */
class WriteConflictsTest {
    private static SparkException overConnect(String deltaErrorClass) {
        return SparkException.internalError("Cannot find main error class '" + deltaErrorClass + "'");
    }

    @Test
    void aDeltaErrorClassOverSparkConnectIsReadFromTheInternalErrorThatNamesIt() {
        assertEquals("DELTA_MISSING_DELTA_TABLE", WriteConflicts.errorClass(overConnect("DELTA_MISSING_DELTA_TABLE")));
        assertEquals("DELTA_MISSING_DELTA_TABLE", WriteConflicts.errorClass(
                new IllegalStateException("wrapped", overConnect("DELTA_MISSING_DELTA_TABLE"))));
        assertEquals("INTERNAL_ERROR", WriteConflicts.errorClass(SparkException.internalError("a bug")));
    }

    @Test
    void aConflictOverSparkConnectIsRetriedAndAnInternalErrorIsNot() {
        AtomicInteger tries = new AtomicInteger();
        String result = WriteConflicts.retry("merge into a test table", () -> {
            if (tries.incrementAndGet() < 3) {
                // a Spark Connect client's SparkException is thrown from Scala, unchecked; Java code wraps it here
                throw new IllegalStateException(overConnect("DELTA_CONCURRENT_APPEND"));
            }
            return "committed";
        });
        assertEquals("committed", result);
        assertEquals(3, tries.get());

        AtomicInteger once = new AtomicInteger();
        IllegalStateException bug = new IllegalStateException(SparkException.internalError("a bug"));
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> WriteConflicts.retry("merge",
                () -> {
                    once.incrementAndGet();
                    throw bug;
                }));
        assertSame(bug, thrown);
        assertEquals(1, once.get(), "not retried");
    }
}
