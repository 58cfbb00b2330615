"""The ``qualcode`` command: thin typer commands over the public API, one module per group.

Each command calls one public function; a :class:`~qualcode.errors.QualcodeError` becomes
one line on stderr and exit code 2 (:func:`.common.handles_errors`); nothing is written when
a run fails. Importing this package imports no heavy library: each command imports what it
needs when it runs, so ``qualcode --help`` is fast.
"""

from __future__ import annotations

from typing import Annotated

import typer

from ..version import __version__
from .analysis import freq, matrix, plot, report, saturation
from .connections import connections
from .help import Command, Group
from .refi import export_refi, import_refi
from .review import agree, evaluate, review
from .review import next as next_command
from .tag import tag, validate

app = typer.Typer(
    name="qualcode",
    help="Reproducible qualitative coding of interview transcripts.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=Group,
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


for _command in (tag, validate, matrix, freq, connections, saturation, plot, report, review, agree, evaluate):
    app.command(cls=Command)(_command)
app.command("next", cls=Command)(next_command)
app.command("export-refi", cls=Command)(export_refi)
app.command("import-refi", cls=Command)(import_refi)
app.command(
    "import",
    cls=Command,
    help="The same as import-refi: a .qdpx, .qdc or Taguette .sqlite3 file into qualcode's files.",
)(import_refi)


def run() -> None:
    """Entry point of the console script."""
    app()
