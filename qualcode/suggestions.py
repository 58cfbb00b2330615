"""``qc.suggest``: segments + codebook → suggested codings."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import columns as C
from .codebook import Codebook, as_codebook
from .corpus import Corpus
from .document import Document
from .errors import OptionError, listed
from .interviewer import names_speakers, suggested_turns, uncoded_note
from .language import not_english_note
from .match.base import (
    CODERS_JOINED,
    Matcher,
    Scores,
    Training,
    check_segments,
    in_context,
    make_matcher,
    score_wanted,
    to_codings,
)
from .progress import shows_progress
from .settings import DEFAULT_MIN_SCORE
from .training import Codings, training_set, with_training_documents
from .version import __version__


def hand_coded(segments: pd.DataFrame, train: Training | None) -> np.ndarray:
    """Which of ``segments`` a human gave at least one code in ``train``."""
    if train is None or train.segments.empty:
        return np.zeros(len(segments), dtype=bool)
    return train.covers(segments, coded_only=True)


def apply_codebook_rules(
    scores: Scores, coded: pd.DataFrame, codebook: Codebook, *, include_interviewer: bool = True
) -> tuple[Scores, list[str]]:
    """Zero the suggestions a code's rules forbid: ``suggest: false`` (applied by hand only),
    ``applies_to`` and ``not_applies_to`` (segment column values). Human rows stay.

    ``include_interviewer=False``: interviewer turns among ``coded`` (those some code names,
    :func:`named_interviewer_turns`) keep only the codes whose ``applies_to`` names them by
    ``speaker`` or ``is_interviewer``."""
    values = scores.values.copy()
    notes = []
    interviewer = np.zeros(len(coded), dtype=bool)
    if not include_interviewer and C.IS_INTERVIEWER in coded.columns:
        interviewer = coded[C.IS_INTERVIEWER].astype(bool).to_numpy()
    for j, code_id in enumerate(scores.codes):
        code = codebook.get(code_id)
        if not code.suggest:
            keep = np.zeros(len(coded), dtype=bool)
        elif code.applies_to or code.not_applies_to or interviewer.any():
            keep = code.allowed(coded)
            if not names_speakers(code):
                keep &= ~interviewer
        else:
            continue
        for i in np.flatnonzero(~keep).tolist():
            if (i, j) not in scores.sources:
                values[i, j] = 0.0
        if not code.suggest:
            notes.append(f"{code_id}: suggest is false in the codebook; applied by hand only")
    return scores.with_values(values), notes


def unreachable_note(codebook: Codebook, segments: pd.DataFrame) -> list[str]:
    """Codes whose ``applies_to`` matches none of ``segments`` (the run's, all of them: a
    slice scored apart may hold none of a code's turns), with what the segments hold: teacher
    moves limited to the teacher's lines on a lesson read without ``--interviewer``."""
    unreachable: dict[str, list[str]] = {}
    if not len(segments):
        return []
    for code, _, _ in codebook.walk():
        if code.suggest and code.applies_to and not code.allowed(segments).any():
            unreachable.setdefault(_rule_misses(code.applies_to, segments), []).append(code.id)
    return [f"{listed(codes)} can be suggested on no segment of this run: {why}" for why, codes in unreachable.items()]


def _rule_misses(rules: dict[str, list[str]], segments: pd.DataFrame) -> str:
    """What an ``applies_to`` that matches no segment asks for, against what the segments hold."""
    parts = []
    for column, wanted in rules.items():
        held = sorted({str(v) for v in segments[column].dropna()}, key=str.lower)
        part = f"applies_to {column}: {', '.join(wanted)}; the segments' {column}: {listed(held, 5) or 'none'}"
        if column == C.IS_INTERVIEWER:
            part += " (name the teacher, moderator or interviewer: --interviewer LABEL)"
        elif column != C.SPEAKER:
            part += f" (each document's {column} comes from a participants table: --metadata)"
        parts.append(part)
    return "; ".join(parts)


def _human_rows(scores: Scores, coded: pd.DataFrame, training: Training) -> Scores:
    """The hand-coded documents keep their human codes only (method ``human``)."""
    values = scores.values.copy()
    if training.segments.empty:
        return scores
    values[training.covers(coded)] = 0.0
    position = {key: i for i, key in enumerate(zip(coded[C.DOC_ID], coded[C.SEGMENT_ID], strict=True))}
    out = scores.with_values(values)
    for (row, j), who in training.coders.items():
        key = (training.segments[C.DOC_ID].iloc[row], training.segments[C.SEGMENT_ID].iloc[row])
        code = training.codes[j]
        if key not in position or code not in scores.codes:
            continue
        i, k = position[key], scores.codes.index(code)
        out.values[i, k] = 1.0
        out.methods[(i, k)] = "human"
        out.sources[(i, k)] = who
        out.evidence[(i, k)] = "human code"
    return out


@shows_progress
def suggest(
    segments: pd.DataFrame | Corpus,
    codebook: Codebook | str | Path,
    *,
    method: str | Any = "hybrid",
    min_score: float | None = None,
    top_k: int | None = None,
    include_interviewer: bool = False,
    encoder: Any = None,
    cache: Any = "default",
    training: Codings | Sequence[Codings] | None = None,
    min_examples: int = 20,
    client: Any = None,
    training_documents: Corpus | None = None,
    read_too: Mapping[Path, int] | Sequence[str | Path] = (),
) -> pd.DataFrame:
    """Suggest codes for every segment.

    Parameters
    ----------
    segments
        The segments table (or a :class:`~qualcode.corpus.Corpus`).
    codebook
        A validated codebook (:func:`qualcode.load_codebook`) or a codebook file's path.
    method
        A registered matcher name (``keyword``, ``embedding``, ``hybrid``, ``classifier``;
        see :func:`qualcode.matcher_names`) or a :class:`~qualcode.match.base.Matcher` object.
    min_score
        Drop suggestions scoring below this; None for the codebook's per-code ``threshold``
        where set (e.g. tuned by :func:`qualcode.tune_thresholds`) and the method's default
        elsewhere (``DEFAULT_MIN_SCORE``: keyword 0, embedding 0.3, hybrid 0.4, classifier 0.5).
    top_k
        Keep at most this many codes per segment (the best scoring).
    include_interviewer
        Also code interviewer turns (by default they are kept in the segments table but
        not coded).
    encoder
        For ``embedding`` / ``hybrid``: a sentence-transformers model folder or an object with
        ``encode(list[str]) -> np.ndarray``; None for the packaged all-MiniLM-L6-v2.
    cache
        Embedding cache folder, ``"default"`` (the user cache folder) or None (no cache).
    training
        Human codings (a CSV path or a DataFrame from :func:`qualcode.read_codings`, or a
        list of them, e.g. hand-coded interviews and the ``qualcode next`` sheets filled in
        since): learn a classifier per code from them (``method`` becomes ``classifier``; see
        :mod:`qualcode.match.learned`). Hand-coded segments keep their human codes.
    client
        A ``dask.distributed.Client``: the segments are scored on its workers, a slice of
        whole documents per task, and joined in document order; the codings are the same,
        row for row, as without it.
    min_examples
        Positive human examples a code needs for a threshold of its own (the others share
        one); see :mod:`qualcode.match.learned`.
    training_documents
        Transcripts of hand-coded documents that are not among ``segments`` (a
        :class:`~qualcode.corpus.Corpus` cut as ``segments`` were): their human codes in
        ``training`` teach, and they are neither scored nor in the output. ``qc.tag`` and
        ``qualcode tag --train`` find them from the training file's ``.meta.json``.
    read_too
        Those of the ``training`` files read only because the record of a run names them
        (``qc.tag`` and ``qualcode tag --train`` add them): on a segment another training file
        codes too, the file given decides and theirs are left out.

    Returns
    -------
    pandas.DataFrame
        One row per (segment, suggested code): ``doc_id, segment_id, speaker``, the time and
        metadata columns, ``start_char, end_char, code, score, method, evidence, source, text``.
        ``.attrs["qualcode"]`` records the method, threshold, models and notes (fallbacks,
        cache events).

    Examples
    --------
    >>> import qualcode as qc
    >>> corpus = qc.read_transcripts("examples/interviews",
    ...                              metadata="examples/interviews/participants.csv")
    >>> cb = qc.load_codebook("codebooks/caring_schools.yaml")
    >>> coded = qc.suggest(corpus, cb, method="keyword")
    >>> {"code", "score", "evidence", "role", "district"} <= set(coded.columns)
    True
    """
    codebook = as_codebook(codebook)
    texts: dict[str, str] | None = None
    documents: list[Document] = []
    if isinstance(segments, Corpus):
        texts = {doc.doc_id: doc.text for doc in segments.documents}
        documents = segments.documents
        segments = segments.segments
    check_segments(segments)
    if top_k is not None and top_k < 1:
        raise OptionError(f"top_k {top_k} must be 1 or more", option="top_k")
    if min_score is not None and not 0.0 <= min_score <= 1.0:
        raise OptionError(f"min_score {min_score} is outside [0, 1]", option="min_score")
    matcher: Matcher = make_matcher(
        "classifier" if training is not None and isinstance(method, str) and method != "classifier" else method,
        encoder=encoder,
        cache=cache,
        min_examples=min_examples,
    )
    train = None
    if matcher.learns:
        if training is None:
            raise OptionError(f"method {matcher.method!r} learns from human codes: pass training", option="training")
        train = training_set(
            training,
            codebook,
            *with_training_documents(segments, texts, training_documents),
            read_too=read_too,
            run_documents=documents,
        )
    matcher.fit(codebook, train)
    # interviewer turns are not suggested (unless a code's applies_to names them, e.g. a
    # moderator's interventions), but their human codes stay in the output
    keep = suggested_turns(segments, codebook, include_interviewer=include_interviewer)
    wanted = keep | hand_coded(segments, train)
    coded = in_context(matcher, segments, wanted)
    job = ScoringJob(matcher, codebook, train, min_score, top_k, include_interviewer)
    out, made = _streamed(job, coded) if client is None else _distributed(client, job, coded)
    out = human_passages(out, train, texts)
    if train is not None:
        more = uncoded_note(train, codebook, include_interviewer=include_interviewer)
        made = {**made, "notes": [*made["notes"], *more, *_examples_note(segments[keep], train)]}
    if matcher.method == "keyword" and not any(code.keywords or code.patterns for code, _, _ in codebook.walk()):
        made = {**made, "notes": [*made["notes"], _NO_KEYWORDS]}
    if matcher.method in ("hybrid", "embedding"):
        made = {**made, "notes": [*made["notes"], *_label_only_note(codebook)]}
    made = {**made, "notes": [*made["notes"], *unreachable_note(codebook, segments[keep])]}
    if matcher.method != "keyword":  # the models are English
        made = {**made, "notes": [*made["notes"], *not_english_note(segments[keep])]}
    # segments of this run that are training examples: not scored, their codes kept
    examples = int(train.covers(segments[wanted]).sum()) if train is not None else 0
    out.attrs["qualcode"] = {**made, "models": matcher.describe(), "examples": examples}
    return out


def _examples_note(segments: pd.DataFrame, train: Training) -> list[str]:
    """A warning when every segment of this run is a training example: they keep their human
    codes and get no suggestions, so the run suggests nothing (a researcher tagging the
    transcripts they coded by hand, expecting suggestions on them)."""
    if not len(segments) or not train.covers(segments).all():
        return []
    return [
        "every segment of this run is in the human codes it learned from: they keep their human codes and nothing "
        "is suggested; give transcripts not yet coded, with these codes as --train, to get suggestions"
    ]


def _label_only_note(codebook: Codebook) -> list[str]:
    """A warning when codes are scored from their label alone (no description, criteria,
    examples or keywords): measured on games-as-art, a label-only codebook made 1.8 times as
    many suggestions per sentence, macro-F1 0.243 against 0.293 with the published
    definitions (SERDIF 0.148 against 0.163)."""
    bare = [
        code.id
        for code, _, _ in codebook.walk()
        if code.suggest
        and not (code.description.strip() or code.include_when.strip() or code.examples or code.keywords)
    ]
    if not bare:
        return []
    return [
        f"{len(bare)} of {len(codebook.ids)} codes have only a label ({listed(bare)}): scored from it alone, "
        "their suggestions are less reliable; give each a description (what the code means, when it "
        "applies) or examples in the codebook"
    ]


_NO_KEYWORDS = (
    "no code of the codebook has keywords or patterns, so keyword matching suggests nothing; "
    "use the default method (hybrid), which also reads names, descriptions and examples"
)


def human_passages(out: pd.DataFrame, train: Training | None, texts: dict[str, str] | None) -> pd.DataFrame:
    """The human rows of ``out`` as the humans coded: a code applied to a span (an NVivo
    selection, a Taguette highlight) keeps that span's ``start_char``/``end_char``, coder and
    text, one row per span, instead of becoming a code of the whole segment it maps onto
    (exported back, the selections would have grown to whole segments, and two selections
    in one segment become one). A code with no span (a ``next`` sheet, a segment-form file)
    codes its segment. Every row names one coder: two coders' codes of a segment are two
    rows (``agree`` and ``export-refi`` read coders row by row), not one row of "a, b"."""
    if train is None or out.empty or not (out[C.METHOD] == "human").any():
        return out
    spans = train.spans if train.spans is not None else pd.DataFrame(columns=[C.DOC_ID])
    found: dict[tuple[str, int, str], list[tuple[int, int, str]]] = {}
    for doc, segment, code, coder, start, end in spans.reindex(
        columns=[C.DOC_ID, C.SEGMENT_ID, C.CODE, C.CODER, C.START_CHAR, C.END_CHAR]
    ).itertuples(index=False):
        found.setdefault((doc, segment, code), []).append((int(start), int(end), str(coder)))
    human = np.flatnonzero((out[C.METHOD] == "human").to_numpy())
    replaced: list[int] = []
    added: list[pd.Series] = []
    at: list[tuple[int, int, int, str]] = []  # each added row: the position it takes the place of, then its passage
    for position in human.tolist():
        record = out.iloc[position]
        passages = sorted(set(found.get((str(record[C.DOC_ID]), int(record[C.SEGMENT_ID]), str(record[C.CODE])), [])))
        coders = {name for name in str(record[C.CODER]).split(CODERS_JOINED) if name}
        if not passages and len(coders) <= 1:
            continue
        replaced.append(position)
        for coder in sorted(coders - {coder for _, _, coder in passages}):  # coded the segment itself
            kept = record.copy()
            kept[C.CODER] = kept[C.SOURCE] = coder
            added.append(kept)
            at.append((position, int(record[C.START_CHAR]), int(record[C.END_CHAR]), coder))
        for start, end, coder in passages:
            passage = record.copy()
            passage[C.START_CHAR], passage[C.END_CHAR] = start, end
            passage[C.CODER] = passage[C.SOURCE] = coder
            passage[C.TEXT] = _passage_text(record, start, end, texts)
            added.append(passage)
            at.append((position, start, end, coder))
    if not replaced:
        return out
    stay = np.setdiff1d(np.arange(len(out)), replaced)
    table = pd.concat([out.iloc[stay], pd.DataFrame(added, columns=out.columns)], ignore_index=True)
    keys = [(int(p), 0, 0, "") for p in stay] + at  # rows that stay keep their place
    ranked = sorted(range(len(keys)), key=keys.__getitem__)
    return table.iloc[ranked].reset_index(drop=True).astype(out.dtypes.to_dict())


def _passage_text(segment: pd.Series, start: int, end: int, texts: dict[str, str] | None) -> str:
    """The words of a human code's passage: from the document's text, else from its
    segment's when the passage lies inside it."""
    doc = str(segment[C.DOC_ID])
    if texts is not None and doc in texts:
        return texts[doc][start:end]
    first, text = int(segment[C.START_CHAR]), str(segment[C.TEXT])
    if first <= start and end <= int(segment[C.END_CHAR]) and len(text) == int(segment[C.END_CHAR]) - first:
        return text[start - first : end - first]
    return text


@dataclass(frozen=True)
class ScoringJob:
    """A fitted matcher and what turns its scores into codings; :meth:`run` on any slice of
    whole documents (what Dask workers run)."""

    matcher: Matcher
    codebook: Codebook
    train: Training | None
    min_score: float | None
    top_k: int | None
    include_interviewer: bool = True

    def run(self, coded: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
        return score_part(self, coded)


def score_part(job: ScoringJob, coded: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Score ``coded`` (all segments of a run, or a slice of whole documents) with the job's
    fitted matcher and turn the scores into codings: every step works segment by segment, so
    slices scored apart and joined in order give the rows one call would."""
    matcher, codebook, train, min_score, top_k = job.matcher, job.codebook, job.train, job.min_score, job.top_k
    scores, coded = score_wanted(matcher, coded)
    ran = scores.method
    if train is not None:
        scores = _human_rows(scores, coded, train)
    scores, rule_notes = apply_codebook_rules(scores, coded, codebook, include_interviewer=job.include_interviewer)
    floor_default = min_score if min_score is not None else DEFAULT_MIN_SCORE.get(ran, 0.0)
    # per-code thresholds: those the matcher learned, then those tuned into the codebook,
    # replace the method's default for their codes; an explicit min_score replaces all
    per_code = {**scores.thresholds, **codebook.thresholds()} if min_score is None else {}
    floor = np.array([per_code.get(code, floor_default) for code in scores.codes])
    scores = scores.with_values(np.where(scores.values >= floor[None, :], scores.values, 0.0))
    out = to_codings(coded, scores, source=f"qualcode {__version__}", top_k=top_k)
    made = {
        "method": ran,
        "min_score": floor_default,
        "thresholds": per_code,
        "code_thresholds": dict(scores.thresholds),
        "notes": [*scores.notes, *rule_notes],
    }
    return out, made


def partitions(coded: pd.DataFrame, parts: int) -> list[pd.DataFrame]:
    """``coded`` cut into at most ``parts`` slices of whole documents, in order, of about the
    same number of segments (a document is never split: its segments stay together)."""
    if coded.empty or parts <= 1:
        return [coded]
    starts = np.flatnonzero(coded[C.DOC_ID].ne(coded[C.DOC_ID].shift()).to_numpy())
    target = len(coded) / parts
    cuts, next_cut = [0], target
    for start in starts[1:]:
        if start >= next_cut:
            cuts.append(int(start))
            next_cut = start + target
    cuts.append(len(coded))
    return [coded.iloc[a:b] for a, b in itertools.pairwise(cuts) if b > a]


STREAM_SEGMENTS = 2_000  # segments scored at a time: memory does not grow with the corpus


def _streamed(job: ScoringJob, coded: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Score ``coded`` a slice of whole documents at a time (about ``STREAM_SEGMENTS``
    segments), so that vectors, scores and spaCy analyses of one slice only are held at once;
    the codings are those of one call (each step works segment by segment)."""
    slices = partitions(coded, parts=-(-len(coded) // STREAM_SEGMENTS))
    if len(slices) == 1:
        return job.run(coded)
    return _joined([job.run(part.reset_index(drop=True)) for part in slices])


def _joined(results: list[tuple[pd.DataFrame, dict[str, Any]]]) -> tuple[pd.DataFrame, dict[str, Any]]:
    frames = [frame for frame, _ in results]
    out = pd.concat(frames, ignore_index=True).astype(frames[0].dtypes.to_dict())
    made = dict(results[0][1])
    made["notes"] = list(dict.fromkeys(note for _, info in results for note in info["notes"]))
    return out, made


def _distributed(client: Any, job: ScoringJob, coded: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Score slices of whole documents on the Dask workers of ``client`` (the fitted matcher is
    sent to each worker once) and join their codings in document order."""
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    slices = partitions(coded, parts=max(1, min(4 * workers, len(coded) // 50 or 1)))
    shared = client.scatter(job, broadcast=True)
    futures = [client.submit(score_part, shared, part.reset_index(drop=True), pure=False) for part in slices]
    return _joined(client.gather(futures))
