"""Human codes a file holds follow their words: into transcripts changed since the file was
made, and onto segments cut otherwise than when it was made.

A filled-in ``next`` sheet or a reviewed ``tag`` output given to ``--train`` (or to ``next``,
``evaluate --gold``, ``agree``) names segments (``doc_id``, ``segment_id``) and offsets of the
transcripts as they were when it was written, and its record (``.meta.json``) holds each
transcript's SHA-256. Two things made those names point at other words, without a word: a
transcript changed since (a line added at its top, a typo corrected, a survey sheet sorted),
and a run cutting segments otherwise (a sheet made on turns given to ``--segment-by
sentence``: segment 9 is then a sentence of another turn). The codes then taught the model,
and were kept as human rows, on passages the coder never read.

Each coded passage is known by the offsets and the words (``text``) the file holds for it:

- on a changed transcript it is looked for by its words (:mod:`qualcode.reanchor`: a table's
  answer in another row, the same words, words edited since) and moves there; one found
  nowhere is left out of the run, and said (the file keeps it). A file holding no words of its
  codes there is an error;
- a passage that is no longer one of the run's segments (segments cut otherwise) codes the
  run's segments it covers (the overlap rule of :func:`qualcode.codings.map_to_segments`),
  as codes given as passages do.
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

Key = tuple[Any, ...]  # (doc_id, segment_id) or (doc_id, start_char, end_char)
Span = tuple[str, int, int]


def as_this_run(
    frame: pd.DataFrame, source: Any, run_documents: Sequence[Document], segments: pd.DataFrame | None
) -> pd.DataFrame:
    """``frame`` (human codings read from ``source``) where this run finds them: on transcripts
    changed since, or segments cut otherwise, where their words are (:func:`followed`); on
    documents named otherwise, under this run's names (:func:`qualcode.doc_names.renamed`)."""
    from .doc_names import renamed

    return renamed(followed(frame, source, run_documents, segments), source, run_documents)


def followed(
    frame: pd.DataFrame, source: Any, run_documents: Sequence[Document], segments: pd.DataFrame | None
) -> pd.DataFrame:
    """``frame`` (human codings read from ``source``, in span or segment form) with its codes
    where their words are in this run's documents and segments (module docs); warnings say
    what moved. Unchanged when ``source`` is no table, holds no offsets, or nothing moved."""
    from .io.base import table_suffixes
    from .sources import changed_files

    labelled = frame.attrs.get("labelled_segments")
    by_segment = C.START_CHAR not in frame.columns
    if (
        not isinstance(source, str | Path)
        or segments is None
        or Path(source).suffix.lower() not in table_suffixes()  # a Word transcript's comments are on it
        or (frame.empty and not labelled)
        or (by_segment and C.SEGMENT_ID not in frame.columns)  # excerpts: placed by their words already
        or (by_segment and not pd.api.types.is_integer_dtype(frame[C.SEGMENT_ID]))  # another tool's ids
    ):
        return frame
    changed = set(changed_files(run_documents, source))
    if not changed and not by_segment and labelled is None:
        return frame  # passages on unchanged transcripts: their words are where they were
    ids = {doc.doc_id for doc in run_documents}
    touched = {doc.doc_id for doc in run_documents if str(doc.path) in changed}
    tables = {nfc(Path(doc.path).stem) for doc in run_documents if doc.doc_id in touched and doc.format in TABLES}

    def moves(doc: str) -> bool:  # on a changed transcript, or an answer named by a row a changed table no longer has
        found = ROW_NAME.match(doc)
        return doc in touched or (doc not in ids and found is not None and found["stem"] in tables)

    own = _keys(frame, by_segment)
    marked = [(str(doc), int(segment)) for doc, segment in labelled or []]
    passages = _passages(Path(source), [key for key in own + marked if str(key[0]) in ids or moves(str(key[0]))])
    if passages is None:
        if changed and any(moves(str(key[0])) for key in own + marked):
            raise InputFileError(
                f"{source}: made before {listed(sorted(changed))} changed, and it holds no words of its codes (no "
                f"{C.TEXT} column) to find them by: its offsets would point at other words; restore the transcript "
                "as it was, or code it again"
            )
        return frame
    spans = {key: (str(doc), int(start), int(end)) for key, (doc, start, end, _) in passages.items()}
    lost: set[Key] = set()
    following = [key for key in passages if moves(str(key[0]))]
    if following:
        placed, lost = _follow({key: passages[key] for key in following}, run_documents, segments)
        spans.update(placed)
        _say_moved(source, changed, following, placed, lost, passages)
    return _recut(frame, by_segment, labelled, spans, lost, segments, source)


