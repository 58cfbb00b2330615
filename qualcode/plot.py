"""Figures of co-occurrence and prevalence (matplotlib); each function returns a Figure.

The colour scale follows the measure: counts, Jaccard, overlap and conditional run from zero
(a sequential map); lift is centred on 1 and NPMI on 0 (a diverging map), so "more than
chance" and "less than chance" read apart. Grey cells are the diagonal and, for NPMI, pairs
never seen together (NPMI −1); a legend under the figure says so. Annotations are black or
white by contrast with their cell; labels are the codebook's when one is given; no figure
grows taller than ``MAX_HEIGHT`` inches.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import columns as C
from .errors import OptionError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

GROUP = "group"
GREY = "#D0D0D0"  # cells with no value: the diagonal, and NPMI's "never together"
MAX_GROUPS = 12  # prevalence bars: more groups than this are cut to the largest ones (at most 20: colours)
MAX_HEIGHT = 24.0  # inches: no figure grows taller (3,600 px at 150 dpi)


def _pyplot():
    # no backend is forced: matplotlib picks Agg without a display, and Jupyter its inline one
    import matplotlib.pyplot as plt

    return plt


def _label(code: str, labels: Mapping[str, str] | None = None) -> str:
    if labels and code in labels:
        return labels[code]
    return code.replace("_", " ")


def code_labels(codebook: Any) -> dict[str, str]:
    """Code id -> the codebook's label, for figures drawn with a codebook."""
    return {c.id: c.label for c, _, _ in codebook.walk()} if codebook is not None else {}


def text_colour(rgba: Sequence[float]) -> str:
    """Black or white, whichever contrasts more with a cell of colour ``rgba`` (WCAG
    relative luminance), so an annotation stays readable on every shade.

    >>> text_colour((1.0, 1.0, 1.0, 1.0)), text_colour((0.03, 0.19, 0.42, 1.0))
    ('black', 'white')
    """
    channels = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgba[:3]]
    luminance = 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]
    # contrast with black (L + 0.05) / 0.05 against white 1.05 / (L + 0.05): equal at L ~= 0.179
    return "black" if luminance > 0.179 else "white"


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


def _shown(matrix: pd.DataFrame, measure: str, diagonal: bool) -> np.ndarray:
    """The values drawn: the diagonal blanked unless asked, NPMI's -1 ("never together")
    blanked so the rest stays readable. Blank cells are grey."""
    values = matrix.to_numpy(dtype=float).copy()
    if not diagonal:
        np.fill_diagonal(values, np.nan)
    if measure == "npmi":
        values[values <= -1.0] = np.nan
    return values


def _draw(
    ax,
    matrix: pd.DataFrame,
    measure: str,
    annotate: bool,
    diagonal: bool,
    norm: Any = None,
    labels: Mapping[str, str] | None = None,
):
    values = _shown(matrix, measure, diagonal)
    cmap, own = _scale(measure, values)
    norm = norm if norm is not None else own
    ax.set_facecolor(GREY)
    image = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, norm=norm, aspect="equal")
    colours = image.get_cmap()
    names = [_label(c, labels) for c in matrix.index]
    ax.set_xticks(
        range(len(names)),
        labels=[_label(c, labels) for c in matrix.columns],
        rotation=45,
        ha="right",
        rotation_mode="anchor",
        fontsize=8,
    )
    ax.set_yticks(range(len(names)), labels=names, fontsize=8)
    ax.set_xticks(np.arange(len(names) + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(len(names) + 1) - 0.5, minor=True)
    ax.grid(which="minor", color="white", linewidth=1)
    ax.tick_params(which="minor", length=0)
    if annotate and len(names) <= 25:
        for i in range(values.shape[0]):
            for j in range(values.shape[1]):
                v = values[i, j]
                if not np.isfinite(v):
                    continue
                text = f"{int(v)}" if measure == "count" else f"{v:.2f}"
                colour = text_colour(colours(norm(v)))
                ax.text(j, i, text, ha="center", va="center", fontsize=7, color=colour)
    return image


def _grey_legend(fig, measure: str, diagonal: bool) -> None:
    """Say what grey cells mean, under the figure."""
    from matplotlib.patches import Patch

    meaning = []
    if not diagonal:
        meaning.append("a code with itself")
    if measure == "npmi":
        meaning.append("never together")
    if meaning:
        patch = Patch(facecolor=GREY, edgecolor="#999999", label="grey: " + "; ".join(meaning))
        fig.legend(handles=[patch], loc="outside lower left", fontsize=8, frameon=False)


def _colorbar(bar: Any, measure: str) -> None:
    """Counts are whole numbers: their scale's ticks too (not 1.25 co-occurrences)."""
    if measure == "count":
        from matplotlib.ticker import MaxNLocator

        bar.locator = MaxNLocator(integer=True)
        bar.update_ticks()


def heatmap(
    matrix: pd.DataFrame,
    *,
    measure: str = "count",
    title: str | None = None,
    annotate: bool = True,
    cluster: bool = False,
    diagonal: bool = False,
    labels: Mapping[str, str] | None = None,
) -> Figure:
    """Annotated heatmap of one co-occurrence matrix (from :func:`qualcode.cooccurrence`).

    ``cluster=True`` orders codes by hierarchical clustering so related themes sit together;
    ``diagonal=False`` (default) blanks the diagonal, which holds each code's own frequency;
    ``labels`` maps code ids to the names drawn (:func:`code_labels` of a codebook).
    """
    if isinstance(matrix.index, pd.MultiIndex):
        raise OptionError("heatmap takes one matrix; for a grouped matrix use small_multiples()")
    if cluster:
        order = cluster_order(matrix)
        matrix = matrix.loc[order, order]
    plt = _pyplot()
    size = min(max(4.0, 0.45 * len(matrix) + 2.5), MAX_HEIGHT)
    fig, ax = plt.subplots(figsize=(size + 1.2, size + 0.4), layout="constrained")
    image = _draw(ax, matrix, measure, annotate, diagonal, labels=labels)
    _colorbar(fig.colorbar(image, ax=ax, shrink=0.8, label=measure), measure)
    _grey_legend(fig, measure, diagonal)
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
    labels: Mapping[str, str] | None = None,
) -> Figure:
    """One heatmap per group of a grouped co-occurrence matrix, on one colour scale shared by
    the groups and fitted to the values drawn (the blank diagonal does not stretch it)."""
    if not isinstance(matrix.index, pd.MultiIndex):
        return heatmap(matrix, measure=measure, annotate=annotate, cluster=cluster, labels=labels)
    groups = list(matrix.index.get_level_values(0).unique())
    codes = list(matrix.columns)
    if cluster:
        pooled = sum(matrix.loc[g].fillna(0) for g in groups)
        codes = cluster_order(pooled)
    plt = _pyplot()
    cols = min(columns, len(groups))
    rows = int(np.ceil(len(groups) / cols))
    cell = max(3.5, 0.4 * len(codes) + 2.0)
    cell = min(cell, MAX_HEIGHT / rows)
    fig, axes = plt.subplots(
        rows, cols, figsize=(cell * cols + 1.0, cell * rows + 0.4), layout="constrained", squeeze=False
    )
    blocks = [matrix.loc[g].loc[codes, codes] for g in groups]
    drawn = np.concatenate([_shown(b, measure, False).ravel() for b in blocks]) if blocks else np.array([])
    _, norm = _scale(measure, drawn)
    image = None
    for k, ax in enumerate(axes.ravel()):
        if k >= len(groups):
            ax.axis("off")
            continue
        image = _draw(ax, blocks[k], measure, annotate, diagonal=False, norm=norm, labels=labels)
        ax.set_title(str(groups[k]), fontsize=10)
    if image is not None:
        _colorbar(fig.colorbar(image, ax=axes.ravel().tolist(), shrink=0.6, label=measure), measure)
    _grey_legend(fig, measure, False)
    plt.close(fig)
    return fig


