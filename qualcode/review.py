"""Reviewing suggestions, and merging a new run with the work already done.

One codings table holds suggestions and human codes; its ``status`` column says where each
row stands: ``suggested`` (qualcode's, not yet reviewed), ``accepted`` and ``rejected``
(reviewed by ``coder``), ``human`` (applied by a person). Every function here returns a new
table; none changes its input, and none ever drops a ``human``, ``accepted`` or
``rejected`` row. :func:`review_file` (``qualcode review``) does it from a file to a file,
with the run's ``.meta.json`` carried over.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import columns as C
from .codebook import Codebook
from .errors import ColumnError, OptionError, check_score, counted, listed, require_table

REVIEWED = ("accepted", "rejected", "human")
KEY = [C.DOC_ID, C.START_CHAR, C.END_CHAR, C.CODE]
REVIEW_A_FILE = "read the file first, qc.read_coded(PATH), or review it with qc.review_file(PATH, OUT, ...)"


def with_status(codings: pd.DataFrame) -> pd.DataFrame:
    """A copy with ``status`` and ``coder`` columns (suggestions get ``suggested``; rows
    whose method is ``human`` get ``human``)."""
    require_table(codings, "codings", REVIEW_A_FILE)
    out = codings.copy()
    if C.STATUS not in out.columns:
        human = out[C.METHOD].eq("human") if C.METHOD in out.columns else pd.Series(False, index=out.index)
        out[C.STATUS] = np.where(human, "human", "suggested")
    out[C.STATUS] = out[C.STATUS].fillna("suggested").replace("", "suggested").astype(str).str.strip().str.lower()
    if C.CODER not in out.columns:
        out[C.CODER] = ""
    out[C.CODER] = out[C.CODER].fillna("").astype(str)
    bad = sorted(set(out[C.STATUS]) - set(C.STATUSES))
    if bad:
        row = int(np.flatnonzero(out[C.STATUS].eq(bad[0]).to_numpy())[0])
        raise ColumnError(
            f"row {row + 2}: status {bad[0]!r} is not one of {', '.join(C.STATUSES)}; correct it in the CSV"
        )
    return out


def _mask(
    codings: pd.DataFrame,
    where: pd.Series | np.ndarray | None,
    rows: Iterable[int] | None,
    code: str | Iterable[str] | None,
    min_score: float | None,
    max_score: float | None,
) -> np.ndarray:
    require_table(codings, "codings", REVIEW_A_FILE)
    check_score(min_score, "min_score")
    check_score(max_score, "max_score")
    mask = np.ones(len(codings), dtype=bool)
    if where is not None:
        if isinstance(where, pd.Series) and not where.index.equals(codings.index):
            if len(where) != len(codings) or not where.index.isin(codings.index).all():
                raise OptionError("where: a Series over other rows than the table's; build it from the table itself")
            where = where.reindex(codings.index)  # the same rows in another order: matched by label
        if len(where) != len(codings):
            raise OptionError(f"where has {len(where)} values for {len(codings)} rows; give one per row")
        mask &= np.asarray(where, dtype=bool)
    if rows is not None:
        wanted = pd.Index(list(rows))
        found = codings.index.get_indexer(wanted)
        if (found < 0).any():  # -1 would silently pick the last row
            missing = ", ".join(map(str, wanted[found < 0][:5]))
            raise OptionError(f"rows {missing} are not in the table (rows are its index labels, as shown)")
        chosen = np.zeros(len(codings), dtype=bool)
        chosen[found] = True
        mask &= chosen
    if code is not None:
        codes = [code] if isinstance(code, str) else list(code)
        mask &= codings[C.CODE].isin(codes).to_numpy()
    if min_score is not None:
        mask &= (codings[C.SCORE] >= min_score).to_numpy()
    if max_score is not None:
        mask &= (codings[C.SCORE] < max_score).to_numpy()
    return mask


def _set(codings: pd.DataFrame, status: str, mask: np.ndarray, coder: str, overwrite: bool) -> pd.DataFrame:
    out = with_status(codings)
    editable = out[C.STATUS].eq("suggested").to_numpy()
    if overwrite:
        editable |= out[C.STATUS].isin(["accepted", "rejected"]).to_numpy()
    target = mask & editable
    out.loc[target, C.STATUS] = status
    out.loc[target, C.CODER] = coder
    return out


def accept(
    codings: pd.DataFrame,
    where: pd.Series | np.ndarray | None = None,
    *,
    rows: Iterable[int] | None = None,
    code: str | Iterable[str] | None = None,
    min_score: float | None = None,
    coder: str = "reviewer",
    overwrite: bool = False,
) -> pd.DataFrame:
    """Accept suggestions: those matching all of ``where`` (a boolean mask; a Series is matched
    to the table by its index), ``rows`` (index labels; a label not in the table is an
    error), ``code`` and ``min_score``. Reviewed rows change only with ``overwrite``; human
    rows never.

    Examples
    --------
    >>> reviewed = accept(coded, code="personnel", min_score=0.6, coder="ana")  # doctest: +SKIP
    >>> reviewed = reject(reviewed, coded["evidence"].str.contains("'data'"))  # doctest: +SKIP
    """
    return _set(codings, "accepted", _mask(codings, where, rows, code, min_score, None), coder, overwrite)


def reject(
    codings: pd.DataFrame,
    where: pd.Series | np.ndarray | None = None,
    *,
    rows: Iterable[int] | None = None,
    code: str | Iterable[str] | None = None,
    max_score: float | None = None,
    coder: str = "reviewer",
    overwrite: bool = False,
) -> pd.DataFrame:
    """Reject suggestions matching all of ``where``, ``rows``, ``code`` and ``max_score``
    (scores below it). Reviewed rows change only with ``overwrite``; human rows never."""
    return _set(codings, "rejected", _mask(codings, where, rows, code, None, max_score), coder, overwrite)


def accept_above(
    codings: pd.DataFrame, thresholds: float | Mapping[str, float], *, coder: str = "reviewer"
) -> pd.DataFrame:
    """Accept every suggestion scoring at least its code's threshold (one number for all codes,
    or a mapping code → threshold; codes not in the mapping are left as they are)."""
    if isinstance(thresholds, int | float):
        return accept(codings, min_score=float(thresholds), coder=coder)
    limit = codings[C.CODE].map(dict(thresholds))
    return accept(codings, (codings[C.SCORE] >= limit).fillna(False).to_numpy(), coder=coder)


@dataclass
class MergeReport:
    """What :func:`merge` kept, replaced and noticed."""

    kept: int = 0
    replaced: int = 0
    decided: int = 0  # new suggestions on other passages whose words a kept row of their code already decides
    orphaned: dict[str, int] = field(default_factory=dict)  # code no longer in the codebook -> rows kept
    renamed: dict[tuple[str, str], int] = field(default_factory=dict)  # (name coded with, codebook id) -> rows
    once: int = 0  # renamed rows that became the same row as another (codes merged): kept once
    carried: int = 0  # suggestions a researcher wrote a note on, the note moved onto this run's same row
    noted: int = 0  # such suggestions this run no longer makes: kept as they were
    elsewhere: dict[str, int] = field(default_factory=dict)  # document not in this run -> rows kept

    def lines(self) -> list[str]:
        out = []
        if self.kept:
            out.append(f"kept {self.kept} reviewed or human rows from the previous codings")
        if self.elsewhere:
            documents = f"{len(self.elsewhere)} document{'s' if len(self.elsewhere) > 1 else ''}"
            n = sum(self.elsewhere.values())
            out.append(
                f"{n} of them {'is' if n == 1 else 'are'} on {documents} not in this run "
                f"({_listed(self.elsewhere)}): kept as they are"
            )
        if self.renamed:
            pairs = listed(
                [
                    f"{old!r} -> {new!r} ({n})"
                    for (old, new), n in sorted(self.renamed.items(), key=lambda i: (-i[1], i[0]))
                ]
            )
            out.append(
                f"renamed {counted(sum(self.renamed.values()), 'reviewed or human row')} to the codebook's ids "
                f"(a code's former name or label): {pairs}"
                + (
                    f"; {self.once} of them then matched another row (same passage, code, status and coder: codes "
                    f"merged into one) and {'is' if self.once == 1 else 'are'} kept once"
                    if self.once
                    else ""
                )
            )
        if len(self.orphaned) <= 3:  # one line per code; many codes (another codebook?) in one line
            out += [
                f"code {code!r} is not in the codebook any more (renamed or removed): its {n} reviewed or human "
                "rows are kept; if it was renamed or merged, list it as `formerly: [...]` under the code it became, "
                "or restore the code"
                for code, n in sorted(self.orphaned.items())
            ]
        else:
            out.append(
                f"{len(self.orphaned)} codes are not in the codebook any more (renamed or removed): their "
                f"{sum(self.orphaned.values())} reviewed or human rows are kept ({_listed(self.orphaned)}); "
                "list each under the code it became as `formerly: [...]`, or restore the codes"
            )
        if self.carried or self.noted:
            out.append(
                f"{counted(self.carried + self.noted, 'suggestion')} not yet reviewed held a memo: "
                f"{self.carried} carried over to this run's same suggestion"
                + (f", {self.noted} this run no longer makes kept as they were" if self.noted else "")
            )
        if self.decided:
            out.append(
                f"left out {counted(self.decided, 'new suggestion')} on words a kept row of their code already "
                "decides (accepted or human there, or rejected on most of them)"
            )
        return out


def _listed(counts: dict[str, int], show: int = 5) -> str:
    """``'a' (3), 'b' (2) and 4 more``: the largest counts first, then by name."""
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return listed([f"{name!r} ({n})" for name, n in ranked], show)


def merge(
    previous: pd.DataFrame,
    new: pd.DataFrame,
    codebook: Codebook | None = None,
    documents: Iterable[str] | None = None,
) -> tuple[pd.DataFrame, MergeReport]:
    """New suggestions merged with the work already done.

    Every ``accepted``, ``rejected`` and ``human`` row of ``previous`` is kept. A new
    suggestion for the same passage and code as such a row (same ``doc_id``, ``start_char``,
    ``end_char``, ``code``) is dropped in its favour; previous rows still ``suggested`` are
    replaced by the new run. So is a new suggestion on other words that such a row of its
    code already decides (the run segmented otherwise, or the human spans are not segments):
    an ``accepted`` or ``human`` row by the overlap rule (:mod:`qualcode.codings`: the code
    is already there), a ``rejected`` row when it covers at least half of the suggestion's
    passage (one rejected sentence does not reject the rest of a turn). A kept row coded with
    a name the ``codebook`` gives a code by (its ``formerly`` list, its label) takes that
    code's id, and is kept once where two codes merged into one made it another row again.
    Codes that left the codebook, and kept rows on documents not among the run's
    ``documents``, are reported, not dropped. A researcher's note (``memo``) on a suggestion
    not yet reviewed moves onto the new run's same suggestion, or keeps its row when the new
    run no longer makes it.
    """
    require_table(previous, "previous", "read the file first, qc.read_coded(PATH)")
    require_table(new, "new", "read the file first, qc.read_coded(PATH)")
    for column in KEY:
        if column not in previous.columns:
            raise ColumnError(
                f"previous codings lack column {column!r}; they must come from qualcode tag (long format)"
            )
    previous = with_status(previous)
    new = with_status(new)
    kept = previous[previous[C.STATUS].isin(REVIEWED)]
    report = MergeReport(kept=len(kept))
    new, noted, report.carried = _carry_notes(previous, new, codebook)
    report.noted = len(noted)
    if codebook is not None:
        kept, report.renamed, report.once = _as_ids(kept, codebook)
        known = set(codebook.ids)
        orphans = kept.loc[~kept[C.CODE].isin(known), C.CODE].value_counts()
        report.orphaned = {str(k): int(v) for k, v in orphans.items()}
    if documents is not None:
        ids = kept[C.DOC_ID].astype(str).str.strip()
        away = ids[~ids.isin(set(map(str, documents)))].value_counts()
        report.elsewhere = {str(k): int(v) for k, v in away.items()}
    key_kept = _keys(kept)
    key_new = _keys(new)
    duplicate = key_new.isin(key_kept)
    report.replaced = int(duplicate.sum())
    decided = _decided(kept, new) & ~duplicate & new[C.STATUS].eq("suggested").to_numpy()
    report.decided = int(decided.sum())
    merged = pd.concat([kept, new[~(duplicate | decided)], noted], ignore_index=True, sort=False)
    merged = merged.sort_values(
        [C.DOC_ID, C.START_CHAR, C.SEGMENT_ID, C.SCORE, C.CODE] if C.SEGMENT_ID in merged else [C.DOC_ID, C.START_CHAR],
        ascending=[True, True, True, False, True] if C.SEGMENT_ID in merged else [True, True],
        kind="stable",
    )
    columns = list(dict.fromkeys([*new.columns, *kept.columns]))
    return merged[columns].reset_index(drop=True), report


def has_text(cells: pd.Series) -> np.ndarray:
    """Which cells hold something written (not missing, not only spaces): a researcher's note."""
    return (cells.notna() & cells.astype(str).str.strip().ne("")).to_numpy()


