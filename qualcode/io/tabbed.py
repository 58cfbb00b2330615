"""Plain-text files that are tables: every line cut into the same number of cells by tabs.

Excel's "Unicode Text" and "Text (Tab delimited)" both save as ``.txt``, and some
transcription services and word processors write a transcript's table rows as
``speaker<TAB>text`` or ``time<TAB>speaker<TAB>text`` lines. Read as prose, such a file
was one document whose text ran every row and column together. Rows that read as turns
(as a Word transcript table's rows do: :func:`qualcode.io.docx.table_row`) are read with
tab labels, the file's text unchanged; any other such table is an error naming its columns
and saying to give it as a table (``.tsv``), each row a document.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputFileError
from .docx import CELL_TIME, HEADER_CELLS, name_cell, timed_row
from .speakers import CLOCK

_CELL_TIME = rf"[\[(]?(?P<time>{CLOCK})[\])]?(?:[ ]*(?:-->|-|–|to)[ ]*[^\t]+?)?"
_CELL_NAME = r"(?P<speaker>[^\t:\n\"]{1,60}?)"
# the patterns :func:`~qualcode.io.speakers.split_turns` reads the rows with (each a whole line)
ROW_PATTERNS: dict[int, tuple[str, ...]] = {
    2: (rf"^[ ]*{_CELL_NAME}[ ]*\t[ ]*(?P<text>.*?)[ \t]*$",),
    3: (
        rf"^[ ]*{_CELL_TIME}[ ]*\t[ ]*{_CELL_NAME}[ ]*\t[ ]*(?P<text>.*?)[ \t]*$",
        rf"^[ ]*{_CELL_NAME}[ ]*\t[ ]*{_CELL_TIME}[ ]*\t[ ]*(?P<text>.*?)[ \t]*$",
    ),
}
_MOST = 0.9  # of the rows below a header that must read as turns


@dataclass(frozen=True)
class TabTable:
    """The shape of a text file cut into columns by tabs."""

    columns: int
    rows: int
    header: list[str]
    turns: bool  # its rows read as a transcript's turns
    body: int  # where the turns start: after a header row, if any


def _rows(text: str) -> list[list[str]] | None:
    try:
        return [row for row in csv.reader(io.StringIO(text), delimiter="\t") if any(cell.strip() for cell in row)]
    except csv.Error:
        return None


def _turn(cells: list[str]) -> bool:
    if len(cells) == 2:
        return name_cell(cells[0].strip()) and bool(cells[1].strip())
    return len(cells) == 3 and timed_row([cell.strip() for cell in cells]) is not None


def _name(cells: list[str]) -> str:
    """The speaker's cell of a row read as a turn (the first, or the second after a time)."""
    return cells[1].strip() if len(cells) == 3 and CELL_TIME.match(cells[0].strip()) else cells[0].strip()


def tab_table(text: str, start: int = 0) -> TabTable | None:
    """The shape of ``text[start:]`` if every line of it holds the same number (two or more)
    of tab-separated cells, most of them filled; else None (prose, or prose indented by tabs)."""
    body = text[start:]
    if "\t" not in body:
        return None
    rows = _rows(body)
    if rows is None or len(rows) < 2:
        return None
    widths = {len(row) for row in rows}
    if len(widths) != 1 or (columns := widths.pop()) < 2:
        return None
    full = sum(all(cell.strip() for cell in row) for row in rows)
    if full * 2 < len(rows):  # lines indented with a tab, or mostly empty cells: no table
        return None
    timed = sum(all(CELL_TIME.match(cell.strip()) for cell in row[:-1]) for row in rows)
    if timed >= _MOST * (len(rows) - 1):  # `time<TAB>words` lines: a transcript without names, read as before
        return None
    first = [cell.strip() for cell in rows[0]]
    header = all(cell.lower() in HEADER_CELLS for cell in first if cell) or not _turn(rows[0])
    below = rows[1:] if header else rows
    names = {_name(row) for row in below}
    turns = (
        columns in ROW_PATTERNS
        and bool(below)
        and sum(_turn(row) for row in below) >= _MOST * len(below)
        and len(names) <= max(2, len(below) // 2)  # speakers come back; a survey's ids do not
    )
    after = start
    if header and turns:
        newline = text.find("\n", start)
        after = len(text) if newline == -1 else newline + 1
    return TabTable(columns, len(rows), first, turns, after)


def table_error(path: Path, shape: TabTable) -> InputFileError:
    """The error for a text file that is a table whose rows are not a transcript's turns."""
    named = ", ".join(repr(cell) if cell else "''" for cell in shape.header[:6])
    more = ", …" if len(shape.header) > 6 else ""
    return InputFileError(
        f"{path}: a table saved as text ({shape.rows} lines of {shape.columns} tab-separated columns; its first line "
        f"{named}{more}), not a transcript; rename it {path.stem}.tsv to read it as a table (each row a document; "
        "--text-column names the answers), or save the transcript as text with 'Name: words' lines"
    )
