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
``StandardScaler``; the score is the predicted probability. A code with fewer than
``min_examples`` positive (or negative) training segments cannot be learned: its suggestions
come from the hybrid matcher instead, the ``method`` column says ``hybrid`` for it, and a
note names it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .. import columns as C
from ..codebook import Codebook
from ..errors import OptionError
from .base import Matcher, Scores, Training, check_segments, register_matcher
from .hybrid import HybridMatcher

MIN_EXAMPLES = 8


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

    def __init__(self, *, min_examples: int = MIN_EXAMPLES, encoder: Any = None, cache: Any = "default") -> None:
        self.min_examples = min_examples
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
        self.learned_: dict[str, dict[str, int]] = {}
        self.fallback_: list[str] = []
        for j, code in enumerate(codes):
            positives = int(labels[:, j].sum())
            negatives = len(labels) - positives
            if positives < self.min_examples or negatives < self.min_examples:
                self.fallback_.append(code)
                continue
            model = make_pipeline(
                StandardScaler(), LogisticRegression(class_weight="balanced", max_iter=2000, random_state=0)
            )
            model.fit(matrix, labels[:, j])
            self.models_[code] = model
            self.learned_[code] = {"positives": positives, "negatives": negatives}
        self.codes_ = codes
        return self

    def describe(self) -> dict[str, object]:
        """Models and settings, for provenance."""
        self.check_fitted()
        info = {
            "min_examples": self.min_examples,
            "model": "StandardScaler + LogisticRegression(class_weight='balanced')",
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
        for j, code in enumerate(self.codes_):
            if code not in self.models_:
                for row in np.flatnonzero(values[:, j] > 0).tolist():
                    methods[(row, j)] = "hybrid"
                continue
            positives = self.learned_[code]["positives"]
            probability = self.models_[code].predict_proba(matrix)[:, 1] if len(segments) else np.zeros(0)
            values[:, j] = probability
            for row, p in enumerate(probability.tolist()):
                methods[(row, j)] = "classifier"
                evidence[(row, j)] = f"classifier p={p:.3f} from {positives} coded examples" + (
                    f" | {hybrid.evidence[(row, j)]}" if (row, j) in hybrid.evidence else ""
                )
        notes = list(hybrid.notes)
        if self.fallback_:
            notes.append(
                f"too few human examples (< {self.min_examples}) to learn {', '.join(self.fallback_)}: "
                "their suggestions come from the hybrid matcher (method 'hybrid')"
            )
        return Scores(
            self.codes_,
            values,
            evidence,
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
