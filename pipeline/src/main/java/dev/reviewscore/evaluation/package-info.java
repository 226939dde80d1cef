/**
 * Evaluations on the cluster: the exact, additive aggregates of scored rows ({@link
 * dev.reviewscore.evaluation.Aggregates}) and the metrics computed from them; the evaluators users call ({@link
 * dev.reviewscore.evaluation.ReviewEvaluator}, and Spark ML's {@link dev.reviewscore.evaluation.SentimentEvaluator});
 * the champion-against-challenger comparison; and the aggregates table each scoring run keeps up to date.
 */
package dev.reviewscore.evaluation;
