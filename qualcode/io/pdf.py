"""PDF transcripts (pdfminer.six): the text layer of each page, running heads left out.

A transcript saved or printed as PDF keeps its words in a text layer; pdfminer.six reads it
in reading order, a line break per printed line and a blank line between blocks of text.
What a printer adds to every page (a title, the date, ``Page 3 of 12``, a file path) is left
out: a line among the first or last three of a page that comes back on the other pages (its
digits aside) on every page of a short file or on half of the pages of a longer one, and a
page number alone. Letters a font joins (``ﬁ``, ``ﬂ``) are read as their letters, so that
``ﬁrst`` is the word ``first``. The same speaker conventions as plain text then apply.

A PDF without a text layer (a scan) is an error: it has no words to read until OCR gives it
some. Pages without text beside pages with text are named in a warning.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from ..document import Document
from ..errors import InputFileError
from .base import ReadOptions, register_reader
from .decode import read_bytes
from .docx import word_processor_document

PDF_MAX_PAGES = 2_000
EDGE_LINES = 3  # lines at the top and bottom of a page where running heads and page numbers sit
LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"})
_PAGE_NUMBER = re.compile(r"^(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$", re.I)
_DIGITS = re.compile(r"\d+")


def pdf_pages(path: Path) -> list[str]:
    """The text of each page of the PDF at ``path``, ligatures read as their letters (kept
    between commands: :mod:`qualcode.io.pdf_cache`)."""
    data = read_bytes(path)  # a missing or empty file: a clear error
    if b"%PDF-" not in data[:1024]:  # the header may follow up to 1,024 bytes of other matter
        raise InputFileError(f"{path}: not a PDF file (no %PDF header); re-save or re-export it as PDF")
    from .pdf_cache import cached_pages

    return cached_pages(data, lambda: _extract(path, data))


def _extract(path: Path, data: bytes) -> list[str]:
    """:func:`_read_pages` in strict mode, pdfminer's errors as one line naming the file."""
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    with _strict():
        try:
            return _read_pages(path, data)
        except InputFileError:
            raise
        except (PDFPasswordIncorrect, PDFEncryptionError):
            raise InputFileError(f"{path}: the PDF is protected by a password; save a copy without one") from None
        except Exception as exc:  # pdfminer raises PDFSyntaxError, PSEOF, struct and zlib errors, …
            reason = " ".join(str(exc).split()) or type(exc).__name__
            raise InputFileError(
                f"{path}: not a readable PDF ({reason[:120]}); re-export it as PDF, .docx or .txt"
            ) from None


def _read_pages(path: Path, data: bytes) -> list[str]:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTTextContainer

    pages: list[str] = []
    for number, page in enumerate(extract_pages(io.BytesIO(data)), start=1):
        if number > PDF_MAX_PAGES:
            raise InputFileError(
                f"{path}: more than {PDF_MAX_PAGES:,} pages, over what qualcode reads from one PDF; split it"
            )
        text = "".join(element.get_text() for element in page if isinstance(element, LTTextContainer))
        pages.append(text.translate(LIGATURES))
    return pages


_STRICT_LOCK = threading.Lock()
_strict_readers = 0  # reads under way: pdfminer's STRICT is one flag for the whole process
_strict_saved: tuple[bool, int] = (False, logging.NOTSET)


@contextlib.contextmanager
def _strict() -> Iterator[None]:
    """pdfminer in strict mode, its log quiet. By default it skips a stream it cannot inflate
    and logs a warning, and the page reads with words missing (a few flipped bytes in the
    example PDF lost 1,372 characters so); strict, it raises, and the file is an error. The
    flag is the process's: the first of reads running at once (threads) sets it, the last
    restores it, so that no read finishing early turns strict mode off under another."""
    import pdfminer.settings

    global _strict_readers, _strict_saved
    logger = logging.getLogger("pdfminer")
    with _STRICT_LOCK:
        if _strict_readers == 0:
            _strict_saved = (pdfminer.settings.STRICT, logger.level)
            pdfminer.settings.STRICT = True
            logger.setLevel(logging.CRITICAL)
        _strict_readers += 1
    try:
        yield
    finally:
        with _STRICT_LOCK:
            _strict_readers -= 1
            if _strict_readers == 0:
                pdfminer.settings.STRICT, level = _strict_saved
                logger.setLevel(level)


def _key(line: str) -> str:
    return _DIGITS.sub("#", " ".join(line.split()).lower())


def running_heads(pages: list[str]) -> set[str]:
    """The lines (digits aside) at the top or bottom of the pages that come back on every page
    of a file of two or three pages, or on half of the pages of a longer one."""
    if len(pages) < 2:
        return set()
    seen: Counter[str] = Counter()
    for page in pages:
        lines = [line for line in page.splitlines() if line.strip()]
        seen.update({_key(line) for line in lines[:EDGE_LINES] + lines[-EDGE_LINES:]})
    needed = len(pages) if len(pages) <= 3 else (len(pages) + 1) // 2
    return {key for key, count in seen.items() if count >= needed}


def pdf_text(path: Path) -> tuple[str, list[str]]:
    """The transcript's text (pages joined, running heads and page numbers left out) and notes
    on what was left out or found empty."""
    pages = pdf_pages(path)
    if not any(page.strip() for page in pages):
        raise InputFileError(
            f"{path}: the PDF has no text layer (a scan?): run OCR on it (e.g. ocrmypdf), or export the transcript "
            "as .docx or .txt"
        )
    heads = running_heads(pages)
    kept: list[str] = []
    dropped: list[str] = []
    for page in pages:
        lines = page.splitlines()
        filled = [i for i, line in enumerate(lines) if line.strip()]
        edges = set(filled[:EDGE_LINES] + filled[-EDGE_LINES:])
        for i, line in enumerate(lines):
            stripped = line.strip()
            if i in edges and (_key(stripped) in heads or _PAGE_NUMBER.match(stripped)):
                dropped.append(stripped)
                continue
            kept.append(line)
    notes = []
    if dropped:
        shown = ", ".join(repr(line[:50]) for line in list(dict.fromkeys(dropped))[:3])
        notes.append(
            f"{path}: left out {len(dropped)} lines of page headers, footers and page numbers that come back on "
            f"its {len(pages)} pages ({shown}{', …' if len(set(dropped)) > 3 else ''})"
        )
    empty = [str(number) for number, page in enumerate(pages, start=1) if not page.strip()]
    if empty:
        notes.append(
            f"{path}: page{'s' if len(empty) > 1 else ''} {', '.join(empty[:10])}{' …' if len(empty) > 10 else ''} "
            "of the PDF hold no text (scanned or blank): their words, if any, are not read; run OCR to read them"
        )
    return "\n".join(kept), notes


@register_reader(".pdf", name="pdf")
def _read(path: Path, options: ReadOptions) -> list[Document]:
    text, notes = pdf_text(path)
    documents = word_processor_document(path, text, "pdf", options)
    for doc in documents:
        doc.notes.extend(notes)
    return documents
