package dev.reviewscore.job;

import dev.reviewscore.cli.RunPrinter;
import dev.reviewscore.config.JobConfig;
import dev.reviewscore.config.JobConfigLoader;
import dev.reviewscore.sink.DeltaTables;
import dev.reviewscore.testing.GatedLogStore;
import dev.reviewscore.testing.TestPaths;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * One world of the model-based test: a Delta source with its change data feed, the job's tables, and the test's own
 * picture of the source ({@link NightlySource}). Source operations change the real table and the picture alike; job
 * operations run the job as the command line does ({@link JobRun}), in this JVM's Spark session, with the test log
 * store able to crash or hold any commit ({@link GatedLogStore}).
 */
final class NightlyWorld {
    static final StructType SOURCE = new StructType()
            .add("id", DataTypes.StringType)
            .add("text", DataTypes.StringType)
            .add("label", DataTypes.StringType)
            .add("movie", DataTypes.StringType)
            .add("review_date", DataTypes.DateType)
            .add("delivery", DataTypes.LongType);

    final SparkSession spark;
    final Path dir;
    final NightlySource source = new NightlySource();
    private final Path modelA;
    private final Path modelB;
    private final boolean markDeletes;
    private boolean useModelB;
    private boolean unknownIsNegative;
    private int extraColumns;
    /** The scored table's version when it was last vacuumed with no retention: no earlier version can be restored. */
    private long vacuumedAt = -1;
    /** Set when the scored table was dropped: its aggregates describe a table that is gone until an evaluation. */
    boolean aggregatesOfAnotherTable;
    /** The last run's account, for messages. */
    String lastOutput = "";

    NightlyWorld(SparkSession spark, Path dir, boolean markDeletes) throws IOException {
        this.spark = spark;
        this.dir = dir;
        this.markDeletes = markDeletes;
        this.modelA = TestPaths.defaultModel();
        this.modelB = TestPaths.copyFolder(modelA, dir.resolve("model-b"));
        Files.writeString(modelB.resolve("serving.properties"), "# a copy: another model version\n",
                java.nio.file.StandardOpenOption.APPEND);
        sql("CREATE TABLE SOURCE (id STRING, text STRING, label STRING, movie STRING, review_date DATE, "
                + "delivery BIGINT) USING delta TBLPROPERTIES (delta.enableChangeDataFeed = true)");
    }

    /** The source table's SQL name. */
    String sourceName() {
        return "delta.`" + dir.resolve("source") + "`";
    }

    /** A table of the job, by its output key. */
    Path table(String name) {
        return dir.resolve("tables").resolve(name);
    }

    void sql(String statement) {
        spark.sql(statement.replace("SOURCE", sourceName()));
    }

    boolean unknownIsNegative() {
        return unknownIsNegative;
    }

    boolean markDeletes() {
        return markDeletes;
    }

    // ---- source operations ----

    /** Appends rows to the source and the picture. */
    void append(List<NightlySource.SourceRow> rows) {
        rows.forEach(source::add);
        List<Row> values = rows.stream().map(row -> RowFactory.create(row.id(), row.text(), row.label(), row.movie(),
                row.reviewDate() == null ? null : Date.valueOf(row.reviewDate()), row.delivery())).toList();
        Dataset<Row> frame = spark.createDataFrame(values, SOURCE);
        for (int i = 1; i <= extraColumns; i++) {
            frame = frame.withColumn("extra_" + i, org.apache.spark.sql.functions.lit(null).cast("string"));
        }
        frame.write().format("delta").mode("append").save(dir.resolve("source").toString());
    }

    /** Sets a column of every row of these ids, in the source and (through {@code change}) in the picture. */
    void update(Set<String> ids, String column, String value,
                java.util.function.UnaryOperator<NightlySource.SourceRow> change) {
        if (ids.isEmpty()) {
            return;
        }
        source.change(ids, change);
        sql("UPDATE SOURCE SET " + column + " = " + (value == null ? "NULL" : DeltaTables.sqlString(value))
                + " WHERE id IN (" + inList(ids) + ")");
    }

    /** Deletes every row of these ids. */
    void delete(Set<String> ids) {
        if (ids.isEmpty()) {
            return;
        }
        source.removeIf(row -> row.id() != null && ids.contains(row.id()));
        sql("DELETE FROM SOURCE WHERE id IN (" + inList(ids) + ")");
    }

    /** Deletes every copy of a repeated id but its first delivery. */
    void keepFirstCopies() {
        for (String id : source.repeatedIds()) {
            long first = source.rows().stream().filter(row -> id.equals(row.id()))
                    .mapToLong(NightlySource.SourceRow::delivery).min().orElseThrow();
            source.removeIf(row -> id.equals(row.id()) && row.delivery() != first);
            sql("DELETE FROM SOURCE WHERE id = " + DeltaTables.sqlString(id) + " AND delivery <> " + first);
        }
    }

    /** Removes the change data feed's files of earlier versions (VACUUM with no retention). */
    void vacuumSource() {
        withoutRetentionCheck(() -> sql("VACUUM SOURCE RETAIN 0 HOURS"));
    }

    void changeFeed(boolean on) {
        sql("ALTER TABLE SOURCE SET TBLPROPERTIES (delta.enableChangeDataFeed = " + on + ")");
    }

    /** Overwrites the source with its own rows (every file rewritten, the Delta id kept). */
    void overwriteSource() {
        spark.read().format("delta").load(dir.resolve("source").toString()).localCheckpoint().write().format("delta")
                .mode("overwrite").save(dir.resolve("source").toString());
    }

