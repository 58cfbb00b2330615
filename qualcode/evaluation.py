"""``qualcode evaluate`` from files: suggestions against human codes, per code.

The units measured are the segments the run scored: interviewer turns only when it scored
them, and not the segments it learned from (``tag --train``: their human codes were kept and
nothing was suggested on them). Gold codes named by label are read as the codebook's ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .errors import InputFileError, OptionError, listed

if TYPE_CHECKING:
    from .codebook import Codebook
    from .corpus import Corpus


@dataclass
class Evaluation:
    """What :func:`evaluate_files` found: the ``table`` (per code, or the precision-recall
    curve), the ``thresholds`` chosen when asked to tune, and the ``codebook`` carrying them."""

    table: pd.DataFrame
    curve: bool = False
    thresholds: dict[str, float] = field(default_factory=dict)
    codebook: Codebook | None = None


def evaluate_files(
    suggested: str | Path,
    gold: str | Path,
    *,
    inputs: Sequence[str | Path] | None = None,
    threshold: float = 0.0,
    curve: bool = False,
    tune: str | None = None,
    codebook: str | Path | Codebook | None = None,
    codes_column: str | Sequence[str] | None = None,
) -> Evaluation:
    """Suggestions (a codings CSV) against human codes (a codings CSV, or with
    ``codes_column`` a coded sheet: the columns of codes of the table the suggestions were
    made on, read as that run read it), per code; with ``curve`` the precision-recall table
    over thresholds; with ``tune`` (``f1`` or ``prevalence``) a threshold per code, written
    into ``codebook`` when one is given."""
    from .analysis.evaluate import NO_UNITS, coded_by, evaluate, precision_recall, tune_thresholds
    from .codebook import Codebook, load_codebook
    from .coded_words import as_this_run
    from .codings import read_codings
    from .excerpts import place_all
    from .io.coded import read_coded

    if tune is not None and tune not in ("f1", "prevalence"):
        raise OptionError(f"tune {tune!r} is not one of: f1, prevalence", option="tune")
    book = load_codebook(codebook) if codebook is not None and not isinstance(codebook, Codebook) else codebook
    from .meta import read_meta, recorded_codebook
    from .workflows import corpus_for

    suggestions = read_coded(suggested)
    meta = read_meta(suggested)
    if book is None and (recorded := recorded_codebook([suggested], required=False)) is not None:
        book = recorded[1]
    corpus = corpus_for(suggested, inputs)
    if codes_column:  # a coded sheet: its rows coded (a code, or none) are the units
        human = _gold_codes(_sheet_codes(gold, codes_column, corpus, meta), gold, book)
    else:
        # on transcripts changed since: where their words are now; named otherwise: another --ids, a REFI trip
        gold_codes = as_this_run(read_codings(gold), gold, corpus.documents, corpus.segments)
        human = _gold_codes(place_all([gold_codes], corpus)[0], gold, book)  # excerpts: found in the texts
    segments, human = _not_learned(_scored_turns(corpus.segments, book, meta), human, corpus, book, meta)
    if coded_by(human, segments).empty:
        raise InputFileError(f"{gold}: {NO_UNITS}")
    if curve:
        table = precision_recall(suggestions, human, segments)
    else:
        table = evaluate(suggestions, human, segments, threshold=threshold)
    result = Evaluation(table, curve=curve)
    if tune is not None:
        result.thresholds = tune_thresholds(suggestions, human, segments, objective=tune)
        if book is not None:
            result.codebook = book.with_thresholds(result.thresholds)
    return result


def _not_learned(
    segments: pd.DataFrame, human: pd.DataFrame, corpus: Corpus, book: Any, meta: Any
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``segments`` less those the run learned from (``tag --train``), and ``human`` less its
    codes on them only: not scored, their human codes kept, those segments were measured as
    misses (the example interviews: recall 0.42 where it is 0.61)."""
    import warnings

    from . import columns as C
    from .codings import span_segments
    from .errors import QualcodeWarning, counted
    from .training import learned_segments

    if meta is None or not meta.settings.training or book is None:
        return segments, human
    keys = learned_segments(meta.settings.training, book, corpus)
    here = zip(segments[C.DOC_ID].astype(str), segments[C.SEGMENT_ID].astype(int), strict=True)
    learned = np.fromiter((pair in keys for pair in here), dtype=bool, count=len(segments))
    if not learned.any():
        return segments, human
    kept = segments[~learned]
    human = human.reset_index(drop=True)
    if C.START_CHAR in human.columns and C.END_CHAR in human.columns:  # spans: by the overlap rule
        placed = human.dropna(subset=[C.START_CHAR, C.END_CHAR])
        pairs = span_segments(placed, corpus.segments)
        rows = placed.index.to_numpy()[pairs["span"].to_numpy()]
        docs = human.loc[rows, C.DOC_ID].astype(str).to_numpy()
        on = pd.DataFrame(
            {"row": rows, "learned": [(d, int(g)) in keys for d, g in zip(docs, pairs[C.SEGMENT_ID], strict=True)]}
        )
    elif C.SEGMENT_ID in human.columns:
        ids = pd.to_numeric(human[C.SEGMENT_ID], errors="coerce")
        on = pd.DataFrame(
            {
                "row": human.index,
                "learned": [
                    pd.notna(g) and (str(d), int(g)) in keys for d, g in zip(human[C.DOC_ID], ids, strict=True)
                ],
            }
        )
    else:
        on = pd.DataFrame({"row": [], "learned": []})
    only = on.groupby("row")["learned"].all()  # a code on learned segments only is not a miss
    human = human.drop(index=only.index[only.to_numpy(dtype=bool)])
    warnings.warn(
        f"{counted(int(learned.sum()), 'segment')} the run learned from ({', '.join(meta.settings.training)}) are not "
        "measured, nor the human codes on them: nothing was suggested there",
        QualcodeWarning,
        stacklevel=3,
    )
    return kept, human


