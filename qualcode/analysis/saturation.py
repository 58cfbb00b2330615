"""Code saturation: how many new codes each further document brings.

The method of Guest, Namey & Chen (2020), "A simple method to assess and report thematic
saturation in qualitative research", PLOS ONE 15(5): e0232076. The codes found in the first
``base`` documents are the base; a *run* of the next ``run`` documents brings new
information: the codes it holds that no earlier document held, as a share of the base's
codes. Saturation is reached at the last document before the first run whose share is at
most ``threshold`` (the run confirms it). Runs start after the base and move on one
document at a time. Read "saturation at 6 documents (base 4, run 2, ≤ 5% new)".

Beside the rule, the estimated sample coverage after each document (Chao & Jost 2012,
"Coverage-based rarefaction and extrapolation", Ecology 93(12), for incidence data): the
share of what a further document would code that is codes already found.

Where saturation falls depends on the order documents were coded in, so the same is computed
over random orders of the same documents (``orders``, a fixed seed): how often saturation is
reached, and where (median and the 5th-95th percentile), as Guest et al. validated the
method by bootstrapping orders. Every figure counts codes present in a document, once however
often it was applied there.
"""

from __future__ import annotations

import itertools
import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .. import columns as C
from ..codebook import Codebook
from ..errors import OptionError, counted
from .documents import documents_table, ordered
from .units import chosen_codings, group_labels, in_codebook_order

if TYPE_CHECKING:
    from matplotlib.figure import Figure

GROUP = "group"
DEFAULT_BASE = 4
DEFAULT_RUN = 2
DEFAULT_THRESHOLD = 0.05
DEFAULT_ORDERS = 1000
CELLS = 16_000_000  # orders x documents x codes evaluated at once (about 64 MB of int32)


@dataclass
class Saturation:
    """What :func:`saturation` found.

    ``documents``: one row per document in the order read (per group): the codes it holds,
    how many are new, the cumulative count and share, and the run starting there with its new
    codes and new information; ``stage`` says where the document stands (``base``, ``before
    saturation``, ``confirming run``, ``after saturation``, ``not saturated``).
    ``summary``: one row per group, the saturation point and the random orders' figures.
    ``curves``: per group and position, the cumulative codes in the order read and the
    random orders' 5th, 50th and 95th percentiles (what the figure draws).
    """

    documents: pd.DataFrame
    summary: pd.DataFrame
    curves: pd.DataFrame
    base: int = DEFAULT_BASE
    run: int = DEFAULT_RUN
    threshold: float = DEFAULT_THRESHOLD
    order_by: str | None = None
    notes: list[str] = field(default_factory=list)

    def figure(self, *, title: str | None = None) -> Figure:
        """The curve of codes found, per group (:func:`qualcode.plot_saturation`)."""
        from ..plot_saturation import plot_saturation

        return plot_saturation(self, title=title)

    def _repr_html_(self) -> str:  # Jupyter: the sentences, then the table
        import html

        lines = [*self.sentences(), *self.notes]
        return "".join(f"<p>{html.escape(line)}</p>" for line in lines) + self.documents.to_html(index=False)

    @property
    def rule(self) -> str:
        return f"base {self.base}, run {self.run}, new information <= {self.threshold:.0%}"

    def sentences(self) -> list[str]:
        """One line per group, for a methods section."""
        return [self._sentence(row) for row in self.summary.to_dict("records")]

    def _sentence(self, row: dict[Any, Any]) -> str:
        where = "" if row[GROUP] == "all" else f"{row[GROUP]}: "
        n, rule = int(row["documents"]), self.rule
        if pd.isna(row["saturation"]):
            if n < self.base + self.run:
                found = f"{counted(n, 'document')}, too few for {rule}"
            elif row["base_codes"] == 0:
                found = f"no codes in the first {self.base} of {n} documents ({rule})"
            else:
                found = f"not reached in {n} documents ({rule}; {row['codes']} codes)"
        else:
            point = int(row["saturation"])
            found = (
                f"saturation at {point} of {n} documents ({rule}: the base holds {row['base_codes']} codes, "
                f"{_documents_named(point + 1, point + self.run)} {row['run_new']}; {row['codes_at_saturation']} "
                f"of the {row['codes']} codes found in all {n} had appeared by then"
                f"{_estimated(row['coverage_at_saturation'])})"
            )
        if int(row["orders"]):
            spread = ""
            if row["orders_reached"] > 0:
                spread = f", median {row['orders_median']:g} ({row['orders_low']:g}-{row['orders_high']:g})"
            among = f"all {row['orders']:,} orders" if row["every_order"] else f"{row['orders']:,} random orders"
            found += f"; in {among} reached {row['orders_reached']:.0%}{spread}"
        return where + found


