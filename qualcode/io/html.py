"""Web-page transcripts (.html, .htm), read with lxml.

Transcription and writing tools export web pages (Descript, Happy Scribe, Google Docs' "Web
page", Word's and LibreOffice's "Save as HTML"). What a browser shows of the body is read in
reading order: headings, paragraphs, list items and table rows are blocks, separated by blank
lines as in .docx and .odt; white space runs together as a browser shows it (kept in
``<pre>``), ``<br>`` breaks a line, and a table row of ``speaker | text`` cells (or ``time |
speaker | text``) is a ``speaker: text`` line (:func:`~qualcode.io.docx.table_row`). Scripts,
styles, the head, HTML comments (where LibreOffice keeps a document's comments), form controls
and embedded objects are left out, as are footnotes and comments: their markers in the text
(``[a]``, ``1``) and the notes written after it, as Google Docs, LibreOffice and Word write
them (the .docx and .odt readers leave them out too). The speaker
conventions of plain text then apply.

A folder search leaves out qualcode's own reports (``<meta name="generator"
content="qualcode">``): an output is never read back as a transcript.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..document import Document
from ..errors import InputFileError
from .base import ReadOptions, register_reader
from .decode import decode_raw, normalise_newlines, read_bytes
from .docx import table_row, word_processor_document

SKIPPED = {
    "head", "script", "style", "title", "noscript", "template", "iframe", "object", "embed", "svg", "math",
    "select", "textarea", "button", "canvas", "audio", "video", "map", "input",
}  # fmt: skip
BLOCKS = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "blockquote", "pre", "section", "article",
    "header", "footer", "main", "aside", "nav", "figure", "figcaption", "address", "hr", "table", "thead",
    "tbody", "tfoot", "ul", "ol", "dl", "form", "fieldset", "details", "summary", "center", "caption", "body",
}  # fmt: skip
PAGES = (".html", ".htm", ".xhtml")
MAX_DEPTH = 200  # elements inside elements: a crafted page nests thousands deep
_CHARSET = re.compile(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]{1,40})", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_SPACE = re.compile(r"[ \t\r\n\f\xa0]+")  # a no-break space (&nbsp;, after a label in Word's pages) too
# a footnote's or comment's marker in the text: a link to the note (Google Docs, LibreOffice, Word)
_NOTE_MARK = re.compile(
    r"^#(?:(?:cmnt|ftnt)(?:_ref)?\d+|sd(?:foot|end)note\d+(?:sym|anc)|_(?:ftn|edn)(?:ref)?\d+|_msocom_\d+)$"
)
# the notes written after the text: LibreOffice's and Word's by their element's id or class
_NOTE_ID = re.compile(r"^(?:sdfootnote|sdendnote|ftn|edn|_com_)\d+$")
_GENERATOR = re.compile(rb"<meta\s+name=[\"']generator[\"']\s+content=[\"']qualcode", re.IGNORECASE)


def is_qualcode_page(path: Path) -> bool:
    """Whether ``path`` is a page qualcode wrote (a report): not a transcript."""
    try:
        with path.open("rb") as handle:
            return bool(_GENERATOR.search(handle.read(4096)))
    except OSError:
        return False


def _decoded(path: Path, data: bytes, encoding: str | None) -> tuple[str, str, str | None]:
    """The page's text: as ``encoding`` if given, else as its ``<meta charset>`` says, else
    as a text file is decoded (UTF-8, a BOM, the cp1252 fallback that says so)."""
    if encoding is None and not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        found = _CHARSET.search(data[:4096])
        if found:
            import codecs

            name = found.group(1).decode("ascii")
            try:
                codecs.lookup(name)
                encoding = name
            except LookupError:
                pass
    return decode_raw(data, path, encoding)


class _Blocks:
    """The blocks of a page's body in reading order (module docs)."""

    def __init__(self) -> None:
        self.blocks: list[str] = []
        self.parts: list[str] = []

    def flush(self, keep: bool = False) -> None:
        """The words gathered so far as one block; ``keep``: a ``<pre>`` block's lines as they are."""
        text = "".join(self.parts)
        self.parts = []
        lines = text.split("\n") if keep else [line.strip() for line in text.split("\n")]
        block = "\n".join(line.rstrip() for line in lines if line.strip() or keep).strip("\n")
        if block.strip():
            self.blocks.append(block)

    def walk(self, element: Any, depth: int = 0, pre: bool = False) -> None:
        if depth > MAX_DEPTH:
            raise RecursionError
        tag = _tag(element)
        if not tag or tag in SKIPPED or _note(element, tag):
            self._text(element.tail, pre)
            return
        if tag == "br":
            self.parts.append("\n")
            self._text(element.tail, pre)
            return
        if tag == "tr":
            self.flush(pre)
            cells = [self._cell(cell, depth, pre) for cell in element if _tag(cell) in ("td", "th")]
            if any(cells):
                self.blocks.append(table_row(cells))
            self._text(element.tail, pre)
            return
        block = tag in BLOCKS
        inside = pre or tag == "pre"
        if block:
            self.flush(pre)
        self._text(element.text, inside)
        for child in element:
            self.walk(child, depth + 1, inside)
        if block:
            self.flush(inside)
        self._text(element.tail, pre)

    def _cell(self, cell: Any, depth: int, pre: bool) -> str:
        inner = _Blocks()
        inner._text(cell.text, pre)
        for child in cell:
            inner.walk(child, depth + 1, pre)
        inner.flush()
        return "\n".join(inner.blocks)

    def _text(self, text: str | None, pre: bool) -> None:
        if text:
            self.parts.append(text if pre else _SPACE.sub(" ", text))