def _distinct(n: int) -> list[Any]:
    """``n`` colours no two alike: tab10's, then tab20's lighter tints (tab10 alone repeats
    its colours from the eleventh group: two groups drawn alike)."""
    from matplotlib import colormaps

    dark, pairs = colormaps["tab10"], colormaps["tab20"]
    return [dark(k) if k < 10 else pairs(2 * (k - 10) + 1) for k in range(n)]


def prevalence(
    freq: pd.DataFrame,
    *,
    value: str = "share",
    title: str | None = None,
    codes: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
    max_groups: int = MAX_GROUPS,
) -> Figure:
    """Grouped horizontal bars: for each code, one bar per group (from :func:`qualcode.frequencies`).

    With more than ``max_groups`` groups (say, one per speaker) only the largest are drawn
    (by coded units) and the title says so; the figure is never taller than ``MAX_HEIGHT``
    inches. The figure's ``notes`` attribute lists what was left out.
    """
    if value not in ("share", "n"):
        raise OptionError(f"value {value!r}: choose 'share' or 'n'")
    table = freq.pivot(index=C.CODE, columns=GROUP, values=value)
    order = list(codes) if codes is not None else list(dict.fromkeys(freq[C.CODE]))
    table = table.reindex(order[::-1])
    notes: list[str] = []
    if table.shape[1] > max_groups:
        sizes = freq.groupby(GROUP, sort=False)["n"].sum().sort_values(ascending=False, kind="stable")
        keep = [g for g in table.columns if g in set(sizes.index[:max_groups])]
        notes.append(
            f"{table.shape[1]} groups: drawn are the {max_groups} with most coded units; "
            "the frequency table (qualcode freq) has them all"
        )
        table = table[keep]
    groups = list(table.columns)
    count = freq.attrs.get("count", "segment")
    if value == "share" and len(groups) > 1 and "total" in freq and (freq["total"] == 1).all():
        notes.append(f"each group holds one {count}, so every share is 0 or 1: count smaller units (--count segment)")
    plt = _pyplot()
    height = min(max(3.0, 0.22 * len(groups) * len(table) + 1.6), MAX_HEIGHT)
    fig, ax = plt.subplots(figsize=(8, height), layout="constrained")
    bar = 0.8 / max(len(groups), 1)
    colours = _distinct(len(groups))
    positions = np.arange(len(table))
    for k, group in enumerate(groups):
        ax.barh(
            positions + (k - (len(groups) - 1) / 2) * bar,
            table[group].fillna(0),
            height=bar,
            label=str(group),
            color=colours[k],
        )
    ax.set_yticks(positions, labels=[_label(c, labels) for c in table.index], fontsize=9)
    if value == "share":  # up to the next tenth above the largest share: small shares stay readable
        largest = float(np.nanmax(table.to_numpy(dtype=float), initial=0.0))
        ax.set_xlim(0, min(1.0, np.ceil(largest * 10 - 1e-9) / 10) if largest > 0 else 1.0)
        ax.set_xlabel(f"share of {count}s holding the code")
    else:
        ax.set_xlabel(f"{count}s holding the code")
    if len(groups) > 1:  # beside the bars, never over them, in the order the bars stand in
        handles, names = ax.get_legend_handles_labels()
        fig.legend(handles[::-1], names[::-1], loc="outside right upper", fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    heading = title or f"Code prevalence by {count}"
    if notes:
        heading += f"\n(the {len(groups)} largest of {freq[GROUP].nunique()} groups)"
    ax.set_title(heading, fontsize=11)
    fig.notes = notes
    plt.close(fig)
    return fig
