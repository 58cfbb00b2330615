"""Which training file a human row of a ``tag --train`` output was copied from.

The human rows of ``coded.csv`` are copies: the codes live in the training files
(``tag --train human.csv``). Each copy's evidence names its file (``human code (from
human.csv)``), so that a re-run with the same file takes the file as it is now: a code the
researcher deleted from it is not kept alive by the copy in the earlier output. Rows that
name no training file of the run (typed into the output, or from a file no longer given)
are kept, as every reviewed row is; a copy dropped this way is kept in ``coded.csv.bak`` and
said.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from . import columns as C
from .codebook import Codebook
from .corpus import Corpus
from .document import Document

HUMAN = "human code"
_FROM = re.compile(r"^human code \(from (?P<path>.+)\)$")


def _span_keys(frame: pd.DataFrame) -> list[tuple[str, ...]]:
    return [
        (str(d), str(int(s)), str(int(e)), str(c), str(w))
        for d, s, e, c, w in frame[[C.DOC_ID, C.START_CHAR, C.END_CHAR, C.CODE, C.CODER]].itertuples(index=False)
    ]


def _segment_keys(frame: pd.DataFrame) -> list[tuple[str, ...]]:
    return [
        (str(d), str(s), str(c), str(w))
        for d, s, c, w in frame[[C.DOC_ID, C.SEGMENT_ID, C.CODE, C.CODER]].itertuples(index=False)
    ]


def mark_origins(
    codings: pd.DataFrame,
    paths: Sequence[str],
    codebook: Codebook,
    texts: dict[str, str] | None = None,
    run_documents: Sequence[Document] = (),
    run_segments: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """``codings`` whose human rows say which of the training files ``paths`` holds them
    (``texts``, doc_id -> text, place a file of excerpts as the run placed them; ``run_documents``
    name documents as the run did: :func:`qualcode.doc_names.renamed`, and with ``run_segments``
    find codes on transcripts changed since as the run found them: :func:`qualcode.coded_words.followed`)."""
    from .coded_words import as_this_run
    from .codings import codes_as_ids, read_codings
    from .excerpts import is_excerpts, place_excerpts

    if C.METHOD not in codings.columns or not paths:
        return codings
    human = codings.index[codings[C.METHOD] == "human"]
    if not len(human):
        return codings
    rows = codings.loc[human]
    spans, segments = _span_keys(rows), _segment_keys(rows)
    origin: dict[int, str] = {}
    for path in paths:
        with warnings.catch_warnings():  # read once already, warnings said then
            warnings.simplefilter("ignore")
            held = read_codings(path, read_apart=[other for other in paths if other != path])
            held = as_this_run(held, path, run_documents, run_segments) if run_documents else held
            if is_excerpts(held):
                if texts is None:
                    continue
                held = place_excerpts(held, texts)
            held = codes_as_ids(held, codebook)
        keys = set(_span_keys(held) if C.START_CHAR in held.columns else _segment_keys(held))
        mine = spans if C.START_CHAR in held.columns else segments
        for label, key in zip(human, mine, strict=True):
            if key in keys:
                origin.setdefault(int(label), str(path))
    out = codings.copy()
    for label, path in origin.items():
        out.at[label, C.EVIDENCE] = f"{HUMAN} (from {path})"
    out.attrs = dict(codings.attrs)
    return out


def mark_sheets(codings: pd.DataFrame, corpus: Corpus) -> tuple[pd.DataFrame, list[str]]:
    """``codings`` whose human rows read from a coded sheet's codes columns (``tag
    --codes-column``) name the sheet, as a training file's copies do; and the sheets."""
    paths = {doc.doc_id: doc.path for doc in corpus.documents if (doc.codes or doc.no_codes) and doc.path}
    if C.METHOD not in codings.columns or C.EVIDENCE not in codings.columns or not paths:
        return codings, []
    documents = codings[C.DOC_ID].astype(str)
    human = (codings[C.METHOD] == "human") & documents.isin(set(paths)) & (codings[C.EVIDENCE] == HUMAN)
    out = codings.copy()
    out.loc[human, C.EVIDENCE] = [f"{HUMAN} (from {paths[doc]})" for doc in documents[human]]
    out.attrs = dict(codings.attrs)
    return out, sorted(set(paths.values()))


def rebased(frame: pd.DataFrame, source: str | Path) -> pd.DataFrame:
    """``frame``, read from ``source``, with its copies' training files (``human code (from
    X)``) named from this process's folder: the run that wrote ``source`` named them from the
    folder it was started in, which its record gives (:func:`~qualcode.meta.run_folder`); a
    later run from another folder (``cd results && qualcode tag ../interviews --train
    ../codes.csv``) would otherwise not know them for copies of the files it reads again."""
    import os

    from .errors import QualcodeError
    from .meta import read_meta, run_folder

    if C.EVIDENCE not in frame.columns or C.METHOD not in frame.columns:
        return frame
    try:
        meta = read_meta(source)
    except QualcodeError:  # an unreadable record is said by the commands that need it
        return frame
    ran_in = run_folder(meta) if meta is not None else None
    if ran_in is None or ran_in == Path.cwd().resolve():
        return frame

    def moved(evidence: str) -> str:
        found = _FROM.match(evidence)
        if found is None or Path(found["path"]).is_absolute():
            return evidence
        try:
            return f"{HUMAN} (from {os.path.relpath(ran_in / found['path'])})"
        except ValueError:  # another drive: no relative path leads there
            return f"{HUMAN} (from {ran_in / found['path']})"

    human = frame[C.METHOD] == "human"
    if not human.any():
        return frame
    out = frame.copy()
    out.loc[human, C.EVIDENCE] = out.loc[human, C.EVIDENCE].astype(str).map(moved)
    out.attrs = dict(frame.attrs)
    return out


def _named(evidence: str) -> Path | None:
    found = _FROM.match(evidence)
    return Path(found["path"]).resolve() if found else None


def copied_from(frame: pd.DataFrame, files: Sequence[str | Path]) -> np.ndarray:
    """Which rows of a codings table are human rows copied from one of ``files``."""
    if not len(files) or C.EVIDENCE not in frame.columns or C.METHOD not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    given = {Path(path).resolve() for path in files}
    named = frame[C.EVIDENCE].astype(str).map(_named)
    return (frame[C.METHOD] == "human").to_numpy() & named.isin(given).to_numpy()


def drop_copies(
    prior: pd.DataFrame, codings: pd.DataFrame, paths: Sequence[str], codebook: Codebook | None = None
) -> tuple[pd.DataFrame, int, list[str]]:
    """``prior`` without the human rows copied from a training file this run reads again
    (the run's ``codings`` hold that file's codes as they are now, each as its id in
    ``codebook``: a copy made under a code's former name is still there); how many of them
    the file no longer holds, and the files they were in."""
    from .codings import codes_as_ids

    if not paths or C.EVIDENCE not in prior.columns or C.METHOD not in prior.columns:
        return prior, 0, []
    copies = copied_from(prior, paths)
    if not copies.any():
        return prior, 0, []
    now = set(_span_keys(codings[codings[C.METHOD] == "human"]))
    theirs = prior[copies] if codebook is None else codes_as_ids(prior[copies], codebook)
    gone = [key not in now for key in _span_keys(theirs)]
    files = sorted({str(evidence)[len(HUMAN) + 7 : -1] for evidence in prior.loc[copies, C.EVIDENCE][gone]})
    return prior[~copies].reset_index(drop=True), sum(gone), files
