"""The steps behind the commands that combine several library calls, as functions a notebook
can call too: the corpus a codings file refers to, agreement and evaluation from files, the
between-group comparison, the figure of a ``plot`` kind, and the rows an export keeps.

Each ``qualcode`` command is a thin wrapper over one of these (or over another public
function); none of them prints or exits.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from .agreeing import agree_files
from .errors import ColumnError, OptionError, QualcodeError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .codebook import Codebook
    from .corpus import Corpus
    from .html_report import Report

PLOTS = ("heatmap", "multiples", "prevalence")
__all__ = ["agree_files", "compare_table", "corpus_for", "export_filter", "figure", "report", "segments_for"]


def corpus_for(
    coded: str | Path,
    inputs: Sequence[str | Path] | None = None,
    *,
    metadata: str | Path | None = None,
    segment_by: str | None = None,
    check: bool = True,
) -> Corpus:
    """The corpus a codings file refers to, read exactly as the run that made it read it.

    ``inputs`` default to those recorded in ``CODED.meta.json``; so do the segmentation, the
    table columns (``text_column``, ``speaker_column`` …), the interviewers and the metadata
    file. ``metadata`` and ``segment_by`` replace the recorded ones when given. ``check=False``
    for human codes, which follow their words (:mod:`qualcode.coded_words`).

    Raises
    ------
    InputFileError
        A transcript changed since the run (its SHA-256 differs from the recorded one): the
        codings' offsets would point at other words.
    """
    from .io import read_transcripts
    from .sources import check_unchanged

    names, options = reading_for(coded, inputs, metadata=metadata, segment_by=segment_by)
    corpus = read_transcripts(names, **options)
    if check:
        check_unchanged(corpus, coded)
    return corpus


def reading_for(
    coded: str | Path,
    inputs: Sequence[str | Path] | None,
    *,
    metadata: str | Path | None,
    segment_by: str | None,
) -> tuple[list[str | Path], dict[str, Any]]:
    """The inputs and the :func:`qualcode.read_transcripts` options of :func:`corpus_for`."""
    from .meta import meta_path, read_meta

    meta = read_meta(coded)
    options: dict[str, Any] = meta.read_options() if meta is not None else {}
    if not inputs:
        inputs = list(meta.inputs) if meta is not None else []
    if not inputs:
        raise OptionError(
            f"{coded}: no {meta_path(coded).name} beside it; pass the transcripts as inputs", option="inputs"
        )
    if metadata is not None:
        options["metadata"] = str(metadata)
    if segment_by is not None:
        options["segment_by"] = segment_by
    return list(inputs), options


def coded_segments(coded: str | Path) -> pd.DataFrame | None:
    """Every segment the run that wrote ``coded`` coded, also those that got no code (so that
    shares and N count all of them), read through its ``.meta.json``; None without one or
    when its inputs are no longer there or have changed."""
    return _run_segments(coded)[0]


def _run_segments(coded: str | Path, codings: pd.DataFrame | None = None) -> tuple[pd.DataFrame | None, str]:
    """:func:`coded_segments`, and why there are none."""
    from .meta import meta_path, read_meta

    meta = read_meta(coded)
    if meta is None or not meta.inputs:
        return None, f"no {meta_path(coded).name} beside {coded}"
    try:
        segments = corpus_for(coded).segments
    except QualcodeError as error:
        return None, str(error)
    return _counted(segments, meta.settings.include_interviewer, codings), ""


def segments_for(coded: str | Path, codings: pd.DataFrame) -> pd.DataFrame | None:
    """The segments to count over for the codings read from ``coded``: every segment of its run
    (:func:`coded_segments`), so that uncoded segments count in N and in shares. None, with a
    :class:`~qualcode.errors.QualcodeWarning`, when some coded segment is not among them (the
    sources changed or were cut differently): counts then cover coded segments only."""
    import warnings

    from . import columns as C
    from .errors import QualcodeWarning

    segments, why = _run_segments(coded, codings)
    if segments is None and C.SEGMENT_ID in codings.columns and len(codings):
        warnings.warn(
            f"{why}: N and shares count only the segments that hold a coding (keep the .meta.json that tag and "
            "review write beside the CSV, and the transcripts as they were)",
            QualcodeWarning,
            stacklevel=2,
        )
    if segments is None or C.SEGMENT_ID not in codings.columns:
        return None

    def keys(table: pd.DataFrame) -> set[tuple[str, str]]:
        ids = pd.to_numeric(table[C.SEGMENT_ID], errors="coerce")
        text = table[C.SEGMENT_ID].astype(str).where(ids.isna(), ids.astype("Int64").astype(str))
        return set(zip(table[C.DOC_ID].astype(str), text, strict=True))

    outside = keys(codings.dropna(subset=[C.SEGMENT_ID])) - keys(segments)
    if outside:
        warnings.warn(
            f"{len(outside)} coded segments of {coded} are not among the {len(segments)} segments its run "
            "coded (interviewer turns, or sources changed): N and shares count coded segments only",
            QualcodeWarning,
            stacklevel=2,
        )
        return None
    return segments


def _counted(segments: pd.DataFrame, include_interviewer: bool, codings: pd.DataFrame | None) -> pd.DataFrame:
    """The segments a run coded: interviewer turns when it included them, or when some of
    ``codings`` lie on them (a teacher's talk moves read from the sheet the run tagged):
    the analysis then makes every interviewer turn a unit and says so
    (:func:`qualcode.analysis.units.analysed`)."""
    from . import columns as C
    from .analysis.units import on_interviewer_turns

    dropped = not include_interviewer and C.IS_INTERVIEWER in segments.columns
    if dropped and (codings is None or not on_interviewer_turns(segments, codings)):
        segments = segments[~segments[C.IS_INTERVIEWER].astype(bool)]
    return segments.reset_index(drop=True)


def compare_table(
    codings: pd.DataFrame,
    by: Sequence[str] | None,
    *,
    unit: str = "segment",
    min_score: float | None = None,
    codebook: Codebook | None = None,
    level: int | None = None,
    window: int = 3,
    segments: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The between-group comparison of co-occurrence (:func:`qualcode.compare_groups`);
    ``by`` names the groups and is required."""
    from .analysis.cooccurrence import compare_groups

    if not by:
        raise OptionError("comparing needs by (the groups to compare)", option="by")
    return compare_groups(
        codings,
        by=list(by),
        unit=unit,
        min_score=min_score,
        codebook=codebook,
        level=level,
        window=window,
        segments=segments,
    )


def figure(
    kind: str,
    codings: pd.DataFrame,
    *,
    by: Sequence[str] | None = None,
    measure: str = "count",
    unit: str = "segment",
    count: str = "document",
    min_score: float | None = None,
    codebook: Codebook | None = None,
    level: int | None = None,
    cluster: bool = False,
    segments: pd.DataFrame | None = None,
) -> Figure:
    """The figure of a ``plot`` kind: ``heatmap`` (one co-occurrence matrix), ``multiples``
    (one heatmap per group of ``by``) or ``prevalence`` (code frequencies by group).

    A heatmap is one matrix: asking it for groups (``by``) is refused, as is ``multiples``
    without ``by``, rather than drawing something other than what was asked.
    """
    from . import plot
    from .analysis.cooccurrence import cooccurrence
    from .analysis.frequencies import frequencies

    if kind not in PLOTS:
        raise OptionError(f"kind {kind!r} is not one of: {', '.join(PLOTS)}", option="kind")
    if kind == "prevalence":
        table = frequencies(
            codings,
            by=list(by) if by else None,
            count=count,
            min_score=min_score,
            codebook=codebook,
            level=level,
            segments=segments,
        )
        if table.empty:
            raise ColumnError(_NOTHING_TO_DRAW)
        return plot.prevalence(table, labels=plot.code_labels(codebook))
    if kind == "heatmap" and by:
        raise OptionError("a heatmap draws one matrix; for one per group use kind 'multiples'", option="by")
    if kind == "multiples" and not by:
        raise OptionError("small multiples draw one heatmap per group: give by (e.g. role)", option="by")
    result = cooccurrence(
        codings,
        unit=unit,
        by=list(by) if kind == "multiples" and by else None,
        measure=measure,
        min_score=min_score,
        codebook=codebook,
        level=level,
        segments=segments,
    )
    if result.shape[1] == 0 or result.empty:
        raise ColumnError(_NOTHING_TO_DRAW)
    draw = plot.small_multiples if kind == "multiples" else plot.heatmap
    return draw(result, measure=measure, cluster=cluster, labels=plot.code_labels(codebook))


_NOTHING_TO_DRAW = (
    "the codings hold no code on any segment (above min_score, if given): nothing to draw; plot codings that "
    "hold codes (a tag output with suggestions, or reviewed and human rows)"
)


def export_filter(
    codings: pd.DataFrame, *, min_score: float | None = None, include_rejected: bool = False
) -> pd.DataFrame:
    """The rows an export keeps: reviewed and human rows always; suggestions scoring at
    least ``min_score``; rejected rows only with ``include_rejected``."""
    from . import columns as C
    from .review import with_status

    table = with_status(codings)
    status = table[C.STATUS]
    keep = pd.Series(True, index=table.index)
    if min_score is not None:
        keep &= ~(status.eq("suggested") & (table[C.SCORE] < min_score))
    if not include_rejected:
        keep &= ~status.eq("rejected")
    return table[keep].reset_index(drop=True)


def report(
    coded: str | Path | pd.DataFrame,
    codebook: str | Path | Codebook | None = None,
    *,
    by: str | Sequence[str] | None = None,
    measure: str = "count",
    min_score: float | None = None,
    title: str | None = None,
    metadata: str | Path | pd.DataFrame | None = None,
    order_by: str | None = None,
    within: str | None = None,
    evaluations: Sequence[str] = (),
) -> Report:
    """The browsable HTML report of a codings CSV (or table): codebook with top passages,
    frequencies, a co-occurrence heatmap whose cells open their passages, the same by group
    with the between-group test, agreement when two human coders are present, provenance.

    From a file, shares count every segment of its run and provenance comes from its
    ``.meta.json``. ``report(...).save("report.html")`` writes it; in Jupyter it shows itself.
    ``metadata``: a participants table (a path, or :func:`qualcode.read_metadata`'s table)
    joined onto codings that lack its columns, such as a coder's export (``by="role"``).
    ``order_by``: the column giving the order of fieldwork, for the saturation section.
    ``within`` (``"district"``) and ``evaluations`` (``["strength", "growth_area"]``): a
    section on connections between each district's participants (:func:`qualcode.connections`).
    """
    from .codebook import load_codebook
    from .html_report import build_report
    from .io.coded import read_coded
    from .io.metadata import join_metadata
    from .meta import read_meta, recorded_codebook

    book = load_codebook(codebook) if isinstance(codebook, str | Path) else codebook
    people: pd.DataFrame | None = None
    notes: list[str] = []
    where = str(metadata) if isinstance(metadata, str | Path) else "metadata"
    if metadata is not None:
        from .io.metadata import read_metadata

        people = read_metadata(metadata) if isinstance(metadata, str | Path) else metadata
    if isinstance(coded, pd.DataFrame):
        codings = coded
        if people is not None:
            codings, notes = join_metadata(codings, people, source=where)
        result = build_report(
            codings,
            book,
            by=by,
            measure=measure,
            min_score=min_score,
            title=title,
            order_by=order_by,
            within=within,
            evaluations=evaluations,
        )
        result.warnings[:0] = notes
        return result
    meta = read_meta(coded)
    if book is None and (recorded := recorded_codebook([coded], required=False)) is not None:
        book = recorded[1]
    everything = None
    if meta is not None and meta.inputs:
        try:
            everything = corpus_for(coded).segments
        except QualcodeError as error:
            import warnings

            from .errors import QualcodeWarning

            warnings.warn(QualcodeWarning(f"{error}: the report counts only coded segments"), stacklevel=2)
            everything = None
    codings = read_coded(coded)
    if people is not None:
        codings, notes = join_metadata(codings, people, source=where)
        if everything is not None:
            everything, more = join_metadata(everything, people, source=where)
            notes = list(dict.fromkeys([*notes, *more]))
    result = build_report(
        codings,
        book,
        by=by,
        measure=measure,
        min_score=min_score,
        segments=_counted(everything, meta.settings.include_interviewer, codings)
        if everything is not None and meta
        else None,
        all_segments=everything,
        provenance=meta.record if meta is not None else None,
        title=title,
        order_by=order_by,
        within=within,
        evaluations=evaluations,
    )
    result.warnings[:0] = notes
    return result
