"""Writers: codings as long or wide CSV (the provenance file beside it: :mod:`qualcode.meta`).

CSVs are deterministic: stable row order, scores with four decimals, LF line ends,
UTF-8. They are written atomically (a temporary file renamed over the target).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells that a spreadsheet would run as a formula (starting with
    ``= + - @``, tab or carriage return) start with a ``'`` (OWASP's advice against CSV
    injection). :func:`restore` undoes it; numbers are left alone."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            values = out[column]
            risky = values.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_STARTS))
            if risky.any():
                out.loc[risky, column] = "'" + values[risky].astype(str)
    return out


def restore(frame: pd.DataFrame) -> pd.DataFrame:
    """Undo :func:`neutralise` on a table read back (a ``'`` before a formula start is dropped)."""
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            values = frame[column]
            quoted = values.map(
                lambda v: isinstance(v, str) and len(v) > 1 and v[0] == "'" and v[1:].startswith(FORMULA_STARTS)
            )
            if quoted.any():
                frame.loc[quoted, column] = values[quoted].str[1:]
    return frame


def csv_writer(frame: pd.DataFrame) -> Callable[[Path], None]:
    """What writes ``frame`` as a deterministic UTF-8 CSV to a path, formula-like text cells
    neutralised for spreadsheets (:func:`neutralise`; qualcode's readers restore them): for
    :func:`~qualcode.fileio.atomic_write` and :func:`~qualcode.fileio.write_together`."""
    safe = neutralise(frame)
    return lambda tmp: safe.to_csv(tmp, index=False, float_format=FLOAT_FORMAT, lineterminator="\n")


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a DataFrame as a deterministic UTF-8 CSV (:func:`csv_writer`), atomically."""
    return atomic_write(path, csv_writer(frame))


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
