"""Word .docx transcripts (python-docx): paragraphs and two-column speaker tables."""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path
from typing import Any

from ..document import Document
from ..errors import InputFileError
from .base import ReadOptions, register_reader
from .decode import normalise_newlines, read_bytes
from .text import document_from_text

# a transcript's parts: 256 MB inflated at most, at most 100 times their compressed size
DOCX_MAX_BYTES = 256 * 1024**2
DOCX_MAX_RATIO = 100


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
SKIPPED = {W + "del", W + "moveFrom", W + "txbxContent"}  # deleted text; text boxes (not the transcript)
CHARACTERS = {W + "tab": "\t", W + "br": "\n", W + "cr": "\n", W + "noBreakHyphen": "-"}


def paragraph_text(paragraph: Any) -> str:
    """A ``w:p`` element's text as Word shows it with changes accepted: its runs, those of
    tracked insertions (``w:ins``, ``w:moveTo``), hyperlinks, fields and content controls;
    not tracked deletions. (python-docx's ``Paragraph.text`` reads only the paragraph's own
    runs and hyperlinks, so a transcript edited with tracked changes lost its inserted words.)"""
    parts: list[str] = []

    def walk(element: Any) -> None:
        for child in element:
            tag = child.tag
            if not isinstance(tag, str) or tag in SKIPPED:
                continue
            if tag == W + "t":
                parts.append(child.text or "")
            elif tag in CHARACTERS:
                parts.append(CHARACTERS[tag])
            else:
                walk(child)

    walk(paragraph)
    return "".join(parts)


def _blocks(container: Any, table: Any, parent: Any) -> list[str]:
    """The paragraphs and table rows of a body or table cell in reading order; content
    controls (``w:sdt``) are read through."""
    blocks: list[str] = []
    for child in container.iterchildren():
        tag = child.tag
        if tag == W + "p":
            blocks.append(paragraph_text(child))
        elif tag == W + "tbl":
            for row in table(child, parent).rows:
                blocks.append(table_row(["\n".join(_blocks(cell._tc, table, parent)).strip() for cell in row.cells]))
        elif tag == W + "sdt":
            content = child.find(W + "sdtContent")
            if content is not None:
                blocks += _blocks(content, table, parent)
    return blocks


def docx_text(path: Path) -> str:
    """The text of a .docx in reading order: paragraphs separated by blank lines.

    A table row of two cells (``speaker | what they said``) becomes ``speaker: text``;
    other rows join their cells with tabs. Tracked changes read as accepted
    (:func:`paragraph_text`).
    """
    read_bytes(path)  # missing / empty file → clear error
    from ..archive import Limits, SafeZip

    # inflate every part within the limits first: python-docx itself would inflate a bomb
    limits = Limits(max_total_bytes=DOCX_MAX_BYTES, max_ratio=DOCX_MAX_RATIO)
    with SafeZip(path, limits, error=InputFileError) as archive:
        archive.read_all()
    try:
        import docx
        from docx.opc.exceptions import PackageNotFoundError
        from docx.table import Table
    except ImportError as exc:  # pragma: no cover - a dependency of the default install
        raise InputFileError(f"{path}: reading .docx needs python-docx; pip install python-docx") from exc
    from lxml.etree import LxmlError

    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError, PackageNotFoundError, LxmlError, zlib.error, EOFError) as exc:
        reason = "not a Word zip package" if isinstance(exc, PackageNotFoundError) else str(exc)
        raise InputFileError(f"{path}: not a valid .docx file ({reason}); re-save it from Word") from None
    blocks = _blocks(document.element.body, Table, document)
    paragraphs = [normalise_newlines(block).strip() for block in blocks]
    return "\n\n".join(p for p in paragraphs if p) + "\n"


def table_row(cells: list[str]) -> str:
    """A table row as a transcript line: two cells ``speaker | what they said`` become
    ``speaker: text``; other rows join their cells with tabs."""
    if len(cells) == 2 and cells[0] and ":" not in cells[0]:
        return f"{cells[0]}: {cells[1]}"
    return "\t".join(cells)


def word_processor_document(path: Path, text: str, fmt: str, options: ReadOptions) -> list[Document]:
    """A word processor's extracted text as a transcript (the file's name is its id); the
    same speaker conventions as plain text apply."""
    if not text.strip():
        raise InputFileError(f"{path}: the document has no text; remove it from the input")
    return [document_from_text(text, doc_id=path.stem, path=path, fmt=fmt, speaker_patterns=options.speaker_patterns)]


@register_reader(".docx", name="docx")
def _read(path: Path, options: ReadOptions) -> list[Document]:
    return word_processor_document(path, docx_text(path), "docx", options)
