"""Does a transcript look like English? The models qualcode runs (the spaCy pipeline and the
all-MiniLM-L6-v2 sentence model) are English: on other languages their scores mean little,
and a researcher should hear so before trusting them.

The test is the share of a document's words that are common English words (spaCy's English
stop words: ``the``, ``and``, ``we``, ``to`` …). Measured: 52-65% in every document of three
English corpora (TalkMoves lessons, SERDIF think-aloud sessions, the example interviews),
52% in a Zoom lesson, 38% or more in every games-as-art survey answer of 20 words or more;
7% in the Hungarian comments of an NVivo project, 0-7% in the same paragraph written in
Spanish, German, French and Dutch. A document of :data:`MIN_WORDS` words or more below
:data:`MIN_SHARE` is named; shorter documents (survey answers) are judged together.
"""

from __future__ import annotations

import re

import pandas as pd

from . import columns as C
from .errors import counted, listed

MIN_SHARE = 0.2
MIN_WORDS = 50
_WORD = re.compile(r"[^\W\d_]+")


def english_share(text: str) -> tuple[float, int]:
    """The share of ``text``'s words that are common English words, and its word count."""
    from spacy.lang.en.stop_words import STOP_WORDS

    words = _WORD.findall(text.lower())
    if not words:
        return 0.0, 0
    return sum(word in STOP_WORDS for word in words) / len(words), len(words)


def not_english_note(segments: pd.DataFrame) -> list[str]:
    """A warning naming the documents of ``segments`` that do not look like English (module
    docs); none when every document does, or has too few words to tell."""
    if segments.empty or C.TEXT not in segments.columns:
        return []
    texts = segments.groupby(C.DOC_ID, sort=True)[C.TEXT].agg(lambda parts: " ".join(map(str, parts)))
    foreign: dict[str, float] = {}
    short: list[str] = []
    for doc_id, text in texts.items():
        share, words = english_share(text)
        if words >= MIN_WORDS:
            if share < MIN_SHARE:
                foreign[str(doc_id)] = share
        else:
            short.append(str(text))
    pooled, words = english_share(" ".join(short))
    named = [f"{doc!r} {share:.0%}" for doc, share in sorted(foreign.items())]
    n = len(foreign)
    if words >= MIN_WORDS and pooled < MIN_SHARE:
        named.append(f"{counted(len(short), 'short document')} together {pooled:.0%}")
        n += len(short)
    if not named:
        return []
    return [
        f"{n} of {counted(len(texts), 'document')} {'does' if n == 1 else 'do'} not look like English (common "
        f"English words among their words: {listed(named)}; 38-65% in English talk and writing): the sentence "
        "model and the spaCy pipeline qualcode runs are English, so their scores and what is learned from codes "
        "mean little there; keywords still match as written"
    ]
