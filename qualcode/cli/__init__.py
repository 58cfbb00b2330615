"""The ``qualcode`` command: thin typer commands over the public API.

A :class:`~qualcode.errors.QualcodeError` becomes one line on stderr and exit code 2;
nothing is written when a run fails.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .. import __version__
from ..errors import QualcodeError
from .common import InputsOpt, check_output, corpus_for, fail, progress, warn

app = typer.Typer(
    name="qualcode",
    help="Reproducible qualitative coding of interview transcripts.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"qualcode {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Reproducible qualitative coding of interview transcripts."""


@app.command()
def tag(
    inputs: Annotated[
        list[Path], typer.Argument(help="Transcript files or folders (.txt .md .docx .vtt .srt .csv .xlsx).")
    ],
    codebook: Annotated[Path, typer.Option("--codebook", "-c", help="The YAML codebook.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The CSV to write (a .meta.json goes beside it).")],
    metadata: Annotated[
        Path | None, typer.Option("--metadata", "-m", help="Participants CSV joined on doc_id.")
    ] = None,
    metadata_key: Annotated[str, typer.Option(help="Column of --metadata holding the document id.")] = "doc_id",
    unit: Annotated[str, typer.Option(help="auto, turn, paragraph, sentence or window.")] = "auto",
    method: Annotated[str, typer.Option(help="hybrid (default), keyword or embedding.")] = "hybrid",
    min_score: Annotated[
        float | None,
        typer.Option(help="Drop suggestions scoring below this (0-1); default: keyword 0, embedding 0.3, hybrid 0.4."),
    ] = None,
    top_k: Annotated[int | None, typer.Option(help="Keep at most K codes per segment.")] = None,
    format: Annotated[
        str, typer.Option("--format", help="long (segment x code rows) or wide (one row per segment).")
    ] = "long",
    include_interviewer: Annotated[bool, typer.Option(help="Also code interviewer turns.")] = False,
    interviewer: Annotated[
        list[str] | None, typer.Option(help="Speaker name to treat as interviewer (repeatable).")
    ] = None,
    text_column: Annotated[str | None, typer.Option(help="CSV/XLSX column holding the text.")] = None,
    id_column: Annotated[str | None, typer.Option(help="CSV/XLSX column holding the respondent/document id.")] = None,
    speaker_column: Annotated[
        str | None, typer.Option(help="CSV/XLSX column holding the speaker (rows are turns).")
    ] = None,
    encoding: Annotated[str | None, typer.Option(help="Force a text encoding (default: detect).")] = None,
    model: Annotated[
        Path | None, typer.Option(help="A sentence-transformers model folder (default: the packaged all-MiniLM-L6-v2).")
    ] = None,
    cache: Annotated[Path | None, typer.Option(help="Embedding cache folder (default: the user cache folder).")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not read or write the embedding cache.")] = False,
    previous: Annotated[
        Path | None,
        typer.Option(help="Earlier codings to merge with (default: OUT.csv itself when it holds reviewed rows)."),
    ] = None,
    fresh: Annotated[
        bool, typer.Option("--fresh", help="Do not merge with OUT.csv; reviewed rows in it are kept in OUT.csv.bak.")
    ] = False,
    train: Annotated[
        Path | None,
        typer.Option(
            help="Human codings CSV (doc_id,start_char,end_char,code[,coder]) to learn a classifier per code from."
        ),
    ] = None,
) -> None:
    """Suggest codes for every segment of INPUTS and write them to a CSV.

    Example: qualcode tag examples/interviews -c codebooks/caring_schools.yaml
    -m examples/interviews/participants.csv -o coded.csv
    """
    from ..pipeline import tag as run_tag

    try:
        with progress("coding"):
            result = run_tag(
                inputs,
                codebook,
                output,
                metadata=metadata,
                metadata_key=metadata_key,
                unit=unit,
                method=method,
                min_score=min_score,
                top_k=top_k,
                format=format,
                include_interviewer=include_interviewer,
                interviewers=interviewer or None,
                text_column=text_column,
                id_column=id_column,
                speaker_column=speaker_column,
                encoding=encoding,
                model=model,
                cache=None if no_cache else (cache or "default"),
                training=train,
                previous=None if fresh else (previous or "auto"),
            )
    except QualcodeError as error:
        fail(error)
    warn(result.warnings)
    typer.echo(result.summary(), err=True)


@app.command()
def validate(codebook: Annotated[Path, typer.Argument(help="The YAML codebook to check.")]) -> None:
    """Check a codebook; print every problem with its line, exit non-zero if any."""
    from ..codebook import load_codebook
    from ..errors import CodebookError

    try:
        book = load_codebook(codebook)
    except CodebookError as error:
        if error.problems:
            for problem in error.problems:
                typer.echo(problem, err=True)
            typer.echo(f"{codebook}: {len(error.problems)} problem(s)", err=True)
            raise typer.Exit(code=2) from None
        fail(error)
    except QualcodeError as error:
        fail(error)
    typer.echo(f"{codebook}: valid: {len(book.ids)} codes, sha256 {book.hash[:12]}")


MeasureOpt = Annotated[str, typer.Option(help="count, jaccard, overlap, conditional, lift or npmi.")]
UnitOpt = Annotated[str, typer.Option(help="segment, document, participant or window.")]
ByOpt = Annotated[
    list[str] | None,
    typer.Option("--by", help="Metadata column to group by (repeat for several: --by district --by role)."),
]
MinScoreOpt = Annotated[float | None, typer.Option(help="Count only codings scoring at least this.")]
LevelOpt = Annotated[int | None, typer.Option(help="Roll child codes up to this level (1: top-level); needs -c.")]
CodebookOpt = Annotated[Path | None, typer.Option("--codebook", "-c", help="The codebook (code order, --level).")]


def _load(coded: Path, codebook: Path | None, format: str = "tidy"):
    """The codings and codebook of an analysis command, after checking its ``--format``."""
    from ..codebook import load_codebook
    from ..errors import OptionError
    from ..io.coded import read_coded

    if format not in ("tidy", "wide"):
        raise OptionError(f"unknown format {format!r}; choose tidy or wide")
    return read_coded(coded), (load_codebook(codebook) if codebook else None)


@app.command()
def matrix(
    coded: Annotated[Path, typer.Argument(help="A long codings CSV (from qualcode tag).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The CSV to write.")],
    by: ByOpt = None,
    measure: MeasureOpt = "count",
    unit: UnitOpt = "segment",
    window: Annotated[int, typer.Option(help="Segments per window (--unit window).")] = 3,
    min_score: MinScoreOpt = None,
    level: LevelOpt = None,
    codebook: CodebookOpt = None,
    format: Annotated[str, typer.Option("--format", help="tidy (one row per group and code pair) or wide.")] = "tidy",
    compare: Annotated[
        bool, typer.Option(help="Write the between-group comparison (Fisher / chi-square) instead.")
    ] = False,
) -> None:
    """Code co-occurrence matrix of CODED, overall or per group.

    Example: qualcode matrix coded.csv --by role --measure jaccard -o matrix.csv
    """
    from ..analysis.cooccurrence import compare_groups, cooccurrence, tidy
    from ..io.writers import write_csv

    try:
        check_output(output)
        codings, book = _load(coded, codebook, format)
        if compare:
            if not by:
                from ..errors import OptionError

                raise OptionError("--compare needs --by (the groups to compare)")
            table = compare_groups(
                codings, by=by, unit=unit, min_score=min_score, codebook=book, level=level, window=window
            )
            write_csv(table, output)
            typer.echo(
                f"{len(table)} code pairs compared, {int(table['differs'].sum()) if len(table) else 0} differ "
                f"(Benjamini-Hochberg p < 0.05) -> {output}",
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
        )
        write_csv(tidy(result, measure) if format == "tidy" else result.reset_index(), output)
    except QualcodeError as error:
        fail(error)
    typer.echo(
        f"{result.shape[1]} codes, {measure}, unit {unit}{', by ' + ', '.join(by) if by else ''} -> {output}", err=True
    )


@app.command()
def freq(
    coded: Annotated[Path, typer.Argument(help="A long codings CSV (from qualcode tag).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The CSV to write.")],
    by: ByOpt = None,
    count: Annotated[
        str, typer.Option(help="Count segments, documents, participants, or a column's values (district).")
    ] = "segment",
    min_score: MinScoreOpt = None,
    level: LevelOpt = None,
    codebook: CodebookOpt = None,
    format: Annotated[str, typer.Option("--format", help="tidy (one row per group and code) or wide.")] = "tidy",
) -> None:
    """How many segments / documents / participants / districts hold each code, per group.

    Example: qualcode freq coded.csv --by role --count district -o freq.csv
    """
    from ..analysis.frequencies import frequencies, frequency_table
    from ..io.writers import write_csv

    try:
        check_output(output)
        codings, book = _load(coded, codebook, format)
        table = frequencies(codings, by=by or None, count=count, min_score=min_score, codebook=book, level=level)
        write_csv(table if format == "tidy" else frequency_table(table).reset_index(), output)
    except QualcodeError as error:
        fail(error)
    typer.echo(
        f"{table['code'].nunique()} codes counted by {count}{', by ' + ', '.join(by) if by else ''} -> {output}",
        err=True,
    )


PLOTS = ("heatmap", "multiples", "prevalence")


@app.command()
def plot(
    kind: Annotated[str, typer.Argument(help="heatmap, multiples (one heatmap per group) or prevalence.")],
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
) -> None:
    """Draw a co-occurrence heatmap, small multiples per group, or code prevalence by group.

    Example: qualcode plot multiples coded.csv --by role --measure jaccard -o roles.png
    """
    from .. import plot as plots
    from ..analysis.cooccurrence import cooccurrence
    from ..analysis.frequencies import frequencies
    from ..errors import OptionError
    from ..fileio import atomic_write

    try:
        if kind not in PLOTS:
            raise OptionError(f"unknown plot {kind!r}; choose one of: {', '.join(PLOTS)}")
        if output.suffix.lower() not in (".png", ".svg", ".pdf"):
            raise OptionError(f"{output}: give an image name ending in .png, .svg or .pdf")
        check_output(output)
        codings, book = _load(coded, codebook)
        if kind == "prevalence":
            figure = plots.prevalence(
                frequencies(codings, by=by or None, count=count, min_score=min_score, codebook=book, level=level)
            )
        else:
            result = cooccurrence(
                codings,
                unit=unit,
                by=by or None if kind == "multiples" else None,
                measure=measure,
                min_score=min_score,
                codebook=book,
                level=level,
            )
            draw = plots.small_multiples if kind == "multiples" else plots.heatmap
            figure = draw(result, measure=measure, cluster=cluster)
        fmt = output.suffix.lower().lstrip(".")
        atomic_write(output, lambda tmp: figure.savefig(tmp, dpi=dpi, format=fmt))
    except QualcodeError as error:
        fail(error)
    typer.echo(f"{kind} -> {output}", err=True)


@app.command()
def review(
    coded: Annotated[Path, typer.Argument(help="A long codings CSV (from qualcode tag), possibly edited by hand.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The reviewed CSV to write.")],
    accept_above: Annotated[float | None, typer.Option(help="Accept suggestions scoring at least this.")] = None,
    reject_below: Annotated[float | None, typer.Option(help="Reject suggestions scoring below this.")] = None,
    code: Annotated[list[str] | None, typer.Option(help="Only for this code (repeatable).")] = None,
    coder: Annotated[str, typer.Option(help="Reviewer name recorded in the coder column.")] = "reviewer",
) -> None:
    """Accept or reject suggestions by score, or check a CSV whose status column you edited.

    Statuses: suggested, accepted, rejected, human. Human rows are never changed.
    Example: qualcode review coded.csv --accept-above 0.7 --reject-below 0.45 --coder ana -o reviewed.csv
    """
    from ..io.coded import read_coded
    from ..io.writers import write_csv
    from ..review import accept, check_statuses, reject

    try:
        check_output(output)
        table = check_statuses(read_coded(coded))
        if accept_above is not None:
            table = accept(table, code=code, min_score=accept_above, coder=coder)
        if reject_below is not None:
            table = reject(table, code=code, max_score=reject_below, coder=coder)
        write_csv(table, output)
    except QualcodeError as error:
        fail(error)
    counts = table["status"].value_counts()
    summary = ", ".join(f"{counts.get(s, 0)} {s}" for s in ("suggested", "accepted", "rejected", "human"))
    typer.echo(f"{summary} -> {output}", err=True)


@app.command()
def agree(
    codings: Annotated[
        list[Path], typer.Argument(help="Two or more human codings CSVs (one per coder, or with a coder column).")
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="The agreement report CSV.")],
    inputs: InputsOpt = None,
    unit: Annotated[str, typer.Option(help="segment or character (NVivo-style).")] = "segment",
    segment_unit: Annotated[
        str, typer.Option(help="How --inputs are segmented (auto, turn, paragraph, sentence).")
    ] = "auto",
) -> None:
    """Inter-coder agreement per code and pooled: percent agreement, Cohen's kappa, Krippendorff's alpha.

    Example: qualcode agree coder_a.csv coder_b.csv -i interviews/ -o agreement.csv
    """
    import pandas as pd

    from ..analysis.agreement import agreement
    from ..codings import read_codings
    from ..io.writers import write_csv

    try:
        check_output(output)
        frames = [read_codings(path, default_coder=path.stem) for path in codings]
        table_in = pd.concat(frames, ignore_index=True)
        corpus = None
        if inputs:
            from ..io import read_transcripts

            corpus = read_transcripts(inputs, unit=segment_unit)
        elif unit == "segment":
            from ..errors import OptionError

            raise OptionError("unit 'segment' needs the transcripts: pass them with --inputs")
        texts = {d.doc_id: d.text for d in corpus.documents} if corpus else None
        result = agreement(table_in, unit=unit, segments=corpus.segments if corpus else None, texts=texts)
        write_csv(result.reset_index(), output)
    except QualcodeError as error:
        fail(error)
    pooled = result.loc["pooled"]
    typer.echo(
        f"{', '.join(result.attrs['coders'])}: pooled agreement {pooled['percent_agreement']:.3f}, "
        f"kappa {pooled['cohen_kappa']:.3f}, alpha {pooled['krippendorff_alpha']:.3f} ({unit}s) -> {output}",
        err=True,
    )


