"""What the commands share: the one place a library error becomes a one-line message,
warning lines, option types used by several commands, and a progress display."""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer

from ..errors import QualcodeError

F = TypeVar("F", bound=Callable[..., Any])

# library parameter names whose flag is not simply --name-with-dashes
FLAGS = {"training": "--train", "kind": "KIND", "paths": "CODINGS", "inputs": "--inputs", "coded": "CODED"}


def flag(option: str) -> str:
    """The command-line spelling of a library parameter name."""
    return FLAGS.get(option, ("-" if len(option) == 1 else "--") + option.replace("_", "-"))


def fail(error: QualcodeError) -> NoReturn:
    """Print ``error`` as one line (library parameter names shown as their flags), exit 2."""
    message = str(error)
    option = getattr(error, "option", None)
    if option:
        message = re.sub(rf"(?<![\w-]){re.escape(option)}(?![\w-])", flag(option), message, count=1)
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=2)


def handles_errors(command: F) -> F:
    """Decorator: a :class:`~qualcode.errors.QualcodeError` raised by the command becomes one
    line on stderr and exit code 2, never a traceback; a
    :class:`~qualcode.errors.QualcodeWarning` becomes one ``warning:`` line (once)."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        import warnings

        from ..errors import QualcodeWarning

        failure: QualcodeError | None = None
        result = None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", QualcodeWarning)
            warnings.simplefilter("always", FutureWarning)
            try:
                result = command(*args, **kwargs)
            except QualcodeError as error:
                failure = error
        # outside the block: showwarning is the real one again (inside, it appends to `caught`)
        seen: set[str] = set()
        for record in caught:
            text = str(record.message)
            ours = issubclass(record.category, QualcodeWarning) or (
                issubclass(record.category, FutureWarning) and "is deprecated" in text
            )
            if not ours:
                warnings.showwarning(record.message, record.category, record.filename, record.lineno)
            elif text not in seen:
                seen.add(text)
                typer.echo(f"warning: {text}", err=True)
        if failure is not None:
            fail(failure)
        return result

    return wrapper  # type: ignore[return-value]


def warn(lines: list[str]) -> None:
    for line in lines:
        typer.echo(f"warning: {line}", err=True)


def renamed(old: str, new: str) -> None:
    """Say on stderr that ``old`` is the deprecated spelling of ``new``."""
    typer.echo(f"warning: {old} is deprecated and will be removed in the next release; use {new}", err=True)


InputsOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--inputs", "-i", help="The transcripts the codings refer to (default: those recorded in the .meta.json)."
    ),
]
SegmentByOpt = Annotated[
    str,
    typer.Option(
        "--segment-by", help="How documents are cut into segments: auto, turn, paragraph, sentence, window, time."
    ),
]
OldUnitOpt = Annotated[str | None, typer.Option("--unit", hidden=True, help="Deprecated: use --segment-by.")]
# the columns of a survey or utterance table (read_transcripts' text_column, id_column, speaker_column)
TextColumnOpt = Annotated[
    list[str] | None,
    typer.Option(
        help="CSV/XLSX column holding the text; repeat for several open-ended questions (one segment per answer, "
        "its column as the speaker)."
    ),
]
IdColumnOpt = Annotated[str | None, typer.Option(help="CSV/XLSX column holding the respondent/document id.")]
SpeakerColumnOpt = Annotated[str | None, typer.Option(help="CSV/XLSX column holding the speaker (rows are turns).")]
InterviewerOpt = Annotated[list[str] | None, typer.Option(help="Speaker name to treat as interviewer (repeatable).")]
EncodingOpt = Annotated[str | None, typer.Option(help="Force a text encoding (default: detect).")]
IdsOpt = Annotated[
    str,
    typer.Option(
        "--ids",
        help="How documents are named: name (the file name without extension) or folder (its folder's name and "
        "its own, d01/superintendent: a folder per district whose files are named alike).",
    ),
]
RecordedIdsOpt = Annotated[
    str | None,
    typer.Option(
        "--ids",
        help="How documents are named: name or folder (d01/superintendent); default: as the run of CODED named them.",
    ),
]
# the codebook of a command given codings: by default the one they were made with (recorded_codebook)
RecordedCodebookOpt = Annotated[
    Path | None,
    typer.Option(
        "--codebook",
        "-c",
        help="The codebook: YAML, a CSV/XLSX table with one code per row, a table in Word (.docx) or Writer (.odt), or a REFI-QDA .qdc or .qdpx (default: the one CODED was made with).",
    ),
]


def check_output(path: Path, *, csv: bool = False, inputs: Sequence[Path | None] = ()) -> None:
    """Fail before any work when ``path`` cannot be written, is a table named other than
    ``.csv`` (with ``csv``), or is one of the command's ``inputs`` or of the files the runs
    that wrote them read: ``freq coded.csv -o coded.csv`` replaced the researcher's codings with
    a frequency table. (``review``, which may write in place, is checked by ``review_file``.)"""
    from ..fileio import check_csv_name, check_writable
    from ..meta import read_meta
    from ..previous import check_not_an_input

    check_writable(path)
    if csv:
        check_csv_name(path)
    given = [item for item in inputs if item is not None]
    recorded: list[str | Path | None] = []
    for item in given:
        meta = read_meta(item) if item.is_file() and item.suffix.lower() in (".csv", ".xlsx") else None
        if meta is not None:
            recorded += meta.files_read()
    check_not_an_input(path, [*given, *recorded])


class progress:
    """On a terminal, a progress bar on stderr for the long steps of a run (encoding sentences),
    and a spinner while anything else runs; nothing when stderr is not a terminal."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar: Any = None
        self.tasks: dict[str, Any] = {}
        self.context: Any = None

    def _update(self, stage: str, done: int, total: int) -> None:
        if stage not in self.tasks:
            if "…" in self.tasks:
                self.bar.remove_task(self.tasks.pop("…"))
            self.tasks[stage] = self.bar.add_task(stage, total=total)
        self.bar.update(self.tasks[stage], completed=done, total=total)

    def __enter__(self) -> progress:
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

            from ..progress import listening

            self.bar = Progress(
                SpinnerColumn(),
                TextColumn("qualcode: {task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self.bar.__enter__()
            self.tasks["…"] = self.bar.add_task(f"{self.label}…", total=None)  # a spinner until a step reports
            self.context = listening(self._update)
            self.context.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.context is not None:
            self.context.__exit__(None, None, None)
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
