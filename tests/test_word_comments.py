"""Human codes made in Word: a transcript coded with comments is read as codings, learned
from, and compared between coders (qualcode.word_comments)."""

from __future__ import annotations

import shutil

import docx
import pandas as pd
import pytest
from typer.testing import CliRunner

import qualcode as qc
from qualcode import columns as C
from qualcode.cli import app
from qualcode.io.docx import docx_comments
from qualcode.io.odt import odt_comments
from qualcode.training import training_set

from .conftest import CODEBOOK, EXAMPLES, FIXTURES

# LibreOffice Writer 7.4 saved as .docx and as .odt: four comments, one over two paragraphs, one a note
CODED = FIXTURES / "word" / "d01_superintendent_coded.docx"
CODED_ODT = FIXTURES / "word" / "d01_superintendent_coded.odt"
PLAIN = EXAMPLES / "d01_superintendent.txt"


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.mark.parametrize("coded", [CODED, CODED_ODT], ids=["docx", "odt"])
def test_each_comment_covers_the_words_it_was_made_on(coded):
    text, comments = (odt_comments if coded.suffix == ".odt" else docx_comments)(coded)
    assert text == qc.read_transcripts(coded).documents[0].text == PLAIN.read_text(encoding="utf-8").strip() + "\n"
    got = [(c["author"], c["text"], text[c["start"] : c["end"]]) for c in comments]
    assert got[0] == (
        "Ana Ruiz",
        "caring_climate",
        "You walk into a caring school and you feel it before anyone says a word.",
    )
    assert got[1][1] == "Systemic supports; problem_solving" and got[1][2].startswith("We also put wellbeing")
    assert got[2] == ("Ana Ruiz", "ask P01 how long this has gone on", "I call every principal on Friday afternoon just to check in.")  # fmt: skip
    assert got[3][0] == "Ben Ode" and got[3][2].startswith("Interviewer: And during the pandemic?\n\nP01: When we")
    assert got[3][2].endswith("who could never come to the building.")  # the range ends in the next paragraph


@pytest.mark.parametrize("coded", [CODED, CODED_ODT], ids=["docx", "odt"])
def test_read_as_codings_and_notes_left_out_by_the_codebook(coded):
    codings = qc.read_codings(coded)
    assert list(codings[C.CODE]) == [
        "caring_climate",
        "Systemic supports",
        "problem_solving",
        "ask P01 how long this has gone on",
        "covid_lessons",
    ]
    assert set(codings[C.DOC_ID]) == {"d01_superintendent_coded"} and set(codings[C.CODER]) == {"Ana Ruiz", "Ben Ode"}
    corpus = qc.read_transcripts(coded)
    texts = {doc.doc_id: doc.text for doc in corpus.documents}
    with pytest.warns(qc.QualcodeWarning, match=r"1 comment names no code of the codebook \('ask P01 how long"):
        train = training_set(codings, qc.load_codebook(CODEBOOK), corpus.segments, texts=texts)
    taught = {train.codes[j] for j in range(len(train.codes)) if train.labels[:, j].any()}
    assert taught == {"caring_climate", "systemic_supports", "problem_solving", "covid_lessons"}
    assert len(train.segments) == len(corpus.segments)  # the commented transcript is coded throughout


def test_a_transcript_without_comments_is_an_error(tmp_path):
    plain = tmp_path / "plain.docx"
    document = docx.Document()
    document.add_paragraph("P01: We hired two counselors.")
    document.save(plain)
    with pytest.raises(qc.InputFileError, match="no comments on its text"):
        qc.read_codings(plain)


