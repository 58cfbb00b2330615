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

from .errors import InputFileError, OptionError, QualcodeError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .codebook import Codebook
    from .corpus import Corpus
    from .html_report import Report

PLOTS = ("heatmap", "multiples", "prevalence")


def corpus_for(
    coded: str | Path,
    inputs: Sequence[str | Path] | None = None,
    *,
    metadata: str | Path | None = None,
    segment_by: str | None = None,
) -> Corpus:
    """The corpus a codings file refers to, read exactly as the run that made it read it.

    ``inputs`` default to those recorded in ``CODED.meta.json``; so do the segmentation, the
    table columns (``text_column``, ``speaker_column`` …), the interviewers and the metadata
    file. ``metadata`` and ``segment_by`` replace the recorded ones when given.

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


def _run_segments(coded: str | Path) -> tuple[pd.DataFrame | None, str]:
    """:func:`coded_segments`, and why there are none."""
    from .meta import meta_path, read_meta

    meta = read_meta(coded)
    if meta is None or not meta.inputs:
        return None, f"no {meta_path(coded).name} beside {coded}"
    try:
        segments = corpus_for(coded).segments
    except QualcodeError as error:
        return None, str(error)
    return _counted(segments, meta.settings.include_interviewer), ""


def segments_for(coded: str | Path, codings: pd.DataFrame) -> pd.DataFrame | None:
    """The segments to count over for the codings read from ``coded``: every segment of its run
    (:func:`coded_segments`), so that uncoded segments count in N and in shares. None, with a
    :class:`~qualcode.errors.QualcodeWarning`, when some coded segment is not among them (the
    sources changed or were cut differently): counts then cover coded segments only."""
    import warnings

    from . import columns as C
    from .errors import QualcodeWarning

    segments, why = _run_segments(coded)
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


def _counted(segments: pd.DataFrame, include_interviewer: bool) -> pd.DataFrame:
    """The segments a run coded: interviewer turns only when it included them."""
    from . import columns as C

    if not include_interviewer and C.IS_INTERVIEWER in segments.columns:
        segments = segments[~segments[C.IS_INTERVIEWER].astype(bool)]
    return segments.reset_index(drop=True)


def agree_files(
    paths: Sequence[str | Path],
    *,
    inputs: Sequence[str | Path] | None = None,
    unit: str = "segment",
    segment_by: str = "auto",
    text_column: str | Sequence[str] | None = None,
    id_column: str | None = None,
    speaker_column: str | None = None,
    codebook: str | Path | Codebook | None = None,
) -> pd.DataFrame:
    """Inter-coder agreement of two or more codings files (one per coder, or with a
    ``coder`` column): see :func:`qualcode.agreement`. With ``codebook`` (default: the one the
    run that wrote one of ``paths`` recorded, named in ``.attrs["codebook_from"]``), a code
    written as its label or in other letter case (one coder's tool exports labels) is its id.

    ``unit="segment"`` uses the transcripts' segments (``inputs``, segmented by ``segment_by``);
    without them, codings in segment form (any ids: numbers or another tool's, such as a
    survey's ``ResponseId``) are compared over the union of the units the coders coded, as
    ``.attrs["units_from"]`` says. ``unit="character"`` needs no transcripts.
    ``text_column``, ``id_column``, ``speaker_column``: the columns of a survey or utterance
    table among ``inputs`` (:func:`qualcode.read_transcripts`).
    """
    from . import columns as C
    from .analysis.agreement import agreement
    from .codebook import Codebook, load_codebook
    from .codings import codes_as_ids, read_codings, warn_spelled_apart
    from .excerpts import is_excerpts, place_all
    from .io import read_transcripts
    from .word_comments import COMMENTS, keep_named_codes

    if not paths:
        raise OptionError("give two or more codings files", option="paths")
    given: dict[Path, str | Path] = {}
    for path in paths:
        if Path(path).resolve() in given:
            first = given[Path(path).resolve()]
            raise OptionError(f"{path}: given twice (as {first}); give each coder's file once", option="paths")
        given[Path(path).resolve()] = path
    frames = [read_codings(path, default_coder=Path(path).stem) for path in paths]
    codebook_from = None
    if codebook is None:  # the one a file's run recorded: an import's ids against a tool's labels
        from .meta import recorded_codebook

        found = recorded_codebook(paths, required=False)
        if found is not None:
            codebook_from, codebook = found
    if codebook is not None:  # labels, ids in other case or spacing: each code as its id
        book = codebook if isinstance(codebook, Codebook) else load_codebook(codebook)
        frames = [keep_named_codes(codes_as_ids(frame, book), book) for frame in frames]
    elif any(frame.attrs.get(COMMENTS) for frame in frames):
        import warnings

        from .errors import QualcodeWarning

        warnings.warn(
            QualcodeWarning(
                "Word comments read without a codebook: every comment counts as a code, notes too; give the codebook "
                "(-c) so that comments naming no code are left out"
            ),
            stacklevel=2,
        )
    table = pd.concat(frames, ignore_index=True)
    _check_comment_coders(frames, paths)
    warn_spelled_apart(table[C.CODE].astype(str))
    corpus = None
    if inputs:
        corpus = read_transcripts(
            list(inputs),
            segment_by=segment_by,
            text_column=text_column,
            id_column=id_column,
            speaker_column=speaker_column,
        )
    units_from = "the transcripts"
    if corpus is None:
        # the sources a codings file records (an imported project, a tag run), read and cut
        # exactly as that run did
        from .meta import read_meta

        for path in paths:
            meta = read_meta(path)
            if meta is not None and meta.inputs:
                corpus = corpus_for(path)
                units_from = f"the sources recorded in {Path(path).stem}.meta.json, segmented as that run did"
                break
    if corpus is None and all(Path(path).suffix.lower() in (".docx", ".odt") for path in paths):
        corpus = _word_transcripts([Path(path) for path in paths], segment_by)
        units_from = "the Word transcripts the coders commented"
    if any(is_excerpts(frame) for frame in frames):  # the coded words, found in the transcripts
        table = pd.concat(place_all(frames, corpus), ignore_index=True)
    segments = corpus.segments if corpus is not None else None
    if segments is None and unit == "segment":
        if C.SEGMENT_ID not in table.columns or C.START_CHAR in table.columns:
            raise OptionError(
                "unit 'segment' with span codings needs the transcripts: pass them as inputs", option="inputs"
            )
        # every unit is listed in the codings (a survey coded response by response): use their union
        segments = table[[C.DOC_ID, C.SEGMENT_ID]].drop_duplicates().reset_index(drop=True)
        units_from = "the union of the coded units (no transcripts given: units no coder coded are not counted)"
    texts = {doc.doc_id: doc.text for doc in corpus.documents} if corpus is not None else None
    result = agreement(table, unit=unit, segments=segments, texts=texts)
    result.attrs["units_from"] = units_from if unit == "segment" else "characters of the documents"
    result.attrs["codebook_from"] = codebook_from
    return result


def _check_comment_coders(frames: Sequence[pd.DataFrame], paths: Sequence[str | Path]) -> None:
    """Two commented copies of one transcript whose comments name the same coder would merge
    two people's codes into one (Word writes 'Author' for everyone when it removes personal
    information): an error naming the coder and the files."""
    from . import columns as C
    from .word_comments import COMMENTS

    seen: dict[tuple[str, str], str | Path] = {}
    for frame, path in zip(frames, paths, strict=True):
        if not frame.attrs.get(COMMENTS):
            continue
        for doc_id, coder in set(zip(frame[C.DOC_ID].astype(str), frame[C.CODER].astype(str), strict=True)):
            other = seen.setdefault((doc_id, coder), path)
            if other != path:
                raise OptionError(
                    f"{other} and {path} both hold comments by {coder!r} on {doc_id!r}: a comment's author is its "
                    "coder, and one coder's codes from two copies would merge (Word writes 'Author' when it removes "
                    "personal information); give each coder's codes under their own name",
                    option="paths",
                )


def _word_transcripts(paths: Sequence[Path], segment_by: str) -> Any:
    """Each coder's Word copy of a transcript read once (one per file name: the document);
    copies whose texts differ cannot hold comparable codes, and are an error."""
    from .io import read_transcripts

    first: dict[str, Path] = {}
    for path in paths:
        first.setdefault(path.stem, path)
    corpus = read_transcripts(list(first.values()), segment_by=segment_by)
    texts = {doc.doc_id: doc.text for doc in corpus.documents}
    named: dict[str, str] = {}
    for doc_id, text in texts.items():
        if text in named:  # ana.docx and ben.docx: one transcript, two documents, no unit both coded
            raise InputFileError(
                f"{first[doc_id]} and {first[named[text]]} hold the same transcript under two names, so no passage "
                "would be coded by both; name each coder's copy after the transcript (ana/d01.docx, ben/d01.docx)"
            )
        named[text] = doc_id
    for path in paths:
        if path != first[path.stem] and read_transcripts(path).documents[0].text != texts[path.stem]:
            raise InputFileError(
                f"{path}: its text differs from {first[path.stem]}'s, so their comments code other words; give each "
                "coder the same transcript to comment, or the transcript with --inputs"
            )
    return corpus


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
    draw = plot.small_multiples if kind == "multiples" else plot.heatmap
    return draw(result, measure=measure, cluster=cluster, labels=plot.code_labels(codebook))


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
) -> Report:
    """The browsable HTML report of a codings CSV (or table): codebook with top passages,
    frequencies, a co-occurrence heatmap whose cells open their passages, the same by group
    with the between-group test, agreement when two human coders are present, provenance.

    From a file, shares count every segment of its run and provenance comes from its
    ``.meta.json``. ``report(...).save("report.html")`` writes it; in Jupyter it shows itself.
    ``metadata``: a participants table (a path, or :func:`qualcode.read_metadata`'s table)
    joined onto codings that lack its columns, such as a coder's export (``by="role"``).
    ``order_by``: the column giving the order of fieldwork, for the saturation section.
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
            codings, book, by=by, measure=measure, min_score=min_score, title=title, order_by=order_by
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
        segments=_counted(everything, meta.settings.include_interviewer) if everything is not None and meta else None,
        all_segments=everything,
        provenance=meta.record if meta is not None else None,
        title=title,
        order_by=order_by,
    )
    result.warnings[:0] = notes
    return result
