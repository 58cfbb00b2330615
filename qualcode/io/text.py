"""Plain-text and Markdown transcripts (also Otter.ai .txt exports, and the lines of speech
recognisers that diarize: :mod:`qualcode.io.recognised`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from ..document import Document
from ..errors import InputFileError
from .base import ReadOptions, register_reader
from .decode import read_text
from .recognised import recognised_lines
from .speakers import split_turns


def front_matter(text: str, path: Path) -> tuple[dict[str, Any], int]:
    """Parse YAML front matter (``---`` … ``---`` at the top of the file).

    Returns the metadata and the offset where the transcript body starts (0 if none).
    """
    if not text.startswith("---\n"):
        return {}, 0
    end = text.find("\n---", 3)
    while end != -1 and text[end + 4 : end + 5] not in ("\n", ""):
        end = text.find("\n---", end + 4)
    if end == -1:
        raise InputFileError(f"{path}:1: front matter opened with '---' is never closed; add a '---' line after it")
    block = text[4 : end + 1]
    try:
        data = yaml.safe_load(block) or {}
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", 0) + 2
        raise InputFileError(f"{path}:{line}: invalid YAML in front matter; fix that line") from None
    if not isinstance(data, dict):
        raise InputFileError(f"{path}:2: front matter must be 'key: value' lines")
    body = end + 4 + (1 if text[end + 4 : end + 5] == "\n" else 0)
    return {str(k): v for k, v in data.items()}, body


def document_from_text(
    text: str,
    *,
    doc_id: str,
    path: Path,
    fmt: str,
    encoding: str = "utf-8",
    speaker_patterns: Sequence[str] | None = None,
) -> Document:
    """Build a :class:`Document` from already-decoded text (front matter, speaker turns)."""
    metadata, body = front_matter(text, path)
    turns, times = split_turns(text, start=body, patterns=speaker_patterns)
    if not turns:
        raise InputFileError(f"{path}: holds no transcript text; remove it from the input or add its text")
    return Document(doc_id, str(path), fmt, text, turns, encoding=encoding, times=times, metadata=metadata)


def read_text_file(
    path: Path,
    *,
    doc_id: str,
    encoding: str | None = None,
    speaker_patterns: Sequence[str] | None = None,
) -> Document:
    """Read a .txt or .md transcript."""
    text, used, note = read_text(path, encoding)
    fmt = path.suffix.lower().lstrip(".")
    recognised = None if speaker_patterns else recognised_lines(text, path=path, doc_id=doc_id, fmt=fmt, encoding=used)
    if recognised is not None:  # WhisperX's or whisper.cpp's lines: a turn per voice, not per line
        if note:
            recognised.notes.append(note)
        return recognised
    doc = document_from_text(text, doc_id=doc_id, path=path, fmt=fmt, encoding=used, speaker_patterns=speaker_patterns)
    if speaker_patterns is None and not any(turn.speaker for turn in doc.turns):
        doc = _tabbed(doc, text, path, used)
    if note:
        doc.notes.append(note)
    return doc


def _tabbed(doc: Document, text: str, path: Path, encoding: str) -> Document:
    """``doc`` read again if its lines are the rows of a table (:mod:`qualcode.io.tabbed`):
    as turns if they read as a transcript's (``speaker<TAB>text``), else an error."""
    from .tabbed import ROW_PATTERNS, tab_table, table_error

    _, body = front_matter(text, path)
    shape = tab_table(text, body)
    if shape is None:
        return doc
    if not shape.turns:
        raise table_error(path, shape)
    turns, times = split_turns(text, start=shape.body, patterns=ROW_PATTERNS[shape.columns])
    return Document(
        doc.doc_id, doc.path, doc.format, text, turns, encoding=encoding, times=times, metadata=doc.metadata
    )


@register_reader(".txt", ".md", ".markdown", name="text")
def _read(path: Path, options: ReadOptions) -> list[Document]:
    return [
        read_text_file(path, doc_id=path.stem, encoding=options.encoding, speaker_patterns=options.speaker_patterns)
    ]
