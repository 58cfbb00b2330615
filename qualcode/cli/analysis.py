"""``qualcode matrix``, ``qualcode freq``, ``qualcode plot`` and ``qualcode report``."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from .common import check_output, handles_errors, warn

F = TypeVar("F", bound=Callable[..., Any])

MeasureOpt = Annotated[str, typer.Option(help="count, jaccard, overlap, conditional, lift or npmi.")]
UnitOpt = Annotated[str, typer.Option(help="Unit of analysis: segment, document, participant or window.")]
ByOpt = Annotated[
    list[str] | None,
    typer.Option("--by", help="Metadata column to group by (repeat for several: --by district --by role)."),
]
MinScoreOpt = Annotated[float | None, typer.Option(help="Count only codings scoring at least this.")]
LevelOpt = Annotated[
    int | None, typer.Option(help="Roll child codes up to this level (1: top-level); needs the codebook.")
]
CodebookOpt = Annotated[
    Path | None,
    typer.Option("--codebook", "-c", help="The codebook (code order, --level; default: the one CODED was made with)."),
]
FormatOpt = Annotated[str, typer.Option("--format", help="long (one row per group and code pair) or wide.")]
MetadataOpt = Annotated[
    Path | None,
    typer.Option(
        "--metadata",
        "-m",
        help="A participants table (doc_id and columns such as role, district) for codings that lack them.",
    ),
]


def _load(coded: Path, codebook: Path | None) -> tuple[Any, Any]:
    """The codings and codebook of an analysis command; without ``codebook``, the one CODED
    was made with when it is there unchanged (code order, labels, --level)."""
    from ..codebook import load_codebook
    from ..io.coded import read_coded
    from ..meta import recorded_codebook

    if codebook:
        return read_coded(coded), load_codebook(codebook)
    recorded = recorded_codebook([coded], required=False)
    return read_coded(coded), (recorded[1] if recorded else None)


def _inputs(coded: Path, codebook: Path | None, metadata: Path | None) -> tuple[Any, Any, Any]:
    """The codings, codebook and run segments of an analysis command, a participants table
    joined onto codings and segments when given (``--metadata``)."""
    from ..workflows import segments_for

    codings, book = _load(coded, codebook)
    segments = segments_for(coded, codings)
    if metadata is not None:
        codings, segments = _joined(codings, segments, metadata)
    return codings, book, segments


def _joined(codings: Any, segments: Any, metadata: Path) -> tuple[Any, Any]:
    from ..io.metadata import join_metadata, read_metadata

    table = read_metadata(metadata)
    codings, notes = join_metadata(codings, table, source=str(metadata))
    if segments is not None:
        segments, more = join_metadata(segments, table, source=str(metadata))
        notes = list(dict.fromkeys([*notes, *more]))
    warn(notes)
    return codings, segments


def _names_coded(command: F) -> F:
    """Decorator: a missing column (``--by role`` on codings made without participants) is
    named with the file it is missing from."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from ..errors import ColumnError

        try:
            return command(*args, **kwargs)
        except ColumnError as error:
            coded = kwargs.get("coded")
            if coded is None or str(error).startswith(str(coded)):
                raise
            raise ColumnError(f"{coded}: {error}") from None

    return wrapper  # type: ignore[return-value]


def _check_image(path: Path, inputs: list[Path | None]) -> None:
    from ..errors import OptionError

    if path.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise OptionError(f"{path}: give an image name ending in .png, .svg or .pdf")
    check_output(path, inputs=inputs)


def _save_figure(drawn: Any, path: Path, dpi: int) -> None:
    """Write a figure atomically in the format its name ends in, after telling what it left out."""
    from ..fileio import atomic_write

    warn(getattr(drawn, "notes", []))
    fmt = path.suffix.lower().lstrip(".")
    atomic_write(path, lambda tmp: drawn.savefig(tmp, dpi=dpi, format=fmt))


TableOut = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="The CSV to write; without it the table is printed."),
]


def _table_out(table: Any, output: Path | None) -> str:
    """Write ``table`` as the CSV ``output``, or print it (the same figures, aligned) when
    there is none; the summary line's ending."""
    from ..io.writers import write_csv

    if output is not None:
        write_csv(table, output)
        return f" -> {output}"
    from ..io.writers import printed_table

    typer.echo(printed_table(table))
    return ""


