package dev.reviewscore.testing;

import io.delta.kernel.Scan;
import io.delta.kernel.Table;
import io.delta.kernel.data.ArrayValue;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.MapValue;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.internal.InternalScanFileUtils;
import io.delta.kernel.internal.data.ScanStateRow;
import io.delta.kernel.internal.util.Utils;
import io.delta.kernel.types.ArrayType;
import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.MapType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampType;
import io.delta.kernel.utils.CloseableIterator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;

/**
 * Reads a Delta table the way engines other than Spark do: with Delta Kernel and its default engine (Parquet and
 * the log read without Spark). The read loop follows Delta's own example reader
 * (kernel/examples/.../SingleThreadedTableReader.java, Delta 4.0.1).
 */
public final class KernelTables {
    private KernelTables() {}

    /** A table as Kernel reads it: column name to type (Spark's type names), and every live row. */
    public record Contents(Map<String, String> columns, List<Map<String, Object>> rows) {}

    /**
     * Reads the latest snapshot. Values come back as Java values: timestamps as microseconds since the epoch (UTC),
     * maps as {@code Map}, arrays as {@code List}.
     */
    public static Contents read(String tablePath) {
        Engine engine = DefaultEngine.create(new Configuration());
        io.delta.kernel.Snapshot snapshot = Table.forPath(engine, tablePath).getLatestSnapshot(engine);
        Map<String, String> columns = new LinkedHashMap<>();
        for (StructField field : snapshot.getSchema().fields()) {
            columns.put(field.getName(), typeName(field.getDataType()));
        }
        Scan scan = snapshot.getScanBuilder().build();
        Row scanState = scan.getScanState(engine);
        StructType readSchema = ScanStateRow.getPhysicalDataReadSchema(engine, scanState);
        List<Map<String, Object>> rows = new ArrayList<>();
        try (CloseableIterator<FilteredColumnarBatch> scanFiles = scan.getScanFiles(engine)) {
            while (scanFiles.hasNext()) {
                try (CloseableIterator<Row> files = scanFiles.next().getRows()) {
                    while (files.hasNext()) {
                        Row file = files.next();
                        CloseableIterator<ColumnarBatch> physical = engine.getParquetHandler().readParquetFiles(
                                Utils.singletonCloseableIterator(InternalScanFileUtils.getAddFileStatus(file)),
                                readSchema, Optional.empty());
                        try (CloseableIterator<FilteredColumnarBatch> logical =
                                     Scan.transformPhysicalData(engine, scanState, file, physical)) {
                            while (logical.hasNext()) {
                                addRows(logical.next(), rows);
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Contents(columns, rows);
    }

    private static void addRows(FilteredColumnarBatch filtered, List<Map<String, Object>> rows) {
        ColumnarBatch batch = filtered.getData();
        Optional<ColumnVector> selected = filtered.getSelectionVector();
        StructType schema = batch.getSchema();
        for (int r = 0; r < batch.getSize(); r++) {
            if (selected.isPresent() && (selected.get().isNullAt(r) || !selected.get().getBoolean(r))) {
                continue;
            }
            Map<String, Object> row = new LinkedHashMap<>();
            for (int c = 0; c < schema.length(); c++) {
                row.put(schema.at(c).getName(), value(batch.getColumnVector(c), schema.at(c).getDataType(), r));
            }
            rows.add(row);
        }
    }

    private static Object value(ColumnVector vector, DataType type, int i) {
        if (vector.isNullAt(i)) {
            return null;
        }
        if (type instanceof MapType map) {
            MapValue entries = vector.getMap(i);
            Map<Object, Object> values = new LinkedHashMap<>();
            for (int k = 0; k < entries.getSize(); k++) {
                values.put(value(entries.getKeys(), map.getKeyType(), k),
                        value(entries.getValues(), map.getValueType(), k));
            }
            return values;
        }
        if (type instanceof ArrayType array) {
            ArrayValue elements = vector.getArray(i);
            List<Object> values = new ArrayList<>();
            for (int k = 0; k < elements.getSize(); k++) {
                values.add(value(elements.getElements(), array.getElementType(), k));
            }
            return values;
        }
        if (type instanceof StringType) {
            return vector.getString(i);
        }
        if (type instanceof IntegerType) {
            return vector.getInt(i);
        }
        if (type instanceof LongType || type instanceof TimestampType) {
            return vector.getLong(i);
        }
        if (type instanceof DoubleType) {
            return vector.getDouble(i);
        }
        if (type instanceof BooleanType) {
            return vector.getBoolean(i);
        }
        throw new UnsupportedOperationException("a type the pipeline's tables do not use: " + type);
    }

    /** Kernel's type, named as Spark's {@code DataType.simpleString()} names it. */
    private static String typeName(DataType type) {
        if (type instanceof MapType map) {
            return "map<" + typeName(map.getKeyType()) + "," + typeName(map.getValueType()) + ">";
        }
        if (type instanceof ArrayType array) {
            return "array<" + typeName(array.getElementType()) + ">";
        }
        if (type instanceof StringType) {
            return "string";
        }
        if (type instanceof IntegerType) {
            return "int";
        }
        if (type instanceof LongType) {
            return "bigint";
        }
        if (type instanceof DoubleType) {
            return "double";
        }
        if (type instanceof BooleanType) {
            return "boolean";
        }
        if (type instanceof TimestampType) {
            return "timestamp";
        }
        throw new UnsupportedOperationException("a type the pipeline's tables do not use: " + type);
    }
}
