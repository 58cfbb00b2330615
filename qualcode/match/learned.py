"""Learning from human codes: one classifier per code, trained on hand-coded segments.

Training data
-------------
A :class:`~qualcode.match.base.Training` set: human codings (span or segment form, see
:mod:`qualcode.codings`) mapped onto the segments with the overlap rule. Every segment of a
document that holds at least one human coding is a training example: positive for the codes
mapped onto it, negative for the others. All learning happens in ``fit``; ``score`` only
predicts. (:func:`qualcode.suggest` keeps the human codes of the hand-coded documents and
scores the others.)

Features of a segment
---------------------
its sentence-embedding vector (mean of its sentence vectors), the previous segment's vector
in the same document and their cosine (talk builds on what was just said), whether the
segment and the previous one are interviewer turns and whether the speaker changed, the
keyword score for every code and the raw embedding similarity to every code's prototypes.

Model
-----
Per code, scikit-learn's ``LogisticRegression(class_weight="balanced")`` after
``StandardScaler``. Its raw outputs are **calibrated** into probabilities by Platt scaling fitted
on *out-of-fold* predictions (cross-validation over the training documents, so a document's
segments never score themselves); new segments get the mean calibrated probability of the
fold models, whose outputs are on the scale the calibration saw. The **threshold** is the model's own decision boundary
(the calibrated probability where the balanced model says 50/50), replaced by the threshold
that maximises Cohen's kappa on the out-of-fold probabilities only when that beats the
boundary there by ``KAPPA_MARGIN``. Everything is chosen on the training codes only;
``qc.suggest`` uses these thresholds unless ``min_score`` is given.

- A code with at least ``min_examples`` (8) positive and negative segments gets two candidate
  models, every feature (scaled) or the sentence vector alone (unscaled): the one with the
  higher out-of-fold kappa is kept (``.meta.json`` says which).
- A code with ``min_few`` (2) to ``min_examples`` positives is learned from the sentence
  vector alone (fewer features than examples would allow), at its decision boundary.
- A code with fewer cannot be learned: its suggestions come from the hybrid matcher, the
  ``method`` column says ``hybrid`` for it, and a note names it.

Measured on three real corpora (``benchmarks/quality``): kappa-optimal thresholds alone lost
kappa where codes have few examples, which is why the boundary is the default; a SetFit-style
contrastive fine-tuning of the encoder (1,500 pairs, one epoch) did not beat the frozen
encoder there and cost ~100 s per fit, so it is not used.

Evidence
--------
``classifier p=0.81 (threshold 0.46, from 23 coded examples) | nearest coded example: '…'
(cos 0.71) | keywords …/embedding …``: the calibrated probability, the threshold and the
number of examples it was learned from, the most similar segment a human coded with the
code, and the hybrid matcher's evidence.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .. import columns as C
from ..codebook import Codebook
from ..errors import OptionError
from ..progress import report
from .base import Matcher, Scores, Training, check_segments, register_matcher
from .embedding import _short
from .hybrid import HybridMatcher

MIN_EXAMPLES = 8
HYBRID_THRESHOLD = 0.4  # the hybrid matcher's default min_score, for codes that fall back to it
MIN_FEW = 2  # below this many positive examples a code is not learned at all
KAPPA_MARGIN = 0.02


def context_features(vectors: np.ndarray, segments: pd.DataFrame) -> np.ndarray:
    """Previous-segment vector, cosine with it, interviewer flags and speaker change."""
    n = len(segments)
    doc = segments[C.DOC_ID].to_numpy()
    same_doc = np.zeros(n, dtype=bool)
    same_doc[1:] = doc[1:] == doc[:-1]
    previous = np.zeros_like(vectors)
    previous[1:][same_doc[1:]] = vectors[:-1][same_doc[1:]]
    cosine = np.einsum("ij,ij->i", vectors, previous)[:, None]
    interviewer = segments[C.IS_INTERVIEWER].to_numpy(dtype=float) if C.IS_INTERVIEWER in segments else np.zeros(n)
    prev_interviewer = np.zeros(n)
    prev_interviewer[1:] = np.where(same_doc[1:], interviewer[:-1], 0.0)
    speaker = segments[C.SPEAKER].astype(str).to_numpy() if C.SPEAKER in segments else np.array([""] * n)
    changed = np.ones(n)
    changed[1:] = np.where(same_doc[1:], speaker[1:] != speaker[:-1], 1.0)
    flags = np.column_stack([interviewer, prev_interviewer, changed, same_doc.astype(float)])
    return np.hstack([previous, cosine, flags])


FOLDS = 5


def _oof_decisions(matrix: np.ndarray, y: np.ndarray, groups: np.ndarray, model: Any) -> tuple[np.ndarray, list[Any]]:
    """Out-of-fold decision values (each document's segments scored by a model fitted without
    it) and the fold models, which score new segments on the same scale."""
    from sklearn.base import clone
    from sklearn.model_selection import GroupKFold

    out = np.zeros(len(y))
    models: list[Any] = []
    if len(np.unique(groups)) < 2:  # one hand-coded document: its segments are the folds
        groups = np.arange(len(y)) % FOLDS
    n_groups = len(np.unique(groups))
    if n_groups < 2:
        return out, models
    for fit_rows, held in GroupKFold(n_splits=min(FOLDS, n_groups)).split(matrix, y, groups):
        if y[fit_rows].all() or not y[fit_rows].any():
            out[held] = 10.0 if y[fit_rows].all() else -10.0
            continue
        fitted = clone(model).fit(matrix[fit_rows], y[fit_rows])
        out[held] = fitted.decision_function(matrix[held])
        models.append(fitted)
    return out, models


def _platt(decisions: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Slope and intercept mapping decision values to calibrated probabilities. When the
    out-of-fold values carry no signal (slope not positive: too few examples to tell), the
    slope is a small positive one, so probabilities stay near the base rate but keep the
    model's order and its decision boundary."""
    from sklearn.linear_model import LogisticRegression

    fitted = LogisticRegression(C=1e4, max_iter=1000).fit(decisions[:, None], y)
    slope, intercept = float(fitted.coef_[0, 0]), float(fitted.intercept_[0])
    if slope <= 0:
        rate = min(max(float(y.mean()), 1e-3), 1 - 1e-3)
        slope, intercept = 1e-3, float(np.log(rate / (1 - rate)))
    return slope, intercept