@app.command()
def evaluate(
    suggested: Annotated[Path, typer.Argument(help="Suggestions (a long codings CSV from qualcode tag).")],
    gold: Annotated[Path, typer.Option(help="Human codings to compare with (span or segment form).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The report CSV.")],
    inputs: InputsOpt = None,
    threshold: Annotated[float, typer.Option(help="A suggestion counts when it scores at least this.")] = 0.0,
    curve: Annotated[bool, typer.Option(help="Write a precision-recall table over thresholds instead.")] = False,
    tune: Annotated[str | None, typer.Option(help="Choose a threshold per code: f1 or prevalence.")] = None,
    codebook: CodebookOpt = None,
    write_codebook: Annotated[
        Path | None, typer.Option(help="With --tune: save the codebook with the chosen thresholds here.")
    ] = None,
) -> None:
    """Precision, recall, F1 and kappa of suggestions against human codes, per code.

    Example: qualcode evaluate coded.csv --gold human.csv -o report.csv --tune f1
    -c codebooks/caring_schools.yaml --write-codebook tuned.yaml
    """
    from ..analysis.evaluate import evaluate as run_evaluate
    from ..analysis.evaluate import precision_recall, tune_thresholds
    from ..codebook import load_codebook, save_codebook
    from ..codings import read_codings
    from ..errors import OptionError
    from ..io.coded import read_coded
    from ..io.writers import write_csv

    try:
        check_output(output)
        if write_codebook is not None and (tune is None or codebook is None):
            raise OptionError("--write-codebook needs --tune and --codebook")
        if write_codebook is not None:
            check_output(write_codebook)
        suggestions = read_coded(suggested)
        human = read_codings(gold)
        corpus = corpus_for(suggested, inputs)
        if curve:
            table = precision_recall(suggestions, human, corpus.segments)
            write_csv(table, output)
        else:
            table = run_evaluate(suggestions, human, corpus.segments, threshold=threshold)
            write_csv(table.reset_index(), output)
        if tune is not None:
            chosen = tune_thresholds(suggestions, human, corpus.segments, objective=tune)
            typer.echo("thresholds: " + ", ".join(f"{c}={t:.2f}" for c, t in chosen.items()), err=True)
            if write_codebook is not None and codebook is not None:
                save_codebook(load_codebook(codebook).with_thresholds(chosen), write_codebook)
                typer.echo(f"codebook with thresholds -> {write_codebook}", err=True)
    except QualcodeError as error:
        fail(error)
    if not curve:
        micro = table.loc["micro"]
        typer.echo(
            f"micro precision {micro['precision']:.3f}, recall {micro['recall']:.3f}, F1 {micro['f1']:.3f}, "
            f"kappa {micro['kappa']:.3f} -> {output}",
            err=True,
        )
    else:
        typer.echo(f"precision-recall table -> {output}", err=True)


def run() -> None:
    """Entry point of the console script."""
    app()


from .refi import export_refi, import_refi  # noqa: E402  (commands defined in their own module)

app.command("export-refi")(export_refi)
app.command("import-refi")(import_refi)
