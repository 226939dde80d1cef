package dev.reviewscore.sink;

import dev.reviewscore.config.TableLocation;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * Writes the tables dashboards read without pivoting: the runs ({@link TableSchemas#RUNS}), the headline metrics per
 * evaluation run and slice ({@link TableSchemas#SLICE_METRICS}) and the latest evaluation of each model version
 * ({@link TableSchemas#LATEST}).
 */
public final class DashboardTables {
    private DashboardTables() {}

    /**
     * Appends one run's row.
     *
     * @param values column name to value ({@link TableSchemas#RUNS}); columns left out are null
     * @throws IllegalArgumentException for a name that is not a column
     */
    public static void appendRun(SparkSession spark, TableLocation table, Map<String, Object> values,
                                 String commitTag) {
        Row row = row(TableSchemas.RUNS, values);
        DeltaTables.ensureTable(spark, table, TableSchemas.RUNS, List.of());
        DeltaTables.append(table, spark.createDataFrame(List.of(row), TableSchemas.RUNS), commitTag);
    }

    /**
     * Appends an evaluation's rows, one per slice.
     *
     * @param slices per slice, column name to value ({@link TableSchemas#SLICE_METRICS})
     */
    public static void appendSlices(SparkSession spark, TableLocation table, List<Map<String, Object>> slices,
                                    String commitTag) {
        List<Row> rows = slices.stream().map(values -> row(TableSchemas.SLICE_METRICS, values)).toList();
        DeltaTables.ensureTable(spark, table, TableSchemas.SLICE_METRICS, List.of());
        DeltaTables.append(table, spark.createDataFrame(rows, TableSchemas.SLICE_METRICS), commitTag);
    }

    /**
     * Makes an evaluation the latest of its model version: replaces that version's row, or adds one.
     *
     * @param values column name to value ({@link TableSchemas#LATEST}); columns of other tables are left out
     */
    public static void updateLatest(SparkSession spark, TableLocation table, Map<String, Object> values,
                                    String commitTag) {
        Map<String, Object> latest = new java.util.HashMap<>(values);
        latest.keySet().retainAll(List.of(TableSchemas.LATEST.fieldNames()));
        DeltaTables.ensureTable(spark, table, TableSchemas.LATEST, List.of());
        DeltaTables.replace(table, spark.createDataFrame(List.of(row(TableSchemas.LATEST, latest)),
                TableSchemas.LATEST), "model_name = " + DeltaTables.sqlString((String) latest.get("model_name"))
                + " AND model_version = " + DeltaTables.sqlString((String) latest.get(TableSchemas.MODEL_VERSION)),
                commitTag);
    }

    private static Row row(StructType schema, Map<String, Object> values) {
        for (String name : values.keySet()) {
            if (!List.of(schema.fieldNames()).contains(name)) {
                throw new IllegalArgumentException("no column " + name + " in " + List.of(schema.fieldNames()));
            }
        }
        Object[] row = new Object[schema.fields().length];
        for (int i = 0; i < row.length; i++) {
            row[i] = values.get(schema.fields()[i].name());
        }
        return RowFactory.create(row);
    }
}
