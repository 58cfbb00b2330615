"""The work already done in an output a run is about to replace: read it completely or stop.

Rules (``qc.tag`` / ``qualcode tag``; the README's "Reviewing" section states them):

- The output never equals an input: a transcript, the metadata table, the codebook, the
  training codings or ``--previous`` (:func:`check_not_an_input`).
- An existing output that holds reviewed or human rows is merged with (``previous="auto"``).
  If it cannot be read completely (an unparseable cell, an unknown status) the run stops
  with the file, row and fix: it is never treated as empty. A wide qualcode table (no
  ``code`` column) holds no reviews and is replaced.
- A wide output cannot hold statuses: writing ``--format wide`` over a file with reviewed
  rows is refused (write the wide table elsewhere, or ``--fresh``).
- An existing output whose reviewed or human rows lie on none of the run's documents is
  refused (it is another project's output); ``--previous`` merges such a file on purpose.
  Unless those rows are all copies of files the run reads again (``human code (from
  sheet.xlsx)``; :mod:`qualcode.origins`): the output is then replaced, kept as ``.bak``.
- Rows of an output written by a run that named documents otherwise are renamed as this run
  names the same transcripts, and said so (:mod:`qualcode.doc_names`).
- ``--fresh`` over reviewed rows, or ``--previous OTHER.csv`` when the output holds reviewed
  rows of its own, keeps the output as ``OUT.csv.bak`` first and says so.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from . import columns as C
from .doc_names import renamed_rows
from .document import Document
from .errors import OptionError, QualcodeError, listed
from .review import REVIEWED, with_status


def reviewed_rows(frame: pd.DataFrame) -> int:
    """How many accepted, rejected or human rows ``frame`` holds (statuses checked)."""
    if C.STATUS not in frame.columns and C.METHOD not in frame.columns:
        return 0
    return int(with_status(frame)[C.STATUS].isin(REVIEWED).sum())


def _is_wide(path: Path) -> bool:
    from .io.table import read_table

    try:
        columns = set(read_table(path).columns)
    except QualcodeError:
        return False
    return C.CODE not in columns and {C.DOC_ID, C.SEGMENT_ID} <= columns


def read_existing(output: Path) -> pd.DataFrame | None:
    """The codings in an existing output, read completely; None when there is no file or it is
    a wide table (which holds no reviews)."""
    from .io.coded import read_coded
    from .origins import rebased

    if not output.is_file():
        return None
    if _is_wide(output):
        return None
    try:
        frame = rebased(read_coded(output), output)
        with_status(frame)
    except QualcodeError as error:
        raise type(error)(
            f"{output}: the earlier codings cannot be read completely ({error}); fix that cell, or pass --fresh "
            f"to start afresh (the file is then kept as {output.name}.bak)"
        ) from None
    return frame


def check_not_an_input(output: str | Path, inputs: Iterable[str | Path | None]) -> None:
    """Refuse an output path that is one of the run's input files."""
    target = Path(output).resolve()
    for item in inputs:
        if item is None:
            continue
        if Path(item).resolve() == target:
            raise OptionError(f"{output}: this is also an input of the run; write the output to another file")


def backup(output: Path, why: str) -> str | None:
    """Copy ``output`` to ``OUT.csv.bak`` and return the line that says so."""
    if not output.is_file():
        return None
    kept = output.with_name(output.name + ".bak")
    shutil.copy2(output, kept)
    return f"{output} held reviewed or human rows; kept as {kept} ({why})"


