"""Embedding suggestions: segments compared with each code's prototypes.

Prototypes
----------
Each code is represented by several texts: ``"label: description"``, each of its
``examples``, its ``include_when`` text, and, for a code with children, each child's
``"label: description"``.

Raw similarity
--------------
A segment is cut into its sentences (spaCy's sentence recogniser). Its units are its
sentences and, for a segment of three sentences or more, the whole segment. The raw
similarity of a unit to a code is its highest cosine to any prototype of the code; a
segment's raw similarity is its best unit's.

Calibrated score
----------------
How close a segment is to a code's wording says little by itself: raw cosine levels differ
from code to code and from corpus to corpus (talk about schools sits close to every
school-themed code). What does carry over is how much closer the segment is to *this* code
than to the codebook's other codes. So the score is a **margin** against a fixed reference
made of the codebook itself:

    margin = raw − mean(raw of the other codes, background level of this code)

where the background level ``b`` is the code's median raw similarity over a pool built
once in ``fit``: neutral interview sentences shipped with qualcode
(``qualcode/data/background.txt``) plus the other codes' prototypes (near misses; a code's
parent and children are left out of its pool). The background level counts as one more
"other code", so a one-code codebook is scored against the background alone. A margin maps
to

    m(margin, raw) = (1 − exp(−max(0, margin − MARGIN_FLOOR) / MARGIN_SCALE)) · clip((raw − b) / ABOVE_BACKGROUND, 0, 1)

with ``MARGIN_FLOOR = 0.05``, ``MARGIN_SCALE = 0.157`` and ``ABOVE_BACKGROUND = 0.10``: a
margin of 0.05 or less maps to 0, a margin of 0.13 to 0.40 (the hybrid's default
threshold), 0.25 to 0.72, 0.40 to 0.89; a similarity alone never reaches 1.0. The second
factor keeps off-topic talk from scoring by being a little less far from one code than from
the others ("Thank you so much for your time." is nearer to a relational code than to the
rest, but no nearer to it than neutral sentences are): the segment must also be 0.10 closer
to the code than its background level for the full score.

A segment's score is the mean of two parts, equal for a segment of one sentence:

- the **sentence** part: ``m`` of each unit on its own (its margin over the other codes *on
  that unit*), the segment's best unit's;
- the **segment** part: ``m`` of the segment's raw similarities (each code's best unit
  against the other codes' best units).

A long turn or survey answer touches several codes, each in its own sentences. Compared with
the other codes' best sentences alone (the segment part), each code's margin shrinks with the
number of topics, and whole answers were suggested a third as often as their coders applied
codes (games-as-art answers: 0.06 against 0.17 of answer-code pairs; macro-F1 0.268). Scored
by its best sentence alone, a sentence's score does not depend on the talk around it, but a
turn of ten sentences has ten chances of a chance match (SERDIF turns: 0.42 suggested
against 0.16 coded). The mean of the two: games answers macro-F1 0.346, SERDIF turns 0.422,
against 0.268 and 0.369 from the segment part alone (benchmarks/README.md).

The reference depends only on the segment, the codebook and the model, so a segment scores
the same alone or among any other documents. The two constants were chosen on two real
human-coded corpora (benchmarks/README.md, "Quality on three human-coded corpora"): the
best margin threshold was 0.12-0.13 on the games-as-art survey and 0.14-0.15 on the SERDIF
think-aloud sessions, and either one applied to the other corpus still beats cosine to the
definition with a threshold tuned on that corpus's own labels. ``.meta.json`` records each
code's background level.

Exclusion criteria
------------------
A code's ``exclude_when`` text is a negative prototype: a unit at least as close to it as
to any of the code's prototypes has no sentence part for the code; a segment whose sentence
part the criterion took away entirely scores 0 for it (segment part included) and the
evidence says so.

Content-free segments
---------------------
A segment with no content word ("Michael?", "8", "Okay.") carries no theme whatever its
nearest prototype: each part is multiplied by ``min(1, n / 2)`` for ``n`` content words
(nouns, verbs, adjectives and adverbs that are not stop words; see
:func:`qualcode.nlp.content_word_counts`) of the unit or segment, so it scores 0, and a
one-word answer at most half. A sentence of names and interjections inside a long turn has no
sentence part either.
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
from .base import Matcher, Scores, Training, check_segments, register_matcher

MIN_SPREAD = 0.02
MARGIN_FLOOR = 0.05
MARGIN_SCALE = 0.157
ABOVE_BACKGROUND = 0.10
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
    whole: np.ndarray  # the unit is a segment of several sentences taken whole

    def content(self, segments: int) -> tuple[np.ndarray, np.ndarray]:
        """Content words per unit and per segment (:func:`qualcode.nlp.content_word_counts`).
        A segment of several sentences counts its sentences' (each short one tagged, so that
        a turn of "Okay, okay, right." and names holds none), and so does its whole unit."""
        from ..nlp import content_word_counts

        counts = np.zeros(len(self.texts))
        sentences = np.flatnonzero(~self.whole)
        counts[sentences] = content_word_counts([self.texts[u] for u in sentences])
        per_segment = np.bincount(self.owner[~self.whole], counts[~self.whole], minlength=segments)
        counts[self.whole] = per_segment[self.owner[self.whole]]
        return counts, per_segment


def segment_units(texts: list[str], *, whole: bool = True) -> _Units:
    """Each segment's sentences (pieces shorter than ``MIN_SENTENCE_CHARS`` left out, a
    segment of nothing else one piece), plus the whole segment when it has three or more and
    ``whole``."""
    from ..nlp import sentence_spans

    units: list[str] = []
    owner: list[int] = []
    starts: list[int] = []
    whole_units: list[bool] = []
    for row, (text, spans) in enumerate(zip(texts, sentence_spans(texts), strict=True)):
        pieces = [(a, text[a:b]) for a, b in spans if b - a >= MIN_SENTENCE_CHARS] or [(0, text)]
        kinds = [False] * len(pieces)
        if whole and len(pieces) > 2:
            pieces.append((0, text))
            kinds.append(True)
        for (start, piece), kind in zip(pieces, kinds, strict=True):
            units.append(piece)
            owner.append(row)
            starts.append(start)
            whole_units.append(kind)
    return _Units(units, np.asarray(owner, dtype=np.int64), starts, np.asarray(whole_units, dtype=bool))


def with_cache(encoder: Any, cache: Any) -> Any:
    """Put ``encoder`` behind the embedding cache (``cache``: a folder, an EmbeddingCache,
    ``"default"`` for the user cache folder, or None for no cache)."""
    from ..embed.cache import CachedEncoder, EmbeddingCache

    if cache is None or isinstance(encoder, CachedEncoder) or not getattr(encoder, "identity", None):
        return encoder
    store = cache if isinstance(cache, EmbeddingCache) else EmbeddingCache(None if cache == "default" else cache)
    return CachedEncoder(encoder, store)


def default_encoder(cache: Any = "default") -> Encoder:
    """The packaged all-MiniLM-L6-v2 on the default backend (ONNX int8), behind the on-disk
    cache unless ``cache`` is None."""
    from ..embed.base import make_encoder

    return with_cache(make_encoder(), cache)


@register_matcher("embedding")
class EmbeddingMatcher(Matcher):
    """Suggest codes by sentence-embedding similarity to each code's prototypes.

    Parameters
    ----------
    encoder
        An object with ``encode(list[str]) -> np.ndarray`` and ``identity`` (e.g.
        ``qualcode.embed.base.make_encoder("torch")``); a path to a sentence-transformers model
        folder (run on the default ONNX backend); or None for the packaged all-MiniLM-L6-v2.
    cache
        An embedding cache folder, an :class:`~qualcode.embed.cache.EmbeddingCache`,
        ``"default"`` (the user cache folder) or None (no cache). An encoder object is cached
        when it has an ``identity`` attribute naming its model exactly.

    Examples
    --------
    >>> import qualcode as qc
    >>> cb = qc.load_codebook("codebooks/caring_schools.yaml")
    >>> m = EmbeddingMatcher(cache=None).fit(cb)
    >>> s = m.score(qc.segments_from_texts(["All our principals went through trauma-informed training."]))
    >>> s.codes[int(s.values[0].argmax())]
    'professional_development'
    """

    def __init__(self, *, encoder: Any = None, cache: Any = "default") -> None:
        self.encoder = encoder
        self.cache = cache

    def _encoder(self) -> Any:
        from ..embed.base import make_encoder

        if self.encoder is None:
            return default_encoder(self.cache)
        if isinstance(self.encoder, str) or hasattr(self.encoder, "__fspath__"):
            return with_cache(make_encoder(model=self.encoder), self.cache)
        if not callable(getattr(self.encoder, "encode", None)):
            raise ModelError(f"encoder {self.encoder!r} has no encode(list[str]) method")
        return with_cache(self.encoder, self.cache)

    def encode(self, texts: list[str]) -> np.ndarray:
        """Normalised vectors of ``texts`` from the fitted encoder."""
        from ..embed.base import checked

        self.check_fitted()
        return checked(
            self.encoder_.encode(texts), texts, getattr(self.encoder_, "identity", type(self.encoder_).__name__)
        )

    def fit(self, codebook: Codebook, training: Training | None = None) -> EmbeddingMatcher:
        """Encode every code's prototypes and set each code's fixed reference (see the module
        docs); ``training`` is not used."""
        from ..embed.base import checked

        self.encoder_ = self._encoder()
        codes: list[str] = codebook.ids
        texts: list[str] = []
        owner: list[int] = []
        for j, code_id in enumerate(codes):
            for _kind, text in prototypes(codebook.get(code_id)):
                texts.append(text)
                owner.append(j)
        who = getattr(self.encoder_, "identity", type(self.encoder_).__name__)
        self.prototype_texts_ = texts
        self.prototype_owner_ = np.asarray(owner, dtype=np.int64)
        background = background_sentences()
        vectors = checked(self.encoder_.encode(texts + background), texts + background, who)
        self.prototype_vectors_ = vectors[: len(texts)]
        self.background_, self.spread_ = self._reference(codebook, codes, vectors, len(texts))
        excluded = [(j, codebook.get(code_id).exclude_when) for j, code_id in enumerate(codes)]
        excluded = [(j, text) for j, text in excluded if text.strip()]
        self.exclude_texts_ = [text for _, text in excluded]
        self.exclude_owner_ = np.asarray([j for j, _ in excluded], dtype=np.int64)
        self.exclude_vectors_ = (
            checked(self.encoder_.encode(self.exclude_texts_), self.exclude_texts_, who)
            if excluded
            else np.zeros((0, self.prototype_vectors_.shape[1]), dtype=np.float32)
        )
        self.codes_ = codes
        return self

    def _reference(
        self, codebook: Codebook, codes: list[str], vectors: np.ndarray, n_prototypes: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per code: the median raw similarity over its reference pool (its background level)
        and the pool's robust spread (1.4826 · MAD)."""
        raw = _best_per_code(vectors @ self.prototype_vectors_.T, self.prototype_owner_, len(codes))[0]
        pool_owner = np.concatenate([self.prototype_owner_, np.full(len(vectors) - n_prototypes, -1)])
        level = np.zeros(len(codes))
        spread = np.zeros(len(codes))
        for j, code_id in enumerate(codes):
            related = {codes.index(c) for c in _related(codebook, code_id) if c in codes}
            keep = ~np.isin(pool_owner, list(related))
            level[j] = np.median(raw[keep, j])
            spread[j] = 1.4826 * np.median(np.abs(raw[keep, j] - level[j]))
        return level, np.maximum(spread, MIN_SPREAD)

    def _excluded(self, vectors: np.ndarray, raw: np.ndarray) -> np.ndarray:
        """(unit, code) pairs whose unit is at least as close to the code's ``exclude_when``
        text as to any of its prototypes."""
        out = np.zeros(raw.shape, dtype=bool)
        if len(self.exclude_owner_) and len(vectors):
            sims = vectors @ self.exclude_vectors_.T
            for k, j in enumerate(self.exclude_owner_.tolist()):
                out[:, j] |= sims[:, k] >= raw[:, j]
        return out

    def margins(self, raw: np.ndarray) -> np.ndarray:
        """Per segment and code: raw similarity less the mean of the other codes' raw
        similarities and the code's background level (see the module docs)."""
        self.check_fitted()
        raw = np.asarray(raw, dtype=np.float64)
        others = raw.sum(axis=1, keepdims=True) - raw
        return raw - (others + self.background_[None, :]) / raw.shape[1]

    def calibrate(self, raw: np.ndarray) -> np.ndarray:
        """Raw cosines (segments × codes) → scores in [0, 1) (see the module docs)."""
        return margin_score(self.margins(raw)) * self.above_background(raw)

    def background_z(self, raw: np.ndarray) -> np.ndarray:
        """``clip((z − 1) / 3, 0, 1)`` for ``z = (raw − b) / s``: the code's raw similarity
        against its background pool alone (level ``b``, robust spread ``s``), with no
        comparison with the other codes. Not the score (a small batch of on-topic text is
        "high" for every code this way); the learned matcher reads it as one of its features."""
        self.check_fitted()
        z = (np.asarray(raw, dtype=np.float64) - self.background_[None, :]) / self.spread_[None, :]
        return np.clip((z - 1.0) / 3.0, 0.0, 1.0)

    def above_background(self, raw: np.ndarray) -> np.ndarray:
        """``clip((raw − b) / ABOVE_BACKGROUND, 0, 1)`` per segment and code."""
        self.check_fitted()
        return np.clip((np.asarray(raw, dtype=np.float64) - self.background_[None, :]) / ABOVE_BACKGROUND, 0.0, 1.0)

    def describe(self) -> dict[str, object]:
        """Models and settings, for provenance."""
        from ..nlp import model_version

        self.check_fitted()
        return {
            "embedding": {
                "encoder": getattr(self.encoder_, "identity", type(self.encoder_).__name__),
                "spacy_model": model_version(),
                "margin_floor": MARGIN_FLOOR,
                "margin_scale": MARGIN_SCALE,
                "above_background": ABOVE_BACKGROUND,
                "background": {
                    code: round(float(level), 4) for code, level in zip(self.codes_, self.background_, strict=True)
                },
            }
        }

    def score(self, segments: pd.DataFrame) -> Scores:
        """Calibrated scores of every segment for every code, with the best sentence as evidence.

        The returned :class:`Scores` also holds ``raw`` (best cosine per segment and code),
        ``vectors`` (each segment's normalised mean sentence vector) and, as part
        ``"background"``, :meth:`background_z` with the same content and exclusion rules (a
        feature of the learned matcher, not a suggestion score)."""
        self.check_fitted()
        check_segments(segments)
        n, n_codes = len(segments), len(self.codes_)
        evidence: dict[tuple[int, int], str] = {}
        texts = segments[C.TEXT].astype(str).tolist()
        units = segment_units(texts)
        vectors = self.encode(units.texts) if units.texts else np.zeros((0, self.prototype_vectors_.shape[1]))
        raw, which = _best_per_code(vectors @ self.prototype_vectors_.T, self.prototype_owner_, n_codes)
        best_raw, _ = _best_per_segment(raw, units.owner, n)
        unit_content, content = (np.minimum(counts / 2.0, 1.0) for counts in units.content(n))
        # the sentence part: each unit scored against the other codes on that unit (a sentence
        # with no content word scores 0, inside a long turn too), the segment's best unit
        unit_margin = self.margins(raw)
        unit_values = margin_score(unit_margin) * self.above_background(raw) * unit_content[:, None]
        excluded = _best_per_segment(unit_values, units.owner, n)[0] > 0
        unit_values[self._excluded(vectors, raw)] = 0.0
        sentence, best_unit = _best_per_segment(unit_values, units.owner, n)
        sentence = np.maximum(sentence, 0.0)
        excluded &= sentence <= 0
        # the segment part: each code's best unit against the other codes' best units
        whole = self.calibrate(best_raw) * content[:, None]
        values = np.where(excluded, 0.0, (sentence + whole) / 2)
        margin = unit_margin[best_unit, np.arange(n_codes)[None, :]] if n else np.zeros((0, n_codes))
        background = self.background_z(best_raw) * content[:, None]
        background[excluded] = 0.0
        offsets = segments[C.START_CHAR].to_numpy() if C.START_CHAR in segments else np.zeros(n, dtype=int)
        several = np.bincount(units.owner, minlength=n) > 1
        for i, j in zip(*np.nonzero(values > 0), strict=True):
            u = int(best_unit[i, j])
            start = int(offsets[i]) + units.starts[u]
            text = units.texts[u]
            proto = self.prototype_texts_[int(which[u, j])]
            parts = f"; sentence {sentence[i, j]:.2f}, whole segment {whole[i, j]:.2f}" if several[i] else ""
            evidence[(int(i), int(j))] = (
                f"'{_short(text)}' [{start}:{start + len(text)}] ~ '{_short(proto)}' "
                f"(cos {raw[u, j]:.3f}; margin {margin[i, j]:+.3f} over the other codes{parts})"
            )
        for i, j in zip(*np.nonzero(excluded), strict=True):
            k = int(np.flatnonzero(self.exclude_owner_ == j)[0])
            evidence[(int(i), int(j))] = f"excluded: closer to exclude_when '{_short(self.exclude_texts_[k])}'"
        sums = np.zeros((n, self.prototype_vectors_.shape[1]))
        np.add.at(sums, units.owner, vectors)
        segment_vectors = sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-9)
        cache = getattr(self.encoder_, "cache", None)
        return Scores(
            self.codes_,
            values,
            evidence,
            method=self.method,
            notes=list(getattr(cache, "notes", [])),
            raw=best_raw,
            vectors=segment_vectors,
            parts={"background": Scores(self.codes_, background, {}, method="background")},
        )


