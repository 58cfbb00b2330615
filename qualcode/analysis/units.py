"""Units of analysis: which codes each unit (segment, document, participant, window) holds.

Every matrix and frequency table starts here: a sparse units × codes indicator matrix built
with pandas factorisation and SciPy, never a Python loop over rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from .. import columns as C
from ..codebook import Codebook
from ..errors import ColumnError, OptionError, require_table

UNITS = ("segment", "document", "participant", "window")
SPANS_FIX = (
    "count documents (--count document / --unit document; unit='document' in Python), or put them on segments: "
    "qualcode tag TRANSCRIPTS -c CODEBOOK --train CODINGS -o coded.csv writes them as its human rows, per segment"
)
PARTICIPANT = C.PARTICIPANT


@dataclass
class Indicator:
    """``matrix[u, c]`` is 1 when unit ``u`` holds code ``codes[c]``.

    ``units`` describes each row (its key columns and, when grouping, its group columns);
    ``total`` counts every unit, including units without any code when a segments table was
    given.
    """

    matrix: sparse.csr_matrix
    codes: list[str]
    units: pd.DataFrame

    @property
    def total(self) -> int:
        return int(self.matrix.shape[0])


BLANK = "(blank)"  # the group of units whose grouping column is empty


def group_labels(units: pd.DataFrame, groups: list[str]) -> pd.Series:
    """Each unit's group name: the values of ``groups`` joined by ' / ', an empty value shown
    as ``(blank)``. Warns (:class:`~qualcode.errors.QualcodeWarning`) once per column with
    empty values, so that a blank group is never a silent surprise."""
    import warnings

    from ..errors import QualcodeWarning

    parts = []
    for column in groups:
        values = units[column]
        empty = values.isna() | values.astype(str).str.strip().eq("")
        if empty.any():
            warnings.warn(
                f"{int(empty.sum())} of {len(values)} units have no {column}: they form a group named "
                f"{BLANK!r}; give every document a {column} (--metadata) to place them",
                QualcodeWarning,
                stacklevel=3,
            )
        parts.append(values.astype(object).where(~empty, BLANK).astype(str))
    if not parts:
        return pd.Series(["all"] * len(units), index=units.index)
    joined = parts[0]
    for part in parts[1:]:
        joined = joined + " / " + part
    return joined


def select(
    codings: pd.DataFrame, *, min_score: float | None = None, statuses: Sequence[str] | None = None
) -> pd.DataFrame:
    """Codings to count: suggestions scoring at least ``min_score`` (a person's codes, the
    ``human`` and ``accepted`` rows, count whatever their score: a reviewer who accepted a
    suggestion at 0.35 decided it); rows whose ``status`` is in ``statuses`` (default: every
    row except ``rejected`` ones)."""
    require_table(
        codings,
        "codings",
        "read the file first, qc.read_coded(PATH) (and pass segments=qc.corpus_for(PATH).segments to count "
        "the segments without a code too, as the qualcode commands do)",
    )
    for column in (C.DOC_ID, C.CODE):
        if column not in codings.columns:
            raise ColumnError(
                f"codings table lacks column {column!r}; columns are: {', '.join(map(str, codings.columns))}"
            )
    keep = np.ones(len(codings), dtype=bool)
    if min_score is not None and C.SCORE in codings.columns:
        scored = pd.to_numeric(codings[C.SCORE], errors="coerce").fillna(0).to_numpy() >= min_score
        decided = np.zeros(len(codings), dtype=bool)
        if C.METHOD in codings.columns:
            decided |= (codings[C.METHOD].astype(str) == "human").to_numpy()
        if C.STATUS in codings.columns:
            decided |= codings[C.STATUS].astype(str).str.strip().str.lower().isin(["human", "accepted"]).to_numpy()
        keep &= scored | decided
    if "status" in codings.columns:
        status = codings["status"].astype(str)
        keep &= status.isin(statuses).to_numpy() if statuses is not None else (status != "rejected").to_numpy()
    return codings[keep]


def chosen_codings(
    codings: pd.DataFrame,
    *,
    min_score: float | None = None,
    codebook: Codebook | None = None,
    level: int | None = None,
    statuses: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The codings an analysis counts: :func:`select`'s rows, each code as its id in
    ``codebook`` (a label or former name read as the id), rolled up to ``level``."""
    from ..codings import codes_as_ids

    chosen = select(codings, min_score=min_score, statuses=statuses)
    if codebook is not None:
        chosen = codes_as_ids(chosen, codebook)
    if level is not None:
        if codebook is None:
            raise OptionError("level needs the codebook (codebook=...) to know each code's parent")
        chosen = roll_up(chosen, codebook, level)
    return chosen


