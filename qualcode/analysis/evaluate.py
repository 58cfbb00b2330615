"""Suggestions measured against human codes: precision, recall, F1 and Cohen's kappa per code.

Units are segments: a segment is positive for a code in the gold standard when a human code
maps onto it (the overlap rule of :mod:`qualcode.codings`), and positive in the suggestions
when a suggestion for the code scores at least ``threshold``. Metrics come from scikit-learn.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.metrics import cohen_kappa_score, f1_score, precision_score, recall_score

from .. import columns as C
from ..codings import map_to_segments
from ..errors import OptionError, check_score, listed, require_table
from ..excerpts import READ_FIRST

METRICS = ["n_units", "gold", "suggested", "precision", "recall", "f1", "kappa"]
NO_UNITS = (
    "the human codes are on none of the segments scored (no code, or none in the documents the suggestions "
    "were made for); give the human codes of those documents"
)
MIN_SUPPORT = 5  # human-coded units a code needs before a threshold is tuned for it


class Thresholds(dict[str, float]):
    """Chosen thresholds by code; ``skipped`` holds the codes left out with their support."""

    skipped: dict[str, int]

    def __init__(self) -> None:
        super().__init__()
        self.skipped = {}


def _matrix(pairs: pd.DataFrame, units: pd.DataFrame, codes: Sequence[str]) -> np.ndarray:
    index = {key: i for i, key in enumerate(zip(units[C.DOC_ID], units[C.SEGMENT_ID], strict=True))}
    out = np.zeros((len(units), len(codes)), dtype=bool)
    column = {code: j for j, code in enumerate(codes)}
    for doc_id, segment_id, code in pairs[[C.DOC_ID, C.SEGMENT_ID, C.CODE]].itertuples(index=False):
        i = index.get((doc_id, segment_id))
        if i is not None and code in column:
            out[i, column[code]] = True
    return out


def code_figures(truth: np.ndarray, guess: np.ndarray) -> dict[str, np.ndarray]:
    """Precision, recall, F1 (0 where undefined, as scikit-learn's ``zero_division=0``) and
    Cohen's kappa (NaN where both are constant and equal) of every column of two boolean
    (units x codes) matrices, from the counts at once: per call, scikit-learn's input checks
    cost more than the counting (a 19-threshold curve of 22 codes took 4 s; tests check the
    figures equal scikit-learn's)."""
    t, g = truth.astype(bool), guess.astype(bool)
    tp = (t & g).sum(axis=0).astype(float)
    fp = (~t & g).sum(axis=0).astype(float)
    fn = (t & ~g).sum(axis=0).astype(float)
    tn = (~t & ~g).sum(axis=0).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(tp + fp > 0, tp / (tp + fp), 0.0)
        recall = np.where(tp + fn > 0, tp / (tp + fn), 0.0)
        f1 = np.where(2 * tp + fp + fn > 0, 2 * tp / (2 * tp + fp + fn), 0.0)
        denominator = (tp + fp) * (fp + tn) + (tp + fn) * (fn + tn)
        kappa = np.where(denominator > 0, 2 * (tp * tn - fn * fp) / denominator, np.nan)
    constant = (~t.any(axis=0) & ~g.any(axis=0)) | (t.all(axis=0) & g.all(axis=0))
    return {"precision": precision, "recall": recall, "f1": f1, "kappa": np.where(constant, np.nan, kappa)}


def coded_by(gold: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    """The segments the human codes speak for: those a ``qualcode next`` sheet lists (coded
    or left empty, ``gold.attrs["labelled_segments"]``), else every segment of the documents
    the codes are in. A segment of a document nobody coded (the documents that trained the
    model, say) is not a negative: counting it would make every suggestion there a false
    positive."""
    labelled = gold.attrs.get("labelled_segments")
    keys = zip(segments[C.DOC_ID].astype(str), segments[C.SEGMENT_ID].astype(int), strict=True)
    if labelled:
        listed = {(str(d), int(s)) for d, s in labelled}
        return segments[[key in listed for key in keys]]
    documents = set(gold[C.DOC_ID].astype(str)) if C.DOC_ID in gold.columns else set()
    return segments[segments[C.DOC_ID].astype(str).isin(documents).to_numpy()]


def _prepared(
    suggestions: pd.DataFrame, gold: pd.DataFrame, segments: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The units measured (:func:`coded_by`), the human codes on them and the suggestions
    that are predictions, once for any number of thresholds."""
    require_table(suggestions, "suggestions", f"{READ_FIRST}; or compare files with qc.evaluate_files(SUGGESTED, GOLD)")
    require_table(gold, "gold", READ_FIRST)
    documents = set(segments[C.DOC_ID].astype(str))
    if C.IS_INTERVIEWER in segments.columns:
        segments = segments[~segments[C.IS_INTERVIEWER].astype(bool)]
    segments = coded_by(gold, segments)
    units = segments[[C.DOC_ID, C.SEGMENT_ID]].drop_duplicates().reset_index(drop=True)
    if units.empty:
        raise OptionError(NO_UNITS)
    predicted = suggestions
    if C.METHOD in predicted.columns:
        predicted = predicted[predicted[C.METHOD] != "human"]
    if C.STATUS in predicted.columns:  # a rejected suggestion is not a suggestion any more
        predicted = predicted[~predicted[C.STATUS].astype(str).str.lower().isin(["rejected", "human"])]
    gold_pairs = map_to_segments(gold, segments)
    _say_left_out(gold, documents, int(gold_pairs.attrs.get("unmapped", 0)))
    return units, gold_pairs, predicted


def _say_left_out(gold: pd.DataFrame, documents: set[str], unmapped: int) -> None:
    """Warn about human codes on no segment measured (never dropped silently): on documents
    not among the transcripts, or on interviewer turns (not measured, as not suggested)."""
    if not unmapped:
        return
    import warnings

    from ..errors import QualcodeWarning

    ids = gold[C.DOC_ID].astype(str)
    away = ids[~ids.isin(documents)]
    parts = []
    if len(away):
        names = sorted(set(away))
        shown = listed([repr(name) for name in names])
        parts.append(f"{len(away)} on documents not among the transcripts ({shown})")
    if unmapped > len(away):
        parts.append(
            f"{unmapped - len(away)} on interviewer turns or between segments, which are not measured (interviewer "
            "turns are when the run suggested codes on them: tag --include-interviewer)"
        )
    source = gold.attrs.get("source", "the human codes")
    warnings.warn(QualcodeWarning(f"{source}: {unmapped} codes left out: {'; '.join(parts)}"), stacklevel=4)


def _table(
    units: pd.DataFrame, gold_pairs: pd.DataFrame, predicted: pd.DataFrame, codes: Sequence[str] | None
) -> pd.DataFrame:
    """The per-code, micro and macro rows of :func:`evaluate` for these predictions."""
    codes = list(codes) if codes is not None else sorted(set(gold_pairs[C.CODE]) | set(predicted[C.CODE]))
    truth = _matrix(gold_pairs, units, codes)
    guess = _matrix(predicted, units, codes)
    rows = {}
    figures = code_figures(truth, guess)
    for j, code in enumerate(codes):
        rows[code] = {
            "n_units": len(units),
            "gold": int(truth[:, j].sum()),
            "suggested": int(guess[:, j].sum()),
            **{metric: float(figures[metric][j]) for metric in ("precision", "recall", "f1", "kappa")},
        }
    table = pd.DataFrame.from_dict(rows, orient="index", columns=METRICS)
    flat_t, flat_g = truth.ravel(), guess.ravel()
    table.loc["micro"] = {
        "n_units": len(units),
        "gold": int(flat_t.sum()),
        "suggested": int(flat_g.sum()),
        "precision": precision_score(flat_t, flat_g, zero_division=0),
        "recall": recall_score(flat_t, flat_g, zero_division=0),
        "f1": f1_score(flat_t, flat_g, zero_division=0),
        "kappa": cohen_kappa_score(flat_t, flat_g),
    }
    per_code = table.drop(index="micro")
    table.loc["macro"] = {
        "n_units": len(units),
        "gold": int(per_code["gold"].sum()),
        "suggested": int(per_code["suggested"].sum()),
        **{m: float(per_code[m].mean()) for m in ("precision", "recall", "f1", "kappa")},
    }
    table.index.name = C.CODE
    return table


def evaluate(
    suggestions: pd.DataFrame,
    gold: pd.DataFrame,
    segments: pd.DataFrame,
    *,
    threshold: float = 0.0,
    codes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Per-code agreement of suggestions with human codes, plus micro and macro rows.

    Parameters
    ----------
    suggestions
        A codings table from :func:`qualcode.suggest` (rows with ``method == "human"`` and
        rows a reviewer ``rejected`` are ignored: they are not predictions).
    gold
        Human codings in span or segment form (:func:`qualcode.read_codings`).
    segments
        The segments the suggestions were made for (interviewer turns are left out, and so
        are the segments the human codes do not speak for: :func:`coded_by`).
    threshold
        A suggestion counts when its score is at least this.
    codes
        Codes to report (default: every code in either table, sorted).

    Returns
    -------
    pandas.DataFrame
        Index ``code`` (and ``micro``, ``macro``); columns ``n_units, gold, suggested,
        precision, recall, f1, kappa``.
    """
    check_score(threshold, "threshold")
    units, gold_pairs, predicted = _prepared(suggestions, gold, segments)
    return _table(units, gold_pairs, predicted[predicted[C.SCORE] >= threshold], codes)


def precision_recall(
    suggestions: pd.DataFrame,
    gold: pd.DataFrame,
    segments: pd.DataFrame,
    *,
    thresholds: Sequence[float] | None = None,
) -> pd.DataFrame:
    """Precision, recall and F1 of every code at each threshold (a precision-recall table).

    Returns one row per (code, threshold) with ``threshold, code, gold, suggested, precision,
    recall, f1, kappa``; codes as in :func:`evaluate`, plus ``micro``. The units and the
    human codes on them are found once, not per threshold.
    """
    grid = list(thresholds) if thresholds is not None else [round(t, 2) for t in np.arange(0.05, 1.0, 0.05)]
    units, gold_pairs, predicted = _prepared(suggestions, gold, segments)
    parts = []
    for threshold in grid:
        table = _table(units, gold_pairs, predicted[predicted[C.SCORE] >= threshold], None)
        table = table.drop(index="macro").reset_index()
        table.insert(0, "threshold", threshold)
        parts.append(table)
    return pd.concat(parts, ignore_index=True)


def tune_thresholds(
    suggestions: pd.DataFrame,
    gold: pd.DataFrame,
    segments: pd.DataFrame,
    *,
    objective: str = "f1",
    thresholds: Sequence[float] | None = None,
    min_support: int = MIN_SUPPORT,
) -> dict[str, float]:
    """Choose a threshold per code on human-coded data.

    ``objective="f1"`` takes the threshold with the best F1 (ties: the higher threshold, fewer
    suggestions to review); ``"prevalence"`` the one whose number of suggested units is
    closest to the number the humans coded. Codes the humans applied to fewer than
    ``min_support`` units are left out (a threshold chosen from one or two examples is noise):
    the result (a :class:`Thresholds` dict) lists them with their support in ``.skipped``.
    """
    if objective not in ("f1", "prevalence"):
        raise OptionError(f"unknown objective {objective!r}; choose f1 or prevalence")
    curve = precision_recall(suggestions, gold, segments, thresholds=thresholds)
    curve = curve[(curve[C.CODE] != "micro") & (curve["gold"] > 0)]
    chosen = Thresholds()
    support = curve.groupby(C.CODE)["gold"].max()
    chosen.skipped = {str(c): int(n) for c, n in support.items() if n < min_support}
    curve = curve[~curve[C.CODE].isin(list(chosen.skipped))]
    for code, rows in curve.groupby(C.CODE, sort=True):
        if objective == "f1":
            best = rows.sort_values(["f1", "threshold"], ascending=[False, False], kind="stable").iloc[0]
        else:
            gap = (rows["suggested"] - rows["gold"]).abs()
            best = (
                rows.assign(gap=gap).sort_values(["gap", "threshold"], ascending=[True, False], kind="stable").iloc[0]
            )
        chosen[str(code)] = float(best["threshold"])
    return chosen
