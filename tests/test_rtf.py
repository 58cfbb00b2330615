"""qualcode.io.rtf: Rich Text transcripts (f4transkript's and f5transkript's default format),
read with striprtf; fixtures saved by LibreOffice 7.4.7 (tests/fixtures/rtf)."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from typer.testing import CliRunner

import qualcode as qc
from qualcode import columns as C
from qualcode.cli import app
from qualcode.errors import InputFileError

from .conftest import CODEBOOK, EXAMPLES, FIXTURES, assert_offsets

RTF = FIXTURES / "rtf"


def _turns(corpus):
    return list(zip(corpus.segments[C.SPEAKER], corpus.segments[C.TEXT], strict=True))


def test_a_word_interview_saved_as_rtf_reads_to_its_turns():
    """The example Word interview (labels on their own paragraphs), saved as .rtf by LibreOffice:
    the same speakers, words and segments as the .docx."""
    rtf = qc.read_transcripts(RTF / "d02_superintendent.rtf")
    assert_offsets(rtf)
    word = qc.read_transcripts(EXAMPLES / "d02_superintendent.docx")
    assert _turns(rtf) == _turns(word) and len(rtf.segments) == 8
    assert rtf.documents[0].format == "rtf" and rtf.documents[0].doc_id == "d02_superintendent"


def test_an_f4_transcript_in_rtf_keeps_its_letters_and_times():
    """A German interview as f4transkript writes it (``I:``/``B:`` labels, a time mark closing
    each paragraph), saved as .rtf (umlauts as ``\\'fc`` and ``\\u252``): its letters, its
    interviewer, and the marks as times, not words."""
    corpus = qc.read_transcripts(RTF / "b07_schulamt.rtf")
    assert_offsets(corpus)
    source = (RTF / "b07_schulamt_source.txt").read_text(encoding="utf-8")
    segments = corpus.segments
    assert segments[C.SPEAKER].tolist() == ["I", "B", "I", "B"]
    assert segments["is_interviewer"].tolist() == [True, False, True, False]
    assert segments[C.TEXT].iloc[0] == "Wie unterstützt das Schulamt die Fürsorge in den Schulen?"
    assert all(text in source and "#" not in text for text in segments[C.TEXT])
    assert segments[C.END_TIME].tolist() == [5.2, 19.8, 23.1, 41.5]
    assert segments[C.START_TIME].tolist()[1:] == [5.2, 19.8, 23.1]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "features.rtf",
            "holds tracked changes, whose deleted words would be read as said; accept or reject them (Review > "
            "Accept All Changes) and save again, or save it as .docx, which qualcode reads with them",
        ),
        (
            "d02_student_services_table.rtf",
            "holds a table, whose cells an .rtf does not keep together; save it as .docx, whose tables qualcode "
            "reads (a 'speaker | text' row as a turn)",
        ),
    ],
)
def test_what_rtf_text_cannot_hold_faithfully_is_an_error_with_the_fix(name, message):
    """A tracked deletion (the Writer fixture's 'three', struck out) would read as said, and a
    table's cells lose their rows: each an error, never a misreading."""
    with pytest.raises(InputFileError) as error:
        qc.read_transcripts(RTF / name)
    assert str(error.value) == f"{RTF / name}: {message}"


def test_code_pages_and_damage(tmp_path):
    cyrillic = tmp_path / "cyrillic.rtf"
    cyrillic.write_bytes(
        b"{\\rtf1\\ansi\\ansicpg1251 {\\fonttbl{\\f0 Arial;}}\\f0 I: \\'cf\\'f0\\'e8\\'e2\\'e5\\'f2?\\par B: Da.\\par}"
    )
    assert _turns(qc.read_transcripts(cyrillic)) == [("I", "Привет?"), ("B", "Da.")]
    mac = tmp_path / "mac.rtf"
    mac.write_bytes(b"{\\rtf1\\mac I: Gr\\'9f\\'a7e?\\par}")
    assert _turns(qc.read_transcripts(mac)) == [("I", "Grüße?")]
    renamed = tmp_path / "renamed.rtf"
    shutil.copy(EXAMPLES / "d02_superintendent.docx", renamed)
    with pytest.raises(
        InputFileError, match=r"renamed\.rtf: not a Rich Text file \(it does not begin with '\{\\rtf'\)"
    ):
        qc.read_transcripts(renamed)
    undefined = tmp_path / "undefined.rtf"  # byte 0x81 has no character in Windows-1252
    undefined.write_bytes(b"{\\rtf1\\ansi\\ansicpg1252 I: caf\\'81?\\par}")
    with pytest.raises(InputFileError, match=r"undefined\.rtf: a character at byte \d+ is not cp1252 text"):
        qc.read_transcripts(undefined)


def test_rtf_in_a_folder_beside_its_docx_counts_once_and_tags(tmp_path):
    folder = tmp_path / "interviews"
    folder.mkdir()
    shutil.copy(RTF / "d02_superintendent.rtf", folder)
    shutil.copy(RTF / "b07_schulamt.rtf", folder)
    shutil.copy(EXAMPLES / "d02_superintendent.docx", folder)
    corpus = qc.read_transcripts(folder)
    assert sorted(doc.doc_id for doc in corpus.documents) == ["b07_schulamt", "d02_superintendent"]
    assert {doc.doc_id: doc.format for doc in corpus.documents}["d02_superintendent"] == "docx"
    assert any("read from its .docx, its .rtf left out" in line for line in corpus.warnings)
    out = tmp_path / "coded.csv"
    result = CliRunner().invoke(app, ["tag", str(folder), "-c", str(CODEBOOK), "--method", "keyword", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "2 documents, 12 segments" in result.output
    assert set(pd.read_csv(out)["doc_id"]) <= {"b07_schulamt", "d02_superintendent"}
