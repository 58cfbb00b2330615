"""qualcode.meta: the .meta.json beside every codings CSV, written and read in one place."""

from __future__ import annotations

import json

import pytest

import qualcode as qc
from qualcode.meta import meta_path, meta_text, read_meta, write_meta
from qualcode.workflows import corpus_for

from .conftest import FIXTURES


def test_meta_path_and_deterministic_text(tmp_path):
    assert meta_path(tmp_path / "coded.csv").name == "coded.meta.json"
    record = {"b": 1, "a": {"z": "é", "y": [1, 2]}}
    assert meta_text(record) == meta_text(dict(reversed(record.items())))
    assert meta_text(record).endswith("\n") and "é" in meta_text(record)
    written = write_meta(tmp_path / "coded.csv", record)
    assert json.loads(written.read_text(encoding="utf-8")) == record


def test_read_meta_gives_the_settings_and_inputs(tmp_path):
    write_meta(
        tmp_path / "c.csv",
        {"settings": {"segment_by": "sentence", "method": "keyword"}, "inputs": [{"path": "a.txt", "sha256": "x"}]},
    )
    meta = read_meta(tmp_path / "c.csv")
    assert meta is not None and meta.settings.segment_by == "sentence"
    assert [p.name for p in meta.inputs] == ["a.txt"]
    assert read_meta(tmp_path / "none.csv") is None


def test_a_damaged_record_is_a_clear_error(tmp_path):
    meta_path(tmp_path / "c.csv").write_text("{not json", encoding="utf-8")
    with pytest.raises(qc.InputFileError, match=r"c\.meta\.json: not a readable qualcode record"):
        read_meta(tmp_path / "c.csv")


def test_later_commands_read_a_table_corpus_as_tag_did(tmp_path):
    out = tmp_path / "coded.csv"
    qc.tag(
        FIXTURES / "survey.csv",
        "codebooks/caring_schools.yaml",
        out,
        method="keyword",
        text_column="answer",
        id_column="respondent",
    )
    meta = read_meta(out)
    assert meta is not None and meta.settings.text_column == "answer"
    corpus = corpus_for(out)  # no text_column given: the recorded one is used
    assert len(corpus.documents) == len(
        qc.read_transcripts(FIXTURES / "survey.csv", text_column="answer", id_column="respondent").documents
    )


def test_commands_run_from_another_folder_find_the_files_the_run_read(tmp_path, monkeypatch):
    """A record names its files as the run was given them, relative to the folder it ran in;
    `qualcode freq ../coded.csv` from a subfolder still finds the transcripts (shares over all
    segments, no warning) and the codebook (`next` without -c), and writes them as found."""
    import shutil

    from typer.testing import CliRunner

    from qualcode.cli import app

    from .conftest import CODEBOOK, EXAMPLES

    shutil.copytree(EXAMPLES, tmp_path / "interviews")
    shutil.copy(CODEBOOK, tmp_path / "book.yaml")
    monkeypatch.chdir(tmp_path)
    tagged = CliRunner().invoke(app, ["tag", "interviews", "-c", "book.yaml", "-o", "coded.csv", "--method", "keyword"])
    assert tagged.exit_code == 0, tagged.output
    (tmp_path / "analysis").mkdir()
    monkeypatch.chdir(tmp_path / "analysis")
    meta = read_meta("../coded.csv")
    assert meta.codebook_path() == "../book.yaml" and all(str(p).startswith("../interviews/") for p in meta.inputs)
    counted = CliRunner().invoke(app, ["freq", "../coded.csv", "-o", "freq.csv"])
    assert counted.exit_code == 0 and "warning" not in counted.output, counted.output
    chosen = CliRunner().invoke(app, ["next", "../coded.csv", "-n", "3", "-o", "to_code.csv"])
    said = " ".join(chosen.output.split())
    assert chosen.exit_code == 0 and "no such file" not in said and "not there any more" not in said, said
    assert read_meta("to_code.csv").codebook_path() == "../book.yaml"


