"""Agreement between coders: percent agreement, Cohen's kappa, Krippendorff's alpha.

Units
-----
``segment``: every segment of the documents a coder coded is a unit; for each code, a coder
either applied it to the segment (human spans map onto segments by the overlap rule of
:mod:`qualcode.codings`) or did not. A document a coder did not code at all is *missing* for
that coder, not "absent".

``character``: every character of those documents is a unit (the figures NVivo reports);
a coder applied a code to a character when one of their spans covers it.

Per code and pooled over all codes (the units × codes decisions stacked): number of units,
prevalence (share of coded decisions that apply the code), percent agreement, Cohen's kappa
(two coders, scikit-learn) and Krippendorff's alpha (two or more coders, missing data allowed,
the ``krippendorff`` package). Where the code is rare (prevalence under 5% or over 95%)
kappa can be low even when coders agree on nearly every unit; ``warning`` says so.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.metrics import cohen_kappa_score

from .. import columns as C
from ..codings import map_to_segments
from ..errors import ColumnError, OptionError
from .units import analysed

LOW_PREVALENCE = 0.05
COLUMNS = ["n_units", "n_coders", "prevalence", "percent_agreement", "cohen_kappa", "krippendorff_alpha", "warning"]


def _alpha(data: np.ndarray) -> float:
    """Krippendorff's alpha (nominal) of a coders × units matrix with NaN for missing."""
    import krippendorff

    pairable = (np.sum(~np.isnan(data), axis=0) >= 2).sum()
    values = data[~np.isnan(data)]
    if pairable == 0 or len(np.unique(values)) < 2:
        return float("nan")
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


def _row(data: np.ndarray) -> dict[str, object]:
    """Figures for one coders × units matrix of 0/1 decisions (NaN = missing)."""
    complete = ~np.isnan(data).any(axis=0)
    both = data[:, complete]
    n_units = int(complete.sum())
    coded = data[~np.isnan(data)]
    prevalence = float(coded.mean()) if coded.size else float("nan")
    agree = float((both == both[0]).all(axis=0).mean()) if n_units else float("nan")
    kappa = float("nan")
    if data.shape[0] == 2 and n_units:
        a, b = both[0].astype(int), both[1].astype(int)
        kappa = 1.0 if (a == b).all() and len(np.unique(a)) == 1 else float(cohen_kappa_score(a, b))
    warning = ""
    if np.isfinite(prevalence) and (prevalence < LOW_PREVALENCE or prevalence > 1 - LOW_PREVALENCE):
        warning = f"prevalence {prevalence:.1%}: kappa and alpha are unstable for so rare a code; report agreement too"
    return {
        "n_units": n_units,
        "n_coders": int(data.shape[0]),
        "prevalence": prevalence,
        "percent_agreement": agree,
        "cohen_kappa": kappa,
        "krippendorff_alpha": _alpha(data),
        "warning": warning,
    }


def _decisions_segments(
    codings: pd.DataFrame, coders: list[str], codes: list[str], segments: pd.DataFrame, every_unit_coded: bool = False
) -> np.ndarray:
    """coders × units × codes, NaN where the coder did not code the unit's document (unless
    ``every_unit_coded``)."""
    segments = analysed(segments, codings)
    columns = [c for c in (C.DOC_ID, C.SEGMENT_ID, C.START_CHAR, C.END_CHAR) if c in segments.columns]
    units = segments[columns].drop_duplicates([C.DOC_ID, C.SEGMENT_ID]).reset_index(drop=True)
    position = {(d, str(s)): i for i, (d, s) in enumerate(zip(units[C.DOC_ID], units[C.SEGMENT_ID], strict=True))}
    out = np.full((len(coders), len(units), len(codes)), np.nan)
    for k, coder in enumerate(coders):
        mine = codings[codings[C.CODER] == coder]
        docs = units[C.DOC_ID].isin(set(mine[C.DOC_ID])).to_numpy() | every_unit_coded
        out[k, docs, :] = 0.0
        for doc_id, segment_id, code in map_to_segments(mine, units)[[C.DOC_ID, C.SEGMENT_ID, C.CODE]].itertuples(
            index=False
        ):
            if code in codes:
                out[k, position[(doc_id, str(segment_id))], codes.index(code)] = 1.0
    return out


