"""Word .docx transcripts (python-docx): paragraphs and two-column speaker tables."""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path

from ..document import Document
from ..errors import InputFileError
from .base import ReadOptions, register_reader
from .decode import normalise_newlines, read_bytes
from .text import document_from_text

# a transcript's parts: 256 MB inflated at most, at most 100 times their compressed size
DOCX_MAX_BYTES = 256 * 1024**2
DOCX_MAX_RATIO = 100


def docx_text(path: Path) -> str:
    """The text of a .docx in reading order: paragraphs separated by blank lines.

    A table row of two cells (``speaker | what they said``) becomes ``speaker: text``;
    other rows join their cells with tabs.
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
        from docx.text.paragraph import Paragraph
    except ImportError as exc:  # pragma: no cover - a dependency of the default install
        raise InputFileError(f"{path}: reading .docx needs python-docx; pip install python-docx") from exc
    from lxml.etree import LxmlError

    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError, PackageNotFoundError, LxmlError, zlib.error, EOFError) as exc:
        reason = "not a Word zip package" if isinstance(exc, PackageNotFoundError) else str(exc)
        raise InputFileError(f"{path}: not a valid .docx file ({reason}); re-save it from Word") from None
    blocks: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            blocks.append(Paragraph(child, document).text)
        elif tag == "tbl":
            for row in Table(child, document).rows:
                cells = [cell.text.strip() for cell in row.cells]
                if len(cells) == 2 and cells[0] and ":" not in cells[0]:
                    blocks.append(f"{cells[0]}: {cells[1]}")
                else:
                    blocks.append("\t".join(cells))
    paragraphs = [normalise_newlines(block).strip() for block in blocks]
    return "\n\n".join(p for p in paragraphs if p) + "\n"


def read_docx_file(
    path: Path,
    *,
    doc_id: str,
    speaker_patterns: Sequence[str] | None = None,
) -> Document:
    """Read a .docx transcript; the same speaker conventions as plain text apply."""
    text = docx_text(path)
    if not text.strip():
        raise InputFileError(f"{path}: the document has no text; remove it from the input")
    return document_from_text(text, doc_id=doc_id, path=path, fmt="docx", speaker_patterns=speaker_patterns)


@register_reader(".docx", name="docx")
def _read(path: Path, options: ReadOptions) -> list[Document]:
    return [read_docx_file(path, doc_id=path.stem, speaker_patterns=options.speaker_patterns)]
