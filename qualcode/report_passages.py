"""The passages a report shows: codings grouped by segment, with the segment's text (or the
highlighted text when the segment is not known), the evidence and human highlights marked, and
the passages two coders disagree on. Used by :mod:`qualcode.html_report`."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from . import columns as C
from .codings import segment_key

GROUP_COLUMNS_SHOWN = ("participant", "role", "district")
_SPAN = re.compile(r"\[(\d+):(\d+)\]")


def _marks(evidence: Any, start: int, length: int) -> list[list[int]]:
    """Character spans of the evidence inside the segment (relative to its start), merged;
    a span covering the whole segment (an embedding's evidence) marks nothing."""
    if not isinstance(evidence, str) or not evidence:
        return []
    spans = []
    for match in _SPAN.finditer(evidence):
        a, b = int(match.group(1)) - start, int(match.group(2)) - start
        if 0 <= a < b <= length and (b - a) < length:
            spans.append([a, b])
    return spans


def _merge(spans: list[list[int]]) -> list[list[int]]:
    merged: list[list[int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return merged


def _clean(value: Any) -> Any:
    """A cell as JSON-ready data: missing (None, NaN, NA, inf) as None, NumPy numbers as Python's."""
    if value is None or isinstance(value, list | dict):
        return value
    if pd.isna(value) or (isinstance(value, float) and not np.isfinite(value)):
        return None
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return round(float(value), 4)
    return value


def on_segments(codings: pd.DataFrame, segments: pd.DataFrame | None) -> pd.DataFrame:
    """Each coding with the segment it belongs to: span-form rows without a segment id are
    placed by the overlap rule; the segment's whole text (``_seg_text``, from ``_seg_start``)
    is what a passage shows, the coding's own span marked in it. Rows no segment holds keep
    their own text and span as their passage: nothing is dropped."""
    from .codings import span_segments

    out = codings.copy()
    out[C.SEGMENT_ID] = segment_key(out[C.SEGMENT_ID])
    has_span = C.START_CHAR in out.columns and C.END_CHAR in out.columns
    if segments is not None and has_span and out[C.SEGMENT_ID].isna().any():
        missing = np.flatnonzero(out[C.SEGMENT_ID].isna().to_numpy())
        spans = out.iloc[missing].dropna(subset=[C.START_CHAR, C.END_CHAR])
        if len(spans):
            pairs = span_segments(spans.astype({C.START_CHAR: "int64", C.END_CHAR: "int64"}), segments)
            first = pairs.drop_duplicates("span")
            rows = out.index[[missing[k] for k in first["span"]]]
            out.loc[rows, C.SEGMENT_ID] = segment_key(first[C.SEGMENT_ID]).to_numpy()
    if out[C.SEGMENT_ID].isna().any():
        where = out[C.START_CHAR].astype(str) + "-" + out[C.END_CHAR].astype(str) if has_span else "?"
        out[C.SEGMENT_ID] = out[C.SEGMENT_ID].where(out[C.SEGMENT_ID].notna(), "span " + where)
    if segments is not None and C.TEXT in segments.columns and C.START_CHAR in segments.columns:
        table = segments[[C.DOC_ID, C.SEGMENT_ID, C.TEXT, C.START_CHAR]].rename(
            columns={C.TEXT: "_seg_text", C.START_CHAR: "_seg_start"}
        )
        table = table.assign(**{C.SEGMENT_ID: segment_key(table[C.SEGMENT_ID])}).drop_duplicates(
            [C.DOC_ID, C.SEGMENT_ID]
        )
        out = out.astype({C.DOC_ID: str}).merge(table.astype({C.DOC_ID: str}), on=[C.DOC_ID, C.SEGMENT_ID], how="left")
        if has_span:
            # a segment id that names another stretch of text (sources cut differently since)
            # is not this coding's segment: the coding keeps its own text
            start = pd.to_numeric(out[C.START_CHAR], errors="coerce")
            end = pd.to_numeric(out[C.END_CHAR], errors="coerce")
            seg_end = out["_seg_start"] + out["_seg_text"].str.len()
            elsewhere = start.notna() & out["_seg_start"].notna() & ((end <= out["_seg_start"]) | (start >= seg_end))
            out.loc[elsewhere, ["_seg_text", "_seg_start"]] = np.nan
    return out


def _own_span(row: Any, start: int, length: int) -> list[list[int]]:
    """A coding's own character span inside its passage (clipped to it), when narrower than
    the passage: the highlight a human made."""
    a, b = row.get(C.START_CHAR), row.get(C.END_CHAR)
    if a is None or b is None or pd.isna(a) or pd.isna(b):
        return []
    a, b = max(int(a) - start, 0), min(int(b) - start, length)
    return [[a, b]] if a < b and (b - a) < length else []


_GAP = "\n…\n"


def _piece_key(row: Any) -> tuple[Any, Any]:
    return (_clean(row.get(C.START_CHAR)), str(row.get(C.TEXT)) if pd.notna(row.get(C.TEXT)) else "")


def _joined(rows: pd.DataFrame, pieces: dict[tuple[Any, Any], list[int]]) -> tuple[str, int]:
    """The distinct texts of ``rows`` joined in order; ``pieces`` gets each one's span."""
    parts: list[str] = []
    at = 0
    for _, row in rows.iterrows():
        key = _piece_key(row)
        if key in pieces or not key[1]:
            continue
        if parts:
            parts.append(_GAP)
            at += len(_GAP)
        pieces[key] = [at, at + len(key[1])]
        parts.append(key[1])
        at += len(key[1])
    return "".join(parts), 0


def group_passages(
    codings: pd.DataFrame, groups: Sequence[str]
) -> tuple[list[dict[str, Any]], dict[tuple[str, str], int]]:
    """One record per segment (doc_id, segment_id), in document order, with its codings."""
    key_columns = [C.DOC_ID, C.SEGMENT_ID]
    order = codings.sort_values(
        [C.DOC_ID, *([C.START_CHAR] if C.START_CHAR in codings.columns else []), C.SEGMENT_ID], kind="stable"
    )
    shown = [g for g in dict.fromkeys([*GROUP_COLUMNS_SHOWN, *groups]) if g in codings.columns]
    records: list[dict[str, Any]] = []
    index: dict[tuple[str, str], int] = {}
    for key, rows in order.groupby(key_columns, sort=False):
        first = rows.iloc[0]
        pieces: dict[tuple[Any, Any], list[int]] = {}
        if "_seg_text" in rows.columns and pd.notna(first["_seg_text"]):
            text, start = str(first["_seg_text"]), int(first["_seg_start"])
        else:
            # the segment's own text is not known: the passage is the distinct highlighted
            # texts of its codings, in order, each coding marking its own piece
            text, start = _joined(rows, pieces)
        codes = []
        for _, row in rows.iterrows():
            if pieces:
                marks = [pieces[_piece_key(row)]] if len(pieces) > 1 else []
            else:
                marks = _marks(row.get(C.EVIDENCE), start, len(text)) + _own_span(row, start, len(text))
            status = _clean(row.get(C.STATUS)) or "suggested"
            codes.append(
                {
                    "code": str(row[C.CODE]),
                    # a person's code has no score: the 1.0 its row holds is not a certainty to show
                    "score": None if status == "human" else _clean(row.get(C.SCORE)),
                    "status": status,
                    "coder": _clean(row.get(C.CODER)),
                    "evidence": _clean(row.get(C.EVIDENCE)),
                    "memo": str(_clean(row.get(C.MEMO)) or "").strip() or None,  # the researcher's note
                    "marks": _merge(marks),
                }
            )
        index[(str(key[0]), str(key[1]))] = len(records)
        records.append(
            {
                "doc": str(key[0]),
                "seg": str(key[1]),
                "speaker": _clean(first.get(C.SPEAKER)),
                "at": media_span(first.get(C.START_TIME), first.get(C.END_TIME)),  # where in the recording
                "text": text,
                # as the group panels name them (str(value)): a turn's True/False, not JSON's true
                "groups": [[g, None if (v := _clean(first.get(g))) is None else str(v)] for g in shown],
                "codes": codes,
            }
        )
    return records, index


def media_span(start: Any, end: Any) -> str | None:
    """A passage's place in its recording, as a player shows it: ``0:12–0:49``, ``1:02:03–1:03:10``
    (None for a transcript without times).

    >>> media_span(12.23, 49.24), media_span(3723.5, 3790), media_span(None, None)
    ('0:12–0:49', '1:02:03–1:03:10', None)
    """

    def clock(value: float) -> str:
        hours, rest = divmod(int(value), 3600)
        minutes, seconds = divmod(rest, 60)
        return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"

    try:
        a, b = float(start), float(end)
    except (TypeError, ValueError):
        return None
    if not (a == a and b == b) or a < 0 or b < a:  # NaN: no times
        return None
    return f"{clock(a)}–{clock(b)}"


def static_passage(record: dict[str, Any], code: str | None = None) -> dict[str, Any]:
    """A passage for the template: text cut into plain and marked pieces, and its codings."""
    coding = next((c for c in record["codes"] if c["code"] == code), None) if code else None
    marks = coding["marks"] if coding else []
    pieces, at = [], 0
    for a, b in marks:
        pieces.append((record["text"][at:a], False))
        pieces.append((record["text"][a:b], True))
        at = b
    pieces.append((record["text"][at:], False))
    return {**record, "pieces": pieces, "coding": coding}


def agreement_section(
    codings: pd.DataFrame, index: Mapping[tuple[str, str], int], segments: pd.DataFrame | None
) -> dict[str, Any] | None:
    """Agreement per code between the first two human coders, and their disagreements."""
    from .analysis.agreement import agreement

    if C.CODER not in codings.columns or C.STATUS not in codings.columns:
        return None
    human = codings[codings[C.STATUS].astype(str).eq("human") & codings[C.CODER].notna()]
    coders = sorted(map(str, human[C.CODER].unique()))
    if len(coders) < 2:
        return None
    pair = coders[:2]
    human = human[human[C.CODER].astype(str).isin(pair)]
    units = segments
    if units is None:
        units = codings[[C.DOC_ID, C.SEGMENT_ID]].drop_duplicates().reset_index(drop=True)
    table = agreement(human, coders=pair, unit="segment", segments=units)
    applied: dict[tuple[str, str, str], set[str]] = {}
    for row in human.itertuples(index=False):
        key = (str(getattr(row, C.DOC_ID)), str(getattr(row, C.SEGMENT_ID)), str(getattr(row, C.CODE)))
        applied.setdefault(key, set()).add(str(getattr(row, C.CODER)))
    disagreements = []
    for (doc, seg, code), who in sorted(applied.items()):
        if len(who) == 1 and (doc, seg) in index:
            disagreements.append({"p": index[(doc, seg)], "code": code, "by": next(iter(who))})
    per_code = []
    for code_id, values in table.iterrows():
        per_code.append(
            {
                "code": str(code_id),
                **{k: _clean(values.get(k)) for k in ("percent_agreement", "cohen_kappa", "krippendorff_alpha")},
            }
        )
    return {"coders": pair, "all_coders": coders, "table": per_code, "disagreements": disagreements}
