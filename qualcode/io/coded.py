"""Reading a codings CSV written by ``qualcode tag`` (or edited by a researcher)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import columns as C
from ..errors import ColumnError
from .table import read_table

NUMERIC = (C.SEGMENT_ID, C.START_CHAR, C.END_CHAR, C.SCORE, C.START_TIME, C.END_TIME)
FRACTIONAL = (C.SCORE, C.START_TIME, C.END_TIME)
DECIMAL_COMMA = r"-?\d+(,\d+)?"  # 0,75 or a whole number


def _decimal_points(cells: pd.Series) -> pd.Series:
    """A column a spreadsheet saved with decimal commas (``0,75``, as Excel does where the
    list separator is ``;``) with decimal points; unchanged when any cell has a point or a
    comma in another place (``1,234.5`` is not read as 1.234)."""
    filled = cells[cells != ""]
    if len(filled) and filled.str.contains(",").any() and filled.str.fullmatch(DECIMAL_COMMA).all():
        return cells.str.replace(",", ".", regex=False)
    return cells


def check_not_wide(frame: pd.DataFrame, path: Path) -> None:
    """Refuse a wide table (one column per code, as ``tag --format wide`` writes) where codings
    are read: it holds no code column, no status and no coder."""
    if C.CODE not in frame.columns and {"codes", "useful_for", "chosen"} <= set(frame.columns):
        raise ColumnError(
            f"{path}: a `qualcode next` sheet, its codes in the `codes` column for `tag --train`: count the codes "
            f"of a run that learned from it (qualcode tag … --train {path} -o coded.csv: its human rows), or read "
            "it with qc.read_codings"
        )
    if C.CODE not in frame.columns and {C.DOC_ID, C.SEGMENT_ID, C.TEXT} <= set(frame.columns):
        raise ColumnError(
            f"{path}: a wide table (one column per code, as `tag --format wide` writes) has no code column; "
            "give the long table (qualcode tag without --format wide)"
        )


def read_coded(path: str | Path) -> pd.DataFrame:
    """A long codings CSV as a DataFrame: text columns as strings, offsets and scores as numbers.

    Raises
    ------
    ColumnError
        The file lacks ``doc_id`` or ``code`` (a wide CSV must be converted: use ``--format long``).
    """
    from ..fileio import recover
    from .writers import restore

    path = Path(path)
    recover(path)  # a run killed between writing the CSV and its record: finish it first
    frame = restore(read_table(path))
    check_not_wide(frame, path)
    for column in (C.DOC_ID, C.CODE):
        if column not in frame.columns:
            raise ColumnError(
                f"{path}: no column {column!r}; columns are: {', '.join(frame.columns)}; "
                "give a long codings CSV (qualcode tag --format long, the default)"
            )
    for column in NUMERIC:
        if column in frame.columns:
            cells = frame[column].str.strip()
            if column in FRACTIONAL:
                cells = _decimal_points(cells)
            numbers = pd.to_numeric(cells.replace("", None), errors="coerce")
            bad = numbers.isna() & (cells != "")
            if bad.any():
                row = int(bad.to_numpy().nonzero()[0][0]) + 2
                raise ColumnError(
                    f"{path}:{row}: {column} {frame[column].iloc[row - 2]!r} is not a number; "
                    "write it as a plain number, e.g. 0.75"
                )
            frame[column] = numbers
    for column in (C.SEGMENT_ID, C.START_CHAR, C.END_CHAR):
        if column in frame.columns:
            values = frame[column]
            whole = values.dropna()
            if len(whole) and (whole % 1 == 0).all():
                # whole numbers stay whole, also where a hand-added row left a cell empty
                frame[column] = values.astype("int64") if values.notna().all() else values.astype("Int64")
    return frame
