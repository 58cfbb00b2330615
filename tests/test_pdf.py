"""PDF transcripts: the text layer read with pdfminer.six, running heads left out."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import qualcode as qc
from qualcode import columns as C
from qualcode.cli import app
from qualcode.io import pdf, read_document

from .conftest import CODEBOOK, EXAMPLES, FIXTURES, assert_offsets

PDFS = FIXTURES / "pdf"


def words(texts):
    return [" ".join(str(text).split()) for text in texts]


@pytest.mark.parametrize("name", ["d01_superintendent", "d03_assistant_superintendent"])
def test_a_printed_transcript_reads_as_its_text_does(name):
    """Chromium printed the example interviews (2 and 4 pages, with its date, title, address
    and page number on every page): the PDF gives the same turns, speakers and interviewer
    turns as the .txt, line breaks aside, and says what it left out."""
    read = qc.read_transcripts(PDFS / f"{name}.pdf")
    assert_offsets(read)
    plain = qc.read_transcripts(EXAMPLES / f"{name}.txt").segments
    assert words(read.segments[C.TEXT]) == words(plain[C.TEXT])
    assert read.segments[C.SPEAKER].tolist() == plain[C.SPEAKER].tolist()
    assert read.segments[C.IS_INTERVIEWER].tolist() == plain[C.IS_INTERVIEWER].tolist()
    text = read.documents[0].text
    assert "localhost" not in text and "AM" not in text.split() and "1/2" not in text
    (note,) = read.warnings
    assert f"{name}.pdf: left out" in note and "page headers, footers and page numbers" in note


def test_running_heads_page_numbers_and_ligatures(monkeypatch, tmp_path):
    """A line at a page's edge that comes back on the other pages, digits aside, and a page
    number alone are left out; the same words inside a page, or on one page only, are kept;
    ``ﬁ`` reads as ``fi``."""
    pages = [
        "Study X, interview 3\nInterviewer: What is your ﬁrst priority?\nP3: Counselors.\nPage 1 of 3\n",
        "Study X, interview 3\nP3: We hired two. Study X, interview 3 was long.\n2\n",
        "Study X, interview 3\nInterviewer: Thank you.\nA closing remark on one page only\nPage 3 of 3\n",
    ]
    path = tmp_path / "study.pdf"
    path.write_bytes(b"%PDF-1.4\n")
    monkeypatch.setattr(pdf, "pdf_pages", lambda _path: [page.translate(pdf.LIGATURES) for page in pages])
    text, notes = pdf.pdf_text(path)
    assert "Study X, interview 3\n" not in text and "Page 1 of 3" not in text and "\n2\n" not in text
    assert "Study X, interview 3 was long." in text and "A closing remark on one page only" in text
    assert "What is your first priority?" in text
    assert "left out 6 lines" in notes[0]
    monkeypatch.setattr(pdf, "pdf_pages", lambda _path: ["Interviewer: Hello?\n", "", "P3: Hi.\n"])
    text, notes = pdf.pdf_text(path)
    assert text.split() == ["Interviewer:", "Hello?", "P3:", "Hi."]
    assert "page 2 of the PDF hold no text (scanned or blank)" in notes[0]


def _damaged(tmp_path):
    """The example PDF with four bytes flipped in its first page's compressed text."""
    data = (PDFS / "d01_superintendent.pdf").read_bytes()
    start = data.index(b"stream", data.index(b"/FlateDecode")) + len(b"stream\n")
    damaged = bytearray(data)
    for offset in (50, 51, 52, 53):
        damaged[start + offset] ^= 0xFF
    broken = tmp_path / "damaged.pdf"
    broken.write_bytes(bytes(damaged))
    return broken