@handles_errors
@_names_coded
def matrix(
    coded: Annotated[Path, typer.Argument(help="A long codings CSV (from qualcode tag).")],
    output: TableOut = None,
    by: ByOpt = None,
    measure: MeasureOpt = "count",
    unit: UnitOpt = "segment",
    window: Annotated[int, typer.Option(help="Segments per window (--unit window).")] = 3,
    min_score: MinScoreOpt = None,
    level: LevelOpt = None,
    codebook: CodebookOpt = None,
    format: FormatOpt = "long",
    metadata: MetadataOpt = None,
    compare: Annotated[
        bool, typer.Option(help="Write the between-group comparison (Fisher / chi-square) instead.")
    ] = False,
) -> None:
    """Code co-occurrence matrix of CODED, overall or per group.

    Example: qualcode matrix coded.csv --by role --measure jaccard -o matrix.csv
    (without -o the table is printed).
    """
    from ..analysis.cooccurrence import cooccurrence, tidy
    from ..settings import table_format
    from ..workflows import compare_table

    if output is not None:
        check_output(output, csv=True, inputs=[coded, codebook, metadata])
    format = table_format(format)
    codings, book, segments = _inputs(coded, codebook, metadata)
    if compare:
        table = compare_table(
            codings, by, unit=unit, min_score=min_score, codebook=book, level=level, window=window, segments=segments
        )
        where = _table_out(table, output)
        typer.echo(
            f"{len(table)} code pairs compared, {int(table['differs'].sum()) if len(table) else 0} differ "
            f"(Benjamini-Hochberg p < 0.05){where}",
            err=True,
        )
        return
    result = cooccurrence(
        codings,
        unit=unit,
        by=by or None,
        measure=measure,
        min_score=min_score,
        codebook=book,
        level=level,
        window=window,
        segments=segments,
    )
    where = _table_out(tidy(result, measure) if format == "long" else result.reset_index(), output)
    shape = "the full square"
    if format == "long":
        shape = (
            "every ordered pair (conditional is asymmetric)"
            if measure == "conditional"
            else "each pair once (code_a before or equal to code_b; the measure is symmetric); --format wide "
            "writes the full square"
        )
    typer.echo(
        f"{result.shape[1]} codes, {measure}, unit {unit}{', by ' + ', '.join(by) if by else ''}: {shape}{where}",
        err=True,
    )


@handles_errors
@_names_coded
def freq(
    coded: Annotated[Path, typer.Argument(help="A long codings CSV (from qualcode tag).")],
    output: TableOut = None,
    by: ByOpt = None,
    count: Annotated[
        str, typer.Option(help="Count segments, documents, participants, or a column's values (district).")
    ] = "segment",
    min_score: MinScoreOpt = None,
    level: LevelOpt = None,
    codebook: CodebookOpt = None,
    format: Annotated[str, typer.Option("--format", help="long (one row per group and code) or wide.")] = "long",
    metadata: MetadataOpt = None,
) -> None:
    """How many segments / documents / participants / districts hold each code, per group.

    Shares count every segment of the run that wrote CODED (read through its .meta.json),
    also those that got no code.

    Example: qualcode freq coded.csv --by role --count district -o freq.csv
    (without -o the table is printed).
    """
    from ..analysis.frequencies import frequencies, frequency_table
    from ..settings import table_format

    if output is not None:
        check_output(output, csv=True, inputs=[coded, codebook, metadata])
    format = table_format(format)
    codings, book, segments = _inputs(coded, codebook, metadata)
    table = frequencies(
        codings, by=by or None, count=count, min_score=min_score, codebook=book, level=level, segments=segments
    )
    where = _table_out(table if format == "long" else frequency_table(table).reset_index(), output)
    typer.echo(
        f"{table['code'].nunique()} codes counted by {count}{', by ' + ', '.join(by) if by else ''}{where}",
        err=True,
    )


@handles_errors
@_names_coded
def plot(
    kind: Annotated[str, typer.Argument(help="heatmap, multiples (one heatmap per group, needs --by) or prevalence.")],
    coded: Annotated[Path, typer.Argument(help="A long codings CSV (from qualcode tag).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The image to write (.png, .svg or .pdf).")],
    by: ByOpt = None,
    measure: MeasureOpt = "count",
    unit: UnitOpt = "segment",
    count: Annotated[
        str, typer.Option(help="prevalence: what is counted (segment, document, participant, district).")
    ] = "document",
    min_score: MinScoreOpt = None,
    level: LevelOpt = None,
    codebook: CodebookOpt = None,
    cluster: Annotated[bool, typer.Option(help="Order codes by hierarchical clustering.")] = False,
    dpi: Annotated[int, typer.Option(help="Resolution of raster images.")] = 150,
    metadata: MetadataOpt = None,
) -> None:
    """Draw a co-occurrence heatmap, small multiples per group, or code prevalence by group.

    Example: qualcode plot multiples coded.csv --by role --measure jaccard -o roles.png
    """
    from ..errors import InputFileError, OptionError
    from ..workflows import PLOTS, figure

    if kind not in PLOTS:
        raise OptionError(f"unknown plot {kind!r}; choose one of: {', '.join(PLOTS)}")
    _check_image(output, inputs=[coded, codebook, metadata])
    codings, book, segments = _inputs(coded, codebook, metadata)
    if not len(codings):
        raise InputFileError(f"{coded}: holds no codings, so there is nothing to draw")
    drawn = figure(
        kind,
        codings,
        by=by,
        measure=measure,
        unit=unit,
        count=count,
        min_score=min_score,
        codebook=book,
        level=level,
        cluster=cluster,
        segments=segments,
    )
    _save_figure(drawn, output, dpi)
    typer.echo(f"{kind} -> {output}", err=True)


