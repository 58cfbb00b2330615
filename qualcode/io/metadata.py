"""Participant metadata: a sidecar CSV joined on ``doc_id``, and YAML front matter."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..columns import DOC_ID
from ..document import Document, nfc
from ..errors import MetadataError
from .table import read_table

RESERVED = {
    "doc_id",
    "segment_id",
    "speaker",
    "is_interviewer",
    "text",
    "start_char",
    "end_char",
    "start_time",
    "end_time",
    "code",
    "score",
    "method",
    "evidence",
    "source",
}


def read_metadata(path: str | Path, *, key: str = DOC_ID) -> pd.DataFrame:
    """Read a participants CSV/XLSX; one row per document, ``key`` holds the document id.

    Raises
    ------
    MetadataError
        The file lacks the ``key`` column, or a document id occurs twice.
    """
    from .writers import restore

    path = Path(path)
    frame = restore(
        read_table(path, what="a participants table")
    )  # a cell qualcode wrote as '=… (participants.csv of an import) reads as =…
    if key not in frame.columns:
        raise MetadataError(
            f"{path}: no column {key!r} to join on; columns are: {', '.join(frame.columns)}; "
            f"add a {key!r} column holding each transcript's file name without extension, or pass --metadata-key"
        )
    frame[key] = frame[key].str.strip().map(nfc)  # as document ids are
    dupes = frame[key][frame[key].duplicated()].tolist()
    if dupes:
        raise MetadataError(f"{path}: {key!r} value {dupes[0]!r} occurs on two rows; keep one row per document")
    clash = sorted(set(frame.columns) & RESERVED - {key})
    if clash:
        raise MetadataError(f"{path}: column {clash[0]!r} is a name qualcode uses itself; rename it")
    return frame.set_index(key)


class _Keys:
    """Which metadata row belongs to a document: the row keyed by its id, else by its file's
    name (``d01.txt``) when that file holds only this document, else by either in other
    letter case when exactly one row matches so and no document owns that row exactly."""

    def __init__(self, rows: dict[str, dict[str, object]], documents: list[Document]) -> None:
        from collections import Counter

        self.rows = rows
        self.files = Counter(nfc(Path(str(doc.path)).name) for doc in documents)
        owned = {doc.doc_id for doc in documents} | {name for name, n in self.files.items() if n == 1}
        self.folded: dict[str, list[str]] = {}
        for key in rows:
            if key not in owned:
                self.folded.setdefault(key.lower(), []).append(key)

    def __call__(self, doc: Document) -> str | None:
        if doc.doc_id in self.rows:
            return doc.doc_id
        name = nfc(Path(str(doc.path)).name)
        own_file = self.files[name] == 1
        if own_file and name in self.rows:
            return name
        found = {*self.folded.get(doc.doc_id.lower(), []), *(self.folded.get(name.lower(), []) if own_file else [])}
        return found.pop() if len(found) == 1 else None


def attach_metadata(documents: list[Document], table: pd.DataFrame | None, *, source: str = "metadata") -> list[str]:
    """Add each document's metadata row (sidecar values win over front matter).

    Returns warnings: documents with no metadata row, rows that match no document, and
    values that contradict a document's front matter. Nothing is dropped.
    """
    warnings: list[str] = []
    if table is None:
        return warnings
    rows: dict[str, dict[str, object]] = {
        str(k): {str(c): v for c, v in row.items()} for k, row in table.to_dict(orient="index").items()
    }
    used: set[str] = set()
    row_key = _Keys(rows, documents)
    for doc in documents:
        key = row_key(doc)
        row = rows.get(key) if key is not None else None
        if key is not None:
            used.add(key)
        if row is None:
            warnings.append(f"{source}: no row for document {doc.doc_id!r} ({doc.path}); its metadata stays empty")
            continue
        for column, value in row.items():
            column = str(column)
            old = doc.metadata.get(column)
            if old not in (None, "") and str(old) != str(value):
                warnings.append(
                    f"{doc.path}: front matter {column}={old!r} differs from {source} {column}={value!r}; using {value!r}"
                )
            doc.metadata[column] = value
    unmatched = sorted(set(rows) - used)
    if rows and not used and documents:
        shown = ", ".join(repr(u) for u in unmatched[:3])
        raise MetadataError(
            f"{source}: none of its {len(rows)} rows names one of the {len(documents)} documents (its ids: {shown} …; "
            f"the documents': {', '.join(repr(d.doc_id) for d in documents[:3])} …); write each document's id, "
            "its file name without the extension, or the file's name"
        )
    if unmatched:
        shown = ", ".join(repr(u) for u in unmatched[:5]) + (" …" if len(unmatched) > 5 else "")
        warnings.append(f"{source}: {len(unmatched)} row(s) match no document: {shown}")
    return warnings


def tidy_metadata(documents: list[Document]) -> list[str]:
    """Strip spaces around metadata values (``"Superintendent "`` was a group of its own in
    every count by role) and warn where a column's values differ only in letter case, which
    are still counted as separate groups (the data are not changed behind the researcher's back)."""
    spellings: dict[str, dict[str, set[str]]] = {}
    for doc in documents:
        for column, value in doc.metadata.items():
            if isinstance(value, str):
                value = doc.metadata[column] = value.strip()
                if value:
                    spellings.setdefault(str(column), {}).setdefault(value.casefold(), set()).add(value)
    notes = []
    for column, values in sorted(spellings.items()):
        apart = sorted(" / ".join(repr(v) for v in sorted(names)) for names in values.values() if len(names) > 1)
        if apart:
            notes.append(
                f"metadata {column}: {'; '.join(apart[:3])}{' …' if len(apart) > 3 else ''} differ only in letter case "
                "and are counted as different groups; write them alike if they are one"
            )
    return notes


def join_metadata(
    frame: pd.DataFrame, table: pd.DataFrame, *, source: str = "metadata"
) -> tuple[pd.DataFrame, list[str]]:
    """``frame`` (codings or segments, a ``doc_id`` column) with the participants ``table``
    (indexed by document id, :func:`read_metadata`) joined on: for codings made without it,
    such as a coder's export from another program. Its values replace the frame's where it
    has the document (it was given for them). A document is matched by its id, else by it in
    other letter case or by a file name (``d01.txt``) when one row alone matches so. Returns warnings naming documents without a row (their values
    stay empty: a group named '(blank)')."""
    if DOC_ID not in frame.columns or frame.empty:
        return frame, []
    rows = {str(key): key for key in table.index}
    folded: dict[str, list[str]] = {}
    for key in rows:  # the id in other letter case, or a file's name (d01.txt) for its id
        for name in {key.lower(), Path(key).stem.lower()}:
            folded.setdefault(name, []).append(key)
    ids = pd.Series(frame[DOC_ID].astype(str).unique())
    match = {
        doc: doc if doc in rows else (folded[doc.lower()][0] if len(folded.get(doc.lower(), [])) == 1 else None)
        for doc in ids
    }
    missing = sorted(doc for doc, key in match.items() if key is None)
    out = frame.copy()
    keys = out[DOC_ID].astype(str).map(match)
    for column in table.columns:
        values = table[column].copy()
        values.index = values.index.astype(str)
        given = keys.map(values.where(~(values.isna() | values.astype(str).str.strip().eq(""))))
        # the table's value where it has one for the document; the frame's own where not
        out[column] = given.where(given.notna(), out[column]) if column in out.columns else given.to_numpy()
    warnings = []
    if missing:
        shown = ", ".join(repr(m) for m in missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
        warnings.append(
            f"{source}: no row for {len(missing)} document{'s' if len(missing) != 1 else ''} ({shown}); "
            f"{', '.join(map(str, table.columns[:3]))} left as the codings have them (empty where they have none)"
        )
    return out, warnings
