package dev.reviewscore.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map;
import static org.apache.spark.sql.functions.rand;
import static org.apache.spark.sql.functions.when;

import dev.reviewscore.config.EvaluatorSettings;
import dev.reviewscore.evaluation.Aggregates;
import dev.reviewscore.source.ReviewColumns;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.QueryExecution;
import org.apache.spark.sql.util.QueryExecutionListener;

/** The evaluator on large generated scored tables: time, and whether any plan gathers rows into one partition. */
final class EvaluationBenchmark {
    private EvaluationBenchmark() {}

    /**
     * @param seconds time to evaluate the table (read from Delta included), intervals included
     * @param pointSeconds the same without the bootstrap intervals (point metrics, Wilson and DeLong intervals),
     *     measured first
     * @param writeSeconds time to generate and write the table (not part of the evaluation)
     * @param singlePartitionPlans executed plans of the evaluation, over the table's rows, that hold a
     *     single-partition exchange or a window without PARTITION BY (Delta's own query of its transaction log,
     *     which has one, is not over the rows)
     */
    record Result(long rows, double seconds, double pointSeconds, double writeSeconds,
                  List<String> singlePartitionPlans) {}

    /**
     * Generates {@code rows} scored rows (labels, predictions and probabilities with signal) and evaluates them.
     *
     * @param warmUp evaluate once, untimed, first (the first table of a run, so that neither variant pays for the
     *     JVM's warm-up)
     * @param step told what is measured next
     */
    static Result run(SparkSession spark, Path folder, long rows, int partitions, boolean warmUp,
                      Consumer<String> step) {
        step.accept("generating and writing");
        long start = System.nanoTime();
        Dataset<Row> generated = spark.range(0, rows, 1, partitions)
                .withColumn(ReviewColumns.LABEL_INDEX, when(rand(1).lt(0.5), 1).otherwise(0))
                .withColumn("p", col(ReviewColumns.LABEL_INDEX).multiply(0.3).plus(rand(2).multiply(0.7)))
                .select(col("id").cast("string").as("review_id"), col(ReviewColumns.LABEL_INDEX),
                        when(col(ReviewColumns.LABEL_INDEX).equalTo(1), lit("POSITIVE")).otherwise(lit("NEGATIVE"))
                                .as("label"),
                        when(col("p").geq(0.5), 1).otherwise(0).as("predicted_index"),
                        map(lit("NEGATIVE"), lit(1.0).minus(col("p")), lit("POSITIVE"), col("p")).as("probabilities"),
                        col("id").mod(7).cast("string").as("source"));
        generated.write().format("delta").mode("overwrite").save(folder.toString());
        double writeSeconds = (System.nanoTime() - start) / 1e9;

        List<String> offending = Collections.synchronizedList(new ArrayList<>());
        QueryExecutionListener listener = new QueryExecutionListener() {
            @Override
            public void onSuccess(String funcName, QueryExecution qe, long durationNs) {
                String plan = qe.executedPlan().toString();
                boolean overRows = !plan.contains("Delta Table State");
                if (overRows && (plan.contains("SinglePartition")
                        || plan.matches("(?s).*Window \\[[^\\n]*\\], \\[\\], .*"))) {
                    offending.add(plan);
                }
            }

            @Override
            public void onFailure(String funcName, QueryExecution qe, Exception exception) {}
        };
        spark.listenerManager().register(listener);
        try {
            if (warmUp) {
                step.accept("warm-up evaluation");
                evaluate(spark, folder, EvaluatorSettings.DEFAULT);
            }
            step.accept("evaluating without the bootstrap");
            double pointSeconds = evaluate(spark, folder, new EvaluatorSettings(
                    EvaluatorSettings.DEFAULT.confidenceLevel(), 0, EvaluatorSettings.DEFAULT.targetPrecision(),
                    EvaluatorSettings.DEFAULT.errorExamples()));
            step.accept("evaluating with every interval");
            double seconds = evaluate(spark, folder, EvaluatorSettings.DEFAULT);
            return new Result(rows, seconds, pointSeconds, writeSeconds, List.copyOf(offending));
        } finally {
            spark.listenerManager().unregister(listener);
        }
    }

    private static double evaluate(SparkSession spark, Path folder, EvaluatorSettings settings) {
        long start = System.nanoTime();
        Aggregates.evaluate(spark.read().format("delta").load(folder.toString()), "generated", "v", List.of(
                "NEGATIVE", "POSITIVE"), 1, Map.of("source", "source"), settings);
        return (System.nanoTime() - start) / 1e9;
    }
}
