-- Databricks notebook source
-- MAGIC %md
-- MAGIC # Exploring reviewscore results
-- MAGIC
-- MAGIC The queries a dashboard needs, over the three tables the pipeline writes: the scored table (one row per review
-- MAGIC and model version), the metrics table (one row per metric value, per run and slice) and the rejects table.
-- MAGIC Set the table names in the first cell (SQL session variables, which Databricks notebooks, Databricks SQL
-- MAGIC warehouses and Spark 4 all run); every other cell runs as it is. Tables written to a path (`output.*.path`)
-- MAGIC need a name first: `CREATE TABLE reviews.scored_reviews USING DELTA LOCATION '/path/to/table'`.

-- COMMAND ----------

-- parameters: the pipeline's output tables (output.scored / output.metrics / output.rejects)
DECLARE OR REPLACE VARIABLE scored_table STRING DEFAULT 'main.reviews.scored_reviews';
DECLARE OR REPLACE VARIABLE metrics_table STRING DEFAULT 'main.reviews.review_metrics';
DECLARE OR REPLACE VARIABLE rejects_table STRING DEFAULT 'main.reviews.rejected_reviews';

-- COMMAND ----------

-- MAGIC %md
-- MAGIC ## Metrics over time
-- MAGIC One row per evaluation run: the model-card numbers of the whole table, newest first. Chart accuracy and AUC
-- MAGIC against `evaluated_at`, one line per model version.

-- COMMAND ----------

SELECT run_id,
       model_version,
       max(evaluated_at) AS evaluated_at,
       max(CASE WHEN metric = 'labeled_rows' THEN value END) AS labeled_reviews,
       max(CASE WHEN metric = 'accuracy' THEN value END) AS accuracy,
       max(CASE WHEN metric = 'auc' THEN value END) AS auc,
       max(CASE WHEN metric = 'macro_f1' THEN value END) AS macro_f1,
       max(CASE WHEN metric = 'log_loss' THEN value END) AS log_loss
FROM IDENTIFIER(metrics_table)
WHERE slice_name = 'all'
GROUP BY run_id, model_version
HAVING max(CASE WHEN metric = 'accuracy' THEN 1 END) = 1
ORDER BY evaluated_at DESC;

-- COMMAND ----------

-- MAGIC %md
-- MAGIC ## Per slice, latest run
-- MAGIC Accuracy, AUC and review counts for every slice value of the most recent evaluation. Undefined values are
-- MAGIC null, and `note` says why.

-- COMMAND ----------

WITH latest AS (
  SELECT run_id FROM IDENTIFIER(metrics_table) WHERE metric = 'accuracy' ORDER BY evaluated_at DESC LIMIT 1
)
SELECT m.slice_name,
       m.slice_value,
       max(CASE WHEN m.metric = 'rows' THEN m.value END) AS reviews,
       max(CASE WHEN m.metric = 'labeled_rows' THEN m.value END) AS labeled,
       max(CASE WHEN m.metric = 'accuracy' THEN m.value END) AS accuracy,
       max(CASE WHEN m.metric = 'auc' THEN m.value END) AS auc,
       max(CASE WHEN m.metric = 'auc' THEN m.note END) AS auc_note
FROM IDENTIFIER(metrics_table) m JOIN latest USING (run_id)
WHERE m.slice_name NOT IN ('stage', 'score_bin')
GROUP BY m.slice_name, m.slice_value
ORDER BY m.slice_name = 'all' DESC, m.slice_name, m.slice_value;

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
WHERE label IS NOT NULL AND label <> predicted_label
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
-- MAGIC ## Volume, rejects and drift per scoring run
-- MAGIC What each run read, scored, rejected and skipped, its positive rate, and the drift (population stability
-- MAGIC index) of its scores against the previous run of the same model version.

-- COMMAND ----------

SELECT run_id,
       model_version,
       max(evaluated_at) AS started_at,
       max(CASE WHEN metric = 'input_rows' THEN value END) AS input_rows,
       max(CASE WHEN metric = 'scored_rows' THEN value END) AS scored_rows,
       max(CASE WHEN metric = 'rejected_rows' THEN value END) AS rejected_rows,
       max(CASE WHEN metric = 'skipped_rows' THEN value END) AS skipped_rows,
       max(CASE WHEN metric = 'positive_rate' THEN value END) AS positive_rate,
       max(CASE WHEN metric = 'drift_psi' THEN value END) AS drift_psi
FROM IDENTIFIER(metrics_table)
WHERE slice_name = 'all'
GROUP BY run_id, model_version
HAVING max(CASE WHEN metric = 'input_rows' THEN 1 END) = 1
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
