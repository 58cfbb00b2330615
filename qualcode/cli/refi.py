"""``qualcode export-refi`` and ``qualcode import-refi``: REFI-QDA projects and codebooks."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    import pandas as pd

from ..errors import counted
from .common import (
    EncodingOpt,
    IdColumnOpt,
    IdsOpt,
    InputsOpt,
    OldUnitOpt,
    RecordedCodebookOpt,
    SegmentByOpt,
    SpeakerColumnOpt,
    TextColumnOpt,
    handles_errors,
    renamed,
    warn,
)


def _one_coded(given: list[Path] | None, output: Path) -> Path | None:
    """The one codings file export-refi takes; transcripts given after it belong to -i."""
    from ..errors import OptionError

    if not given:
        return None
    if len(given) > 1:
        rest = " ".join(f"-i {path}" for path in given[1:])
        raise OptionError(
            f"export-refi takes one codings file ({given[0]}); transcripts are given with -i: "
            f"qualcode export-refi {given[0]} {rest} -o {output}"
        )
    return given[0]


def _not_exported(codings: Any, corpus: Any) -> list[str]:
    """A note naming the columns a researcher added to the codings (notes, flags) that a
    project has no place for: only a ``memo`` column travels, as each coding's note."""
    from .. import columns as C
    from ..review import has_text

    known = {*C.SEGMENT_CORE, *C.TIME_COLUMNS, *C.CODING_CORE, C.MEMO, "question"}
    known |= {key for doc in corpus.documents for key in doc.metadata}
    extra = [
        str(column)
        for column in codings.columns
        if column not in known and not str(column).startswith("_") and has_text(codings[column]).any()
    ]
    if not extra:
        return []
    return [f"columns not exported: {', '.join(extra)}; a column named memo travels as each coding's note"]


@handles_errors
def export_refi(
    output: Annotated[Path, typer.Option("--output", "-o", help="The .qdpx project (or .qdc codebook) to write.")],
    codebook: RecordedCodebookOpt = None,
    given: Annotated[
        list[Path] | None,
        typer.Argument(metavar="[CODED]", help="A long codings CSV (qualcode tag, review or import-refi); optional."),
    ] = None,
    inputs: InputsOpt = None,
    metadata: Annotated[
        Path | None, typer.Option("--metadata", "-m", help="Participants CSV (default: the one CODED was made with).")
    ] = None,
    min_score: Annotated[
        float | None, typer.Option(help="Leave out suggestions scoring below this (reviewed and human rows stay).")
    ] = None,
    include_rejected: Annotated[
        bool, typer.Option("--include-rejected", help="Also export rejected suggestions.")
    ] = False,
    name: Annotated[str | None, typer.Option(help="Project name (default: the codebook's name).")] = None,
    text_column: TextColumnOpt = None,
    id_column: IdColumnOpt = None,
    speaker_column: SpeakerColumnOpt = None,
    metadata_key: Annotated[str, typer.Option(help="Column of --metadata holding the document id.")] = "doc_id",
    encoding: EncodingOpt = None,
    ids: IdsOpt = "name",
) -> None:
    """Write a REFI-QDA project (.qdpx) for NVivo, ATLAS.ti, MAXQDA, QualCoder, Taguette, or a codebook (.qdc).

    Example: qualcode export-refi coded.csv -c codebooks/caring_schools.yaml -o study.qdpx
    """
    from .. import columns as C
    from ..codebook import load_codebook
    from ..errors import OptionError
    from ..fileio import check_writable
    from ..io import read_transcripts
    from ..io.coded import read_coded
    from ..meta import recorded_codebook
    from ..refi import to_qdc
    from ..refi.export import written_qdpx
    from ..refi.guard import check_replaceable
    from ..review import with_status
    from ..workflows import corpus_for, export_filter

    coded = _one_coded(given, output)
    suffix = output.suffix.lower()
    if suffix not in (".qdpx", ".qdc"):
        raise OptionError(f"{output}: give a .qdpx (project) or .qdc (codebook) file name")
    check_writable(output)
    check_replaceable(output)  # before any work: never over another program's project
    book = load_codebook(codebook) if codebook is not None else recorded_codebook([coded] if coded else [])[1]
    if suffix == ".qdc":
        if coded is not None or inputs:
            raise OptionError("a .qdc file holds the codebook only; leave out CODED and --inputs, or write .qdpx")
        to_qdc(book, output)
        typer.echo(f"{counted(len(book.ids), 'code')} -> {output}", err=True)
        return
    codings = None
    left_out: list[str] = []
    if coded is not None:
        table = with_status(read_coded(coded))
        codings = export_filter(table, min_score=min_score, include_rejected=include_rejected)
        rejected = 0 if include_rejected else int(table[C.STATUS].eq("rejected").sum())
        below = len(table) - len(codings) - rejected
        if rejected:  # a round trip through another program would lose them unsaid
            left_out.append(f"{counted(rejected, 'rejected suggestion')} left out: --include-rejected keeps them")
        if below:
            left_out.append(f"{counted(below, 'suggestion')} below --min-score {min_score:g} left out")
        corpus = corpus_for(coded, inputs, metadata=metadata)
        left_out += _not_exported(codings, corpus)
    elif inputs:
        corpus = read_transcripts(
            inputs,
            metadata=metadata,
            metadata_key=metadata_key,
            text_column=text_column,
            id_column=id_column,
            speaker_column=speaker_column,
            encoding=encoding,
            ids=ids,
        )
    else:
        raise OptionError("give CODED (a codings CSV) or --inputs (transcripts) for a .qdpx project")
    # the codings written: one per passage, code and coder (a passage over two segments is two rows)
    n = written_qdpx(corpus, book, codings, output, include_rejected=include_rejected, name=name)[1]
    typer.echo(
        f"{counted(len(corpus), 'source')}, {counted(len(book.ids), 'code')}, {counted(n, 'coding')} -> {output}"
        + "".join(f" ({line})" for line in left_out),
        err=True,
    )