def _kappa(y: np.ndarray, guess: np.ndarray) -> float:
    from sklearn.metrics import cohen_kappa_score

    if guess.all() == guess.any():
        return 0.0
    return float(cohen_kappa_score(y, guess))


def _sigmoid(decisions: np.ndarray, slope: float, intercept: float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(slope * decisions + intercept, -50, 50)))


def best_threshold(probability: np.ndarray, y: np.ndarray) -> float:
    """The threshold with the highest Cohen's kappa on (out-of-fold) probabilities; ties: the
    higher threshold (fewer suggestions to review)."""
    from sklearn.metrics import cohen_kappa_score

    candidates = np.unique(np.round(np.quantile(probability, np.linspace(0.5, 0.995, 60)), 3))
    candidates = candidates[(candidates > 0.02) & (candidates < 0.98)]
    best, chosen = -2.0, 0.5
    for threshold in candidates:
        guess = probability >= threshold
        if guess.all() or not guess.any():
            continue
        kappa = cohen_kappa_score(y, guess)
        if kappa >= best:
            best, chosen = kappa, float(threshold)
    return round(chosen, 4)


@register_matcher("classifier")
class ClassifierMatcher(Matcher):
    """Codes learned from human codings, falling back to hybrid where examples are too few.

    Parameters
    ----------
    min_examples
        Positive (and negative) training segments a code needs to be learned.
    encoder, cache
        As for :class:`~qualcode.match.embedding.EmbeddingMatcher`.
    """

    learns = True

    def __init__(
        self, *, min_examples: int = MIN_EXAMPLES, min_few: int = MIN_FEW, encoder: Any = None, cache: Any = "default"
    ) -> None:
        self.min_examples = min_examples
        self.min_few = min_few
        self.encoder = encoder
        self.cache = cache

    def features(self, segments: pd.DataFrame) -> tuple[np.ndarray, Scores]:
        """The feature matrix of ``segments`` and the hybrid scores computed on the way."""
        hybrid = self.hybrid_.score(segments)
        keyword = hybrid.parts["keyword"]
        assert hybrid.vectors is not None and hybrid.raw is not None
        vectors = hybrid.vectors
        matrix = np.hstack([vectors, context_features(vectors, segments), keyword.values, hybrid.raw])
        return matrix, hybrid

    def fit(self, codebook: Codebook, training: Training | None = None) -> ClassifierMatcher:
        """Fit the hybrid matcher (features and fallback), then one classifier per code that
        has ``min_examples`` positive and negative training segments."""
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        if training is None:
            raise OptionError("the classifier learns from human codes: pass training (e.g. --train CODED.csv)")
        check_segments(training.segments, (C.DOC_ID, C.SEGMENT_ID, C.TEXT))
        self.hybrid_ = HybridMatcher(encoder=self.encoder, cache=self.cache).fit(codebook)
        codes = codebook.ids
        labels = _aligned(training, codes)
        matrix, _ = self.features(training.segments.reset_index(drop=True))
        self.models_: dict[str, Any] = {}
        self.calibration_: dict[str, tuple[float, float]] = {}
        self.thresholds_: dict[str, float] = {}
        self.learned_: dict[str, dict[str, Any]] = {}
        self.fallback_: list[str] = []
        self.examples_: dict[str, tuple[np.ndarray, list[str]]] = {}
        groups = training.segments[C.DOC_ID].astype(str).to_numpy()
        texts = training.segments[C.TEXT].astype(str).tolist()
        vectors = matrix[:, : self.hybrid_.embedding_.prototype_vectors_.shape[1]]
        dimension = self.hybrid_.embedding_.prototype_vectors_.shape[1]
        vectors = matrix[:, :dimension]
        for j, code in enumerate(codes):
            report("learning codes", j, len(codes))
            y = labels[:, j]
            positives = int(y.sum())
            negatives = len(y) - positives
            if positives < self.min_few or negatives < self.min_few:
                self.fallback_.append(code)
                continue
            rare = positives < self.min_examples or negatives < self.min_examples
            # candidate models: the sentence vector alone (unit length, unscaled) always; every
            # feature (scaled) for a code with enough examples. The better out of fold is kept.
            candidates = [("sentence vector", vectors, LogisticRegression(class_weight="balanced", max_iter=2000))]
            if not rare:
                full = make_pipeline(StandardScaler(), LogisticRegression(class_weight="balanced", max_iter=2000))
                candidates.insert(0, ("all", matrix, full))
            best: tuple[float, str, Any, list[Any], tuple[float, float], float] | None = None
            for name, features, model in candidates:
                decisions, folds = _oof_decisions(features, y, groups, model)
                slope, intercept = _platt(decisions, y)
                oof = _sigmoid(decisions, slope, intercept)
                threshold = float(_sigmoid(np.zeros(1), slope, intercept)[0])  # the model's own boundary
                if not rare:
                    tuned = best_threshold(oof, y)
                    if _kappa(y, oof >= tuned) > _kappa(y, oof >= threshold) + KAPPA_MARGIN:
                        threshold = tuned
                # new segments are scored by the fold models, whose outputs the calibration was
                # fitted on (a model refitted on everything is more confident than they are)
                found = (_kappa(y, oof >= threshold), name, features, folds, (slope, intercept), threshold)
                if best is None or found[0] > best[0]:
                    best = found
            assert best is not None
            _, name, features, folds, calibration, threshold = best
            self.models_[code] = folds or [
                candidates[-1][2].fit(vectors, y) if name != "all" else candidates[0][2].fit(matrix, y)
            ]
            self.calibration_[code] = calibration
            self.thresholds_[code] = round(threshold, 4)
            self.learned_[code] = {
                "positives": positives,
                "negatives": negatives,
                "threshold": self.thresholds_[code],
                "features": name,
            }
            rows = np.flatnonzero(y)
            self.examples_[code] = (vectors[rows], [texts[i] for i in rows])
        report("learning codes", len(codes), len(codes))
        self.codes_ = codes
        return self

    def describe(self) -> dict[str, object]:
        """Models and settings, for provenance."""
        self.check_fitted()
        info = {
            "min_examples": self.min_examples,
            "model": "StandardScaler + LogisticRegression(class_weight='balanced'), Platt-calibrated out of fold",
            "learned": self.learned_,
            "fallback_to_hybrid": self.fallback_,
        }
        return {**self.hybrid_.describe(), "classifier": info}

    def score(self, segments: pd.DataFrame) -> Scores:
        """Probabilities of the learned codes; hybrid scores (method ``hybrid``) for the others."""
        self.check_fitted()
        check_segments(segments)
        segments = segments.reset_index(drop=True)
        matrix, hybrid = self.features(segments)
        values = hybrid.values.copy()
        methods: dict[tuple[int, int], str] = {}
        evidence = dict(hybrid.evidence)
        segment_vectors = hybrid.vectors if hybrid.vectors is not None else np.zeros((len(segments), 0))
        dimension = self.hybrid_.embedding_.prototype_vectors_.shape[1]
        for j, code in enumerate(self.codes_):
            if code not in self.models_:
                for row in np.flatnonzero(values[:, j] > 0).tolist():
                    methods[(row, j)] = "hybrid"
                continue
            positives = self.learned_[code]["positives"]
            threshold = self.thresholds_[code]
            features = matrix[:, :dimension] if self.learned_[code]["features"] != "all" else matrix
            probability = np.zeros(len(segments))
            if len(segments):
                probability = np.mean(
                    [_sigmoid(m.decision_function(features), *self.calibration_[code]) for m in self.models_[code]],
                    axis=0,
                )
            values[:, j] = probability
            example_vectors, example_texts = self.examples_[code]
            shown = np.flatnonzero(probability >= min(threshold, 0.5) / 2)
            nearest = (segment_vectors[shown] @ example_vectors.T) if len(shown) else np.zeros((0, 1))
            for k, row in enumerate(shown.tolist()):
                best = int(nearest[k].argmax())
                evidence[(row, j)] = (
                    f"classifier p={probability[row]:.3f} (threshold {threshold:.2f}, from {positives} coded examples)"
                    f" | nearest coded example: '{_short(example_texts[best])}' (cos {nearest[k, best]:.2f})"
                    + (f" | {hybrid.evidence[(row, j)]}" if (row, j) in hybrid.evidence else "")
                )
            for row in range(len(segments)):
                methods[(row, j)] = "classifier"
        notes = list(hybrid.notes)
        if self.fallback_:
            notes.append(
                f"too few human examples (< {self.min_few}) to learn {', '.join(self.fallback_)}: "
                "their suggestions come from the hybrid matcher (method 'hybrid')"
            )
        return Scores(
            self.codes_,
            values,
            evidence,
            thresholds={**{code: HYBRID_THRESHOLD for code in self.fallback_}, **self.thresholds_},
            method=self.method if self.models_ else "hybrid",
            methods=methods,
            notes=notes,
            parts=dict(hybrid.parts),
            raw=hybrid.raw,
            vectors=hybrid.vectors,
        )


def _aligned(training: Training, codes: list[str]) -> np.ndarray:
    """The training labels with one column per code of ``codes``."""
    labels = np.zeros((len(training.segments), len(codes)), dtype=bool)
    for j, code in enumerate(codes):
        if code in training.codes:
            labels[:, j] = training.labels[:, training.codes.index(code)]
    return labels
