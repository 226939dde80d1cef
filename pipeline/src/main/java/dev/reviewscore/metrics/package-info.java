/**
 * Exact evaluation metrics computed on the cluster from aggregates (confusion counts, per-score histograms),
 * whole table and per slice, and their rows in the metrics and dashboard tables.
 */
package dev.reviewscore.metrics;
