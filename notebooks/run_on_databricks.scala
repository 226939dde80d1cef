// Databricks notebook source
// MAGIC %md
// MAGIC # Run reviewscore on Databricks
// MAGIC
// MAGIC Runs the nightly job (score, then evaluate) on this cluster, the way `conf/databricks-job.json` runs it as a
// MAGIC JAR task. Before running:
// MAGIC
// MAGIC 1. Build the jars (`mvn package`; Databricks runtime 17, Spark 4.0 / Scala 2.13) and upload
// MAGIC    `pipeline/target/reviewscore-pipeline-<version>-databricks.jar` (without Delta: the runtime has its own) to a
// MAGIC    volume.
// MAGIC 2. Attach the jar to the cluster as a library, and set the cluster's environment variables
// MAGIC    `DJL_OFFLINE=true` and `OPT_OUT_TRACKING=true` (Advanced options > Spark > Environment variables).
// MAGIC 3. Upload the model folder and `conf/databricks.conf` (edited for your catalog) to a volume.
// MAGIC
// MAGIC The job uses this cluster's Spark session as it is (it changes none of its settings) and leaves it running.
// MAGIC Exit codes: 0 success, 2 configuration or input error, 3 a quality gate broken (everything was written, and the
// MAGIC metrics table records the broken gates), 1 failure.

// COMMAND ----------

dbutils.widgets.text("config", "/Volumes/main/reviews/config/databricks.conf")
dbutils.widgets.dropdown("command", "run", Seq("run", "score", "evaluate"))

// COMMAND ----------

val exitCode = dev.reviewscore.cli.Main.execute(
  Array(dbutils.widgets.get("command"), "--config", dbutils.widgets.get("config")), System.out, System.err)
if (exitCode != 0) {
  throw new RuntimeException(s"reviewscore ended with exit code $exitCode; see the output above")
}

// COMMAND ----------

// MAGIC %md
// MAGIC ## The latest run's headline numbers
// MAGIC (notebooks/explore_results.sql has the dashboard queries.)

// COMMAND ----------

display(spark.sql("""
  SELECT run_id, evaluated_at, slice_name, metric, class_label, value, note
  FROM main.reviews.review_metrics
  WHERE slice_name = 'all' AND metric IN ('accuracy', 'auc', 'macro_f1', 'log_loss', 'positive_rate', 'drift_psi')
  ORDER BY evaluated_at DESC, metric
  LIMIT 12"""))
