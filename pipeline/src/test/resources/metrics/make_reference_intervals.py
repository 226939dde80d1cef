#!/usr/bin/python3
"""Writes reference-intervals.json: the confidence intervals AggregatesTest expects for the metric fixtures.

    /usr/bin/python3 pipeline/src/test/resources/metrics/make_reference_intervals.py

Needs Debian's python3-numpy and python3-scipy. Reads the fixture CSVs that make_reference_metrics.py wrote (label,
predicted, p_positive) and computes, independently of the pipeline's code:
- Wilson score intervals of accuracy and of each class's precision and recall, from the counts;
- ROC AUC with DeLong's variance, by the midrank method of Sun and Xu (2014): each positive's placement is the share
  of negatives below it and each negative's the share of positives above it (ties half), from scipy's rankdata; the
  variance is var(positive placements)/m + var(negative placements)/n with n - 1 denominators; the interval is
  logit(AUC) +- z * sqrt(variance) / (AUC (1 - AUC)), mapped back with the logistic function.
Levels 0.95 and 0.90, so that the level setting is checked too.
"""

import csv
import json
import os

import numpy as np
import scipy
from scipy import stats

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = ["heavy_ties", "rare_positives", "extreme_probabilities"]
LEVELS = [0.95, 0.90]


def wilson(successes, trials, level):
    if trials == 0:
        return None
    z = stats.norm.ppf(0.5 + level / 2)
    p = successes / trials
    denominator = 1 + z * z / trials
    center = (p + z * z / (2 * trials)) / denominator
    half = z * np.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return [max(0.0, center - half), min(1.0, center + half)]


def delong(labels, scores):
    positives = scores[labels == 1]
    negatives = scores[labels == 0]
    m, n = len(positives), len(negatives)
    within_positives = stats.rankdata(positives)
    within_negatives = stats.rankdata(negatives)
    together = stats.rankdata(np.concatenate([positives, negatives]))
    positive_placements = (together[:m] - within_positives) / n
    negative_placements = 1 - (together[m:] - within_negatives) / m
    auc = positive_placements.mean()
    variance = np.var(positive_placements, ddof=1) / m + np.var(negative_placements, ddof=1) / n
    return auc, variance


def logit_interval(auc, variance, level):
    z = stats.norm.ppf(0.5 + level / 2)
    logit = np.log(auc / (1 - auc))
    half = z * np.sqrt(variance) / (auc * (1 - auc))
    return [1 / (1 + np.exp(-(logit - half))), 1 / (1 + np.exp(-(logit + half)))]


def main():
    expected = {"numpy_version": np.__version__, "scipy_version": scipy.__version__}
    for name in CASES:
        with open(os.path.join(HERE, name + ".csv")) as f:
            rows = list(csv.DictReader(f))
        labels = np.array([int(r["label"]) for r in rows])
        predicted = np.array([int(r["predicted"]) for r in rows])
        scores = np.array([float(r["p_positive"]) for r in rows])
        auc, variance = delong(labels, scores)
        case = {"auc": float(auc), "auc_variance": float(variance)}
        for level in LEVELS:
            key = "%.2f" % level
            case[key] = {
                "accuracy": wilson(int((labels == predicted).sum()), len(labels), level),
                "precision": [wilson(int(((predicted == k) & (labels == k)).sum()), int((predicted == k).sum()),
                                     level) for k in (0, 1)],
                "recall": [wilson(int(((predicted == k) & (labels == k)).sum()), int((labels == k).sum()), level)
                           for k in (0, 1)],
                "auc": logit_interval(auc, variance, level),
            }
        expected[name] = case
    with open(os.path.join(HERE, "reference-intervals.json"), "w") as f:
        json.dump(expected, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
