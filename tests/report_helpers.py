"""Shared by the report tests: read the data a report embeds, and make the files it reads."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from qualcode.cli import app

from .conftest import CODEBOOK, EXAMPLES, FIXTURES, PARTICIPANTS

SERDIF = FIXTURES / "taguette" / "SERDIF_P2_ThematicAnalysis.sqlite3"


def embedded(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="qualcode-data">(.*?)</script>', html, re.S)
    assert match, "the report embeds its data"
    return json.loads(match.group(1))


def tag_examples(folder: Path) -> Path:
    out = folder / "coded.csv"
    args = ["tag", str(EXAMPLES), "-c", str(CODEBOOK), "-o", str(out), "-m", str(PARTICIPANTS), "--method", "keyword"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return out


def import_serdif(folder: Path) -> Path:
    """The SERDIF Taguette project (real human codes), imported as qualcode files."""
    out = folder / "serdif"
    result = CliRunner().invoke(app, ["import", str(SERDIF), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out
