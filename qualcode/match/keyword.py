"""Keyword suggestions: spaCy PhraseMatcher over lower-cased words and lemmas.

How a keyword matches
---------------------
- Every keyword is run through the same spaCy pipeline as the text. It matches the
  text's lower-cased words (``LOWER``) *or* its lower-cased lemmas, so ``training``
  matches "trainings", ``support student`` matches "supporting students".
- A hyphen and a space are interchangeable: ``trauma-informed`` also matches
  "trauma informed".
- A keyword with two or more capital letters (``MTSS``, ``ACEs``, ``SEL``) is an
  acronym and matches case-sensitively, so ``SEL`` does not match "sel" inside a word.
- ``patterns`` are regular expressions (case-insensitive unless they set ``(?-i)``).
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
from .base import Scores, check_segments

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


class KeywordMatcher:
    """Suggest codes from the keywords, regex patterns and exclusions of a codebook.

    Parameters
    ----------
    lemmas
        Also match lemmas (plurals, verb forms); ``False`` matches word forms only.

    Examples
    --------
    >>> import qualcode as qc
    >>> cb = qc.load_codebook("codebooks/caring_schools.yaml")
    >>> m = KeywordMatcher().fit(cb)
    >>> seg = qc.segments_from_texts(["We trained every principal in PBIS."])
    >>> "systemic_supports" in m.suggest(seg)["code"].tolist()
    True
    """

    method = "keyword"

    def __init__(self, *, lemmas: bool = True) -> None:
        self.lemmas = lemmas

    def fit(self, codebook: Codebook) -> KeywordMatcher:
        """Build the phrase matchers for every code of ``codebook``."""
        from spacy.matcher import PhraseMatcher

        from ..nlp import load_pipeline

        nlp = load_pipeline()
        self.codes_: list[str] = codebook.ids
        self.terms_: list[_Term] = []
        self.regexes_: list[tuple[int, re.Pattern[str], str]] = []
        plain: list[tuple[int, str]] = []
        for j, code_id in enumerate(self.codes_):
            code = codebook.get(code_id)
            for veto, terms in ((False, code.keywords), (True, code.exclude)):
                for term in terms:
                    weight = (
                        STRONG_WEIGHT if (len(term.split()) > 1 or "-" in term or _is_acronym(term)) else WORD_WEIGHT
                    )
                    index = len(self.terms_)
                    self.terms_.append(_Term(j, term, weight, veto))
                    plain.extend((index, variant) for variant in _variants(term))
            for pattern in code.patterns:
                flags = 0 if "(?-i" in pattern else re.IGNORECASE
                self.regexes_.append((j, re.compile(pattern, flags), pattern))
        self.cased_ = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.lower_ = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.lemma_ = PhraseMatcher(nlp.vocab, attr="NORM")
        texts = [variant for _, variant in plain]
        for (index, _), doc in zip(plain, nlp.pipe(texts), strict=True):
            key = str(index)
            if _is_acronym(self.terms_[index].text):
                self.cased_.add(key, [doc])
                continue
            self.lower_.add(key, [doc])
            lowered = [token.lower_ for token in doc]
            if self.lemmas and [token.lemma_.lower() for token in doc] == lowered:
                # written in its base form: also match inflections ("support" -> "supported")
                self.lemma_.add(key, [self._lemma_doc(doc)])
        self.nlp_ = nlp
        return self

    def describe(self) -> dict[str, object]:
        """Models and settings, for provenance."""
        from ..nlp import model_version

        return {"keyword": {"spacy_model": model_version(), "lemmas": self.lemmas}}

    @staticmethod
    def _lemma_doc(doc: Any) -> Any:
        for token in doc:
            token.norm_ = token.lemma_.lower()
        return doc

    def score(self, segments: pd.DataFrame) -> Scores:
        """Score every segment against every code (see the module docs for the formula)."""
        check_segments(segments)
        values = np.zeros((len(segments), len(self.codes_)), dtype=np.float64)
        evidence: dict[tuple[int, int], str] = {}
        texts = segments[C.TEXT].astype(str).tolist()
        offsets = segments[C.START_CHAR].to_numpy() if C.START_CHAR in segments else np.zeros(len(segments), int)
        disabled = [] if self.lemmas else ["tagger", "attribute_ruler", "lemmatizer"]
        disabled += [p for p in ("senter", "parser", "ner") if p in self.nlp_.pipe_names]
        with self.nlp_.select_pipes(disable=[p for p in disabled if p in self.nlp_.pipe_names]):
            docs = self.nlp_.pipe(texts, batch_size=128)
            for i, doc in enumerate(docs):
                hits: dict[int, list[tuple[int, int]]] = {}
                matchers = [self.cased_, self.lower_] + ([self.lemma_] if self.lemmas else [])
                if self.lemmas:
                    self._lemma_doc(doc)
                for matcher in matchers:
                    for match_id, start, end in matcher(doc):
                        span = doc[start:end]
                        key = int(self.nlp_.vocab.strings[match_id])
                        hits.setdefault(key, []).append((span.start_char, span.end_char))
                text, base = texts[i], int(offsets[i])
                # per code: (start, end, term key, weight, label)
                found: dict[int, list[tuple[int, int, str, float, str]]] = {}
                vetoed: set[int] = set()
                for key in sorted(hits):
                    term = self.terms_[key]
                    if term.veto:
                        vetoed.add(term.code)
                        continue
                    for a, b in set(hits[key]):
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
    for match in ordered:
        if any(k[0] <= match[0] and match[1] <= k[1] and (k[0], k[1]) != (match[0], match[1]) for k in kept):
            continue
        if any((k[0], k[1]) == (match[0], match[1]) for k in kept):
            continue  # the same passage matched by two terms counts once
        kept.append(match)
    miss, seen = 1.0, set()
    for _, _, term, weight, _ in kept:
        miss *= 1.0 - (weight * REPEAT_FACTOR if term in seen else weight)
        seen.add(term)
    evidence = "; ".join(f"{label} [{base + a}:{base + b}]" for a, b, _, _, label in kept)
    return 1.0 - miss, evidence
