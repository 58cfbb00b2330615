"""What the commands share: error and warning lines, early output checks, a progress
spinner, and finding the transcripts a codings file refers to."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from ..errors import QualcodeError


def fail(error: QualcodeError) -> NoReturn:
    typer.echo(f"error: {error}", err=True)
    raise typer.Exit(code=2)


def warn(lines: list[str]) -> None:
    for line in lines:
        typer.echo(f"warning: {line}", err=True)


InputsOpt = Annotated[
    list[Path] | None,
    typer.Option("--inputs", "-i", help="The transcripts the codings refer to (default: those in CODED.meta.json)."),
]


def corpus_for(coded: Path, inputs: list[Path] | None, unit: str | None = None, metadata: Path | None = None):
    """The corpus a codings file refers to: --inputs, else the inputs and unit in its .meta.json;
    ``metadata`` (a participants file) replaces the one recorded there."""
    import json

    from ..errors import InputFileError
    from ..io import read_transcripts
    from ..io.writers import meta_path

    settings: dict[str, object] = {}
    meta = meta_path(coded)
    if meta.is_file():
        record = json.loads(meta.read_text(encoding="utf-8"))
        settings = record.get("settings", {})
        if not inputs:
            inputs = [Path(item["path"]) for item in record.get("inputs", [])]
    if not inputs:
        raise InputFileError(f"{coded}: no {meta.name} beside it; pass the transcripts with --inputs")
    table = metadata or settings.get("metadata")
    return read_transcripts(
        inputs, unit=unit or str(settings.get("unit", "auto")), metadata=str(table) if table else None
    )


def check_output(path: Path) -> None:
    """Fail before any work when ``path`` cannot be written."""
    from ..fileio import check_writable

    check_writable(path)


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
