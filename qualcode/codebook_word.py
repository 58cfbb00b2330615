"""Codebooks kept in a Word table: the table of a ``.docx`` (or of a LibreOffice Writer
``.odt``) whose header row names the codes.

Most teams write their codebook in Word: a table with a row per code under a header such as
``Code | Definition | Inclusion | Exclusion | Example``. :func:`word_codebook_frame` reads the
rows of every table whose header names the codes (the columns of
:mod:`qualcode.codebook_table`: ``code``, ``name`` or ``label``; ``definition`` …) into the
table :func:`~qualcode.codebook_table.read_table_codebook` reads from a spreadsheet, so a
Word codebook is validated and read as a spreadsheet one is. A cell's paragraphs are its
lines (several examples, one per paragraph, are several examples). A row whose cells are
merged across the table (``Theme 1: Relationships``) names the theme of the rows below it,
which becomes their parent code when the table has no parent or theme column of its own.
Tracked changes read as accepted, as in transcripts. Problems name the row counted over the
codebook's tables, its header row 1.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from .errors import CodebookError, InputFileError

THEME = "theme"


def _cells(row: Any, table: Any, document: Any) -> list[str]:
    """A table row's cells as text: each cell's paragraphs, one per line."""
    from .io.docx import _blocks

    return [
        "\n".join(block.strip() for block in _blocks(cell._tc, table, document) if block.strip()) for cell in row.cells
    ]


def _unique(names: list[str]) -> list[str]:
    """Column names made unique as pandas reads a spreadsheet's: a second ``Example`` is
    ``Example.1`` (and named among the columns not read)."""
    out: list[str] = []
    for name in names:
        made, k = name, 0
        while made in out:
            k += 1
            made = f"{name}.{k}"
        out.append(made)
    return out


def word_codebook_frame(path: Path) -> pd.DataFrame:
    """The code rows of a Word (.docx) or Writer (.odt) codebook's tables as one table of
    text cells (module docs)."""
    if path.suffix.lower() == ".odt":
        from .io.odt import odt_tables

        opened = odt_tables
    else:
        opened = _docx_tables
    try:
        tables = opened(path)
    except InputFileError as error:  # the transcript reader's words (not a zip, too large …) for a codebook
        raise CodebookError(str(error)) from None
    return codebook_frame(path, tables)


def _docx_tables(path: Path) -> list[list[list[str]]]:
    """The body tables of a .docx in order, each a list of rows of cell texts (a cell merged
    across columns repeated in each, as python-docx gives it)."""
    from docx.table import Table

    from .io.docx import _open

    document = _open(path)
    return [
        [_cells(row, Table, document) for row in Table(element, document).rows]
        for element in document.element.body.iterchildren()
        if element.tag.rsplit("}", 1)[-1] == "tbl"
    ]


def codebook_frame(path: Path, tables: list[list[list[str]]]) -> pd.DataFrame:
    """The code rows of a word processor's ``tables`` (rows of cell texts, a merged cell's text
    in every column it spans) as one table (module docs)."""
    from .codebook_table import ID_COLUMNS, NAME_COLUMNS, PARENT_COLUMNS, THEME_COLUMNS

    names = {*NAME_COLUMNS, *ID_COLUMNS}
    header: list[str] | None = None  # the header of the table read last: a table without one goes on with it
    columns: list[str] = []  # every table's columns, in the order first seen
    rows: list[dict[str, str]] = []
    theme, themed = "", False
    for table_rows in tables:
        if not table_rows:
            continue
        first = {cell.strip().lower().rstrip(":") for cell in table_rows[0]}
        if names & first:  # the header row names the codes: a table of the codebook (each table its own header)
            header = _unique([cell.strip().rstrip(":") or f"column {i + 1}" for i, cell in enumerate(table_rows[0])])
            columns += [column for column in header if column not in columns]
            table_rows = table_rows[1:]
        elif header is None or len(table_rows[0]) != len(header):
            continue  # a table that is not the codebook's (a title block, a revision history)
        for cells in table_rows:  # the codebook's rows (a table that goes on after a page break too)
            if len(cells) > 1 and len(set(cells)) == 1 and cells[0]:
                theme, themed = cells[0], True  # a row merged across the table: a theme heading
                continue
            if any(cells):
                record = {column: cells[i] if i < len(cells) else "" for i, column in enumerate(header)}
                rows.append({**record, THEME: theme})
    if header is None:
        kind = "an OpenDocument" if path.suffix.lower() == ".odt" else "a Word"
        raise CodebookError(
            f"{path}: no table whose header row names the codes ({', '.join(NAME_COLUMNS[:4])}, …); {kind} codebook "
            "is a table with a header row such as Code | Definition | Example"
        )
    own_parent = any(column.strip().lower() in (*PARENT_COLUMNS, *THEME_COLUMNS) for column in columns)
    if themed and not own_parent:
        columns.append(THEME)
    return pd.DataFrame(rows, columns=columns).fillna("")