def _carry_notes(
    previous: pd.DataFrame, new: pd.DataFrame, codebook: Codebook | None
) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """A researcher's notes (``memo``) on suggestions not yet reviewed: ``new`` with each note
    on its same row (passage and code), the noted rows the new run no longer makes (kept as
    they were), and how many notes were carried."""
    from .codings import codes_as_ids

    if C.MEMO not in previous.columns:
        return new, previous.iloc[:0], 0
    noted = previous[previous[C.STATUS].eq("suggested").to_numpy() & has_text(previous[C.MEMO])]
    if noted.empty:
        return new, noted, 0
    if codebook is not None:
        noted = codes_as_ids(noted, codebook)
    position = {key: i for i, key in enumerate(_keys(new))}
    out = new.copy()
    carried = np.zeros(len(noted), dtype=bool)
    for k, key in enumerate(_keys(noted)):
        i = position.get(key)
        if i is not None and out.iloc[i][C.STATUS] == "suggested":
            out.loc[out.index[i], C.MEMO] = noted.iloc[k][C.MEMO]
            carried[k] = True
    return out, noted[~carried], int(carried.sum())


def _as_ids(kept: pd.DataFrame, codebook: Codebook) -> tuple[pd.DataFrame, dict[tuple[str, str], int], int]:
    """``kept`` with each code as its codebook id (a former name, a label:
    :func:`~qualcode.codings.codes_as_ids`), how many rows each name changed, and how many
    renamed rows were then another row again (same passage, code, status and coder: two codes
    merged into one) and were kept once."""
    from .codings import codes_as_ids

    out = codes_as_ids(kept, codebook)
    before, after = kept[C.CODE].astype(str), out[C.CODE].astype(str)
    changed = (before != after).to_numpy()
    if not changed.any():
        return kept, {}, 0
    renamed: dict[tuple[str, str], int] = {}
    for pair in zip(before[changed], after[changed], strict=True):
        renamed[pair] = renamed.get(pair, 0) + 1
    keys = _keys(out).to_frame(index=False)
    keys[C.STATUS] = out[C.STATUS].astype(str).to_numpy()
    keys[C.CODER] = out[C.CODER].astype(str).str.strip().to_numpy() if C.CODER in out else ""
    group = keys.groupby(list(keys.columns), sort=False, dropna=False).ngroup().to_numpy()
    involved = pd.Series(changed).groupby(group).transform("any").to_numpy()
    again = keys.duplicated().to_numpy() & involved
    return out[~again].reset_index(drop=True), renamed, int(again.sum())