def saturation(
    codings: pd.DataFrame,
    *,
    segments: pd.DataFrame | None = None,
    metadata: pd.DataFrame | None = None,
    order_by: str | None = None,
    base: int = DEFAULT_BASE,
    run: int = DEFAULT_RUN,
    threshold: float = DEFAULT_THRESHOLD,
    by: str | Sequence[str] | None = None,
    reviewed: bool = False,
    min_score: float | None = None,
    codebook: Codebook | None = None,
    level: int | None = None,
    orders: int = DEFAULT_ORDERS,
    seed: int = 0,
) -> Saturation:
    """New codes per document and the saturation point (Guest, Namey & Chen 2020).

    Parameters
    ----------
    codings
        Any codings table (rejected rows are left out).
    segments
        The segments of the run, so that documents without any code count too (a document
        that brought nothing new is evidence of saturation).
    metadata
        A participants table indexed by document id (:func:`qualcode.read_metadata`): its
        columns may be ``order_by`` and ``by`` (for codings made without it, such as a
        codings file exported from another program).
    order_by
        A metadata column giving the order the documents were coded or collected in
        (``interview_date`` as YYYY-MM-DD, ``participant``); numbers sort as numbers, and
        text with numbers in it naturally (P2 before P10). Default: the order of the run.
    base, run, threshold
        The base size, the run length and the new-information threshold (0.05: at most 5%
        as many new codes as the base holds).
    by
        One saturation per group of a metadata column (``role``).
    reviewed
        Count only ``human`` and ``accepted`` rows (a researcher's codes), not suggestions.
    min_score
        Count suggestions scoring at least this (reviewed and human rows always count).
    codebook, level
        Code order, former names read as the code, and ``level=1`` for the saturation of
        top-level codes (themes).
    orders, seed
        How many random orders of the same documents to evaluate (0: none), and their seed.

    Examples
    --------
    >>> import pandas as pd
    >>> codings = pd.DataFrame({"doc_id": list("abcdefg"), "code": list("xyzxyxx")})
    >>> result = saturation(codings, base=2, run=2, orders=0)
    >>> result.documents[["doc_id", "new_codes", "cumulative", "stage"]].to_dict("list")["stage"]
    ['base', 'base', 'before saturation', 'confirming run', 'confirming run', 'after saturation', 'after saturation']
    """
    _check(base, run, threshold, orders)
    groups = [by] if isinstance(by, str) else list(by or [])
    statuses = ["human", "accepted"] if reviewed else None
    chosen = chosen_codings(codings, min_score=min_score, codebook=codebook, level=level, statuses=statuses)
    if not len(chosen):
        raise OptionError(
            "no human or accepted rows to count: review the suggestions first (qualcode review) or leave out --reviewed"
            if reviewed and len(codings)
            else "no codings to count",
            option="reviewed" if reviewed else None,
        )
    notes: list[str] = []
    if metadata is not None:  # its columns onto the codings and segments, as the other analyses join it
        from ..io.metadata import join_metadata

        codings, joined = join_metadata(codings, metadata)
        if segments is not None:
            segments, more = join_metadata(segments, metadata)
            joined = list(dict.fromkeys([*joined, *more]))
        notes += joined
    if not reviewed and C.STATUS in chosen.columns:
        unreviewed = int(chosen[C.STATUS].astype(str).str.strip().str.lower().isin(["suggested", ""]).sum())
        if unreviewed:
            notes.append(
                f"counting {counted(unreviewed, 'suggestion')} nobody reviewed: the saturation of what the model "
                "suggests, not of a researcher's codes (qualcode saturation --reviewed, reviewed=True in Python, counts only "
                "human and accepted rows)"
            )
    docs = documents_table(codings, segments, [c for c in [order_by, *groups] if c])
    if order_by:
        docs = ordered(docs, order_by)
    codes = in_codebook_order(codebook, chosen[C.CODE]) if codebook is not None else None
    if codes is None:
        codes = list(dict.fromkeys(chosen[C.CODE].astype(str)))
    docs[GROUP] = group_labels(docs, groups).to_numpy() if groups else "all"
    held = _held(chosen, docs[C.DOC_ID], codes)
    tables, summaries, curves = [], [], []
    for group in sorted(docs[GROUP].unique(), key=str) if groups else ["all"]:
        rows = np.flatnonzero((docs[GROUP] == group).to_numpy())
        table, summary, curve = _one_group(
            docs.iloc[rows],
            held[rows],
            codes,
            base=base,
            run=run,
            threshold=threshold,
            orders=orders,
            rng=np.random.default_rng([seed, zlib.crc32(str(group).encode())]),  # a group's orders: its own
        )
        tables.append(table.assign(**{GROUP: group}))
        summaries.append({GROUP: group, **summary})
        curves.append(curve.assign(**{GROUP: group}))
    documents = pd.concat(tables, ignore_index=True)
    keep = [GROUP, "position", C.DOC_ID, *([order_by] if order_by and order_by != C.DOC_ID else [])]
    documents = documents[keep + [c for c in documents.columns if c not in keep]]
    curve_table = pd.concat(curves, ignore_index=True)
    return Saturation(
        documents=documents,
        summary=pd.DataFrame(summaries),
        curves=curve_table[[GROUP, *[c for c in curve_table.columns if c != GROUP]]],
        base=base,
        run=run,
        threshold=threshold,
        order_by=order_by,
        notes=notes,
    )