def previous_codings(
    previous: str | None,
    output: str | Path | None,
    format: str,
    documents: Iterable[str] | None = None,
    reads: Iterable[str | Path] = (),
    run_documents: Sequence[Document] = (),
) -> tuple[pd.DataFrame | None, list[str]]:
    """The earlier codings to merge with, and lines to tell the user; refuses what would lose work.

    An existing output whose reviewed or human rows lie on none of this run's ``documents``
    is refused: it is another project's (or another reading's) codings, and merging would
    mix them into this run's file. ``--previous`` names such a file on purpose and is merged.
    Human rows copied from a file this run reads again (``reads``: its inputs and training
    files; :mod:`qualcode.origins`) are not work of the output's own: an output holding only
    such copies, none on this run's documents (the same sheet read with other options), is
    replaced, kept as ``.bak``. ``run_documents``: this run's documents, to rename rows of a run
    that named them otherwise (:func:`qualcode.doc_names.renamed_rows`).
    """
    from .io.coded import read_coded
    from .origins import rebased

    notes: list[str] = []
    existing = read_existing(Path(output)) if output is not None else None
    if existing is not None and run_documents:
        existing, line = renamed_rows(existing, Path(str(output)), run_documents)
        notes += [line] if line else []
    own = reviewed_rows(existing) if existing is not None else 0
    if own and format == "wide" and previous is not None:
        raise OptionError(
            f"{output}: holds {own} reviewed or human rows that a wide table cannot keep; write the wide table to "
            "another file, or pass --fresh (the file is then kept as .bak)"
        )
    if previous is None:
        if own and output is not None:
            line = backup(Path(output), "--fresh")
            notes += [line] if line else []
        return None, notes
    if previous == "auto":
        if own and documents is not None and existing is not None:
            if _only_copies_elsewhere(existing, set(documents), reads):
                line = backup(Path(str(output)), "its human rows are copies of files this run reads again")
                return None, notes + ([line] if line else [])
            _check_same_documents(Path(str(output)), existing, set(documents))
        return (existing if own else None), notes
    frame = rebased(read_coded(previous), previous)
    if run_documents:
        frame, line = renamed_rows(frame, Path(previous), run_documents)
        notes += [line] if line else []
    if own and output is not None and Path(previous).resolve() != Path(output).resolve():
        line = backup(Path(output), f"merging with {previous} instead")
        notes += [line] if line else []
    return frame, notes


def _only_copies_elsewhere(existing: pd.DataFrame, documents: set[str], reads: Iterable[str | Path]) -> bool:
    """Whether every reviewed row of ``existing`` is a human row copied from one of the files
    ``reads`` and none lies on ``documents``."""
    from .origins import copied_from

    rows = with_status(existing)
    rows = rows[rows[C.STATUS].isin(REVIEWED)]
    files = [path for path in reads if path]
    if not len(rows) or not files or documents.intersection(rows[C.DOC_ID].astype(str).str.strip()):
        return False
    return bool(copied_from(rows, files).all())


def _check_same_documents(output: Path, existing: pd.DataFrame, documents: set[str]) -> None:
    """Refuse to merge an output whose reviewed rows are on none of the run's documents."""
    rows = existing[existing[C.STATUS].isin(REVIEWED)]
    theirs = sorted(set(rows[C.DOC_ID].astype(str).str.strip()))
    _check_zeros_kept(output, theirs, documents)
    if not theirs or documents.intersection(theirs):
        return
    shown = listed([repr(d) for d in theirs])
    raise OptionError(
        f"{output}: holds {len(rows)} reviewed or human rows on {len(theirs)} document{'s' if len(theirs) > 1 else ''} ({shown}), none of them "
        "in this run: it is the output of other transcripts; write this run to another file with -o, merge it "
        "on purpose with --previous, or start over with --fresh (the file is kept as .bak)",
        option="previous",
    )


def _check_zeros_kept(output: Path, theirs: list[str], documents: set[str]) -> None:
    """Refuse reviewed rows on a document id that is one of the run's with its leading zeros
    dropped (``1`` for ``001``): a spreadsheet reads such ids as numbers and saves them so."""
    padded = {int(doc): doc for doc in documents if doc.isdecimal() and doc.startswith("0")}
    for doc_id in theirs:
        if doc_id not in documents and doc_id.isdecimal() and int(doc_id) in padded:
            raise OptionError(
                f"{output}: reviewed rows on document {doc_id!r}, which this run does not have, but "
                f"{padded[int(doc_id)]!r} it has: a spreadsheet dropped the ids' leading zeros; "
                "write them back as the transcripts name them (in Excel, format the doc_id column as Text), "
                "then run again (the file is kept as it is)",
                option="previous",
            )
