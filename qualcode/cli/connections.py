"""``qualcode connections``: which codes the participants of a district share, and where they
evaluate a theme differently."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .analysis import CodebookOpt, LevelOpt, MetadataOpt, MinScoreOpt, TableOut, _inputs, _names_coded, _table_out
from .common import check_output, handles_errors, warn


@handles_errors
@_names_coded
def connections(
    coded: Annotated[Path, typer.Argument(help="A long codings CSV (from qualcode tag, review or import).")],
    output: TableOut = None,
    within: Annotated[str, typer.Option(help="The groups whose members are compared: district.")] = "district",
    among: Annotated[str, typer.Option(help="The members compared within a group: participant or role.")] = (
        "participant"
    ),
    evaluation: Annotated[
        list[str] | None,
        typer.Option(
            "--evaluation",
            help="A code applied on top of a topic (repeat: --evaluation strength --evaluation growth_area): "
            "each row names who gave it to the row's code.",
        ),
    ] = None,
    min_score: MinScoreOpt = None,
    level: LevelOpt = None,
    codebook: CodebookOpt = None,
    metadata: MetadataOpt = None,
) -> None:
    """Connections and disconnections: for each district (--within) and code, which of its
    participants (--among) hold the code (all, some, none) and how each evaluated it.

    Example: qualcode connections coded.csv --evaluation strength --evaluation growth_area -o connections.csv
    (without -o the table is printed).
    """
    from ..analysis.connections import connections as compute

    if output is not None:
        check_output(output, csv=True, inputs=[coded, codebook, metadata])
    codings, book, segments = _inputs(coded, codebook, metadata)
    table = compute(
        codings,
        within=within,
        among=among,
        evaluations=evaluation or (),
        min_score=min_score,
        codebook=book,
        level=level,
        segments=segments,
    )
    warn(table.attrs.get("notes", []))
    where = _table_out(table, output)
    groups = table[within].nunique() if len(table) else 0
    counts = table["pattern"].value_counts()
    line = (
        f"{table['code'].nunique() if len(table) else 0} codes in {groups} {within}{'s' * (groups != 1)} (each with "
        f"2 or more {among}s): {int(counts.get('all', 0))} held by all of its {among}s, "
        f"{int(counts.get('some', 0))} by some, {int(counts.get('none', 0))} by none"
    )
    if evaluation:
        line += f"; evaluated differently: {int((table['evaluations'] == 'differ').sum())}"
    typer.echo(line + where, err=True)