def _estimated(value: float) -> str:
    if not np.isfinite(value):
        return ""
    return (
        f"; estimated coverage {value:.2f}: about {1 - value:.0%} of what a further document codes would be new codes"
    )


def _documents_named(first: int, last: int) -> str:
    return f"document {first} adds" if first == last else f"documents {first}-{last} add"


def _check(base: int, run: int, threshold: float, orders: int) -> None:
    if base < 1:
        raise OptionError(f"base {base}: the base holds at least one document (Guest et al. use 4 to 6)", option="base")
    if run < 1:
        raise OptionError(f"run {run}: a run holds at least one document (Guest et al. use 2 or 3)", option="run")
    if not 0 <= threshold < 1:
        raise OptionError(
            f"threshold {threshold}: give the share of new codes as a fraction from 0 to below 1 (0.05 for 5%)",
            option="threshold",
        )
    if orders < 0:
        raise OptionError(f"orders {orders}: give 0 (none) or more random orders", option="orders")


def _held(chosen: pd.DataFrame, doc_ids: pd.Series, codes: list[str]) -> np.ndarray:
    """documents x codes: True when the document holds the code."""
    held = np.zeros((len(doc_ids), len(codes)), dtype=bool)
    if not len(codes):
        return held
    rows = pd.Index(doc_ids.astype(str)).get_indexer(pd.Index(chosen[C.DOC_ID].astype(str)))
    cols = pd.Index(codes).get_indexer(pd.Index(chosen[C.CODE].astype(str)))
    ok = (rows >= 0) & (cols >= 0)
    held[rows[ok], cols[ok]] = True
    return held


