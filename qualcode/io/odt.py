"""OpenDocument text (.odt) transcripts: LibreOffice and OpenOffice Writer, and the form
Taguette and many transcription services offer besides .docx.

The text is ``content.xml`` of the zip, read with defusedxml (no DTD, no entities) after every
part was inflated within the same limits as a .docx (:mod:`qualcode.archive`): headings,
paragraphs, list items and table rows in reading order, one block each, separated by blank
lines. Inside a paragraph, ``text:s`` is its count of spaces, ``text:tab`` a tab and
``text:line-break`` a line break; tracked deletions (kept apart in ``text:tracked-changes``),
notes, annotations and drawings (text boxes) are not the transcript and are skipped, so a
document edited with changes tracked reads as accepted; a comment's range is kept apart, as
human codes (:func:`odt_comments`, :mod:`qualcode.word_comments`). A table row of two cells
(``speaker | what they said``) becomes ``speaker: text``, as in a .docx.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..document import Document
from ..errors import InputFileError
from .base import ReadOptions, register_reader
from .decode import read_bytes
from .docx import (
    DOCX_MAX_BYTES,
    DOCX_MAX_RATIO,
    Mark,
    _joined,
    marked_row,
    placed,
    text_box_note,
    word_processor_document,
)

TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
SKIPPED = {
    TEXT + "tracked-changes",  # deleted text lives here, apart from the flow
    TEXT + "note",  # footnotes and endnotes
    OFFICE + "annotation",  # comments
    TEXT + "sequence-decls",
    "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}frame",  # text boxes, images
}
BLOCKS = {TEXT + "p", TEXT + "h"}
CHARACTERS = {TEXT + "tab": "\t", TEXT + "line-break": "\n"}


ANNOTATION, ANNOTATION_END = OFFICE + "annotation", OFFICE + "annotation-end"
DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"


def _inline(element: Any, parts: list[str], marks: list[Mark] | None = None, found: dict | None = None) -> None:
    """A paragraph's text: its own text, its spans and links, spaces, tabs and breaks;
    ``marks`` and ``found`` collect its comments (where each starts and ends, what it says)."""
    parts.append(element.text or "")
    for child in element:
        tag = child.tag
        if isinstance(tag, str) and tag in (ANNOTATION, ANNOTATION_END) and marks is not None and found is not None:
            name = str(child.get(OFFICE + "name") or f"point-{len(found)}")
            at = sum(map(len, parts))
            if tag == ANNOTATION:
                said = "\n".join("".join(p.itertext()) for p in child.iter(TEXT + "p"))
                found[name] = {"text": said, "author": (child.findtext(DC_CREATOR) or "").strip()}
                marks.append((name, "start" if child.get(OFFICE + "name") else "ref", at))
            else:
                marks.append((name, "end", at))
        elif isinstance(tag, str) and tag not in SKIPPED:
            if tag == TEXT + "s":
                count = str(child.get(TEXT + "c", "1")).strip()
                parts.append(" " * min(int(count) if count.isdigit() else 1, 1_000))
            elif tag in CHARACTERS:
                parts.append(CHARACTERS[tag])
            else:
                _inline(child, parts, marks, found)
        parts.append(child.tail or "")


def _blocks(container: Any, marks: list[list[Mark]] | None = None, found: dict | None = None) -> list[str]:
    """Headings, paragraphs, list items and table rows of ``container`` in reading order;
    ``marks`` gets each block's comment marks (in a table row, placed in its line)."""
    out: list[str] = []
    for child in container:
        tag = child.tag
        if not isinstance(tag, str) or tag in SKIPPED:
            continue
        if tag in BLOCKS:
            parts: list[str] = []
            mine: list[Mark] = []
            _inline(child, parts, mine, found)
            out.append("".join(parts))
            if marks is not None:
                marks.append(mine)
        elif tag == TABLE + "table-row":
            cells = []
            for cell in child:
                if cell.tag == TABLE + "table-cell":
                    inner: list[list[Mark]] = []
                    cells.append((_blocks(cell, inner, found), inner))
            text, row_marks = marked_row(cells)
            out.append(text)
            if marks is not None:
                marks.append(row_marks)
        else:  # sections, lists and their items, tables and their row groups
            out += _blocks(child, marks, found)
    return out


def odt_text(path: Path) -> str:
    """The text of an .odt in reading order: blocks separated by blank lines (module docs)."""
    text, _ = odt_comments(path)
    return text


