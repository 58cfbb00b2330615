"""``qc.suggest``: segments + codebook → suggested codings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import __version__
from . import columns as C
from .codebook import Codebook
from .corpus import Corpus
from .errors import OptionError
from .match.base import Scores, check_segments, to_codings

METHODS = ("keyword", "embedding", "hybrid")
# used when min_score is not given: any keyword match; a clear semantic match; for hybrid,
# more than one plain keyword alone (0.3) or a phrase alone (0.39)
DEFAULT_MIN_SCORE = {"keyword": 0.0, "embedding": 0.3, "hybrid": 0.4, "classifier": 0.5}


def make_matcher(method: str, **settings: Any) -> Any:
    """The matcher for a method name (``keyword``, ``embedding`` or ``hybrid``).

    ``settings`` (``encoder``, ``cache``) go to the embedding-based matchers.
    """
    if method == "keyword":
        from .match.keyword import KeywordMatcher

        return KeywordMatcher()
    if method == "embedding":
        from .match.embedding import EmbeddingMatcher

        return EmbeddingMatcher(**settings)
    if method == "hybrid":
        from .match.hybrid import HybridMatcher

        return HybridMatcher(**settings)
    raise OptionError(f"unknown method {method!r}; choose one of: {', '.join(METHODS)}")


def _classifier(
    training: pd.DataFrame | str | Path,
    codebook: Codebook,
    segments: pd.DataFrame,
    texts: dict[str, str] | None,
    **settings: Any,
) -> Any:
    from .codings import check_codings, read_codings
    from .match.classifier import ClassifierMatcher

    codings = read_codings(training) if isinstance(training, str | Path) else training
    if texts is None:  # a bare segments table: documents end where their last segment ends
        ends = segments.groupby(C.DOC_ID)[C.END_CHAR].max() if C.END_CHAR in segments else pd.Series(dtype=int)
        texts = {str(doc): " " * int(end) for doc, end in ends.items()}
    check_codings(codings, codebook, texts)
    return ClassifierMatcher(training=codings, **settings)


def suggest(
    segments: pd.DataFrame | Corpus,
    codebook: Codebook,
    *,
    method: str | Any = "hybrid",
    min_score: float | None = None,
    top_k: int | None = None,
    include_interviewer: bool = False,
    encoder: Any = None,
    cache: Any = "default",
    training: pd.DataFrame | str | Path | None = None,
    min_examples: int = 8,
) -> pd.DataFrame:
    """Suggest codes for every segment.

    Parameters
    ----------
    segments
        The segments table (or a :class:`~qualcode.corpus.Corpus`).
    codebook
        A validated codebook (:func:`qualcode.load_codebook`).
    method
        ``keyword``, ``embedding`` or ``hybrid``, or a matcher object with
        ``fit(codebook)`` and ``score(segments)``.
    min_score
        Drop suggestions scoring below this; None for the codebook's per-code ``threshold``
        where set (e.g. tuned by :func:`qualcode.tune_thresholds`) and the method's default
        elsewhere (``DEFAULT_MIN_SCORE``: keyword 0, embedding 0.3, hybrid 0.4, classifier 0.5).
    top_k
        Keep at most this many codes per segment (the best scoring).
    include_interviewer
        Also code interviewer turns (by default they are kept in the segments table but
        not coded).
    encoder
        For ``embedding`` / ``hybrid``: a sentence-transformers model folder or an object with
        ``encode(list[str]) -> np.ndarray``; None for the packaged all-MiniLM-L6-v2.
    cache
        Embedding cache folder, ``"default"`` (the user cache folder) or None (no cache).
    training
        Human codings (a CSV path or a DataFrame from :func:`qualcode.read_codings`): learn a
        classifier per code from them (``method`` becomes ``classifier``; see
        :mod:`qualcode.match.classifier`). Hand-coded documents keep their human codes.
    min_examples
        Human examples a code needs to be learned; codes with fewer use the hybrid matcher.

    Returns
    -------
    pandas.DataFrame
        One row per (segment, suggested code): ``doc_id, segment_id, speaker``, the time and
        metadata columns, ``start_char, end_char, code, score, method, evidence, source, text``.
        ``.attrs["qualcode"]`` records the method, threshold, models and notes (fallbacks,
        cache events).

    Examples
    --------
    >>> import qualcode as qc
    >>> corpus = qc.read_transcripts("examples/interviews",
    ...                              metadata="examples/interviews/participants.csv")
    >>> cb = qc.load_codebook("codebooks/caring_schools.yaml")
    >>> coded = qc.suggest(corpus, cb, method="keyword")
    >>> {"code", "score", "evidence", "role", "district"} <= set(coded.columns)
    True
    """
    texts: dict[str, str] | None = None
    if isinstance(segments, Corpus):
        texts = {doc.doc_id: doc.text for doc in segments.documents}
        segments = segments.segments
    check_segments(segments)
    if training is not None:
        method = _classifier(
            training, codebook, segments, texts, encoder=encoder, cache=cache, min_examples=min_examples
        )
    explicit_min = min_score
    if min_score is None:
        min_score = DEFAULT_MIN_SCORE.get(method if isinstance(method, str) else getattr(method, "method", ""), 0.0)
    if not 0.0 <= min_score <= 1.0:
        raise OptionError(f"min_score {min_score} is outside [0, 1]")
    if top_k is not None and top_k < 1:
        raise OptionError(f"top_k {top_k} must be 1 or more")
    matcher = make_matcher(method, encoder=encoder, cache=cache) if isinstance(method, str) else method
    matcher.fit(codebook)
    coded = segments
    if not include_interviewer and C.IS_INTERVIEWER in segments.columns:
        coded = segments[~segments[C.IS_INTERVIEWER].astype(bool)]
    coded = coded.reset_index(drop=True)
    scores: Scores = matcher.score(coded)
    # tuned per-code thresholds in the codebook replace the method's default for their codes
    per_code = codebook.thresholds() if explicit_min is None else {}
    floor = np.array([per_code.get(code, min_score) for code in scores.codes])
    scores.values = np.where(scores.values >= floor[None, :], scores.values, 0.0)
    out = to_codings(coded, scores, source=f"qualcode {__version__}", top_k=top_k)
    out.attrs["qualcode"] = {
        "method": getattr(matcher, "method", type(matcher).__name__),
        "min_score": min_score,
        "thresholds": per_code,
        "models": matcher.describe() if hasattr(matcher, "describe") else {},
        "notes": list(getattr(matcher, "notes", [])),
    }
    return out
