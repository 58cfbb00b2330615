"""A browsable, self-contained HTML report of a coded corpus: the passages behind every number.

:func:`build_report` turns a codings table (from ``qualcode tag``, reviewed or not) into one
HTML file with inline CSS and JavaScript and no network access, so it can be emailed and
archived with a paper:

- the codebook, each code with its definition, criteria and top passages (evidence marked);
- frequencies by each grouping column, as counts and shares of all segments;
- the co-occurrence matrix (Jinja2 renders it as a table coloured like ``qualcode plot``):
  **clicking a cell lists the passages where the two codes meet**, paged; the same per group,
  and the between-group comparison with Benjamini-Hochberg adjusted p-values;
- with two human coders: agreement per code and the passages where they disagree, side by side;
- provenance from the ``.meta.json``.

The static parts (tables, top passages, the first disagreements) read with JavaScript off;
the passages behind a cell are drawn by a small script from data embedded in the page, a page
at a time, so the report stays usable at tens of thousands of segments.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import columns as C
from .codings import segment_key
from .errors import ColumnError, OptionError, require_table
from .report_connections import connections_section
from .report_passages import agreement_section, group_passages, on_segments, static_passage

if TYPE_CHECKING:
    from .codebook import Codebook

TOP_PASSAGES = 5  # per code, written into the page (the rest on demand)
STATIC_DISAGREEMENTS = 50  # written into the page; the rest page in with JavaScript


@dataclass
class Report:
    """A rendered report: ``html`` (the whole page), ``summary`` (what it holds) and
    ``warnings``. ``save(path)`` writes it; in Jupyter it shows itself in a frame."""

    html: str
    summary: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def save(self, path: str | Path) -> Path:
        from .fileio import atomic_write_text

        return atomic_write_text(Path(path), self.html)

    def _repr_html_(self) -> str:
        lines = ", ".join(f"{v} {k}" for k, v in self.summary.items() if isinstance(v, int))
        frame = html.escape(self.html, quote=True)
        return (
            f"<p><b>qualcode report</b>: {html.escape(lines)}</p>"
            f'<iframe srcdoc="{frame}" style="width:100%;height:640px;border:1px solid #ccc"></iframe>'
        )


def _cells(
    matrix: pd.DataFrame, measure: str, labels: Mapping[str, str], pair_counts: Mapping[str, int], group: str
) -> dict[str, Any]:
    """A matrix as rows of cells with their colours (the same scale as ``qualcode plot``)."""
    import matplotlib

    from .plot import GREY, _scale, _shown, text_colour

    values = _shown(matrix, measure, diagonal=False)
    cmap_name, norm = _scale(measure, values)
    cmap = matplotlib.colormaps[cmap_name]
    rows = []
    for i, a in enumerate(matrix.index):
        cells = []
        for j, b in enumerate(matrix.columns):
            v = values[i, j]
            if not np.isfinite(v):
                cells.append({"blank": True, "background": GREY})
                continue
            rgba = cmap(norm(v))
            key = "\t".join(sorted((str(a), str(b))))
            cells.append(
                {
                    "blank": False,
                    "a": str(a),
                    "b": str(b),
                    "text": f"{int(v)}" if measure == "count" else f"{v:.2f}",
                    "background": matplotlib.colors.to_hex(rgba),
                    "colour": text_colour(rgba),
                    "passages": pair_counts.get(key, 0) if not group else None,
                }
            )
        rows.append({"code": str(a), "label": labels.get(str(a), str(a)), "cells": cells})
    return {"columns": [labels.get(str(c), str(c)) for c in matrix.columns], "rows": rows, "group": group}


def _code_rows(codings: pd.DataFrame, codebook: Codebook | None) -> list[str]:
    present = list(dict.fromkeys(map(str, codings[C.CODE])))
    if codebook is None:
        return sorted(present)
    known = [c for c in codebook.ids if c in set(present)]
    return known + sorted(set(present) - set(known))


def _codebook_section(
    codebook: Codebook | None, codes: list[str], code_passages: dict[str, list[int]], passages: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    entries = []
    for code in codes:
        definition: dict[str, Any] = {
            "id": code,
            "label": code.replace("_", " "),
            "description": "",
            "include": "",
            "exclude": "",
            "keywords": "",
            "formerly": "",
        }
        if codebook is not None and code in codebook.ids:
            c = codebook.get(code)
            definition.update(
                label=c.label,
                description=c.description,
                include=c.include_when,
                exclude=c.exclude_when,
                keywords=", ".join(c.keywords),
                formerly=", ".join(c.formerly),
                threshold=c.threshold,
            )
        top = code_passages.get(code, [])[:TOP_PASSAGES]
        definition["n"] = len(code_passages.get(code, []))
        definition["top"] = [static_passage(passages[k], code) for k in top]
        entries.append(definition)
    return entries


def _distinct_codings(codings: pd.DataFrame) -> int:
    """How many codings: one per passage, code and coder, as ``export-refi`` writes them (a
    passage over two segments is two rows of the table, one coding)."""
    keys = list(C.CODING_KEY) if C.START_CHAR in codings and C.END_CHAR in codings else [C.DOC_ID, C.SEGMENT_ID, C.CODE]
    keys = [k for k in dict.fromkeys([*keys, C.CODER]) if k in codings]
    return len(codings.drop_duplicates(keys)) if len(codings) else 0


def build_report(
    codings: pd.DataFrame,
    codebook: Codebook | None = None,
    *,
    by: str | Sequence[str] | None = None,
    measure: str = "count",
    min_score: float | None = None,
    segments: pd.DataFrame | None = None,
    all_segments: pd.DataFrame | None = None,
    provenance: Mapping[str, Any] | None = None,
    title: str | None = None,
    order_by: str | None = None,
    within: str | None = None,
    evaluations: Sequence[str] = (),
) -> Report:
    """The HTML report of ``codings`` (segment form: ``doc_id, segment_id, code`` and ideally
    ``text``; rejected rows are left out, suggestions under ``min_score`` too).

    Parameters
    ----------
    codebook
        Gives labels, definitions and the order of codes.
    by
        Metadata columns to break frequencies and co-occurrence down by (``["role", "district"]``).
    measure
        The co-occurrence measure drawn (``count``, ``jaccard``, ``lift``, ``npmi``, ...).
    segments
        Every segment of the run that was coded (also those that got no code), so shares count
        all of them.
    all_segments
        Every segment of the sources, interviewer turns included: where passages take their
        text from (default: ``segments``).
    provenance
        The ``.meta.json`` record, shown at the end.
    order_by
        The column giving the order documents were collected in (``interview_date``), for
        the saturation section (default: the order of the run).
    within, evaluations
        A connections section: which codes all, some or none of each group's participants
        hold, and who gave them each of ``evaluations`` (:func:`qualcode.connections`).
    """
    from .analysis.cooccurrence import MEASURES, compare_groups, cooccurrence
    from .analysis.frequencies import frequencies
    from .analysis.units import no_group_column, select, with_segment_columns
    from .plot import code_labels

    require_table(codings, "codings", "for a file, qc.report(PATH, CODEBOOK) reads it with its record")
    groups = [by] if isinstance(by, str) else list(by or [])
    if measure not in MEASURES:
        raise OptionError(f"measure {measure!r} is not one of: {', '.join(MEASURES)}", option="measure")
    for column in (C.DOC_ID, C.SEGMENT_ID, C.CODE):
        if column not in codings.columns:
            from .analysis.units import SPANS_FIX

            fix = (
                SPANS_FIX.split(", or ", 1)[1] if column == C.SEGMENT_ID else "give codings from qualcode tag or review"
            )
            raise ColumnError(f"codings lack column {column!r}: the report reads codings per segment; {fix}")
    source = all_segments if all_segments is not None else segments
    codings = with_segment_columns(codings, list(groups), source)  # a turn's own column (is_interviewer)
    for group in groups:
        if group not in codings.columns:
            raise ColumnError(no_group_column(group, codings.columns))
    warnings: list[str] = []
    chosen = on_segments(select(codings, min_score=min_score), all_segments if all_segments is not None else segments)
    if codebook is not None:  # a code's label or former name read as its id
        from .codings import codes_as_ids

        chosen = codes_as_ids(chosen, codebook)
    if segments is not None:
        known = set(zip(segments[C.DOC_ID].astype(str), segment_key(segments[C.SEGMENT_ID]), strict=True))
        outside = {k for k in zip(chosen[C.DOC_ID].astype(str), chosen[C.SEGMENT_ID], strict=True) if k not in known}
        if outside:
            warnings.append(
                f"{len(outside)} coded segments are not among the {len(segments)} segments the run coded "
                "(interviewer turns, or sources cut differently): shares and N count coded segments only"
            )
            segments = None
        else:
            segments = segments.assign(**{C.SEGMENT_ID: segment_key(segments[C.SEGMENT_ID])})
    if C.TEXT not in chosen.columns and "_seg_text" not in chosen.columns:
        warnings.append("the codings hold no text column and no transcripts were found: passages show ids only")
    labels = code_labels(codebook)
    codes = _code_rows(chosen, codebook)
    for code in codes:
        labels.setdefault(code, code.replace("_", " "))
    passages, index = group_passages(chosen, groups)

    # which passages hold each code (best first) and each pair of codes
    code_passages: dict[str, list[tuple[int, float, int]]] = {}
    pairs: dict[str, list[int]] = {}
    for k, record in enumerate(passages):
        held = sorted({c["code"] for c in record["codes"]})
        for c in record["codes"]:
            reviewed = 0 if c["status"] in ("human", "accepted") else 1
            score = -(c["score"] if isinstance(c["score"], float | int) else 1.0)
            code_passages.setdefault(c["code"], []).append((reviewed, score, k))
        for i, a in enumerate(held):
            for b in held[i + 1 :]:
                pairs.setdefault(f"{a}\t{b}", []).append(k)
    by_code = {code: [k for *_, k in sorted(set(items))] for code, items in code_passages.items()}

    n_segments = len(segments) if segments is not None else len(passages)
    matrix = cooccurrence(chosen, measure=measure, codebook=codebook, segments=segments, codes=codes or None)
    overall = _cells(matrix, measure, labels, {k: len(v) for k, v in pairs.items()}, "")
    grouped: list[dict[str, Any]] = []
    comparisons: list[dict[str, Any]] = []
    freq_tables: list[dict[str, Any]] = []
    freq_tables.append(_frequency_table(frequencies(chosen, count="segment", segments=segments), None, labels, codes))
    for group in groups:
        freq_tables.append(
            _frequency_table(frequencies(chosen, by=group, count="segment", segments=segments), group, labels, codes)
        )
        per = cooccurrence(chosen, by=group, measure=measure, codebook=codebook, segments=segments, codes=codes)
        panels = []
        for value in per.index.get_level_values(0).unique():
            panels.append(_cells(per.loc[value].loc[codes, codes], measure, labels, {}, str(value)))
        grouped.append({"column": group, "panels": panels})
        try:
            table = compare_groups(chosen, by=group, codebook=codebook, segments=segments)
        except OptionError as error:
            warnings.append(f"comparison by {group}: {error}")
            continue
        comparisons.append(_comparison(table, group, labels))

    saturation = _saturation(chosen, segments, labels, order_by)
    connected = connections_section(
        chosen, segments, within=within, evaluations=evaluations, codebook=codebook, labels=labels
    )
    warnings += connected["notes"] if connected else []
    agreement = agreement_section(chosen if C.STATUS in chosen else codings, index, segments)
    if agreement is not None and len(agreement["all_coders"]) > 2:
        warnings.append(f"agreement shown for the first two coders ({', '.join(agreement['coders'])})")

    data = {
        "passages": passages,
        "pairs": pairs,
        "codes": by_code,
        "labels": labels,
        "disagreements": agreement["disagreements"] if agreement else [],
        "groups": groups,
    }
    summary = {
        "segments": n_segments,
        "coded segments": len(passages),
        "codes": len(codes),
        "codings": _distinct_codings(chosen),
    }
    context = {
        "title": title or (f"{codebook.name}: coding report" if codebook is not None else "Coding report"),
        "summary": summary,
        "measure": measure,
        "min_score": min_score,
        "codebook": _codebook_section(codebook, codes, by_code, passages),
        "frequencies": freq_tables,
        "overall": overall,
        "grouped": grouped,
        "comparisons": comparisons,
        "agreement": agreement,
        "saturation": saturation,
        "connections": connected,
        "disagreements": [
            static_passage(passages[d["p"]], d["code"]) | {"code": d["code"], "by": d["by"]}
            for d in (agreement["disagreements"][:STATIC_DISAGREEMENTS] if agreement else [])
        ],
        "static_disagreements": STATIC_DISAGREEMENTS,
        "provenance": _provenance(provenance),
        "warnings": warnings,
        "data": _json_for_script(data),
        "style": _asset("report.css"),
        "script": _asset("report.js"),
        "labels": labels,
    }
    return Report(html=_render(context), summary=summary, warnings=warnings)


def _saturation(
    chosen: pd.DataFrame, segments: pd.DataFrame | None, labels: Mapping[str, str], order_by: str | None = None
) -> dict[str, Any] | None:
    """New codes per document in the order of the run (or by ``order_by``), and the
    saturation sentence (:func:`qualcode.saturation` with its defaults); None without any
    coding."""
    from .analysis.saturation import saturation

    if chosen.empty:
        return None
    result = saturation(chosen, segments=segments, order_by=order_by)
    notes = list(result.notes)
    if order_by is None:  # a date per document: the order of fieldwork is one option away
        table = segments if segments is not None else chosen
        dated = [
            str(column)
            for column in table.columns
            if "date" in str(column).lower() and table.groupby(C.DOC_ID)[column].nunique().eq(1).all()
        ]
        if dated:
            notes.append(
                f"the documents have {dated[0]!r}: `report --order-by {dated[0]}` puts them in the order of "
                "fieldwork (here, the order of the run: file names)"
            )
    rows = [
        {
            "position": int(row["position"]),
            "doc_id": row[C.DOC_ID],
            "codes": int(row["codes"]),
            "new": [(code, labels.get(code, code)) for code in row["new"].split("; ") if code],
            "cumulative": int(row["cumulative"]),
            "coverage": "" if pd.isna(row["coverage"]) else f"{row['coverage']:.2f}",
            "stage": row["stage"],
        }
        for row in result.documents.to_dict("records")
    ]
    return {
        "sentence": result.sentences()[0],
        "rows": rows,
        "rule": result.rule,
        "notes": notes,
        "order": f"by {order_by}" if order_by else "in the order of the run",
    }


def _frequency_table(
    table: pd.DataFrame, group: str | None, labels: Mapping[str, str], codes: list[str]
) -> dict[str, Any]:
    if "group" not in table.columns:
        table = table.assign(group="all segments")
    values = list(dict.fromkeys(map(str, table["group"])))
    cells: dict[tuple[str, str], dict[str, Any]] = {}
    totals: dict[str, int] = {}
    for code, value, n, share, total in zip(
        table["code"], table["group"], table["n"], table["share"], table["total"], strict=True
    ):
        cells[(str(code), str(value))] = {"n": int(n), "share": float(share)}
        totals[str(value)] = int(total)
    rows = []
    for code in codes:
        rows.append(
            {
                "code": code,
                "label": labels.get(code, code),
                "cells": [cells.get((code, v), {"n": 0, "share": 0.0}) for v in values],
            }
        )
    return {"column": group, "values": values, "totals": [totals.get(v, 0) for v in values], "rows": rows}


def _comparison(table: pd.DataFrame, group: str, labels: Mapping[str, str]) -> dict[str, Any]:
    values = [c[len("rate[") : -1] for c in table.columns if c.startswith("rate[")]
    shown = table.head(30)
    out_rows = []
    for _, row in shown.iterrows():
        out_rows.append(
            {
                "a": labels.get(str(row["code_a"]), str(row["code_a"])),
                "b": labels.get(str(row["code_b"]), str(row["code_b"])),
                "rates": [
                    f"{int(row[f'n_both[{v}]'])}/{int(row[f'n_units[{v}]'])} ({float(row[f'rate[{v}]']):.0%})"
                    for v in values
                ],
                "test": str(row["test"]),
                "p": f"{float(row['p_value']):.3g}",
                "p_adjusted": f"{float(row['p_adjusted']):.3g}",
                "differs": bool(row["differs"]),
            }
        )
    return {
        "column": group,
        "values": values,
        "rows": out_rows,
        "pairs": len(table),
        "differ": int(table["differs"].sum()) if len(table) else 0,
    }


def _provenance(record: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    if not record:
        return [("provenance", "no .meta.json beside the codings: how they were made is not known")]
    settings = record.get("settings", {})
    book = record.get("codebook", {})
    models = record.get("models", {})
    items = [
        ("qualcode", str(record.get("qualcode_version", "?"))),
        ("codebook", f"{book.get('name', '?')} (version {book.get('version', '?')}), sha256 {book.get('sha256', '?')}"),
        ("method", str(settings.get("method_ran", settings.get("method", "?")))),
        *_thresholds(settings, book),
        ("segmented by", str(settings.get("segment_by", "?"))),
    ]
    encoder = models.get("embedding", {}).get("encoder") if isinstance(models.get("embedding"), dict) else None
    if encoder:
        items.append(("embedding model", str(encoder)))
    spacy_model = models.get("keyword", {}).get("spacy_model") if isinstance(models.get("keyword"), dict) else None
    if spacy_model:
        items.append(("spaCy model", str(spacy_model)))
    learned = models.get("classifier", {}).get("cv_kappa") if isinstance(models.get("classifier"), dict) else None
    if learned is not None:
        items.append(("learned", f"cross-validated mean kappa {learned:.2f} on the human codes learned from"))
    items += [("human codes learned from", str(path)) for path in settings.get("training") or ()]
    counts = record.get("counts", {})
    if counts:
        items.append(("counts", ", ".join(f"{v} {k}" for k, v in counts.items())))
    for entry in record.get("inputs", []):
        items.append(("input", f"{entry.get('path')} (sha256 {str(entry.get('sha256', '?'))[:16]})"))
    return items


def _thresholds(settings: Mapping[str, Any], book: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The score a suggestion needed: per code where a threshold was learned on human codes or
    tuned into the codebook (``thresholds_used``), the run's minimum for the other codes."""
    floor = str(settings.get("min_score_used", settings.get("min_score")))
    used = settings.get("thresholds_used") or {}
    if not isinstance(used, Mapping) or not used:
        return [("minimum score", floor)]
    by_value: dict[float, list[str]] = {}
    for code, value in sorted(used.items()):
        by_value.setdefault(float(value), []).append(str(code))
    items = [("thresholds", "; ".join(f"{value:g}: {', '.join(codes)}" for value, codes in sorted(by_value.items())))]
    codes = book.get("codes") if isinstance(book.get("codes"), list) else None
    if codes is None or set(codes) - set(used):
        items.append(("minimum score", f"{floor} for the other codes"))
    return items


def _json_for_script(data: Any) -> str:
    """JSON safe inside ``<script type="application/json">``: no ``</script>`` can end it."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _asset(name: str) -> str:
    from importlib.resources import files

    return (files("qualcode") / "data" / "report" / name).read_text(encoding="utf-8")


def _render(context: dict[str, Any]) -> str:
    from jinja2 import DictLoader, Environment, StrictUndefined

    templates = {name: _asset(f"{name}.html.j2") for name in ("report", "passage", "matrix")}
    env = Environment(
        loader=DictLoader(templates), autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True
    )
    return env.get_template("report").render(**context)
