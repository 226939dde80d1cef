#!/usr/bin/python3
"""Writes the champion-against-challenger fixture of ModelComparisonTest and the values it expects.

    /usr/bin/python3 pipeline/src/test/resources/metrics/make_reference_paired.py

Needs Debian's python3-numpy and python3-scipy. paired.csv holds 2,000 labeled reviews scored by two correlated
models (scores rounded to 3 decimals, so that there are ties); reference-paired.json holds, computed independently of
the pipeline's code:
- McNemar's exact test: b = right by the champion only, c = right by the challenger only,
  p = min(1, 2 * binom.cdf(min(b, c), b + c, 0.5)) (statsmodels' mcnemar(exact=True));
- DeLong's paired test by Sun and Xu's (2014) midrank method: each model's placements from scipy's rankdata, the
  2 x 2 covariance matrices of the positives' and the negatives' placements (n - 1 denominators), the variance of
  the difference S/m + S/n along (1, -1), and the two-sided normal p-value of the difference.
"""

import csv
import json
import os

import numpy as np
import scipy
from scipy import stats

HERE = os.path.dirname(os.path.abspath(__file__))


def placements(labels, scores):
    positives = scores[labels == 1]
    negatives = scores[labels == 0]
    m, n = len(positives), len(negatives)
    together = stats.rankdata(np.concatenate([positives, negatives]))
    positive_placements = (together[:m] - stats.rankdata(positives)) / n
    negative_placements = 1 - (together[m:] - stats.rankdata(negatives)) / m
    return positive_placements, negative_placements


def main():
    rng = np.random.default_rng(20261202)
    n = 2000
    labels = (rng.random(n) < 0.45).astype(int)
    champion_logit = rng.normal(0, 1, n) + 1.6 * labels - 0.7
    challenger_logit = 0.8 * champion_logit + rng.normal(0, 0.7, n) + 0.5 * labels - 0.2
    champion = np.round(1 / (1 + np.exp(-champion_logit)), 3)
    challenger = np.round(1 / (1 + np.exp(-challenger_logit)), 3)
    champion_predicted = (champion >= 0.5).astype(int)
    challenger_predicted = (challenger >= 0.5).astype(int)
    with open(os.path.join(HERE, "paired.csv"), "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["review_id", "label", "champion_predicted", "champion_score", "challenger_predicted",
                         "challenger_score"])
        for i in range(n):
            writer.writerow(["p%04d" % i, labels[i], champion_predicted[i], repr(float(champion[i])),
                             challenger_predicted[i], repr(float(challenger[i]))])

    champion_right = champion_predicted == labels
    challenger_right = challenger_predicted == labels
    b = int((champion_right & ~challenger_right).sum())
    c = int((challenger_right & ~champion_right).sum())
    mcnemar_p = min(1.0, 2 * stats.binom.cdf(min(b, c), b + c, 0.5))

    a_pos, a_neg = placements(labels, champion)
    b_pos, b_neg = placements(labels, challenger)
    m, k = len(a_pos), len(a_neg)
    s10 = np.cov(np.vstack([a_pos, b_pos]), ddof=1)
    s01 = np.cov(np.vstack([a_neg, b_neg]), ddof=1)
    contrast = np.array([1.0, -1.0])
    variance = contrast @ (s10 / m + s01 / k) @ contrast
    champion_auc, challenger_auc = a_pos.mean(), b_pos.mean()
    z = (challenger_auc - champion_auc) / np.sqrt(variance)
    expected = {
        "numpy_version": np.__version__, "scipy_version": scipy.__version__,
        "paired": n, "labeled": n,
        "champion_right": int(champion_right.sum()), "challenger_right": int(challenger_right.sum()),
        "champion_only_right": b, "challenger_only_right": c, "mcnemar_p": float(mcnemar_p),
        "disagreements": int((champion_predicted != challenger_predicted).sum()),
        "champion_auc": float(champion_auc), "challenger_auc": float(challenger_auc),
        "auc_difference_variance": float(variance), "auc_p": float(2 * stats.norm.sf(abs(z))),
    }
    with open(os.path.join(HERE, "reference-paired.json"), "w") as f:
        json.dump(expected, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
