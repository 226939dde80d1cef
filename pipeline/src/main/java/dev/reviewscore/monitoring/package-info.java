/**
 * Label-free monitoring of a run's scores: positive rate, mean score, score histogram and drift (PSI)
 * against the previous run of the same model version.
 */
package dev.reviewscore.monitoring;
