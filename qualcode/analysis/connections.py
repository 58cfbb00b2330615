"""Connections and disconnections between the participants of a group: which codes every
participant of a district brings up, which only some do, and where they evaluate a theme
differently (one leader's strength, another's growth area).

A study of district leaders asks where leaders of one district are connected (they all speak
of personnel) and where they are not (the superintendent calls professional development a
strength, the student-services director a growth area). :func:`connections` gives one row per
(group, code): how many members the group has, which hold the code, and, for evaluation codes
applied on top of a topical code (``strength``, ``growth_area``), which member gave which
evaluation to it: an evaluation code counts for a topic where both lie on the same segment
(codings with segment ids), on overlapping spans (a coder's export), or, lacking both, in the
same document.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from .. import columns as C
from ..codebook import Codebook
from ..errors import ColumnError, OptionError
from .units import chosen_codings, in_codebook_order, no_group_column, with_segment_columns


def connections(
    codings: pd.DataFrame,
    *,
    within: str = "district",
    among: str = "participant",
    evaluations: Sequence[str] = (),
    min_score: float | None = None,
    codebook: Codebook | None = None,
    level: int | None = None,
    segments: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Which members of each group hold each code, and how they evaluate it.

    Parameters
    ----------
    codings
        Any codings table with the columns ``within`` and ``among`` (or a ``segments`` table
        that carries them); rejected rows are left out, ``min_score`` filters suggestions.
    within
        The group: ``district``.
    among
        The members compared within a group: ``participant`` (each document, for codings
        without that column: a survey's respondents), or ``role``.
    evaluations
        Codes applied on top of a topical code (``["strength", "growth_area"]``): not rows of
        their own; each row names the members who gave each of them to its code.
    segments
        The run's segments, so that a member without any code is a member (its participant
        turns; interviewer turns are no member's).

    Returns
    -------
    pandas.DataFrame
        One row per (group, code), groups of two or more members only: ``within``, ``code``,
        ``members``, ``holding``, ``pattern`` (``all`` members hold the code, ``some``, or
        ``none``), ``held_by`` and ``not_by`` (members, ``; `` between them), a column per
        evaluation code (the members who gave it to this code) and ``evaluations``: ``same``
        when the members who evaluated the code gave the same evaluations, ``differ`` when not,
        empty when fewer than two did. ``.attrs["notes"]`` says what was left out.

    Examples
    --------
    >>> import pandas as pd
    >>> codings = pd.DataFrame({
    ...     "doc_id": ["a", "a", "b", "b", "c"], "segment_id": [1, 1, 1, 1, 1],
    ...     "district": ["D1", "D1", "D1", "D1", "D1"], "participant": ["P1", "P1", "P2", "P2", "P3"],
    ...     "code": ["personnel", "strength", "personnel", "growth_area", "covid"]})
    >>> table = connections(codings, evaluations=["strength", "growth_area"])
    >>> table[["code", "pattern", "held_by", "not_by", "strength", "growth_area", "evaluations"]].to_dict("records")[1]
    {'code': 'personnel', 'pattern': 'some', 'held_by': 'P1; P2', 'not_by': 'P3', 'strength': 'P1', 'growth_area': 'P2', 'evaluations': 'differ'}
    """
    if within == among:
        raise OptionError(
            f"within and among are both {within!r}: compare the members of a group, e.g. --within district "
            "--among participant"
        )
    unknown = [e for e in evaluations if e not in codebook.ids] if codebook is not None else []
    if unknown and codebook is not None:
        raise OptionError(
            f"evaluation code {unknown[0]!r} is not in codebook {codebook.name!r}; its codes are: "
            f"{', '.join(codebook.ids)}",
            option="evaluation",
        )
    chosen = chosen_codings(codings, min_score=min_score, codebook=codebook, level=level)
    if among == C.PARTICIPANT and among not in chosen.columns and (segments is None or among not in segments.columns):
        among = C.DOC_ID  # each document one participant's, as --unit participant counts them
    chosen = _with_columns(chosen, [within, among], segments)
    notes: list[str] = []
    members = _members(codings, segments, within, among, notes)
    chosen = chosen[_filled(chosen[within]) & _filled(chosen[among])]
    present = chosen[C.CODE].astype(str)
    codes = in_codebook_order(codebook, present) if codebook is not None else sorted(set(present))
    evaluations = list(dict.fromkeys(evaluations))
    topics = [code for code in codes if code not in evaluations]
    missing = [e for e in evaluations if e not in set(present)]
    if missing:
        notes.append(
            f"no coding of {', '.join(map(repr, missing))}: no member gave {'it' if len(missing) == 1 else 'them'}"
        )
    given = _evaluated(chosen, within, among, evaluations, notes) if evaluations else {}
    held: dict[tuple[str, str], set[str]] = {}
    for group, code, member in chosen[[within, C.CODE, among]].astype(str).itertuples(index=False):
        held.setdefault((group, code), set()).add(member)
    rows = []
    small = []
    for group in sorted(members, key=_natural):
        names = members[group]
        if len(names) < 2:
            small.append(group)
            continue
        for code in topics:
            holding = sorted(held.get((group, code), set()) & set(names), key=_natural)
            row: dict[str, object] = {
                within: group,
                C.CODE: code,
                "members": len(names),
                "holding": len(holding),
                "pattern": "all" if len(holding) == len(names) else "some" if holding else "none",
                "held_by": "; ".join(holding),
                "not_by": "; ".join(name for name in names if name not in holding),
            }
            sets = {name: given.get((group, code, name), set()) for name in holding}
            for evaluation in evaluations:
                row[evaluation] = "; ".join(name for name in holding if evaluation in sets[name])
            judged = [frozenset(s) for s in sets.values() if s]
            row["evaluations"] = "" if len(judged) < 2 else ("same" if len(set(judged)) == 1 else "differ")
            rows.append(row)
    if small:
        notes.append(
            f"{len(small)} {within} value{'s' if len(small) > 1 else ''} with one {among} only, nothing to compare: "
            f"{', '.join(map(str, small[:5]))}{' …' if len(small) > 5 else ''}"
        )
    columns = [within, C.CODE, "members", "holding", "pattern", "held_by", "not_by", *evaluations, "evaluations"]
    table = pd.DataFrame(rows, columns=columns)
    table.attrs["notes"] = notes
    return table


