"""Figures of co-occurrence and prevalence (matplotlib); each function returns a Figure.

The colour scale follows the measure: counts, Jaccard, overlap and conditional run from zero
(a sequential map); lift is centred on 1 and NPMI on 0 (a diverging map), so "more than
chance" and "less than chance" read apart. Grey cells are the diagonal and, for NPMI, pairs
never seen together (NPMI −1).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import columns as C
from .errors import OptionError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

GROUP = "group"


def _pyplot():
    # no backend is forced: matplotlib picks Agg without a display, and Jupyter its inline one
    import matplotlib.pyplot as plt

    return plt


def _label(code: str) -> str:
    return code.replace("_", " ")


def cluster_order(matrix: pd.DataFrame) -> list[str]:
    """Codes in the leaf order of an average-linkage clustering of their rows (SciPy)."""
    from scipy.cluster.hierarchy import leaves_list, linkage

    values = matrix.to_numpy(dtype=float)
    if len(values) < 3:
        return list(matrix.index)
    values = np.nan_to_num(values)
    return [matrix.index[i] for i in leaves_list(linkage(values, method="average", metric="euclidean"))]


def _scale(measure: str, values: np.ndarray) -> tuple[str, Any]:
    """The colour map and the normalisation: a signed measure is centred on its neutral value
    (lift 1: as often as chance; NPMI 0), so that above and below chance read apart."""
    from matplotlib.colors import Normalize, TwoSlopeNorm

    finite = values[np.isfinite(values)]
    top = float(finite.max()) if finite.size else 1.0
    if measure == "npmi":
        return "RdBu_r", TwoSlopeNorm(vmin=-1.0, vcenter=0.0, vmax=1.0)
    if measure == "lift":
        return "RdBu_r", TwoSlopeNorm(vmin=0.0, vcenter=1.0, vmax=max(top, 2.0))
    if measure in ("jaccard", "overlap", "conditional"):
        return "Blues", Normalize(0.0, 1.0)
    return "Blues", Normalize(0.0, max(top, 1.0))


def _draw(ax, matrix: pd.DataFrame, measure: str, annotate: bool, diagonal: bool):
    values = matrix.to_numpy(dtype=float).copy()
    if not diagonal:
        np.fill_diagonal(values, np.nan)
    if measure == "npmi":  # -1 means "never together": grey and unlabelled, so the rest stays readable
        values[values <= -1.0] = np.nan
    cmap, norm = _scale(measure, values)
    ax.set_facecolor("#EEEEEE")
    image = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, norm=norm, aspect="equal")
    labels = [_label(c) for c in matrix.index]
    ax.set_xticks(
        range(len(labels)),
        labels=[_label(c) for c in matrix.columns],
        rotation=45,
        ha="right",
        rotation_mode="anchor",
        fontsize=8,
    )
    ax.set_yticks(range(len(labels)), labels=labels, fontsize=8)
    ax.set_xticks(np.arange(len(labels) + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(len(labels) + 1) - 0.5, minor=True)
    ax.grid(which="minor", color="white", linewidth=1)
    ax.tick_params(which="minor", length=0)
    if annotate and len(labels) <= 25:
        for i in range(values.shape[0]):
            for j in range(values.shape[1]):
                v = values[i, j]
                if not np.isfinite(v):
                    continue
                text = f"{int(v)}" if measure == "count" else f"{v:.2f}"
                shade = abs(norm(v) - 0.5) * 2 if cmap == "RdBu_r" else norm(v)
                ax.text(j, i, text, ha="center", va="center", fontsize=7, color="white" if shade > 0.6 else "black")
    return image


def heatmap(
    matrix: pd.DataFrame,
    *,
    measure: str = "count",
    title: str | None = None,
    annotate: bool = True,
    cluster: bool = False,
    diagonal: bool = False,
) -> Figure:
    """Annotated heatmap of one co-occurrence matrix (from :func:`qualcode.cooccurrence`).

    ``cluster=True`` orders codes by hierarchical clustering so related themes sit together;
    ``diagonal=False`` (default) blanks the diagonal, which holds each code's own frequency.
    """
    if isinstance(matrix.index, pd.MultiIndex):
        raise OptionError("heatmap takes one matrix; for a grouped matrix use small_multiples()")
    if cluster:
        order = cluster_order(matrix)
        matrix = matrix.loc[order, order]
    plt = _pyplot()
    size = max(4.0, 0.45 * len(matrix) + 2.5)
    fig, ax = plt.subplots(figsize=(size + 1.2, size), layout="constrained")
    image = _draw(ax, matrix, measure, annotate, diagonal)
    fig.colorbar(image, ax=ax, shrink=0.8, label=measure)
    ax.set_title(title or f"Code co-occurrence ({measure})", fontsize=11)
    plt.close(fig)  # returned, not shown twice: Jupyter displays the returned figure
    return fig


def small_multiples(
    matrix: pd.DataFrame,
    *,
    measure: str = "count",
    annotate: bool = True,
    cluster: bool = False,
    columns: int = 3,
) -> Figure:
    """One heatmap per group of a grouped co-occurrence matrix, on a shared colour scale."""
    if not isinstance(matrix.index, pd.MultiIndex):
        return heatmap(matrix, measure=measure, annotate=annotate, cluster=cluster)
    groups = list(matrix.index.get_level_values(0).unique())
    codes = list(matrix.columns)
    if cluster:
        pooled = sum(matrix.loc[g].fillna(0) for g in groups)
        codes = cluster_order(pooled)
    plt = _pyplot()
    cols = min(columns, len(groups))
    rows = int(np.ceil(len(groups) / cols))
    cell = max(3.5, 0.4 * len(codes) + 2.0)
    fig, axes = plt.subplots(rows, cols, figsize=(cell * cols + 1.0, cell * rows), layout="constrained", squeeze=False)
    top = float(np.nanmax(matrix.to_numpy(dtype=float))) if matrix.size else 1.0
    image = None
    for k, ax in enumerate(axes.ravel()):
        if k >= len(groups):
            ax.axis("off")
            continue
        block = matrix.loc[groups[k]].loc[codes, codes]
        image = _draw(ax, block, measure, annotate, diagonal=False)
        if measure == "count":
            image.set_clim(0, max(top, 1.0))
        ax.set_title(str(groups[k]), fontsize=10)
    if image is not None:
        fig.colorbar(image, ax=axes.ravel().tolist(), shrink=0.6, label=measure)
    plt.close(fig)
    return fig


def prevalence(
    freq: pd.DataFrame,
    *,
    value: str = "share",
    title: str | None = None,
    codes: Sequence[str] | None = None,
) -> Figure:
    """Grouped horizontal bars: for each code, one bar per group (from :func:`qualcode.frequencies`)."""
    if value not in ("share", "n"):
        raise OptionError(f"value {value!r}: choose 'share' or 'n'")
    table = freq.pivot(index=C.CODE, columns=GROUP, values=value)
    order = list(codes) if codes is not None else list(dict.fromkeys(freq[C.CODE]))
    table = table.reindex(order[::-1])
    groups = list(table.columns)
    plt = _pyplot()
    height = 0.22 * len(groups) * len(table) + 1.6
    fig, ax = plt.subplots(figsize=(8, max(3.0, height)), layout="constrained")
    bar = 0.8 / max(len(groups), 1)
    colours = plt.get_cmap("tab10")
    positions = np.arange(len(table))
    for k, group in enumerate(groups):
        ax.barh(
            positions + (k - (len(groups) - 1) / 2) * bar,
            table[group].fillna(0),
            height=bar,
            label=str(group),
            color=colours(k % 10),
        )
    ax.set_yticks(positions, labels=[_label(c) for c in table.index], fontsize=9)
    count = freq.attrs.get("count", "segment")
    if value == "share":
        ax.set_xlim(0, 1)
        ax.set_xlabel(f"share of {count}s holding the code")
    else:
        ax.set_xlabel(f"{count}s holding the code")
    if len(groups) > 1:
        ax.legend(title=None, fontsize=8, loc="lower right", frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(title or f"Code prevalence by {count}", fontsize=11)
    plt.close(fig)
    return fig
