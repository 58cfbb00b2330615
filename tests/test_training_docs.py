"""tag --train with human codes made on transcripts that are not among the inputs: the
training file's .meta.json names them; they teach and are not scored or written."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from qualcode.cli import app

from .conftest import CODEBOOK, EXAMPLES

runner = CliRunner()


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


@pytest.mark.model
def test_hand_coded_transcripts_kept_apart_still_teach(tmp_path):
    """A researcher keeps the interviews they coded apart from the new ones and runs
    `tag new/ --train coded.csv`: it stopped ("document 'd01_superintendent' is not among the
    inputs"). The transcripts coded.csv's record names are read and teach as when given: the
    new interviews get the same suggestions, to the last digit, as in a run over all of them."""
    interviews = tmp_path / "interviews"
    shutil.copytree(EXAMPLES, interviews)
    everything = tmp_path / "all.csv"
    first = run("tag", interviews, "-c", CODEBOOK, "--train", interviews / "human_codes_d01.csv", "-o", everything)
    assert first.exit_code == 0, first.output
    # district 1's participant turns are learned from, not scored; the summary counts them apart
    coded_rows = pd.read_csv(everything, keep_default_na=False)
    flat = " ".join(first.output.split())
    assert "84 segments (28 scored, 14 learned from)" in flat, flat  # 42 participant turns, 14 of district 1
    assert not coded_rows[coded_rows["doc_id"].str.startswith("d01_")]["method"].ne("human").any()
    new = tmp_path / "new"
    new.mkdir()
    for path in sorted(EXAMPLES.glob("d0*")):
        if not path.name.startswith("d01_"):  # the three interviews of district 1 were coded by hand
            shutil.copy(path, new / path.name)
    out = tmp_path / "new_coded.csv"
    second = run("tag", new, "-c", CODEBOOK, "--train", everything, "-o", out)
    assert second.exit_code == 0, second.output
    assert "learned also from hand-coded transcripts that are not among the inputs (3 from" in second.output
    assert "[classifier]" in second.output
    assert "(28 scored):" in " ".join(second.output.split())  # the learned-from transcripts are not inputs
    assert "cross-validated on the 28 training segments" in " ".join(second.output.split())  # theirs, not 0
    record = json.loads((tmp_path / "new_coded.meta.json").read_text(encoding="utf-8"))
    taught = sorted(Path(item["path"]).name for item in record["training_transcripts"])
    assert taught == ["d01_assistant_superintendent.vtt", "d01_student_services.docx", "d01_superintendent.txt"]
    assert not any(Path(item["path"]).name.startswith("d01_") for item in record["inputs"])
    before = pd.read_csv(everything, keep_default_na=False)
    after = pd.read_csv(out, keep_default_na=False)
    assert not after["doc_id"].str.startswith("d01_").any()  # taught, not written
    assert (after["method"] != "human").all()
    columns = ["doc_id", "segment_id", "code", "score", "evidence"]
    expected = before[~before["doc_id"].str.startswith("d01_") & (before["method"] != "human")][columns]
    assert len(expected) > 10
    pd.testing.assert_frame_equal(after[columns].reset_index(drop=True), expected.reset_index(drop=True))

    # next, too: it learns from them and chooses only among the new interviews
    sheet = tmp_path / "sheet.csv"
    chosen = run("next", everything, "-i", new, "-n", "4", "-o", sheet)
    assert chosen.exit_code == 0, chosen.output
    assert "not among the inputs (3 from" in chosen.output and "none is chosen" in chosen.output
    picked = pd.read_csv(sheet, keep_default_na=False)
    assert len(picked) == 4 and not picked["doc_id"].str.startswith("d01_").any()
    assert "useful" in set(picked["chosen"])  # a model was learned: half the sheet is likely examples
    sheet_record = json.loads((tmp_path / "sheet.meta.json").read_text(encoding="utf-8"))
    assert len(sheet_record["training_transcripts"]) == 3

    # the transcript edited since the codes were made: their offsets would point at other words
    d01 = interviews / "d01_superintendent.txt"
    d01.write_text("Interviewer: Hello.\n" + d01.read_text(encoding="utf-8"), encoding="utf-8")
    edited = run("tag", new, "-c", CODEBOOK, "--train", everything, "-o", tmp_path / "edited.csv")
    assert edited.exit_code == 2, edited.output
    assert "d01_superintendent.txt: changed since" in edited.output and "restore the file" in edited.output
    assert not (tmp_path / "edited.csv").exists()

    # gone, and no record names it: the line names the document and the fix
    shutil.rmtree(interviews)
    lost = run("tag", new, "-c", CODEBOOK, "--train", everything, "-o", tmp_path / "lost.csv")
    assert lost.exit_code == 2, lost.output
    assert "document 'd01_assistant_superintendent' (nor 2 more) is not among the inputs" in lost.output
    assert "give the transcripts these codes were made on as inputs too" in lost.output
    assert not (tmp_path / "lost.csv").exists()


@pytest.mark.model
def test_suggest_takes_the_hand_coded_transcripts_given(codebook):
    """qc.suggest(..., training_documents=corpus): the same suggestions on the new interviews as
    when the hand-coded ones are among the segments; a document in both counts once."""
    import qualcode as qc

    human = qc.read_codings(EXAMPLES / "human_codes_d01.csv")
    everything = qc.read_transcripts(EXAMPLES)
    coded = qc.read_transcripts(sorted(EXAMPLES.glob("d01_*")))
    rest = everything.segments[~everything.segments["doc_id"].str.startswith("d01_")].reset_index(drop=True)
    together = qc.suggest(everything, codebook, training=human, cache=None)
    apart = qc.suggest(rest, codebook, training=human, training_documents=coded, cache=None)
    overlapping = qc.suggest(everything, codebook, training=human, training_documents=coded, cache=None)
    columns = ["doc_id", "segment_id", "code", "score"]
    expected = together[~together["doc_id"].str.startswith("d01_")][columns].reset_index(drop=True)
    pd.testing.assert_frame_equal(apart[columns].reset_index(drop=True), expected)
    pd.testing.assert_frame_equal(overlapping[columns], together[columns])


@pytest.mark.model
def test_a_coded_survey_table_kept_apart_teaches_the_new_answers(tmp_path):
    """Survey answers coded in a spreadsheet column, and new answers in another file: the
    coded table, named by the first run's record, teaches the second run as it teaches a run
    over one table holding both (same suggestions on the new answers)."""
    table = pd.read_csv(EXAMPLES.parent / "survey" / "coded_answers.csv", dtype=str, keep_default_na=False)
    coded, new = table.iloc[:12], table.iloc[12:].assign(**{"my codes": ""})
    coded.to_csv(tmp_path / "coded.csv", index=False)
    new.drop(columns=["my codes"]).to_csv(tmp_path / "new.csv", index=False)
    pd.concat([coded, new]).to_csv(tmp_path / "both.csv", index=False)
    columns = ("--text-column", "answer", "--id-column", "respondent")
    first = run(
        "tag",
        tmp_path / "coded.csv",
        "-c",
        CODEBOOK,
        "-o",
        tmp_path / "first.csv",
        *columns,
        "--codes-column",
        "my codes",
    )
    assert first.exit_code == 0, first.output
    second = run(
        "tag",
        tmp_path / "new.csv",
        "-c",
        CODEBOOK,
        "-o",
        tmp_path / "second.csv",
        *columns,
        "--train",
        tmp_path / "first.csv",
    )
    assert second.exit_code == 0, second.output
    assert "not among the inputs (12 from" in second.output
    together = run(
        "tag",
        tmp_path / "both.csv",
        "-c",
        CODEBOOK,
        "-o",
        tmp_path / "together.csv",
        *columns,
        "--codes-column",
        "my codes",
    )
    assert together.exit_code == 0, together.output
    after = pd.read_csv(tmp_path / "second.csv", keep_default_na=False)
    both = pd.read_csv(tmp_path / "together.csv", keep_default_na=False)
    assert set(after["doc_id"]) <= set(new["respondent"]) and len(after) > 5
    keep = ["doc_id", "segment_id", "code", "score"]
    expected = both[both["doc_id"].isin(set(new["respondent"]))][keep].reset_index(drop=True)
    pd.testing.assert_frame_equal(after[keep].reset_index(drop=True), expected)
