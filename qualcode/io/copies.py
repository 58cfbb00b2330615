"""One interview given twice under two names, the words not quite the same: a transcript beside
its cleaned or de-identified version (``P07_raw.docx``, ``P07_final.docx``), Zoom's captions
beside its audio transcript of the same meeting. Each would count as an interview of its own in
every frequency and matrix, so :func:`near_copies` names such pairs in a warning.

Two documents are near copies when most of the shorter one's word sequences (five words in a
row, the spoken words only: speaker labels, times and layout aside) are in the other. Only the
participants' segments are compared (all of a document's when it has no other): interviews
of one protocol share its questions, and a structured interview's long questions would make
two interviews with different short answers look like copies. Word sequences many documents
share (common phrases, a protocol's questions a participant echoes) are left out too. Sequences are sampled by a fixed hash, so the check
reads a quarter of them and gives the same answer on every run."""

from __future__ import annotations

import zlib
from collections import Counter
from itertools import combinations

import numpy as np
import pandas as pd

from .. import columns as C
from ..document import Document
from ..errors import listed
from .formats import WORD

SHINGLE = 5  # words in a row
SAMPLE = 4  # one sequence in SAMPLE is looked at (by its hash)
MIN_SAMPLED = 20  # documents with fewer sampled sequences are too short to tell
SHARED_BY = 4  # a sequence in more documents than this is common speech or the protocol
NEAR = 0.5  # share of the shorter document's sampled sequences found in the other
PRIME = 1_000_003


COPY_MIN_CHARS = 200  # shorter texts (a survey's "No", "N/A") may be the same by chance


def _folded(doc: Document) -> str:
    return " ".join(doc.text.split()).lower()


def exact_copies(documents: list[Document]) -> list[str]:
    """A warning naming documents that hold the same text (case and spacing aside): a transcript
    given twice (``d01.txt`` and ``d01 (1).txt``, or its .docx beside its .txt) counts twice in
    every frequency and matrix."""
    groups: dict[str, list[str]] = {}
    for doc in documents:
        words = _folded(doc)
        if len(words) >= COPY_MIN_CHARS:
            groups.setdefault(words, []).append(doc.doc_id)
    same = [" and ".join(repr(doc_id) for doc_id in ids) for ids in groups.values() if len(ids) > 1]
    if not same:
        return []
    return [
        f"documents with the same text, each counted as a document of its own: {listed(same)}; "
        "give each transcript once (remove the copy)"
    ]


class _Hashes(dict[str, int]):
    """Each word's CRC-32 (plus one: never zero), made the first time the word is asked for."""

    def __missing__(self, word: str) -> int:
        value = zlib.crc32(word.encode("utf-8")) + 1
        self[word] = value
        return value


def _spoken(documents: list[Document], segments: pd.DataFrame | None) -> list[str]:
    """Each document's participants' words: its segments not the interviewer's (all of them
    when none is a participant's), else its turns, else its text."""
    said: dict[str, list[tuple[int, int]]] = {}
    if segments is not None and len(segments):
        theirs = segments[~segments[C.IS_INTERVIEWER].astype(bool)] if C.IS_INTERVIEWER in segments else segments
        for doc_id, start, end in zip(
            theirs[C.DOC_ID].astype(str), theirs[C.START_CHAR], theirs[C.END_CHAR], strict=True
        ):
            said.setdefault(doc_id, []).append((int(start), int(end)))
    out = []
    for doc in documents:
        spans = said.get(doc.doc_id) or [(turn.start, turn.end) for turn in doc.turns] or [(0, len(doc.text))]
        out.append("\n".join(doc.text[start:end] for start, end in spans))
    return out


def _sampled(text: str, crc: _Hashes) -> np.ndarray:
    """The sampled hashes of a text's five-word sequences, unique, sorted: each word's CRC-32
    (the same on every machine and run), combined in order by a polynomial over 64 bits."""
    words = WORD.findall(text.lower())
    if len(words) < SHINGLE:
        return np.zeros(0, dtype=np.uint64)
    codes = np.fromiter(map(crc.__getitem__, words), dtype=np.uint64, count=len(words))
    keys = np.zeros(len(words) - SHINGLE + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):  # wrapping is the hash
        for j in range(SHINGLE):
            keys = keys * np.uint64(PRIME) + codes[j : len(codes) - SHINGLE + 1 + j]
    return np.unique(keys[keys % np.uint64(SAMPLE) == 0])


def near_copies(documents: list[Document], segments: pd.DataFrame | None = None) -> list[str]:
    """A warning naming pairs of documents from different files whose words are mostly the
    same, but not the same text (named by :func:`exact_copies`), with the share
    of the shorter one's word sequences the other holds; ``segments`` (the corpus's) tell the
    participants' words from the interviewer's."""
    files = [doc for doc in documents if doc.path]
    if len({doc.path for doc in files}) < 2:
        return []
    crc = _Hashes()  # each word's hash, once for the corpus
    shingles = [_sampled(text, crc) for text in _spoken(files, segments)]
    long = [i for i, found in enumerate(shingles) if len(found) >= MIN_SAMPLED]
    if len(long) < 2:
        return []
    keys = np.concatenate([shingles[i] for i in long])
    owners = np.concatenate([np.full(len(shingles[i]), i) for i in long])
    order = np.argsort(keys, kind="stable")
    keys, owners = keys[order], owners[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    sizes = np.diff(np.r_[starts, len(keys)])
    shared: Counter[tuple[int, int]] = Counter()
    for start, size in zip(
        starts[(sizes > 1) & (sizes <= SHARED_BY)], sizes[(sizes > 1) & (sizes <= SHARED_BY)], strict=True
    ):
        shared.update(combinations(sorted(owners[start : start + size].tolist()), 2))
    pairs = []
    for (a, b), n in sorted(shared.items()):
        first, second = files[a], files[b]
        share = n / min(len(shingles[a]), len(shingles[b]))
        if share >= NEAR and first.path != second.path and _folded(first) != _folded(second):
            pairs.append(f"{first.doc_id!r} and {second.doc_id!r} ({share:.0%})")
    if not pairs:
        return []
    return [
        f"documents holding mostly the same words, each counted as a document of its own: {listed(pairs, 5)} of "
        "the shorter one's five-word sequences are in the other; if one is a version of the other (a cleaned or "
        "de-identified copy, one lesson in two files, captions beside the transcript of a meeting), give it once"
    ]
