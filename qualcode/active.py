"""Active learning: which segments a researcher should code next to teach the model most.

``qc.next_to_code(corpus, codebook, training=codings, n=20)`` and ``qualcode next``:

1. **Usefulness.** The learned matcher (:mod:`qualcode.match.learned`) is fitted on the human
   codes so far and scores every segment not yet coded. A segment is useful for a code when
   it is likely a positive example of a code that has few: ``min(1, p / t) / sqrt(1 + n)``
   for probability ``p``, the code's threshold ``t`` and ``n`` positive examples so far. Rare
   codes are what a handful of human codes lacks most: their models (and the shared model's
   view of them) improve most from one more positive, while a segment near the threshold of
   a well-known code changes little. Its usefulness is the highest over the codes. A code
   with fewer than three examples is sought by its zero-shot score (the hybrid matcher's,
   from the codebook alone; ``p`` is then that score and ``t`` 0.4) as far as those scores
   rank the human codes so far better than chance (the share ``definition_trust``: 0 at a
   ranking AUC of 0.5, all from 0.7): with few examples the learned probability finds them
   worse. Measured on three corpora after 50 random coded segments, the five best segments
   of a code with no example were positives 30% of the time by the zero-shot score against
   7% by the learned probability on SERDIF (24% against 20% on games); from three examples
   the learned probability is the better guide (46% against 23% on SERDIF at 100). Of
   segments equally useful (a rare code's threshold is low, and many segments are over it),
   the likeliest come first (their score over the threshold, uncapped). A
   segment likely for no code (every code applied by hand only, say) is not a useful pick:
   a batch with fewer likely examples than its useful half is filled at random.
2. **Diversity.** Segments are taken greedily by usefulness, skipping one whose sentence
   vector is within cosine ``SIMILAR`` of a segment already taken, taking at most
   ``ceil(2n / documents)`` from one document and, when the participant metadata has a
   ``role`` column, at most ``ceil(2n / roles)`` from one role, and cycling over the codes
   each segment is most useful for, so a batch covers codes, roles and documents rather
   than 20 near copies.
3. **Half at random.** Half the batch (``n // 2``) is drawn at random from the segments not
   yet coded (seeded by how many are coded: the same input gives the same sheet). Segments
   chosen for being likely examples make codes look more frequent than they are, and the
   learned matcher sets its thresholds and its codes' priors from the coded segments; the
   random half keeps those honest. Measured on three corpora
   (benchmarks/quality/active_curve.py), all-useful batches were behind this at 200 coded
   segments on every corpus.
4. **First batch.** With no human codes yet, the whole batch is drawn at random: an unbiased
   sample the first model learns its thresholds and code frequencies from. Measured against
   a first batch of likely examples by the zero-shot scores filled with spread-out segments
   (with the learner before its scores were fold means), mean kappa after 50 / 100 / 200
   coded segments over the three corpora: -0.002 / +0.008 / +0.033 against random choice,
   where that first batch gave -0.018 / +0.009 / +0.015 (it cost SERDIF 0.07 kappa at 50).

The sheet it writes (``to_code.csv``) has one row per segment with its text, the codes
suggested now, and an empty ``codes`` column: the researcher writes the codes that apply
(separated by ``;``), leaves it empty when none does, and passes the sheet back to
``tag --train`` (and ``next``): every row counts as a coded segment.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import columns as C
from .codebook import Codebook, as_codebook
from .corpus import Corpus
from .errors import OptionError, counted
from .match.learned_thresholds import ZERO_SHOT_THRESHOLD
from .progress import shows_progress

SIMILAR = 0.92
SEEK_BY_DEFINITION = 3  # codes with fewer positive examples are sought by their zero-shot scores
ROLE = "role"  # the participant metadata column a batch is spread over
BEFORE = "before"  # the sheet's column of the segment said before each one


def said_before(segments: pd.DataFrame, sheet: pd.DataFrame) -> list[str]:
    """For each row of ``sheet``: the segment before it in its document, ``speaker: text``
    (the question a participant's answer replies to; empty for a document's first segment),
    so that a segment can be coded in its place, as in the transcript."""
    speakers = segments[C.SPEAKER] if C.SPEAKER in segments else pd.Series("", index=segments.index)
    said = {
        (str(doc), int(sid)): (f"{speaker}: {text}" if isinstance(speaker, str) and speaker.strip() else str(text))
        for doc, sid, speaker, text in zip(
            segments[C.DOC_ID], segments[C.SEGMENT_ID], speakers, segments[C.TEXT], strict=True
        )
    }
    return [
        said.get((str(doc), int(sid) - 1), "") for doc, sid in zip(sheet[C.DOC_ID], sheet[C.SEGMENT_ID], strict=True)
    ]


def definition_trust(auc: float | None) -> float:
    """How far to seek codes with few examples by their zero-shot scores: 0 when those
    scores rank the human codes so far no better than chance (AUC 0.5), 1 from AUC 0.7."""
    return 0.0 if auc is None else float(np.clip((auc - 0.5) / 0.2, 0.0, 1.0))


def usefulness(
    values: np.ndarray,
    thresholds: np.ndarray,
    positives: np.ndarray,
    definition: np.ndarray | None = None,
    trust: float = 1.0,
    cap: float = 1.0,
) -> np.ndarray:
    """How much a human code on each (segment, code) would teach: the chance the segment is
    a positive example (its score over the code's threshold, capped at ``cap``), weighted by
    ``1 / sqrt(1 + positive examples so far)`` so that codes with few examples come first.

    ``definition``: the zero-shot (hybrid) scores of the same pairs. A code with fewer than
    ``SEEK_BY_DEFINITION`` positive examples is sought by them (over the hybrid threshold),
    weighted ``trust`` against the learned probability, which knows too little of it yet."""
    seek = np.minimum(values / np.maximum(thresholds[None, :], 1e-6), cap)
    if definition is not None and trust > 0:
        few = positives < SEEK_BY_DEFINITION
        by_definition = np.minimum(definition[:, few] / ZERO_SHOT_THRESHOLD, cap)
        seek[:, few] = trust * by_definition + (1.0 - trust) * seek[:, few]
    return seek / np.sqrt(1.0 + positives)[None, :]


def select(
    uncertainty: np.ndarray,
    vectors: np.ndarray,
    documents: np.ndarray,
    n: int,
    *,
    similar: float = SIMILAR,
    roles: np.ndarray | None = None,
    ties: np.ndarray | None = None,
) -> list[int]:
    """Rows to code next: useful, diverse, spread over documents, roles and codes (module
    docs). ``roles``: each row's participant role (or None): at most ``ceil(2n / roles)``
    rows of one role, as of one document. ``ties``: a second key, same shape as
    ``uncertainty``, ordering rows of equal usefulness (usefulness uncapped: of the many
    segments over a code's threshold, the likeliest first, not the first in the corpus)."""
    per_document = max(1, math.ceil(2 * n / max(len(set(documents.tolist())), 1)))
    roles = np.full(len(vectors), "", dtype=object) if roles is None else roles
    per_role = max(1, math.ceil(2 * n / max(len(set(roles.tolist())), 1)))
    best_code = uncertainty.argmax(axis=1) if uncertainty.size else np.zeros(len(vectors), dtype=int)
    order = np.argsort(-uncertainty.max(axis=1), kind="stable") if uncertainty.size else np.arange(len(vectors))
    if ties is not None and uncertainty.size:
        second = ties[np.arange(len(vectors)), best_code]
        order = np.lexsort((-second, -uncertainty.max(axis=1)))
    queues: dict[int, list[int]] = {}
    for row in order.tolist():
        if uncertainty.size and uncertainty[row].max() <= 0:
            continue
        queues.setdefault(int(best_code[row]), []).append(row)
    cycle = sorted(queues, key=lambda j: -uncertainty[queues[j][0], j])
    taken: list[int] = []
    count: dict[Any, int] = {}
    in_role: dict[Any, int] = {}
    while len(taken) < n and any(queues.values()):
        for j in cycle:
            queue = queues[j]
            while queue:
                row = queue.pop(0)
                if count.get(documents[row], 0) >= per_document or in_role.get(roles[row], 0) >= per_role:
                    continue
                if taken and float((vectors[taken] @ vectors[row]).max()) >= similar:
                    continue
                taken.append(row)
                count[documents[row]] = count.get(documents[row], 0) + 1
                in_role[roles[row]] = in_role.get(roles[row], 0) + 1
                break
            if len(taken) >= n:
                break
    return taken


@shows_progress
def next_to_code(
    corpus: Corpus | pd.DataFrame,
    codebook: Codebook | str | Path,
    *,
    training: pd.DataFrame | str | Path | Sequence[pd.DataFrame | str | Path] | None = None,
    n: int = 20,
    include_interviewer: bool = False,
    encoder: Any = None,
    cache: Any = "default",
    min_examples: int = 20,
    training_documents: Corpus | None = None,
    read_too: Mapping[Path, int] | Sequence[str | Path] = (),
) -> pd.DataFrame:
    """The ``n`` segments whose human codes would teach the model most, as a sheet to fill in.

    Parameters
    ----------
    corpus
        The corpus (or segments table) to choose from.
    codebook
        The codebook (or its file's path).
    training
        Human codings so far (any form :func:`qualcode.read_codings` reads, including a
        filled-in sheet from an earlier call, or a list of them: every segment coded in any
        of them is left out and teaches); None to start from nothing.
    n
        How many segments to choose.
    training_documents
        Transcripts of hand-coded documents that are not in ``corpus``: their codes in
        ``training`` teach; nothing is chosen from them (see :func:`qualcode.suggest`).
    read_too
        Those of the ``training`` files read only because a record names them: on a segment
        another codes too, the file given decides (see :func:`qualcode.suggest`).

    Returns
    -------
    pandas.DataFrame
        One row per chosen segment, most useful first: ``doc_id, segment_id, speaker``, the
        offsets and metadata, ``before`` (the segment said before it, ``speaker: text``: the
        question an answer replies to), ``text``, ``suggested`` (codes above their threshold now, with
        scores), ``useful_for`` (the code a human code there would teach most), ``usefulness``,
        ``chosen`` (``useful`` or ``at random``; see the module docs), and empty ``codes`` and
        ``coder`` columns to fill in.

    Examples
    --------
    >>> import qualcode as qc
    >>> corpus = qc.read_transcripts("examples/interviews")
    >>> cb = qc.load_codebook("codebooks/caring_schools.yaml")
    >>> sheet = qc.next_to_code(corpus, cb, n=5, cache=None)
    >>> len(sheet), list(sheet.columns[-2:])
    (5, ['codes', 'coder'])
    """
    from .interviewer import suggested_turns
    from .match.base import check_segments, in_context, make_matcher, score_wanted
    from .match.learned_features import aligned
    from .suggestions import apply_codebook_rules
    from .training import order_key, training_set, with_training_documents

    if n < 1:
        raise OptionError(f"n {n} must be 1 or more", option="n")
    codebook = as_codebook(codebook)
    texts = {doc.doc_id: doc.text for doc in corpus.documents} if isinstance(corpus, Corpus) else None
    segments = corpus.segments if isinstance(corpus, Corpus) else corpus
    check_segments(segments)
    # in one order whatever order the documents came in (``-i a b`` and ``-i b a``): the random
    # half and the ties among equally useful segments are drawn from it
    segments = segments.sort_values([C.DOC_ID, C.SEGMENT_ID], kind="stable", key=order_key).reset_index(drop=True)
    train = None
    if training is not None:  # human codes on interviewer turns teach too, as in qc.suggest
        train = training_set(
            training,
            codebook,
            *with_training_documents(segments, texts, training_documents),
            read_too=read_too,
            run_documents=corpus.documents if isinstance(corpus, Corpus) else (),
        )
    pool = ~train.covers(segments) if train is not None else np.ones(len(segments), dtype=bool)
    turns = suggested_turns(segments, codebook, include_interviewer=include_interviewer)  # as qc.suggest
    pool &= turns
    candidates = segments[pool].reset_index(drop=True)
    if candidates.empty:
        covered = segments[C.DOC_ID].astype(str).nunique()
        if train is not None and train.context is not None:  # coded one by one (next sheets)
            raise OptionError(
                f"every segment is coded already: the sheets so far hold all {counted(int(turns.sum()), 'segment')} "
                f"that can be chosen in {counted(covered, 'document')}; nothing left to choose"
            )
        raise OptionError(
            f"every segment is coded already: the codings cover all {covered} documents (a document holding a "
            "coding is coded throughout: its segments without a code are examples of none); nothing left to choose"
        )
    learns = train is not None and len(train.segments) > 0 and bool(train.labels.any())
    matcher = make_matcher(
        "classifier" if learns else "hybrid", encoder=encoder, cache=cache, min_examples=min_examples
    )
    matcher.fit(codebook, train if learns else None)
    scored, _ = score_wanted(matcher, in_context(matcher, segments, pool))  # read with their neighbours
    scores, _ = apply_codebook_rules(scored, candidates, codebook, include_interviewer=include_interviewer)
    thresholds = np.array([scores.thresholds.get(code, ZERO_SHOT_THRESHOLD) for code in scores.codes])
    assert scores.vectors is not None
    vectors = scores.vectors
    documents = candidates[C.DOC_ID].astype(str).to_numpy()
    allowed = np.array([codebook.get(code).suggest for code in scores.codes])
    positives = aligned(train, scores.codes).sum(axis=0) if train is not None else np.zeros(len(scores.codes))
    definition = None  # the zero-shot scores, for codes with few examples (see usefulness)
    if learns and "hybrid" in scores.parts:
        definition = apply_codebook_rules(
            scores.parts["hybrid"], candidates, codebook, include_interviewer=include_interviewer
        )[0].values
    auc = getattr(matcher, "definition_auc_", None)  # None until a learned matcher has codes
    trust = definition_trust(auc)
    uncertainty = usefulness(scores.values, thresholds, positives, definition, trust) * allowed[None, :]
    # many segments are over a rare code's threshold (usefulness capped at 1): the likeliest first
    ties = usefulness(scores.values, thresholds, positives, definition, trust, cap=np.inf) * allowed[None, :]
    # half the batch (all of the first) at random, seeded by how many segments are coded so
    # the same input gives the same sheet: keeps the codes' frequencies in the training set honest
    shuffled = np.random.default_rng(len(train.keys) if train is not None else 0).permutation(len(candidates)).tolist()
    at_random = shuffled[: n // 2 if learns else n]
    rest = np.setdiff1d(np.arange(len(candidates)), at_random)
    roles = candidates[ROLE].fillna("").astype(str).to_numpy(dtype=object) if ROLE in candidates else None
    useful = select(
        uncertainty[rest],
        vectors[rest],
        documents[rest],
        n - len(at_random),
        roles=None if roles is None else roles[rest],
        ties=ties[rest],
    )
    if len(useful) < n - len(at_random):  # too few likely examples: the rest at random too
        taken = set(at_random) | {int(rest[i]) for i in useful}
        more = [i for i in shuffled if i not in taken]
        at_random += more[: n - len(at_random) - len(useful)]
    rows = [int(rest[i]) for i in useful] + at_random
    sheet = candidates.iloc[rows].drop(columns=[C.IS_INTERVIEWER], errors="ignore").reset_index(drop=True)
    picked = uncertainty[rows] if len(rows) else np.zeros((0, len(scores.codes)))
    sheet["suggested"] = [
        "; ".join(
            f"{code} {scores.values[row, j]:.2f}"
            for j, code in enumerate(scores.codes)
            if scores.values[row, j] >= thresholds[j] and scores.values[row, j] > 0
        )
        for row in rows
    ]
    sheet["useful_for"] = [scores.codes[int(j)] for j in picked.argmax(axis=1)] if len(rows) else []
    sheet["usefulness"] = np.round(picked.max(axis=1), 4) if len(rows) else []
    drawn = set(at_random)
    sheet["chosen"] = ["at random" if row in drawn else "useful" for row in rows]
    text = sheet.pop(C.TEXT)
    sheet.insert(len(sheet.columns) - 4, C.TEXT, text)
    sheet.insert(len(sheet.columns) - 5, BEFORE, said_before(segments, sheet))
    sheet["codes"] = ""
    sheet["coder"] = ""
    sheet.attrs["qualcode"] = {
        "definition_auc": None if auc is None else round(auc, 4),
        "definition_trust": round(trust, 4),
    }
    return sheet


def next_sheet(
    coded: Sequence[str | Path],
    codebook: str | Path | None,
    output: str | Path,
    *,
    inputs: Sequence[str | Path] | None = None,
    metadata: str | Path | None = None,
    segment_by: str | None = None,
    n: int = 20,
    include_interviewer: bool = False,
    text_column: str | Sequence[str] | None = None,
    id_column: str | None = None,
    speaker_column: str | None = None,
    interviewers: Sequence[str] | None = None,
    metadata_key: str | None = None,
    encoding: str | None = None,
    ids: str | None = None,
) -> pd.DataFrame:
    """``qualcode next``: the sheet of :func:`qualcode.next_to_code` written to ``output``
    (``.csv``, or ``.xlsx`` for Excel) with a ``.meta.json`` beside it, so that ``tag --train`` and a later ``next`` given the
    sheet find the transcripts without ``inputs``.

    ``coded``: every codings file so far (hand-coded interviews, filled-in sheets): all of
    them teach, and no segment coded in any of them is chosen again. The transcripts and
    the way to read them come from ``inputs`` or else from the ``.meta.json`` beside the
    first of ``coded`` that has one; ``text_column``, ``id_column``, ``speaker_column`` (a
    survey or utterance table's columns), ``interviewers``, ``metadata_key``, ``encoding`` and ``ids``,
    when given, replace the recorded ones, as ``tag`` takes them. With no human codes yet (``coded`` empty, or only
    ``tag`` outputs nobody has reviewed, read for their transcripts) the sheet is a first
    batch drawn at random. ``codebook`` None: the one the run that wrote the first of ``coded``
    recording one used (:func:`~qualcode.meta.recorded_codebook`).
    """
    import warnings

    from .codebook import load_codebook
    from .coded_words import as_this_run
    from .errors import QualcodeWarning
    from .fileio import check_sheet_name, write_together
    from .io import read_transcripts
    from .io.writers import table_writer
    from .meta import check_own_record, earlier_codings, meta_path, meta_writer, read_meta, recorded_codebook
    from .previous import check_not_an_input
    from .provenance import provenance
    from .settings import Settings
    from .training_docs import outside_line, outside_transcripts, training_record
    from .workflows import reading_for

    if not coded and not inputs:
        raise OptionError(
            "give the transcripts (-i) to choose a first batch from, or the codings so far (CODED)", option="inputs"
        )
    output = check_own_record(check_sheet_name(output))
    made_from, lines = earlier_codings(
        coded, "its codes teach, and no segment it coded, with no code too, is chosen again"
    )
    for line in lines:
        warnings.warn(QualcodeWarning(line), stacklevel=2)
    named_here = len(coded)
    coded = [*coded, *made_from]
    if codebook is None:
        codebook, book = recorded_codebook(coded)
    else:
        book = load_codebook(codebook)
    read_before = [path for item in coded if (earlier := read_meta(item)) is not None for path in earlier.files_read()]
    check_not_an_input(output, [*coded, *(inputs or ()), codebook, metadata, *read_before])
    check_not_an_input(meta_path(output), [*coded, *(inputs or ())])
    read = [(path, _human_codes(path, [other for other in coded if other != path])) for path in coded]
    given = [(path, codes) for path, codes in read if codes is not None]
    if coded:
        recorded = next((path for path in coded if meta_path(path).is_file()), coded[0])
        names, options = reading_for(recorded, inputs, metadata=metadata, segment_by=segment_by)
    else:
        names = list(inputs or ())
        options = {"metadata": None if metadata is None else str(metadata), "segment_by": segment_by or "auto"}
    asked = {
        "text_column": text_column,
        "id_column": id_column,
        "speaker_column": speaker_column,
        "interviewers": list(interviewers) if interviewers else None,
        "metadata_key": metadata_key,
        "encoding": encoding,
        "ids": ids,
    }
    options.update({key: value for key, value in asked.items() if value is not None})  # as tag takes them
    corpus = read_transcripts(names, **options)
    given = [  # on transcripts changed since: where their words are now; named otherwise: as this run names them
        (path, as_this_run(codes, path, corpus.documents, corpus.segments)) for path, codes in given
    ]
    training = [codes for _, codes in given if len(codes) or not codes.attrs.get("copies")]
    outside, taught_from = outside_transcripts([path for path, _ in given], corpus, options)
    if outside is not None:
        check_not_an_input(output, [doc.path for doc in outside.documents if doc.path])
        warnings.warn(QualcodeWarning(outside_line(taught_from, "none is chosen")), stacklevel=2)
    sheet = next_to_code(
        corpus,
        book,
        training=training or None,
        n=n,
        include_interviewer=include_interviewer,
        training_documents=outside,
        read_too=made_from,
    )
    run = Settings.build(
        **{key: value for key, value in options.items() if key != "exclude"},  # reading only, not a setting
        include_interviewer=include_interviewer,
        training=[str(p) for p in coded],
        training_given=named_here if made_from else None,
    )
    meta = provenance(
        corpus=corpus,
        codebook=book,
        codebook_path=codebook,
        settings={**run.record(), "command": "next", "n": n, **sheet.attrs.get("qualcode", {})},
        models={},
        counts={"documents": len(corpus.documents), "segments": len(corpus.segments), "chosen": len(sheet)},
    )
    if outside is not None:  # read and learned from, not chosen from: recorded apart from the inputs
        meta["training_transcripts"] = training_record(outside)
    write_together(
        [
            (output, table_writer(sheet, output)),
            (meta_path(output), meta_writer(meta, output)),
        ]
    )
    return sheet


def _human_codes(path: str | Path, apart: Sequence[str | Path]) -> pd.DataFrame | None:
    """The human codes of ``path`` but its copies of the files ``apart`` (read on their own:
    none left when all its human rows are such copies); None for a ``tag`` output nobody has
    reviewed yet (with a warning: its transcripts are still found through it)."""
    import warnings

    from .codings import read_codings
    from .errors import NoHumanCodesError, QualcodeWarning

    try:
        return read_codings(path, read_apart=apart)
    except NoHumanCodesError as error:
        why = "it holds no rows" if error.empty else "only qualcode's suggestions"
        warnings.warn(
            QualcodeWarning(
                f"{path}: no human codes yet ({why}): read for its transcripts only, "
                "so this batch is drawn at random, as a first batch is"
            ),
            stacklevel=3,
        )
        return None
