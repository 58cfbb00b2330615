"""Every command of the README's bash blocks runs as written, in order, in a fresh folder
holding the project's examples: the README cannot promise what the tool does not do.

The quick start's ``pip install … &&`` prefix is dropped (the package is installed); the
steps a researcher does by hand (filling in the sheet of ``qualcode next`` from the example's
human codes, renaming a code in the codebook) are done here.
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from qualcode.cli import app

from .conftest import ROOT

pytestmark = pytest.mark.model


def readme_examples() -> list[tuple[str, str | None]]:
    """Each ``qualcode`` command of the README's bash blocks, with the output line the README
    shows for it (a ``# … -> FILE`` or ``# FILE: valid: …`` comment on the next line), if any."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found: list[tuple[str, str | None]] = []
    for block in re.findall(r"```bash\n(.*?)```", text, re.S):
        joined = re.sub(r"\\\n\s*", " ", block)
        last_was_command = False
        for line in joined.splitlines():
            if last_was_command and line.startswith("# ") and ("->" in line or ": valid:" in line):
                found[-1] = (found[-1][0], line[2:])
            last_was_command = False
            if line.startswith("pip install"):
                line = line.split(" && ", 1)[1] if " && " in line else ""  # installing: done already
            line = re.sub(r"\s+#.*$", "", line).strip()
            if line.startswith("qualcode ") and "tcp://" not in line:  # no Dask scheduler here
                found.append((line, None))
                last_was_command = True
    return found


def readme_printed() -> dict[str, list[str]]:
    """The lines the README shows a command printing: two or more ``# …`` comment lines right
    under it, none an output line (``->``, ``: valid:``), up to a ``# …`` standing for the rest."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found: dict[str, list[str]] = {}
    for block in re.findall(r"```bash\n(.*?)```", text, re.S):
        lines = re.sub(r"\\\n\s*", " ", block).splitlines()
        for at, line in enumerate(lines):
            if not line.startswith("qualcode "):
                continue
            shown: list[str] = []
            for comment in lines[at + 1 :]:
                if not comment.startswith("# ") or "->" in comment or ": valid:" in comment or comment == "# …":
                    break
                shown.append(" ".join(comment[2:].split()))
            if len(shown) >= 2:
                found[line.strip()] = shown
    return found


def readme_commands() -> list[str]:
    return [command for command, _ in readme_examples()]


def shown(comment: str) -> re.Pattern[str]:
    """The README's output comment as a pattern: up to the file after ``->`` (what follows,
    after two spaces or a colon, is commentary), ``…`` standing for anything."""
    line = re.split(r"\s{2,}", comment)[0]
    if "->" in line:
        head, tail = line.split("->", 1)
        line = head + "-> " + tail.split()[0].rstrip(":")
    return re.compile(".*?".join(re.escape(part) for part in line.split("…")))


def test_the_readme_shows_outputs_it_checks():
    shown_lines = [comment for _, comment in readme_examples() if comment]
    assert len(shown_lines) >= 8
    assert shown("9 sources, 14 codes, … codings -> study.qdpx   (a note)").search(
        "9 sources, 14 codes, 113 codings -> study.qdpx"
    )
    assert not shown("9 sources, 14 codes, 91 codings -> study.qdpx").search(
        "9 sources, 14 codes, 113 codings -> study.qdpx"
    )


def test_the_readme_lists_commands():
    commands = readme_commands()
    assert len(commands) > 20
    assert commands[0].startswith("qualcode tag examples/interviews")


def _fill_in(sheet, human):
    """What the researcher does with the sheet of `qualcode next`: write the codes that apply."""
    table = pd.read_csv(sheet, dtype=str, keep_default_na=False)
    codes = pd.read_csv(human)
    for index, row in table.iterrows():
        inside = codes[
            (codes["doc_id"] == row["doc_id"])
            & (codes["start_char"] < int(row["end_char"]))
            & (codes["end_char"] > int(row["start_char"]))
        ]
        table.loc[index, "codes"] = "; ".join(sorted(set(inside["code"])))
    table.to_csv(sheet, index=False)


def _rename_personnel(path):
    """What the researcher does to rename a code: edit the codebook, keeping the old id."""
    text = (ROOT / "codebooks" / "caring_schools.yaml").read_text(encoding="utf-8")
    assert "  - id: personnel\n    label: Personnel\n" in text
    path.write_text(
        text.replace(
            "  - id: personnel\n    label: Personnel\n",
            "  - id: staffing\n    label: Staffing and hiring\n    formerly: [personnel]\n",
        ),
        encoding="utf-8",
    )


def test_every_readme_command_runs_in_order(tmp_path, monkeypatch):
    for folder in ("examples", "codebooks"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    shutil.copytree(ROOT / "tests" / "fixtures" / "taguette", tmp_path / "tests" / "fixtures" / "taguette")
    shutil.copytree(ROOT / "tests" / "fixtures" / "talkmoves", tmp_path / "tests" / "fixtures" / "talkmoves")
    shutil.copy(ROOT / "tests" / "fixtures" / "zoom-chemistry-lesson.vtt", tmp_path / "tests" / "fixtures")
    for tool in ("whisperx", "whisper.cpp"):
        folder = Path("tests") / "fixtures" / "whisper" / tool
        shutil.copytree(ROOT / folder, tmp_path / folder)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    printed = readme_printed()
    assert printed  # the tables freq prints without -o
    for command, comment in readme_examples():
        args = shlex.split(command)[1:]
        if "staffing.yaml" in args and not (tmp_path / "staffing.yaml").exists():
            _rename_personnel(tmp_path / "staffing.yaml")
        result = runner.invoke(app, args)
        assert result.exit_code == 0, f"{command}\n{result.output}"
        assert "Traceback" not in result.output, command
        if comment:  # what the README says the command prints, it prints
            assert shown(comment).search(result.output), f"{command}\nREADME: {comment}\nprinted: {result.output}"
        if command in printed:  # ... and the table lines it shows, in order
            lines = [" ".join(line.split()) for line in result.stdout.splitlines()]
            assert lines[: len(printed[command])] == printed[command], f"{command}\nprinted: {result.stdout}"
        if args[0] == "next" and "to_code.csv" in args:
            _fill_in(tmp_path / "to_code.csv", tmp_path / "examples" / "interviews" / "human_codes.csv")
