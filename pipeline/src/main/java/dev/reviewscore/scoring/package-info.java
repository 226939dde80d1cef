/**
 * Scoring reviews on Spark: the Spark ML transformer that maps partitions through the executor's model, and
 * the job that scores a source into the scored Delta table (incrementally) and its rejects.
 */
package dev.reviewscore.scoring;
