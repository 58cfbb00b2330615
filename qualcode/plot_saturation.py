"""The saturation figure (matplotlib): codes found as documents are added, one panel per group.

Each panel draws the new codes each document brought (bars), the cumulative codes in the
order read (line), the random orders' 5th-95th percentile band and median (how much of the
curve is the order), the base (shaded) and the saturation point with its confirming run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .errors import OptionError
from .plot import MAX_HEIGHT, _pyplot

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .analysis.saturation import Saturation

MAX_PANELS = 12  # groups drawn; the CSV holds every one


def plot_saturation(result: Saturation, *, title: str | None = None, columns: int = 3) -> Figure:
    """The figure of a :func:`qualcode.saturation` result. ``notes`` lists what was left out."""
    summary = result.summary
    if not len(summary):
        raise OptionError("nothing to draw: the codings hold no document")
    groups = list(summary["group"])
    notes: list[str] = []
    if len(groups) > MAX_PANELS:
        notes.append(f"{len(groups)} groups: drawn are the first {MAX_PANELS}; the CSV has them all")
        groups = groups[:MAX_PANELS]
    plt = _pyplot()
    cols = min(columns, len(groups))
    rows = int(np.ceil(len(groups) / cols))
    height = min(3.2 * rows + 0.8, MAX_HEIGHT)
    fig, axes = plt.subplots(
        rows, cols, figsize=(4.6 * cols + 0.6, height), layout="constrained", squeeze=False, sharey=False
    )
    base, run = result.base, result.run
    for k, ax in enumerate(axes.ravel()):
        if k >= len(groups):
            ax.axis("off")
            continue
        group = groups[k]
        curve = result.curves[result.curves["group"] == group]
        docs = result.documents[result.documents["group"] == group]
        row = summary[summary["group"] == group].iloc[0]
        x = curve["position"].to_numpy()
        ax.axvspan(0.5, min(base, len(x)) + 0.5, color="#EEEEEE", zorder=0, label=f"base ({base})")
        ax.bar(x, docs["new_codes"].to_numpy(), color="#9E9E9E", width=0.7, label="new codes", zorder=2)
        if "orders_low" in curve:
            ax.fill_between(
                x,
                curve["orders_low"],
                curve["orders_high"],
                color="#9ECAE1",
                alpha=0.6,
                step=None,
                label="random orders, 5-95%",
                zorder=1,
            )
            ax.plot(x, curve["orders_median"], color="#3182BD", linestyle="--", linewidth=1, label="random median")
        ax.plot(x, curve["cumulative"], color="#08306B", marker="o", markersize=3, label="codes found", zorder=3)
        point = row["saturation"]
        heading = str(group) if group != "all" else ""
        if not pd.isna(point):
            p = int(point)
            ax.axvline(p + 0.5, color="#D62728", linewidth=1.2, zorder=4, label="saturation point")
            ax.axvspan(p + 0.5, p + run + 0.5, color="#D62728", alpha=0.08, zorder=0, label="confirming run")
            heading = (heading + ": " if heading else "") + f"saturation at {p} of {len(x)}"
        else:
            heading = (heading + ": " if heading else "") + f"not saturated in {len(x)}"
        ax.set_title(heading, fontsize=10)
        ax.set_xlim(0.5, len(x) + 0.5)
        ax.set_ylim(0, max(1, int(row["codes"])) * 1.08)
        ax.set_xlabel("documents, in the order read")
        ax.set_ylabel("codes")
        if len(x) <= 30:
            ax.set_xticks(x)
            ax.tick_params(axis="x", labelsize=7)
        ax.spines[["top", "right"]].set_visible(False)
    legend: dict[str, object] = {}
    for ax in axes.ravel():  # every entry once, also those only some panels draw
        for handle, name in zip(*ax.get_legend_handles_labels(), strict=True):
            legend.setdefault(name, handle)
    fig.legend(
        list(legend.values()),
        list(legend),
        loc="outside lower center",
        ncols=min(len(legend), 3 if cols == 1 else 4),
        fontsize=8,
        frameon=False,
    )
    fig.suptitle(
        title or f"Code saturation (base {base}, run {run}, new information ≤ {result.threshold:.0%})", fontsize=11
    )
    fig.notes = notes
    plt.close(fig)
    return fig
