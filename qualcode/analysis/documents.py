"""One row per document of a codings table, with participant columns, in an order.

What :func:`qualcode.saturation` reads documents through: every document of the run (those
without any code too), each column one value per document (from the codings, the run's
segments, a participants table joined onto them), sorted by a column as a researcher means it (numbers as
numbers, P2 before P10, dates only as YYYY-MM-DD).
"""

from __future__ import annotations

import re

import pandas as pd

from .. import columns as C
from ..errors import ColumnError, OptionError, counted, listed

_SLASHED_DATE = re.compile(r"^\s*\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\s*$")


def blank(values: pd.Series) -> pd.Series:
    return values.isna() | values.astype(str).str.strip().eq("")


def documents_table(codings: pd.DataFrame, segments: pd.DataFrame | None, columns: list[str]) -> pd.DataFrame:
    """One row per document (the run's segments first, then any only the codings name), with
    ``columns``, each of which must hold one value per document."""
    sources = [t for t in (segments, codings) if t is not None and len(t)]
    for column in columns:
        if column != C.DOC_ID and not any(column in t.columns for t in sources):
            raise ColumnError(
                f"no column {column!r} to order or group documents by; the codings' columns are: "
                f"{', '.join(map(str, codings.columns))}; give a participants table that has it (--metadata "
                "PARTICIPANTS.csv, one row per document)"
            )
    parts = []
    for table in sources:
        part = pd.DataFrame({C.DOC_ID: table[C.DOC_ID].astype(str).to_numpy()})
        for column in columns:
            if column != C.DOC_ID:
                part[column] = table[column].to_numpy() if column in table.columns else None
        parts.append(part)
    if not parts:
        return pd.DataFrame({C.DOC_ID: pd.Series(dtype=str), **{c: [] for c in columns if c != C.DOC_ID}})
    rows = pd.concat(parts, ignore_index=True)
    docs = rows[[C.DOC_ID]].drop_duplicates().reset_index(drop=True)
    for column in columns:
        if column == C.DOC_ID:
            continue
        known = rows[~blank(rows[column])].astype({column: str})
        known[column] = known[column].str.strip()
        values = known.drop_duplicates([C.DOC_ID, column])
        twice = values[values.duplicated(C.DOC_ID, keep=False)]
        if len(twice):
            doc = twice[C.DOC_ID].iloc[0]
            found = listed([repr(v) for v in twice.loc[twice[C.DOC_ID] == doc, column]])
            raise OptionError(
                f"{column!r} is not one value per document (document {doc!r} holds {found}): order and group "
                "documents by a participant's column (--metadata), not a segment's"
            )
        docs[column] = docs[C.DOC_ID].map(values.set_index(C.DOC_ID)[column])
    return docs


def _natural(value: str) -> tuple[object, ...]:
    """P2 before P10: text split into its numbers and the rest."""
    return tuple(int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", value))


def ordered(docs: pd.DataFrame, column: str) -> pd.DataFrame:
    """The documents sorted by ``column``; ties keep the run's order."""
    values = docs[column] if column != C.DOC_ID else docs[C.DOC_ID]
    missing = docs.loc[blank(values), C.DOC_ID].tolist()
    if missing:
        raise OptionError(
            f"{counted(len(missing), 'document')} {'has' if len(missing) == 1 else 'have'} no {column} "
            f"({listed([repr(m) for m in missing])}): give every document one (a participants file, --metadata) "
            "or order by another column",
            option="order_by",
        )
    text = values.astype(str).str.strip()
    slashed = text[text.str.match(_SLASHED_DATE)]
    if len(slashed):
        raise OptionError(
            f"{column} {slashed.iloc[0]!r} reads as a day/month or month/day date, which sorts wrongly: write dates "
            "as YYYY-MM-DD",
            option="order_by",
        )
    numbers = pd.to_numeric(text, errors="coerce")
    key = list(numbers) if numbers.notna().all() else [_natural(v) for v in text]
    order = sorted(range(len(docs)), key=lambda i: key[i])
    return docs.iloc[order].reset_index(drop=True)
