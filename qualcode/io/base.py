"""The reader contract and the registry of readers by file suffix.

A reader is a function ``read(path, options) -> list[Document]``: one document for a
transcript file, many for a table of answers. ``@register_reader(".vtt", ".srt")`` makes it
the reader of those suffixes for :func:`qualcode.read_transcripts` and ``qualcode tag``; a
new format is one module plus one registration (and an import in :mod:`qualcode.io`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..document import Document
from ..errors import InputFileError


@dataclass(frozen=True)
class ReadOptions:
    """What a reader may be told: a forced ``encoding``, ``speaker_patterns`` for labels in
    text, and the columns of a table (``text_column``, ``id_column``, ``speaker_column``)."""

    encoding: str | None = None
    speaker_patterns: Sequence[str] | None = None
    text_column: str | Sequence[str] | None = None
    id_column: str | None = None
    speaker_column: str | None = None
    codes_column: str | Sequence[str] | None = None
    codes_separator: str = ";"


ReaderFunction = Callable[[Path, ReadOptions], list[Document]]


@dataclass(frozen=True)
class Reader:
    """A registered reader: its ``name``, the ``suffixes`` it reads, whether its files are
    ``tables`` (skipped in folders unless a text column is named), and the function."""

    name: str
    suffixes: tuple[str, ...]
    read: ReaderFunction
    table: bool = False


_READERS: dict[str, Reader] = {}


def register_reader(*suffixes: str, name: str, table: bool = False) -> Callable[[ReaderFunction], ReaderFunction]:
    """Function decorator: read files ending in ``suffixes`` (lower case, with the dot)."""

    def add(function: ReaderFunction) -> ReaderFunction:
        reader = Reader(name, tuple(s.lower() for s in suffixes), function, table)
        for suffix in reader.suffixes:
            _READERS[suffix] = reader
        return function

    return add


def readers() -> dict[str, Reader]:
    """Registered readers by suffix."""
    return dict(_READERS)


def input_suffixes() -> tuple[str, ...]:
    """Every suffix a reader is registered for, in registration order."""
    return tuple(_READERS)


def table_suffixes() -> tuple[str, ...]:
    """The suffixes of table readers (.csv, .tsv, .xlsx)."""
    return tuple(suffix for suffix, reader in _READERS.items() if reader.table)


# formats of transcripts and tables qualcode does not read, and how to save each as one it reads
UNREAD_DOCUMENTS = {
    ".doc": "a Word 97-2003 file: open it in Word or LibreOffice and save it as .docx",
    ".pages": "an Apple Pages file: export it as Word (.docx)",
    ".wpd": "a WordPerfect file: save it as .docx",
}
UNREAD_TABLES = {
    ".xls": "an Excel 97-2003 file: save it as .xlsx",
    ".ods": "an OpenDocument spreadsheet: save it as .xlsx or .csv",
    ".numbers": "an Apple Numbers file: export it as .xlsx or .csv",
}


# projects of other qualitative-analysis programs, which only that program opens: each exports REFI-QDA
NATIVE_PROJECTS = {
    ".nvp": "NVivo",
    ".nvpx": "NVivo",
    ".atlproj": "ATLAS.ti",
    ".hpr7": "ATLAS.ti",
    ".mx24": "MAXQDA",
    ".mx22": "MAXQDA",
    ".mx20": "MAXQDA",
    ".mx18": "MAXQDA",
    ".mx12": "MAXQDA",
    ".mex24": "MAXQDA",
    ".mex22": "MAXQDA",
    ".qda": "QualCoder",
}


def native_project(path: Path, *, codebook: bool = False) -> str | None:
    """For another program's own project file: what it is and how to give it to qualcode (its
    REFI-QDA export); ``None`` for any other file."""
    program = NATIVE_PROJECTS.get(path.suffix.lower())
    if program is None:
        return None
    export = (
        "export its codebook from that program as a REFI-QDA codebook (.qdc) and give that"
        if codebook
        else "export it from that program as a REFI-QDA project (.qdpx), then run qualcode import-refi on "
        "that: its sources, codes and codings come along"
    )
    article = "an" if program in ("NVivo", "ATLAS.ti") else "a"
    return f"{path}: {article} {program} project, which only {program} opens; {export}"


# recordings: named as input, an error saying to transcribe them; in a folder, passed over (the
# recordings usually sit beside their transcripts under other names)
RECORDINGS = frozenset(
    {".m4a", ".mp3", ".wav", ".aac", ".flac", ".ogg", ".opus", ".wma", ".mp4", ".m4v", ".mov", ".webm", ".mkv", ".avi"}
)


def reader_for(path: Path) -> Reader:
    """The reader of ``path`` by its suffix, or an error naming the suffixes qualcode reads
    (and, for a format a researcher's transcripts are often in, how to save it as one)."""
    suffix = path.suffix.lower()
    if suffix not in _READERS:
        known = UNREAD_DOCUMENTS.get(suffix) or UNREAD_TABLES.get(suffix)
        if known:
            raise InputFileError(f"{path}: qualcode does not read {known}")
        native = native_project(path)
        if native:
            raise InputFileError(native)
        if suffix in RECORDINGS:
            raise InputFileError(
                f"{path}: a recording, not a transcript; transcribe it first (Zoom or Teams captions, Otter.ai, "
                f"or Whisper on this machine: whisper {path.name} --output_format json) and give qualcode the transcript"
            )
        raise InputFileError(
            f"{path}: unsupported file type {suffix or '(none)'!r}; qualcode reads "
            f"{', '.join(input_suffixes())}: convert it to one of these"
        )
    return _READERS[suffix]
