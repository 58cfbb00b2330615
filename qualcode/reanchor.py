"""Reviewed and human rows follow their words when a transcript is edited after a run.

A row holds offsets into the text the run read, and the words themselves (``text``). When
``tag`` re-runs on a transcript that has changed since (:mod:`qualcode.sources`), each
reviewed or human row on it is looked for in the new text, in this order:

1. **the same words**, exactly, or with case, spacing, quotes and dashes made alike
   (:func:`qualcode.excerpts.occurrences`; the row's ``text`` then becomes the words as they
   are now written). Found once: there. Found several times: the occurrence nearest to where
   the row was, shifted as the nearest row before it found once moved (a line added at the
   top moves everything after it by the same amount); two equally near: not moved;
2. **edited words** (a typo corrected, a word added or dropped): the segment holding the most
   of the row's words, in order (``difflib``), when they make up at least ``NEAR`` (80%) of
   both the row's words and the passage they span there, and no other segment holds as many.
   The row takes that passage, and its ``text`` becomes the words now there.

A table's answers (a survey's rows, each a document) are named by their row when the table
has no id column (``answers-7``): sorting the sheet, adding or removing a row renames the
answers after it. A row on such an answer whose words are no longer there, or on a name the
table no longer has, moves to the one answer of the same table holding its words once
(:func:`follow_table_rows`), before the steps above.

A row found nowhere keeps its old offsets and is counted, so the run can say to check it.
Rows on an unchanged transcript whose words are not at their offsets
(:func:`off_their_words`) are looked for the same way; when most rows are such and found
nowhere, the earlier run read other texts under the same names, and the run stops
(:func:`check_other_texts`).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from . import columns as C
from .document import Document, nfc
from .excerpts import folded_of, folded_text, occurrences

if TYPE_CHECKING:
    from .corpus import Corpus
    from .settings import Settings

NEAR = 0.8  # share of words in common (both ways) for an edited passage to count as the row's
WORD = re.compile(r"\S+")
TABLES = {"csv", "tsv", "xlsx", "xlsm"}  # formats whose documents are a table's rows
RECUT = (  # what recut_rows did, said by a run
    "lay on segments cut otherwise than this run cuts them (another --segment-by or window): each is now on the "
    "run's segments its passage covers, a row for each"
)
ROW_NAME = re.compile(r"^(?P<stem>.+)-\d+$")  # an answer named by its row: answers-7


@dataclass
class Moves:
    """How many rows moved: to the same words, to words edited since (their ``text`` is the
    words now there), not at all."""

    same: int = 0
    edited: int = 0
    stuck: int = 0


def _nearest(found: list[tuple[int, int]], guess: int) -> tuple[int, int] | None:
    """The occurrence nearest to ``guess``; none when two are equally near."""
    ranked = sorted(found, key=lambda span: abs(span[0] - guess))
    if len(ranked) > 1 and abs(ranked[0][0] - guess) == abs(ranked[1][0] - guess):
        return None
    return ranked[0]


def _shift(anchors: list[tuple[int, int]], was: int) -> int:
    """How far the words around offset ``was`` moved: the shift of the nearest row before it
    found once (``anchors``: old start, shift, by old start), else of the first after it; 0
    when there is none, and the words are looked for where they were."""
    before = [shift for start, shift in anchors if start <= was]
    if before:
        return before[-1]
    return anchors[0][1] if anchors else 0


def _words(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    spans = [(m.start(), m.end()) for m in WORD.finditer(text)]
    return [folded_text(text[a:b])[0] for a, b in spans], spans


Passage = tuple[int, list[str], list[tuple[int, int]]]  # a segment's start, its words made alike, their spans


def _passages(text: str, segments: pd.DataFrame) -> list[Passage]:
    """Each segment of a document as :func:`_edited` compares it (made once per document)."""
    return [
        (int(start), *_words(text[int(start) : int(end)]))
        for start, end in zip(segments[C.START_CHAR], segments[C.END_CHAR], strict=True)
    ]


def _edited(words: str, passages: list[Passage]) -> tuple[int, int] | None:
    """Where the edited ``words`` are now: the passage of one segment (``passages``) holding
    at least ``NEAR`` of them in order, and made at least ``NEAR`` of them; the best such
    segment, when no other is as good."""
    wanted, _ = _words(words)
    if not wanted:
        return None
    best: list[tuple[float, int, int]] = []
    for start, tokens, spans in passages:
        if not tokens:
            continue
        matcher = SequenceMatcher(None, wanted, tokens, autojunk=False)
        blocks = [block for block in matcher.get_matching_blocks() if block.size]
        if not blocks:
            continue
        held = sum(block.size for block in blocks)
        first, last = blocks[0].b, blocks[-1].b + blocks[-1].size - 1
        spanned = last - first + 1
        if held / len(wanted) < NEAR or held / spanned < NEAR:
            continue
        share = 2 * held / (len(wanted) + spanned)
        best.append((share, start + spans[first][0], start + spans[last][1]))
    if not best:
        return None
    best.sort(key=lambda item: -item[0])
    if len(best) > 1 and best[1][0] == best[0][0]:
        return None
    return best[0][1], best[0][2]


def reanchor(rows: pd.DataFrame, texts: dict[str, str], segments: pd.DataFrame) -> tuple[pd.DataFrame, Moves]:
    """``rows`` (long codings) with those on the documents of ``texts`` (doc_id -> the text
    as it is now; the documents changed since the rows were made) moved to where their words
    are now (module docstring); the others as they are. Each row's segment, and a caption's
    times, are those of the row of ``segments`` (the documents' segments now) it lands in."""
    out = rows.copy()
    moves = Moves()
    mine = out.index[out[C.DOC_ID].astype(str).isin(set(texts))]
    if C.TEXT not in out.columns:
        moves.stuck = len(mine)
        return out, moves
    by_doc = {str(doc): table for doc, table in segments.groupby(C.DOC_ID, sort=False)}
    timed = [c for c in (C.START_TIME, C.END_TIME) if c in out.columns and c in segments.columns]
    old_start = pd.to_numeric(out[C.START_CHAR], errors="coerce").fillna(0).astype(int)
    folded: dict[str, tuple[str, np.ndarray]] = {}
    found: dict[int, list[tuple[int, int]]] = {}
    passages: dict[str, list[Passage]] = {}
    for row in mine:  # every place the words are, or where edited words are now
        doc, words = str(out.at[row, C.DOC_ID]), str(out.at[row, C.TEXT])
        text = texts[doc]
        found[row] = occurrences(words, text, partial(folded_of, folded, doc, text)) if words.strip() else []
        if not found[row]:
            if doc not in passages:
                passages[doc] = _passages(text, by_doc.get(doc, segments.iloc[:0]))
            near = _edited(words, passages[doc])
            found[row] = [near] if near is not None else []
    # found once: there; the shifts of those rows place the words found several times
    anchors: dict[str, list[tuple[int, int]]] = {}
    for row in sorted(mine, key=lambda r: int(old_start[r])):
        if len(found[row]) == 1:
            anchors.setdefault(str(out.at[row, C.DOC_ID]), []).append(
                (int(old_start[row]), found[row][0][0] - int(old_start[row]))
            )
    for row in mine:
        doc = str(out.at[row, C.DOC_ID])
        was = int(old_start[row])
        place = found[row][0] if len(found[row]) == 1 else None
        if len(found[row]) > 1:
            place = _nearest(found[row], was + _shift(anchors.get(doc, []), was))
        table = by_doc.get(doc, segments.iloc[:0])
        # the first segment the passage reaches into: the one holding its start, or, for a passage
        # that starts on a speaker's label (outside every turn), the turn after the label
        holding = None if place is None else table[(table[C.START_CHAR] < place[1]) & (table[C.END_CHAR] > place[0])]
        if place is None or holding is None or holding.empty:
            moves.stuck += 1
            continue
        start, end = place
        text, words = texts[doc], str(out.at[row, C.TEXT])
        segment = holding.iloc[0]
        out.at[row, C.START_CHAR], out.at[row, C.END_CHAR] = start, end
        edited = text[start:end] != words  # respaced, recased, or edited: the words now there
        if edited:
            out.at[row, C.TEXT] = text[start:end]
        if C.SEGMENT_ID in out.columns:
            out.at[row, C.SEGMENT_ID] = int(segment[C.SEGMENT_ID])
        for column in timed:
            out.at[row, column] = segment[column]
        moves.edited += edited
        moves.same += not edited
    return out, moves


def off_their_words(rows: pd.DataFrame, texts: dict[str, str]) -> np.ndarray:
    """Which ``rows`` on the documents of ``texts`` do not hold, at their offsets, the words
    their ``text`` says (spacing aside): made on other texts than the ones ``texts`` holds."""
    if C.TEXT not in rows.columns:
        return np.zeros(len(rows), dtype=bool)
    starts = pd.to_numeric(rows[C.START_CHAR], errors="coerce")
    ends = pd.to_numeric(rows[C.END_CHAR], errors="coerce")
    off = np.zeros(len(rows), dtype=bool)
    for i, (doc, start, end, words) in enumerate(
        zip(rows[C.DOC_ID].astype(str), starts, ends, rows[C.TEXT], strict=True)
    ):
        text = texts.get(doc)
        if text is None or pd.isna(start) or pd.isna(end) or not str(words).strip():
            continue
        off[i] = " ".join(text[int(start) : int(end)].split()) != " ".join(str(words).split())
    return off


def check_other_texts(moves: Moves, reviewed: int, documents: list[str], source: str | Path) -> None:
    """Stop when most of the ``reviewed`` rows on this run's documents held other words than
    their unchanged transcripts and were found nowhere (``moves``): the earlier run read other
    texts under the same document ids (another ``--text-column`` of a survey, other files of
    the same names), and merging would put its codes on the wrong words."""
    from .errors import OptionError, listed

    if moves.stuck * 2 < reviewed:
        return
    raise OptionError(
        f"{source}: {moves.stuck} of its {reviewed} reviewed or human rows on this run's documents "
        f"({listed([repr(doc) for doc in documents])}) hold other words than those documents have, found nowhere "
        "in them: it was made from other texts under the same names (another --text-column or --id-column of a "
        "table, other files); write this run to another file with -o, or start over with --fresh (the file is "
        "kept as .bak)",
        option="previous",
    )


def follow_table_rows(
    rows: pd.DataFrame, mine: pd.Series, documents: Sequence[Document], segments: pd.DataFrame
) -> tuple[pd.DataFrame, int]:
    """``rows`` with those ``mine`` marks (reviewed or human rows of an earlier output) that lie
    on a table's answer whose words are not at their offsets, or on a row name the table no
    longer has (``answers-7``), moved to the one answer of the same table that holds their words
    once; the others as they are. Returns the rows and how many moved."""
    tables: dict[str, list[Document]] = {}
    for doc in documents:
        if doc.format in TABLES and doc.path:
            tables.setdefault(doc.path, []).append(doc)
    if not tables or C.TEXT not in rows.columns or not mine.any():
        return rows, 0
    texts = {doc.doc_id: doc.text for doc in documents}
    table_of = {doc.doc_id: path for path, docs in tables.items() for doc in docs}
    stems = {nfc(Path(path).stem): path for path in tables}
    ids = rows[C.DOC_ID].astype(str)
    named = ids.map(lambda doc: stems.get(m["stem"]) if doc not in texts and (m := ROW_NAME.match(doc)) else None)
    table = ids.map(table_of).fillna(named)
    off = np.zeros(len(rows), dtype=bool)
    present = (mine & table.notna() & ids.isin(set(texts))).to_numpy()
    off[present] = off_their_words(rows[present], texts)
    candidates = rows.index[(mine & table.notna()).to_numpy() & (off | ~ids.isin(set(texts)).to_numpy())]
    out = rows.copy()
    moving: dict[int, str] = {}
    for path in sorted({str(table[row]) for row in candidates}):
        docs = tables[path]
        joined = "\x00".join(doc.text for doc in docs)  # no row's words span two answers
        starts = np.cumsum([0] + [len(doc.text) + 1 for doc in docs[:-1]]).tolist()
        folded: dict[str, tuple[str, np.ndarray]] = {}
        for row in candidates[table[candidates] == path]:
            words = str(rows.at[row, C.TEXT])
            found = occurrences(words, joined, partial(folded_of, folded, path, joined)) if words.strip() else []
            if len(found) == 1:
                moving[row] = docs[bisect_right(starts, found[0][0]) - 1].doc_id
    if not moving:
        return rows, 0
    index = pd.Index(list(moving))
    out.loc[index, C.DOC_ID] = [moving[row] for row in index]
    placed, _ = reanchor(out.loc[index], {doc: texts[doc] for doc in set(moving.values())}, segments)
    kept = off_their_words(placed, texts)
    out.loc[index[~kept]] = placed.loc[index[~kept]]
    out.loc[index[kept]] = rows.loc[index[kept]]  # not placed (no segment there): as they were
    return out, int((~kept).sum())


def cut_otherwise(source: str | Path, settings: object) -> bool:
    """Whether the run that wrote ``source`` cut segments otherwise than ``settings`` say (its
    record's ``segment_by`` and window sizes)."""
    from .meta import read_meta

    meta = read_meta(source)
    keys = ("segment_by", "window_size", "window_overlap", "window_seconds")
    return meta is not None and any(getattr(meta.settings, key) != getattr(settings, key) for key in keys)


def recut_rows(
    rows: pd.DataFrame, mine: pd.Series, segments: pd.DataFrame, texts: dict[str, str]
) -> tuple[pd.DataFrame, int]:
    """``rows`` with those ``mine`` marks whose passage lies outside the segment their
    ``segment_id`` names (an earlier run cut segments otherwise: turns then, sentences now) on
    the run's segments the passage covers (the overlap rule of
    :func:`qualcode.codings.map_to_segments`): a row for each, the passage's offsets and words
    kept (what was reviewed). Rows whose words are not at their offsets in ``texts`` (found
    nowhere) stay as they are. Returns the rows and how many were put so."""
    from .codings import span_segments

    needed = {C.DOC_ID, C.SEGMENT_ID, C.START_CHAR, C.END_CHAR}
    if not needed <= set(rows.columns) or not mine.any():
        return rows, 0
    mine = mine & ~pd.Series(off_their_words(rows, texts), index=rows.index)
    keys = [C.DOC_ID, C.SEGMENT_ID]
    cut = segments[[*keys, C.START_CHAR, C.END_CHAR]].astype({C.DOC_ID: str})
    part = rows.loc[mine, [*keys, C.START_CHAR, C.END_CHAR]].astype({C.DOC_ID: str, C.SEGMENT_ID: str})
    starts = pd.to_numeric(part[C.START_CHAR], errors="coerce")
    ends = pd.to_numeric(part[C.END_CHAR], errors="coerce")
    bounds = cut.astype({C.SEGMENT_ID: str}).set_index(keys)[[C.START_CHAR, C.END_CHAR]].add_suffix("_segment")
    held = part.join(bounds, on=keys)
    inside = (starts >= held[f"{C.START_CHAR}_segment"]) & (ends <= held[f"{C.END_CHAR}_segment"])
    ours = part[C.DOC_ID].isin(set(cut[C.DOC_ID])) & starts.notna() & ends.notna()
    outside = part.index[(~inside & ours).to_numpy()]
    if not len(outside):
        return rows, 0
    spans = pd.DataFrame(
        {C.DOC_ID: part.loc[outside, C.DOC_ID], C.START_CHAR: starts[outside], C.END_CHAR: ends[outside]}
    ).reset_index(drop=True)
    covered = span_segments(spans, cut).groupby("span")[C.SEGMENT_ID].apply(list).to_dict()
    found = {label: covered[position] for position, label in enumerate(outside) if position in covered}
    if not found:
        return rows, 0
    order = [label for label in found for _ in found[label]]
    pieces = rows.loc[order].assign(**{C.SEGMENT_ID: [int(s) for label in found for s in found[label]]})
    out = pd.concat([rows.drop(index=list(found)), pieces], ignore_index=True)
    out.attrs = dict(rows.attrs)
    return out, len(found)


def follow_previous(
    prior: pd.DataFrame, corpus: Corpus, source: str | Path | None, run: Settings
) -> tuple[pd.DataFrame, list[str]]:
    """Reviewed and human rows of ``source`` moved to where their words are now
    (:mod:`qualcode.reanchor`): on transcripts changed since it was made, and on unchanged
    ones where a row's words are not at its offsets (moved, or another reading of a table);
    lines saying how many moved and how many could not. Most rows on this run's documents
    holding other words, found nowhere, stop the run (:func:`~qualcode.reanchor.check_other_texts`)."""
    from .errors import listed
    from .review import REVIEWED, with_status
    from .sources import changed_since

    if source is None:
        return prior, []
    out = with_status(prior).copy()
    out, followed = follow_table_rows(out, out[C.STATUS].isin(REVIEWED), corpus.documents, corpus.segments)
    lines = [
        f"{source}: {followed} reviewed or human rows on a table's answers found their words in another of its "
        "rows and moved with them (rows sorted, added or removed since; an id column names each answer for good: "
        "--id-column)"
    ][: bool(followed)]
    changed = set(changed_since(corpus, source))
    texts = {doc.doc_id: doc.text for doc in corpus.documents}
    on_run = out[C.STATUS].isin(REVIEWED) & out[C.DOC_ID].astype(str).isin(set(texts))
    touched = {doc.doc_id for doc in corpus.documents if str(doc.path) in changed}
    off = on_run & ~out[C.DOC_ID].astype(str).isin(touched)
    off[off] = off_their_words(out[off], texts)
    ids = out[C.DOC_ID].astype(str)

    def move(rows: pd.Index, documents: set[str]) -> tuple[Moves, str]:
        moved, moves = reanchor(out.loc[rows], {doc: texts[doc] for doc in documents}, corpus.segments)
        out.loc[rows] = moved
        stuck = (
            f"; {moves.stuck} did not (their words changed too much or occur twice alike) and keep their old "
            "offsets: check them in the text column"
            if moves.stuck
            else ""
        )
        return moves, stuck

    rows = out.index[on_run & ids.isin(touched)]
    if len(rows):
        moves, stuck = move(rows, touched)
        edited = (
            f" ({moves.edited} to words edited since: their text column shows the words now)" if moves.edited else ""
        )
        lines.append(
            f"{listed(sorted(changed))} changed since {source} was made: {moves.same + moves.edited} of its "
            f"{len(rows)} reviewed or human rows there found their words again and moved with them{edited}{stuck}"
        )
    rows = out.index[off]
    if len(rows):
        documents = set(ids[off])
        moves, stuck = move(rows, documents)
        check_other_texts(moves, int(on_run.sum()), sorted(documents), source)
        lines.append(
            f"{source}: {len(rows)} reviewed or human rows held other words than their unchanged transcripts at "
            f"their offsets: {moves.same + moves.edited} found their words and moved with them{stuck}"
        )
    if cut_otherwise(source, run):  # segments cut otherwise: rows on the segments their passage covers
        out, recut = recut_rows(out, out[C.STATUS].isin(REVIEWED), corpus.segments, texts)
        lines += [f"{source}: {recut} reviewed or human rows {RECUT}"][: bool(recut)]
    return out, lines
