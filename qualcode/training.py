"""The human codes a run learns from: codings files and tables checked against the codebook
and the documents and mapped onto the segments (:func:`training_set`), and which segments a
run learned from (:func:`learned_segments`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from . import columns as C
from .codebook import Codebook
from .corpus import Corpus
from .document import Document
from .errors import OptionError, listed
from .match.base import Training

Codings = pd.DataFrame | str | Path


def training_set(
    training: Codings | Sequence[Codings],
    codebook: Codebook,
    segments: pd.DataFrame,
    texts: dict[str, str] | None = None,
    read_too: Mapping[Path, int] | Sequence[str | Path] = (),
    run_documents: Sequence[Document] = (),
) -> Training:
    """Human codings (a CSV path or a DataFrame, or a list of them) checked against the
    codebook and the documents, and mapped onto ``segments``: the
    :class:`~qualcode.match.base.Training` set. From a list, every segment any of them coded
    is an example, with every code any of them gave it (:meth:`Training.union`): hand-coded
    interviews and the ``qualcode next`` sheets filled in after them teach together.

    ``read_too``: those of the files (or tables read from them) read only because the
    record of a run names them (:func:`qualcode.meta.earlier_codings`), each with how many
    records away it is (1 for a sequence): on a segment a file nearer codes too, theirs are
    left out (:func:`_nearest_decides`). ``run_documents``: the run's documents, so that codes
    naming them otherwise (another ``--ids``, a round trip through another program) find them
    (:mod:`qualcode.doc_names`)."""
    from .coded_words import as_this_run
    from .codings import check_codings, codes_as_ids, read_codings
    from .excerpts import is_excerpts, place_excerpts
    from .word_comments import keep_named_codes

    # one order whatever order the documents came in: the same codes teach the same model
    # (L-BFGS stops at a tolerance and sums in row order; a tree split can flip on the difference)
    segments = segments.sort_values([C.DOC_ID, C.SEGMENT_ID], key=order_key, kind="stable")
    sources = [training] if isinstance(training, pd.DataFrame | str | Path) else list(training)
    if not sources:
        raise OptionError("training is an empty list: give at least one codings file or table", option="training")
    bare = texts is None
    if texts is None:
        texts = _bare_texts(segments)
    away = {Path(path).resolve(): steps for path, steps in _steps(read_too).items()}
    parts: list[tuple[int, Training, str]] = []
    files = [source for source in sources if isinstance(source, str | Path)]
    for source in sources:
        apart = [other for other in files if other is not source]  # a tag output's copies: from the files
        codings = read_codings(source, read_apart=apart) if isinstance(source, str | Path) else source
        if codings.empty and codings.attrs.get("copies"):
            continue
        if run_documents and isinstance(source, str | Path):  # on transcripts changed since; named otherwise
            codings = as_this_run(codings, source, run_documents, segments)
        name = str(codings.attrs.get("source", source if isinstance(source, str | Path) else "training"))
        if is_excerpts(codings):  # the coded words, found in the texts
            if bare:
                raise OptionError(
                    f"{codings.attrs.get('source', 'training')}: its codes are excerpts (the coded words): give the "
                    "transcripts (a Corpus from qc.read_transcripts) rather than a segments table, so they can be found",
                    option="training",
                )
            codings = place_excerpts(codings, texts)
        codings = keep_named_codes(codes_as_ids(codings, codebook), codebook)  # Word comments: notes out
        check_codings(codings, codebook, texts)
        steps = away.get(Path(name).resolve(), 0) if name != "training" else 0
        parts.append((steps, Training.from_codings(codings, segments, codebook.ids), name))
    return _nearest_decides(parts, segments)


def _steps(read_too: Mapping[Path, int] | Sequence[str | Path]) -> dict[Path, int]:
    return dict(read_too) if isinstance(read_too, Mapping) else {Path(path): 1 for path in read_too}


def _nearest_decides(parts: list[tuple[int, Training, str]], segments: pd.DataFrame) -> Training:
    """The union of the training sets given, then, tier by tier, of the files read too only
    because a record names them (``steps`` records away) on the segments no nearer file
    codes: where two code a segment, the nearer decides, and files as near teach together
    (two coders' files given to one run). A ``next`` sheet filled in again and saved under
    another name (``to_code_v2.csv``) replaces the earlier filling that the record of a
    later run names: read as a union, a code the researcher took out of the sheet still
    taught."""
    import warnings

    from .errors import QualcodeWarning, counted

    found: Training | None = None
    nearer: list[tuple[str, set[tuple[str, int]]]] = []  # the files taken so far, and their segments
    for tier in sorted({steps for steps, _, _ in parts}):
        here = [(part, name) for steps, part, name in parts if steps == tier]
        if found is not None:
            kept, taken = [], found.keys  # the segments nearer files code
            for part, name in here:
                both = part.keys & taken
                if both:
                    over = [other for other, keys in nearer if keys & both]
                    warnings.warn(
                        QualcodeWarning(
                            f"{name} (read too, as a record names it) codes {counted(len(both), 'segment')} that "
                            f"{listed(over, 2)} {'codes' if len(over) == 1 else 'code'} too: there "
                            f"{'it decides' if len(over) == 1 else 'they decide'}, and {name}'s codes are left out "
                            "(a sheet filled in again replaces the earlier filling)"
                        ),
                        stacklevel=4,
                    )
                    part = part.without(both)
                if len(part.segments):
                    kept.append((part, name))
            here = kept
        if here:
            together = Training.union([part for part, _ in here], segments)
            found = together if found is None else Training.union([found, together], segments)
            nearer += [(name, part.keys) for part, name in here]
    return found if found is not None else Training.union([], segments)


def learned_segments(training: Sequence[str | Path], codebook: Codebook, corpus: Corpus) -> set[tuple[str, int]]:
    """``(doc_id, segment_id)`` of the segments of ``corpus`` a run that learned from the
    codings files ``training`` took as examples: their human codes were kept and nothing was
    scored on them, so an evaluation does not measure them. Files no longer there, or that no
    longer read, are passed over (the evaluation measures more then, never less)."""
    import warnings

    from .errors import QualcodeError

    files = [path for path in training if Path(path).is_file()]
    if not files:
        return set()
    texts = {doc.doc_id: doc.text for doc in corpus.documents}
    try:
        with warnings.catch_warnings():  # the run that learned from them said what they hold
            warnings.simplefilter("ignore")
            return training_set(files, codebook, corpus.segments, texts).keys
    except QualcodeError:
        return set()


def _bare_texts(segments: pd.DataFrame) -> dict[str, str]:
    """Stand-in texts of a bare segments table (no documents): each ends where its last
    segment ends, so the codings' offsets can be checked against it."""
    ends = segments.groupby(C.DOC_ID)[C.END_CHAR].max() if C.END_CHAR in segments else pd.Series(dtype=int)
    return {str(doc): " " * int(end) for doc, end in ends.items()}


def order_key(column: pd.Series) -> pd.Series:
    """Sort key of a segments table's ``doc_id`` (as text) and ``segment_id`` (as numbers):
    one order whatever order the documents came in."""
    return column.astype(str) if column.name == C.DOC_ID else pd.to_numeric(column, errors="coerce")


def with_training_documents(
    segments: pd.DataFrame, texts: dict[str, str] | None, extra: Corpus | None
) -> tuple[pd.DataFrame, dict[str, str] | None]:
    """The segments and texts a training set maps onto: the run's, and ``extra``'s when
    hand-coded transcripts outside the run teach too."""
    if extra is None or not extra.documents:
        return segments, texts
    if texts is None:
        texts = _bare_texts(segments)
    have = set(segments[C.DOC_ID].astype(str))  # a document in both: the run's own copy
    documents = [doc for doc in extra.documents if doc.doc_id not in have]
    more = extra.segments[~extra.segments[C.DOC_ID].astype(str).isin(have)]
    both = pd.concat([segments, more], ignore_index=True)
    return both, {**texts, **{doc.doc_id: doc.text for doc in documents}}
