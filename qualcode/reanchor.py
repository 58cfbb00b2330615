"""Reviewed and human rows follow their words when a transcript is edited after a run.

A row holds offsets into the text the run read, and the words themselves (``text``). When
``tag`` re-runs on a transcript that has changed since (:mod:`qualcode.sources`), each
reviewed or human row on it is looked for in the new text, in this order:

1. **the same words**, exactly, or with case, spacing, quotes and dashes made alike
   (:func:`qualcode.excerpts.occurrences`; the row's ``text`` then becomes the words as they
   are now written). Found once: there. Found several times: the
   occurrence nearest to where the row was, shifted as the row before it in the document
   moved (a line added at the top moves everything after it by the same amount);
2. **edited words** (a typo corrected, a word added or dropped): the segment holding the most
   of the row's words, in order (``difflib``), when they make up at least ``NEAR`` (80%) of
   both the row's words and the passage they span there, and no other segment holds as many.
   The row takes that passage, and its ``text`` becomes the words now there.

A row found nowhere keeps its old offsets and is counted, so the run can say to check it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import partial

import numpy as np
import pandas as pd

from . import columns as C
from .corpus import Corpus
from .excerpts import folded_of, folded_text, occurrences

NEAR = 0.8  # share of words in common (both ways) for an edited passage to count as the row's
WORD = re.compile(r"\S+")


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


def _words(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    spans = [(m.start(), m.end()) for m in WORD.finditer(text)]
    return [folded_text(text[a:b])[0] for a, b in spans], spans


def _edited(words: str, text: str, segments: pd.DataFrame) -> tuple[int, int] | None:
    """Where in ``text`` the edited ``words`` are now: the passage of one segment holding at
    least ``NEAR`` of them in order, and made at least ``NEAR`` of them; the best such
    segment, when no other is as good."""
    wanted, _ = _words(words)
    if not wanted:
        return None
    best: list[tuple[float, int, int]] = []
    for start, end in zip(segments[C.START_CHAR], segments[C.END_CHAR], strict=True):
        tokens, spans = _words(text[int(start) : int(end)])
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
        best.append((share, int(start) + spans[first][0], int(start) + spans[last][1]))
    if not best:
        return None
    best.sort(key=lambda item: -item[0])
    if len(best) > 1 and best[1][0] == best[0][0]:
        return None
    return best[0][1], best[0][2]


def reanchor(rows: pd.DataFrame, corpus: Corpus, changed: set[str]) -> tuple[pd.DataFrame, Moves]:
    """``rows`` (long codings) with those on the documents of ``corpus`` whose path is in
    ``changed`` moved to where their words are now (module docstring); the others as they
    are. Each row's segment, and a caption's times, are those of the segment it lands in."""
    docs = {doc.doc_id: doc for doc in corpus.documents if str(doc.path) in changed}
    out = rows.copy()
    moves = Moves()
    if not docs or C.TEXT not in out.columns:
        moves.stuck = int(out[C.DOC_ID].astype(str).isin(set(docs)).sum()) if docs else 0
        return out, moves
    by_doc = {doc: table for doc, table in corpus.segments.groupby(C.DOC_ID, sort=False) if doc in docs}
    timed = [c for c in (C.START_TIME, C.END_TIME) if c in out.columns and c in corpus.segments.columns]
    old_start = pd.to_numeric(out[C.START_CHAR], errors="coerce").fillna(0).astype(int)
    mine = out.index[out[C.DOC_ID].astype(str).isin(set(docs))]
    shift: dict[str, int] = {}  # per document: how far the row before moved
    folded: dict[str, tuple[str, np.ndarray]] = {}
    for row in sorted(mine, key=lambda r: (str(out.at[r, C.DOC_ID]), int(old_start[r]))):
        doc = docs[str(out.at[row, C.DOC_ID])]
        table = by_doc.get(doc.doc_id, corpus.segments.iloc[:0])
        words = str(out.at[row, C.TEXT])
        was = int(old_start[row])
        found = occurrences(words, doc.text, partial(folded_of, folded, doc.doc_id, doc.text)) if words.strip() else []
        place = _nearest(found, was + shift.get(doc.doc_id, 0)) if found else None
        if place is None and not found:
            place = _edited(words, doc.text, table)
        if place is None:
            moves.stuck += 1
            continue
        holding = table[(table[C.START_CHAR] <= place[0]) & (table[C.END_CHAR] > place[0])]
        if holding.empty:
            moves.stuck += 1
            continue
        start, end = place
        segment = holding.iloc[0]
        out.at[row, C.START_CHAR], out.at[row, C.END_CHAR] = start, end
        edited = doc.text[start:end] != words  # respaced, recased, or edited: the words now there
        if edited:
            out.at[row, C.TEXT] = doc.text[start:end]
        if C.SEGMENT_ID in out.columns:
            out.at[row, C.SEGMENT_ID] = int(segment[C.SEGMENT_ID])
        for column in timed:
            out.at[row, column] = segment[column]
        shift[doc.doc_id] = start - was
        moves.edited += edited
        moves.same += not edited
    return out, moves
