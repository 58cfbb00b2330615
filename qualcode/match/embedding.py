"""Embedding suggestions: segments compared with each code's prototypes.

Prototypes
----------
Each code is represented by several texts: ``"label: description"``, each of its
``examples``, its ``include_when`` text, and, for a code with children, each child's
``"label: description"``.

Raw similarity
--------------
A segment is cut into its sentences (spaCy's sentence recogniser). The raw similarity of a
segment to a code is the highest cosine between any of its sentences (or, for a segment of
three sentences or more, the whole segment) and any prototype of the code. A long answer is
therefore scored by its best-matching sentence, not diluted into one averaged vector.

Calibrated score
----------------
Raw cosine levels differ from code to code and from corpus to corpus (all interviews about
schools sit closer to a school-themed code than small talk does). So each code's raw
similarities are compared with that code's own distribution over a reference pool: the
segments being scored plus neutral interview sentences shipped with qualcode
(``qualcode/data/background.txt``), which keep the reference sensible for a small corpus.
With ``m`` the pool's median and ``s = 1.4826 · MAD`` its robust spread,

    z = (raw − m) / s,      score = clip((z − Z_FLOOR) / (Z_FULL − Z_FLOOR), 0, 1)

with ``Z_FLOOR = 1`` and ``Z_FULL = 4``: a segment within one spread of the typical segment
gets nothing; four spreads above it scores 1. Most segments of an interview are not about a
given theme, so the median is a fair "not this code" level. Because the reference includes
the corpus, adding documents can shift scores slightly; ``.meta.json`` records each code's
``m`` and ``s`` for the run.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from .. import columns as C
from ..codebook import Code, Codebook
from ..embed.base import Encoder
from ..errors import ModelError
from .base import Scores, check_segments

Z_FLOOR = 1.0
Z_FULL = 4.0
MIN_SPREAD = 0.02
MIN_SENTENCE_CHARS = 12


def background_sentences() -> list[str]:
    """The neutral sentences that set each code's null level."""
    text = resources.files("qualcode").joinpath("data/background.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def prototypes(code: Code) -> list[tuple[str, str]]:
    """``(kind, text)`` pairs representing a code (see the module docs)."""
    out = [("description", f"{code.label}: {code.description}".strip().rstrip(":"))]
    out += [("example", example) for example in code.examples]
    if code.include_when:
        out.append(("include_when", code.include_when))
    out += [("child", f"{child.label}: {child.description}".strip().rstrip(":")) for child in code.children]
    return out


@dataclass
class _Units:
    """Texts to encode for a set of segments: ``owner[i]`` is the segment row of unit ``i``."""

    texts: list[str]
    owner: np.ndarray
    starts: list[int]  # offset of the unit within its segment


def segment_units(texts: list[str]) -> _Units:
    """Each segment's sentences, plus the whole segment when it has three or more."""
    from ..nlp import sentence_spans

    units: list[str] = []
    owner: list[int] = []
    starts: list[int] = []
    for row, (text, spans) in enumerate(zip(texts, sentence_spans(texts), strict=True)):
        pieces = [(a, text[a:b]) for a, b in spans if b - a >= MIN_SENTENCE_CHARS] or [(0, text)]
        if len(pieces) > 2:
            pieces.append((0, text))
        for start, piece in pieces:
            units.append(piece)
            owner.append(row)
            starts.append(start)
    return _Units(units, np.asarray(owner, dtype=np.int64), starts)


def with_cache(encoder: Any, cache: Any) -> Any:
    """Put ``encoder`` behind the embedding cache (``cache``: a folder, an EmbeddingCache,
    ``"default"`` for the user cache folder, or None for no cache)."""
    from ..embed.cache import CachedEncoder, EmbeddingCache

    if cache is None or isinstance(encoder, CachedEncoder) or not getattr(encoder, "identity", None):
        return encoder
    store = cache if isinstance(cache, EmbeddingCache) else EmbeddingCache(None if cache == "default" else cache)
    return CachedEncoder(encoder, store)


def default_encoder(cache: Any = "default") -> Encoder:
    """The packaged all-MiniLM-L6-v2, behind the on-disk cache unless ``cache`` is None."""
    from ..embed.sentence_transformers import SentenceTransformerEncoder

    return with_cache(SentenceTransformerEncoder(), cache)


class EmbeddingMatcher:
    """Suggest codes by sentence-embedding similarity to each code's prototypes.

    Parameters
    ----------
    encoder
        An object with ``encode(list[str]) -> np.ndarray`` and ``identity``; a path to a
        sentence-transformers model folder; or None for the packaged all-MiniLM-L6-v2.
    cache
        An embedding cache folder, an :class:`~qualcode.embed.cache.EmbeddingCache`,
        ``"default"`` (the user cache folder) or None (no cache). An encoder object is cached
        when it has an ``identity`` attribute naming its model exactly.

    Examples
    --------
    >>> import qualcode as qc
    >>> cb = qc.load_codebook("codebooks/caring_schools.yaml")
    >>> m = EmbeddingMatcher(cache=None).fit(cb)
    >>> s = m.score(qc.segments_from_texts(["We put social workers in every middle school."]))
    >>> s.codes[int(s.values[0].argmax())]
    'personnel'
    """

    method = "embedding"

    def __init__(self, *, encoder: Any = None, cache: Any = "default") -> None:
        self.encoder = encoder
        self.cache = cache

    def _encoder(self) -> Any:
        from ..embed.sentence_transformers import SentenceTransformerEncoder

        if self.encoder is None:
            return default_encoder(self.cache)
        if isinstance(self.encoder, str) or hasattr(self.encoder, "__fspath__"):
            return with_cache(SentenceTransformerEncoder(self.encoder), self.cache)
        if not callable(getattr(self.encoder, "encode", None)):
            raise ModelError(f"encoder {self.encoder!r} has no encode(list[str]) method")
        return with_cache(self.encoder, self.cache)

    def _encode(self, texts: list[str]) -> np.ndarray:
        from ..embed.base import checked

        return checked(
            self.encoder_.encode(texts), texts, getattr(self.encoder_, "identity", type(self.encoder_).__name__)
        )

    def fit(self, codebook: Codebook) -> EmbeddingMatcher:
        """Encode every code's prototypes and the neutral reference sentences."""
        self.encoder_ = self._encoder()
        self.codes_: list[str] = codebook.ids
        texts: list[str] = []
        owner: list[int] = []
        for j, code_id in enumerate(self.codes_):
            for _kind, text in prototypes(codebook.get(code_id)):
                texts.append(text)
                owner.append(j)
        self.prototype_texts_ = texts
        self.prototype_owner_ = np.asarray(owner, dtype=np.int64)
        self.prototype_vectors_ = self._encode(texts)
        self.background_raw_ = self._raw(self._encode(background_sentences()))[0]
        return self

    def _raw(self, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per unit and code: the best cosine over the code's prototypes, and which prototype."""
        sims = vectors @ self.prototype_vectors_.T
        n_codes = len(self.codes_)
        best = np.full((vectors.shape[0], n_codes), -1.0, dtype=np.float32)
        which = np.zeros((vectors.shape[0], n_codes), dtype=np.int64)
        for j in range(n_codes):
            cols = np.flatnonzero(self.prototype_owner_ == j)
            if len(cols):
                block = sims[:, cols]
                arg = block.argmax(axis=1)
                best[:, j] = block[np.arange(block.shape[0]), arg]
                which[:, j] = cols[arg]
        return best, which

    def reference(self, segment_raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per code: the median and robust spread of the pool (segments + neutral sentences)."""
        pool = np.vstack([segment_raw, self.background_raw_])
        median = np.median(pool, axis=0)
        spread = 1.4826 * np.median(np.abs(pool - median), axis=0)
        return median, np.maximum(spread, MIN_SPREAD)

    def calibrate(self, raw: np.ndarray) -> np.ndarray:
        """Raw cosines → scores in [0, 1] against the reference set by the last :meth:`score`."""
        z = (raw - self.median_) / self.spread_
        return np.clip((z - Z_FLOOR) / (Z_FULL - Z_FLOOR), 0.0, 1.0)

    @property
    def notes(self) -> list[str]:
        """What the embedding cache worked around (a rebuilt file, a locked database)."""
        cache = getattr(getattr(self, "encoder_", None), "cache", None)
        return list(getattr(cache, "notes", []))

    def describe(self) -> dict[str, object]:
        """Models and settings, for provenance."""
        from ..nlp import model_version

        return {
            "embedding": {
                "encoder": getattr(self.encoder_, "identity", type(self.encoder_).__name__),
                "spacy_model": model_version(),
                "z_floor": Z_FLOOR,
                "z_full": Z_FULL,
                "reference": {
                    code: {"median": round(float(m), 4), "spread": round(float(sd), 4)}
                    for code, m, sd in zip(self.codes_, self.median_, self.spread_, strict=True)
                }
                if hasattr(self, "median_")
                else {},
            }
        }

    def segment_vectors(self, segments: pd.DataFrame) -> tuple[_Units, np.ndarray]:
        """The units of each segment and their vectors."""
        units = segment_units(segments[C.TEXT].astype(str).tolist())
        return units, self._encode(units.texts)

    def score(self, segments: pd.DataFrame, *, encoded: tuple[_Units, np.ndarray] | None = None) -> Scores:
        """Calibrated scores of every segment for every code, with the best sentence as evidence."""
        check_segments(segments)
        n, n_codes = len(segments), len(self.codes_)
        values = np.zeros((n, n_codes))
        evidence: dict[tuple[int, int], str] = {}
        if n == 0:
            return Scores(self.codes_, values, evidence, method=self.method)
        units, vectors = encoded if encoded is not None else self.segment_vectors(segments)
        raw, which = self._raw(vectors)
        # best unit per (segment, code)
        best_raw = np.full((n, n_codes), -1.0)
        best_unit = np.zeros((n, n_codes), dtype=np.int64)
        for u in range(len(units.texts)):
            row = units.owner[u]
            better = raw[u] > best_raw[row]
            best_raw[row, better] = raw[u, better]
            best_unit[row, better] = u
        self.raw_ = best_raw
        self.median_, self.spread_ = self.reference(best_raw)
        values = self.calibrate(best_raw)
        offsets = segments[C.START_CHAR].to_numpy() if C.START_CHAR in segments else np.zeros(n, dtype=int)
        for i, j in zip(*np.nonzero(values > 0), strict=True):
            u = int(best_unit[i, j])
            start = int(offsets[i]) + units.starts[u]
            sentence = units.texts[u]
            proto = self.prototype_texts_[int(which[u, j])]
            evidence[(int(i), int(j))] = (
                f"'{_short(sentence)}' [{start}:{start + len(sentence)}] ~ '{_short(proto)}' (cos {best_raw[i, j]:.3f})"
            )
        return Scores(self.codes_, values, evidence, method=self.method)


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