def test_tag_learns_from_a_word_transcript_outside_the_inputs(tmp_path):
    new = tmp_path / "new"
    new.mkdir()
    for name in ("d02_student_services.txt", "d03_assistant_superintendent.txt"):
        shutil.copy(EXAMPLES / name, new)
    out = tmp_path / "coded.csv"
    result = run("tag", new, "-c", CODEBOOK, "--train", CODED, "-o", out)
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert f"1 from {CODED} (the Word transcript itself)" in said and "found where its record" not in said
    assert "1 comment names no code of the codebook" in said
    table = pd.read_csv(out, keep_default_na=False)
    assert set(table[C.DOC_ID]) <= {"d02_student_services", "d03_assistant_superintendent"}


def _copy(path, author, comments):
    """A coder's copy of the example transcript, commented in Word's markup (python-docx):
    ``comments`` maps a paragraph's number to what its comment says."""
    document = docx.Document()
    paragraphs = [document.add_paragraph(part) for part in PLAIN.read_text(encoding="utf-8").strip().split("\n\n")]
    for number, said in comments.items():
        document.add_comment(paragraphs[number].runs, text=said, author=author)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(path)


def test_two_coders_word_copies_are_compared_without_other_transcripts(tmp_path):
    ana, ben = tmp_path / "ana" / "d01.docx", tmp_path / "ben" / "d01.docx"
    _copy(ana, "Ana Ruiz", {2: "caring_climate", 4: "Systemic supports; problem_solving", 6: "ask P01 later"})
    _copy(ben, "Ben Ode", {2: "caring_climate", 4: "systemic_supports", 10: "strength\ngrowth_area"})
    out = tmp_path / "agreement.csv"
    result = run("agree", ana, ben, "-c", CODEBOOK, "-o", out)
    assert result.exit_code == 0, result.output
    assert "Ana Ruiz, Ben Ode: pooled agreement" in result.output and "1 comment names no code" in result.output
    table = pd.read_csv(out, index_col="code", keep_default_na=False)
    assert table.loc["caring_climate", "cohen_kappa"] == 1.0 and "ask P01" not in " ".join(table.index)
    assert table.loc["problem_solving", "percent_agreement"] < 1.0
    bare = run("agree", ana, ben, "-o", tmp_path / "bare.csv")  # no codebook: notes would count as codes
    assert bare.exit_code == 0 and "Word comments read without a codebook" in " ".join(bare.output.split())
    renamed = tmp_path / "ben_d01.docx"
    shutil.copy(ben, renamed)
    apart = run("agree", ana, renamed, "-c", CODEBOOK, "-o", tmp_path / "y.csv")
    assert apart.exit_code == 2 and "hold the same transcript under two names" in " ".join(apart.output.split())
    anonymous = tmp_path / "anon" / "d01.docx"  # saved with personal information removed: every author 'Author'
    anonymous.parent.mkdir()
    document = docx.Document(ben)
    for comment in document.comments:
        comment.author = "Ana Ruiz"
    document.save(anonymous)
    same = run("agree", ana, anonymous, "-c", CODEBOOK, "-o", tmp_path / "z.csv")
    assert same.exit_code == 2 and "both hold comments by 'Ana Ruiz' on 'd01'" in " ".join(same.output.split())
    other = tmp_path / "other" / "d01.docx"
    other.parent.mkdir()
    document = docx.Document(ben)
    document.paragraphs[0].runs[0].text = "Another title"
    document.save(other)
    differs = run("agree", ana, other, "-c", CODEBOOK, "-o", tmp_path / "x.csv")
    assert differs.exit_code == 2 and "its text differs from" in differs.output and not (tmp_path / "x.csv").exists()


def test_a_remark_after_a_codes_name_keeps_the_code_and_a_note_is_quoted_with_the_code_it_may_mean():
    from qualcode.word_comments import COMMENTS, keep_named_codes

    said = ["caring_climate - a strong example", "Personnel: hired two", "personel", "ask P01 later"]
    codings = pd.DataFrame({C.DOC_ID: "d", C.START_CHAR: 0, C.END_CHAR: 5, C.CODE: said, C.CODER: "ana"})
    codings.attrs.update({COMMENTS: True, "source": "d.docx"})
    with pytest.warns(qc.QualcodeWarning) as caught:
        kept = keep_named_codes(codings, qc.load_codebook(CODEBOOK))
    assert kept[C.CODE].tolist() == ["caring_climate", "personnel"]
    assert str(caught[0].message).startswith(
        "d.docx: 2 comments name no code of the codebook ('personel' (did you mean 'personnel'?), 'ask P01 later')"
    )


