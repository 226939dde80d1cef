package dev.reviewscore.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.reviewscore.InvalidInputException;
import dev.reviewscore.config.ColumnMapping;
import dev.reviewscore.config.LabelKind;
import dev.reviewscore.config.LabelMapping;
import dev.reviewscore.config.SourceConfig;
import dev.reviewscore.config.SourceFormat;
import dev.reviewscore.config.TableLocation;
import dev.reviewscore.testing.TestSpark;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReviewSourceTest {
    private static final List<String> LABELS = List.of("NEGATIVE", "POSITIVE");
    private final SparkSession spark = TestSpark.session();

    private static SourceConfig config(LabelKind kind, List<String> passThrough) {
        LabelMapping defaults = LabelMapping.defaults();
        return new SourceConfig(SourceFormat.DELTA, TableLocation.named("unused"), Map.of(),
                new ColumnMapping("id", "body", "rating", passThrough),
                new LabelMapping(kind, defaults.positiveNames(), defaults.negativeNames(), 7, 4));
    }

    private Dataset<Row> source(DataType labelType, Object... labelValues) {
        StructType schema = new StructType().add("id", DataTypes.LongType).add("body", DataTypes.StringType)
                .add("rating", labelType).add("movie", DataTypes.StringType);
        Row[] rows = new Row[labelValues.length];
        for (int i = 0; i < labelValues.length; i++) {
            rows[i] = RowFactory.create((long) i, "review number " + i, labelValues[i], "m" + i);
        }
        return spark.createDataFrame(Arrays.asList(rows), schema);
    }

    /** review id -> label (or the reject reason, in brackets). */
    private static Map<String, String> labels(Dataset<Row> normalized) {
        Map<String, String> result = new HashMap<>();
        for (Row row : normalized.collectAsList()) {
            String reason = row.getAs(ReviewColumns.REJECT_REASON);
            result.put(row.getAs(ReviewColumns.REVIEW_ID), reason != null ? "[" + reason + "]"
                    : row.getAs(ReviewColumns.LABEL));
        }
        return result;
    }

    @Test
    void mapsStarRatingsByTheImdbConvention() {
        Dataset<Row> normalized = ReviewSource.normalize(source(DataTypes.IntegerType, 1, 4, 5, 6, 7, 10, null),
                config(LabelKind.STARS, List.of()), LABELS, 1);
        Map<String, String> labels = labels(normalized);
        assertEquals("NEGATIVE", labels.get("0"));
        assertEquals("NEGATIVE", labels.get("1"));
        assertEquals(null, labels.get("2"));
        assertEquals(null, labels.get("3"));
        assertEquals("POSITIVE", labels.get("4"));
        assertEquals("POSITIVE", labels.get("5"));
        assertEquals(null, labels.get("6"));
    }

    @Test
    void mapsBinaryBooleanAndNamedLabels() {
        assertEquals(Map.of("0", "POSITIVE", "1", "NEGATIVE", "2", "[unknown_label]"),
                labels(ReviewSource.normalize(source(DataTypes.IntegerType, 1, 0, 3),
                        config(LabelKind.AUTO, List.of()), LABELS, 1)));
        assertEquals(Map.of("0", "POSITIVE", "1", "NEGATIVE"),
                labels(ReviewSource.normalize(source(DataTypes.BooleanType, true, false),
                        config(LabelKind.AUTO, List.of()), LABELS, 1)));
        assertEquals(Map.of("0", "POSITIVE", "1", "NEGATIVE", "2", "POSITIVE", "3", "NEGATIVE", "4",
                        "[unknown_label]", "5", "POSITIVE"),
                labels(ReviewSource.normalize(source(DataTypes.StringType, "pos", "Negative", " POSITIVE ", "0",
                        "neutral", "1"), config(LabelKind.AUTO, List.of()), LABELS, 1)));
    }

    @Test
    void aTextLabelWhereANumberOrFlagIsExpectedIsAnUnknownLabelNotAFailedJob() {
        assertEquals("true", spark.conf().get("spark.sql.ansi.enabled"), "a plain cast fails in ANSI mode");
        for (LabelKind kind : List.of(LabelKind.STARS, LabelKind.BINARY, LabelKind.BOOLEAN)) {
            Map<String, String> labels = labels(ReviewSource.normalize(source(DataTypes.StringType,
                    kind == LabelKind.BOOLEAN ? "true" : "1", "great film"), config(kind, List.of()), LABELS, 1));
            assertEquals("[unknown_label]", labels.get("1"), kind.toString());
            assertEquals(kind == LabelKind.STARS ? "NEGATIVE" : "POSITIVE", labels.get("0"), kind.toString());
        }
    }

    @Test
    void mapsModelLabelNamesOfAMultiClassModel() {
        List<String> three = List.of("terrible", "okay", "great");
        Dataset<Row> normalized = ReviewSource.normalize(source(DataTypes.StringType, "Great", "okay", "meh"),
                config(LabelKind.NAMES, List.of()), three, 2);
        assertEquals(Map.of("0", "great", "1", "okay", "2", "[unknown_label]"), labels(normalized));
        Row first = normalized.where("review_id = '0'").first();
        assertEquals(2, (int) first.getAs(ReviewColumns.LABEL_INDEX));
    }

    @Test
    void keepsPassThroughColumnsAndHashesTheText() {
        Dataset<Row> normalized = ReviewSource.normalize(source(DataTypes.IntegerType, 8),
                config(LabelKind.STARS, List.of("movie")), LABELS, 1);
        assertEquals(List.of("review_id", "text", "label", "label_index", "source_label", "text_hash",
                "reject_reason", "malformed_record", "movie"), List.of(normalized.columns()));
        Row row = normalized.first();
        assertEquals("m0", row.getAs("movie"));
        assertEquals("8", row.getAs(ReviewColumns.SOURCE_LABEL));
        assertTrue(((String) row.getAs(ReviewColumns.TEXT_HASH)).matches("[0-9a-f]{64}"));
    }

    @Test
    void aMissingColumnListsTheColumnsThatExist() {
        SourceConfig config = new SourceConfig(SourceFormat.DELTA, TableLocation.named("reviews"), Map.of(),
                new ColumnMapping("id", "review_text", null, List.of()), LabelMapping.defaults());
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> ReviewSource.normalize(source(DataTypes.IntegerType, 1), config, LABELS, 1));
        assertEquals("Source table reviews has no column \"review_text\" (source.columns.text). Columns: [id, body, "
                + "rating, movie]. Fix: set source.columns.text to one of them.", e.getMessage());
    }

    @Test
    void readsJsonParquetAndCsvByPath(@TempDir Path dir) {
        Dataset<Row> reviews = source(DataTypes.IntegerType, 9, 2);
        reviews.write().json(dir.resolve("json").toString());
        reviews.write().parquet(dir.resolve("parquet").toString());
        reviews.write().option("header", "true").csv(dir.resolve("csv").toString());
        for (SourceFormat format : List.of(SourceFormat.JSON, SourceFormat.PARQUET, SourceFormat.CSV)) {
            SourceConfig config = new SourceConfig(format,
                    TableLocation.atPath(dir.resolve(format.sparkName()).toString()),
                    format == SourceFormat.CSV ? Map.of("header", "true") : Map.of(),
                    new ColumnMapping("id", "body", "rating", List.of()),
                    new LabelMapping(LabelKind.STARS, List.of(), List.of(), 7, 4));
            Dataset<Row> normalized = ReviewSource.normalize(ReviewSource.read(spark, config), config, LABELS, 1);
            assertEquals(Map.of("0", "POSITIVE", "1", "NEGATIVE"), labels(normalized), format.toString());
        }
    }

    @Test
    void readsACatalogTable(@TempDir Path dir) {
        spark.sql("DROP TABLE IF EXISTS catalog_reviews");
        source(DataTypes.IntegerType, 9).write().format("delta")
                .option("path", dir.resolve("catalog_reviews").toString()).saveAsTable("catalog_reviews");
        try {
            SourceConfig config = new SourceConfig(SourceFormat.DELTA, TableLocation.named("catalog_reviews"),
                    Map.of(), new ColumnMapping("id", "body", "rating", List.of()),
                    new LabelMapping(LabelKind.STARS, List.of(), List.of(), 7, 4));
            assertEquals(Map.of("0", "POSITIVE"),
                    labels(ReviewSource.normalize(ReviewSource.read(spark, config), config, LABELS, 1)));
        } finally {
            spark.sql("DROP TABLE IF EXISTS catalog_reviews");
        }
    }

    @Test
    void aSourceThatDoesNotExistSaysSo() {
        SourceConfig config = new SourceConfig(SourceFormat.PARQUET, TableLocation.atPath("/no/such/reviews"),
                Map.of(), new ColumnMapping("id", "text", null, List.of()), LabelMapping.defaults());
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ReviewSource.read(spark, config));
        assertTrue(e.getMessage().startsWith("Cannot read source path /no/such/reviews as parquet: "), e.getMessage());
        assertTrue(e.getMessage().endsWith("Fix: check source.path / source.table and source.format."),
                e.getMessage());
    }
}