def _decisions_characters(
    codings: pd.DataFrame, coders: list[str], codes: list[str], lengths: dict[str, int]
) -> np.ndarray:
    if C.START_CHAR not in codings.columns:
        raise OptionError("unit='character' needs codings in span form (start_char, end_char)")
    docs = sorted(set(codings[C.DOC_ID]))
    missing = [d for d in docs if d not in lengths]
    if missing:
        raise ColumnError(f"no text length for document {missing[0]!r}; pass the documents' texts")
    offset = {}
    total = 0
    for doc in docs:
        offset[doc] = total
        total += lengths[doc]
    out = np.full((len(coders), total, len(codes)), np.nan, dtype=np.float32)
    for k, coder in enumerate(coders):
        mine = codings[codings[C.CODER] == coder]
        for doc in set(mine[C.DOC_ID]):
            out[k, offset[doc] : offset[doc] + lengths[doc], :] = 0.0
        for doc, start, end, code in mine[[C.DOC_ID, C.START_CHAR, C.END_CHAR, C.CODE]].itertuples(index=False):
            if code in codes:
                out[k, offset[doc] + int(start) : offset[doc] + int(end), codes.index(code)] = 1.0
    return out


def agreement(
    codings: pd.DataFrame,
    *,
    coders: Sequence[str] | None = None,
    unit: str = "segment",
    segments: pd.DataFrame | None = None,
    texts: dict[str, str] | None = None,
    codes: Sequence[str] | None = None,
    every_unit_coded: bool = False,
) -> pd.DataFrame:
    """Inter-coder agreement per code and pooled.

    Parameters
    ----------
    codings
        Human codings of several coders (a ``coder`` column), span or segment form; e.g.
        ``pd.concat([qc.read_codings("a.csv"), qc.read_codings("b.csv")])``.
    coders
        Which coders to compare (default: all, sorted). Cohen's kappa needs exactly two.
    unit
        ``segment`` (needs ``segments``) or ``character`` (needs ``texts`` or offsets).
    segments
        The segments table the codings refer to (:func:`qualcode.read_transcripts`).
    texts
        Document texts by id, for ``unit="character"`` (default: each document ends at its
        last coded character).
    every_unit_coded
        Whether each coder coded every unit of ``segments`` (a coding sheet, where a cell left
        empty says no code applies). By default a coder who applied no code in a document did
        not code it, and its units are not compared.

    Returns
    -------
    pandas.DataFrame
        Index: each code, then ``pooled``; columns ``n_units, n_coders, prevalence,
        percent_agreement, cohen_kappa, krippendorff_alpha, warning``.
    """
    from ..excerpts import require_placed

    require_placed(codings)
    if C.CODER not in codings.columns:
        raise ColumnError("codings need a 'coder' column naming who applied each code")
    coders = list(coders) if coders is not None else sorted(codings[C.CODER].astype(str).unique())
    if len(coders) < 2:
        raise OptionError(
            f"agreement needs at least two coders; the codings name {', '.join(coders) or 'none'}: give one file "
            "per coder, or a 'coder' column naming two or more"
        )
    codings = codings[codings[C.CODER].isin(coders)]
    codes = list(codes) if codes is not None else sorted(codings[C.CODE].unique())
    if unit == "segment":
        if segments is None:
            raise OptionError("unit='segment' needs the segments table (segments=corpus.segments)")
        data = _decisions_segments(codings, coders, codes, segments, every_unit_coded)
    elif unit == "character":
        if texts is not None:
            lengths = {doc: len(text) for doc, text in texts.items()}
        else:
            lengths = {str(d): int(e) for d, e in codings.groupby(C.DOC_ID)[C.END_CHAR].max().items()}
        data = _decisions_characters(codings, coders, codes, lengths)
    else:
        raise OptionError(f"unknown unit {unit!r}; choose segment or character")
    rows = {code: _row(data[:, :, j]) for j, code in enumerate(codes)}
    rows["pooled"] = _row(data.reshape(len(coders), -1))
    table = pd.DataFrame.from_dict(rows, orient="index", columns=COLUMNS)
    table.index.name = C.CODE
    table.attrs["coders"] = coders
    table.attrs["unit"] = unit
    return table
