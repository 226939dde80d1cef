package dev.reviewscore.sink;

import dev.reviewscore.InvalidInputException;
import dev.reviewscore.config.TableLocation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates, reads, appends to and replaces rows of the pipeline's Delta tables, by path or catalog name ({@link
 * DeltaMerge} upserts). Writes that lose a race with another writer are retried ({@link WriteConflicts}). Every write
 * commit carries a tag naming the run as its user metadata ({@code userMetadata} in {@code DESCRIBE HISTORY}).
 */
public final class DeltaTables {
    private static final Logger LOG = LoggerFactory.getLogger(DeltaTables.class);
    /** The session setting Delta copies into the user metadata of the commits made while it is set. */
    static final String COMMIT_METADATA = "spark.databricks.delta.commitInfo.userMetadata";
    /** The table property naming the columns whose per-file min/max statistics Delta collects. */
    public static final String STATS_COLUMNS = "delta.dataSkippingStatsColumns";

    private DeltaTables() {}

    /** Whether the table exists (as a Delta table, for paths). */
    public static boolean exists(SparkSession spark, TableLocation location) {
        return location.isCatalogTable() ? spark.catalog().tableExists(location.table())
                : properties(spark, location) != null;
    }

    /**
     * The table's properties ({@code SHOW TBLPROPERTIES}), or null when there is no such table (no Delta table, for
     * paths). Unlike {@code DESCRIBE DETAIL}, this reads no file list: a table just written needs no state rebuilt.
     */
    private static Map<String, String> properties(SparkSession spark, TableLocation location) {
        if (location.isCatalogTable() && !spark.catalog().tableExists(location.table())) {
            return null;
        }
        try {
            Map<String, String> properties = new HashMap<>();
            spark.sql("SHOW TBLPROPERTIES " + location.sqlName()).collectAsList()
                    .forEach(row -> properties.put(row.getString(0), row.getString(1)));
            return properties;
        } catch (Exception e) { // Spark's AnalysisException is a checked exception
            // Delta names no table at the path when it resolves delta.`path`
            if (!location.isCatalogTable() && "DELTA_MISSING_DELTA_TABLE".equals(WriteConflicts.errorClass(e))) {
                return null;
            }
            throw e;
        }
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
        ensureTable(spark, location, schema, partitionBy, Map.of());
    }

    /**
     * As {@link #ensureTable(SparkSession, TableLocation, StructType, List)}, with Delta table properties set when
     * the table is created (an existing table keeps its own).
     */
    public static void ensureTable(SparkSession spark, TableLocation location, StructType schema,
                                   List<String> partitionBy, Map<String, String> properties) {
        Map<String, String> existing = properties(spark, location);
        if (existing != null) {
            upgrade(spark, location, schema, existing.get(TableSchemas.VERSION_PROPERTY));
            return;
        }
        for (String column : partitionBy) {
            if (!List.of(schema.fieldNames()).contains(column)) {
                throw new InvalidInputException("Invalid configuration: output.partition-by names \"" + column
                        + "\", not a column of the table at " + location + ". Fix: use columns of "
                        + List.of(schema.fieldNames()) + ".");
            }
        }
        String ddl = "CREATE TABLE " + location.sqlName() + " (" + schema.toDDL() + ") USING delta"
                + (partitionBy.isEmpty() ? "" : " PARTITIONED BY (" + partitionBy.stream().map(c -> "`" + c + "`")
                        .collect(Collectors.joining(", ")) + ")")
                + " TBLPROPERTIES (" + sqlString(TableSchemas.VERSION_PROPERTY) + " = "
                + sqlString(Integer.toString(TableSchemas.VERSION))
                + properties.entrySet().stream().map(p -> ", " + sqlString(p.getKey()) + " = "
                        + sqlString(p.getValue())).collect(Collectors.joining()) + ")";
        // not IF NOT EXISTS: Delta takes a folder without a Delta log for an existing path table and creates nothing
        boolean created = WriteConflicts.retry("create " + location, () -> {
            if (exists(spark, location)) {
                return false; // another job created it meanwhile
            }
            spark.sql(ddl);
            return true;
        });
        if (created) {
            LOG.info("Created Delta table {}", location);
        }
    }

    private static void upgrade(SparkSession spark, TableLocation location, StructType schema, String found) {
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
                String ddl = "ALTER TABLE " + location.sqlName() + " ADD COLUMNS (`" + field.name() + "` "
                        + field.dataType().sql() + comment + ")";
                WriteConflicts.retry("upgrade " + location, () -> spark.sql(ddl));
                added.add(field.name());
            }
        }
        WriteConflicts.retry("upgrade " + location, () -> spark.sql("ALTER TABLE " + location.sqlName()
                + " SET TBLPROPERTIES ('" + TableSchemas.VERSION_PROPERTY + "' = '" + TableSchemas.VERSION + "')"));
        LOG.info("Upgraded {} from schema version {} to {}: added columns {}", location, found, TableSchemas.VERSION,
                added);
    }

    /**
     * Whether Delta keeps min/max statistics for a column of this type (numbers, strings, dates and timestamps), so
     * that it may be named in {@link #STATS_COLUMNS}.
     */
    public static boolean skippable(DataType type) {
        return type instanceof NumericType || type instanceof StringType || type instanceof DateType
                || type instanceof TimestampType || type instanceof TimestampNTZType;
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
     * Replaces the rows matching a condition with {@code rows} in one commit (Delta's selective overwrite,
     * {@code replaceWhere}); every row written must match the condition.
     *
     * @param condition a SQL predicate over the table's columns
     */
    public static void replace(TableLocation location, Dataset<Row> rows, String condition, String commitTag) {
        WriteConflicts.retry("replace rows of " + location, () -> {
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
        WriteConflicts.retry("append to " + location, () -> {
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
}
