"""Scores for detectors (notebooks 07 and 09), computed by scikit-learn.

An anomaly (or out-of-distribution) detector gives every input a score, larger meaning "more
unusual" (for an autoencoder: its reconstruction error). ``anomaly_roc`` and ``anomaly_auc``
say how well the scores separate the normal inputs from the unusual ones: the ROC curve
(``sklearn.metrics.roc_curve``) and the area under it (``roc_auc_score``): 1.0 separates
perfectly, 0.5 is guessing.
"""
from __future__ import annotations

import numpy as np
from sklearn.metrics import roc_auc_score, roc_curve

from ._checks import as_float_array


def _scores_and_labels(scores_in, scores_out) -> tuple[np.ndarray, np.ndarray]:
    """Both score arrays (n_in,), (n_out,) joined, with labels 0 (in) and 1 (out)."""
    scores_in = as_float_array(scores_in, "scores_in", ndim=1)
    scores_out = as_float_array(scores_out, "scores_out", ndim=1)
    labels = np.concatenate([np.zeros(len(scores_in)), np.ones(len(scores_out))])
    return np.concatenate([scores_in, scores_out]), labels


def anomaly_auc(scores_in, scores_out) -> float:
    """Area under the ROC curve for telling ``scores_out`` (n_out,) from ``scores_in`` (n_in,):
    the probability that a random unusual input scores higher than a random normal one
    (ties count one half)."""
    scores, labels = _scores_and_labels(scores_in, scores_out)
    return float(roc_auc_score(labels, scores))


def anomaly_roc(scores_in, scores_out) -> tuple[np.ndarray, np.ndarray]:
    """The ROC curve (false-positive rates, true-positive rates), both (m,) from 0 to 1, over
    every threshold "unusual if score >= t"."""
    scores, labels = _scores_and_labels(scores_in, scores_out)
    false_positive_rate, true_positive_rate, _ = roc_curve(labels, scores)
    return false_positive_rate, true_positive_rate
