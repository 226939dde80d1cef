/**
 * Measures the predictor, the pipeline and the evaluator on the shared labeled data and prints Markdown tables
 * (the {@code bench} command); what BENCHMARKS.md records.
 */
package dev.reviewscore.bench;
