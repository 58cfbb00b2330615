"""Codings that name a run's documents otherwise than the run does, renamed to its names.

Three ways the same transcript comes to have two names, each told by a file, never guessed from
names alone:

- a Word transcript's comments (its codes) name it by its file name (``superintendent``), where
  the run, reading the same file, names it by folder too (``d01/superintendent``): renamed
  without a word, the file being the run's own;
- the run that made them named documents the other way (``--ids name`` or ``folder``:
  ``superintendent`` or ``d01/superintendent``); their record (``.meta.json``) names the same file;
- they came back from another program (``export-refi``, then ``import``): the import named each
  document after the program's source name, made file-safe (``D01_superintendent``), and its
  record holds the SHA-256 of each source's text, which is the run document's text exactly.

Applied to an output's reviewed rows before a run merges with them (:mod:`qualcode.previous`),
to training codings (:func:`qualcode.training.training_set`, ``next``) and to the copies a run
marks as a training file's (:func:`qualcode.origins.mark_origins`).
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from . import columns as C
from .document import Document, nfc
from .errors import QualcodeWarning, counted, listed

BY_IDS = "ids"  # named by file name where the run names by folder, or the reverse
BY_TEXT = "text"  # another program's name for a document holding the same text
BY_FILE = "file"  # a Word transcript's comments, naming the document by its file name


def renamed(frame: pd.DataFrame, source: str | Path, run_documents: Sequence[Document]) -> pd.DataFrame:
    """``frame`` (codings read from ``source``) with its documents named as this run names
    them (:func:`renamed_ids`), with a warning saying which."""
    frame, line = renamed_rows(frame, Path(source), run_documents)
    if line:
        warnings.warn(QualcodeWarning(line), stacklevel=2)
    return frame


def renamed_ids(source: str | Path, run_documents: Sequence[Document]) -> dict[str, tuple[str, str]]:
    """``{old id: (this run's id, why)}`` for documents ``source``'s record names otherwise
    than this run does (module docs); each old id once, and only ids that are not this run's."""
    from .io import folder_id
    from .meta import read_meta

    ours = {doc.doc_id for doc in run_documents}
    itself = Path(source).resolve()  # a Word transcript coded with comments, among the inputs too
    name = nfc(itself.stem)
    for doc in run_documents:
        if doc.path and Path(doc.path).resolve() == itself and doc.doc_id != name and name not in ours:
            return {name: (doc.doc_id, BY_FILE)}
    meta = read_meta(source)
    if meta is None:
        return {}
    recorded = {path.resolve(): path for path in meta.inputs}
    hashes: dict[str, list[str]] = {}  # the SHA-256 a recorded file has -> its names
    for entry in meta.record.get("inputs") or []:
        if isinstance(entry, dict) and entry.get("sha256") and entry.get("path"):
            hashes.setdefault(str(entry["sha256"]), []).append(nfc(Path(str(entry["path"])).stem))
    renames: dict[str, tuple[str, str]] = {}
    for doc in run_documents:
        path = Path(doc.path) if doc.path else None
        if path is not None and path.resolve() in recorded:
            if meta.settings.ids == "folder":  # d01/superintendent then, superintendent now
                old = folder_id(doc.doc_id, path, meta.settings.id_column)
            else:
                old = doc.doc_id.removeprefix(nfc(path.resolve().parent.name) + "/")
            if old != doc.doc_id and old not in ours:
                renames.setdefault(old, (doc.doc_id, BY_IDS))
        for old in hashes.get(hashlib.sha256(doc.text.encode("utf-8")).hexdigest(), []):
            if old != doc.doc_id and old not in ours:  # an imported source: the text is the file
                renames.setdefault(old, (doc.doc_id, BY_TEXT))
    return renames


def renamed_rows(
    frame: pd.DataFrame, source: Path, run_documents: Sequence[Document]
) -> tuple[pd.DataFrame, str | None]:
    """``frame`` with the documents :func:`renamed_ids` finds renamed, and the line saying so."""
    ids = frame[C.DOC_ID].astype(str).str.strip() if C.DOC_ID in frame.columns else None
    if ids is None or ids.isin({doc.doc_id for doc in run_documents}).all():
        return frame, None
    renames = renamed_ids(source, run_documents)
    if not renames or not ids.isin(list(renames)).any():
        return frame, None
    used = sorted(set(ids[ids.isin(list(renames))]))
    names = {old: new for old, (new, _) in renames.items()}
    frame = frame.copy()
    frame[C.DOC_ID] = ids.replace(names)
    if frame.attrs.get("labelled_segments") is not None:  # a next sheet's rows, coded one by one
        frame.attrs["labelled_segments"] = [
            (names.get(str(doc), str(doc)), segment) for doc, segment in frame.attrs["labelled_segments"]
        ]
    shown = listed([f"{old!r} -> {names[old]!r}" for old in used], 3)
    if all(renames[old][1] == BY_TEXT for old in used):
        why = "names documents as the program it came back from named them, each holding the text of one of this run's"
    elif renames[used[0]][1] == BY_FILE:  # the run's own file: nothing to tell
        return frame, None
    else:
        how = "folder and file name" if "/" in used[0] else "file name"
        why = f"was made by a run that named documents by their {how} (--ids)"
    return frame, f"{source}: {why}: its rows on {counted(len(used), 'document')} read as this run names them ({shown})"