def _filled(values: pd.Series) -> pd.Series:
    return values.notna() & values.astype(str).str.strip().ne("")


def _natural(value: object) -> tuple[object, ...]:
    """Sort key reading digits as numbers: D2 before D10."""
    import re

    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", str(value)))


def _with_columns(frame: pd.DataFrame, wanted: list[str], segments: pd.DataFrame | None) -> pd.DataFrame:
    """``frame`` with the columns ``wanted``, from its segments when it lacks them; else the
    error naming the column and where such columns come from."""
    frame = with_segment_columns(frame, wanted, segments)
    for column in wanted:
        if column not in frame.columns:
            raise ColumnError(no_group_column(column, frame.columns))
    return frame


def _members(
    codings: pd.DataFrame, segments: pd.DataFrame | None, within: str, among: str, notes: list[str]
) -> dict[str, list[str]]:
    """Each group's members: every ``among`` value of its participant turns (or, without
    segments, of its codings, rejected ones included: a member whose suggestions were all
    rejected is still a member)."""
    if segments is not None and {within, among} <= set(segments.columns):
        source = segments
        if C.IS_INTERVIEWER in segments.columns:
            source = segments[~segments[C.IS_INTERVIEWER].astype(bool).to_numpy()]
    else:
        source = _with_columns(codings, [within, among], segments)
    pairs = source[[within, among]]
    blank = ~(_filled(pairs[within]) & _filled(pairs[among]))
    if blank.any():
        notes.append(f"{int(blank.sum())} rows without a {within} or {among} left out")
    found: dict[str, list[str]] = {}
    for group, member in pairs[~blank].astype(str).drop_duplicates().itertuples(index=False):
        found.setdefault(group, []).append(member)
    return {group: sorted(names, key=_natural) for group, names in found.items()}


def _evaluated(
    chosen: pd.DataFrame, within: str, among: str, evaluations: list[str], notes: list[str]
) -> dict[tuple[str, str, str], set[str]]:
    """(group, topic code, member) -> the evaluation codes lying with that member's codings of
    the topic: on the same segment, on overlapping spans, or in the same document."""
    from ..codings import segment_key

    is_evaluation = chosen[C.CODE].astype(str).isin(evaluations).to_numpy()
    keys = [within, among, C.DOC_ID]
    by_span = False
    if C.SEGMENT_ID in chosen.columns and chosen[C.SEGMENT_ID].notna().all():
        frame = chosen.assign(_place=segment_key(chosen[C.SEGMENT_ID]))
        keys.append("_place")
    else:
        frame = chosen
        spans = [C.START_CHAR, C.END_CHAR]
        by_span = set(spans) <= set(chosen.columns) and bool(chosen[spans].notna().all().all())
        if not by_span:
            notes.append("evaluations paired with topics by document: the codings have neither segment ids nor spans")
    frame = frame.astype({within: str, among: str, C.DOC_ID: str, C.CODE: str})
    topics, marks = frame[~is_evaluation], frame[is_evaluation]
    pairs = topics.merge(marks, on=keys, suffixes=("", "_e"))
    if by_span:
        overlap = (pairs[C.START_CHAR].astype(float) < pairs[f"{C.END_CHAR}_e"].astype(float)) & (
            pairs[f"{C.START_CHAR}_e"].astype(float) < pairs[C.END_CHAR].astype(float)
        )
        pairs = pairs[overlap.to_numpy()]
    found: dict[tuple[str, str, str], set[str]] = {}
    for group, code, member, evaluation in pairs[[within, C.CODE, among, f"{C.CODE}_e"]].itertuples(index=False):
        found.setdefault((group, code, member), set()).add(evaluation)
    return found
