"""Keyword suggestions: spaCy token matching over words and their lemma candidates.

How a keyword matches
---------------------
- Keywords and text are tokenised by spaCy. A keyword word matches a text word that is the
  same word (ignoring case) or whose lemma candidates contain it (see
  :func:`qualcode.nlp.lemma_candidates`): write a keyword in its base form to match its
  inflections. ``hire`` matches "hired" and "hiring", ``support student`` matches
  "supporting students", while ``structured`` matches only "structured".
- A hyphen and a space are interchangeable: ``trauma-informed`` also matches
  "trauma informed".
- A keyword with two or more capital letters (``MTSS``, ``ACEs``, ``SEL``) is an acronym and
  matches case-sensitively, so ``SEL`` does not match "sel".
- ``patterns`` are regular expressions run by RE2 in linear time (case-insensitive unless
  they set ``(?-i)``; see :mod:`qualcode.regex`).
- ``exclude`` terms veto the code for a segment in which any of them occurs.

Score
-----
A noisy-OR of the matches: ``score = 1 - Π (1 - w)`` over every match, where a
single-word keyword has ``w = 0.5``, a multi-word phrase, acronym or regex
``w = 0.65``, and repeated matches of the same term count a third of that. One plain
word gives 0.5, two different words 0.75, a phrase 0.65, a phrase plus a word 0.825.
The evidence lists each matched passage with its offsets in the document text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .. import columns as C
from ..codebook import Codebook
from ..regex import compile_pattern
from .base import Matcher, Scores, Training, check_segments, register_matcher

WORD_WEIGHT = 0.5
STRONG_WEIGHT = 0.65
REPEAT_FACTOR = 1 / 3
_ACRONYM = re.compile(r"[A-Z].*[A-Z]")


@dataclass(frozen=True)
class _Term:
    code: int  # index into codes_
    text: str  # as written in the codebook
    weight: float
    veto: bool


def _is_acronym(term: str) -> bool:
    return " " not in term.strip() and bool(_ACRONYM.search(term))


def _variants(term: str) -> list[str]:
    term = " ".join(term.split())
    out = [term]
    if "-" in term:
        out.append(term.replace("-", " "))
    return out


@register_matcher("keyword")
class KeywordMatcher(Matcher):
    """Suggest codes from the keywords, regex patterns and exclusions of a codebook.

    Parameters
    ----------
    lemmas
        Also match inflections through lemma candidates; ``False`` matches word forms only.

    Examples
    --------
    >>> import qualcode as qc
    >>> cb = qc.load_codebook("codebooks/caring_schools.yaml")
    >>> m = KeywordMatcher().fit(cb)
    >>> seg = qc.segments_from_texts(["We trained every principal in PBIS."])
    >>> "systemic_supports" in m.suggest(seg)["code"].tolist()
    True
    """

    def __init__(self, *, lemmas: bool = True) -> None:
        self.lemmas = lemmas

    def fit(self, codebook: Codebook, training: Training | None = None) -> KeywordMatcher:
        """Tokenise every keyword, exclusion and pattern of ``codebook`` and index them
        (``training`` is not used: keywords are what the codebook says)."""
        from ..nlp import load_pipeline

        self.nlp_ = load_pipeline()
        self.codes_: list[str] = codebook.ids
        self.terms_: list[_Term] = []
        self.regexes_: list[tuple[int, Any, str]] = []
        self.phrases_: list[tuple[int, tuple[str, ...], bool]] = []  # (term index, words, case-sensitive)
        for j, code_id in enumerate(self.codes_):
            code = codebook.get(code_id)
            for veto, terms in ((False, code.keywords), (True, code.exclude)):
                for term in terms:
                    strong = len(term.split()) > 1 or "-" in term or _is_acronym(term)
                    index = len(self.terms_)
                    self.terms_.append(_Term(j, term, STRONG_WEIGHT if strong else WORD_WEIGHT, veto))
                    for variant in _variants(term):
                        words = tuple(t.text for t in self.nlp_.tokenizer(variant))
                        cased = _is_acronym(term)
                        self.phrases_.append((index, words if cased else tuple(w.lower() for w in words), cased))
            for pattern in code.patterns:
                self.regexes_.append((j, compile_pattern(pattern), pattern))
        self.index_ = self._index()
        return self

    def describe(self) -> dict[str, object]:
        """Models and settings, for provenance."""
        from ..nlp import model_version

        return {"keyword": {"spacy_model": model_version(), "lemmas": self.lemmas, "lemmatizer": "rule, per word type"}}

    def _index(self) -> dict[str, list[tuple[int, tuple[str, ...]]]]:
        """Phrases by their first word (case-sensitive words carry a NUL prefix)."""
        index: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
        for term_index, words, cased in self.phrases_:
            keyed = tuple("\0" + w for w in words) if cased else words
            index.setdefault(keyed[0], []).append((term_index, keyed))
        return index

    def _token_keys(self, doc: Any) -> list[frozenset[str]]:
        """For each token: its exact form (NUL-prefixed), lower form and lemma candidates."""
        from ..nlp import lemma_candidates

        keys = []
        for token in doc:
            lower = token.lower_
            found = {lower, "\0" + token.text}
            if self.lemmas and token.is_alpha:
                found |= lemma_candidates(lower)
            keys.append(frozenset(found))
        return keys

    def find(self, doc: Any) -> list[tuple[int, int, int]]:
        """``(term index, start char, end char)`` of every keyword or exclusion in a spaCy Doc."""
        self.check_fitted()
        keys = self._token_keys(doc)
        hits = []
        for i, token_keys in enumerate(keys):
            for key in token_keys:
                for term_index, words in self.index_.get(key, ()):
                    end = i + len(words)
                    if end <= len(keys) and all(words[m] in keys[i + m] for m in range(1, len(words))):
                        hits.append((term_index, doc[i].idx, doc[end - 1].idx + len(doc[end - 1])))
        return hits

    def score(self, segments: pd.DataFrame) -> Scores:
        """Score every segment against every code (see the module docs for the formula)."""
        from ..nlp import analyse

        self.check_fitted()
        check_segments(segments)
        values = np.zeros((len(segments), len(self.codes_)), dtype=np.float64)
        evidence: dict[tuple[int, int], str] = {}
        texts = segments[C.TEXT].astype(str).tolist()
        offsets = segments[C.START_CHAR].to_numpy() if C.START_CHAR in segments else np.zeros(len(segments), int)
        docs = analyse(texts)
        for i, doc in enumerate(docs):
            text, base = texts[i], int(offsets[i])
            # per code: (start, end, term text, weight, label)
            found: dict[int, list[tuple[int, int, str, float, str]]] = {}
            vetoed: set[int] = set()
            for term_index, a, b in self.find(doc):
                term = self.terms_[term_index]
                if term.veto:
                    vetoed.add(term.code)
                    continue
                found.setdefault(term.code, []).append((a, b, term.text, term.weight, f"'{text[a:b]}'"))
            for j, regex, pattern in self.regexes_:
                for m in regex.finditer(text):
                    if m.end() > m.start():
                        found.setdefault(j, []).append(
                            (m.start(), m.end(), pattern, STRONG_WEIGHT, f"/{pattern}/ '{m.group(0)}'")
                        )
            for j, matches in found.items():
                if j in vetoed:
                    continue
                values[i, j], evidence[(i, j)] = _combine(matches, base)
        return Scores(self.codes_, values, evidence, method=self.method)


def _combine(matches: list[tuple[int, int, str, float, str]], base: int) -> tuple[float, str]:
    """Noisy-OR score and evidence text of one code's matches in one segment.

    A match lying inside a longer match of the same code ("system" inside "multi-tiered
    system of support") is dropped; repeats of a term count ``REPEAT_FACTOR`` of its weight.
    """
    ordered = sorted(set(matches), key=lambda m: (m[0], -(m[1] - m[0]), m[2]))
    kept: list[tuple[int, int, str, float, str]] = []
    # in this order every kept match starts at or before the current one, so the current one
    # lies inside a kept one exactly when the furthest kept end reaches its end: one pass
    furthest = -1
    for match in ordered:
        if furthest >= match[1]:
            continue  # inside a longer match, or the same passage matched by another term
        kept.append(match)
        furthest = max(furthest, match[1])
    miss, seen = 1.0, set()
    for _, _, term, weight, _ in kept:
        miss *= 1.0 - (weight * REPEAT_FACTOR if term in seen else weight)
        seen.add(term)
    evidence = "; ".join(f"{label} [{base + a}:{base + b}]" for a, b, _, _, label in kept)
    return 1.0 - miss, evidence
