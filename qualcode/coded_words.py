"""Human codes a file holds follow their words into transcripts changed since it was made.

A filled-in ``next`` sheet or a reviewed ``tag`` output given to ``--train`` names segments
(``doc_id``, ``segment_id``) or offsets in the transcripts as they were when it was written,
and its record (``.meta.json``) holds each transcript's SHA-256. When a transcript changed
since (a line added at its top, a typo corrected, a survey sheet sorted), those names point at
other words: the codes taught the model, and were kept as human rows, on other passages than
the coder read. Each coded passage on a changed transcript is looked for by the words the file
holds for it (:mod:`qualcode.reanchor`: a table's answer in another row, the same words, words
edited since) and its codes move there; a passage found nowhere is left out of the run, and
said (the file keeps it).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from . import columns as C
from .document import Document, nfc
from .errors import InputFileError, QualcodeWarning, counted, listed
from .reanchor import ROW_NAME, TABLES

Key = tuple[Any, ...]


def followed(
    frame: pd.DataFrame, source: Any, run_documents: Sequence[Document], segments: pd.DataFrame | None
) -> pd.DataFrame:
    """``frame`` (human codings read from ``source``, in span or segment form) with its codes on
    transcripts changed since ``source`` was made moved to where their words are now, those
    found nowhere left out (module docs); a warning says how many. Unchanged when ``source``
    has no record, or no transcript of the run changed since."""
    from .io.base import table_suffixes
    from .sources import changed_files

    labelled = frame.attrs.get("labelled_segments")
    if not isinstance(source, str | Path) or segments is None or (frame.empty and not labelled):
        return frame
    if Path(source).suffix.lower() not in table_suffixes():
        return frame  # a Word transcript's comments are on the transcript itself
    changed = set(changed_files(run_documents, source))
    if not changed:
        return frame
    ids = {doc.doc_id for doc in run_documents}
    touched = {doc.doc_id for doc in run_documents if str(doc.path) in changed}
    tables = {nfc(Path(doc.path).stem) for doc in run_documents if doc.doc_id in touched and doc.format in TABLES}

    def renamed_row(doc: str) -> bool:  # an answer named by a row a changed table no longer has
        found = ROW_NAME.match(doc)
        return doc not in ids and found is not None and found["stem"] in tables

    by_segment = C.START_CHAR not in frame.columns
    keys = _keys(frame, by_segment) + [(doc, segment) for doc, segment in labelled or []]
    ours = [key for key in dict.fromkeys(keys) if str(key[0]) in touched or renamed_row(str(key[0]))]
    if not ours:
        return frame
    old = _words(Path(source), ours, by_segment)
    if old is None:
        raise InputFileError(
            f"{source}: made before {listed(sorted(changed))} changed, and it holds no words of its codes (no "
            f"{C.TEXT} column) to find them by: its offsets would point at other words; restore the transcript as it "
            "was, or code it again"
        )
    if old.empty:
        return frame
    moved, lost = _follow(old, run_documents, segments, by_segment)
    new = {key: place for key, place in zip(old.index, moved, strict=True) if key not in lost}
    moving = sum(new[key] != key for key in new)
    if moving or lost:
        gone = (
            f"; {counted(len(lost), 'passage')} found nowhere (words changed too much, or found twice alike) left "
            f"out of this run, the file keeping {'it' if len(lost) == 1 else 'them'}: code "
            f"{'it' if len(lost) == 1 else 'them'} again (a new qualcode next sheet)"
            if lost
            else ""
        )
        warnings.warn(
            QualcodeWarning(
                f"{source}: made before {listed(sorted(changed))} changed: {moving} of its {len(old)} coded passages "
                f"there moved with their words{gone}"
            ),
            stacklevel=2,
        )
    out = frame[[key not in lost for key in _keys(frame, by_segment)]].copy()
    places = [new.get(key, key) for key in _keys(out, by_segment)]
    if places:
        columns = [C.DOC_ID, C.SEGMENT_ID] if by_segment else [C.DOC_ID, C.START_CHAR, C.END_CHAR]
        out[columns] = pd.DataFrame(places, index=out.index, columns=columns).astype(out[columns].dtypes.to_dict())
    if labelled is not None:
        out.attrs["labelled_segments"] = [new.get(key, key) for key in labelled if key not in lost]
    return out


def _keys(frame: pd.DataFrame, by_segment: bool) -> list[Key]:
    columns = [C.DOC_ID, C.SEGMENT_ID] if by_segment else [C.DOC_ID, C.START_CHAR, C.END_CHAR]
    return list(frame[columns].itertuples(index=False, name=None))


def _words(source: Path, keys: list[Key], by_segment: bool) -> pd.DataFrame | None:
    """The passages ``keys`` name, with the words ``source`` holds for them (its ``text``
    column), indexed by key; None when it holds no words, empty when none of ``keys``."""
    from .io.table import read_table
    from .io.writers import restore

    table = restore(read_table(source, what="a table of codings"))
    needed = [C.DOC_ID, C.START_CHAR, C.END_CHAR, C.TEXT] + [C.SEGMENT_ID] * by_segment
    if not set(needed) <= set(table.columns):
        return None
    table = table.assign(
        **{column: pd.to_numeric(table[column], errors="coerce") for column in (C.START_CHAR, C.END_CHAR)}
    )
    table = table.dropna(subset=[C.START_CHAR, C.END_CHAR])
    if by_segment:
        table = table.assign(**{C.SEGMENT_ID: pd.to_numeric(table[C.SEGMENT_ID], errors="coerce")})
        table = table.dropna(subset=[C.SEGMENT_ID])
    columns = [C.DOC_ID, C.SEGMENT_ID] if by_segment else [C.DOC_ID, C.START_CHAR, C.END_CHAR]
    table.index = pd.MultiIndex.from_frame(table[columns].astype({c: "int64" for c in columns[1:]}))
    table = table[~table.index.duplicated()]
    found = [key for key in keys if key in table.index]
    if not found:
        return table.iloc[:0]
    out = table.loc[pd.MultiIndex.from_tuples(found), [C.DOC_ID, C.START_CHAR, C.END_CHAR, C.TEXT]].astype(
        {C.START_CHAR: "int64", C.END_CHAR: "int64"}
    )
    out[C.SEGMENT_ID] = [key[1] for key in found] if by_segment else 0
    out.index = pd.Index(found, tupleize_cols=False)
    return out


def _follow(
    old: pd.DataFrame, run_documents: Sequence[Document], segments: pd.DataFrame, by_segment: bool
) -> tuple[list[Key], set[Key]]:
    """Where each passage of ``old`` is now (a key of the same form) and the keys found nowhere."""
    from .reanchor import follow_table_rows, off_their_words, reanchor

    texts = {doc.doc_id: doc.text for doc in run_documents}
    rows = old.reset_index(drop=True)
    rows, _ = follow_table_rows(rows, pd.Series(True, index=rows.index), run_documents, segments)
    here = rows[C.DOC_ID].astype(str).isin(set(texts))
    if here.any():
        placed, _ = reanchor(
            rows[here], {doc: texts[doc] for doc in set(rows.loc[here, C.DOC_ID].astype(str))}, segments
        )
        rows.loc[here] = placed
    lost_rows = ~rows[C.DOC_ID].astype(str).isin(set(texts)) | off_their_words(rows, texts)
    columns = [C.DOC_ID, C.SEGMENT_ID] if by_segment else [C.DOC_ID, C.START_CHAR, C.END_CHAR]
    moved: list[Key] = [(str(doc), *map(int, rest)) for doc, *rest in rows[columns].itertuples(index=False)]
    return moved, {key for key, lost in zip(old.index, lost_rows, strict=True) if lost}
