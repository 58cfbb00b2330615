"""OpenDocument text (.odt) transcripts, as LibreOffice Writer saves them."""

from __future__ import annotations

import zipfile

import pytest

import qualcode as qc
from qualcode.errors import InputFileError
from qualcode.io.odt import odt_text

from .conftest import CODEBOOK, EXAMPLES

ODT = EXAMPLES.parents[1] / "tests" / "fixtures" / "odt"


def test_an_odt_reads_as_the_transcript_shows():
    """Saved by LibreOffice with a tracked deletion, a footnote, a comment, repeated spaces, a
    tab, a line break, a list and a two-column speaker table: the deletion, the note and the
    comment are not the transcript; the table's rows are speaker turns."""
    assert odt_text(ODT / "features.odt") == (
        "Focus group, district office, D04\n\nInterviewer: How did the year start?\n\n"
        "P05: We hired two counselors. Then   we\twaited.\nIt took a year.\n\n"
        "P05: first, the budget;\n\nthen the hiring.\n\n"
        "Interviewer: And the teachers?\n\nP06: They asked for coaching, not slides.\n"
    )
    corpus = qc.read_transcripts([ODT / "features.odt"])
    turns = corpus.segments
    assert turns["speaker"].tolist()[:2] == ["Interviewer", "P05"] and "P06" in set(turns["speaker"])
    assert corpus.documents[0].format == "odt"


def test_the_example_interview_saved_as_odt_reads_as_the_docx():
    """LibreOffice's .odt of an example .docx: the same text, segments and suggestions."""
    docx = qc.read_transcripts([EXAMPLES / "d02_superintendent.docx"])
    odt = qc.read_transcripts([ODT / "d02_superintendent.odt"])
    assert odt.documents[0].text == docx.documents[0].text
    columns = ["doc_id", "segment_id", "speaker", "start_char", "end_char", "text"]
    assert odt.segments[columns].equals(docx.segments[columns])
    book = qc.load_codebook(CODEBOOK)
    assert qc.suggest(odt, book, method="keyword").equals(qc.suggest(docx, book, method="keyword"))


def test_a_folder_of_odt_files_is_read(tmp_path):
    (tmp_path / "one.odt").write_bytes((ODT / "d02_superintendent.odt").read_bytes())
    (tmp_path / "two.odt").write_bytes((ODT / "features.odt").read_bytes())
    corpus = qc.read_transcripts(tmp_path)
    assert [doc.doc_id for doc in corpus.documents] == ["one", "two"]


def test_what_is_not_an_odt_text_is_a_clear_error(tmp_path):
    renamed = tmp_path / "interview.odt"
    renamed.write_bytes((EXAMPLES / "d02_superintendent.docx").read_bytes())  # a .docx renamed
    with pytest.raises(InputFileError, match=r"no content\.xml: not an OpenDocument text"):
        qc.read_transcripts([renamed])
    hostile = tmp_path / "entities.odt"
    with zipfile.ZipFile(hostile, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>')
    with pytest.raises(InputFileError, match="declares a DTD or entities"):
        qc.read_transcripts([hostile])
    sheet = tmp_path / "sheet.odt"
    with zipfile.ZipFile(sheet, "w") as archive:
        archive.writestr(
            "content.xml",
            '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0">'
            "<office:body><office:spreadsheet/></office:body></office:document-content>",
        )
    with pytest.raises(InputFileError, match="no text body"):
        qc.read_transcripts([sheet])
    broken = tmp_path / "broken.odt"
    broken.write_bytes(b"PK not really a zip")
    with pytest.raises(InputFileError, match="not a zip archive"):
        qc.read_transcripts([broken])


def test_content_nested_thousands_deep_is_a_clear_error(tmp_path):
    """A crafted content.xml with sections in sections thousands deep (expat parses it, the
    reader's walk went past Python's recursion limit: a traceback) is one line, for a
    transcript and for a codebook alike."""
    depth = 3000
    body = '<text:section text:name="s">' * depth + "<text:p>Hello</text:p>" + "</text:section>" * depth
    deep = tmp_path / "deep.odt"
    with zipfile.ZipFile(deep, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr(
            "content.xml",
            '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>'
            + body
            + "</office:text></office:body></office:document-content>",
        )
    with pytest.raises(InputFileError, match=r"deep\.odt: its content\.xml nests elements thousands deep"):
        qc.read_transcripts([deep])
    with pytest.raises(qc.CodebookError, match=r"deep\.odt: its content\.xml nests elements thousands deep"):
        qc.load_codebook(deep)


@pytest.mark.parametrize("suffix", ["docx", "odt"])
def test_words_in_text_boxes_are_named_not_dropped_without_a_word(suffix):
    """Text boxes are not read as the transcript (a title block, a caption); an answer typed
    into one was left out without a word. Word keeps a text box twice (its shape and a
    fallback): its words are counted once."""
    path = ODT.parent / "word" / f"d04_textbox.{suffix}"
    corpus = qc.read_transcripts(path)
    assert [" ".join(s.split()) for s in corpus.segments["text"]] == [
        "How does the district support caring in schools?",
        "Our PBIS team meets every week.",
        "Thank you.",
    ]
    (note,) = [w for w in corpus.warnings if "text box" in w]
    assert note == (
        f"{path}: left out 12 words in text boxes ('P04: We hired two counselors and a social worker for every s'…): "
        "they are not read as the transcript; if they belong to it, move them out of the text boxes"
    )
    assert not any("text box" in w for w in qc.read_transcripts(EXAMPLES).warnings)

    only = ODT.parent / "word" / f"d05_textbox_only.{suffix}"  # all its words in a text box: an error saying so
    with pytest.raises(InputFileError) as error:
        qc.read_transcripts(only)
    assert str(error.value) == (
        f"{only}: the document holds no text but 12 words in text boxes ('P04: We hired two counselors and a social "
        "worker for every s'…): they are not read as the transcript; if they belong to it, move them out of the text "
        "boxes"
    )
