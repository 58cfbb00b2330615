"""Every reader, fed hostile and broken files: it returns a result or raises one clean
:class:`~qualcode.QualcodeError` (one line, naming the file), never another exception, never a
hang (each example runs under an alarm), and the command line never leaves a partial output.

Inputs are random bytes, random text, and well-formed files with random mutations (flipped
bytes, cut tails, odd timings, wrong columns), so that the parsers' inner paths are reached.
"""

from __future__ import annotations

import contextlib
import io
import signal
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

import qualcode as qc
from qualcode.cli import app

from ..conftest import CODEBOOK, FIXTURES

LIMIT_SECONDS = 20  # an example taking longer is a hang


@contextlib.contextmanager
def alarm(seconds: int = LIMIT_SECONDS):
    def hang(signum, frame):
        raise TimeoutError(f"no answer within {seconds} s: a hang")

    old = signal.signal(signal.SIGALRM, hang)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def clean(call, *args, **kwargs):
    """Run a reader: a value, or a QualcodeError whose message is one line naming the input."""
    with alarm():
        try:
            return call(*args, **kwargs)
        except qc.QualcodeError as error:
            message = str(error)
            assert message and "\n" not in message.strip(), message
            assert "Traceback" not in message
            return error


def _file(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


text = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"]), max_size=400
)  # any Unicode, including controls and NUL
lines = st.lists(
    st.one_of(
        text,
        st.sampled_from(["Interviewer: ", "P1: ", "[00:01:02] Ana: ", "**Q:** ", "---", "=" * 300, "*" * 300]),
        st.builds(lambda name, words: f"{name}: {words}", st.text(min_size=1, max_size=20), text),
        # a speech recogniser's lines (WhisperX, whisper.cpp): read as its voices' turns
        st.builds(
            lambda voice, words: voice + words,
            st.sampled_from(["[SPEAKER_00]: ", "SPEAKER_01: ", "(speaker 0) ", "(speaker 1)", "(speaker ?) "]),
            text,
        ),
    ),
    max_size=30,
)


def mutate(data: bytes, flips: list[tuple[int, int]], cut: int | None) -> bytes:
    buffer = bytearray(data)
    for position, value in flips:
        if buffer:
            buffer[position % len(buffer)] = value
    return bytes(buffer[:cut] if cut is not None else buffer)


flips = st.lists(st.tuples(st.integers(0, 10**7), st.integers(0, 255)), max_size=8)
cuts = st.one_of(st.none(), st.integers(0, 5_000))


@given(
    st.binary(max_size=2_000),
    st.sampled_from([".txt", ".md", ".vtt", ".srt", ".csv", ".docx", ".odt", ".pdf", ".xlsx", ".json", ".html"]),
)
def test_random_bytes_under_any_suffix(tmp_path_factory, data, suffix):
    path = _file(tmp_path_factory.mktemp("bytes"), "doc" + suffix, data)
    table = {"text_column": "answer"} if suffix in (".csv", ".xlsx") else {}
    clean(qc.read_transcripts, path, **table)


@given(lines, st.sampled_from(["utf-8", "utf-16", "cp1252"]))
def test_transcript_text(tmp_path_factory, body, encoding):
    data = "\n".join(body).encode(encoding, errors="replace")
    path = _file(tmp_path_factory.mktemp("txt"), "interview.txt", data)
    result = clean(qc.read_transcripts, path)
    if isinstance(result, qc.Corpus):
        for row in result.segments.itertuples():
            assert result.text(row.doc_id)[row.start_char : row.end_char] == row.text


timing = st.one_of(
    st.just("00:00:01.000 --> 00:00:02.000"),
    st.builds(lambda a, b: f"{a} --> {b}", st.text(max_size=15), st.text(max_size=15)),
    st.sampled_from(["00:00:05.000 --> 00:00:01.000", "99:99:99.999 --> 00:00:00.000", "-->", "00:00:01,000 -> x"]),
)


