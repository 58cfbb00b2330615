"""Word .docx transcripts (python-docx): paragraphs and two-column speaker tables."""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path
from typing import Any

from ..document import Document
from ..errors import InputFileError
from .base import ReadOptions, register_reader
from .decode import normalise_newlines, read_bytes
from .speakers import CLOCK
from .text import document_from_text

# a transcript's parts: 256 MB inflated at most, at most 100 times their compressed size
DOCX_MAX_BYTES = 256 * 1024**2
DOCX_MAX_RATIO = 100


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
SKIPPED = {W + "del", W + "moveFrom", W + "txbxContent"}  # deleted text; text boxes (not the transcript)
ODT_FRAME = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}text-box"  # an .odt's text box
ODT_PARAGRAPH = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}p"
CHARACTERS = {W + "tab": "\t", W + "br": "\n", W + "cr": "\n", W + "noBreakHyphen": "-"}


# where a comment's range starts and ends, and where its mark sits (Word's comments)
COMMENT_MARKS = {W + "commentRangeStart": "start", W + "commentRangeEnd": "end", W + "commentReference": "ref"}
Mark = tuple[str, str, int]  # (comment id, start / end / ref, position in the block's text)


def paragraph_text(paragraph: Any, marks: list[Mark] | None = None) -> str:
    """A ``w:p`` element's text as Word shows it with changes accepted: its runs, those of
    tracked insertions (``w:ins``, ``w:moveTo``), hyperlinks, fields and content controls;
    not tracked deletions. (python-docx's ``Paragraph.text`` reads only the paragraph's own
    runs and hyperlinks, so a transcript edited with tracked changes lost its inserted words.)
    ``marks`` collects where comments start and end in that text."""
    parts: list[str] = []
    at = 0

    def walk(element: Any) -> None:
        nonlocal at
        for child in element:
            tag = child.tag
            if not isinstance(tag, str) or tag in SKIPPED:
                continue
            if tag == W + "t":
                parts.append(child.text or "")
                at += len(parts[-1])
            elif tag in CHARACTERS:
                parts.append(CHARACTERS[tag])
                at += 1
            elif tag in COMMENT_MARKS:
                if marks is not None:
                    marks.append((str(child.get(W + "id")), COMMENT_MARKS[tag], at))
            else:
                walk(child)

    walk(paragraph)
    return "".join(parts)


def _blocks(container: Any, table: Any, parent: Any, marks: list[list[Mark]] | None = None) -> list[str]:
    """The paragraphs and table rows of a body or table cell in reading order; content
    controls (``w:sdt``) are read through. ``marks`` gets each block's comment marks (in a
    table row, placed in the row's line: :func:`marked_row`)."""
    blocks: list[str] = []
    for child in container.iterchildren():
        tag = child.tag
        if tag == W + "p":
            mine: list[Mark] = []
            blocks.append(paragraph_text(child, mine))
            if marks is not None:
                marks.append(mine)
        elif tag == W + "tbl":
            for row in table(child, parent).rows:
                cells = []
                for cell in row.cells:
                    inner: list[list[Mark]] = []
                    cells.append((_blocks(cell._tc, table, parent, inner), inner))
                text, row_marks = marked_row(cells)
                blocks.append(text)
                if marks is not None:
                    marks.append(row_marks)
        elif tag == W + "sdt":
            content = child.find(W + "sdtContent")
            if content is not None:
                blocks += _blocks(content, table, parent, marks)
    return blocks


def docx_text(path: Path) -> str:
    """The text of a .docx in reading order: paragraphs separated by blank lines.

    A table row of two cells (``speaker | what they said``) becomes ``speaker: text``;
    other rows join their cells with tabs. Tracked changes read as accepted
    (:func:`paragraph_text`).
    """
    return _body_text(_open(path))


def _body_text(document: Any) -> str:
    from docx.table import Table

    text, _ = _joined(_blocks(document.element.body, Table, document), [])
    return text


