"""What every matcher shares: a score matrix with evidence, and turning it into codings."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import columns as C
from ..errors import ColumnError

SCORE_FORMAT = "%.4f"


@dataclass
class Scores:
    """Scores of every (segment, code): ``values[i, j]`` in [0, 1] for segment row ``i``
    and ``codes[j]``; ``evidence[(i, j)]`` says why. Zero means "not suggested"."""

    codes: list[str]
    values: np.ndarray
    evidence: dict[tuple[int, int], str] = field(default_factory=dict)
    method: str = "keyword"
    methods: dict[tuple[int, int], str] = field(default_factory=dict)
    sources: dict[tuple[int, int], str] = field(default_factory=dict)  # who, where not qualcode (human rows)
    notes: list[str] = field(default_factory=list)


def check_segments(segments: pd.DataFrame, needed: tuple[str, ...] = (C.DOC_ID, C.SEGMENT_ID, C.TEXT)) -> None:
    """Raise a clear error when ``segments`` lacks a column a matcher needs."""
    missing = [c for c in needed if c not in segments.columns]
    if missing:
        raise ColumnError(
            f"segments table lacks column {missing[0]!r}; columns are: {', '.join(map(str, segments.columns))}; "
            "pass the table from qc.read_transcripts(...).segments"
        )


def to_codings(
    segments: pd.DataFrame,
    scores: Scores,
    *,
    source: str,
    min_score: float = 0.0,
    top_k: int | None = None,
) -> pd.DataFrame:
    """Turn a score matrix into the long codings table, one row per (segment, code).

    Keeps scores above zero and at least ``min_score``, the ``top_k`` best per segment;
    rows ordered by document, segment, then descending score and code id.
    """
    values = scores.values
    keep = (values > 0) & (values >= min_score)
    for i, j in scores.sources:  # human codes are always kept
        keep[i, j] = True
    if top_k is not None:
        order = np.argsort(-values, axis=1, kind="stable")
        rank = np.empty_like(order)
        rows = np.arange(values.shape[0])[:, None]
        rank[rows, order] = np.arange(values.shape[1])[None, :]
        keep &= rank < top_k
    seg_idx, code_idx = (idx.tolist() for idx in np.nonzero(keep))
    meta_cols = [c for c in segments.columns if c not in (C.TEXT, C.IS_INTERVIEWER)]
    base = segments.iloc[seg_idx][meta_cols].reset_index(drop=True)
    base.insert(len(base.columns), C.CODE, [scores.codes[j] for j in code_idx])
    base[C.SCORE] = np.round(values[seg_idx, code_idx].astype(float), 4)
    base[C.METHOD] = [scores.methods.get((i, j), scores.method) for i, j in zip(seg_idx, code_idx, strict=True)]
    base[C.STATUS] = [
        "human" if (i, j) in scores.sources else "suggested" for i, j in zip(seg_idx, code_idx, strict=True)
    ]
    base[C.CODER] = [scores.sources.get((i, j), "") for i, j in zip(seg_idx, code_idx, strict=True)]
    base[C.EVIDENCE] = [scores.evidence.get((i, j), "") for i, j in zip(seg_idx, code_idx, strict=True)]
    base[C.SOURCE] = [scores.sources.get((i, j), source) for i, j in zip(seg_idx, code_idx, strict=True)]
    base[C.TEXT] = segments[C.TEXT].to_numpy()[seg_idx] if len(seg_idx) else []
    base["_doc_order"] = seg_idx
    base = base.sort_values(["_doc_order", C.SCORE, C.CODE], ascending=[True, False, True], kind="stable")
    return base.drop(columns="_doc_order").reset_index(drop=True)
