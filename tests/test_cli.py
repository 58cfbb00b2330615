from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

import qualcode as qc
from qualcode.cli import app

from .conftest import CODEBOOK, EXAMPLES, FIXTURES, PARTICIPANTS

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def tag_args(out, *extra):
    return ("tag", EXAMPLES, "-c", CODEBOOK, "-o", out, "--metadata", PARTICIPANTS, "--method", "keyword", *extra)


def test_tag_examples_end_to_end(tmp_path):
    out = tmp_path / "coded.csv"
    result = run(*tag_args(out))
    assert result.exit_code == 0, result.output
    assert "suggestions of" in result.output and str(out) in result.output
    coded = pd.read_csv(out, keep_default_na=False)
    assert len(coded) > 50
    assert (coded["role"] != "").all() and (coded["district"] != "").all()
    for column in (
        "doc_id",
        "segment_id",
        "speaker",
        "start_char",
        "end_char",
        "code",
        "score",
        "method",
        "evidence",
        "text",
        "participant",
    ):
        assert column in coded.columns
    assert set(coded["method"]) == {"keyword"}
    meta = json.loads((tmp_path / "coded.meta.json").read_text(encoding="utf-8"))
    assert meta["settings"]["method"] == "keyword"
    assert len(meta["codebook"]["sha256"]) == 64
    assert len(meta["inputs"]) == 9 and all(len(i["sha256"]) == 64 for i in meta["inputs"])
    assert meta["models"]["keyword"]["spacy_model"].startswith("en_core_web_sm")