def _decided(kept: pd.DataFrame, new: pd.DataFrame) -> np.ndarray:
    """Which rows of ``new`` a kept row of the same code and document decides (see :func:`merge`)."""
    from .codings import overlap_rule

    def spans(frame: pd.DataFrame) -> pd.DataFrame:
        out = pd.DataFrame(
            {
                C.DOC_ID: frame[C.DOC_ID].astype(str).str.strip().to_numpy(),
                C.CODE: frame[C.CODE].astype(str).str.strip().to_numpy(),
                "start": pd.to_numeric(frame[C.START_CHAR], errors="coerce").to_numpy(),
                "end": pd.to_numeric(frame[C.END_CHAR], errors="coerce").to_numpy(),
            }
        )
        return out.dropna(subset=["start", "end"])

    if not len(kept) or not len(new):
        return np.zeros(len(new), dtype=bool)
    rows = spans(new)
    rows["row"] = np.arange(len(new))[rows.index]
    deciding = spans(kept)
    deciding["rejected"] = kept[C.STATUS].eq("rejected").to_numpy()[deciding.index]
    pairs = rows.merge(deciding, on=[C.DOC_ID, C.CODE], suffixes=("", "_kept"))
    codes, most = overlap_rule(pairs["start_kept"], pairs["end_kept"], pairs["start"], pairs["end"])
    hit = most | (codes & ~pairs["rejected"])
    out = np.zeros(len(new), dtype=bool)
    out[pairs.loc[hit, "row"].to_numpy(dtype=int)] = True
    return out


