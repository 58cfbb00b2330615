"""Writers: codings as long or wide CSV (the provenance file beside it: :mod:`qualcode.meta`).

CSVs are deterministic: stable row order, scores with four decimals, LF line ends,
UTF-8. They are written atomically (a temporary file renamed over the target).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from .. import columns as C
from ..errors import OptionError
from ..fileio import atomic_write
from ..settings import OUTPUT_FORMATS

FLOAT_FORMAT = "%.4f"


def long_to_wide(codings: pd.DataFrame, segments: pd.DataFrame, codes: Sequence[str]) -> pd.DataFrame:
    """One row per segment, one column per code holding its score (empty when not suggested)."""
    keys = [C.DOC_ID, C.SEGMENT_ID]
    base = segments.drop(columns=[c for c in (C.IS_INTERVIEWER,) if c in segments.columns])
    text = base.pop(C.TEXT)
    base[C.TEXT] = text
    if len(codings):
        scores = codings.pivot_table(index=keys, columns=C.CODE, values=C.SCORE, aggfunc="max")
        scores = scores.reindex(columns=list(codes))
        scores.columns = [str(c) for c in scores.columns]
        wide = base.merge(scores.reset_index(), on=keys, how="left")
    else:
        wide = base.copy()
        for code in codes:
            wide[code] = float("nan")
    return wide


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a DataFrame as a deterministic UTF-8 CSV, atomically."""
    return atomic_write(
        path, lambda tmp: frame.to_csv(tmp, index=False, float_format=FLOAT_FORMAT, lineterminator="\n")
    )


def write_codings(
    codings: pd.DataFrame,
    path: str | Path,
    *,
    format: str = "long",
    segments: pd.DataFrame | None = None,
    codes: Sequence[str] = (),
) -> Path:
    """Write codings as a long CSV (one row per segment and code) or a wide one (one row per segment)."""
    if format not in OUTPUT_FORMATS:
        raise OptionError(f"format {format!r} is not one of: {', '.join(OUTPUT_FORMATS)}", option="format")
    if format == "wide":
        if segments is None:
            raise OptionError("the wide format needs the segments table")
        return write_csv(long_to_wide(codings, segments, codes), path)
    return write_csv(codings, path)
