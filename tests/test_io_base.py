"""qualcode.io.base: readers are chosen by suffix from a registry; a new format is one registration."""

from __future__ import annotations

from pathlib import Path

import pytest

import qualcode as qc
from qualcode.document import Document, Turn
from qualcode.io import base


def test_built_in_suffixes():
    assert {".txt", ".md", ".docx", ".vtt", ".srt", ".csv", ".tsv", ".xlsx"} <= set(base.input_suffixes())
    assert set(base.table_suffixes()) == {".csv", ".tsv", ".xlsx"}
    assert base.reader_for(Path("x.VTT")).name == "subtitles"


def test_unsupported_suffix_names_what_is_read(tmp_path):
    with pytest.raises(qc.InputFileError, match=r"unsupported file type '\.key'; qualcode reads \.txt"):
        base.reader_for(tmp_path / "x.key")
    # a recording named in place of its transcript: how to make one
    with pytest.raises(
        qc.InputFileError, match=r"x\.m4a: a recording, not a transcript; transcribe it first .*whisper x\.m4a"
    ):
        base.reader_for(tmp_path / "x.m4a")
    # formats transcripts are often kept in: how to save them as one qualcode reads
    with pytest.raises(qc.InputFileError, match=r"x\.pages: qualcode does not read an Apple Pages file: export it"):
        base.reader_for(tmp_path / "x.pages")
    with pytest.raises(
        qc.InputFileError, match=r"x\.DOC: qualcode does not read a Word 97-2003 file: .* save it as \.docx"
    ):
        base.reader_for(tmp_path / "x.DOC")


def test_a_registered_reader_is_used_by_read_transcripts(tmp_path):
    def read_upper(path: Path, options: base.ReadOptions) -> list[Document]:
        text = path.read_text(encoding="utf-8").upper()
        return [Document(path.stem, str(path), "upper", text, [Turn(None, 0, len(text))])]

    base.register_reader(".upper", name="upper")(read_upper)
    try:
        (tmp_path / "one.upper").write_text("we hired counselors", encoding="utf-8")
        corpus = qc.read_transcripts(tmp_path)
        assert corpus.segments["text"].tolist() == ["WE HIRED COUNSELORS"]
    finally:
        base._READERS.pop(".upper", None)


@pytest.mark.parametrize(
    ("suffix", "program"),
    [
        (".nvp", "an NVivo"),
        (".nvpx", "an NVivo"),
        (".atlproj", "an ATLAS.ti"),
        (".mx24", "a MAXQDA"),
        (".qda", "a QualCoder"),
    ],
)
def test_another_programs_project_says_to_export_it_as_refi(tmp_path, suffix, program):
    """A researcher's NVivo or MAXQDA project given to `tag`, `import-refi` or `-c`: it said
    `unsupported file type` or `give a .qdpx project`; now what it is and what to export."""
    from typer.testing import CliRunner

    from qualcode.cli import app

    project = tmp_path / f"study{suffix}"
    project.write_bytes(b"SQLite format 3\x00")
    with pytest.raises(
        qc.InputFileError,
        match=rf"study\{suffix}: {program} project, which only .* opens; export it from that program as a REFI-QDA project \(\.qdpx\), then run qualcode import-refi",
    ):
        qc.read_transcripts(project)
    with pytest.raises(
        qc.CodebookError, match=r"export its codebook from that program as a REFI-QDA codebook \(\.qdc\)"
    ):
        qc.load_codebook(project)
    result = CliRunner().invoke(app, ["import-refi", str(project), "-o", str(tmp_path / "out")])
    assert result.exit_code != 0 and f"{program} project" in result.output and "Traceback" not in result.output
