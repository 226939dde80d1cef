-- Databricks notebook source
-- MAGIC %md
-- MAGIC # Exploring reviewscore results
-- MAGIC
-- MAGIC The queries a dashboard needs, over the tables the pipeline writes: the scored table (one row per review and
-- MAGIC model version), the rejects table, the metrics table (long: one row per metric value, per run and slice) and
-- MAGIC the three tables made for dashboards, which need no pivot: the runs (one row per run), the slice metrics (one
-- MAGIC row per evaluation run and slice, the headline metrics as columns) and the latest evaluation of each model
-- MAGIC version.
-- MAGIC Set the table names in the first cell (SQL session variables, which Databricks notebooks, Databricks SQL
-- MAGIC warehouses and Spark 4 all run); every other cell runs as it is. Tables written to a path (`output.*.path`)
-- MAGIC need a name first: `CREATE TABLE reviews.scored_reviews USING DELTA LOCATION '/path/to/table'`.

-- COMMAND ----------

-- parameters: the pipeline's output tables (output.scored, .rejects, .metrics, .runs, .slice-metrics, .latest)
DECLARE OR REPLACE VARIABLE scored_table STRING DEFAULT 'main.reviews.scored_reviews';
DECLARE OR REPLACE VARIABLE rejects_table STRING DEFAULT 'main.reviews.rejected_reviews';
DECLARE OR REPLACE VARIABLE metrics_table STRING DEFAULT 'main.reviews.review_metrics';
DECLARE OR REPLACE VARIABLE runs_table STRING DEFAULT 'main.reviews.review_runs';
DECLARE OR REPLACE VARIABLE slice_metrics_table STRING DEFAULT 'main.reviews.review_slice_metrics';
DECLARE OR REPLACE VARIABLE latest_table STRING DEFAULT 'main.reviews.review_latest_metrics';

-- COMMAND ----------

-- MAGIC %md
-- MAGIC ## Latest evaluation of each model version
-- MAGIC The model-card numbers of every model version as its latest evaluation gave them, with that run's outcome.

-- COMMAND ----------

SELECT model_name, model_version, evaluated_at, outcome, rows, labeled_rows, accuracy, auc, macro_f1, log_loss
FROM IDENTIFIER(latest_table)
ORDER BY evaluated_at DESC;

-- COMMAND ----------

-- MAGIC %md
-- MAGIC ## Metrics over time
-- MAGIC One row per evaluation run: the model-card numbers of the whole table, newest first. Chart accuracy and AUC
-- MAGIC against `evaluated_at`, one line per model version, with the `_lower` and `_upper` columns as a band.

-- COMMAND ----------

SELECT run_id, model_version, evaluated_at, labeled_rows, accuracy, accuracy_lower, accuracy_upper, auc, auc_lower,
  auc_upper, macro_f1, log_loss
FROM IDENTIFIER(slice_metrics_table)
WHERE slice_name = 'all'
ORDER BY evaluated_at DESC;

-- COMMAND ----------

-- MAGIC %md
-- MAGIC ## Per slice, latest run
-- MAGIC Accuracy, AUC and review counts for every slice value of the most recent evaluation, with the bounds of
-- MAGIC their confidence intervals (a slice of 12 reviews has a wide one); undefined values are null (the metrics
-- MAGIC table's `note` says why).

-- COMMAND ----------

WITH latest AS (
  SELECT run_id FROM IDENTIFIER(slice_metrics_table) ORDER BY evaluated_at DESC LIMIT 1
)
SELECT slice_name, slice_value, rows, labeled_rows, accuracy, accuracy_lower, accuracy_upper, auc, auc_lower,
  auc_upper, confidence_level, positive_label, precision, recall, f1
FROM IDENTIFIER(slice_metrics_table) JOIN latest USING (run_id)
ORDER BY slice_name = 'all' DESC, slice_name, slice_value;

-- COMMAND ----------

-- MAGIC %md
-- MAGIC ## Confusion matrix, latest run

-- COMMAND ----------

WITH latest AS (
  SELECT run_id FROM IDENTIFIER(metrics_table) WHERE metric = 'confusion_count' ORDER BY evaluated_at DESC LIMIT 1
)
SELECT class_label AS true_label, predicted_label, CAST(value AS BIGINT) AS reviews
FROM IDENTIFIER(metrics_table) JOIN latest USING (run_id)
WHERE metric = 'confusion_count' AND slice_name = 'all'
ORDER BY true_label, predicted_label;

-- COMMAND ----------

-- MAGIC %md
-- MAGIC ## Worst-scored reviews
-- MAGIC Labeled reviews the model got most confidently wrong: the probability it gave the true label is lowest.

-- COMMAND ----------

SELECT review_id,
       model_version,
       label AS true_label,
       predicted_label,
       round(element_at(probabilities, label), 4) AS probability_of_true_label,
       token_count,
       substring(text, 1, 300) AS text_start
FROM IDENTIFIER(scored_table)
WHERE label IS NOT NULL AND label <> predicted_label AND source_deleted_at IS NULL
ORDER BY element_at(probabilities, label) ASC, review_id
LIMIT 50;

-- COMMAND ----------

-- MAGIC %md
-- MAGIC ## Reject reasons
-- MAGIC Rows the pipeline could not score, per run and reason, with one example each.

-- COMMAND ----------

SELECT run_id,
       reason,
       count(*) AS rows,
       min(review_id) AS example_review_id,
       min(detail) AS detail
FROM IDENTIFIER(rejects_table)
GROUP BY run_id, reason
ORDER BY run_id DESC, rows DESC;

-- COMMAND ----------

-- MAGIC %md
-- MAGIC ## Runs: outcome, volume, rejects, drift and time
-- MAGIC One row per run, newest first: how it ended (succeeded, gates_broken or failed, with the error), what it read
-- MAGIC (all of the source, or only its changes, and which Delta versions), scored, rejected, skipped and deleted, its
-- MAGIC positive rate, the drift (population stability index) of its scores against
-- MAGIC the previous run of the same model version, the time of each step, what its evaluation was computed from
-- MAGIC (aggregates: merged with the scored table's changes; rows: every scored row), and the scheduler's run id.

-- COMMAND ----------

SELECT run_id, command, started_at, outcome, error, model_version, source_read, source_from_version,
       source_to_version, input_rows, scored_rows, rejected_rows, skipped_rows, deleted_rows,
       round(reject_rate, 4) AS reject_rate, round(positive_rate, 4) AS positive_rate,
       round(drift_psi, 4) AS drift_psi, gates_broken, broken_gates,
       round(read_seconds + score_seconds + merge_seconds + rejects_seconds + coalesce(deletes_seconds, 0), 1)
         AS scoring_seconds,
       round(evaluate_seconds, 1) AS evaluate_seconds, evaluated_from, scheduler_run_id, spark_application_id
FROM IDENTIFIER(runs_table)
ORDER BY started_at DESC;

-- COMMAND ----------

-- MAGIC %md
-- MAGIC ## Score distribution of the latest scoring run

-- COMMAND ----------

WITH latest AS (
  SELECT run_id FROM IDENTIFIER(metrics_table) WHERE metric = 'score_histogram' ORDER BY evaluated_at DESC LIMIT 1
)
SELECT slice_value AS positive_probability_bin, CAST(value AS BIGINT) AS reviews
FROM IDENTIFIER(metrics_table) JOIN latest USING (run_id)
WHERE metric = 'score_histogram'
ORDER BY slice_value;
