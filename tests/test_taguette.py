"""qualcode.refi.taguette: a Taguette project's SQLite file read directly."""

from __future__ import annotations

import html
import re
import sqlite3

import pandas as pd
import pytest
from typer.testing import CliRunner

import qualcode as qc
from qualcode.cli import app

from .conftest import FIXTURES

SERDIF = FIXTURES / "taguette" / "SERDIF_P2_ThematicAnalysis.sqlite3"
SCHEMA = """
CREATE TABLE projects (id INTEGER PRIMARY KEY, name TEXT, description TEXT, created TEXT);
CREATE TABLE project_members (project_id INTEGER, user_login TEXT, privileges TEXT);
CREATE TABLE documents (id INTEGER PRIMARY KEY, name TEXT, description TEXT, filename TEXT, created TEXT,
                        project_id INTEGER, text_direction TEXT, contents TEXT);
CREATE TABLE tags (id INTEGER PRIMARY KEY, project_id INTEGER, path TEXT, description TEXT);
CREATE TABLE highlights (id INTEGER PRIMARY KEY, document_id INTEGER, start_offset INTEGER, end_offset INTEGER,
                         snippet TEXT);
CREATE TABLE highlight_tags (highlight_id INTEGER, tag_id INTEGER);
"""


def _plain(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


@pytest.fixture(scope="module")
def serdif():
    return qc.read_taguette(SERDIF)


def test_the_serdif_project_counts(serdif):
    assert len(serdif.corpus.documents) == 17
    assert serdif.codebook is not None and len(serdif.codebook.ids) == 22
    spans = serdif.codings.drop_duplicates(["doc_id", "start_char", "end_char", "code"])
    assert len(spans) == 1930  # 1,794 highlights, some with two or three tags
    assert serdif.codebook.get("moderator_assist").description.startswith("The moderator intervenes")
    assert set(serdif.codings["coder"]) == set(serdif.users["name"])
    assert all("cut at sentence ends" in line for line in serdif.warnings)  # long paragraphs, said


def test_every_highlight_lands_on_its_snippet(serdif):
    connection = sqlite3.connect(f"file:{SERDIF}?mode=ro", uri=True)
    snippets = sorted(
        _plain(row[0])
        for row in connection.execute(
            "SELECT h.snippet FROM highlights h JOIN highlight_tags t ON t.highlight_id = h.id"
        )
    )
    connection.close()
    spans = serdif.codings.drop_duplicates(["doc_id", "start_char", "end_char", "code"])
    ours = sorted(" ".join(text.split()) for text in spans["text"])
    assert ours == snippets


def test_multibyte_text_entities_and_line_breaks(tmp_path):
    path = tmp_path / "tiny.sqlite3"
    connection = sqlite3.connect(path)
    connection.executescript(SCHEMA)
    body = "<p>Caf\u00e9 \u2018talk\u2019 &amp; more.</p>\n<p>Second<br>line \U0001f600 here.</p>"
    text = "Caf\u00e9 \u2018talk\u2019 & more.\nSecondline \U0001f600 here."  # Taguette's text content
    target = "line \U0001f600 here"
    start = len(text[: text.index(target)].encode("utf-8"))
    end = start + len(target.encode("utf-8"))
    connection.execute("INSERT INTO projects VALUES (1, 'Tiny', '', '')")
    connection.execute("INSERT INTO project_members VALUES (1, 'ana', 'admin')")
    connection.execute(
        "INSERT INTO documents VALUES (1, 'one.html', '', 'one.html', '', 1, 'LEFT_TO_RIGHT', ?)", (body,)
    )
    connection.execute("INSERT INTO tags VALUES (1, 1, 'Feeling good', 'Joy.')")
    connection.execute("INSERT INTO highlights VALUES (1, 1, ?, ?, '')", (start, end))
    connection.execute("INSERT INTO highlight_tags VALUES (1, 1)")
    connection.commit()
    connection.close()
    project = qc.read_taguette(path, segment_by="paragraph")
    row = project.codings.iloc[0]
    assert row["text"] == target and row["code"] == "feeling_good" and row["coder"] == "ana"
    assert project.corpus.segments["text"].tolist()[0] == "Caf\u00e9 \u2018talk\u2019 & more."


def test_not_a_taguette_file(tmp_path):
    other = tmp_path / "other.sqlite3"
    sqlite3.connect(other).execute("CREATE TABLE x (a)").connection.close()
    with pytest.raises(qc.RefiError, match="not a Taguette project"):
        qc.read_taguette(other)
    text = tmp_path / "fake.sqlite3"
    text.write_text("hello", encoding="utf-8")
    with pytest.raises(qc.RefiError, match="not an SQLite file"):
        qc.read_taguette(text)


def test_import_command_writes_files_every_command_reads(tmp_path):
    out = tmp_path / "serdif"
    result = CliRunner().invoke(app, ["import", str(SERDIF), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "17 sources, 22 codes, 1930 codings (2427 rows in codings.csv" in result.output
    matrix = CliRunner().invoke(app, ["matrix", str(out / "codings.csv"), "-o", str(tmp_path / "m.csv")])
    assert matrix.exit_code == 0, matrix.output


@pytest.mark.model
def test_human_codes_on_interviewer_turns_survive_learning_runs(tmp_path):
    """SERDIF's coders coded the moderator's turns too: those human codes stay in the output
    (long and wide) though interviewer turns get no suggestions, and next never offers them."""
    from typer.testing import CliRunner

    from qualcode.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["import-refi", str(SERDIF), "-o", str(tmp_path / "serdif")])
    assert result.exit_code == 0, result.output
    sources = sorted((tmp_path / "serdif" / "sources").glob("P1[01]_*.txt"))
    corpus = qc.read_transcripts(sources)
    codings = pd.read_csv(tmp_path / "serdif" / "codings.csv", keep_default_na=False)
    human = codings[codings["doc_id"].isin(set(corpus.segments["doc_id"]))]
    human = human[["doc_id", "start_char", "end_char", "code", "coder"]].drop_duplicates()
    human.to_csv(tmp_path / "human.csv", index=False)
    mapped = qc.map_to_segments(qc.read_codings(tmp_path / "human.csv"), corpus.segments)
    mapped = mapped.drop_duplicates(["doc_id", "segment_id", "code"])
    moderator = corpus.segments.set_index(["doc_id", "segment_id"])["is_interviewer"]
    on_moderator = int(moderator.loc[list(zip(mapped["doc_id"], mapped["segment_id"], strict=True))].sum())
    assert on_moderator >= 5  # the real project codes some of the moderator's lines (8 in P10)
    book = str(tmp_path / "serdif" / "codebook.yaml")
    inputs = [str(p) for p in sources]
    for fmt in ("long", "wide"):
        out = tmp_path / f"coded_{fmt}.csv"
        args = ["tag", *inputs, "-c", book, "--train", str(tmp_path / "human.csv"), "-o", str(out), "--format", fmt]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        table = pd.read_csv(out, keep_default_na=False)
        kinds = moderator.loc[list(zip(table["doc_id"], table["segment_id"], strict=True))].to_numpy()
        if fmt == "long":
            rows = table[table["method"] == "human"]  # every highlight at its own passage, on its segments
            key = ["doc_id", "start_char", "end_char", "code", "coder"]
            assert set(map(tuple, rows[key].astype(str).values)) == set(map(tuple, human[key].astype(str).values))
            pairs = set(zip(rows["doc_id"], rows["segment_id"], rows["code"], strict=True))
            assert pairs == set(zip(mapped["doc_id"], mapped["segment_id"], mapped["code"], strict=True))
            assert (table.loc[kinds, "method"] == "human").all()  # no suggestion on a moderator turn
            assert int(kinds.sum()) == on_moderator
        else:  # one row per segment: the moderator's turns that hold human codes, with them
            codes = table.columns[table.columns.get_loc("text") + 1 :]
            held = (table.loc[kinds, codes] != "").to_numpy().sum()
            assert held == on_moderator
