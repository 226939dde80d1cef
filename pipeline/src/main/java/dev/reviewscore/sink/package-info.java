/**
 * Delta tables: their schemas and versions, creation, append, MERGE and replace with retries, and the
 * dashboard and metrics tables' writers. Knows tables, not what the rows mean.
 */
package dev.reviewscore.sink;
