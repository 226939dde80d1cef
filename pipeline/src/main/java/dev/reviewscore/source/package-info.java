/**
 * Reading a review table (Delta, Parquet, CSV, JSON or a catalog table) into the job's columns, with every row
 * that cannot be scored marked with its reject reason.
 */
package dev.reviewscore.source;