@given(st.lists(st.tuples(timing, text), max_size=12), st.booleans())
def test_captions(tmp_path_factory, cues, srt):
    if srt:
        body = "\n\n".join(f"{k + 1}\n{t.replace('.', ',')}\n{words}" for k, (t, words) in enumerate(cues))
        name = "c.srt"
    else:
        body = "WEBVTT\n\n" + "\n\n".join(f"{t}\n{words}" for t, words in cues)
        name = "c.vtt"
    clean(qc.read_transcripts, _file(tmp_path_factory.mktemp("cap"), name, body.encode("utf-8")))


def _docx(paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph("".join(ch for ch in paragraph if ch.isprintable() or ch == "\t"))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@given(st.lists(text, max_size=6), flips, cuts)
def test_docx(tmp_path_factory, paragraphs, changes, cut):
    data = mutate(_docx(paragraphs), changes, cut)
    clean(qc.read_transcripts, _file(tmp_path_factory.mktemp("docx"), "i.docx", data))


ODT = Path(__file__).resolve().parents[1] / "fixtures" / "odt" / "features.odt"  # saved by LibreOffice


PDF = Path(__file__).resolve().parents[1] / "fixtures" / "pdf" / "d01_superintendent.pdf"  # printed by Chromium


@given(flips, st.one_of(st.none(), st.integers(0, 40_000)))
def test_pdf(tmp_path_factory, changes, cut):
    """A PDF with flipped bytes or a cut tail: its text, or one clean error (pdfminer's own
    exceptions never reach the user)."""
    data = mutate(PDF.read_bytes(), changes, cut)
    clean(qc.read_transcripts, _file(tmp_path_factory.mktemp("pdf"), "i.pdf", data))


WHISPER = [  # written by WhisperX's and whisper.cpp's writers (tests/fixtures/whisper)
    FIXTURES / "whisper" / "whisperx" / "d01_superintendent.json",
    FIXTURES / "whisper" / "whisper.cpp" / "zoom-chemistry-lesson.json",
    FIXTURES / "whisper" / "openai-whisper" / "zoom-chemistry-lesson.tsv",
    FIXTURES / "whisper" / "whisper.cpp" / "zoom-chemistry-lesson.csv",
]


@given(st.sampled_from(WHISPER), flips, st.one_of(st.none(), st.integers(0, 70_000)))
def test_whisper(tmp_path_factory, source, changes, cut):
    """Speech-recognition output with flipped bytes or a cut tail (a JSON cut mid-write, a
    timed table with a broken row): its segments, or one clean error."""
    data = mutate(source.read_bytes(), changes, cut)
    result = clean(qc.read_transcripts, _file(tmp_path_factory.mktemp("whisper"), "r" + source.suffix, data))
    if isinstance(result, qc.Corpus):
        for row in result.segments.itertuples():
            assert result.text(row.doc_id)[row.start_char : row.end_char] == row.text


RTF = [FIXTURES / "rtf" / "d02_superintendent.rtf", FIXTURES / "rtf" / "b07_schulamt.rtf"]  # LibreOffice's


@given(st.sampled_from(RTF), flips, st.one_of(st.none(), st.integers(0, 23_000)))
def test_rtf(tmp_path_factory, source, changes, cut):
    """Rich Text with flipped bytes or a cut tail (unbalanced braces, a broken escape, a code
    page that cannot decode a character): its text, or one clean error."""
    data = mutate(source.read_bytes(), changes, cut)
    result = clean(qc.read_transcripts, _file(tmp_path_factory.mktemp("rtf"), "i.rtf", data))
    if isinstance(result, qc.Corpus):
        for row in result.segments.itertuples():
            assert result.text(row.doc_id)[row.start_char : row.end_char] == row.text


@given(st.binary(max_size=3000).map(lambda tail: b"{\\rtf1" + tail))
def test_rtf_random_after_its_header(tmp_path_factory, tail):
    clean(qc.read_transcripts, _file(tmp_path_factory.mktemp("rtf"), "r.rtf", tail))


@given(flips, cuts)
def test_odt(tmp_path_factory, changes, cut):
    data = mutate(ODT.read_bytes(), changes, cut)
    clean(qc.read_transcripts, _file(tmp_path_factory.mktemp("odt"), "i.odt", data))


ODT_CODEBOOK = Path(__file__).resolve().parents[1] / "fixtures" / "word" / "caring_codebook.odt"  # LibreOffice's


@given(flips, cuts)
def test_odt_codebook(tmp_path_factory, changes, cut):
    """A Writer codebook whose content.xml has flipped bytes or a cut tail (zipped again, so
    the XML, not the zip, is what is damaged): a codebook or one clean error."""
    import io
    import zipfile

    with zipfile.ZipFile(ODT_CODEBOOK) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["content.xml"] = mutate(parts["content.xml"], changes, cut)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    clean(qc.load_codebook, _file(tmp_path_factory.mktemp("odt_codebook"), "codebook.odt", buffer.getvalue()))


@given(
    st.lists(st.lists(st.one_of(text, st.integers(), st.floats(allow_nan=True)), min_size=1, max_size=4), max_size=8),
    st.sampled_from(["answer", "text", "missing"]),
    st.booleans(),
)
def test_tables(tmp_path_factory, rows, column, excel):
    import pandas as pd

    width = max((len(r) for r in rows), default=1)
    names = ["answer", "respondent", "role", "x"][:width]
    frame = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], columns=names)
    folder = tmp_path_factory.mktemp("table")
    if excel:
        path = folder / "answers.xlsx"
        with alarm():
            try:
                frame.map(lambda v: "".join(c for c in str(v) if c.isprintable())).to_excel(path, index=False)
            except ValueError:
                return
    else:
        path = folder / "answers.csv"
        frame.to_csv(path, index=False)
    clean(qc.read_transcripts, path, text_column=column, id_column="respondent" if width > 1 else None)


