"""Delimited text: which delimiter a CSV uses, and the error for a row holding more cells than
its header (a comma inside an answer that is not in quotes)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ..errors import InputFileError

DELIMITERS = ",;\t|"


def delimiter_of(path: Path, text: str) -> str:
    """A tab for a .tsv, else the delimiter :func:`delimiter` finds."""
    return "\t" if path.suffix.lower() == ".tsv" else delimiter(text)


def check_header(names: list[str], path: Path) -> None:
    """An error for a header naming two columns alike (spaces around aside): pandas reads the
    second as ``code.1``, and what it holds (a second coder's codes, a second answer) was never
    read as what its name says."""
    seen: dict[str, int] = {}
    for number, name in enumerate(names, start=1):
        key = str(name).strip()
        if not key:
            continue
        if key in seen:
            raise InputFileError(
                f"{path}: columns {seen[key]} and {number} are both named {str(name).strip()!r}; give each column "
                "its own name (only the first would be read as what the name says)"
            )
        seen[key] = number


def delimiter(text: str) -> str:
    r"""The delimiter of a CSV text: the one of ``, ; TAB |`` found most often in its header
    line outside quotes (a survey exported by Excel where the list separator is ``;`` has
    answers full of commas, which fooled a sniffer reading the first lines), else a comma
    (a one-column file, a file holding only a BOM). Never a letter.

    >>> delimiter("a;b\n1;2\n"), delimiter("answer\nyes\n"), delimiter("")
    (';', ',', ',')
    >>> delimiter('id;"answer, in full"\n1;"yes, and no; maybe"\n')
    ';'
    """
    header = next((line for line in text.lstrip("\ufeff").splitlines() if line.strip()), "")
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in header:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: (counts[d], -DELIMITERS.index(d)))
    return best if counts[best] else ","


def longer_row(text: str, sep: str, path: Path) -> str:
    """The error for a row holding more cells than the header: its line, and the likely cause."""
    rows = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=sep)
    header = next(rows, [])
    longer = [(rows.line_num, row) for row in rows if len(row) > len(header)]
    line, row = next(
        ((n, r) for n, r in longer if any(cell.strip() for cell in r[len(header) :])), longer[0] if longer else (2, [])
    )
    shown = sep.join(row)[:60]
    what = "a comma" if sep == "," else "a semicolon" if sep == ";" else "a tab" if sep == "\t" else repr(sep)
    return (
        f"{path}:{line}: a row of {len(row)} cells where the header names {len(header)} ({shown!r}): {what} inside "
        "a cell that is not in quotes? Save the table again from the spreadsheet (which quotes such cells), "
        "or quote the cell"
    )
