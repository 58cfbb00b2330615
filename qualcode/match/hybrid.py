"""Hybrid suggestions: keyword evidence and embedding similarity in one score.

Rule
----
``score = 1 − (1 − e) · (1 − λ·k)`` with ``e`` the calibrated embedding score, ``k`` the
keyword score and ``λ = KEYWORD_WEIGHT = 0.6``.

Why this rule: the embedding score says whether a passage *means* something like the code,
including passages in the speaker's own words; keywords are precise when the passage is on
theme but are also set off by a word used in passing ("system", "data"). So a keyword match
alone is capped at ``λ·k`` (one plain word: 0.3, a phrase: 0.39, three different terms:
0.53), below what a clear semantic match reaches, while a keyword match on top of semantic
similarity lifts the score (``e = 0.5`` with one word gives 0.65). With no keyword the score
is the embedding score. Both pieces of evidence are kept in ``evidence``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..codebook import Codebook
from .base import Matcher, Scores, Training, check_segments, register_matcher
from .embedding import EmbeddingMatcher
from .keyword import KeywordMatcher

KEYWORD_WEIGHT = 0.6


def combine(keyword: np.ndarray, embedding: np.ndarray, weight: float = KEYWORD_WEIGHT) -> np.ndarray:
    """The hybrid rule on score arrays of the same shape."""
    return 1.0 - (1.0 - embedding) * (1.0 - weight * keyword)


@register_matcher("hybrid")
class HybridMatcher(Matcher):
    """Keyword and embedding matchers fitted together, scores combined by :func:`combine`.

    Parameters
    ----------
    encoder, cache
        As for :class:`~qualcode.match.embedding.EmbeddingMatcher`.
    keyword_weight
        ``λ`` of the rule.
    """

    def __init__(self, *, encoder: Any = None, cache: Any = "default", keyword_weight: float = KEYWORD_WEIGHT) -> None:
        self.encoder = encoder
        self.cache = cache
        self.keyword_weight = keyword_weight

    def fit(self, codebook: Codebook, training: Training | None = None) -> HybridMatcher:
        """Fit both matchers (``training`` is not used)."""
        self.keyword_ = KeywordMatcher().fit(codebook)
        self.embedding_ = EmbeddingMatcher(encoder=self.encoder, cache=self.cache).fit(codebook)
        self.codes_ = codebook.ids
        return self

    def describe(self) -> dict[str, object]:
        """Models and settings, for provenance."""
        self.check_fitted()
        return {
            **self.keyword_.describe(),
            **self.embedding_.describe(),
            "hybrid": {"keyword_weight": self.keyword_weight},
        }

    def background_scores(self, scores: Scores) -> np.ndarray:
        """The hybrid rule over the keyword scores and the embedding's background-only
        calibration (:meth:`EmbeddingMatcher.background_z`) of ``scores`` from :meth:`score`:
        a feature of the learned matcher."""
        return combine(
            scores.parts["keyword"].values,
            scores.parts["embedding"].parts["background"].values,
            self.keyword_weight,
        )

    def score(self, segments: pd.DataFrame) -> Scores:
        """Combined scores; evidence joins the keyword matches and the best-matching sentence.
        ``parts`` holds the keyword and embedding scores it combined."""
        self.check_fitted()
        check_segments(segments)
        kw = self.keyword_.score(segments)
        em = self.embedding_.score(segments)
        values = combine(kw.values, em.values, self.keyword_weight)
        evidence: dict[tuple[int, int], str] = {}
        for i, j in zip(*np.nonzero(values > 0), strict=True):
            parts = []
            if (i, j) in kw.evidence:
                parts.append(f"keywords {kw.values[i, j]:.2f}: {kw.evidence[(i, j)]}")
            if (i, j) in em.evidence:
                parts.append(f"embedding {em.values[i, j]:.2f}: {em.evidence[(i, j)]}")
            evidence[(int(i), int(j))] = " | ".join(parts)
        return Scores(
            self.codes_,
            values,
            evidence,
            method=self.method,
            notes=[*kw.notes, *em.notes],
            parts={"keyword": kw, "embedding": em},
            raw=em.raw,
            vectors=em.vectors,
        )
