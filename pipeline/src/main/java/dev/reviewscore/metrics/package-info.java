/**
 * The metric math, as plain Java with no Spark: confusion matrices and the metrics read from them, exact ROC AUC
 * from score runs, confidence intervals (Wilson, DeLong, Poisson bootstrap), paired tests, score curves and
 * thresholds, and the values an evaluation is made of. Each function names its reference (scikit-learn, scipy) and
 * its convention for an undefined value.
 *
 * @see dev.reviewscore.metrics.ClassificationMetrics
 */
package dev.reviewscore.metrics;
