// Databricks notebook source
// MAGIC %md
// MAGIC # Score and evaluate a DataFrame with the Spark ML API
// MAGIC
// MAGIC Scores any DataFrame that has a review text column with `ReviewSentiment` (a Spark ML `Transformer`) and
// MAGIC evaluates the predictions with the job's metrics, whole table and per slice. Attach the reviewscore jar to the
// MAGIC cluster (on Databricks the `-databricks` jar; anywhere else the app jar), with `DJL_OFFLINE=true` and
// MAGIC `OPT_OUT_TRACKING=true` in the cluster's environment. Set `modelFolder` and `reviewsPath` in the next cell.

// COMMAND ----------

val modelFolder = "/Volumes/main/reviews/models/movie-sentiment"
val reviewsPath = "/Volumes/main/reviews/raw/reviews.csv"

// COMMAND ----------

import dev.reviewscore.evaluation.{ReviewEvaluator, SentimentEvaluator}
import dev.reviewscore.scoring.ReviewSentiment
import scala.jdk.CollectionConverters._

val reviews = spark.read.option("header", "true").option("multiLine", "true").option("escape", "\"")
  .csv(reviewsPath)

val sentiment = new ReviewSentiment()
  .setModelLocation(modelFolder)
  .setTextCol("review")
  .setBatchSize(8)

// predicted_label, probabilities (label -> probability), model_version and reject_reason are added to every row
val predictions = sentiment.transform(reviews).cache()
predictions.select("review_id", "predicted_label", "probabilities", "reject_reason").show(10, truncate = false)

// COMMAND ----------

// MAGIC %md
// MAGIC The job's metrics on the predictions: whole table, then one row per movie. Rows with a null label count as
// MAGIC unlabeled; rows that were not scored (see `reject_reason`) are left out.

// COMMAND ----------

val metrics = ReviewEvaluator.forLabels(sentiment.labels())
  .withLabelCol("label")
  .withPredictionCol("predicted_label")
  .withSlice("movie", "movie")
  .evaluate(predictions)

val table = metrics.slices.asScala.map { s =>
  (s.sliceName, s.sliceValue, s.rows, s.labeled, Option(s.accuracy).map(_.doubleValue),
    Option(s.auc).map(_.doubleValue), Option(s.logLoss).map(_.doubleValue))
}.toSeq
spark.createDataFrame(table).toDF("slice", "value", "rows", "labeled", "accuracy", "auc", "log_loss")
  .show(50, truncate = false)

// COMMAND ----------

// MAGIC %md
// MAGIC One headline metric as a Spark ML `Evaluator` (for `CrossValidator` or a pipeline's checks).

// COMMAND ----------

val auc = new SentimentEvaluator().setMetricName("auc").setPredictionCol("predicted_label").evaluate(predictions)
println(f"AUC $auc%.4f")