def margin_score(margin: np.ndarray) -> np.ndarray:
    """Margins → scores in [0, 1): ``1 − exp(−max(0, margin − MARGIN_FLOOR) / MARGIN_SCALE)``."""
    return 1.0 - np.exp(-np.maximum(np.asarray(margin, dtype=np.float64) - MARGIN_FLOOR, 0.0) / MARGIN_SCALE)


def _best_per_segment(values: np.ndarray, owner: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per segment and code: the highest value over the segment's units, and which unit (the
    first of equals; -1.0 and unit 0 for a segment with no unit). A segment's units are
    consecutive rows, as :func:`segment_units` makes them."""
    best = np.full((n, values.shape[1]), -1.0)
    which = np.zeros((n, values.shape[1]), dtype=np.int64)
    if not len(values):
        return best, which
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    top = np.maximum.reduceat(values, starts, axis=0)
    group = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(owner)]))
    unit = np.where(values == top[group], np.arange(len(values))[:, None], len(values))
    best[owner[starts]] = top
    which[owner[starts]] = np.minimum.reduceat(unit, starts, axis=0)
    return best, which


def _best_per_code(sims: np.ndarray, owner: np.ndarray, n_codes: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row and code: the best cosine over the code's prototypes, and which prototype."""
    best = np.full((sims.shape[0], n_codes), -1.0, dtype=np.float32)
    which = np.zeros((sims.shape[0], n_codes), dtype=np.int64)
    for j in range(n_codes):
        cols = np.flatnonzero(owner == j)
        if len(cols) and sims.shape[0]:
            block = sims[:, cols]
            arg = block.argmax(axis=1)
            best[:, j] = block[np.arange(block.shape[0]), arg]
            which[:, j] = cols[arg]
    return best, which


def _related(codebook: Codebook, code_id: str) -> set[str]:
    """The code itself, its ancestors and its descendants."""
    out = {code_id}
    parent = codebook.parent_of(code_id)
    while parent is not None:
        out.add(parent)
        parent = codebook.parent_of(parent)
    out |= {code.id for code, _, _ in codebook.get(code_id).walk()}
    return out


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
