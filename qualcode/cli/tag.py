"""``qualcode tag`` and ``qualcode validate``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import counted
from .common import (
    EncodingOpt,
    IdColumnOpt,
    IdsOpt,
    InterviewerOpt,
    OldUnitOpt,
    SegmentByOpt,
    SpeakerColumnOpt,
    TextColumnOpt,
    handles_errors,
    progress,
    renamed,
    warn,
)


@handles_errors
def tag(
    inputs: Annotated[
        list[Path],
        typer.Argument(
            help="Transcript files or folders (.txt .md .docx .odt .rtf .pdf .html .vtt .srt .json .csv .xlsx)."
        ),
    ],
    codebook: Annotated[
        Path,
        typer.Option(
            "--codebook",
            "-c",
            help="The codebook: YAML, a CSV/XLSX table with one code per row, a table in Word (.docx) or Writer (.odt), or a REFI-QDA .qdc or .qdpx.",
        ),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="The CSV to write (a .meta.json goes beside it).")],
    metadata: Annotated[
        Path | None, typer.Option("--metadata", "-m", help="Participants CSV joined on doc_id.")
    ] = None,
    metadata_key: Annotated[str, typer.Option(help="Column of --metadata holding the document id.")] = "doc_id",
    segment_by: SegmentByOpt = "auto",
    unit: OldUnitOpt = None,
    window_size: Annotated[int, typer.Option(help="With --segment-by window: sentences per window.")] = 3,
    window_overlap: Annotated[
        int, typer.Option(help="With --segment-by window: sentences shared by consecutive windows.")
    ] = 1,
    window_seconds: Annotated[
        float | None,
        typer.Option(
            help="Captions and timed transcripts (.vtt, .srt, .json): cut into windows of this many seconds (--segment-by time)."
        ),
    ] = None,
    method: Annotated[
        str | None,
        typer.Option(help="hybrid (default), keyword, embedding, or classifier (the default with --train)."),
    ] = None,
    min_score: Annotated[
        float | None,
        typer.Option(
            help="Drop suggestions scoring below this (0-1); default: keyword 0, embedding 0.3, hybrid 0.4, "
            "classifier 0.5."
        ),
    ] = None,
    top_k: Annotated[int | None, typer.Option(help="Keep at most K codes per segment.")] = None,
    format: Annotated[
        str, typer.Option("--format", help="long (segment x code rows) or wide (one row per segment).")
    ] = "long",
    include_interviewer: Annotated[
        bool, typer.Option("--include-interviewer", help="Also code interviewer turns.")
    ] = False,
    interviewer: InterviewerOpt = None,
    text_column: TextColumnOpt = None,
    id_column: IdColumnOpt = None,
    speaker_column: SpeakerColumnOpt = None,
    codes_column: Annotated[
        list[str] | None,
        typer.Option(
            help="CSV/XLSX column of human codes (a coded spreadsheet): learn from them; repeat for several "
            "columns, or a pattern (theme_*) for columns of 1/0 cells, a code each."
        ),
    ] = None,
    codes_separator: Annotated[str, typer.Option(help="Separator between codes in --codes-column.")] = ";",
    encoding: EncodingOpt = None,
    ids: IdsOpt = "name",
    model: Annotated[
        Path | None, typer.Option(help="A sentence-transformers model folder (default: the packaged all-MiniLM-L6-v2).")
    ] = None,
    encoder: Annotated[
        str, typer.Option(help="Sentence encoder: onnx (int8, about twice as fast) or torch (PyTorch).")
    ] = "onnx",
    cache: Annotated[
        Path | None,
        typer.Option(help="Cache folder for embeddings and the text of PDFs (default: the user cache folder)."),
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Do not read or write the cache (embeddings, the text of PDFs).")
    ] = False,
    workers: Annotated[
        int | None, typer.Option(help="Score on a local Dask cluster of N worker processes (needs the dask extra).")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Score on an existing Dask cluster: its scheduler address (tcp://host:8786).")
    ] = None,
    previous: Annotated[
        Path | None,
        typer.Option(help="Earlier codings to merge with (default: OUT.csv itself when it holds reviewed rows)."),
    ] = None,
    fresh: Annotated[
        bool, typer.Option("--fresh", help="Do not merge with OUT.csv; reviewed rows in it are kept in OUT.csv.bak.")
    ] = False,
    train: Annotated[
        list[Path] | None,
        typer.Option(
            help="Human codings CSV (span or segment form, a filled-in `next` sheet, or excerpts: document, code and "
            "the coded words, as Taguette or MAXQDA export them) to learn a classifier per code from; repeat for "
            "several (e.g. hand-coded interviews and each sheet since)."
        ),
    ] = None,
) -> None:
    """Suggest codes for every segment of INPUTS and write them to a CSV.

    Example: qualcode tag examples/interviews -c codebooks/caring_schools.yaml
    -m examples/interviews/participants.csv -o coded.csv
    """
    from ..pipeline import tag as run_tag
    from ..settings import Settings

    if unit is not None:
        renamed("--unit", "--segment-by")
        segment_by = unit
    settings = Settings.build(
        metadata=metadata,
        metadata_key=metadata_key,
        segment_by=segment_by,
        window_size=window_size,
        window_overlap=window_overlap,
        window_seconds=window_seconds,
        method=method,
        min_score=min_score,
        top_k=top_k,
        format=format,
        include_interviewer=include_interviewer,
        interviewers=interviewer or None,
        text_column=text_column,
        id_column=id_column,
        speaker_column=speaker_column,
        codes_column=codes_column,
        codes_separator=codes_separator,
        encoding=encoding,
        ids=ids,
        model=model,
        encoder=encoder,
        cache=None if no_cache else (cache or "default"),
        training=train or None,
        previous=None if fresh else (previous or "auto"),
    )
    if workers is not None or scheduler is not None:
        from ..distributed import dask_client

        with dask_client(workers, scheduler) as client, progress("coding"):
            result = run_tag(inputs, codebook, output, settings=settings, client=client)
    else:
        with progress("coding"):
            result = run_tag(inputs, codebook, output, settings=settings)
    warn(result.warnings)
    learned = result.learned()
    if learned:
        typer.echo(f"note: {learned}", err=True)
    typer.echo(result.summary(), err=True)


def validate(
    codebook: Annotated[
        Path,
        typer.Argument(
            help="The codebook to check: YAML, a CSV/XLSX table, a table in Word (.docx) or Writer (.odt), or a REFI-QDA .qdc or .qdpx."
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Also write the codebook, once valid, to this file: .yaml, or a table with one code per row "
            "(.csv, .tsv, .xlsx) for a team that edits it in a spreadsheet.",
        ),
    ] = None,
) -> None:
    """Check a codebook; print every problem with its line, exit non-zero if any.

    Example: qualcode validate codebook.yaml -o codebook.xlsx
    """
    from ..codebook import load_codebook, load_codebook_table, save_codebook
    from ..codebook_table import READ_SUFFIXES, SUFFIXES
    from ..errors import CodebookError, OptionError, QualcodeError
    from .common import check_output, fail

    try:
        if output is not None:
            if output.suffix.lower() not in (".yaml", ".yml", *SUFFIXES):
                raise OptionError(
                    f"{output}: write the codebook as .yaml, .csv, .tsv or .xlsx; the name ends in "
                    f"{output.suffix or 'no suffix'}",
                    option="output",
                )
            check_output(output, inputs=[codebook])
        table = None
        if codebook.suffix.lower() in READ_SUFFIXES:  # read once, with what reading it found
            book, table = load_codebook_table(codebook)
        else:
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
    if table is not None:
        if table.ignored:
            typer.echo(f"note: columns not read: {', '.join(table.ignored)}", err=True)
        if table.themes:
            typer.echo(
                f"note: the themes named beside the codes are codes too, each the parent of its rows: "
                f"{', '.join(table.themes)}",
                err=True,
            )
    former = [f"{code.id} ({', '.join(code.formerly)})" for code, _, _ in book.walk() if code.formerly]
    if former:  # so that a researcher sees the renames will be read
        typer.echo(f"note: codings naming a former name count as the code: {', '.join(former)}", err=True)
    if output is not None:
        try:
            save_codebook(book, output)
        except QualcodeError as error:
            fail(error)
        typer.echo(f"{codebook}: valid: {counted(len(book.ids), 'code')}, sha256 {book.hash[:12]} -> {output}")
        return
    typer.echo(f"{codebook}: valid: {counted(len(book.ids), 'code')}, sha256 {book.hash[:12]}")
