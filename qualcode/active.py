"""Active learning: which segments a researcher should code next to teach the model most.

``qc.next_to_code(corpus, codebook, training=codings, n=20)`` and ``qualcode next``:

1. **Uncertainty.** The learned matcher (:mod:`qualcode.match.learned`) is fitted on the human
   codes so far and scores every segment not yet coded. A segment's uncertainty for a code is
   ``1 − |p − t| / max(t, 1 − t)`` for probability ``p`` and the code's threshold ``t`` (1 at
   the threshold, 0 at certainty); its uncertainty is the highest over the codes. Codes the
   model cannot learn yet (too few examples) are scored by the hybrid matcher the same way,
   against its threshold, so rare codes get examples too.
2. **Diversity.** Segments are taken greedily by uncertainty, skipping one whose sentence
   vector is within cosine ``SIMILAR`` of a segment already taken, taking at most
   ``ceil(2n / documents)`` from one document, and cycling over the codes each segment is most
   uncertain about, so a batch covers codes, speakers and documents rather than 20 near
   copies. With no human codes yet, the batch is the most spread-out segments (farthest-point
   sampling of their vectors, starting from the one nearest the corpus's centre).

The sheet it writes (``to_code.csv``) has one row per segment with its text, the codes
suggested now, and an empty ``codes`` column: the researcher writes the codes that apply
(separated by ``;``), leaves it empty when none does, and passes the sheet back to
``tag --train`` (and ``next``): every row counts as a coded segment.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import columns as C
from .codebook import Codebook
from .corpus import Corpus
from .errors import OptionError
from .progress import shows_progress

SIMILAR = 0.92


def _uncertainty(values: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    span = np.maximum(thresholds, 1.0 - thresholds)[None, :]
    return np.clip(1.0 - np.abs(values - thresholds[None, :]) / span, 0.0, 1.0)


def _spread(vectors: np.ndarray, n: int) -> list[int]:
    """Farthest-point sampling: ``n`` rows of ``vectors`` that cover them."""
    if not len(vectors):
        return []
    centre = vectors.mean(axis=0)
    chosen = [int(np.argmax(vectors @ centre))]
    nearest = vectors @ vectors[chosen[0]]
    while len(chosen) < min(n, len(vectors)):
        pick = int(np.argmin(nearest))
        chosen.append(pick)
        nearest = np.maximum(nearest, vectors @ vectors[pick])
    return chosen


def select(
    uncertainty: np.ndarray, vectors: np.ndarray, documents: np.ndarray, n: int, *, similar: float = SIMILAR
) -> list[int]:
    """Rows to code next: uncertain, diverse, spread over documents and codes (module docs)."""
    per_document = max(1, math.ceil(2 * n / max(len(set(documents.tolist())), 1)))
    best_code = uncertainty.argmax(axis=1) if uncertainty.size else np.zeros(len(vectors), dtype=int)
    order = np.argsort(-uncertainty.max(axis=1), kind="stable") if uncertainty.size else np.arange(len(vectors))
    queues: dict[int, list[int]] = {}
    for row in order.tolist():
        queues.setdefault(int(best_code[row]), []).append(row)
    cycle = sorted(queues, key=lambda j: -uncertainty[queues[j][0], j])
    taken: list[int] = []
    count: dict[Any, int] = {}
    while len(taken) < n and any(queues.values()):
        for j in cycle:
            queue = queues[j]
            while queue:
                row = queue.pop(0)
                if count.get(documents[row], 0) >= per_document:
                    continue
                if taken and float((vectors[taken] @ vectors[row]).max()) >= similar:
                    continue
                taken.append(row)
                count[documents[row]] = count.get(documents[row], 0) + 1
                break
            if len(taken) >= n:
                break
    return taken


@shows_progress
def next_to_code(
    corpus: Corpus | pd.DataFrame,
    codebook: Codebook,
    *,
    training: pd.DataFrame | str | Path | None = None,
    n: int = 20,
    include_interviewer: bool = False,
    encoder: Any = None,
    cache: Any = "default",
    min_examples: int = 20,
) -> pd.DataFrame:
    """The ``n`` segments whose human codes would teach the model most, as a sheet to fill in.

    Parameters
    ----------
    corpus
        The corpus (or segments table) to choose from.
    codebook
        The codebook.
    training
        Human codings so far (any form :func:`qualcode.read_codings` reads, including a
        filled-in sheet from an earlier call); None to start from nothing.
    n
        How many segments to choose.

    Returns
    -------
    pandas.DataFrame
        One row per chosen segment, most useful first: ``doc_id, segment_id, speaker``, the
        offsets and metadata, ``text``, ``suggested`` (codes above their threshold now, with
        scores), ``uncertain_for`` (the code the model is least sure of), ``uncertainty``, and
        empty ``codes`` and ``coder`` columns to fill in.

    Examples
    --------
    >>> import qualcode as qc
    >>> corpus = qc.read_transcripts("examples/interviews")
    >>> cb = qc.load_codebook("codebooks/caring_schools.yaml")
    >>> sheet = qc.next_to_code(corpus, cb, n=5, cache=None)
    >>> len(sheet), list(sheet.columns[-2:])
    (5, ['codes', 'coder'])
    """
    from .match.base import make_matcher
    from .suggestions import apply_codebook_rules, training_set

    if n < 1:
        raise OptionError(f"n {n} must be 1 or more", option="n")
    texts = {doc.doc_id: doc.text for doc in corpus.documents} if isinstance(corpus, Corpus) else None
    segments = corpus.segments if isinstance(corpus, Corpus) else corpus
    if not include_interviewer and C.IS_INTERVIEWER in segments.columns:
        segments = segments[~segments[C.IS_INTERVIEWER].astype(bool)]
    segments = segments.reset_index(drop=True)
    train = None
    if training is not None:
        train = training_set(training, codebook, segments, texts)
    keys = train.keys if train is not None else set()
    pool = np.fromiter(
        ((str(d), int(s)) not in keys for d, s in zip(segments[C.DOC_ID], segments[C.SEGMENT_ID], strict=True)),
        dtype=bool,
        count=len(segments),
    )
    candidates = segments[pool].reset_index(drop=True)
    if candidates.empty:
        raise OptionError("every segment is coded already; nothing left to choose")
    learns = train is not None and len(train.segments) > 0 and bool(train.labels.any())
    matcher = make_matcher(
        "classifier" if learns else "hybrid", encoder=encoder, cache=cache, min_examples=min_examples
    )
    matcher.fit(codebook, train if learns else None)
    scores, _ = apply_codebook_rules(matcher.score(candidates), candidates, codebook)
    thresholds = np.array([scores.thresholds.get(code, 0.4) for code in scores.codes])
    assert scores.vectors is not None
    vectors = scores.vectors
    documents = candidates[C.DOC_ID].astype(str).to_numpy()
    allowed = np.array([codebook.get(code).suggest for code in scores.codes])
    import os

    mode = os.environ.get("QUALCODE_ACTIVE_MODE", "old")
    positives = np.zeros(len(scores.codes))
    if train is not None and len(train.segments):
        index = {c: k for k, c in enumerate(train.codes)}
        positives = np.array([train.labels[:, index[c]].sum() if c in index else 0 for c in scores.codes], float)
    weight = 1.0 / np.sqrt(1.0 + positives)
    if mode == "old":
        uncertainty = _uncertainty(scores.values, thresholds) * allowed[None, :]
    elif mode == "rare":
        uncertainty = _uncertainty(scores.values, thresholds) * allowed[None, :] * weight[None, :]
    else:
        seek = np.minimum(scores.values / np.maximum(thresholds[None, :], 1e-6), 1.0)
        uncertainty = seek * allowed[None, :] * weight[None, :]
    rows = select(uncertainty, vectors, documents, n) if learns else _spread(vectors, n)
    sheet = candidates.iloc[rows].drop(columns=[C.IS_INTERVIEWER], errors="ignore").reset_index(drop=True)
    picked = uncertainty[rows] if len(rows) else np.zeros((0, len(scores.codes)))
    sheet["suggested"] = [
        "; ".join(
            f"{code} {scores.values[row, j]:.2f}"
            for j, code in enumerate(scores.codes)
            if scores.values[row, j] >= thresholds[j] and scores.values[row, j] > 0
        )
        for row in rows
    ]
    sheet["uncertain_for"] = [scores.codes[int(j)] for j in picked.argmax(axis=1)] if len(rows) else []
    sheet["uncertainty"] = np.round(picked.max(axis=1), 4) if len(rows) else []
    text = sheet.pop(C.TEXT)
    sheet.insert(len(sheet.columns) - 3, C.TEXT, text)
    sheet["codes"] = ""
    sheet["coder"] = ""
    return sheet