def test_tag_is_deterministic(tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    assert run(*tag_args(first)).exit_code == 0
    assert run(*tag_args(second)).exit_code == 0
    assert first.read_bytes() == second.read_bytes()


def test_wide_format(tmp_path):
    out = tmp_path / "wide.csv"
    result = run(*tag_args(out, "--format", "wide"))
    assert result.exit_code == 0, result.output
    wide = pd.read_csv(out)
    assert {"systemic_supports", "covid_lessons", "improvement_science"} <= set(wide.columns)
    assert wide[["doc_id", "segment_id"]].duplicated().sum() == 0
    assert wide["covid_lessons"].notna().sum() >= 4


def tag_table(path, out, *extra):
    """`qualcode tag` on a survey table (text in `answer`, ids in `respondent`)."""
    return run("tag", path, "-c", CODEBOOK, "-o", out, "--text-column", "answer", "--id-column", "respondent", *extra)


def test_survey_csv_with_columns(tmp_path):
    out = tmp_path / "survey_coded.csv"
    result = tag_table(FIXTURES / "survey.csv", out, "--method", "keyword")
    assert result.exit_code == 0, result.output
    coded = pd.read_csv(out)
    assert set(coded["doc_id"]) <= {"R1", "R2", "R4"} and "role" in coded.columns


def test_validate_ok_and_bad(tmp_path):
    ok = run("validate", CODEBOOK)
    assert ok.exit_code == 0 and "valid: 14 codes" in ok.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ncodes:\n  - id: A\n    label: a\n  - id: b\n", encoding="utf-8")
    result = run("validate", bad)
    assert result.exit_code == 2
    assert "codes[0].id: id 'A' is not snake_case" in result.output
    assert "codes[1].label: required field is missing" in result.output
    assert "Traceback" not in result.output


def test_version_and_help():
    assert run("--version").output.startswith("qualcode ")
    for command in ("tag", "validate"):
        result = run(command, "--help")
        assert result.exit_code == 0 and "Usage" in result.output


def _bad_codebook(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\ncodes:\n  - id: ok\n    label: [\n", encoding="utf-8")
    return path


def _schema_codebook(tmp_path):
    path = tmp_path / "schema.yaml"
    path.write_text("name: x\ncodes:\n  - id: ok\n    labels: y\n", encoding="utf-8")
    return path


def _no_key_metadata(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("file,role\na,b\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("missing_input", "no such file or folder"),
        ("unsupported", "x.key: unsupported file type '.key'"),
        ("recording", "x.m4a: a recording, not a transcript; transcribe it first"),
        ("old_format", "x.pages: qualcode does not read an Apple Pages file: export it as Word (.docx)"),
        ("broken_pdf", "x.pdf: not a readable PDF"),
        ("empty", "file is empty"),
        ("binary", "binary"),
        ("undecodable", "not UTF-8 text"),
        ("invalid_yaml", "invalid YAML"),
        ("schema", "codes[0].labels: unknown field"),
        ("metadata_key", "no column 'doc_id' to join on"),
        ("text_column", "no column 'essay'"),
        ("output_dir", "does not exist"),
        ("method", "--method 'magic' is not one of: keyword, embedding, hybrid, classifier"),
        ("train_transcript", "no comments on its text; code a Word transcript by commenting each passage"),
        ("metadata_codebook", "expected a participants table (.csv, .tsv or .xlsx), not a .yaml file"),
    ],
)
def test_bad_input_is_one_clear_line(tmp_path, case, message):
    out = tmp_path / "out.csv"
    args: list = ["tag", FIXTURES / "labels_colon.txt", "-c", CODEBOOK, "-o", out, "--method", "keyword"]
    if case == "missing_input":
        args[1] = tmp_path / "nowhere"
    elif case == "unsupported":
        (tmp_path / "x.key").write_bytes(b"PK\x03\x04")
        args[1] = tmp_path / "x.key"
    elif case == "recording":
        (tmp_path / "x.m4a").write_bytes(b"\x00\x00\x00\x20ftypM4A ")
        args[1] = tmp_path / "x.m4a"
    elif case == "old_format":
        (tmp_path / "x.pages").write_bytes(b"PK\x03\x04")
        args[1] = tmp_path / "x.pages"
    elif case == "broken_pdf":
        (tmp_path / "x.pdf").write_bytes(b"%PDF-1.4")
        args[1] = tmp_path / "x.pdf"
    elif case in ("empty", "binary", "undecodable"):
        args[1] = FIXTURES / f"{case}.txt"
    elif case == "invalid_yaml":
        args[3] = _bad_codebook(tmp_path)
    elif case == "schema":
        args[3] = _schema_codebook(tmp_path)
    elif case == "metadata_key":
        args += ["--metadata", _no_key_metadata(tmp_path)]
    elif case == "text_column":
        args[1] = FIXTURES / "survey.csv"
        args += ["--text-column", "essay"]
    elif case == "output_dir":
        args[5] = tmp_path / "no" / "such" / "dir" / "out.csv"
    elif case == "method":
        args[-1] = "magic"
    elif case == "train_transcript":  # the arguments mixed up
        args = [*args[:-2], "--train", EXAMPLES / "d01_student_services.docx"]
    elif case == "metadata_codebook":
        args += ["--metadata", CODEBOOK]
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert "Traceback" not in result.output
    assert not out.exists() and not (tmp_path / "out.meta.json").exists()


def test_unwritable_output(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        result = run(
            "tag", FIXTURES / "labels_colon.txt", "-c", CODEBOOK, "-o", locked / "o.csv", "--method", "keyword"
        )
        import os

        if os.geteuid() == 0:  # root writes anywhere; a folder given as the file is still refused
            result = run("tag", FIXTURES / "labels_colon.txt", "-c", CODEBOOK, "-o", locked, "--method", "keyword")
            assert "is a folder" in result.output
        else:
            assert "not writable" in result.output
        assert result.exit_code == 2
    finally:
        locked.chmod(0o700)


def test_a_table_named_other_than_csv_is_refused_before_it_replaces_a_record(tmp_path):
    """`-o coded.xlsx` wrote CSV text Excel refuses, and its `coded.meta.json` replaced the
    record of the `coded.csv` beside it; every command that writes a table now refuses it."""
    out = tmp_path / "coded.csv"
    assert run(*tag_args(out)).exit_code == 0
    record = (tmp_path / "coded.meta.json").read_bytes()
    for args in (
        tag_args(tmp_path / "coded.xlsx"),
        ("review", out, "--accept-above", "0.6", "-o", tmp_path / "coded.xlsx"),
        ("freq", out, "-o", tmp_path / "freq.txt"),
        ("matrix", out, "-o", tmp_path / "matrix"),
        ("evaluate", out, "--gold", EXAMPLES / "human_codes.csv", "-o", tmp_path / "e.tsv"),
    ):
        result = run(*args)
        said = " ".join(result.output.split())
        assert result.exit_code == 2 and "qualcode writes this table as CSV" in said and "name the output" in said, args
    # `next` writes .csv or .xlsx, but not a sheet whose record is that of the codings beside it
    sheet = run("next", "-i", EXAMPLES, "-c", CODEBOOK, "-o", tmp_path / "coded.xlsx")
    said = " ".join(sheet.output.split())
    assert sheet.exit_code == 2 and "its record coded.meta.json is that of coded.csv beside it" in said
    other = run("next", "-i", EXAMPLES, "-c", CODEBOOK, "-o", tmp_path / "coded.txt")
    assert other.exit_code == 2 and "written as .csv or .xlsx" in " ".join(other.output.split())
    assert (tmp_path / "coded.meta.json").read_bytes() == record
    assert sorted(p.name for p in tmp_path.iterdir()) == ["coded.csv", "coded.meta.json"]
    with pytest.raises(qc.OutputError, match=r"name the output coded\.csv"):
        qc.tag(EXAMPLES, CODEBOOK, output=tmp_path / "coded.xlsx", method="keyword")


def test_failed_run_keeps_previous_output(tmp_path):
    out = tmp_path / "coded.csv"
    out.write_text("previous results\n", encoding="utf-8")
    result = run("tag", FIXTURES / "empty.txt", "-c", CODEBOOK, "-o", out, "--method", "keyword")
    assert result.exit_code == 2
    assert out.read_text(encoding="utf-8") == "previous results\n"


def test_python_dash_m(tmp_path):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "qualcode", "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and result.stdout.startswith("qualcode ")


@pytest.mark.model
def test_tag_default_is_hybrid_with_cache(tmp_path):
    out = tmp_path / "hybrid.csv"
    cache = tmp_path / "cache"
    args = ("tag", EXAMPLES, "-c", CODEBOOK, "-o", out, "--metadata", PARTICIPANTS, "--cache", cache)
    result = run(*args)
    assert result.exit_code == 0, result.output
    coded = pd.read_csv(out, keep_default_na=False)
    assert set(coded["method"]) == {"hybrid"} and coded["score"].min() >= 0.4
    assert (coded["role"] != "").all() and (coded["district"] != "").all()
    assert (cache / "embeddings.sqlite3").exists()
    meta = json.loads((tmp_path / "hybrid.meta.json").read_text(encoding="utf-8"))
    assert meta["settings"]["min_score"] is None and meta["settings"]["min_score_used"] == 0.4
    assert meta["models"]["embedding"]["encoder"].startswith("onnx-int8/all-MiniLM-L6-v2@")  # the default
    assert meta["settings"]["encoder"] == "onnx"
    assert meta["models"]["hybrid"]["keyword_weight"] == 0.6
    again = tmp_path / "again.csv"
    assert run(*args[:5], again, *args[6:]).exit_code == 0
    assert again.read_bytes() == out.read_bytes()


@pytest.mark.model
def test_tag_no_cache_and_bad_model(tmp_path):
    out = tmp_path / "e.csv"
    result = run(
        "tag",
        FIXTURES / "labels_colon.txt",
        "-c",
        CODEBOOK,
        "-o",
        out,
        "--method",
        "embedding",
        "--no-cache",
        "--min-score",
        "0.05",
    )
    assert result.exit_code == 0, result.output
    assert set(pd.read_csv(out)["method"]) == {"embedding"}
    bad = run(
        "tag", FIXTURES / "labels_colon.txt", "-c", CODEBOOK, "-o", tmp_path / "x.csv", "--model", tmp_path / "nope"
    )
    assert bad.exit_code == 2 and "embedding model folder not found" in bad.output
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.model
def test_tag_with_training(tmp_path):
    out = tmp_path / "trained.csv"
    train = EXAMPLES / "human_codes_d01.csv"
    result = run("tag", EXAMPLES, "-c", CODEBOOK, "-o", out, "--metadata", PARTICIPANTS, "--train", train)
    assert result.exit_code == 0, result.output
    # codes with fewer than 2 examples keep their zero-shot scores, and say so
    assert "too few human examples (< 2)" in result.output and "[classifier]" in result.output
    coded = pd.read_csv(out)
    assert (coded["method"] == "human").sum() == len(pd.read_csv(train))
    suggested = int((coded["method"] != "human").sum())  # human codes are counted apart, not as suggestions
    assert f"{suggested} suggestions and {len(pd.read_csv(train))} human codes kept of" in result.output
    meta = json.loads((tmp_path / "trained.meta.json").read_text(encoding="utf-8"))
    assert meta["settings"]["method"] == "classifier" and "classifier" in meta["models"]
    # how well the learned model agreed with the human codes, out of fold, said with the run
    kappa = meta["models"]["classifier"]["cv_kappa"]
    said = " ".join(result.output.split())
    own = sum(1 for info in meta["models"]["classifier"]["learned"].values() if info["models"])
    coded = meta["models"]["classifier"]["coded_segments"]  # d01's segments, interviewer turns too
    turns = meta["models"]["classifier"]["coded_interviewer_turns"]  # said apart: "28 scored" is another count
    assert turns == 14 and coded == 28
    assert (
        f"note: learned: {own} codes with models of their own, cross-validated on the {coded} training segments, "
        f"{turns} of them interviewer turns (each document's" in said
    )
    assert f"mean kappa {kappa:.2f} against the human codes" in said and "up to 0.12 above" in said
    other = tmp_path / "keyword.csv"  # a method that does not learn is not replaced without a word
    refused = run("tag", EXAMPLES, "-c", CODEBOOK, "-o", other, "--train", train, "--method", "keyword")
    assert refused.exit_code == 2 and "does not learn from human codes" in refused.output and not other.exists()
    assert meta["settings"]["method_ran"] == "classifier"
    one = tmp_path / "one.csv"
    one.write_text(
        train.read_text(encoding="utf-8").splitlines()[0]
        + "\n"
        + train.read_text(encoding="utf-8").splitlines()[1]
        + "\n",
        encoding="utf-8",
    )
    fell_back = run("tag", EXAMPLES, "-c", CODEBOOK, "-o", tmp_path / "one_out.csv", "--train", one)
    assert fell_back.exit_code == 0, fell_back.output
    assert "[hybrid]" in fell_back.output  # every code fell back: the summary does not claim [classifier]
    assert "note: learned from" not in fell_back.output  # nothing was learned
    bad = tmp_path / "bad_train.csv"
    bad.write_text("doc_id,start_char,end_char,code\nghost,0,5,personnel\n", encoding="utf-8")
    failed = run("tag", EXAMPLES, "-c", CODEBOOK, "-o", tmp_path / "x.csv", "--train", bad)
    assert failed.exit_code == 2 and "document 'ghost' is not among the inputs" in failed.output
    assert not (tmp_path / "x.csv").exists()


def test_old_option_spellings_still_work_with_a_warning(tmp_path):
    out = tmp_path / "old.csv"
    result = run(
        "tag", FIXTURES / "labels_colon.txt", "-c", CODEBOOK, "-o", out, "--method", "keyword", "--unit", "sentence"
    )
    assert result.exit_code == 0, result.output
    assert "warning: --unit is deprecated" in result.output and "use --segment-by" in result.output
    assert json.loads((tmp_path / "old.meta.json").read_text(encoding="utf-8"))["settings"]["segment_by"] == "sentence"
    table = tmp_path / "m.csv"
    tidy = run("matrix", out, "-o", table, "--format", "tidy")
    assert tidy.exit_code == 0, tidy.output
    assert "code_a" in table.read_text(encoding="utf-8").splitlines()[0]


@pytest.mark.model
def test_interviewer_turns_the_coders_coded_are_counted_as_learned_from(tmp_path):
    """An interviewer turn with a human code is learned from and counted among the run's
    "learned from"; the note says how many such turns there are, so the counts add up."""
    segments = qc.read_transcripts(EXAMPLES / "d01_superintendent.txt").segments
    asked = segments[segments["is_interviewer"]].iloc[1]
    train = tmp_path / "codes.csv"
    codes = pd.read_csv(EXAMPLES / "human_codes_d01.csv")
    row = {"doc_id": asked["doc_id"], "start_char": asked["start_char"], "end_char": asked["end_char"]}
    pd.concat([codes, pd.DataFrame([{**row, "code": "growth_area", "coder": "coder_a"}])]).to_csv(train, index=False)
    out = tmp_path / "coded.csv"
    result = run("tag", EXAMPLES, "-c", CODEBOOK, "-o", out, "--metadata", PARTICIPANTS, "--train", train)
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    meta = json.loads((tmp_path / "coded.meta.json").read_text(encoding="utf-8"))["models"]["classifier"]
    assert (meta["coded_segments"], meta["coded_interviewer_turns"], meta["interviewer_turns_with_codes"]) == (
        28,
        14,
        1,
    )
    assert "cross-validated on the 28 training segments, 14 of them interviewer turns, 1 with codes (" in said
    assert ", 15 learned from)" in said  # d01's 14 participant turns and the coded interviewer turn


@pytest.mark.model
def test_a_run_that_learned_nothing_does_not_say_it_learned_from_its_coded_segments(tmp_path):
    """One human code: every code falls back to the hybrid matcher, and the summary said
    `(37 scored, 5 learned from)` beside `[hybrid]`."""
    train = tmp_path / "one.csv"
    pd.read_csv(EXAMPLES / "human_codes_d01.csv").iloc[:1].to_csv(train, index=False)
    result = run("tag", EXAMPLES, "-c", CODEBOOK, "-o", tmp_path / "coded.csv", "--train", train)
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "to learn from: every suggestion comes from the hybrid matcher" in said
    assert "hand-coded, not scored)" in said and "learned from)" not in said and "[hybrid]" in said


@pytest.mark.model
def test_a_coded_spreadsheet_trains_through_its_codes_column(tmp_path):
    rows = [(f"R{i:02d}", f"We hired {i} more counselors for the schools.", "personnel") for i in range(10)]
    rows += [
        (f"R{10 + i:02d}", f"During the pandemic, {i} families lost internet access.", "covid_lessons")
        for i in range(10)
    ]
    rows += [(f"R{20 + i:02d}", f"Answer {i}: we hired a nurse and a psychologist.", "") for i in range(3)]
    table = pd.DataFrame(rows, columns=["respondent", "answer", "human codes"])
    path = tmp_path / "coded_survey.csv"
    table.to_csv(path, index=False)
    out = tmp_path / "out.csv"
    result = tag_table(path, out, "--codes-column", "human codes")
    assert result.exit_code == 0, result.output
    coded = pd.read_csv(out, keep_default_na=False)
    assert (coded["method"] == "human").sum() == 20 and set(coded.loc[coded["method"] == "human", "coder"]) == {
        "human codes"
    }
    new = coded[coded["doc_id"].isin(["R20", "R21", "R22"])]
    assert "personnel" in set(new["code"])  # learned from the spreadsheet's own codes
    meta = json.loads((tmp_path / "out.meta.json").read_text(encoding="utf-8"))
    assert meta["settings"]["codes_column"] == "human codes" and meta["settings"]["method"] == "classifier"
    table.loc[0, "human codes"] = "hiring"
    table.to_csv(path, index=False)
    bad = run(
        "tag",
        path,
        "-c",
        CODEBOOK,
        "-o",
        tmp_path / "x.csv",
        "--text-column",
        "answer",
        "--id-column",
        "respondent",
        "--codes-column",
        "human codes",
    )
    assert bad.exit_code == 2 and "'hiring' is not in codebook" in bad.output


def test_table_rows_keep_their_own_columns_as_segment_metadata(tmp_path):
    table = pd.DataFrame(
        {
            "Turn": [1, 2, 3],
            "Speaker": ["T", "S1", "T"],
            "Sentence": ["Why?", "Because.", "Who agrees?"],
            "Lesson": ["L1"] * 3,
        }
    )
    path = tmp_path / "lesson.csv"
    table.to_csv(path, index=False)
    corpus = qc.read_transcripts(path, text_column="Sentence", speaker_column="Speaker", segment_by="turn")
    assert corpus.segments["Turn"].tolist() == ["1", "2", "3"] and corpus.segments["Lesson"].tolist() == ["L1"] * 3


@pytest.mark.model
def test_the_torch_encoder_is_one_option_away(tmp_path):
    out = tmp_path / "t.csv"
    args = ["tag", FIXTURES / "labels_colon.txt", "-c", CODEBOOK, "-o", out, "--method", "embedding"]
    result = run(*args, "--encoder", "torch", "--min-score", "0.05", "--no-cache")
    assert result.exit_code == 0, result.output
    meta = json.loads((tmp_path / "t.meta.json").read_text(encoding="utf-8"))
    assert meta["settings"]["encoder"] == "torch"
    assert meta["models"]["embedding"]["encoder"].startswith("sentence-transformers/all-MiniLM-L6-v2@")
    bad = run(*args[:5], tmp_path / "x.csv", "--encoder", "tensorflow")
    assert bad.exit_code == 2 and "encoder 'tensorflow' is not one of: onnx, torch" in bad.output


def test_a_survey_s_questions_tagged_together_and_a_code_kept_to_one(tmp_path):
    """`--text-column` twice: each answer a segment of its respondent, the question its
    speaker; a code limited to one question is suggested on its answers only; `next` reads
    the table as the run did, from the record."""
    survey = tmp_path / "survey.csv"
    pd.DataFrame(
        {
            "respondent": ["R1", "R2", "R3"],
            "role": ["teacher", "principal", "teacher"],
            "helped": ["They hired a counselor.", "More time to plan helped.", "Nothing."],
            "next": ["Hire a counselor for the high school.", "Give us time.", "Time, and a counselor."],
        }
    ).to_csv(survey, index=False)
    book = tmp_path / "book.yaml"
    book.write_text(
        "name: survey\ncodes:\n"
        "  - id: staffing\n    label: Staffing\n    keywords: [counselor, hired]\n"
        "    applies_to: {speaker: [helped]}\n"
        "  - id: time\n    label: Time\n    keywords: [time]\n",
        encoding="utf-8",
    )
    out = tmp_path / "coded.csv"
    args = ["tag", str(survey), "-c", str(book), "-o", str(out), "--method", "keyword"]
    result = CliRunner().invoke(app, [*args, "--text-column", "helped", "--text-column", "next"])
    assert result.exit_code == 0, result.output
    assert "3 documents, 6 segments" in result.output
    rows = pd.read_csv(out, keep_default_na=False)
    staffing = rows[rows["code"] == "staffing"]
    assert set(staffing["speaker"]) == {"helped"} and set(staffing["doc_id"]) == {"R1"}
    assert set(rows.loc[rows["code"] == "time", "speaker"]) == {"helped", "next"}
    assert (rows["role"] != "").all()
    assert json.loads((tmp_path / "coded.meta.json").read_text())["settings"]["text_column"] == ["helped", "next"]
    sheet = tmp_path / "sheet.csv"
    chosen = CliRunner().invoke(app, ["next", str(out), "-n", "6", "-o", str(sheet)])
    assert chosen.exit_code == 0, chosen.output
    assert sorted(pd.read_csv(sheet)["speaker"]) == ["helped"] * 3 + ["next"] * 3


def test_tag_names_a_speaker_who_asks_and_is_not_named_an_interviewer(tmp_path):
    """An Otter.ai export whose interviewer is ``Speaker 1``: tag says so with the option to
    give; with it, those turns get no suggestions."""
    path = tmp_path / "otter.txt"
    path.write_text(
        "Speaker 1  0:02\nHow do you support principals? What about counselors?\n\n"
        "Sam Ortiz  0:09\nI check in with every principal on Friday. We hired a social worker.\n\n"
        "Speaker 1  0:40\nAnd how do principals know what you expect?\n\n"
        "Sam Ortiz  0:48\nOur MTSS team meets weekly with every school.\n",
        encoding="utf-8",
    )
    out = tmp_path / "coded.csv"
    result = run("tag", path, "-c", CODEBOOK, "-o", out, "--method", "keyword")
    assert result.exit_code == 0, result.output
    assert "--interviewer 'Speaker 1'" in " ".join(result.output.split())
    named = tmp_path / "named.csv"
    result = run("tag", path, "-c", CODEBOOK, "-o", named, "--method", "keyword", "--interviewer", "Speaker 1")
    assert result.exit_code == 0, result.output
    assert "--interviewer 'Speaker 1'" not in " ".join(result.output.split())
    coded = pd.read_csv(named, keep_default_na=False)
    assert len(coded) and set(coded["speaker"]) == {"Sam Ortiz"}


def test_a_survey_without_a_text_column_names_the_column_of_answers(tmp_path):
    """A Google Forms export names its columns by the questions: no column is called text or
    answer. The error names the column whose cells hold the most words, quoted for the shell."""
    path = tmp_path / "forms.csv"
    path.write_text(
        "Timestamp,Email Address,What is your role?,How does the district support caring?,Anything else?\n"
        '2026/03/01 10:02:03 AM GMT-5,a@x.org,Principal,"We hired two counselors, and the district checks in.",No\n'
        '2026/03/01 11:12:03 AM GMT-5,b@x.org,Teacher,"Honestly, not much. We get emails about it.",\n',
        encoding="utf-8",
    )
    result = run("tag", path, "-c", CODEBOOK, "-o", tmp_path / "out.csv", "--method", "keyword")
    assert result.exit_code != 0 and "Traceback" not in result.output
    message = " ".join(result.output.split())
    assert "no text column found" in message
    assert "pass --text-column 'How does the district support caring?' (its cells hold the most words)" in message
    assert not (tmp_path / "out.csv").exists()
