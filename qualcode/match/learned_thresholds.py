"""Thresholds of the learned matcher, chosen on the training codes only: from the shared
model's out-of-fold probabilities, the one threshold with the best mean Cohen's kappa over the
codes (:func:`shared_threshold`), and a code's own (:func:`own_threshold`) for codes with many
examples (:mod:`qualcode.match.learned`); and which codes too rare for models of their own
keep their zero-shot score and its threshold (:func:`keeps_zero_shot`)."""

from __future__ import annotations

import numpy as np

from ..settings import DEFAULT_MIN_SCORE

CHANCE_KAPPA = 0.1  # cross-validated mean kappa below this: little better than chance (shuffled codes: 0.06-0.07)
THRESHOLDS = np.round(np.arange(0.10, 0.61, 0.01), 2)  # no threshold below 0.1
ZERO_SHOT_THRESHOLD = DEFAULT_MIN_SCORE["hybrid"]  # the hybrid matcher's default threshold
WRONG_ON = (5, 0.2)  # a zero-shot score wrong on at least this many and this share of the coded segments is not kept


def kappas(probability: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Cohen's kappa of every code (columns) at every threshold of ``THRESHOLDS`` (rows); 0
    where the guess or the truth is constant."""
    y = labels.astype(float)[None, :, :]
    guess = (probability[None, :, :] >= THRESHOLDS[:, None, None]).astype(float)
    n = labels.shape[0]
    observed = ((guess == y).sum(axis=1)) / n
    p_guess, p_true = guess.mean(axis=1), y.mean(axis=1)
    expected = p_guess * p_true + (1 - p_guess) * (1 - p_true)
    constant = (p_guess % 1 == 0) | (p_true % 1 == 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = (observed - expected) / (1 - expected)
    return np.where(constant, 0.0, np.nan_to_num(value))


def _best(values: np.ndarray) -> float:
    """The threshold of the highest value; ties: the higher threshold."""
    rounded = np.round(values, 9)
    return float(THRESHOLDS[np.flatnonzero(rounded == rounded.max())[-1]])


def shared_threshold(probability: np.ndarray, labels: np.ndarray) -> tuple[float, float | None]:
    """The one threshold with the best mean Cohen's kappa over the codes that have examples,
    and that kappa (None without examples); when no threshold reaches ``CHANCE_KAPPA`` (the
    out-of-fold scores tell the codes apart no better than chance, and the best is noise,
    often the grid's top, where nothing is suggested), the one whose suggestions are as
    frequent as the codes."""
    present = np.flatnonzero(labels.any(axis=0))
    if not len(present):
        return 0.5, None
    curve = kappas(probability[:, present], labels[:, present]).mean(axis=1)
    if curve.max() < CHANCE_KAPPA:
        rates = (probability[None, :, present] >= THRESHOLDS[:, None, None]).mean(axis=(1, 2))
        return float(THRESHOLDS[np.argmin(np.abs(rates - labels[:, present].mean()))]), float(curve.max())
    return _best(curve), float(curve.max())


def own_threshold(probability: np.ndarray, y: np.ndarray) -> float:
    """The threshold with the best Cohen's kappa for one code."""
    return _best(kappas(probability[:, None], y[:, None])[:, 0])


def keeps_zero_shot(zero_shot: np.ndarray, labels: np.ndarray, own: np.ndarray) -> np.ndarray:
    """Per code: is it one without models of its own (not ``own``) whose zero-shot score
    (``zero_shot``, of the coded segments) it keeps? Kept unless the coded segments show that
    score suggesting the code where the coders did not on at least :data:`WRONG_ON` of them (5
    segments and a fifth): a codebook of bare labels the encoder cannot tell apart suggests
    most codes on most segments (NVivo's example project: 40,164 suggestions on 949
    segments). Short of that, the zero-shot score did better than the shared model's on three
    corpora, even for codes it got wrong on 20 coded segments (``benchmarks/README.md``)."""
    wrong = ((zero_shot >= ZERO_SHOT_THRESHOLD) & ~labels.astype(bool)).sum(axis=0)
    shown_wrong = (wrong >= WRONG_ON[0]) & (wrong >= WRONG_ON[1] * len(labels))
    return ~np.asarray(own, dtype=bool) & ~shown_wrong
