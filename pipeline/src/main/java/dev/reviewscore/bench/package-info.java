/**
 * Measures the predictor, the pipeline and the evaluator on the shared labeled data and prints Markdown tables
 * (the {@code bench} command); what BENCHMARKS.md records.
 *
 * <p>It ships in the application jar on purpose: {@code spark-submit <jar> bench} measures the jar a team deploys,
 * on its own cluster and executors (GPU executors included), with the configuration it runs. It adds no dependency
 * to the jar, and only the command line calls it.
 */
package dev.reviewscore.bench;