def _scored_turns(segments: pd.DataFrame, book: Any, meta: Any) -> pd.DataFrame:
    """The segments the run scored, as units to measure: interviewer turns too when the run
    included them (``include_interviewer``) or a code names them by speaker. Without this,
    evaluation left out every interviewer turn, also those the run suggested codes on."""
    from . import columns as C
    from .interviewer import suggested_turns

    if C.IS_INTERVIEWER not in segments.columns:
        return segments
    include = bool(meta.settings.include_interviewer) if meta is not None else False
    if book is not None:
        scored = suggested_turns(segments, book, include_interviewer=include)
    else:
        scored = ~segments[C.IS_INTERVIEWER].astype(bool).to_numpy() | include
    return segments[scored].drop(columns=C.IS_INTERVIEWER).reset_index(drop=True)


def _sheet_codes(gold: str | Path, codes_column: str | Sequence[str], corpus: Any, meta: Any) -> pd.DataFrame:
    """The human codes of a coded sheet's ``codes_column``, read with the table columns of the
    run that made the suggestions; its texts must be the ones that run coded."""
    from .io import read_transcripts

    options = {**(meta.read_options() if meta is not None else {}), "metadata": None, "codes_column": codes_column}
    sheet = read_transcripts(gold, **options)
    texts = {doc.doc_id: doc.text for doc in corpus.documents}
    differ = [doc.doc_id for doc in sheet.documents if doc.doc_id in texts and texts[doc.doc_id] != doc.text]
    if differ:
        raise InputFileError(
            f"{gold}: the text of {differ[0]!r} is not the one the suggestions were made on; give the sheet whose "
            "texts were tagged"
        )
    return sheet.codings


def _gold_codes(human: pd.DataFrame, gold: str | Path, book: Any) -> pd.DataFrame:
    """Human codes named as the codebook names them (the one given, else the one the run that
    wrote the suggestions recorded): a gold file typed with the codes' labels (``artistic
    experience``) was compared with suggestions of ``artistic_experience`` as two codes, each
    scoring 0. Codes still not in the codebook are said, with the id they most likely mean."""
    import warnings

    from . import columns as C
    from .codings import closest_code, codes_as_ids
    from .errors import QualcodeWarning

    if book is None or human.empty:
        return human
    from .word_comments import keep_named_codes

    human = keep_named_codes(codes_as_ids(human, book), book)  # a Word transcript's notes are no codes
    unknown = sorted(set(human[C.CODE].astype(str)) - set(book.ids))
    if unknown:
        named = listed(
            [
                repr(code) + (f" (did you mean {near!r}?)" if (near := closest_code(code, book)) else "")
                for code in unknown
            ],
            5,
        )
        warnings.warn(
            QualcodeWarning(
                f"{gold}: {len(unknown)} code{'s' if len(unknown) > 1 else ''} not in codebook {book.name!r}: {named}; nothing was suggested "
                "for them, so they count as missed"
            ),
            stacklevel=3,
        )
    return human