def roll_up(codings: pd.DataFrame, codebook: Codebook, level: int) -> pd.DataFrame:
    """Replace each code by its ancestor at depth ``level - 1`` (``level=1``: top-level codes)."""
    if level < 1:
        raise OptionError(f"level {level} must be 1 or more (1 = top-level codes)")
    ancestor: dict[str, str] = {}
    path: list[str] = []
    for code, depth, _ in codebook.walk():
        path[depth:] = [code.id]
        ancestor[code.id] = path[min(depth, level - 1)]
    unknown = sorted(set(codings[C.CODE]) - set(ancestor))
    if unknown:
        raise ColumnError(f"code {unknown[0]!r} is not in codebook {codebook.name!r}; cannot roll it up")
    out = codings.copy()
    out[C.CODE] = out[C.CODE].map(ancestor)
    return out


def _unit_keys(unit: str, frame: pd.DataFrame) -> list[str]:
    if unit in ("segment", "window"):
        missing = [c for c in (C.DOC_ID, C.SEGMENT_ID) if c not in frame.columns]
        if missing:
            raise ColumnError(
                f"unit {unit!r} needs column {missing[0]!r} (codings with spans only, as another program exports "
                f"them): {SPANS_FIX}"
            )
        return [C.DOC_ID, C.SEGMENT_ID]
    if unit == "document":
        return [C.DOC_ID]
    if unit == "participant":
        return [PARTICIPANT] if PARTICIPANT in frame.columns else [C.DOC_ID]
    if unit in frame.columns:  # any metadata column: its values are the units ("district")
        return [unit]
    raise OptionError(f"unknown unit {unit!r}; choose one of: {', '.join(UNITS)}")


def in_codebook_order(codebook: Codebook, codes: pd.Series) -> list[str]:
    """The codes present in ``codes``, in the codebook's order; codes the codebook does not
    hold (renamed or removed since the codings were made) follow, sorted, with a warning:
    they are counted, never dropped unsaid."""
    import warnings

    from ..errors import QualcodeWarning, counted, listed

    present = codes.astype(str).value_counts()
    known = [c for c in codebook.ids if c in present.index]
    others = sorted(set(present.index) - set(codebook.ids))
    if others:
        named = listed([f"{c!r} ({counted(int(present[c]), 'row')})" for c in others])
        warnings.warn(
            f"{counted(len(others), 'code')} of the codings {'is' if len(others) == 1 else 'are'} not in codebook "
            f"{codebook.name!r} ({named}): "
            "counted after its codes; list each under the code it became as `formerly: [...]` in the codebook "
            "(renamed or merged), or restore them there",
            QualcodeWarning,
            stacklevel=3,
        )
    return known + others


def on_interviewer_turns(segments: pd.DataFrame, codings: pd.DataFrame) -> int:
    """How many of ``codings`` lie on the interviewer turns of ``segments`` (by segment id, or
    by span for codings without one)."""
    from ..codings import map_to_segments, segment_key

    if C.IS_INTERVIEWER not in segments.columns or not len(codings) or C.DOC_ID not in codings.columns:
        return 0
    turns = segments[segments[C.IS_INTERVIEWER].astype(bool).to_numpy()]
    if not len(turns):
        return 0
    if C.SEGMENT_ID in codings.columns:

        def keyed(frame: pd.DataFrame) -> pd.DataFrame:  # ids compare as text, 3.0 as 3
            return pd.DataFrame(
                {
                    C.DOC_ID: frame[C.DOC_ID].astype(str).to_numpy(),
                    C.SEGMENT_ID: segment_key(frame[C.SEGMENT_ID]).to_numpy(),
                }
            )

        return len(keyed(codings).merge(keyed(turns).drop_duplicates(), on=[C.DOC_ID, C.SEGMENT_ID]))
    if C.START_CHAR in codings.columns and C.END_CHAR in codings.columns:
        return len(map_to_segments(codings.dropna(subset=[C.START_CHAR, C.END_CHAR]), turns))
    return 0