def test_pdfs_that_cannot_be_read_are_errors(tmp_path):
    with pytest.raises(qc.InputFileError, match=r"no text layer \(a scan\?\).*ocrmypdf"):
        qc.read_transcripts(PDFS / "scan.pdf")
    data = (PDFS / "d01_superintendent.pdf").read_bytes()
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(data[: len(data) // 2])  # a download broken off: never read as less text
    with pytest.raises(qc.InputFileError, match=r"cut\.pdf: not a readable PDF"):
        qc.read_transcripts(cut)
    # a few damaged bytes in the first page's compressed text: pdfminer by default skips what it
    # cannot inflate and reads the page with 1,372 characters fewer; qualcode says so instead
    broken = _damaged(tmp_path)
    with pytest.raises(qc.InputFileError, match=r"damaged\.pdf: not a readable PDF"):
        qc.read_transcripts(broken)
    renamed = tmp_path / "notes.pdf"
    renamed.write_text("Interviewer: hello\n", encoding="utf-8")
    with pytest.raises(qc.InputFileError, match=r"notes\.pdf: not a PDF file"):
        qc.read_transcripts(renamed)


def test_tag_a_pdf_beside_the_same_interview_as_text(tmp_path):
    """End to end from the command line: a PDF is tagged like any transcript; given beside
    the .txt it was printed from, the two are named as the same text."""
    out = tmp_path / "coded.csv"
    runner = CliRunner()
    printed = tmp_path / "d01_printed.pdf"
    printed.write_bytes((PDFS / "d01_superintendent.pdf").read_bytes())
    args = ["tag", str(printed), str(EXAMPLES / "d01_superintendent.txt")]
    result = runner.invoke(app, [*args, "-c", str(CODEBOOK), "-o", str(out), "--method", "keyword"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "documents with the same text" in said and "'d01_printed' and 'd01_superintendent'" in said
    coded = pd.read_csv(out, keep_default_na=False)
    from_pdf = coded[coded[C.DOC_ID] == "d01_printed"]
    assert len(from_pdf) and set(from_pdf["speaker"]) == {"P01"}
    failed = runner.invoke(app, ["tag", str(PDFS / "scan.pdf"), "-c", str(CODEBOOK), "-o", str(tmp_path / "s.csv")])
    assert failed.exit_code != 0 and "Traceback" not in failed.output and "no text layer" in failed.output
    assert not (tmp_path / "s.csv").exists()


def test_pdf_is_a_registered_reader():
    from qualcode.io.base import input_suffixes, reader_for

    assert ".pdf" in input_suffixes() and reader_for(Path("x.pdf")).name == "pdf"


def test_strict_mode_holds_while_any_read_runs_in_threads(tmp_path):
    """pdfminer's STRICT flag is one for the process: a read finishing in one thread used to
    restore it while another thread was reading, which then skipped a damaged stream silently.
    The first read sets it and the last restores it; in threads, a damaged PDF is still an error
    every time, and the flag is as it was afterwards."""
    from concurrent.futures import ThreadPoolExecutor

    import pdfminer.settings

    before = pdfminer.settings.STRICT
    first, second = pdf._strict(), pdf._strict()  # two reads in two threads: the first ends first
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert pdfminer.settings.STRICT is True  # the second read is still running
    second.__exit__(None, None, None)
    assert before == pdfminer.settings.STRICT
    broken = _damaged(tmp_path)

    def read(path):
        try:
            return len(read_document(path)[0].text)
        except qc.InputFileError:
            return None

    paths = [PDFS / "d01_superintendent.pdf", broken] * 6
    with ThreadPoolExecutor(4) as pool:
        lengths = list(pool.map(read, paths))
    assert lengths[1::2] == [None] * 6 and len(set(lengths[::2])) == 1 and lengths[0] > 1000
    assert before == pdfminer.settings.STRICT


def test_extracted_pages_are_kept_between_commands(tmp_path, monkeypatch):
    """A PDF's pages are extracted once and kept by the SHA-256 of its bytes (and what
    extraction depends on): read again, pdfminer is not run; a kept file that is damaged is
    extracted again and replaced; a PDF changed since is extracted again; a cache folder that
    cannot be written is read without; a damaged PDF is an error every time."""
    from qualcode.io import pdf_cache

    monkeypatch.setenv("QUALCODE_CACHE", str(tmp_path / "cache"))
    source = PDFS / "d03_assistant_superintendent.pdf"
    first = pdf.pdf_pages(source)
    kept = pdf_cache.cache_file(source.read_bytes())
    assert kept.is_file() and kept.parent == tmp_path / "cache" / "pdf-text"
    calls = []
    real = pdf._read_pages
    monkeypatch.setattr(pdf, "_read_pages", lambda path, data: calls.append(path) or real(path, data))
    assert pdf.pdf_pages(source) == first and calls == []  # from the cache
    corpus = qc.read_transcripts(source)
    assert calls == [] and "multi-tiered system" in corpus.documents[0].text
    kept.write_text('{"pages": ["tampered"], "sha256": "0"}', encoding="utf-8")  # its checksum wrong
    assert pdf.pdf_pages(source) == first and calls == [source]
    assert pdf.pdf_pages(source) == first and calls == [source]  # replaced by a whole one
    kept.write_bytes(b"\x00\x01 not json")
    assert pdf.pdf_pages(source) == first and len(calls) == 2
    edited = tmp_path / "edited.pdf"  # other bytes: extracted, not served the other file's pages
    edited.write_bytes(source.read_bytes() + b"\n% a comment after the end\n")
    assert pdf.pdf_pages(edited) == first and len(calls) == 3
    broken = _damaged(tmp_path)
    for _ in range(2):
        with pytest.raises(qc.InputFileError, match=r"damaged\.pdf: not a readable PDF"):
            pdf.pdf_pages(broken)
    assert not pdf_cache.cache_file(broken.read_bytes()).exists()
    (tmp_path / "blocked").write_text("a file where the cache folder would be", encoding="utf-8")
    monkeypatch.setenv("QUALCODE_CACHE", str(tmp_path / "blocked"))
    assert pdf.pdf_pages(source) == first  # read without a cache, no error


def test_no_cache_keeps_no_interviews_words_on_disk(tmp_path, monkeypatch):
    """`tag --no-cache` wrote the text of every PDF interview to the user cache folder all the
    same (only the embeddings obeyed it): a study whose transcripts may live on one encrypted
    drive found them in plain text under ~/.cache. Now nothing is kept, in the run nor in the
    commands that read its inputs again; `--cache DIR` keeps the pages in DIR."""
    home = tmp_path / "home-cache"
    monkeypatch.setenv("QUALCODE_CACHE", str(home))
    folder = tmp_path / "interviews"
    folder.mkdir()
    shutil.copy(PDFS / "d01_superintendent.pdf", folder)
    out = tmp_path / "coded.csv"
    args = ["tag", str(folder), "-c", str(CODEBOOK), "--method", "keyword", "-o", str(out)]
    result = CliRunner().invoke(app, [*args, "--no-cache"])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(app, ["freq", str(out), "-o", str(tmp_path / "freq.csv")])
    assert result.exit_code == 0, result.output
    assert not (home / "pdf-text").exists()  # neither the run nor freq, which read the PDF again
    mine = tmp_path / "study-cache"
    result = CliRunner().invoke(app, [*args, "--cache", str(mine)])
    assert result.exit_code == 0, result.output
    assert len(list((mine / "pdf-text").glob("*.json"))) == 1 and not (home / "pdf-text").exists()
    # a folder named relative to where the run was made is recorded whole: freq run from another
    # folder keeps the pages there, not in a new folder of that name where it runs
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, [*args, "--cache", "relative-cache"])
    assert result.exit_code == 0, result.output
    assert json.loads(out.with_name("coded.meta.json").read_text())["settings"]["cache"] == str(
        tmp_path / "relative-cache"
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    shutil.rmtree(tmp_path / "relative-cache")
    result = CliRunner().invoke(app, ["freq", str(out), "-o", str(tmp_path / "freq.csv")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "relative-cache" / "pdf-text").is_dir() and not list(elsewhere.iterdir())
    qc.read_transcripts(folder)  # by default, the user cache folder, as before
    assert len(list((home / "pdf-text").glob("*.json"))) == 1