def test_a_record_written_away_from_the_run_says_where_the_run_started(tmp_path, monkeypatch):
    """`tag interviews -o ../results/coded.csv`, then `freq` from a third folder: the record
    says where the run was started (relative to itself), so the transcripts and codebook are
    found there; a review written to a fourth folder keeps pointing at the same place."""
    import shutil

    from typer.testing import CliRunner

    from qualcode.cli import app

    from .conftest import CODEBOOK, EXAMPLES

    for name in ("project", "results", "elsewhere", "reviewed"):
        (tmp_path / name).mkdir()
    shutil.copytree(EXAMPLES, tmp_path / "project" / "interviews")
    shutil.copy(CODEBOOK, tmp_path / "project" / "book.yaml")
    monkeypatch.chdir(tmp_path / "project")
    tagged = CliRunner().invoke(
        app, ["tag", "interviews", "-c", "book.yaml", "-o", "../results/coded.csv", "--method", "keyword"]
    )
    assert tagged.exit_code == 0, tagged.output
    record = json.loads((tmp_path / "results" / "coded.meta.json").read_text(encoding="utf-8"))
    assert record["started_in"] == "../project"  # relative: no machine path in the record
    monkeypatch.chdir(tmp_path / "elsewhere")
    meta = read_meta("../results/coded.csv")
    assert meta.codebook_path() == "../project/book.yaml"
    assert meta.inputs and all(str(p).startswith("../project/interviews/") for p in meta.inputs)
    counted = CliRunner().invoke(app, ["freq", "../results/coded.csv", "-o", "freq.csv"])
    assert counted.exit_code == 0 and "warning" not in counted.output, counted.output
    reviewed = CliRunner().invoke(
        app, ["review", "../results/coded.csv", "--accept-above", "0.9", "-o", "../reviewed/coded.csv"]
    )
    assert reviewed.exit_code == 0, reviewed.output
    again = json.loads((tmp_path / "reviewed" / "coded.meta.json").read_text(encoding="utf-8"))
    assert again["started_in"] == "../project"
    monkeypatch.chdir(tmp_path)
    assert all(str(p).startswith("project/interviews/") for p in read_meta("reviewed/coded.csv").inputs)
    from qualcode.sources import changed_since

    edited = tmp_path / "project" / "interviews" / "d01_superintendent.txt"
    edited.write_text(
        edited.read_text(encoding="utf-8").replace("caring school", "caring  school", 1), encoding="utf-8"
    )
    corpus = qc.read_transcripts(tmp_path / "project" / "interviews")
    assert changed_since(corpus, "results/coded.csv") == [str(edited)]  # the recorded path, found where the run started
    monkeypatch.chdir(tmp_path / "elsewhere")
    counted = CliRunner().invoke(app, ["freq", "../results/coded.csv", "-o", "freq.csv"])
    said = " ".join(counted.output.split())  # the coded segments alone are counted, and why
    assert "d01_superintendent.txt: changed since ../results/coded.csv was made" in said, said


def test_two_tables_of_one_name_are_checked_where_the_run_read_them(tmp_path, monkeypatch):
    """Two waves' `answers.csv` in their folders: a file name two inputs have in common identifies
    neither, so an edited wave is found by its recorded path, read from where the run started,
    also when a later command runs from another folder (it was looked up from there, missed, and
    the edited answers' codings were counted as if their offsets still held)."""
    import pandas as pd
    from typer.testing import CliRunner

    from qualcode.cli import app

    from .conftest import CODEBOOK

    survey = pd.read_csv(FIXTURES / "survey.csv")
    for k, name in enumerate(("wave1", "wave2")):
        (tmp_path / "project" / name).mkdir(parents=True)
        part = survey.iloc[k * 2 : k * 2 + 2]
        part.to_csv(tmp_path / "project" / name / "answers.csv", index=False)
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "project")
    args = ["wave1/answers.csv", "wave2/answers.csv", "-c", str(CODEBOOK), "--text-column", "answer"]
    tagged = CliRunner().invoke(
        app, ["tag", *args, "--id-column", "respondent", "-o", "../coded.csv", "--method", "keyword"]
    )
    assert tagged.exit_code == 0, tagged.output
    edited = tmp_path / "project" / "wave2" / "answers.csv"
    edited.write_text(edited.read_text(encoding="utf-8").replace("meals", "meals and books", 1), encoding="utf-8")
    monkeypatch.chdir(tmp_path / "elsewhere")
    counted = CliRunner().invoke(app, ["freq", "../coded.csv", "-o", "freq.csv"])
    said = " ".join(counted.output.split())
    assert "wave2/answers.csv: changed since ../coded.csv was made" in said, said
    assert "wave1/answers.csv: changed" not in said


def test_the_run_folder_wins_over_a_copy_of_the_same_path_here(tmp_path, monkeypatch):
    """Two copies of a project (v1, v2) hold `interviews/…` alike: `freq ../v1/coded.csv` run
    in v2 read v2's transcripts (the path existed here), found them changed, and counted the
    coded segments only; the folder the run started in comes first."""
    import shutil

    from typer.testing import CliRunner

    from qualcode.cli import app

    from .conftest import CODEBOOK, EXAMPLES

    for name in ("v1", "v2"):
        shutil.copytree(EXAMPLES, tmp_path / name / "interviews")
    edited = tmp_path / "v2" / "interviews" / "d01_superintendent.txt"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nP01: One more thing.\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path / "v1")
    tagged = CliRunner().invoke(
        app, ["tag", "interviews", "-c", str(CODEBOOK), "-o", "coded.csv", "--method", "keyword"]
    )
    assert tagged.exit_code == 0, tagged.output
    monkeypatch.chdir(tmp_path / "v2")
    assert all(str(p).startswith("../v1/interviews/") for p in read_meta("../v1/coded.csv").inputs)
    counted = CliRunner().invoke(app, ["freq", "../v1/coded.csv", "-o", "freq.csv"])
    assert counted.exit_code == 0 and "warning" not in counted.output, counted.output
