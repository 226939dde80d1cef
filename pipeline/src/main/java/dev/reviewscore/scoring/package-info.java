/**
 * Scoring reviews on Spark: the Spark ML transformer that maps partitions through the executor's model, and
 * the job that scores a source into the scored Delta table (incrementally) and its rejects, and adds what it changed
 * to the evaluation's aggregates.
 */
package dev.reviewscore.scoring;
