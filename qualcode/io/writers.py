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


def printed_table(frame: pd.DataFrame) -> str:
    """``frame`` as aligned text for a terminal, the figures as its CSV writes them
    (:data:`FLOAT_FORMAT`), text to the left; an empty table says so."""
    if frame.empty:
        return "(no rows)"
    cells: dict[str, list[str]] = {}
    for column in frame.columns:
        values = frame[column]
        if values.dtype.kind == "f":
            cells[str(column)] = ["" if pd.isna(v) else FLOAT_FORMAT % v for v in values]
        else:
            cells[str(column)] = ["" if pd.isna(v) else str(v) for v in values]
    right = {str(c) for c in frame.columns if frame[c].dtype.kind in "fiu"}
    widths = {c: max([len(c), *map(len, v)]) for c, v in cells.items()}

    def line(values: list[str]) -> str:
        return "  ".join(
            v.rjust(widths[c]) if c in right else v.ljust(widths[c]) for c, v in zip(cells, values, strict=True)
        ).rstrip()

    rows = zip(*cells.values(), strict=True)
    return "\n".join([line(list(cells)), *(line(list(row)) for row in rows)])


EXCEL_CELL_CHARS = 32_767  # the most characters an Excel cell holds
WIDE_COLUMNS = {"before": 60, C.TEXT: 80, "suggested": 30, "codes": 30}  # widths of a sheet's reading columns


def xlsx_writer(frame: pd.DataFrame, source: str | Path = "table") -> Callable[[Path], None]:
    """What writes ``frame`` as an Excel workbook (openpyxl) to a path: one sheet, the header
    row frozen, long text columns wide and wrapped, every text cell a string (a transcript
    line starting with ``=`` stays text, not a formula). Excel opens a UTF-8 CSV in the
    system's code page, so accents and curly quotes of a transcript read as ``Ã©``, ``â€™``;
    a workbook carries its text whole.

    Raises
    ------
    OutputError
        A cell holds more than Excel's 32,767 characters or a control character a workbook
        cannot store: the error names the row and column; write a .csv instead.
    """
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    from ..errors import OutputError

    columns = [str(c) for c in frame.columns]
    rows: list[list[object]] = []
    for number, record in enumerate(frame.itertuples(index=False), start=2):
        row: list[object] = []
        for column, value in zip(columns, record, strict=True):
            if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
                row.append(None)
                continue
            if isinstance(value, str) and (len(value) > EXCEL_CELL_CHARS or ILLEGAL_CHARACTERS_RE.search(value)):
                too_long = len(value) > EXCEL_CELL_CHARS
                why = "more characters than an Excel cell holds" if too_long else "a control character"
                raise OutputError(f"{source}: row {number}, column {column!r} holds {why}; write a .csv instead")
            row.append(value.item() if hasattr(value, "item") else value)
        rows.append(row)

    def write(path: Path) -> None:
        from openpyxl import Workbook
        from openpyxl.styles import Alignment
        from openpyxl.utils import get_column_letter

        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(columns)
        for row in rows:
            sheet.append(row)
        wrap = Alignment(wrap_text=True, vertical="top")
        for j, column in enumerate(columns, start=1):
            letter = get_column_letter(j)
            if column in WIDE_COLUMNS:
                sheet.column_dimensions[letter].width = WIDE_COLUMNS[column]
            for cell in sheet[letter][1:]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # never a formula
                    if column in WIDE_COLUMNS:
                        cell.alignment = wrap
        sheet.freeze_panes = "A2"
        book.save(path)

    return write


def table_writer(frame: pd.DataFrame, path: str | Path) -> Callable[[Path], None]:
    """:func:`xlsx_writer` for a path ending in ``.xlsx``, else :func:`csv_writer`."""
    return xlsx_writer(frame, path) if Path(path).suffix.lower() == ".xlsx" else csv_writer(frame)


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
