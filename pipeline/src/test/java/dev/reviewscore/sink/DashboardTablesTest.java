package dev.reviewscore.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.reviewscore.cli.Main;
import dev.reviewscore.testing.TestPaths;
import dev.reviewscore.testing.TestSpark;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tables for dashboards, as three command-line runs leave them: a run that succeeds, an evaluation that breaks a
 * quality gate, and a run that fails on its source. Each table has its contract's columns, types and comments, and
 * agrees with the long metrics table.
 */
class DashboardTablesTest {
    private final SparkSession spark = TestSpark.session();

    @TempDir
    Path dir;

    private int main(String command, String... extra) {
        List<String> args = new ArrayList<>(List.of(command, "--config",
                TestPaths.project().resolve("conf/local.conf").toString(),
                "--conf", "source.path=" + TestPaths.sampleReviews(),
                "--conf", "model.location=" + TestPaths.defaultModel(),
                "--conf", "output.scored.path=" + dir.resolve("tables/scored"),
                "--conf", "output.rejects.path=" + dir.resolve("tables/rejects"),
                "--conf", "output.metrics.path=" + dir.resolve("tables/metrics"),
                "--conf", "output.reports=" + dir.resolve("reports")));
        args.addAll(List.of(extra));
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        return Main.execute(args.toArray(new String[0]), quiet, quiet);
    }

    private Dataset<Row> table(String name) {
        return spark.read().format("delta").load(dir.resolve("tables").resolve(name).toString());
    }

    @Test
    void runsSliceMetricsAndTheLatestEvaluationPerModelVersion() {
        assertEquals(Main.OK, main("run", "--conf", "output.scheduler-run-id=nightly-0412"));
        assertEquals(Main.GATE_FAILED, main("evaluate", "--conf", "gates.min-accuracy=0.99"));
        assertEquals(Main.USER_ERROR, main("score", "--conf", "source.path=" + dir.resolve("no-such.csv")));

        for (Map.Entry<String, StructType> contract : Map.of("review_runs", TableSchemas.RUNS,
                "review_slice_metrics", TableSchemas.SLICE_METRICS, "review_latest_metrics", TableSchemas.LATEST)
                .entrySet()) {
            StructType written = table(contract.getKey()).schema();
            assertEquals(List.of(contract.getValue().fieldNames()), List.of(written.fieldNames()), contract.getKey());
            for (StructField field : contract.getValue().fields()) {
                assertEquals(field.dataType(), written.apply(field.name()).dataType(), field.name());
                assertEquals(field.getComment(), written.apply(field.name()).getComment(), field.name());
            }
        }

        List<Row> runs = table("review_runs").orderBy("started_at").collectAsList();
        assertEquals(List.of("run/succeeded", "evaluate/gates_broken", "score/failed"),
                runs.stream().map(r -> r.getAs("command") + "/" + r.getAs("outcome")).toList());
        Row first = runs.get(0);
        assertEquals(320L, (long) first.<Long>getAs("input_rows"));
        assertEquals(320L, (long) first.<Long>getAs("scored_rows"));
        assertEquals(0L, (long) first.<Long>getAs("rejected_rows"));
        assertEquals(0.0, first.<Double>getAs("reject_rate"));
        assertEquals(279L, (long) first.<Long>getAs("labeled_rows"));
        assertEquals("nightly-0412", first.getAs("scheduler_run_id"));
        assertEquals(spark.sparkContext().applicationId(), first.getAs("spark_application_id"));
        assertEquals(0, (int) first.<Integer>getAs("gates_broken"));
        for (String step : List.of("read", "score", "merge", "rejects", "evaluate")) {
            assertTrue(first.<Double>getAs(step + "_seconds") > 0, step);
        }
        Row gated = runs.get(1);
        assertNull(gated.getAs("input_rows"), "evaluate reads no source");
        assertEquals(1, (int) gated.<Integer>getAs("gates_configured"));
        assertEquals(List.of("gates.min-accuracy"), gated.getList(gated.fieldIndex("broken_gates")));
        Row failed = runs.get(2);
        assertTrue(failed.<String>getAs("error").contains("no-such.csv"), failed.<String>getAs("error"));
        assertNull(failed.getAs("gates_broken"));

        // the slice metrics equal the long metrics table, value for value
        Map<String, Double> longFormat = new HashMap<>();
        for (Row row : table("metrics").where("class_label IS NULL AND value IS NOT NULL").collectAsList()) {
            longFormat.put(row.getAs("run_id") + "|" + row.getAs("slice_name") + "|" + row.getAs("slice_value") + "|"
                    + row.getAs("metric"), row.getAs("value"));
        }
        List<Row> slices = table("review_slice_metrics").collectAsList();
        assertFalse(slices.isEmpty());
        int compared = 0;
        for (Row row : slices) {
            String key = row.getAs("run_id") + "|" + row.getAs("slice_name") + "|" + row.getAs("slice_value") + "|";
            for (String metric : List.of("accuracy", "auc", "log_loss", "macro_f1", "weighted_f1")) {
                if (!row.isNullAt(row.fieldIndex(metric))) {
                    assertEquals(longFormat.get(key + metric), row.<Double>getAs(metric), 0.0, key + metric);
                    compared++;
                }
            }
            assertEquals(longFormat.get(key + "rows"), (double) row.<Long>getAs("rows"), 0.0, key);
        }
        assertTrue(compared > 3 * slices.size(), "compared " + compared);
        assertEquals(2, table("review_slice_metrics").select("run_id").distinct().count());

        List<Row> latest = table("review_latest_metrics").collectAsList();
        assertEquals(1, latest.size(), "one model version");
        assertEquals(runs.get(1).<String>getAs("run_id"), latest.get(0).getAs("run_id"));
        assertEquals("gates_broken", latest.get(0).getAs("outcome"));
        assertNotNull(latest.get(0).getAs("accuracy"));
        assertEquals(first.<Double>getAs("accuracy"), latest.get(0).<Double>getAs("accuracy"));
    }
}