def _tag(element: Any) -> str:
    return element.tag.lower() if isinstance(element.tag, str) else ""


def _note(element: Any, tag: str) -> bool:
    """A footnote's or comment's marker (``<a href="#cmnt1">[a]</a>``, ``<a
    href="#sdfootnote1sym"><sup>1</sup></a>``, ``<a href="#_ftn1">``), or the note itself
    written after the text: LibreOffice's and Word's by their id (``<div id="sdfootnote1">``,
    ``<div id="ftn1">``, Word's comments' ``msocomtxt``), Google Docs' as a block whose first
    link points back at its marker (``<a href="#cmnt_ref1" id="cmnt1">``)."""
    if tag == "a":
        return bool(_NOTE_MARK.match(str(element.get("href") or "")))
    if tag not in ("div", "p"):
        return False
    if _NOTE_ID.match(str(element.get("id") or "")) or "msocomtxt" in str(element.get("class") or "").split():
        return True
    first = next(element.iter("a"), None)
    return first is not None and bool(re.fullmatch(r"(?:cmnt|ftnt)\d+", str(first.get("id") or "")))


def html_text(path: Path, encoding: str | None = None) -> tuple[str, str, str | None]:
    """The text a browser shows of a page's body, as blocks separated by blank lines; the
    encoding read, and a note if the cp1252 fallback was used."""
    import lxml.etree
    import lxml.html

    text, used, note = _decoded(path, read_bytes(path), encoding)
    text = _XML_DECLARATION.sub("", text, count=1)
    if not text.strip():
        raise InputFileError(f"{path}: the page is empty; remove it from the input")
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)
    try:
        root = lxml.html.document_fromstring(text, parser=parser)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise InputFileError(f"{path}: not a readable web page ({exc}); save it again as HTML or as .docx") from None
    body = root.find("body")
    blocks = _Blocks()
    try:
        blocks.walk(body if body is not None else root)
    except RecursionError:
        raise InputFileError(
            f"{path}: elements nested more than {MAX_DEPTH} deep; save the page as .docx or text"
        ) from None
    blocks.flush()
    return "\n\n".join(normalise_newlines(block) for block in blocks.blocks) + "\n", used, note


@register_reader(*PAGES, name="html")
def _read(path: Path, options: ReadOptions) -> list[Document]:
    if is_qualcode_page(path):
        raise InputFileError(
            f"{path}: a report qualcode wrote, not a transcript; give the transcripts it was made from"
        )
    text, _, note = html_text(path, options.encoding)
    return word_processor_document(path, text, "html", options, [note] if note else [])