def _keys(frame: pd.DataFrame) -> pd.MultiIndex:
    """Merge keys that compare alike however the offsets were typed (``110``, ``110.0``, ``"110"``)."""
    keys = pd.DataFrame(
        {C.DOC_ID: frame[C.DOC_ID].astype(str).str.strip(), C.CODE: frame[C.CODE].astype(str).str.strip()}
    )
    for column in (C.START_CHAR, C.END_CHAR):
        numbers = pd.to_numeric(frame[column], errors="coerce")
        keys[column] = [str(int(v)) if pd.notna(v) and float(v).is_integer() else str(v) for v in numbers]
    return pd.MultiIndex.from_frame(keys[KEY])


def check_statuses(codings: pd.DataFrame) -> pd.DataFrame:
    """Validate an edited codings CSV: statuses spelled right; reviewed rows name their coder.

    Raises
    ------
    OptionError / ColumnError
        With the first offending row.
    """
    out = with_status(codings)
    missing = out[C.STATUS].isin(["accepted", "rejected", "human"]) & out[C.CODER].str.strip().eq("")
    out.loc[missing & out[C.STATUS].isin(["accepted", "rejected"]), C.CODER] = "reviewer"
    if (missing & out[C.STATUS].eq("human")).any():
        row = int(np.flatnonzero((missing & out[C.STATUS].eq("human")).to_numpy())[0])
        raise OptionError(f"row {row + 2}: a human code needs a coder name in the 'coder' column")
    return out
