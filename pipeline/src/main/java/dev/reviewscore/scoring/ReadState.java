package dev.reviewscore.scoring;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.reviewscore.RunInfo;
import dev.reviewscore.config.TableLocation;
import dev.reviewscore.sink.DeltaTables;
import dev.reviewscore.sink.TableSchemas;
import dev.reviewscore.source.SourceChanges;
import dev.reviewscore.source.SourceRange;
import java.sql.Timestamp;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * The source state table ({@code output.state}, {@link TableSchemas#SOURCE_STATE}): each successful scoring run
 * appends the source version it read up to, per (scored table, source, model version); the latest row of a key is
 * where the next run starts. A run appends only after everything it scored, rejected and deleted is committed, so a
 * run that fails is read again from the same version. Appends never conflict with each other, and cost less than a
 * MERGE.
 */
final class ReadState {
    private final SparkSession spark;
    private final TableLocation table;
    private final String scored;
    private final String source;
    private final String modelVersion;

    /**
     * @param table the state table
     * @param scored the scored table
     * @param source the source
     * @param modelVersion the model version scoring
     */
    ReadState(SparkSession spark, TableLocation table, TableLocation scored, TableLocation source,
              String modelVersion) {
        this.spark = spark;
        this.table = table;
        this.scored = scored.toString();
        this.source = source.toString();
        this.modelVersion = modelVersion;
    }

    /** Where the last successful run stopped, or null when none recorded it. */
    SourceChanges.ReadPoint last() {
        if (!DeltaTables.exists(spark, table)) {
            return null;
        }
        List<Row> rows = DeltaTables.read(spark, table).where(col("scored_table").equalTo(lit(scored))
                        .and(col("source").equalTo(lit(source))).and(col("model_version").equalTo(lit(modelVersion))))
                .orderBy(col("updated_at").desc(), col("source_version").desc())
                .select("source_table_id", "source_version").limit(1).collectAsList();
        return rows.isEmpty() || rows.get(0).isNullAt(1) ? null
                : new SourceChanges.ReadPoint(rows.get(0).getString(0), rows.get(0).getLong(1));
    }

    /** Records how far this run read; nothing for a source that is not Delta. */
    void record(SourceRange range, RunInfo run) {
        if (range.toVersion() == null) {
            return;
        }
        DeltaTables.ensureTable(spark, table, TableSchemas.SOURCE_STATE, List.of());
        Row row = RowFactory.create(scored, source, modelVersion, range.tableId(), range.toVersion(), range.read(),
                run.runId(), Timestamp.from(run.startedAt()));
        DeltaTables.append(table, spark.createDataFrame(List.of(row), TableSchemas.SOURCE_STATE), run.commitTag());
    }
}
