"""qualcode.io.html: web-page transcripts (.html) read as a browser shows them, with the
speaker conventions of plain text; qualcode's own reports are not read back as transcripts."""

from __future__ import annotations

import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import qualcode as qc
from qualcode.cli import app
from qualcode.errors import InputFileError, QualcodeError

from .conftest import CODEBOOK, EXAMPLES, FIXTURES

PAGES = FIXTURES / "html"


def _said(path):
    segments = qc.read_transcripts(path).segments
    return list(zip(segments["speaker"], segments["text"], segments["is_interviewer"], strict=True))


@pytest.mark.parametrize(
    ("page", "word"),
    [
        ("d02_superintendent.html", EXAMPLES / "d02_superintendent.docx"),
        ("d02_student_services_table.html", FIXTURES / "word" / "d02_student_services_table.docx"),
    ],
)
def test_a_word_document_saved_as_html_reads_to_the_same_turns(page, word):
    """LibreOffice's "Save as HTML" of a Word interview (speaker labels on their own lines) and
    of a `speaker | text` table: the turns the .docx reads to, speakers and words alike."""
    assert _said(PAGES / page) == _said(word)


def test_what_a_browser_does_not_show_is_left_out(tmp_path):
    page = tmp_path / "d07.html"
    page.write_text(
        """<!DOCTYPE html><html><head><title>Interview 7</title><style>p { color: red }</style>
        <script>var x = "Interviewer: not said";</script></head>
        <body><h1>Interview   seven</h1><!-- Interviewer: a comment -->
        <p>Interviewer: What   helped
        your school?<sup><a href="#cmnt1" id="cmnt_ref1">[a]</a></sup></p>
        <p><b>P07:</b>&nbsp;The <b>counselors</b> we hired.<br>And the time to meet.</p>
        <pre>P07: one   line\n   kept as typed</pre>
        <div><p><a href="#cmnt_ref1" id="cmnt1">[a]</a><span>Coder note: ask about funding</span></p></div>
        </body></html>""",
        encoding="utf-8",
    )
    text = qc.read_transcripts(page).documents[0].text
    assert text == (
        "Interview seven\n\nInterviewer: What helped your school?\n\nP07: The counselors we hired.\n"
        "And the time to meet.\n\nP07: one   line\n   kept as typed\n"
    )
    assert [s for s, _, _ in _said(page)] == ["Interviewer", "P07", "P07"]


def test_the_pages_own_charset_decodes_it(tmp_path):
    page = tmp_path / "d08.html"
    page.write_bytes(
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252"></head>'
        "<body><p>Interviewer: Caf\u00e9?</p><p>P08: \u201cYes\u201d \u2014 every day.</p></body></html>".encode(
            "cp1252"
        )
    )
    assert [t for _, t, _ in _said(page)] == ["Caf\u00e9?", "\u201cYes\u201d \u2014 every day."]


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ("", "file is empty"),
        ('<?xml version="1.0" encoding="utf-8"?>\n', "the page is empty"),
        ("<html><body><script>x()</script></body></html>", "the document has no text"),
        ("<div>" * 400 + "P: deep" + "</div>" * 400, "nested more than 200 deep"),
    ],
)
def test_pages_without_a_transcript_are_an_error(tmp_path, content, said):
    page = tmp_path / "bad.html"
    page.write_text(content, encoding="utf-8")
    with pytest.raises(InputFileError, match=said):
        qc.read_transcripts(page)


def test_a_report_in_the_transcripts_folder_is_not_read_as_an_interview(tmp_path):
    folder = tmp_path / "interviews"
    shutil.copytree(EXAMPLES, folder, ignore=shutil.ignore_patterns("*.csv"))
    shutil.copy(PAGES / "d02_superintendent.html", folder / "d04_superintendent.html")
    runner = CliRunner()
    out = tmp_path / "coded.csv"
    first = runner.invoke(app, ["tag", str(folder), "-c", str(CODEBOOK), "--method", "keyword", "-o", str(out)])
    assert first.exit_code == 0, first.output
    assert first.output.strip().splitlines()[-1].startswith("10 documents")  # the page is the tenth
    report = runner.invoke(app, ["report", str(out), "-o", str(folder / "report.html")])
    assert report.exit_code == 0, report.output
    again = runner.invoke(app, ["tag", str(folder), "-c", str(CODEBOOK), "--method", "keyword", "-o", str(out)])
    assert again.exit_code == 0, again.output
    assert again.output.strip().splitlines()[-1].startswith("10 documents")  # not the report
    named = runner.invoke(app, ["tag", str(folder / "report.html"), "-c", str(CODEBOOK), "-o", str(tmp_path / "r.csv")])
    assert named.exit_code != 0 and "report.html: a report qualcode wrote, not a transcript" in named.output


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["<", ">", "/", "a", "b", "=", '"', " ", ":", "\n", "<p>", "</p>", "<br>", "<tr><td>", "<pre>", "P1: "]
        ),
        max_size=40,
    ).map("".join)
)
def test_any_page_reads_or_fails_with_one_line(tmp_path_factory, markup):
    page = tmp_path_factory.mktemp("fuzz") / "page.html"
    page.write_text(markup, encoding="utf-8")
    try:
        corpus = qc.read_transcripts(page)
    except QualcodeError as error:
        assert "\n" not in str(error)
    else:
        doc = corpus.documents[0]
        assert all(
            doc.text[s:e] == t for s, e, t in corpus.segments[["start_char", "end_char", "text"]].itertuples(False)
        )


def test_a_writer_documents_footnote_is_left_out_as_the_odt_reader_leaves_it():
    """LibreOffice's HTML of the Writer fixture: its footnote (`<div id="sdfootnote1">`) and the
    footnote's number in the text were read as transcript words; the turns are the .odt's
    but for what a page shows otherwise (a tracked deletion, spaces run together)."""
    page = qc.read_transcripts(PAGES / "features.html").documents[0].text
    odt = qc.read_transcripts(FIXTURES / "odt" / "features.odt").documents[0].text
    assert "Transcriber" not in page and "counselors.1" not in page and "Transcriber" not in odt
    assert " ".join(page.replace("three ", "").split()) == " ".join(odt.split())
