"""The transcripts of hand-coded documents that are not among a run's inputs.

``qualcode tag new/ --train coded.csv``: the human codes in ``coded.csv`` were made on other
transcripts than the ones to code now. Learning needs their words, and the ``.meta.json``
beside ``coded.csv`` (written by ``tag``, ``review``, ``next`` or ``import``) names the
transcripts its run read, with their SHA-256. Those are read here, cut into segments as this
run cuts its own, and only teach: they are not scored and not written to the output.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from . import columns as C
from .corpus import Corpus


def outside_transcripts(
    training: Sequence[Any], corpus: Corpus, options: dict[str, Any]
) -> tuple[Corpus | None, list[str]]:
    """The documents the training files code that ``corpus`` lacks, read from the transcripts
    each file's record names (``options``: this run's :func:`qualcode.read_transcripts`
    keywords; segmentation is this run's, how to read a table or spot the interviewer is the
    record's), and how many came from which file (for :func:`outside_line`). (None, []) when
    nothing is missing or no record names the transcripts: :func:`qualcode.training.training_set`
    then names the missing document.

    Raises
    ------
    InputFileError
        A transcript changed since the codes were made (their offsets would point at other
        words).
    """
    from .codings import read_codings
    from .doc_names import renamed_rows
    from .errors import QualcodeWarning
    from .excerpts import document_of, is_excerpts
    from .io import read_transcripts
    from .io.base import table_suffixes
    from .meta import read_meta
    from .sources import check_unchanged

    have = {doc.doc_id for doc in corpus.documents}
    run_files = {Path(doc.path).resolve() for doc in corpus.documents if doc.path}
    found: list[Corpus] = []
    named: list[str] = []
    for source in training:
        if not isinstance(source, str | Path):
            continue
        with warnings.catch_warnings():  # read again, with its warnings, when the run learns
            warnings.simplefilter("ignore", QualcodeWarning)
            codings = read_codings(source)
        codings, _ = renamed_rows(codings, Path(source), corpus.documents)  # the run's, named otherwise
        missing = set(codings[C.DOC_ID].astype(str)) - have
        if is_excerpts(codings):  # documents named as the other tool names them: a file name too
            missing = {name for name in missing if document_of(name, have) is None}
            missing |= {Path(name).stem for name in missing}
        if missing and Path(source).suffix.lower() in (".docx", ".odt"):  # coded with comments: its own transcript
            files, recorded, meta = [Path(source)], {}, None
        else:
            meta = read_meta(source) if missing else None
            if meta is None:
                continue
            files = [path for path in meta.inputs if path.exists() and path.resolve() not in run_files]
            recorded = meta.read_options()
        if not files:
            continue
        keys = ("segment_by", "window_size", "window_overlap", "window_seconds")
        read = {**recorded, **{key: options[key] for key in keys if key in options}}
        read.update(metadata=None, codes_column=None)
        # a transcript file's document is its name (a table holds many): read those first
        tables = set(table_suffixes())
        likely = [path for path in files if path.suffix.lower() in tables or path.stem in missing]
        extra = read_transcripts(likely or files, **read)
        if missing - {doc.doc_id for doc in extra.documents} and len(likely) < len(files):
            extra = read_transcripts(files, **read)  # ids not named after their files: all of them
        documents = [doc for doc in extra.documents if doc.doc_id in missing]
        if not documents:
            continue
        ids = {doc.doc_id for doc in documents}
        part = Corpus(
            documents,
            extra.segments[extra.segments[C.DOC_ID].astype(str).isin(ids)].reset_index(drop=True),
            segment_by=extra.segment_by,
        )
        if meta is not None:  # the record's SHA-256s (a Word transcript is its own codes' text)
            check_unchanged(part, source)
        found.append(part)
        have |= ids
        named.append(f"{len(documents)} from {source}" + (" (the Word transcript itself)" if meta is None else ""))
    if not found:
        return None, []
    documents = [doc for part in found for doc in part.documents]
    segments = pd.concat([part.segments for part in found], ignore_index=True)
    return Corpus(documents, segments, segment_by=found[0].segment_by), named


def outside_line(named: list[str], effect: str) -> str:
    """The line that says which transcripts outside the inputs taught, and what of them
    (``effect``: "are not scored or written to the output", "none is chosen")."""
    recorded = any(not name.endswith("(the Word transcript itself)") for name in named)
    where = "; found where its record names them" if recorded else ""
    return (
        f"learned also from hand-coded transcripts that are not among the inputs ({', '.join(named)}{where}): "
        f"they teach, and {effect}"
    )


def training_record(outside: Corpus) -> list[dict[str, str]]:
    """The ``training_transcripts`` of a ``.meta.json``: path and SHA-256 of each transcript
    read to learn from, in path order."""
    entries = [{"path": str(doc.path), "sha256": doc.sha256} for doc in outside.documents]
    return sorted(entries, key=lambda item: item["path"])
