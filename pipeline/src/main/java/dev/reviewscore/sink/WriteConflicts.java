package dev.reviewscore.sink;

import dev.reviewscore.InvalidInputException;
import java.util.ConcurrentModificationException;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkThrowable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retry policy of Delta writes that lose a race with another writer, a bounded number of times. A failed Delta
 * commit writes nothing, so MERGE, append and replace are safe to run again. Errors are told apart by type and by
 * Spark's error classes ({@link SparkThrowable#getErrorClass()}, which Delta's exceptions carry), never by message,
 * with one exception: a Spark Connect client turns an error class it does not know (every one of Delta's) into
 * {@code INTERNAL_ERROR}, and names the class only in that error's message ({@link #errorClass}).
 */
final class WriteConflicts {
    private static final Logger LOG = LoggerFactory.getLogger(WriteConflicts.class);
    /** Tries of a write, the first one included. */
    static final int ATTEMPTS = 5;
    /**
     * The error classes of Delta's conflict exceptions (its {@code ConcurrentModificationException}s), which is all a
     * Spark Connect client learns of them: their type stays on the server.
     */
    private static final Set<String> CONFLICT = Set.of("DELTA_CONCURRENT_APPEND", "DELTA_CONCURRENT_DELETE_DELETE",
            "DELTA_CONCURRENT_DELETE_READ", "DELTA_CONCURRENT_TRANSACTION", "DELTA_CONCURRENT_WRITE",
            "DELTA_METADATA_CHANGED", "DELTA_PROTOCOL_CHANGED");
    /** Another job is creating the same table at this moment: its first commit is not visible yet. */
    private static final Set<String> TABLE_BEING_CREATED = Set.of("DELTA_TABLE_NOT_FOUND",
            "DELTA_TABLE_ALREADY_EXISTS");
    /**
     * A folder with files but no Delta log: a user's mistake, or another job's table while it is being created. Delta
     * says so in one of these ways, depending on the operation; {@code CREATE TABLE delta.`path`} fails with Spark's
     * {@code TABLE_OR_VIEW_ALREADY_EXISTS}.
     */
    private static final Set<String> FOLDER_WITHOUT_TABLE = Set.of("DELTA_CREATE_TABLE_WITH_NON_EMPTY_LOCATION",
            "DELTA_MISSING_DELTA_TABLE", "TABLE_OR_VIEW_ALREADY_EXISTS");

    /** How a Spark Connect client's {@code INTERNAL_ERROR} names an error class it does not know. */
    private static final Pattern UNKNOWN_CLASS = Pattern.compile("Cannot find main error class '([A-Z0-9_.]+)'");

    private WriteConflicts() {}

    /**
     * Runs a write, again after a conflict: Delta's concurrent-modification exceptions, and a table another job is
     * creating at this moment.
     *
     * @param what the write, for messages (its location as {@code TableLocation} prints it: credentials masked)
     * @throws InvalidInputException when the target is a folder that still is no Delta table after every try
     * @throws IllegalStateException when every try conflicted with another writer
     */
    static <T> T retry(String what, Supplier<T> write) {
        for (int attempt = 1; ; attempt++) {
            try {
                return write.get();
            } catch (Exception e) {
                // Delta's AnalysisExceptions are checked exceptions thrown from Scala; the rethrow stays precise
                String errorClass = errorClass(e);
                boolean folderWithoutTable = errorClass != null && FOLDER_WITHOUT_TABLE.contains(errorClass);
                if (!(e instanceof ConcurrentModificationException
                        || (errorClass != null && CONFLICT.contains(errorClass.split("\\.")[0]))
                        || (errorClass != null && TABLE_BEING_CREATED.contains(errorClass))
                        || folderWithoutTable)) {
                    throw e;
                }
                if (attempt >= ATTEMPTS && folderWithoutTable) {
                    throw new InvalidInputException("Cannot " + what + ": the folder exists, is not empty, and is not "
                            + "a Delta table. Fix: point the output.* setting at an empty folder or a Delta table.", e);
                }
                if (attempt >= ATTEMPTS) {
                    throw new IllegalStateException("Gave up on " + what + " after " + ATTEMPTS + " attempts: "
                            + "another job kept committing to the same table (" + e.getClass().getSimpleName()
                            + "). Run the jobs one after another, or give each its own output table.", e);
                }
                LOG.warn("{} conflicted with another writer ({}); retrying ({}/{})", what,
                        errorClass != null ? errorClass : e.getClass().getSimpleName(), attempt, ATTEMPTS - 1);
                try {
                    Thread.sleep(200L * attempt + (long) (Math.random() * 200));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("Interrupted while retrying " + what, interrupted);
                }
            }
        }
    }

    /**
     * The Spark error class of the failure or of its first cause that has one, else null. A Spark Connect client
     * knows only Spark's own error classes: one it does not know (Delta's) reaches it as {@code INTERNAL_ERROR} whose
     * message names the class, and that class is returned.
     */
    static String errorClass(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SparkThrowable spark && spark.getErrorClass() != null) {
                Matcher unknown = UNKNOWN_CLASS.matcher(String.valueOf(cause.getMessage()));
                return "INTERNAL_ERROR".equals(spark.getErrorClass()) && unknown.find() ? unknown.group(1)
                        : spark.getErrorClass();
            }
        }
        return null;
    }
}
