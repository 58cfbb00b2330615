"""qualcode.io.tabbed: a .txt whose lines are a table's rows (a spreadsheet's "Unicode Text"
or tab-delimited export, a transcript's `time | speaker | text` rows) is read as turns when
its rows are a transcript's, and is an error naming its columns otherwise."""

from __future__ import annotations

import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import qualcode as qc
from qualcode.cli import app
from qualcode.errors import InputFileError
from qualcode.io.tabbed import tab_table

from .conftest import CODEBOOK, EXAMPLES, FIXTURES

TABBED = FIXTURES / "tabbed"


def test_a_spreadsheet_saved_as_unicode_text_is_named_as_a_table():
    """LibreOffice Calc's tab-separated UTF-16 export of the example survey (Excel's
    "Unicode Text" is the same) was read as one transcript running every answer together."""
    path = TABBED / "answers_unicode_text.txt"
    assert path.read_bytes()[:2] == b"\xff\xfe"  # as the spreadsheet wrote it: UTF-16, a byte-order mark
    with pytest.raises(InputFileError) as caught:
        qc.read_transcripts(path)
    said = str(caught.value)
    assert said.startswith(f"{path}: a table saved as text (26 lines of 4 tab-separated columns")
    assert "'respondent', 'role', 'district', 'answer'" in said and "rename it answers_unicode_text.tsv" in said


def test_renamed_as_the_error_says_it_reads_as_the_survey(tmp_path):
    renamed = tmp_path / "answers_unicode_text.tsv"
    shutil.copy(TABBED / "answers_unicode_text.txt", renamed)
    table = qc.read_transcripts(renamed)
    survey = qc.read_transcripts(EXAMPLES.parent / "survey" / "answers.csv")
    assert len(table.documents) == len(survey.documents) == 25
    assert list(table.segments["text"]) == list(survey.segments["text"])


def test_a_transcript_kept_as_tab_separated_rows_reads_as_its_turns():
    """`Time | Speaker | Text` rows saved as tab-delimited text by LibreOffice Calc: the same
    turns, speakers and times as the interview they were made from; the header is no turn."""
    rows = qc.read_transcripts(TABBED / "d02_student_services_rows.txt")
    plain = qc.read_transcripts(EXAMPLES / "d02_student_services.txt")
    cols = ["speaker", "text", "is_interviewer"]
    assert rows.segments[cols].to_dict("records") == plain.segments[cols].to_dict("records")
    assert [t.start_time for t in rows.documents[0].times] == [t.start_time for t in plain.documents[0].times]
    doc = rows.documents[0]
    assert all(doc.text[s:e] == t for s, e, t in rows.segments[["start_char", "end_char", "text"]].itertuples(False))


@pytest.mark.parametrize(
    "text",
    [
        "\tA paragraph indented with a tab.\n\tAnother one, indented too.\n\tA third.\n",
        "Interviewer:\tWhat helped?\nMaria:\tThe counselors.\nInterviewer:\tAnd then?\nMaria:\tTime.\n",
        "Notes\tfrom the visit\nnothing\n",  # lines of different widths: prose
        "00:00:01\tHow does the district help?\n00:00:05\tWe hired counselors.\n00:00:09\tAnd then?\n",  # no names
        "Start\tEnd\tText\n0:01\t0:04\tHow does it help?\n0:05\t0:09\tWe hired counselors.\n",
    ],
)
def test_prose_and_labelled_transcripts_with_tabs_read_as_before(tmp_path, text):
    path = tmp_path / "d09.txt"
    path.write_text(text, encoding="utf-8")
    corpus = qc.read_transcripts(path)
    speakers = set(corpus.segments["speaker"])
    assert speakers == ({"Interviewer", "Maria"} if "Maria:" in text else {""})


def test_two_columns_of_unique_ids_are_a_survey_not_a_conversation(tmp_path):
    path = tmp_path / "answers.txt"
    path.write_text("".join(f"R_{i:02d}\tAnswer number {i} about the counselors.\n" for i in range(12)))
    with pytest.raises(InputFileError, match="12 lines of 2 tab-separated columns"):
        qc.read_transcripts(path)


def test_a_table_in_a_folder_of_interviews_stops_the_run_with_one_line(tmp_path):
    folder = tmp_path / "interviews"
    shutil.copytree(EXAMPLES, folder, ignore=shutil.ignore_patterns("*.csv", "*.docx", "*.vtt", "*.md"))
    shutil.copy(TABBED / "answers_unicode_text.txt", folder / "export.txt")
    out = tmp_path / "o.csv"
    result = CliRunner().invoke(app, ["tag", str(folder), "-c", str(CODEBOOK), "--method", "keyword", "-o", str(out)])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "export.txt: a table saved as text" in result.output
    assert not out.exists()


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from('ab \t\n":0'), max_size=120))
def test_any_text_gets_a_shape_or_none(text):
    shape = tab_table(text)
    if shape is not None:
        assert shape.columns >= 2 and shape.rows >= 2 and 0 <= shape.body <= len(text)