def test_a_comment_without_a_range_covers_its_paragraph(tmp_path):
    """Word writes a range for a comment on selected words; a comment inserted at a point has
    only its mark: it codes the paragraph it sits in."""
    document = docx.Document()
    document.add_paragraph("Interviewer: What changed?")
    answer = document.add_paragraph("P01: We hired two counselors.")
    document.add_comment(answer.runs, text="personnel", author="Ana")
    for tag in ("commentRangeStart", "commentRangeEnd"):
        for element in document.element.body.iter(f"{{{docx.oxml.ns.nsmap['w']}}}{tag}"):
            element.getparent().remove(element)
    path = tmp_path / "point.docx"
    document.save(path)
    text, (comment,) = docx_comments(path)
    assert text[comment["start"] : comment["end"]] == "P01: We hired two counselors."


TABLE = FIXTURES / "word" / "d02_student_services_table.docx"


@pytest.mark.parametrize("coded", [TABLE, TABLE.with_suffix(".odt")], ids=["docx", "odt"])
def test_a_comment_in_a_table_cell_covers_its_words_not_the_row(coded):
    """Transcription services deliver `speaker | what they said` tables: a comment on words of
    the text cell codes those words (it used to code the whole row)."""
    text, comments = (odt_comments if coded.suffix == ".odt" else docx_comments)(coded)
    assert text == qc.read_transcripts(coded).documents[0].text
    assert [(c["text"], text[c["start"] : c["end"]]) for c in comments] == [
        ("personnel", "we hired two more counselors for the middle schools"),
        (
            "systemic_supports",
            "Every school now has a student support team that meets weekly.",
        ),  # a cell's 2nd paragraph
        ("professional_development", "Every teacher had training on restorative circles."),
    ]
    codings = qc.read_codings(coded)
    turns = qc.read_transcripts(coded).segments
    answer = turns[turns[C.TEXT].str.startswith("We looked at our numbers")].iloc[0]
    first = codings[codings[C.CODE] == "personnel"].iloc[0]
    assert answer[C.START_CHAR] < first[C.START_CHAR] < first[C.END_CHAR] < answer[C.END_CHAR]  # inside the turn


def test_a_comment_in_a_timed_table_covers_its_words(tmp_path):
    """A ``time | speaker | text`` table (Rev, Trint) is read as ``speaker (time): text``
    lines: a comment on words of the text cell still codes exactly those words."""
    document = docx.Document()
    table = document.add_table(rows=0, cols=3)
    for row in [
        ("Time", "Speaker", "Text"),
        ("00:00:02", "Interviewer", "What is your role?"),
        ("00:00:09", "P01", ""),
    ]:
        for cell, value in zip(table.add_row().cells, row, strict=True):
            cell.text = value
    paragraph = table.rows[2].cells[2].paragraphs[0]
    paragraph.add_run("I am the superintendent. ")
    document.add_comment([paragraph.add_run("We hired two counselors.")], text="personnel", author="ana")
    path = tmp_path / "timed.docx"
    document.save(path)
    corpus = qc.read_transcripts(path)
    codings = qc.read_codings(path)
    (start, end) = codings[[C.START_CHAR, C.END_CHAR]].iloc[0].tolist()
    assert corpus.documents[0].text[start:end] == "We hired two counselors."
    answer = corpus.segments.iloc[1]
    assert (answer[C.SPEAKER], answer[C.START_TIME]) == ("P01", 9.0)
    assert answer[C.START_CHAR] < start < end == answer[C.END_CHAR]
