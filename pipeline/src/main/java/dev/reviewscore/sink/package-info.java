/**
 * Delta tables: their schemas and versions, creation, append, MERGE and replace with retries, the rows of the metrics
 * and dashboard tables made from metric values, and the metrics history the reports read back.
 */
package dev.reviewscore.sink;
