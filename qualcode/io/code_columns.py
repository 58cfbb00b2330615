"""Which columns of a table hold human codes (``--codes-column``, :mod:`qualcode.io.table`):
names and patterns (``theme_*``) resolved against the table's columns, and the error a table
lacking them raises, which a run over several tables turns into a warning
(:func:`qualcode.io.read_transcripts`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ..errors import ColumnError


def asked_columns(given: str | Sequence[str] | None) -> list[str]:
    """The columns asked for: none, one, or several (a survey's open-ended questions, a
    lesson's teacher and student tags)."""
    if given is None:
        return []
    return [given] if isinstance(given, str) else list(given)


class MissingCodesColumn(ColumnError):
    """A table lacks some of the columns of codes asked for: ``found`` are those it has (a
    run over several tables reads it with those, :func:`qualcode.io.read_transcripts`)."""

    def __init__(self, message: str, found: list[str], missing: list[str]) -> None:
        super().__init__(message)
        self.found, self.missing = found, missing


def is_pattern(column: str) -> bool:
    return any(mark in column for mark in "*?[")


def code_columns(frame: pd.DataFrame, given: str | Sequence[str] | None, path: Path, taken: set) -> dict[str, str]:
    """The columns of human codes asked for, each once, none of them the text, id or speaker
    column, each with the code it is when it holds 1/0 cells (its name). A name with ``*`` or
    ``?`` that no column has stands for the columns it matches, in the table's order, and a
    single ``*`` for the code (``theme_*``: ``theme_personnel`` is ``personnel``).

    Raises
    ------
    MissingCodesColumn
        A name the table lacks (a pattern matching no column), naming those it has."""
    from fnmatch import fnmatchcase

    def has(column: str) -> bool:
        if column in frame.columns:
            return True
        return is_pattern(column) and any(fnmatchcase(str(c), column) and c not in taken for c in frame.columns)

    asked = asked_columns(given)
    missing = [column for column in asked if not has(column)]
    if missing:
        names = ", ".join(map(str, frame.columns))
        first = missing[0]
        raise MissingCodesColumn(
            f"{path}: --codes-column {first!r} matches no column; columns are: {names}"
            if is_pattern(first)
            else f"{path}: no column {first!r}; columns are: {names}; pass --codes-column",
            [column for column in asked if column not in missing],
            missing,
        )
    columns: dict[str, str] = {}
    for column in asked:
        if column not in frame.columns and is_pattern(column):
            matched = [str(c) for c in frame.columns if fnmatchcase(str(c), column) and c not in taken]
            head, _, tail = column.partition("*")
            plain = column.count("*") == 1 and not any(mark in column for mark in "?[")
            for name in matched:
                columns.setdefault(name, name[len(head) : len(name) - len(tail)] if plain else name)
            continue
        if column in taken or column in columns:  # present: the check above
            role = "given twice" if column in columns else "is also the text, id or speaker column"
            raise ColumnError(f"{path}: --codes-column {column!r} {role}; name each column of codes once")
        columns[column] = column
    return columns
