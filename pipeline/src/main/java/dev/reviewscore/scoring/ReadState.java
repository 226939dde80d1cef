package dev.reviewscore.scoring;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.reviewscore.Fingerprint;
import dev.reviewscore.RunInfo;
import dev.reviewscore.config.SourceConfig;
import dev.reviewscore.config.TableLocation;
import dev.reviewscore.sink.DeltaTables;
import dev.reviewscore.sink.TableSchemas;
import dev.reviewscore.source.DeltaHistory;
import dev.reviewscore.source.SourceChanges;
import dev.reviewscore.source.SourceRange;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * The source state table ({@code output.state}, {@link TableSchemas#SOURCE_STATE}): each successful scoring run
 * appends where it left the source and the scored table, per (scored table, source, model version); the latest row of
 * a key is where the next run starts. A run appends only after everything it scored, rejected and removed is
 * committed, so a run that fails is read again from the same version. Appends never conflict with each other, and
 * cost less than a MERGE.
 *
 * <p>A row is trusted only while the scored table is the one it describes: a run reads the whole source again when
 * the scored table is missing or was recreated, stands before the version the row recorded (a RESTORE), holds a
 * commit since then that changed rows and that no run of this job made after the recorded one, or when the settings
 * that decide what a source row becomes ({@code source.columns}, {@code source.labels}) changed. Commits that change
 * no row (OPTIMIZE, VACUUM, properties) are trusted.
 */
final class ReadState {
    private final SparkSession spark;
    private final TableLocation table;
    private final TableLocation scored;
    private final String source;
    private final String modelVersion;
    private final String settings;

    /**
     * @param table the state table
     * @param scored the scored table
     * @param source the source and how its rows are read
     * @param modelVersion the model version scoring
     */
    ReadState(SparkSession spark, TableLocation table, TableLocation scored, SourceConfig source,
              String modelVersion) {
        this.spark = spark;
        this.table = table;
        this.scored = scored;
        this.source = source.location().toString();
        this.modelVersion = modelVersion;
        this.settings = settingsHash(source);
    }

    /**
     * Where a run starts.
     *
     * @param point where the last successful run's read stopped, or null when the whole source must be read
     * @param wholeBecause why the whole source must be read, or null
     * @param soleSource whether no other source is recorded for this scored table and model version: only then may
     *     a whole read remove the scores of reviews the source no longer has
     */
    record Start(SourceChanges.ReadPoint point, String wholeBecause, boolean soleSource) {}

    /**
     * Where the next run starts, checked against the scored table as it is now.
     *
     * @param scoredNow the scored table now, or null when it does not exist
     */
    Start start(DeltaHistory.Detail scoredNow) {
        if (!DeltaTables.exists(spark, table)) {
            return new Start(null, "no earlier run of this model version into this scored table read the source", true);
        }
        Dataset<Row> ofVersion = DeltaTables.read(spark, table).where(col("scored_table").equalTo(lit(scored.toString()))
                .and(col(TableSchemas.MODEL_VERSION).equalTo(lit(modelVersion))));
        boolean soleSource = ofVersion.where(col("source").notEqual(lit(source))).isEmpty();
        List<Row> rows = ofVersion.where(col("source").equalTo(lit(source)))
                .orderBy(col("updated_at").desc(), col("source_version").desc())
                .select("source_table_id", "source_version", "scored_table_id", "scored_version", "read_settings",
                        TableSchemas.RUN_ID)
                .limit(1).collectAsList();
        if (rows.isEmpty()) {
            return new Start(null, "no earlier run of this model version into this scored table read the source",
                    soleSource);
        }
        Row last = rows.get(0);
        String why = distrust(last, scoredNow);
        if (why != null) {
            return new Start(null, why, soleSource);
        }
        return new Start(new SourceChanges.ReadPoint(last.getString(0), last.getLong(1)), null, soleSource);
    }

    /** Why the latest state row cannot be trusted, or null. */
    private String distrust(Row last, DeltaHistory.Detail scoredNow) {
        if (last.isNullAt(1)) {
            return "the last run could not tell which of its reads the scored table holds";
        }
        if (scoredNow == null) {
            return "the scored table does not exist";
        }
        if (last.isNullAt(2)) {
            return "the last run was recorded by an earlier version of the job, which kept no scored-table version";
        }
        if (!last.getString(2).equals(scoredNow.id())) {
            return "the scored table was recreated: its Delta id is " + scoredNow.id() + ", the last run wrote "
                    + last.getString(2);
        }
        long recorded = last.getLong(3);
        if (scoredNow.version() < recorded) {
            return "the scored table is at version " + scoredNow.version() + ", before the version " + recorded
                    + " the last run left it at";
        }
        if (!Objects.equals(last.getString(4), settings)) {
            return "the settings that decide what a source row becomes (source.columns, source.labels) changed since "
                    + "the last run";
        }
        String recordedRun = last.getString(5);
        for (DeltaHistory.Commit commit : DeltaHistory.commits(spark, scored, recorded, scoredNow.version())) {
            String runId = RunInfo.runIdOf(commit.userMetadata());
            boolean laterRun = runId != null && runId.compareTo(recordedRun) > 0;
            if (!commit.dataNeutral() && !laterRun) {
                return "the scored table was changed at " + commit.describe() + " after the last run, "
                        + (runId == null ? "not by this job" : "by a run that started before it");
            }
        }
        return null;
    }

    /**
     * Records how far this run read (for a source that is not Delta, only that it read it: the next run reads it
     * whole again) and where it left the scored table.
     *
     * @param scoredNow the scored table after the run's writes
     */
    void record(SourceRange range, RunInfo run, DeltaHistory.Detail scoredNow) {
        append(RowFactory.create(scored.toString(), source, modelVersion, range.tableId(), range.toVersion(),
                range.read(), run.runId(), Timestamp.from(Instant.now()), scoredNow.id(), scoredNow.version(),
                settings), run);
    }

    /**
     * Records that the next run must read the whole source: this run could not make sure that the scored table holds
     * what it read (other runs kept writing it at the same time).
     */
    void invalidate(RunInfo run) {
        append(RowFactory.create(scored.toString(), source, modelVersion, null, null, SourceRange.ALL, run.runId(),
                Timestamp.from(Instant.now()), null, null, settings), run);
    }

    private void append(Row row, RunInfo run) {
        DeltaTables.ensureTable(spark, table, TableSchemas.SOURCE_STATE, List.of());
        DeltaTables.append(table, spark.createDataFrame(List.of(row), TableSchemas.SOURCE_STATE), run.commitTag());
    }

    /** A fingerprint of the settings that decide what a source row becomes: its columns and its label mapping. */
    static String settingsHash(SourceConfig source) {
        return Fingerprint.of(source.columns() + "\n" + source.labels());
    }
}