def analysed(segments: pd.DataFrame, codings: pd.DataFrame) -> pd.DataFrame:
    """The segments that are units of analysis. An interviewer's turns are not (nothing is
    suggested on them), unless some of ``codings`` lie on them: coders who code the
    moderator's turns (SERDIF's ``moderator_assist``: 66 of its 175 passages) make every
    interviewer turn a unit, so that those codes are counted and their shares and agreement
    have a base. A warning says so."""
    import warnings

    from ..errors import QualcodeWarning, counted

    if C.IS_INTERVIEWER not in segments.columns:
        return segments
    asked = segments[C.IS_INTERVIEWER].astype(bool).to_numpy()
    on = on_interviewer_turns(segments, codings)
    if not on:
        return segments[~asked]
    warnings.warn(
        f"{counted(on, 'coding')} {'lies' if on == 1 else 'lie'} on interviewer turns: every "
        "interviewer turn counts as a unit "
        f"({counted(int(asked.sum()), 'more segment')})",
        QualcodeWarning,
        stacklevel=3,
    )
    return segments


def _universe(keys: list[str], by: list[str], codings: pd.DataFrame, segments: pd.DataFrame | None) -> pd.DataFrame:
    """Every (unit, group) once, sorted. A unit belongs to the group(s) it carries: a district
    unit grouped by role is one row per role present in that district."""
    source = codings if segments is None else analysed(segments, codings)
    present = [b for b in by if b in source.columns and b not in keys]
    universe = source[[*keys, *present]].drop_duplicates()
    missing = [b for b in by if b not in universe.columns]
    if missing:
        universe = universe.merge(codings[[*keys, *missing]].drop_duplicates(keys), on=keys, how="left")
    return universe.sort_values([*keys, *by], kind="stable").reset_index(drop=True)


def with_segment_columns(frame: pd.DataFrame, by: list[str], segments: pd.DataFrame | None) -> pd.DataFrame:
    """``frame`` with the group columns it lacks and its segments carry (``is_interviewer``,
    a turn's own column): a document grouped by them is in several groups, and each coding
    belongs to the group of its segment."""
    wanted = [b for b in by if b not in frame.columns and segments is not None and b in segments.columns]
    if not wanted or segments is None or not {C.DOC_ID, C.SEGMENT_ID} <= set(frame.columns):
        return frame
    keys = [C.DOC_ID, C.SEGMENT_ID]
    columns = segments[[*keys, *wanted]].drop_duplicates(keys)
    as_text = {key: str for key in keys}
    joined = frame.astype(as_text).merge(columns.astype(as_text), on=keys, how="left")
    return frame.assign(**{b: joined[b].to_numpy() for b in wanted})


def _positions(universe: pd.DataFrame, frame: pd.DataFrame, keys: list[str]) -> np.ndarray:
    if len(keys) == 1:
        return pd.Index(universe[keys[0]]).get_indexer(frame[keys[0]])
    return pd.MultiIndex.from_frame(universe[keys]).get_indexer(pd.MultiIndex.from_frame(frame[keys]))


