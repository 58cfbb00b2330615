"""Metrics of the quality benchmark: macro-F1 and mean Cohen's kappa over codes, expected
calibration error, and a reliability table (scikit-learn for F1 and kappa)."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import cohen_kappa_score, f1_score


def evaluated(truth: np.ndarray) -> np.ndarray:
    """Codes that occur in the evaluated segments (a code never present has no F1 or kappa)."""
    return np.flatnonzero(truth.any(axis=0))


def macro_f1(truth: np.ndarray, guess: np.ndarray) -> float:
    codes = evaluated(truth)
    return float(np.mean([f1_score(truth[:, j], guess[:, j], zero_division=0) for j in codes]))


def mean_kappa(truth: np.ndarray, guess: np.ndarray) -> float:
    codes = evaluated(truth)
    values = []
    for j in codes:
        if guess[:, j].all() == guess[:, j].any() and truth[:, j].all() == truth[:, j].any():
            values.append(0.0)
            continue
        values.append(cohen_kappa_score(truth[:, j], guess[:, j]))
    return float(np.mean(np.nan_to_num(values)))


def reliability(truth: np.ndarray, scores: np.ndarray, bins: int = 10) -> list[tuple[float, float, int, float]]:
    """Per score bin ``[lo, lo + 1/bins)``: (lo, mean score, pairs, share right), over every
    (segment, code) pair of the evaluated codes."""
    codes = evaluated(truth)
    y = truth[:, codes].ravel()
    p = np.clip(scores[:, codes].ravel(), 0.0, 1.0)
    which = np.minimum((p * bins).astype(int), bins - 1)
    rows = []
    for b in range(bins):
        inside = which == b
        if inside.any():
            rows.append((b / bins, float(p[inside].mean()), int(inside.sum()), float(y[inside].mean())))
    return rows


def ece(truth: np.ndarray, scores: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error: the pair-weighted mean |share right − mean score| over bins."""
    table = reliability(truth, scores, bins)
    total = sum(n for _, _, n, _ in table)
    return float(sum(n * abs(right - mean) for _, mean, n, right in table) / max(total, 1))