yaml_value = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), text),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=20,
)


@given(st.one_of(text, st.builds(lambda v: __import__("yaml").safe_dump(v), yaml_value)))
def test_codebook_yaml(text_or_yaml):
    clean(qc.codebook_from_yaml, text_or_yaml, source="fuzz.yaml")


@given(
    st.dictionaries(
        st.sampled_from(["id", "label", "keywords", "patterns", "exclude", "threshold", "children", "applies_to"]),
        yaml_value,
        max_size=6,
    )
)
def test_codebook_fields(code):
    import yaml

    clean(qc.codebook_from_yaml, yaml.safe_dump({"name": "fuzz", "codes": [code]}), source="fuzz.yaml")


word_cell = st.one_of(text.map(lambda t: "".join(c for c in t if c.isprintable())), st.sampled_from(["Theme", "x"]))


@given(
    st.lists(
        st.sampled_from(["Code", "Definition", "Parent", "Keywords", "Examples", "Threshold", "Note"]),
        min_size=1,
        max_size=5,
    ),
    st.lists(st.lists(word_cell, min_size=5, max_size=5), max_size=6),
)
def test_word_codebook(tmp_path_factory, header, rows):
    """A Word codebook table of random cells: a codebook or one clean error."""
    import docx

    document = docx.Document()
    table = document.add_table(rows=0, cols=len(header))
    for values in [header, *rows]:
        for cell, value in zip(table.add_row().cells, values, strict=False):
            cell.text = value
    path = tmp_path_factory.mktemp("word_codebook") / "codebook.docx"
    document.save(path)
    clean(qc.load_codebook, path)