@handles_errors
@_names_coded
def report(
    coded: Annotated[Path, typer.Argument(help="A long codings CSV (from qualcode tag or review).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The HTML file to write.")],
    codebook: Annotated[
        Path | None,
        typer.Option(
            "--codebook",
            "-c",
            help="The codebook (labels, definitions, code order; default: the one CODED was made with).",
        ),
    ] = None,
    by: ByOpt = None,
    measure: MeasureOpt = "count",
    min_score: MinScoreOpt = None,
    title: Annotated[str | None, typer.Option(help="The report's title (default: the codebook's name).")] = None,
    metadata: MetadataOpt = None,
    order_by: Annotated[
        str | None,
        typer.Option(help="Saturation section: the column giving the order of fieldwork (interview_date)."),
    ] = None,
    within: Annotated[
        str | None,
        typer.Option(help="A section on connections between the participants of each group of this column (district)."),
    ] = None,
    evaluation: Annotated[
        list[str] | None,
        typer.Option("--evaluation", help="With --within: an evaluation code to show per participant (repeat)."),
    ] = None,
) -> None:
    """Write a self-contained HTML report: codebook with top passages, frequencies, a
    co-occurrence heatmap whose cells open the passages behind them, the same by group with
    the between-group test, connections within districts (--within), agreement and
    disagreements of two coders, provenance.

    Example: qualcode report coded.csv -c codebooks/caring_schools.yaml --by role -o report.html
    """
    from ..errors import OptionError
    from ..workflows import report as build

    if output.suffix.lower() not in (".html", ".htm"):
        raise OptionError(f"{output}: give a file name ending in .html")
    check_output(output, inputs=[coded, codebook, metadata])
    if output.resolve() == coded.resolve():
        raise OptionError(f"{output}: the report would overwrite its input")
    if evaluation and within is None:
        raise OptionError("--evaluation goes with --within (the groups whose participants are compared: district)")
    result = build(
        coded,
        codebook,
        by=by,
        measure=measure,
        min_score=min_score,
        title=title,
        metadata=metadata,
        order_by=order_by,
        within=within,
        evaluations=evaluation or (),
    )
    warn(result.warnings)
    result.save(output)
    summary = result.summary
    typer.echo(
        f"{summary['coded segments']} coded segments of {summary['segments']}, {summary['codes']} codes "
        f"({len(result.html) / 1e6:.1f} MB) -> {output}",
        err=True,
    )


@handles_errors
@_names_coded
def saturation(
    coded: Annotated[Path, typer.Argument(help="A long codings CSV (from qualcode tag, review or import).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The CSV to write: one row per document.")],
    order_by: Annotated[
        str | None,
        typer.Option(
            help="The column giving the order documents were collected or coded in (interview_date as "
            "YYYY-MM-DD, participant, doc_id); default: the order of the run."
        ),
    ] = None,
    base: Annotated[int, typer.Option(help="Base size: the first documents whose codes are the base.")] = 4,
    run: Annotated[int, typer.Option(help="Run length: documents that must bring (almost) nothing new.")] = 2,
    threshold: Annotated[
        float, typer.Option(help="New-information threshold: new codes in a run as a share of the base's.")
    ] = 0.05,
    by: ByOpt = None,
    metadata: MetadataOpt = None,
    reviewed: Annotated[
        bool, typer.Option("--reviewed", help="Count only human and accepted rows (not suggestions).")
    ] = False,
    min_score: MinScoreOpt = None,
    level: LevelOpt = None,
    codebook: CodebookOpt = None,
    orders: Annotated[int, typer.Option(help="Random orders of the same documents to compare with (0: none).")] = 1000,
    seed: Annotated[int, typer.Option(help="Seed of the random orders.")] = 0,
    figure: Annotated[Path | None, typer.Option("--figure", help="Also draw the curve (.png, .svg or .pdf).")] = None,
) -> None:
    """New codes per document and where saturation is reached (Guest, Namey & Chen 2020),
    in the order read and over random orders.

    Example: qualcode saturation coded.csv --order-by interview_date --reviewed -o saturation.csv
    """
    from ..analysis.saturation import saturation as compute
    from ..errors import InputFileError
    from ..io.writers import write_csv

    check_output(output, csv=True, inputs=[coded, codebook, metadata])
    if figure is not None:
        _check_image(figure, inputs=[coded, codebook, metadata, output])
    codings, book, segments = _inputs(coded, codebook, metadata)
    if not len(codings):
        raise InputFileError(f"{coded}: holds no codings, so no code was found in any document")
    result = compute(
        codings,
        segments=segments,
        order_by=order_by,
        base=base,
        run=run,
        threshold=threshold,
        by=by or None,
        reviewed=reviewed,
        min_score=min_score,
        codebook=book,
        level=level,
        orders=orders,
        seed=seed,
    )
    warn(result.notes)
    drawn = result.figure() if figure is not None else None
    write_csv(result.documents, output)
    if drawn is not None and figure is not None:
        _save_figure(drawn, figure, 150)
    lines = result.sentences()
    lines[-1] += f" -> {output}" + (f", {figure}" if figure is not None else "")
    for line in lines:
        typer.echo(line, err=True)
