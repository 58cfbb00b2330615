"""Learning from human codes: one classifier per code, trained on hand-coded segments.

Training data
-------------
Human codings (span or segment form, see :mod:`qualcode.codings`) are mapped onto the
segments with the overlap rule. Every segment of a document that holds at least one human
coding is a training example: positive for the codes mapped onto it, negative for the others.
Those segments keep their human codes in the output (``method = human``, ``source`` = the
coder); the classifiers predict for all other segments.

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
from ..codings import CODER, map_to_segments
from .base import Scores, check_segments
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


class ClassifierMatcher:
    """Codes learned from human codings, falling back to hybrid where examples are too few.

    Parameters
    ----------
    training
        Human codings (a DataFrame from :func:`qualcode.read_codings` or in its form).
    min_examples
        Positive (and negative) training segments a code needs to be learned.
    encoder, cache
        As for :class:`~qualcode.match.embedding.EmbeddingMatcher`.
    """

    method = "classifier"

    def __init__(
        self, *, training: pd.DataFrame, min_examples: int = MIN_EXAMPLES, encoder: Any = None, cache: Any = "default"
    ) -> None:
        self.training = training
        self.min_examples = min_examples
        self.encoder = encoder
        self.cache = cache

    def fit(self, codebook: Codebook) -> ClassifierMatcher:
        """Fit the hybrid matcher whose scores are features (and the fallback)."""
        self.hybrid_ = HybridMatcher(encoder=self.encoder, cache=self.cache).fit(codebook)
        self.codes_ = codebook.ids
        self.codebook_ = codebook
        return self

    @property
    def notes(self) -> list[str]:
        """Fallbacks and cache events of the last :meth:`score`."""
        return [*getattr(self, "notes_", []), *self.hybrid_.notes]

    def describe(self) -> dict[str, object]:
        """Models and settings, for provenance."""
        info = {
            "min_examples": self.min_examples,
            "model": "StandardScaler + LogisticRegression(class_weight='balanced')",
            "learned": getattr(self, "learned_", {}),
            "fallback_to_hybrid": getattr(self, "fallback_", []),
        }
        return {**self.hybrid_.describe(), "classifier": info}

    def features(self, segments: pd.DataFrame) -> tuple[np.ndarray, Scores]:
        """The feature matrix of ``segments`` and the hybrid scores computed on the way."""
        embedding = self.hybrid_.embedding_
        units, unit_vectors = embedding.segment_vectors(segments)
        hybrid = self.hybrid_.score(segments, encoded=(units, unit_vectors))
        keyword = self.hybrid_.last_keyword_
        sums = np.zeros((len(segments), unit_vectors.shape[1]))
        np.add.at(sums, units.owner, unit_vectors)
        vectors = sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-9)
        matrix = np.hstack([vectors, context_features(vectors, segments), keyword.values, embedding.raw_])
        return matrix, hybrid

    def score(self, segments: pd.DataFrame) -> Scores:
        """Train per code on the hand-coded documents, predict for the other segments."""
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        check_segments(segments, (C.DOC_ID, C.SEGMENT_ID, C.TEXT, C.START_CHAR, C.END_CHAR))
        segments = segments.reset_index(drop=True)
        mapped = map_to_segments(self.training, segments)
        position = {key: i for i, key in enumerate(zip(segments[C.DOC_ID], segments[C.SEGMENT_ID], strict=True))}
        train_rows = segments[C.DOC_ID].isin(set(mapped[C.DOC_ID])).to_numpy()
        labels = np.zeros((len(segments), len(self.codes_)), dtype=bool)
        coders: dict[tuple[int, int], set[str]] = {}
        for doc_id, segment_id, code, coder in mapped[[C.DOC_ID, C.SEGMENT_ID, C.CODE, CODER]].itertuples(index=False):
            i, j = position[(doc_id, segment_id)], self.codes_.index(code)
            labels[i, j] = True
            coders.setdefault((i, j), set()).add(str(coder))
        matrix, hybrid = self.features(segments)
        values = hybrid.values.copy()
        methods: dict[tuple[int, int], str] = {}
        evidence = dict(hybrid.evidence)
        self.learned_: dict[str, dict[str, int]] = {}
        self.fallback_: list[str] = []
        self.notes_: list[str] = []
        predict = ~train_rows
        for j, code in enumerate(self.codes_):
            positives = int(labels[train_rows, j].sum())
            negatives = int(train_rows.sum()) - positives
            if positives < self.min_examples or negatives < self.min_examples:
                self.fallback_.append(code)
                for row in np.flatnonzero(predict & (values[:, j] > 0)).tolist():
                    methods[(row, j)] = "hybrid"
                continue
            model = make_pipeline(
                StandardScaler(), LogisticRegression(class_weight="balanced", max_iter=2000, random_state=0)
            )
            model.fit(matrix[train_rows], labels[train_rows, j])
            self.learned_[code] = {"positives": positives, "negatives": negatives}
            if predict.any():
                probability = model.predict_proba(matrix[predict])[:, 1]
                values[predict, j] = probability
                for row, p in zip(np.flatnonzero(predict).tolist(), probability, strict=True):
                    methods[(row, j)] = "classifier"
                    evidence[(row, j)] = f"classifier p={p:.3f} from {positives} coded examples" + (
                        f" | {hybrid.evidence[(row, j)]}" if (row, j) in hybrid.evidence else ""
                    )
        if self.fallback_:
            self.notes_.append(
                f"too few human examples (< {self.min_examples}) to learn {', '.join(self.fallback_)}: "
                "their suggestions come from the hybrid matcher (method 'hybrid')"
            )
        # hand-coded documents: human codes only
        values[train_rows] = 0.0
        sources: dict[tuple[int, int], str] = {}
        for (i, j), who in coders.items():
            values[i, j] = 1.0
            methods[(i, j)] = "human"
            sources[(i, j)] = ", ".join(sorted(who))
            evidence[(i, j)] = "human code"
        return Scores(
            self.codes_, values, evidence, method=self.method, methods=methods, sources=sources, notes=list(self.notes_)
        )
