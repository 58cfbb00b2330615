"""The report's section on connections and disconnections between the participants of a
group (:func:`qualcode.connections`): codes down, districts across, each cell saying how many
of the district's participants hold the code and, with evaluation codes, who gave which."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from . import columns as C
from .codebook import Codebook


def connections_section(
    chosen: pd.DataFrame,
    segments: pd.DataFrame | None,
    *,
    within: str | None,
    evaluations: Sequence[str],
    codebook: Codebook | None,
    labels: Mapping[str, str],
) -> dict[str, Any] | None:
    """The section's data, or None when no ``within`` was asked for; the notes of
    :func:`~qualcode.analysis.connections.connections` (groups of one member left out) with it."""
    from .analysis.connections import connections

    if within is None:
        return None
    table = connections(chosen, within=within, evaluations=evaluations, codebook=codebook, segments=segments)
    roles = _roles(chosen, segments)

    def named(members: str) -> str:  # "P01; P03" -> "P01 (superintendent); P03 (student_services)"
        return "; ".join(f"{m} ({roles[m]})" if m in roles else m for m in members.split("; ") if m)

    groups = list(dict.fromkeys(table[within].astype(str)))
    members = {str(group): int(n) for group, n in table.groupby(within, sort=False)["members"].first().items()}
    rows = []
    for code, block in table.groupby("code", sort=False):
        cells = []
        by_group = {str(row[within]): row for _, row in block.iterrows()}
        for group in groups:
            row = by_group[group]
            gave = [(e, named(str(row[e]))) for e in evaluations if row[e]]
            text = {"all": "all", "none": ""}.get(row["pattern"], f"{row['holding']} of {row['members']}")
            cells.append(
                {
                    "pattern": row["pattern"],
                    "text": text,
                    "held_by": named(str(row["held_by"])),
                    "evaluations": [(labels.get(e, e), names) for e, names in gave],
                    "differ": row["evaluations"] == "differ",
                }
            )
        rows.append({"code": code, "label": labels.get(str(code), str(code)), "cells": cells})
    return {
        "within": within,
        "groups": groups,
        "members": [members[group] for group in groups],
        "rows": rows,
        "evaluations": [labels.get(e, e) for e in evaluations],
        "differ": int((table["evaluations"] == "differ").sum()),
        "notes": list(table.attrs.get("notes", [])),
    }


def _roles(chosen: pd.DataFrame, segments: pd.DataFrame | None) -> dict[str, str]:
    """Each participant's role, when the codings (or the run's segments) carry both columns
    and a participant has one role: how a reader knows who P03 is."""
    frames = [f for f in (chosen, segments) if f is not None and {C.PARTICIPANT, C.ROLE} <= set(f.columns)]
    if not frames:
        return {}
    pairs = pd.concat([f[[C.PARTICIPANT, C.ROLE]] for f in frames]).dropna().astype(str).drop_duplicates()
    pairs = pairs[pairs[C.ROLE].str.strip() != ""]
    single = pairs.groupby(C.PARTICIPANT)[C.ROLE].transform("size") == 1
    return dict(zip(pairs.loc[single, C.PARTICIPANT], pairs.loc[single, C.ROLE], strict=True))