def odt_comments(path: Path, body: Any = None) -> tuple[str, list[dict[str, Any]]]:
    """The text of an .odt (as :func:`odt_text` gives it) and its comments, as
    :func:`qualcode.io.docx.docx_comments` gives a Word file's (``body``: its text body, when
    read already)."""
    body = _body(path) if body is None else body
    marks: list[list[Mark]] = []
    found: dict[str, dict[str, str]] = {}
    with _nested(path):
        blocks = _blocks(body, marks, found)
    text, where = _joined(blocks, marks)
    return text, placed(text, where, [(name, said["text"], said["author"]) for name, said in found.items()])


MAX_SPAN = 64  # columns a cell may span or repeat: a table's width, not a file's claim


def odt_tables(path: Path) -> list[list[list[str]]]:
    """The tables of an .odt in reading order (within sections too, not nested in a cell),
    each a list of rows of cell texts: a cell's paragraphs one per line; a cell merged across
    columns (``number-columns-spanned``) gives its text to each, as python-docx gives a Word
    table's (its covered cells are skipped); repeated empty cells count as many."""
    tables: list[list[list[str]]] = []

    def rows_of(element: Any, rows: list[list[str]]) -> None:
        for child in element:
            if child.tag == TABLE + "table-row":
                cells: list[str] = []
                for cell in child:
                    if cell.tag != TABLE + "table-cell":
                        continue  # covered-table-cell: the spanning cell gave its text
                    text = "\n".join(block.strip() for block in _blocks(cell) if block.strip())
                    spanned = _count(cell.get(TABLE + "number-columns-spanned"))
                    repeated = _count(cell.get(TABLE + "number-columns-repeated"))
                    cells += [text] * min(spanned * repeated, MAX_SPAN)
                rows.append(cells)
            elif child.tag in (TABLE + "table-header-rows", TABLE + "table-rows", TABLE + "table-row-group"):
                rows_of(child, rows)

    def find(container: Any) -> None:
        for child in container:
            if child.tag == TABLE + "table":
                rows: list[list[str]] = []
                rows_of(child, rows)
                tables.append(rows)
            elif isinstance(child.tag, str) and child.tag not in SKIPPED and child.tag not in BLOCKS:
                find(child)  # sections

    body = _body(path)
    with _nested(path):
        find(body)
    return tables


@contextmanager
def _nested(path: Path) -> Iterator[None]:
    """A clear error for a content.xml nested deeper than Python's recursion reaches (thousands
    of sections or spans in one another: no word processor writes that, a crafted file can)."""
    try:
        yield
    except RecursionError:
        raise InputFileError(
            f"{path}: its content.xml nests elements thousands deep, more than qualcode reads; re-save it"
        ) from None


def _count(value: Any) -> int:
    """A spanned or repeated count attribute as a number (1 when absent or not a number)."""
    text = str(value or "1").strip()
    return max(1, int(text)) if text.isdigit() and len(text) < 6 else 1


def _body(path: Path) -> Any:
    """The ``office:text`` element of an .odt's ``content.xml``, read within the limits."""
    read_bytes(path)  # missing / empty file → clear error
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    from ..archive import Limits, SafeZip

    limits = Limits(max_total_bytes=DOCX_MAX_BYTES, max_ratio=DOCX_MAX_RATIO)
    with SafeZip(path, limits, error=InputFileError) as archive:
        archive.read_all()
        if "content.xml" not in archive.names:
            raise InputFileError(f"{path}: no content.xml: not an OpenDocument text; re-save it as .odt or .docx")
        data = archive.read("content.xml")
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise InputFileError(f"{path}: refused: its content.xml declares a DTD or entities; re-save it") from None
    except (ParseError, UnicodeError, ValueError) as exc:
        raise InputFileError(f"{path}: its content.xml is not well-formed XML ({exc}); re-save it") from None
    body = root.find(f"{OFFICE}body/{OFFICE}text")
    if body is None:
        raise InputFileError(f"{path}: no text body (a spreadsheet or drawing?); save the transcript as .odt or .docx")
    return body


@register_reader(".odt", name="odt")
def _read(path: Path, options: ReadOptions) -> list[Document]:
    body = _body(path)
    return word_processor_document(path, odt_comments(path, body)[0], "odt", options, text_box_note(path, body))