@handles_errors
def import_refi(
    project: Annotated[
        Path,
        typer.Argument(help="A .qdpx project or .qdc codebook from any REFI-QDA program, or a Taguette .sqlite3 file."),
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder for a project's files; the .yaml file for a .qdc codebook.")
    ],
    segment_by: SegmentByOpt = "auto",
    unit: OldUnitOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing output folder.")] = False,
) -> None:
    """Read a REFI-QDA project or codebook, or a Taguette project, into files every qualcode command reads.

    A project becomes OUT/codebook.yaml, OUT/sources/*.txt, OUT/participants.csv and
    OUT/codings.csv (with OUT/codings.meta.json), so that `qualcode matrix OUT/codings.csv`,
    `qualcode agree` and the rest work on it.

    Example: qualcode import-refi nvivo_export.qdpx -o imported/
    """
    from ..codebook import save_codebook
    from ..errors import OptionError
    from ..fileio import check_writable
    from ..refi import read_qdc, read_qdpx, save_project
    from ..refi.taguette import SUFFIXES as TAGUETTE_SUFFIXES
    from ..refi.taguette import read_taguette

    if unit is not None:
        renamed("--unit", "--segment-by")
        segment_by = unit
    suffix = project.suffix.lower()
    if suffix == ".qdc":
        if output.suffix.lower() not in (".yaml", ".yml", ".csv", ".tsv", ".xlsx"):
            raise OptionError(
                f"{output}: a .qdc codebook is written as YAML or as a table; give a .yaml, .csv or .xlsx file name"
            )
        check_writable(output)
        book = read_qdc(project)
        save_codebook(book, output)
        typer.echo(f"{counted(len(book.ids), 'code')} -> {output}", err=True)
        return
    if suffix in TAGUETTE_SUFFIXES:
        result = read_taguette(project, segment_by=segment_by)
    elif suffix == ".qdpx":
        result = read_qdpx(project, segment_by=segment_by)
    else:
        from ..io.base import native_project

        raise OptionError(
            native_project(project) or f"{project}: give a .qdpx project, a .qdc codebook or a Taguette .sqlite3 file"
        )
    save_project(result, output, force=force)
    warn(result.warnings)
    codes = len(result.codebook.ids) if result.codebook else 0
    selections, rows = _selections(result.codings), len(result.codings)
    spread = f" ({rows} rows in codings.csv: one per segment a coding covers)" if rows != selections else ""
    typer.echo(
        f"{counted(len(result.corpus), 'source')}, {counted(codes, 'code')}, {counted(selections, 'coding')}{spread}, "
        f"{counted(len(result.users), 'user')} -> {output}",
        err=True,
    )


def _selections(codings: pd.DataFrame) -> int:
    """Codings counted once each, however many segments a long one spans."""
    keys = [c for c in ("doc_id", "start_char", "end_char", "code", "coder") if c in codings.columns]
    return int(codings.drop_duplicates(keys).shape[0]) if keys else len(codings)
