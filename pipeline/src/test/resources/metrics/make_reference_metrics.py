#!/usr/bin/python3
"""Writes the metric fixtures of AggregatesTest: score tables and the values scikit-learn computes for them.

    /usr/bin/python3 pipeline/src/test/resources/metrics/make_reference_metrics.py

Needs Debian's python3-sklearn (1.2.1 here). Each case is a CSV (label, predicted, p_positive) next to this script,
and reference.json holds accuracy, per-class precision / recall / F1, macro and weighted F1, ROC AUC and log loss,
as sklearn.metrics computes them from the same numbers. A row without a label (an empty label field) is unlabeled:
it counts among the rows, and every metric is computed from the labeled rows alone.
"""

import csv
import json
import os

import numpy as np
import sklearn
from sklearn import metrics

HERE = os.path.dirname(os.path.abspath(__file__))


def heavy_ties(rng):
    """Scores on a coarse grid of 11 values: most (positive, negative) pairs are ties or share a score."""
    n = 3000
    labels = rng.integers(0, 2, n)
    scores = np.clip(np.round(0.3 * labels + rng.normal(0.35, 0.25, n), 1), 0.0, 1.0)
    return labels, scores


def rare_positives(rng):
    """2% positives among 5,000, with a model that ranks them mostly higher."""
    n = 5000
    labels = (rng.random(n) < 0.02).astype(int)
    logits = rng.normal(-2.0, 1.0, n) + 2.5 * labels
    return labels, 1 / (1 + np.exp(-logits))


def extreme_probabilities(rng):
    """Probabilities of exactly 0 and 1, and within 1e-17 of them, confidently wrong on some rows."""
    n = 1000
    labels = rng.integers(0, 2, n)
    choices = np.array([0.0, 1e-17, 1e-12, 1e-6, 0.5, 1 - 1e-6, 1 - 1e-12, 1.0])
    scores = choices[rng.integers(0, len(choices), n)]
    confident = rng.random(n) < 0.8
    scores = np.where(confident & (labels == 1), np.maximum(scores, 1 - 1e-12), scores)
    scores = np.where(confident & (labels == 0), np.minimum(scores, 1e-12), scores)
    return labels, scores


def quarter_unlabeled(rng):
    """4,000 reviews of which about a quarter have no label (-1), most of them scored with confidence."""
    n = 4000
    labels = rng.integers(0, 2, n)
    logits = rng.normal(0.0, 2.5, n) + 3.0 * (labels - 0.5)
    labels = np.where(rng.random(n) < 0.25, -1, labels)
    return labels, 1 / (1 + np.exp(-logits))


def reference(all_labels, all_scores):
    labeled = all_labels >= 0
    labels, scores = all_labels[labeled], all_scores[labeled]
    predicted = (scores >= 0.5).astype(int)
    probabilities = np.column_stack([1 - scores, scores])
    precision, recall, f1, support = metrics.precision_recall_fscore_support(
        labels, predicted, labels=[0, 1], zero_division=0)
    return {
        "accuracy": metrics.accuracy_score(labels, predicted),
        "precision": precision.tolist(),
        "recall": recall.tolist(),
        "f1": f1.tolist(),
        "macro_f1": metrics.f1_score(labels, predicted, average="macro", zero_division=0),
        "weighted_f1": metrics.f1_score(labels, predicted, average="weighted", zero_division=0),
        "auc": metrics.roc_auc_score(labels, scores),
        "log_loss": metrics.log_loss(labels, probabilities, labels=[0, 1]),
        "confusion": metrics.confusion_matrix(labels, predicted, labels=[0, 1]).tolist(),
        "rows": int(len(all_labels)),
        "labeled": int(len(labels)),
    }


def main():
    rng = np.random.default_rng(20261126)
    cases = {"heavy_ties": heavy_ties(rng), "rare_positives": rare_positives(rng),
             "extreme_probabilities": extreme_probabilities(rng), "quarter_unlabeled": quarter_unlabeled(rng)}
    expected = {"sklearn_version": sklearn.__version__}
    for name, (labels, scores) in cases.items():
        with open(os.path.join(HERE, name + ".csv"), "w", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(["label", "predicted", "p_positive"])
            for label, score in zip(labels, scores):
                writer.writerow(["" if label < 0 else int(label), int(score >= 0.5), repr(float(score))])
        expected[name] = reference(labels, scores)
    with open(os.path.join(HERE, "reference.json"), "w") as f:
        json.dump(expected, f, indent=2)
        f.write("\n")
    print("wrote", ", ".join(cases), "and reference.json to", HERE)


if __name__ == "__main__":
    main()