def _say_moved(
    source: Any,
    changed: set[str],
    following: list[Key],
    placed: dict[Key, Span],
    lost: set[Key],
    passages: dict[Key, tuple[str, int, int, str]],
) -> None:
    was = {key: passages[key][:3] for key in following}
    unique = {was[key] for key in following}  # a passage a sheet row and a reviewed row both name counts once
    moved = {was[key] for key in following if key not in lost and placed[key] != was[key]}
    gone = {was[key] for key in lost}
    if not moved and not gone:
        return
    them = "it" if len(gone) == 1 else "them"
    left = (
        f"; {counted(len(gone), 'passage')} found nowhere (words changed too much, or found twice alike) left out of "
        f"this run, the file keeping {them}: code {them} again (a new qualcode next sheet)"
        if gone
        else ""
    )
    warnings.warn(
        QualcodeWarning(
            f"{source}: made before {listed(sorted(changed))} changed: {len(moved)} of its {len(unique)} coded passages "
            f"there moved with their words{left}"
        ),
        stacklevel=3,
    )


def _recut(
    frame: pd.DataFrame,
    by_segment: bool,
    labelled: list[tuple[str, int]] | None,
    spans: dict[Key, Span],
    lost: set[Key],
    segments: pd.DataFrame,
    source: Any,
) -> pd.DataFrame:
    """``frame`` and its labelled segments at ``spans``: segment form while every passage lies in
    one of the run's segments (the one its key names, else one of the same offsets), else span
    form (each passage codes the segments it covers)."""
    from .codings import span_segments

    table = segments[[C.DOC_ID, C.SEGMENT_ID, C.START_CHAR, C.END_CHAR]]
    bounds = {(str(d), int(k)): (int(a), int(b)) for d, k, a, b in table.itertuples(index=False)}
    same = {(str(d), int(a), int(b)): (str(d), int(k)) for d, k, a, b in table.itertuples(index=False)}

    def segment_of(key: Key, span: Span) -> Key | None:  # the run's segment holding the passage, if one does
        doc, start, end = span
        held = bounds.get((doc, int(key[1])))
        if held is not None and held[0] <= start and end <= held[1]:
            return (doc, int(key[1]))
        return same.get(span)

    keys = _keys(frame, by_segment)
    out = frame[[key not in lost for key in keys]].copy()
    keys = [key for key in keys if key not in lost]
    places = [spans.get(key) for key in keys]
    held = [
        segment_of(key, span) if by_segment and span is not None else None
        for key, span in zip(keys, places, strict=True)
    ]
    recut = [
        key
        for key, span, one in zip(keys, places, held, strict=True)
        if by_segment and span is not None and one is None
    ]
    marked = [key for key in ((str(doc), int(segment)) for doc, segment in labelled or []) if key not in lost]
    holding = {key: segment_of(key, spans[key]) for key in marked if key in spans}
    recut_marks = [key for key, one in holding.items() if one is None]
    if recut or recut_marks:
        many = len(set(recut + recut_marks))
        warnings.warn(
            QualcodeWarning(
                f"{source}: made on segments cut otherwise than this run cuts them (another --segment-by or window): "
                f"{counted(many, 'coded passage')} read by {'its' if many == 1 else 'their'} words, each coding "
                "this run's segments it covers"
            ),
            stacklevel=3,
        )
    if by_segment and recut:  # passages, not segments: the codes go by their words
        found = [span if span is not None else (str(key[0]), -1, -1) for key, span in zip(keys, places, strict=True)]
        out = out[[span[1] >= 0 for span in found]].copy()
        kept = [span for span in found if span[1] >= 0]
        spans_frame = pd.DataFrame(kept, index=out.index, columns=[C.DOC_ID, C.START_CHAR, C.END_CHAR])
        out = pd.concat([spans_frame, out.drop(columns=[C.DOC_ID, C.SEGMENT_ID])], axis=1)
    elif places:
        columns = [C.DOC_ID, C.SEGMENT_ID] if by_segment else [C.DOC_ID, C.START_CHAR, C.END_CHAR]
        values = [
            (one if by_segment else span) if span is not None else key
            for key, span, one in zip(keys, places, held, strict=True)
        ]
        out[columns] = pd.DataFrame(values, index=out.index, columns=columns).astype(out[columns].dtypes.to_dict())
    if labelled is not None:
        whole = [holding.get(key) or key for key in marked]
        if recut_marks:
            cut = pd.DataFrame([spans[key] for key in recut_marks], columns=[C.DOC_ID, C.START_CHAR, C.END_CHAR])
            pairs = span_segments(cut, segments).groupby("span")[C.SEGMENT_ID].apply(list).to_dict()
            covered = {
                key: [(spans[key][0], int(segment)) for segment in pairs.get(i, [])]
                for i, key in enumerate(recut_marks)
            }
            whole = [item for key, one in zip(marked, whole, strict=True) for item in covered.get(key, [one])]
        out.attrs["labelled_segments"] = list(dict.fromkeys(whole))
    return out


