"""How often each code occurs: by segments, documents, participants or districts, per group.

The form a qualitative report uses: "mentioned by 10 of 13 districts", "in 42% of
student-services directors' turns".
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .. import columns as C
from ..codebook import Codebook
from ..errors import OptionError
from .units import chosen_codings, group_labels, in_codebook_order, indicator

GROUP = "group"


def frequencies(
    codings: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = None,
    count: str = "segment",
    min_score: float | None = None,
    codebook: Codebook | None = None,
    level: int | None = None,
    segments: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Units mentioning each code, per group.

    Parameters
    ----------
    codings
        Any codings table (rejected rows are left out; ``min_score`` filters suggestions).
    by
        None, a metadata column or several: one set of figures per group value.
    count
        What is counted: ``segment``, ``document``, ``participant`` or any metadata column
        (``district``: the number of districts in which the code occurs).
    segments
        The segments table, so that units without any code count in ``total``; without it,
        ``total`` counts the units present in ``codings``.

    Returns
    -------
    pandas.DataFrame
        One row per (group, code): ``group, code, n, total, share, of`` where ``n`` units of
        ``total`` in the group hold the code, ``share = n / total`` and ``of`` reads "n of total".

    Examples
    --------
    >>> import pandas as pd
    >>> codings = pd.DataFrame({"doc_id": ["a", "b", "c"], "district": ["D1", "D1", "D2"],
    ...                         "code": ["x", "x", "y"]})
    >>> frequencies(codings, count="district")[["code", "of"]].to_dict("records")
    [{'code': 'x', 'of': '1 of 2'}, {'code': 'y', 'of': '1 of 2'}]
    """
    groups = [by] if isinstance(by, str) else list(by or [])
    if count in groups:
        raise OptionError(f"cannot count {count!r} units while grouping by {count!r}")
    chosen = chosen_codings(codings, min_score=min_score, codebook=codebook, level=level)
    codes = None
    if codebook is not None:
        codes = in_codebook_order(codebook, chosen[C.CODE])
    ind = indicator(chosen, unit=count, by=groups, segments=segments, codes=codes)
    labels = group_labels(ind.units, groups).reset_index(drop=True)
    rows = []
    for value in sorted(labels.unique()):
        members = np.flatnonzero((labels == value).to_numpy())
        n = np.asarray(ind.matrix[members].sum(axis=0)).ravel()
        for code, k in zip(ind.codes, n, strict=True):
            rows.append({GROUP: value, C.CODE: code, "n": int(k), "total": len(members)})
    out = pd.DataFrame(rows, columns=[GROUP, C.CODE, "n", "total"])
    out["share"] = out["n"] / out["total"].where(out["total"] > 0)
    out["of"] = out["n"].astype(str) + " of " + out["total"].astype(str)
    out.attrs["count"] = count
    return out


def frequency_table(freq: pd.DataFrame, value: str = "of") -> pd.DataFrame:
    """Code × group table of one column of :func:`frequencies` (``of``, ``n`` or ``share``)."""
    table = freq.pivot(index=C.CODE, columns=GROUP, values=value)
    order = list(dict.fromkeys(freq[C.CODE]))
    return table.reindex(order)
