/**
 * One run of the job: score, evaluate, or both, in order, with the tables, reports and quality gates each step
 * writes, and the Spark session it runs in. What the command line and the benchmarks call.
 */
package dev.reviewscore.job;