def _new_counts(held: np.ndarray, ranks: np.ndarray) -> np.ndarray:
    """orders x documents: how many codes are first seen at each position, for orders that
    put document d at position ``ranks[o, d]``."""
    n_orders, n = ranks.shape
    out = np.zeros((n_orders, n), dtype=np.int64)
    chunk = max(1, CELLS // max(1, held.size))  # memory bounded however many documents and codes
    for start in range(0, n_orders, chunk):
        part = ranks[start : start + chunk].astype(np.int32)
        first = np.where(held[None, :, :], part[:, :, None], np.int32(n)).min(axis=1)  # orders x codes
        offsets = (np.arange(len(part)) * (n + 1))[:, None]
        counts = np.bincount((first + offsets).ravel(), minlength=len(part) * (n + 1))
        out[start : start + len(part)] = counts.reshape(len(part), n + 1)[:, :n]
    return out


def _points(new: np.ndarray, base: int, run: int, threshold: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per order: the saturation point (-1 where none), and every run's new codes and share
    (orders x run starts)."""
    cum = np.concatenate([np.zeros((len(new), 1), dtype=np.int64), np.cumsum(new, axis=1)], axis=1)
    n = new.shape[1]
    starts = np.arange(base, n - run + 1)
    if not len(starts):
        empty = np.zeros((len(new), 0))
        return np.full(len(new), -1), empty, empty
    base_codes = cum[:, base]
    run_new = cum[:, starts + run] - cum[:, starts]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = run_new / base_codes[:, None]
    ok = (share <= threshold + 1e-12) & (base_codes[:, None] > 0)
    points = np.where(ok.any(axis=1), starts[ok.argmax(axis=1)], -1)
    return points, run_new, share


def _one_group(
    docs: pd.DataFrame,
    held: np.ndarray,
    codes: list[str],
    *,
    base: int,
    run: int,
    threshold: float,
    orders: int,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, dict[str, object], pd.DataFrame]:
    n = len(docs)
    new = _new_counts(held, np.arange(n)[None, :])
    points, run_new, share = _points(new, base, run, threshold)
    point = int(points[0]) if points[0] >= 0 else None
    cumulative = np.cumsum(new[0])
    total = int(cumulative[-1]) if n else 0
    seen = np.zeros(len(codes), dtype=bool)
    table = docs.drop(columns=[GROUP]).reset_index(drop=True).copy()
    names, stages = [], []
    for k in range(n):
        fresh = held[k] & ~seen
        seen |= held[k]
        names.append("; ".join(c for c, f in zip(codes, fresh, strict=True) if f))
        stages.append(_stage(k + 1, base, run, point))
    table.insert(0, "position", np.arange(1, n + 1))
    table["codes"] = held.sum(axis=1)
    table["new_codes"] = new[0]
    table["cumulative"] = cumulative
    table["share"] = cumulative / total if total else 0.0
    table["coverage"] = coverage(held)
    table["new"] = names
    starts = range(base, n - run + 1)
    table["run"] = ""
    table["run_new"] = pd.array([pd.NA] * n, dtype="Int64")
    table["new_information"] = np.nan
    for j, s in enumerate(starts):
        table.loc[s, "run"] = f"{s + 1}-{s + run}" if run > 1 else str(s + 1)
        table.loc[s, "run_new"] = int(run_new[0, j])
        table.loc[s, "new_information"] = float(share[0, j]) if np.isfinite(share[0, j]) else np.nan
    table["stage"] = stages
    summary: dict[str, object] = {
        "documents": n,
        "codes": total,
        "base_codes": int(cumulative[base - 1]) if n >= base else pd.NA,
        "saturation": point if point is not None else pd.NA,
        "run_new": int(run_new[0, point - base]) if point is not None else pd.NA,
        "codes_at_saturation": int(cumulative[point - 1]) if point is not None else pd.NA,
        "new_information": float(share[0, point - base]) if point is not None else np.nan,
        "coverage_at_saturation": float(table["coverage"].iloc[point - 1]) if point is not None else np.nan,
        "coverage": float(table["coverage"].iloc[-1]) if n else np.nan,
        "orders": orders if n >= base + run else 0,  # too few documents: no order can saturate
    }
    curve = pd.DataFrame({"position": np.arange(1, n + 1), "cumulative": cumulative})
    if summary["orders"]:
        every = math.factorial(n) <= orders  # few documents: every order once, exactly
        if every:
            ranks = np.array(list(itertools.permutations(range(n))), dtype=np.int64)
        else:  # a random order's rank of each document
            ranks = np.argsort(rng.random((orders, n)), axis=1)
        summary.update(orders=len(ranks), every_order=every)
        counts = _new_counts(held, ranks)
        random_points = _points(counts, base, run, threshold)[0]
        reached = random_points[random_points >= 0]
        summary["orders_reached"] = len(reached) / len(ranks)
        # percentiles that are values seen (a number of documents, of codes), not between two
        low, mid, high = np.percentile(reached, [5, 50, 95], method="inverted_cdf") if len(reached) else (np.nan,) * 3
        summary.update(orders_median=mid, orders_low=low, orders_high=high)
        cum = np.cumsum(counts, axis=1)
        for name, q in (("orders_low", 5), ("orders_median", 50), ("orders_high", 95)):
            curve[name] = np.percentile(cum, q, axis=0, method="inverted_cdf")
    else:
        summary.update(
            every_order=False, orders_reached=np.nan, orders_median=np.nan, orders_low=np.nan, orders_high=np.nan
        )
    return table, summary, curve


def coverage(held: np.ndarray) -> np.ndarray:
    """After each document (rows of ``held``, documents x codes, in order), the estimated
    sample coverage of the codes found so far: the share of the code mentions a further
    document would make that are of codes already found (Chao & Jost 2012, incidence data:
    ``1 - Q1/U * (k-1)Q1 / ((k-1)Q1 + 2 Q2)``, with Q1 and Q2 the codes found in exactly one
    and two of the k documents and U all (document, code) mentions; ``Q2 = 0`` takes the
    bias-corrected ``(k-1)(Q1-1) / ((k-1)(Q1-1) + 2)``). NaN after the first document, or
    before any code.

    >>> coverage(np.array([[1, 1, 0], [1, 0, 1], [1, 1, 0]], dtype=bool)).round(3).tolist()
    [nan, 0.75, 0.917]
    """
    counts = np.cumsum(held.astype(np.int64), axis=0)  # k x codes: documents holding each code so far
    out = np.full(len(held), np.nan)
    for k in range(1, len(held)):
        seen = counts[k]
        mentions = int(seen.sum())
        if not mentions:
            continue
        q1, q2, t = int((seen == 1).sum()), int((seen == 2).sum()), k + 1
        if q2 > 0:
            factor = (t - 1) * q1 / ((t - 1) * q1 + 2 * q2)
        else:
            factor = (t - 1) * (q1 - 1) / ((t - 1) * (q1 - 1) + 2) if q1 > 1 else 0.0
        out[k] = 1 - q1 / mentions * factor
    return out


def _stage(position: int, base: int, run: int, point: int | None) -> str:
    if position <= base:
        return "base"
    if point is None:
        return "not saturated"
    if position <= point:
        return "before saturation"
    if position <= point + run:
        return "confirming run"
    return "after saturation"


__all__ = ["Saturation", "saturation"]