def indicator(
    codings: pd.DataFrame,
    *,
    unit: str = "segment",
    by: Sequence[str] = (),
    segments: pd.DataFrame | None = None,
    codes: Sequence[str] | None = None,
    window: int = 3,
) -> Indicator:
    """Build the units × codes indicator matrix.

    Parameters
    ----------
    codings
        A codings table (already filtered, see :func:`select`).
    unit
        ``segment``, ``document``, ``participant`` (the ``participant`` column, else the
        document), ``window`` (``window`` consecutive segments of a document), or a metadata
        column whose values are the units (``district``).
    by
        Metadata columns each unit carries along (for grouped matrices).
    segments
        The segments table: units without any code then count too (N of lift and NPMI, shares);
        interviewer turns are left out unless codings lie on them (:func:`analysed`).
    codes
        Column order (default: sorted codes present).
    window
        Segments per window (``unit="window"``).
    """
    by = list(dict.fromkeys(by))
    for column in by:
        if column not in codings.columns and (segments is None or column not in segments.columns):
            raise ColumnError(no_group_column(column, codings.columns))
    keys = _unit_keys("segment" if unit == "window" else unit, codings if segments is None else segments)
    if segments is None and unit != "window":
        return _from_codings(codings, [*keys, *[b for b in by if b not in keys]], codes)
    codes = list(codes) if codes is not None else sorted(codings[C.CODE].astype(str).unique())
    frame = with_segment_columns(codings[codings[C.CODE].isin(codes)], by, segments)
    universe = _universe(keys, by, codings, segments)
    row_keys = [*keys, *[b for b in by if b not in keys and b in frame.columns]]
    rows = _positions(universe, frame, row_keys)
    cols = pd.Index(codes).get_indexer(pd.Index(frame[C.CODE]))
    ok = (rows >= 0) & (cols >= 0)
    matrix = sparse.csr_matrix(
        (np.ones(int(ok.sum()), dtype=np.int32), (rows[ok], cols[ok])), shape=(len(universe), len(codes))
    )
    matrix.data[:] = 1  # a code applied twice to a unit is present once
    if unit == "window":
        matrix = _spread(matrix, universe[C.DOC_ID].to_numpy(), window)
    return Indicator(matrix, codes, universe)


def _factorised(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """One integer per distinct combination of ``columns`` (hash factorisation, no sorting)."""
    combined = np.zeros(len(frame), dtype=np.int64)
    for column in columns:
        labels, uniques = pd.factorize(frame[column], use_na_sentinel=False)
        combined = combined * (len(uniques) + 1) + labels
    return pd.factorize(combined)[0]


def _from_codings(codings: pd.DataFrame, unit_columns: list[str], codes: Sequence[str] | None) -> Indicator:
    """The fast path when units are those present in the codings: factorise (once: the codes
    found are the factorisation's uniques), then one sparse build."""
    labels, uniques = pd.factorize(codings[C.CODE].astype(str))
    codes = list(codes) if codes is not None else sorted(map(str, uniques))
    position = {code: i for i, code in enumerate(codes)}
    cols = np.array([position.get(u, -1) for u in uniques], dtype=np.int64)[labels] if len(uniques) else labels
    rows = _factorised(codings, unit_columns)
    n_units = int(rows.max()) + 1 if len(rows) else 0
    ok = cols >= 0
    matrix = sparse.csr_matrix(
        (np.ones(int(ok.sum()), dtype=np.int32), (rows[ok], cols[ok])), shape=(n_units, len(codes))
    )
    matrix.data[:] = 1
    first = pd.Series(rows).drop_duplicates().index.to_numpy()
    units = codings[unit_columns].iloc[first].reset_index(drop=True)
    return Indicator(matrix, codes, units)


def _spread(matrix: sparse.csr_matrix, doc: np.ndarray, window: int) -> sparse.csr_matrix:
    """Window ``w`` holds the codes of segments ``w .. w + window - 1`` of its document."""
    if window < 1:
        raise OptionError(f"window {window} must be 1 or more segments")
    n = len(doc)
    first = np.arange(n)
    rows, cols = [], []
    for shift in range(window):
        member = first + shift
        ok = member < n
        ok[ok] = doc[member[ok]] == doc[first[ok]]
        rows.append(first[ok])
        cols.append(member[ok])
    spread = sparse.csr_matrix(
        (np.ones(sum(len(r) for r in rows), dtype=np.int32), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n, n),
    )
    out = (spread @ matrix).tocsr()
    out.data[:] = 1
    return out


def no_group_column(column: str, columns: Iterable[Any]) -> str:
    """Why ``--by column`` cannot group, and the fix: a near spelling, or the participants
    table that ``tag --metadata`` joins (a codings table made without one has no ``role``)."""
    import difflib

    names = [str(name) for name in columns]
    message = f"no column {column!r} to group by; columns are: {', '.join(names)}"
    near = difflib.get_close_matches(column, names, n=1, cutoff=0.7)
    if near:
        return f"{message}; did you mean {near[0]!r}?"
    return (
        f"{message}; participant columns such as role and district come from a participants table: give it with "
        "--metadata PARTICIPANTS.csv (metadata= in Python), or run tag again on the same output with it (reviewed "
        "and human rows are kept)"
    )
