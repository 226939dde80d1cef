package dev.reviewscore.sink;

import dev.reviewscore.InvalidInputException;
import dev.reviewscore.config.TableLocation;
import io.delta.tables.DeltaMergeBuilder;
import io.delta.tables.DeltaTable;
import io.delta.tables.DeltaTableBuilder;
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates, reads and writes the pipeline's Delta tables, by path or catalog name. Writes that lose a race with
 * another writer (Delta's optimistic concurrency conflicts) are retried a bounded number of times; MERGE and append
 * are safe to retry because a failed commit writes nothing. Every MERGE and append commit carries a tag naming the
 * run as its user metadata ({@code userMetadata} in {@code DESCRIBE HISTORY}).
 */
public final class DeltaTables {
    private static final Logger LOG = LoggerFactory.getLogger(DeltaTables.class);
    private static final int ATTEMPTS = 5;
    /** The session setting Delta copies into the user metadata of the commits made while it is set. */
    private static final String COMMIT_METADATA = "spark.databricks.delta.commitInfo.userMetadata";

    private DeltaTables() {}

    /**
     * Counts from a MERGE.
     *
     * @param inserted rows inserted
     * @param updated rows updated
     */
    public record MergeCounts(long inserted, long updated) {}

    /** Whether the table exists (as a Delta table, for paths). */
    public static boolean exists(SparkSession spark, TableLocation location) {
        return location.isCatalogTable() ? spark.catalog().tableExists(location.table())
                : DeltaTable.isDeltaTable(spark, location.path());
    }

    /** Reads the table. */
    public static Dataset<Row> read(SparkSession spark, TableLocation location) {
        return location.isCatalogTable() ? spark.table(location.table())
                : spark.read().format("delta").load(location.path());
    }

    /**
     * Creates the table when it is absent, with column comments, partitioning and the schema version property.
     * An existing table of an earlier schema version is upgraded: the columns it lacks are added (null in its
     * existing rows) and its version property is raised. A table of a later version fails with a message saying so.
     *
     * @param schema the table's columns (comments taken from field metadata)
     * @param partitionBy partition columns, used only at creation
     */
    public static void ensureTable(SparkSession spark, TableLocation location, StructType schema,
                                   List<String> partitionBy) {
        if (exists(spark, location)) {
            upgrade(spark, location, schema);
            return;
        }
        for (String column : partitionBy) {
            if (!List.of(schema.fieldNames()).contains(column)) {
                throw new InvalidInputException("Invalid configuration: output.partition-by names \"" + column
                        + "\", not a column of the table at " + location + ". Fix: use columns of "
                        + List.of(schema.fieldNames()) + ".");
            }
        }
        if (location.isCatalogTable()) {
            // SQL, not DeltaTableBuilder.tableName, which takes two-part names only (no catalog.schema.table)
            String ddl = "CREATE TABLE IF NOT EXISTS " + location.table() + " (" + schema.toDDL() + ") USING delta"
                    + (partitionBy.isEmpty() ? "" : " PARTITIONED BY (" + String.join(", ", partitionBy) + ")")
                    + " TBLPROPERTIES ('" + TableSchemas.VERSION_PROPERTY + "' = '" + TableSchemas.VERSION + "')";
            withRetries("create " + location, () -> spark.sql(ddl));
            LOG.info("Created Delta table {}", location);
            return;
        }
        DeltaTableBuilder builder = DeltaTable.createIfNotExists(spark).location(location.path());
        for (StructField field : schema.fields()) {
            builder = builder.addColumn(field);
        }
        if (!partitionBy.isEmpty()) {
            builder = builder.partitionedBy(partitionBy.toArray(new String[0]));
        }
        DeltaTableBuilder create = builder.property(TableSchemas.VERSION_PROPERTY,
                Integer.toString(TableSchemas.VERSION));
        withRetries("create " + location, () -> create.execute());
        LOG.info("Created Delta table {}", location);
    }

    private static void upgrade(SparkSession spark, TableLocation location, StructType schema) {
        Dataset<Row> properties = spark.sql("SHOW TBLPROPERTIES " + sqlName(location));
        List<Row> version = properties.where(properties.col("key").equalTo(TableSchemas.VERSION_PROPERTY))
                .collectAsList();
        String found = version.isEmpty() ? null : version.get(0).getString(1);
        if (found == null || found.equals(Integer.toString(TableSchemas.VERSION))) {
            return;
        }
        if (!found.matches("\\d{1,9}") || Integer.parseInt(found) > TableSchemas.VERSION) {
            throw new InvalidInputException("Table " + location + " has schema version " + found + ", but this "
                    + "version of the pipeline writes schema version " + TableSchemas.VERSION + " and cannot write to "
                    + "a later one. Fix: run the pipeline version that wrote it, or write to a new table.");
        }
        List<String> present = List.of(read(spark, location).schema().fieldNames());
        List<String> added = new ArrayList<>();
        for (StructField field : schema.fields()) {
            if (!present.contains(field.name())) {
                String comment = field.getComment().isDefined() ? " COMMENT " + sqlString(field.getComment().get())
                        : "";
                String ddl = "ALTER TABLE " + sqlName(location) + " ADD COLUMNS (`" + field.name() + "` "
                        + field.dataType().sql() + comment + ")";
                withRetries("upgrade " + location, () -> spark.sql(ddl));
                added.add(field.name());
            }
        }
        withRetries("upgrade " + location, () -> spark.sql("ALTER TABLE " + sqlName(location)
                + " SET TBLPROPERTIES ('" + TableSchemas.VERSION_PROPERTY + "' = '" + TableSchemas.VERSION + "')"));
        LOG.info("Upgraded {} from schema version {} to {}: added columns {}", location, found, TableSchemas.VERSION,
                added);
    }

    /**
     * Upserts rows: rows whose keys match are updated, others inserted. New columns in {@code rows} are added to
     * the table (schema evolution).
     *
     * @param keys the columns identifying a row
     * @param commitTag the commit's user metadata, unique to the run
     * @return how many rows were inserted and updated
     */
    public static MergeCounts merge(SparkSession spark, TableLocation location, Dataset<Row> rows,
                                    List<String> keys, String commitTag) {
        return withRetries("merge into " + location, () -> {
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
            Object outcome = withSessionSettings(spark, Map.of(COMMIT_METADATA, commitTag), () -> execute(merge));
            return countsOf(outcome, table, before, commitTag);
        });
    }

    /**
     * Runs {@code body} with session settings changed, then restores them. A session runs one job at a time: two
     * jobs sharing a session concurrently would see each other's settings.
     */
    public static <T> T withSessionSettings(SparkSession spark, Map<String, String> settings, Supplier<T> body) {
        Map<String, String> before = new HashMap<>();
        settings.forEach((key, value) -> {
            before.put(key, spark.conf().contains(key) ? spark.conf().get(key) : null);
            spark.conf().set(key, value);
        });
        try {
            return body.get();
        } finally {
            before.forEach((key, value) -> {
                if (value == null) {
                    spark.conf().unset(key);
                } else {
                    spark.conf().set(key, value);
                }
            });
        }
    }

    /**
     * Runs a MERGE. Delta 4 returns its row counts as a one-row Dataset; Delta 3 (the Spark 3.5 build) returns
     * nothing, so the call goes through reflection to compile against both.
     */
    private static Object execute(DeltaMergeBuilder merge) {
        try {
            return DeltaMergeBuilder.class.getMethod("execute").invoke(merge);
        } catch (java.lang.reflect.InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException("MERGE failed", cause);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("This Delta version has no DeltaMergeBuilder.execute()", e);
        }
    }

    /**
     * The MERGE's counts: from its result (Delta 4), else from the metrics of the commit it made (Delta 3), found by
     * its tag, so that another job's MERGE committed at the same moment is never taken for it.
     */
    private static MergeCounts countsOf(Object outcome, DeltaTable table, long before, String commitTag) {
        if (outcome instanceof Dataset<?> result) {
            Row metrics = (Row) result.first();
            return new MergeCounts(metrics.getAs("num_inserted_rows"), metrics.getAs("num_updated_rows"));
        }
        Dataset<Row> history = table.history(100);
        List<Row> commits = history.where(history.col("operation").equalTo("MERGE")
                        .and(history.col("version").gt(before)).and(history.col("userMetadata").equalTo(commitTag)))
                .select("operationMetrics").collectAsList();
        if (commits.size() != 1) {
            throw new IllegalStateException("Found " + commits.size() + " MERGE commits tagged \"" + commitTag
                    + "\" among the table's last 100 commits after version " + before + "; expected one");
        }
        Map<String, String> metrics = commits.get(0).getJavaMap(0);
        return new MergeCounts(Long.parseLong(metrics.getOrDefault("numTargetRowsInserted", "0")),
                Long.parseLong(metrics.getOrDefault("numTargetRowsUpdated", "0")));
    }

    /**
     * Replaces the rows matching a condition with {@code rows} in one commit (Delta's selective overwrite,
     * {@code replaceWhere}); every row written must match the condition.
     *
     * @param condition a SQL predicate over the table's columns
     */
    public static void replace(TableLocation location, Dataset<Row> rows, String condition, String commitTag) {
        withRetries("replace rows of " + location, () -> {
            save(location, rows.write().format("delta").mode("overwrite").option("replaceWhere", condition)
                    .option("userMetadata", commitTag));
            return null;
        });
    }

    /** A SQL string literal of {@code value}. */
    public static String sqlString(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    /** Appends rows in a commit whose user metadata is {@code commitTag}. */
    public static void append(TableLocation location, Dataset<Row> rows, String commitTag) {
        withRetries("append to " + location, () -> {
            save(location, rows.write().format("delta").mode("append").option("mergeSchema", "true")
                    .option("userMetadata", commitTag));
            return null;
        });
    }

    private static void save(TableLocation location, DataFrameWriter<Row> writer) {
        if (location.isCatalogTable()) {
            writer.saveAsTable(location.table());
        } else {
            writer.save(location.path());
        }
    }

    /** The table as SQL can name it. */
    public static String sqlName(TableLocation location) {
        return location.isCatalogTable() ? location.table() : "delta.`" + location.path().replace("`", "``") + "`";
    }

    /**
     * Runs a write, again after a conflict with another writer: Delta's concurrent-modification exceptions, and a
     * table that another job is creating at this moment (its folder there, its first commit not yet visible).
     */
    private static <T> T withRetries(String what, Supplier<T> write) {
        for (int attempt = 1; ; attempt++) {
            try {
                return write.get();
            } catch (Exception e) {
                // Delta's AnalysisExceptions are checked exceptions thrown from Scala; the rethrow stays precise
                if (!isConflict(e)) {
                    throw e;
                }
                if (attempt >= ATTEMPTS && isFolderWithoutTable(e)) {
                    throw new InvalidInputException("Cannot " + what + ": the folder exists, is not empty, and is not "
                            + "a Delta table. Fix: point the output.* setting at an empty folder or a Delta table.", e);
                }
                if (attempt >= ATTEMPTS) {
                    throw new IllegalStateException("Gave up on " + what + " after " + ATTEMPTS + " attempts: "
                            + "another job kept committing to the same table (" + e.getClass().getSimpleName()
                            + "). Run the jobs one after another, or give each its own output table.", e);
                }
                LOG.warn("{} conflicted with another writer ({}); retrying ({}/{})", what,
                        e.getClass().getSimpleName(), attempt, ATTEMPTS - 1);
                try {
                    Thread.sleep(200L * attempt + (long) (Math.random() * 200));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("Interrupted while retrying " + what, interrupted);
                }
            }
        }
    }

    private static boolean isConflict(Exception e) {
        String message = String.valueOf(e.getMessage());
        return e instanceof ConcurrentModificationException || message.contains("DELTA_TABLE_NOT_FOUND")
                || message.contains("DELTA_TABLE_ALREADY_EXISTS") || isFolderWithoutTable(e);
    }

    /** A folder with files but no Delta log: a user's mistake, or another job's table while it is being created. */
    private static boolean isFolderWithoutTable(Exception e) {
        String message = String.valueOf(e.getMessage());
        return message.contains("DELTA_CREATE_TABLE_WITH_NON_EMPTY_LOCATION")
                || message.contains("DELTA_MISSING_DELTA_TABLE");
    }
}