@given(st.lists(st.lists(text, min_size=1, max_size=5), max_size=8), st.booleans())
def test_metadata_and_codings_tables(tmp_path_factory, rows, as_codings):
    import csv

    folder = tmp_path_factory.mktemp("meta")
    path = folder / "table.csv"
    header = (
        ["doc_id", "segment_id", "code", "start_char", "end_char"] if as_codings else ["doc_id", "role", "district"]
    )
    with open(path, "w", newline="", encoding="utf-8", errors="replace") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    clean(qc.read_codings if as_codings else qc.read_metadata, path)


REFI = FIXTURES / "refi" / "nvivo-mac15-codebook-only.qdpx"


@given(flips, cuts)
def test_qdpx_mutations(tmp_path_factory, changes, cut):
    data = mutate(REFI.read_bytes(), changes, cut)
    clean(qc.read_qdpx, _file(tmp_path_factory.mktemp("qdpx"), "p.qdpx", data))


@given(flips, cuts)
def test_qdpx_as_a_codebook(tmp_path_factory, changes, cut):
    """A damaged project given as a run's codebook (`-c project.qdpx`): its codes or one clean error."""
    data = mutate(REFI.read_bytes(), changes, cut)
    clean(qc.load_codebook, _file(tmp_path_factory.mktemp("qdpx_codebook"), "p.qdpx", data))


@given(st.lists(st.tuples(st.text(max_size=12), st.integers(-10, 10**6), st.integers(-10, 10**6)), max_size=6), text)
def test_qdpx_structure(tmp_path_factory, selections, source_text):
    from xml.sax.saxutils import quoteattr

    from ..refi_files import CARE, CODES, SOURCE, qde, write_qdpx

    parts = "".join(
        f'<PlainTextSelection guid="{k:08d}-0000-0000-0000-000000000000" name={quoteattr(name)} '
        f'startPosition="{start}" endPosition="{end}"><Coding guid="{k:08d}-1111-0000-0000-000000000000">'
        f'<CodeRef targetGUID="{CARE}"/></Coding></PlainTextSelection>'
        for k, (name, start, end) in enumerate(selections)
    )
    body = f'{CODES}<Sources><TextSource guid="{SOURCE}" name="a" plainTextPath="internal://{SOURCE}.txt">{parts}'
    body += "</TextSource></Sources>"
    folder = tmp_path_factory.mktemp("qdpx")
    path = write_qdpx(folder / "s.qdpx", qde(body), {f"Sources/{SOURCE}.txt": source_text.encode("utf-8", "replace")})
    clean(qc.read_qdpx, path)


@given(flips, cuts)
def test_qdc(tmp_path_factory, changes, cut):
    with zipfile.ZipFile(REFI) as archive:
        project = archive.read("project.qde")
    start = project.find(b"<CodeBook")
    end = project.rfind(b"</CodeBook>") + len(b"</CodeBook>")
    codebook = b'<?xml version="1.0" encoding="utf-8"?>' + project[start:end].replace(
        b"<CodeBook", b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"', 1
    )
    path = _file(tmp_path_factory.mktemp("qdc"), "c.qdc", mutate(codebook, changes, cut))
    clean(qc.read_qdc, path)


@pytest.mark.model
@given(lines)
def test_tag_writes_everything_or_nothing(tmp_path_factory, body):
    """The command line: exit 0 with the CSV and its record, or exit 2 with one line and no
    file (not even a temporary one)."""
    folder = tmp_path_factory.mktemp("cli")
    source = _file(folder, "interview.txt", "\n".join(body).encode("utf-8", "replace"))
    out = folder / "out.csv"
    with alarm(60):
        result = CliRunner().invoke(
            app, ["tag", str(source), "-c", str(CODEBOOK), "-o", str(out), "--method", "keyword"]
        )
    assert "Traceback" not in result.output
    written = sorted(p.name for p in folder.iterdir() if p.name != "interview.txt")
    if result.exit_code == 0:
        assert written == ["out.csv", "out.meta.json"]
    else:
        assert result.exit_code == 2, result.output
        lines_out = [line for line in result.output.splitlines() if line.startswith("error:")]
        assert len(lines_out) == 1 and written == []
