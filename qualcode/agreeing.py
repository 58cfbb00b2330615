"""Inter-coder agreement from files: each coder's codings file, coders' Word copies of a
transcript, or the columns of one coded spreadsheet (:func:`agree_files`, behind ``qualcode
agree``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from .errors import InputFileError, OptionError

if TYPE_CHECKING:
    from .codebook import Codebook


def agree_files(
    paths: Sequence[str | Path],
    *,
    inputs: Sequence[str | Path] | None = None,
    unit: str = "segment",
    segment_by: str = "auto",
    text_column: str | Sequence[str] | None = None,
    id_column: str | None = None,
    speaker_column: str | None = None,
    ids: str = "name",
    codebook: str | Path | Codebook | None = None,
    codes_column: str | Sequence[str] | None = None,
    codes_separator: str = ";",
    all_coded: bool = False,
) -> pd.DataFrame:
    """Inter-coder agreement of two or more codings files (one per coder, or with a
    ``coder`` column): see :func:`qualcode.agreement`. With ``codebook`` (default: the one the
    run that wrote one of ``paths`` recorded, named in ``.attrs["codebook_from"]``), a code
    written as its label or in other letter case (one coder's tool exports labels) is its id.

    ``unit="segment"`` uses the transcripts' segments (``inputs``, segmented by ``segment_by``);
    without them, codings in segment form (any ids: numbers or another tool's, such as a
    survey's ``ResponseId``) are compared over the union of the units the coders coded, as
    ``.attrs["units_from"]`` says. ``unit="character"`` needs no transcripts.
    ``text_column``, ``id_column``, ``speaker_column``: the columns of a survey or utterance
    table among ``inputs``; ``ids``: how the transcripts are named (:func:`qualcode.read_transcripts`).

    ``codes_column`` (two or more columns; the codes of a cell separated by
    ``codes_separator``): ``paths`` are coded spreadsheets whose columns are the coders
    (``Coder A``, ``Coder B``), read with the other column options; every row is a unit, and a
    cell left empty or saying ``none`` is a coder's judgement that no code applies.

    A document that holds codes of some coders only is, by default, not compared for the others
    (they may not have coded it): ``.attrs["partial"]`` lists each with the coders who have no
    code there. ``all_coded=True`` says every coder coded every document (a survey's answers:
    an answer one coder gave no code), so that such a document is their "no code".
    """
    from . import columns as C
    from .analysis.agreement import agreement
    from .codebook import Codebook, load_codebook
    from .coded_words import as_this_run
    from .codings import codes_as_ids, read_codings, warn_spelled_apart
    from .excerpts import is_excerpts, place_all
    from .io import read_transcripts
    from .word_comments import COMMENTS, keep_named_codes

    if not paths:
        raise OptionError("give two or more codings files", option="paths")
    given: dict[Path, str | Path] = {}
    for path in paths:
        if Path(path).resolve() in given:
            first = given[Path(path).resolve()]
            raise OptionError(f"{path}: given twice (as {first}); give each coder's file once", option="paths")
        given[Path(path).resolve()] = path
    # how the transcripts (or the coded sheets) are read and cut
    columns: dict[str, Any] = {"segment_by": segment_by, "text_column": text_column, "id_column": id_column}
    columns["speaker_column"] = speaker_column
    columns["ids"] = ids
    corpus = None
    coders: list[str] | None = None
    if codes_column:  # coders' columns of coded spreadsheets, which hold the texts too
        if inputs:
            raise OptionError(
                "codes_column reads the coders' codes and the texts from the same sheets; leave out inputs",
                option="inputs",
            )
        coders = [codes_column] if isinstance(codes_column, str) else list(codes_column)
        if len(coders) < 2:
            raise OptionError(
                f"codes_column {coders[0]!r} is one coder's column; name each coder's column (two or more)",
                option="codes_column",
            )
        corpus = read_transcripts(list(paths), **columns, codes_column=coders, codes_separator=codes_separator)
        sheet = corpus.codings
        others = sorted(set(sheet[C.CODER].astype(str)) - set(coders))
        if others or any(mark in name for name in coders for mark in "*?["):  # 1/0 columns: a code each, no coder
            raise OptionError(
                "codes_column: agree compares coders' columns, each holding one coder's codes; columns of 1/0 "
                "cells (a code each) or a pattern of columns name no coder",
                option="codes_column",
            )
        frames = [sheet[sheet[C.CODER] == coder].reset_index(drop=True) for coder in coders]
    else:
        frames = [read_codings(path, default_coder=Path(path).stem) for path in paths]
    codebook_from = None
    if codebook is None:  # the one a file's run recorded: an import's ids against a tool's labels
        from .meta import recorded_codebook

        found = recorded_codebook(paths, required=False)
        if found is not None:
            codebook_from, codebook = found
    if codebook is not None:  # labels, ids in other case or spacing: each code as its id
        book = codebook if isinstance(codebook, Codebook) else load_codebook(codebook)
        frames = [keep_named_codes(codes_as_ids(frame, book), book) for frame in frames]
    elif any(frame.attrs.get(COMMENTS) for frame in frames):
        import warnings

        from .errors import QualcodeWarning

        warnings.warn(
            QualcodeWarning(
                "Word comments read without a codebook: every comment counts as a code, notes too; give the codebook "
                "(-c) so that comments naming no code are left out"
            ),
            stacklevel=2,
        )
    table = pd.concat(frames, ignore_index=True)
    if coders is None:
        _check_comment_coders(frames, paths)
    warn_spelled_apart(table[C.CODE].astype(str))
    if inputs:
        corpus = read_transcripts(list(inputs), **columns)
    units_from = "the transcripts" if not coders else "every row of the sheets (an empty cell: no code applies)"
    if corpus is None:
        # the sources a codings file records (an imported project, a tag run), read and cut
        # exactly as that run did
        from .meta import read_meta

        for path in paths:
            meta = read_meta(path)
            if meta is not None and meta.inputs:
                from .workflows import corpus_for

                corpus = corpus_for(path, check=False)  # codes on transcripts changed since follow their words
                units_from = f"the sources recorded in {Path(path).stem}.meta.json, segmented as that run did"
                break
    if corpus is None and all(Path(path).suffix.lower() in (".docx", ".odt") for path in paths):
        corpus = _word_transcripts([Path(path) for path in paths], segment_by)
        units_from = "the Word transcripts the coders commented"
    # codes on transcripts changed since follow their words (coded_words); named otherwise: another --ids, a REFI trip
    if corpus is not None and coders is None:
        frames = [
            as_this_run(frame, path, corpus.documents, corpus.segments)
            for frame, path in zip(frames, paths, strict=True)
        ]
        table = pd.concat(frames, ignore_index=True)
    if any(is_excerpts(frame) for frame in frames):  # the coded words, found in the transcripts
        table = pd.concat(place_all(frames, corpus), ignore_index=True)
    segments = corpus.segments if corpus is not None else None
    if segments is None and unit == "segment":
        if C.SEGMENT_ID not in table.columns or C.START_CHAR in table.columns:
            raise OptionError(
                "unit 'segment' with span codings needs the transcripts: pass them as inputs", option="inputs"
            )
        # every unit is listed in the codings (a survey coded response by response): use their union
        segments = table[[C.DOC_ID, C.SEGMENT_ID]].drop_duplicates().reset_index(drop=True)
        units_from = "the union of the coded units (no transcripts given: units no coder coded are not counted)"
    texts = {doc.doc_id: doc.text for doc in corpus.documents} if corpus is not None else None
    every = all_coded or coders is not None  # each column of a coding sheet coded every row: empty is no code
    result = agreement(table, coders=coders, unit=unit, segments=segments, texts=texts, every_unit_coded=every)
    result.attrs["partial"] = {} if every or segments is None else _partial(table, result.attrs["coders"], segments)
    result.attrs["units_from"] = units_from if unit == "segment" else "characters of the documents"
    result.attrs["codebook_from"] = codebook_from
    return result


def _partial(table: pd.DataFrame, coders: Sequence[str], segments: pd.DataFrame) -> dict[str, list[str]]:
    """Each document of ``segments`` that holds codes of some of ``coders`` but not all, with
    the coders who have none there (their units in it are not compared)."""
    from . import columns as C

    held: dict[str, set[str]] = {}
    for doc, coder in zip(table[C.DOC_ID].astype(str), table[C.CODER].astype(str), strict=True):
        held.setdefault(doc, set()).add(coder)
    documents = set(segments[C.DOC_ID].astype(str))
    return {
        doc: [coder for coder in coders if coder not in held[doc]]
        for doc in sorted(held)
        if doc in documents and not set(coders) <= held[doc]
    }


def _check_comment_coders(frames: Sequence[pd.DataFrame], paths: Sequence[str | Path]) -> None:
    """Two commented copies of one transcript whose comments name the same coder would merge
    two people's codes into one (Word writes 'Author' for everyone when it removes personal
    information): an error naming the coder and the files."""
    from . import columns as C
    from .word_comments import COMMENTS

    seen: dict[tuple[str, str], str | Path] = {}
    for frame, path in zip(frames, paths, strict=True):
        if not frame.attrs.get(COMMENTS):
            continue
        for doc_id, coder in set(zip(frame[C.DOC_ID].astype(str), frame[C.CODER].astype(str), strict=True)):
            other = seen.setdefault((doc_id, coder), path)
            if other != path:
                raise OptionError(
                    f"{other} and {path} both hold comments by {coder!r} on {doc_id!r}: a comment's author is its "
                    "coder, and one coder's codes from two copies would merge (Word writes 'Author' when it removes "
                    "personal information); give each coder's codes under their own name",
                    option="paths",
                )


def _word_transcripts(paths: Sequence[Path], segment_by: str) -> Any:
    """Each coder's Word copy of a transcript read once (one per file name: the document);
    copies whose texts differ cannot hold comparable codes, and are an error."""
    from .io import read_transcripts

    first: dict[str, Path] = {}
    for path in paths:
        first.setdefault(path.stem, path)
    corpus = read_transcripts(list(first.values()), segment_by=segment_by)
    texts = {doc.doc_id: doc.text for doc in corpus.documents}
    named: dict[str, str] = {}
    for doc_id, text in texts.items():
        if text in named:  # ana.docx and ben.docx: one transcript, two documents, no unit both coded
            raise InputFileError(
                f"{first[doc_id]} and {first[named[text]]} hold the same transcript under two names, so no passage "
                "would be coded by both; name each coder's copy after the transcript (ana/d01.docx, ben/d01.docx)"
            )
        named[text] = doc_id
    for path in paths:
        if path != first[path.stem] and read_transcripts(path).documents[0].text != texts[path.stem]:
            raise InputFileError(
                f"{path}: its text differs from {first[path.stem]}'s, so their comments code other words; give each "
                "coder the same transcript to comment, or the transcript with --inputs"
            )
    return corpus
