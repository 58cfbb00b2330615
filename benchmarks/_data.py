"""Shared loading of the real TalkMoves corpus for the benchmarks (../shared/data/talkmoves)."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
TALKMOVES = ROOT.parent / "shared" / "data" / "talkmoves" / "transcripts"


def _norm(label: object) -> str | None:
    """'1 - none', '1 - None ', '2- Keeping everyone together' → canonical 'N - Name' (None when empty)."""
    if label is None:
        return None
    text = " ".join(str(label).split())
    found = re.match(r"^(\d+)\s*-?\s*(.*)$", text)
    if not found:
        return None
    return found.group(1)


def talkmoves_sentences() -> pd.DataFrame:
    """One row per sentence: lesson, row, speaker, text, teacher_tag, student_tag (tag numbers as strings)."""
    if not any(TALKMOVES.glob("*.xlsx")):
        raise SystemExit(
            f"no TalkMoves transcripts in {TALKMOVES}: the benchmarks read ../shared/data beside the project"
        )
    rows = []
    for path in sorted(TALKMOVES.glob("*.xlsx")):
        sheet = openpyxl.load_workbook(path, read_only=True).active
        header: list[str] | None = None
        for values in sheet.iter_rows(values_only=True):
            if header is None:
                header = [str(v).strip().lower() if v is not None else "" for v in values]
                continue
            record = dict(zip(header, values, strict=False))
            text = record.get("sentence")
            if not isinstance(text, str) or not text.strip():
                continue
            speaker = str(record.get("speaker") or "").strip()
            teacher = _norm(record.get("teacher tag"))
            student = _norm(record.get("student tag"))
            rows.append(
                {
                    "lesson": path.stem.strip(),
                    "speaker": speaker,
                    "text": " ".join(text.split()),
                    "teacher_tag": teacher,
                    "student_tag": student,
                }
            )
    return pd.DataFrame(rows)