def _keys(frame: pd.DataFrame, by_segment: bool) -> list[Key]:
    columns = [C.DOC_ID, C.SEGMENT_ID] if by_segment else [C.DOC_ID, C.START_CHAR, C.END_CHAR]
    return [(str(doc), *map(int, rest)) for doc, *rest in frame[columns].itertuples(index=False)]


def _passages(source: Path, keys: list[Key]) -> dict[Key, tuple[str, int, int, str]] | None:
    """The passage each of ``keys`` names (a segment key by its row's ``segment_id``, a span
    key by its offsets) with the words ``source`` holds for it: ``(doc_id, start, end, text)``;
    None when the file holds no offsets and words. Keys the file does not hold are left out."""
    from .io.table import read_table
    from .io.writers import restore

    table = restore(read_table(source, what="a table of codings"))
    if not {C.DOC_ID, C.START_CHAR, C.END_CHAR, C.TEXT} <= set(table.columns):
        return None
    numbers = {column: pd.to_numeric(table[column], errors="coerce") for column in (C.START_CHAR, C.END_CHAR)}
    segment = pd.to_numeric(table[C.SEGMENT_ID], errors="coerce") if C.SEGMENT_ID in table.columns else None
    by_span: dict[Key, tuple[str, int, int, str]] = {}
    by_segment: dict[Key, tuple[str, int, int, str]] = {}
    for i, (doc, text) in enumerate(zip(table[C.DOC_ID].astype(str).map(nfc), table[C.TEXT], strict=True)):
        start, end = numbers[C.START_CHAR].iloc[i], numbers[C.END_CHAR].iloc[i]
        if pd.isna(start) or pd.isna(end):
            continue
        passage = (doc.strip(), int(start), int(end), str(text))
        by_span.setdefault(passage[:3], passage)
        if segment is not None and pd.notna(segment.iloc[i]):
            by_segment.setdefault((passage[0], int(segment.iloc[i])), passage)
    return {
        key: (by_segment if len(key) == 2 else by_span)[key]
        for key in keys
        if key in (by_segment if len(key) == 2 else by_span)
    }


def _follow(
    passages: dict[Key, tuple[str, int, int, str]], run_documents: Sequence[Document], segments: pd.DataFrame
) -> tuple[dict[Key, Span], set[Key]]:
    """Where each of ``passages`` is now, and the keys of those found nowhere."""
    from .reanchor import follow_table_rows, off_their_words, reanchor

    texts = {doc.doc_id: doc.text for doc in run_documents}
    keys = list(passages)
    rows = pd.DataFrame([passages[key] for key in keys], columns=[C.DOC_ID, C.START_CHAR, C.END_CHAR, C.TEXT]).assign(
        **{C.SEGMENT_ID: 0}
    )
    rows, _ = follow_table_rows(rows, pd.Series(True, index=rows.index), run_documents, segments)
    here = rows[C.DOC_ID].astype(str).isin(set(texts))
    if here.any():
        documents = set(rows.loc[here, C.DOC_ID].astype(str))
        placed, _ = reanchor(rows[here], {doc: texts[doc] for doc in documents}, segments)
        rows.loc[here] = placed
    nowhere = ~rows[C.DOC_ID].astype(str).isin(set(texts)).to_numpy() | off_their_words(rows, texts)
    spans = [
        (str(doc), int(start), int(end))
        for doc, start, end in rows[[C.DOC_ID, C.START_CHAR, C.END_CHAR]].itertuples(index=False)
    ]
    return dict(zip(keys, spans, strict=True)), {key for key, gone in zip(keys, nowhere, strict=True) if gone}
