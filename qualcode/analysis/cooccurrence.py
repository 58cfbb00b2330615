"""Theme co-occurrence: which codes travel together, overall and by group.

With ``n_A`` the units holding code A, ``n_AB`` the units holding both A and B and ``N`` the
units counted:

==============  ============================================  ====================
measure         value for the pair (A, B)                     diagonal
==============  ============================================  ====================
``count``       ``n_AB``                                      ``n_A``
``jaccard``     ``n_AB / (n_A + n_B − n_AB)`` (ATLAS.ti's c)  1
``overlap``     ``n_AB / min(n_A, n_B)``                      1
``conditional`` ``P(B|A) = n_AB / n_A`` (row A, column B)     1
``lift``        ``n_AB · N / (n_A · n_B)``                    ``N / n_A``
``npmi``        ``log(p_AB / (p_A p_B)) / −log p_AB``         1
==============  ============================================  ====================

``p_X = n_X / N``. A pair never seen together has NPMI −1; a measure whose denominator is 0
(a code held by no unit) is NaN. All counts come from one sparse product ``XᵀX`` of the
units × codes indicator matrix (grouped: one product per group).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import sparse, stats

from .. import columns as C
from ..codebook import Codebook
from ..errors import OptionError
from .units import Indicator, chosen_codings, group_labels, in_codebook_order, indicator

MEASURES = ("count", "jaccard", "overlap", "conditional", "lift", "npmi")
GROUP = "group"


def counts(matrix: sparse.csr_matrix) -> np.ndarray:
    """``n_AB`` for every pair (``n_A`` on the diagonal), as a dense integer array."""
    product = (matrix.T @ matrix).toarray()
    return np.asarray(product, dtype=np.int64)


def measure_values(n_ab: np.ndarray, total: int, measure: str) -> np.ndarray:
    """Apply a measure (see the module docs) to a co-occurrence count matrix."""
    if measure not in MEASURES:
        raise OptionError(f"unknown measure {measure!r}; choose one of: {', '.join(MEASURES)}")
    n_ab = n_ab.astype(float)
    n = np.diag(n_ab)
    n_a, n_b = n[:, None], n[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        if measure == "count":
            return n_ab
        if measure == "jaccard":
            return n_ab / (n_a + n_b - n_ab)
        if measure == "overlap":
            return n_ab / np.minimum(n_a, n_b)
        if measure == "conditional":
            return n_ab / np.broadcast_to(n_a, n_ab.shape)
        if measure == "lift":
            return n_ab * total / (n_a * n_b)
        p_ab, p_a, p_b = n_ab / total, n_a / total, n_b / total
        pmi = np.log(p_ab / (p_a * p_b))
        out = pmi / -np.log(p_ab)
        out[(n_ab == 0) & (n_a > 0) & (n_b > 0)] = -1.0
        out[(p_ab == 1.0)] = 1.0
        return out


def _prepare(
    codings: pd.DataFrame,
    *,
    unit: str,
    by: str | Sequence[str] | None,
    min_score: float | None,
    codebook: Codebook | None,
    level: int | None,
    segments: pd.DataFrame | None,
    codes: Sequence[str] | None,
    window: int,
) -> tuple[Indicator, list[str]]:
    groups = [by] if isinstance(by, str) else list(by or [])
    chosen = chosen_codings(codings, min_score=min_score, codebook=codebook, level=level)
    if codes is None and codebook is not None:
        codes = in_codebook_order(codebook, chosen[C.CODE])
    return indicator(chosen, unit=unit, by=groups, segments=segments, codes=codes, window=window), groups


def group_ids(units: pd.DataFrame, groups: list[str]) -> tuple[np.ndarray, list[str]]:
    """Each unit's group number and the group names (sorted; several columns joined by ' / ')."""
    if not groups:
        return np.zeros(len(units), dtype=np.int64), ["all"]
    codes, names = pd.factorize(group_labels(units, groups))
    order = np.argsort(np.asarray(names, dtype=str), kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return rank[codes], [str(names[i]) for i in order]


def grouped_counts(matrix: sparse.csr_matrix, ids: np.ndarray, n_groups: int) -> np.ndarray:
    """``n_AB`` per group in one sparse product: shape (groups, codes, codes)."""
    n_codes = matrix.shape[1]
    coo = matrix.tocoo()
    spread = sparse.csr_matrix(
        (coo.data, (coo.row, ids[coo.row] * n_codes + coo.col)), shape=(matrix.shape[0], n_groups * n_codes)
    )
    product = (spread.T @ matrix).toarray().astype(np.int64)
    return product.reshape(n_groups, n_codes, n_codes)


def cooccurrence(
    codings: pd.DataFrame,
    *,
    unit: str = "segment",
    by: str | Sequence[str] | None = None,
    measure: str = "count",
    min_score: float | None = None,
    codebook: Codebook | None = None,
    level: int | None = None,
    segments: pd.DataFrame | None = None,
    codes: Sequence[str] | None = None,
    window: int = 3,
) -> pd.DataFrame:
    """Code × code co-occurrence matrix, overall or one per group.

    Parameters
    ----------
    codings
        Any codings table: suggestions (``min_score`` to keep the confident ones), reviewed
        codings (rows with ``status == "rejected"`` are left out), or human codes.
    unit
        ``segment``, ``document``, ``participant`` or ``window`` (``window`` consecutive segments).
    by
        None, a metadata column (``"role"``) or several (``["district", "role"]``).
    measure
        ``count``, ``jaccard``, ``overlap``, ``conditional``, ``lift`` or ``npmi`` (module docs).
    codebook, level
        With ``level=1`` child codes are rolled up into their top-level parent; with a codebook,
        codes follow its order.
    segments
        The segments table, so that units without any code count in ``N`` (lift, NPMI).

    Returns
    -------
    pandas.DataFrame
        Square matrix (index and columns: codes); with ``by``, index ``(group, code)``: one
        block per group value (``result.loc["superintendent"]``).

    Examples
    --------
    >>> import pandas as pd
    >>> codings = pd.DataFrame({"doc_id": ["a", "a", "b"], "segment_id": [0, 0, 0],
    ...                         "code": ["x", "y", "x"]})
    >>> cooccurrence(codings, measure="count").to_dict()
    {'x': {'x': 2, 'y': 1}, 'y': {'x': 1, 'y': 1}}
    """
    ind, groups = _prepare(
        codings,
        unit=unit,
        by=by,
        min_score=min_score,
        codebook=codebook,
        level=level,
        segments=segments,
        codes=codes,
        window=window,
    )
    if not groups:
        values = measure_values(counts(ind.matrix), ind.total, measure)
        frame = pd.DataFrame(values, index=pd.Index(ind.codes, name=C.CODE), columns=ind.codes)
        return frame.astype("int64") if measure == "count" else frame
    ids, names = group_ids(ind.units, groups)
    per_group = grouped_counts(ind.matrix, ids, len(names))
    sizes = np.bincount(ids, minlength=len(names))
    blocks = []
    for k, value in enumerate(names):
        values = measure_values(per_group[k], int(sizes[k]), measure)
        block = pd.DataFrame(values, index=ind.codes, columns=ind.codes)
        block.index = pd.MultiIndex.from_product([[value], ind.codes], names=[GROUP, C.CODE])
        blocks.append(block.astype("int64") if measure == "count" else block)
    if not blocks:  # no codings, so no group either: an empty table of the grouped shape
        return pd.DataFrame(index=pd.MultiIndex.from_tuples([], names=[GROUP, C.CODE]), columns=ind.codes)
    return pd.concat(blocks)


def tidy(matrix: pd.DataFrame, measure: str = "count") -> pd.DataFrame:
    """One row per (group, code_a, code_b) from :func:`cooccurrence`'s result (pairs a ≤ b for
    symmetric measures; every ordered pair for ``conditional``)."""
    if isinstance(matrix.index, pd.MultiIndex):
        parts = [(group, matrix.loc[group]) for group in matrix.index.get_level_values(0).unique()]
    else:
        parts = [("all", matrix)]
    rows = []
    for group, block in parts:
        codes = list(block.columns)
        for i, a in enumerate(codes):
            for j, b in enumerate(codes):
                if measure != "conditional" and j < i:
                    continue
                rows.append({GROUP: group, "code_a": a, "code_b": b, measure: block.iloc[i, j]})
    return pd.DataFrame(rows)


def compare_groups(
    codings: pd.DataFrame,
    *,
    by: str | Sequence[str],
    unit: str = "segment",
    min_score: float | None = None,
    codebook: Codebook | None = None,
    level: int | None = None,
    segments: pd.DataFrame | None = None,
    alpha: float = 0.05,
    window: int = 3,
) -> pd.DataFrame:
    """Which code pairs co-occur at different rates between groups?

    For every pair of codes, the units of each group are split into those holding both codes
    and the others. Two groups: Fisher's exact test on the 2 × 2 table; more groups:
    a chi-square test on the 2 × k table. p-values are corrected for the number of pairs with
    Benjamini-Hochberg (``p_adjusted``); ``differs`` is ``p_adjusted < alpha``.

    Returns
    -------
    pandas.DataFrame
        One row per pair: ``code_a, code_b``, for each group ``n_units[g]``, ``n_both[g]`` and
        ``rate[g]``, then ``test, statistic, p_value, p_adjusted, differs``; sorted by p-value.
    """
    ind, groups = _prepare(
        codings,
        unit=unit,
        by=by,
        min_score=min_score,
        codebook=codebook,
        level=level,
        segments=segments,
        codes=None,
        window=window,
    )
    ids, values = group_ids(ind.units, groups)
    if len(values) < 2:
        held = f"have {values[0]!r} only" if values else "are none (no segment holds a coding)"
        raise OptionError(
            f"comparing groups needs at least two values of {', '.join(groups)}; the coded segments {held}"
        )
    stacked = grouped_counts(ind.matrix, ids, len(values))
    counts_of = np.bincount(ids, minlength=len(values))
    per_group = {value: stacked[k] for k, value in enumerate(values)}
    sizes = {value: int(counts_of[k]) for k, value in enumerate(values)}
    records = []
    for i, a in enumerate(ind.codes):
        for j in range(i + 1, len(ind.codes)):
            b = ind.codes[j]
            both = np.array([per_group[v][i, j] for v in values])
            total = np.array([sizes[v] for v in values])
            table = np.vstack([both, total - both])
            if both.sum() == 0:
                test, statistic, p = "none", np.nan, 1.0
            elif len(values) == 2:
                statistic, p = stats.fisher_exact(table)
                test = "fisher"
            else:
                statistic, p, _, _ = stats.chi2_contingency(table)
                test = "chi2"
            record: dict[str, object] = {"code_a": a, "code_b": b}
            for v, n_both, n in zip(values, both, total, strict=True):
                record[f"n_units[{v}]"] = int(n)
                record[f"n_both[{v}]"] = int(n_both)
                record[f"rate[{v}]"] = n_both / n if n else np.nan
            record.update({"test": test, "statistic": statistic, "p_value": float(p)})
            records.append(record)
    out = pd.DataFrame(records)
    if out.empty:
        return out
    out["p_adjusted"] = stats.false_discovery_control(out["p_value"].to_numpy(), method="bh")
    out["differs"] = out["p_adjusted"] < alpha
    return out.sort_values(["p_value", "code_a", "code_b"], kind="stable").reset_index(drop=True)
