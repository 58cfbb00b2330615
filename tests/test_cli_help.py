"""Every help screen renders cleanly at 80 columns: conventional placeholders, no truncation."""

from __future__ import annotations

import re

import pytest
import typer
from typer.testing import CliRunner

from qualcode.cli import app

COMMANDS = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


def _help(*args: str) -> str:
    result = CliRunner().invoke(app, [*args, "--help"], env={"COLUMNS": "80", "NO_COLOR": "1"}, terminal_width=80)
    assert result.exit_code == 0, result.output
    return result.output


def test_every_command_is_checked():
    assert {"tag", "agree", "evaluate", "report", "export-refi", "import-refi"} <= set(COMMANDS)


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_has_no_type_placeholders_or_truncation(command):
    text = _help(*([command] if command else []))
    assert "…" not in text, text
    assert not re.search(r"<(bool|str|int|float|path|list\[[^\]]*\])>", text, re.I), text
    assert "{" not in text and "}" not in text, text
    assert all(len(line) <= 80 for line in text.splitlines()), text


def test_flags_show_no_placeholder_and_values_show_conventional_ones():
    text = _help("tag")
    assert re.search(r"--include-interviewer\s+Also code interviewer turns", text)
    assert re.search(r"--help\s+Show this message", text)
    assert re.search(r"--codebook\s+-c\s+PATH", text)
    assert re.search(r"--min-score\s+NUMBER", text)
    assert re.search(r"--top-k\s+INTEGER", text)
    assert "Usage: qualcode tag [OPTIONS] INPUTS..." in text
    assert "classifier 0.5" in text


def test_help_texts_name_only_options_the_command_has():
    assert "--level" not in _help("evaluate")
    assert "CODED.meta.json" not in _help("agree")
    window = _help("tag")
    assert "--window-size" in window and "--window-overlap" in window


def test_help_paragraphs_wrap_at_the_screen_not_at_the_docstrings_line_ends():
    """typer keeps a docstring's line breaks: "or leave it" then "empty) when none applies" on the
    next line, each line wrapped again at 80 columns. Paragraphs are reflowed."""
    text = " ".join(_help("next").split())
    assert "none (or leave it empty) when none applies, then pass the sheet with the earlier codings to" in text
    listing = _help()  # the command list shows each command's first paragraph as one
    report = re.search(r"│ report\s+(.*?)│ review", listing, re.S)
    assert report is not None
    lines = [line.strip("│ ").strip() for line in report.group(1).splitlines()]
    assert all(len(line) >= 50 for line in lines[:-1]), lines  # no short line mid-paragraph
