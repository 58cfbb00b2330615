"""Rich Text (.rtf) transcripts: what f4transkript and f5transkript save by default, and what
older transcription tools, WordPad and TextEdit write.

The text comes from striprtf, which leaves out what is not the document's words (font and
style tables, headers, footers, footnotes, comments, fields' codes) and reads ``\\uN`` and
``\\'hh`` characters, the latter in the file's code page (``\\ansicpgN``; Windows-1252 when it
names none). A list item's bullet or number is left out, so that a label starting a list item
is one. Paragraphs are separated by blank lines, as in a .docx, and the speaker conventions of
plain text apply. Two things striprtf cannot read faithfully are errors naming the fix, never
a silent misreading: tracked changes (deleted words would read as said) and tables (a cell's
lines are not kept together).
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from ..document import Document
from ..errors import InputFileError
from .base import ReadOptions, register_reader
from .decode import read_bytes
from .docx import word_processor_document

_DELETED = re.compile(r"\\deleted(?![a-z])(?!0)")
_TABLE = re.compile(r"\\(?:cell|row|trowd)(?![a-z])")
_LIST_LABEL = re.compile(r"\{\\listtext[^{}]*\}")  # a list item's bullet or number: no one's words
_CODE_PAGE = re.compile(r"\\ansicpg(\d{3,5})")


def rtf_text(path: Path) -> str:
    """The words of an RTF file, a paragraph per block separated by blank lines."""
    from striprtf.striprtf import rtf_to_text

    data = read_bytes(path)
    if not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{\\rtf"):
        raise InputFileError(
            f"{path}: not a Rich Text file (it does not begin with '{{\\rtf'); save it again as .rtf or .docx, "
            "or give it the extension of its format"
        )
    source = data.decode("latin-1")  # RTF is 7-bit; a stray 8-bit byte keeps its place
    if _DELETED.search(source):
        raise InputFileError(
            f"{path}: holds tracked changes, whose deleted words would be read as said; accept or reject them "
            "(Review > Accept All Changes) and save again, or save it as .docx, which qualcode reads with them"
        )
    if _TABLE.search(source):
        raise InputFileError(
            f"{path}: holds a table, whose cells an .rtf does not keep together; save it as .docx, whose "
            "tables qualcode reads (a 'speaker | text' row as a turn)"
        )
    encoding = _code_page(source)
    try:
        text = rtf_to_text(_LIST_LABEL.sub("", source), encoding=encoding, errors="strict")
    except UnicodeDecodeError as error:
        raise InputFileError(
            f"{path}: a character at byte {error.start} is not {encoding} text, the code page the file names; "
            "open it in a word processor and save it again"
        ) from None
    except (ValueError, IndexError, RecursionError):
        raise InputFileError(f"{path}: damaged Rich Text; open it in a word processor and save it again") from None
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n\n".join(line for line in lines if line.strip()) + "\n"


def _code_page(source: str) -> str:
    """The code page of ``\\'hh`` characters: the file's ``\\ansicpgN``, Mac Roman for a file
    that says ``\\mac``, else Windows-1252 (RTF's default)."""
    found = _CODE_PAGE.search(source[:4096])
    if found:
        name = f"cp{found[1]}"
        try:
            codecs.lookup(name)
            return name
        except LookupError:
            return "cp1252"
    return "mac_roman" if re.match(r"\{\\rtf1?\\mac(?![a-z])", source.lstrip()) else "cp1252"


@register_reader(".rtf", name="rtf")
def _read(path: Path, options: ReadOptions) -> list[Document]:
    return word_processor_document(path, rtf_text(path), "rtf", options)