def text_box_note(path: Path, body: Any) -> list[str]:
    """A note naming the words in text boxes of a word-processor body (``body``: its XML),
    which are left out of the transcript (a title block, a logo's caption, most often): left
    out without a word, a transcript typed into text boxes would lose them."""
    said: dict[str, None] = {}  # Word keeps a text box twice (the shape and its fallback): once
    for box in (element for element in body.iter() if element.tag in (W + "txbxContent", ODT_FRAME)):
        for paragraph in (element for element in box.iter() if element.tag in (W + "p", ODT_PARAGRAPH)):
            parts = paragraph.iter(W + "t") if paragraph.tag == W + "p" else [paragraph]
            words = " ".join("".join("".join(part.itertext()) for part in parts).split())
            if words:
                said.setdefault(words, None)
    if not said:
        return []
    count = sum(len(words.split()) for words in said)
    first = next(iter(said))
    return [
        f"{path}: left out {count} word{'s' if count != 1 else ''} in text boxes ({first[:60]!r}"
        f"{'…' if len(first) > 60 else ''}): they are not read as the transcript; if they belong to it, move them "
        "out of the text boxes"
    ]


def _open(path: Path) -> Any:
    """The python-docx document of ``path``, its parts inflated within the limits first."""
    read_bytes(path)  # missing / empty file → clear error
    from ..archive import Limits, SafeZip

    # inflate every part within the limits first: python-docx itself would inflate a bomb
    limits = Limits(max_total_bytes=DOCX_MAX_BYTES, max_ratio=DOCX_MAX_RATIO)
    with SafeZip(path, limits, error=InputFileError) as archive:
        archive.read_all()
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import LxmlError

    try:
        return docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError, PackageNotFoundError, LxmlError, zlib.error, EOFError) as exc:
        reason = "not a Word zip package" if isinstance(exc, PackageNotFoundError) else str(exc)
        raise InputFileError(f"{path}: not a valid .docx file ({reason}); re-save it from Word") from None


def _joined(blocks: list[str], marks: list[list[Mark]]) -> tuple[str, dict[str, dict[str, int]]]:
    """The blocks as the transcript's text (each stripped, blank lines between, empty ones
    left out), and where each comment's marks fall in it."""
    pieces: list[str] = []
    at = 0
    where: dict[str, dict[str, int]] = {}
    for k, block in enumerate(blocks):
        normal = normalise_newlines(block)
        piece = normal.strip()
        lead = len(normal) - len(normal.lstrip())
        base = at + (2 if pieces and piece else 0)
        for cid, kind, pos in marks[k] if k < len(marks) else []:
            inside = min(max(len(normalise_newlines(block[:pos])) - lead, 0), len(piece))
            spot = where.setdefault(cid, {})
            spot.setdefault("block_start", base)  # a comment without a whole range: its block
            spot.setdefault("block_end", base + len(piece))
            if kind != "ref":
                spot.setdefault(kind, base + inside)
        if piece:
            pieces.append(piece)
            at = base + len(piece)
    return "\n\n".join(pieces) + "\n", where


def docx_comments(path: Path) -> tuple[str, list[dict[str, Any]]]:
    """The transcript's text (as :func:`docx_text` gives it) and its Word comments: one dict
    per comment with ``start``, ``end`` (offsets of the commented words in that text; a
    comment without a range covers its paragraph), ``text``, ``author``."""
    from docx.table import Table

    document = _open(path)
    marks: list[list[Mark]] = []
    text, where = _joined(_blocks(document.element.body, Table, document, marks), marks)
    said = [(str(c.comment_id), c.text or "", (c.author or c.initials or "").strip()) for c in document.comments]
    return text, placed(text, where, said)


def placed(text: str, where: dict[str, dict[str, int]], comments: list[tuple[str, str, str]]) -> list[dict[str, Any]]:
    """Each comment ``(id, what it says, author)`` with the offsets of the words it covers in
    ``text`` (``where``: from :func:`_joined`), spaces at its ends left out; comments on no
    words of the transcript (a header, a footnote) left out."""
    out = []
    for cid, words, author in comments:
        spot = where.get(cid, {})
        if "start" in spot and "end" in spot:
            start, end = spot["start"], spot["end"]
        elif "block_start" in spot:  # a point comment (no range, or half of one): its paragraph
            start, end = spot["block_start"], spot["block_end"]
        else:
            continue
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            out.append({"start": start, "end": end, "text": words, "author": author})
    return out


def table_row(cells: list[str]) -> str:
    """A table row as a transcript line: two cells ``speaker | what they said`` become
    ``speaker: text``, three with a time (``time | speaker | text`` or ``speaker | time |
    text``) ``speaker (time): text``; a header row (``Speaker | Text``) and other rows join
    their cells with tabs."""
    return _row_and_starts(cells)[0]