    /** Drops the source and creates it again with the same rows: a new Delta id. */
    void recreateSource() {
        List<NightlySource.SourceRow> rows = source.rows();
        delete(dir.resolve("source"));
        extraColumns = 0;
        source.removeIf(row -> true);
        sql("CREATE TABLE SOURCE (id STRING, text STRING, label STRING, movie STRING, review_date DATE, "
                + "delivery BIGINT) USING delta TBLPROPERTIES (delta.enableChangeDataFeed = true)");
        if (!rows.isEmpty()) {
            append(rows);
        }
    }

    void addColumn() {
        extraColumns++;
        sql("ALTER TABLE SOURCE ADD COLUMNS (extra_" + extraColumns + " STRING)");
    }

    void mapUnknownLabel(boolean negative) {
        unknownIsNegative = negative;
    }

    // ---- the job's side ----

    void useModelB(boolean b) {
        useModelB = b;
    }

    Path model() {
        return useModelB ? modelB : modelA;
    }

    /** The job configuration of this world, with overrides. */
    JobConfig config(String... overrides) {
        return config(dir.resolve("tables"), overrides);
    }

    /** The job configuration writing into the tables under {@code tables}. */
    JobConfig config(Path tables, String... overrides) {
        String negatives = unknownIsNegative ? "[negative, " + NightlySource.UNKNOWN + "]" : "[negative]";
        String text = """
                source {
                  format = delta
                  path = "%s"
                  columns { id = id, text = text, label = label, pass-through = [movie, review_date] }
                  labels { kind = names, positive-names = [positive], negative-names = %s }
                }
                model.location = "%s"
                scoring { progress-seconds = 600, source-deletes = %s }
                evaluation {
                  bootstrap-replicates = 40
                  error-examples = 3
                  slices {
                    movie = movie
                    review_month = "date_format(review_date, 'yyyy-MM')"
                    length = "CASE WHEN token_count < 12 THEN 'short' ELSE 'long' END"
                  }
                }
                output {
                  scored.path = "%5$s/scored", rejects.path = "%5$s/rejects", metrics.path = "%5$s/metrics"
                  runs.path = "%5$s/runs", slice-metrics.path = "%5$s/slices", latest.path = "%5$s/latest"
                  state.path = "%5$s/state", aggregates.path = "%5$s/aggregates", reports = "%5$s/reports"
                }
                """.formatted(dir.resolve("source"), negatives, model(), markDeletes ? "mark" : "remove", tables)
                + String.join("\n", overrides);
        return new JobConfigLoader(dir).loadText(text).config();
    }

    /** Runs the job in this thread's session; returns the run's id. */
    String job(Action action, JobConfig config) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            String runId = JobRun.execute(action, config, RunPrinter.to(print)).runId();
            if (action != Action.SCORE && config.output().scored().equals(config().output().scored())) {
                aggregatesOfAnotherTable = false; // the evaluation rebuilt them for the table as it is
            }
            return runId;
        } finally {
            lastOutput = out.toString(StandardCharsets.UTF_8);
        }
    }

    /** Runs the job in a thread of its own, with a session of its own (another driver's, as far as conf goes). */
    Future<String> jobInBackground(ExecutorService threads, Action action, JobConfig config) {
        SparkSession other = spark.newSession();
        return threads.submit(() -> {
            SparkSession.setActiveSession(other);
            try {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                try (PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8)) {
                    return JobRun.execute(action, config, RunPrinter.to(print)).runId();
                }
            } finally {
                SparkSession.clearActiveSession();
            }
        });
    }

    static ExecutorService threads() {
        return Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "nightly-background-job");
            thread.setDaemon(true);
            return thread;
        });
    }

    void optimizeScored() {
        spark.sql("OPTIMIZE delta.`" + table("scored") + "`");
    }

    void vacuumScored() {
        withoutRetentionCheck(() -> spark.sql("VACUUM delta.`" + table("scored") + "` RETAIN 0 HOURS"));
        vacuumedAt = latestScoredVersion();
    }

    private long latestScoredVersion() {
        return spark.sql("DESCRIBE HISTORY delta.`" + table("scored") + "` LIMIT 1").first().getLong(0);
    }

    /** Deletes the scored table's folder, as a user cleaning up would. */
    void dropScored() {
        vacuumedAt = -1;
        delete(table("scored"));
        aggregatesOfAnotherTable = true;
    }

    /**
     * Restores the scored table {@code back} versions before its latest; false when it has too few, or when that
     * version's files were vacuumed (Delta then restores a table whose deletion vectors are gone: a broken table, as
     * its documentation warns, not a state the job is to recover from).
     */
    boolean restoreScored(int back) {
        if (!Files.isDirectory(table("scored").resolve("_delta_log"))) {
            return false;
        }
        long to = latestScoredVersion() - back;
        if (to < 1 || to < vacuumedAt) {
            return false;
        }
        spark.sql("RESTORE TABLE delta.`" + table("scored") + "` TO VERSION AS OF " + to);
        return true;
    }

    private void withoutRetentionCheck(Runnable body) {
        String key = "spark.databricks.delta.retentionDurationCheck.enabled";
        spark.conf().set(key, "false");
        try {
            body.run();
        } finally {
            spark.conf().unset(key);
        }
    }

    private static String inList(Set<String> ids) {
        return ids.stream().sorted().map(DeltaTables::sqlString).collect(Collectors.joining(", "));
    }

    /**
     * Deletes a table's folder, and Delta's cached state of it: each run of the job is a JVM of its own, where no
     * cache outlives the folder.
     */
    private static void delete(Path folder) {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        org.apache.spark.sql.delta.DeltaLog.clearCache();
    }

    /** Every row id of a list, for messages. */
    static List<String> ids(List<NightlySource.SourceRow> rows) {
        List<String> ids = new ArrayList<>();
        rows.forEach(row -> ids.add(row.id()));
        return ids;
    }
}