# a header row of a transcript table ("Speaker | Text", "Time | Name | Transcript"): not a turn
HEADER_CELLS = {
    "speaker", "speakers", "name", "who", "participant", "text", "transcript", "utterance", "speech", "content",
    "what was said", "dialogue", "turn", "time", "timestamp", "time stamp", "start", "end", "start time", "end time",
    "timecode", "in", "out",
}  # fmt: skip
CELL_TIME = re.compile(rf"^[\[(]?({CLOCK})[\])]?(?:\s*(?:-->|-|–|to)\s*\S+)?$")  # a table cell holding a time


def name_cell(cell: str) -> bool:
    """Whether a table cell can be a speaker's name: one short line without a colon."""
    return bool(cell) and ":" not in cell and "\n" not in cell and len(cell) <= 60


def _row_and_starts(cells: list[str]) -> tuple[str, list[int]]:
    """:func:`table_row` and where each cell's text starts in it."""
    if any(cells) and all(cell.strip().lower() in HEADER_CELLS for cell in cells if cell):
        pass  # a header row: joined by tabs below, so that it is no speaker's turn
    elif len(cells) == 2 and cells[0] and ":" not in cells[0]:
        return f"{cells[0]}: {cells[1]}", [0, len(cells[0]) + 2]
    elif len(cells) == 3 and (timed := timed_row(cells)) is not None:
        return timed
    starts, at = [], 0
    for cell in cells:
        starts.append(at)
        at += len(cell) + 1
    return "\t".join(cells), starts


def timed_row(cells: list[str]) -> tuple[str, list[int]] | None:
    """``time | speaker | text`` or ``speaker | time | text`` (Rev, Trint and Teams tables) as
    ``speaker (time): text``, the label the speaker patterns read with its time."""
    first, second, said = cells
    for time_cell, name, time_first in ((first, second, True), (second, first, False)):
        found = CELL_TIME.match(time_cell.strip())
        if found and name_cell(name) and not CELL_TIME.match(name.strip()):
            clock = found.group(1)
            line = f"{name} ({clock}): {said}"
            name_at, time_at, said_at = 0, len(name) + 2, len(name) + len(clock) + 5
            return line, [time_at, name_at, said_at] if time_first else [name_at, time_at, said_at]
    return None


def marked_row(cells: list[tuple[list[str], list[list[Mark]]]]) -> tuple[str, list[Mark]]:
    """A table row's line (:func:`table_row`) from each cell's blocks and their comment
    marks, with the marks placed in that line: a comment on words of a cell covers those
    words (a cell's blocks are joined by line breaks and stripped, as its text is)."""
    texts: list[str] = []
    inside: list[list[Mark]] = []
    for blocks, marks in cells:
        joined = "\n".join(blocks)
        lead = len(joined) - len(joined.lstrip())
        texts.append(joined.strip())
        found: list[Mark] = []
        at = 0
        for k, block in enumerate(blocks):
            for cid, kind, pos in marks[k] if k < len(marks) else []:
                found.append((cid, kind, min(max(at + pos - lead, 0), len(texts[-1]))))
            at += len(block) + 1
        inside.append(found)
    line, starts = _row_and_starts(texts)
    return line, [
        (cid, kind, start + pos) for start, found in zip(starts, inside, strict=True) for cid, kind, pos in found
    ]


def word_processor_document(
    path: Path, text: str, fmt: str, options: ReadOptions, notes: list[str] | None = None
) -> list[Document]:
    """A word processor's extracted text as a transcript (the file's name is its id); the
    same speaker conventions as plain text apply. ``notes``: what reading left out (words in
    text boxes, :func:`text_box_note`), the document's notes, or the error's when nothing else
    holds text."""
    if not text.strip():
        boxed = [note.split(": left out ", 1)[1] for note in notes or [] if ": left out " in note]
        if boxed:  # the transcript typed into text boxes
            raise InputFileError(f"{path}: the document holds no text but {boxed[0]}")
        raise InputFileError(f"{path}: the document has no text; remove it from the input")
    documents = [
        document_from_text(text, doc_id=path.stem, path=path, fmt=fmt, speaker_patterns=options.speaker_patterns)
    ]
    for doc in documents:
        doc.notes.extend(notes or [])
    return documents


@register_reader(".docx", name="docx")
def _read(path: Path, options: ReadOptions) -> list[Document]:
    document = _open(path)
    notes = text_box_note(path, document.element.body)
    return word_processor_document(path, _body_text(document), "docx", options, notes)
