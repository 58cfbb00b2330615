"""Taguette projects: the SQLite file a Taguette server keeps (``*.sqlite3``), read directly.

What a Taguette project holds and how it becomes qualcode tables:

- **documents** are HTML (``documents.contents``). Their text is the HTML's text content
  (tags dropped, character references decoded), with a blank line added after each block
  element (paragraph, heading, list item, line break) so that paragraphs segment as a reader
  sees them. Taguette's own text keeps only the newlines of the HTML source.
- **tags** (``path``, ``description``) become the codebook: one code per tag, its id made
  from its name, its description kept.
- **highlights** with their tags become human codings. Taguette stores a highlight's
  ``start_offset``/``end_offset`` as UTF-8 *byte* offsets into the document's text content;
  they are converted to character offsets into the text above (on the SERDIF project all
  1,794 highlights map to exactly the snippet Taguette saved).
- the coder is the project's member when it has one, else ``taguette``.

The file is opened read-only and immutable (nothing is written to it, not even a journal),
and only Taguette's tables are read.
"""

from __future__ import annotations

import sqlite3
from bisect import bisect_left, bisect_right
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd

from .. import columns as C
from ..codebook import Codebook, parse_codebook
from ..corpus import Corpus
from ..document import Document
from ..errors import CodebookError, InputFileError, RefiError
from ..segment import segment_documents
from .codes import _unique, slug
from .export import HUMAN_DEFAULTS
from .read import RefiProject, _codings_table, _doc_ids, _turns

SUFFIXES = (".sqlite3", ".sqlite", ".db")
TABLES = {"documents", "tags", "highlights", "highlight_tags"}
MAX_DOCUMENT_CHARS = 50_000_000
BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br", "tr", "blockquote", "pre", "table", "ul", "ol"}


class _Text(HTMLParser):
    """Text content of Taguette's HTML, with a map from Taguette's byte offsets to ours."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.length = 0  # characters of our text
        self.bytes = 0  # UTF-8 bytes of Taguette's text content
        self.anchors: list[tuple[int, int, str]] = []  # (byte start, char start, data)

    def handle_data(self, data: str) -> None:
        self.anchors.append((self.bytes, self.length, data))
        self.parts.append(data)
        self.length += len(data)
        self.bytes += len(data.encode("utf-8"))

    def _break(self) -> None:
        """End a block with a blank line (ours only: Taguette does not count it)."""
        if not self.length:
            return
        tail = "".join(self.parts[-3:])
        have = len(tail) - len(tail.rstrip("\n"))
        if have < 2:
            self.parts.append("\n" * (2 - have))
            self.length += 2 - have

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._break()

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCKS:
            self._break()

    def text(self) -> str:
        return "".join(self.parts)

    def char_offset(self, byte: int, *, end: bool = False) -> int:
        """Our character offset of Taguette's byte offset ``byte`` (an ``end`` offset stays
        with the text before it, not after a blank line we added)."""
        if not self.anchors:
            return 0
        starts = [a[0] for a in self.anchors]
        i = max((bisect_left(starts, byte) if end else bisect_right(starts, byte)) - 1, 0)
        start_byte, start_char, data = self.anchors[i]
        inside = data.encode("utf-8")[: max(byte - start_byte, 0)].decode("utf-8", errors="ignore")
        return start_char + min(len(inside), len(data))


def _connect(path: Path) -> sqlite3.Connection:
    with path.open("rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            raise RefiError(f"{path}: not an SQLite file; give the .sqlite3 file of a Taguette project")
    uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
    try:
        connection = sqlite3.connect(uri, uri=True)
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise RefiError(f"{path}: the database cannot be read ({exc}); the file is damaged") from None
    missing = sorted(TABLES - tables)
    if missing:
        connection.close()
        raise RefiError(f"{path}: no {', '.join(missing)} table; this SQLite file is not a Taguette project")
    return connection


def _coder(connection: sqlite3.Connection) -> str:
    try:
        members = [row[0] for row in connection.execute("SELECT user_login FROM project_members ORDER BY user_login")]
    except sqlite3.DatabaseError:
        members = []
    return members[0] if len(members) == 1 else "taguette"


def _codebook(rows: list[tuple[int, str, str]], name: str, path: Path) -> tuple[Codebook, dict[int, str]]:
    taken: set[str] = set()
    counters: dict[str, int] = {}
    codes: list[dict[str, Any]] = []
    ids: dict[int, str] = {}
    for tag_id, tag_path, description in rows:
        code_id = _unique(slug(tag_path), taken, counters)
        ids[tag_id] = code_id
        codes.append({"id": code_id, "label": tag_path or code_id, "description": description or ""})
    try:
        return parse_codebook({"name": name, "version": "1", "codes": codes}, source=str(path)), ids
    except CodebookError as exc:
        raise RefiError(f"{path}: its tags do not make a valid codebook: {exc}") from None


def read_taguette(path: str | Path, *, segment_by: str = "auto") -> RefiProject:
    """Read a Taguette project file (``.sqlite3``): documents, tags as a codebook, highlights
    as human codings (see the module docs).

    Returns
    -------
    RefiProject
        ``.corpus``, ``.codebook``, ``.codings`` (``method`` ``human``), ``.users``,
        ``.sources`` and ``.warnings``, as :func:`qualcode.read_qdpx` gives them; save it as
        files with :func:`qualcode.save_project` (``qualcode import`` does both).

    Raises
    ------
    RefiError
        Not an SQLite file, not a Taguette project, or damaged.

    Examples
    --------
    >>> import qualcode as qc
    >>> project = qc.read_taguette("SERDIF_P2_ThematicAnalysis.sqlite3")  # doctest: +SKIP
    >>> project.codings["code"].value_counts().head(3)  # doctest: +SKIP
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"{path}: no such file; check the path")
    connection = _connect(path)
    try:
        try:
            project = connection.execute("SELECT name FROM projects ORDER BY id").fetchone()
        except sqlite3.DatabaseError:
            project = None
        name = str(project[0]) if project and project[0] else path.stem
        coder = _coder(connection)
        documents_rows = connection.execute("SELECT id, name, length(contents) FROM documents ORDER BY id").fetchall()
        tags = connection.execute("SELECT id, path, description FROM tags ORDER BY id").fetchall()
        highlights = connection.execute(
            "SELECT h.document_id, h.start_offset, h.end_offset, t.tag_id FROM highlights h "
            "JOIN highlight_tags t ON t.highlight_id = h.id ORDER BY h.document_id, h.start_offset, h.id, t.tag_id"
        ).fetchall()
        warnings: list[str] = []
        codebook, code_ids = _codebook(tags, name, path)
        doc_ids = _doc_ids([str(row[1] or f"document-{row[0]}") for row in documents_rows])
        documents: list[Document] = []
        parsed: dict[int, tuple[str, _Text]] = {}
        source_rows = []
        for (number, label, size), doc_id in zip(documents_rows, doc_ids, strict=True):
            if size is not None and size > MAX_DOCUMENT_CHARS:
                raise RefiError(
                    f"{path}: document {label!r} holds {size:,} characters, over the {MAX_DOCUMENT_CHARS:,} "
                    "qualcode reads; split it in Taguette"
                )
            html = connection.execute("SELECT contents FROM documents WHERE id = ?", (number,)).fetchone()[0] or ""
            reader = _Text()
            reader.feed(str(html))
            reader.close()
            text = reader.text()
            source_rows.append(
                {
                    C.DOC_ID: doc_id,
                    "guid": str(number),
                    "name": label,
                    "chars": len(text),
                    "offsets": "utf-8 bytes",
                    "text_from": "html",
                }
            )
            if not text.strip():
                warnings.append(f"{path}: document {label!r} has no text; left out")
                continue
            parsed[number] = (doc_id, reader)
            turns, times = _turns(text)
            documents.append(Document(doc_id, f"{path}:{label}", "taguette", text, turns, times=times))
    except sqlite3.DatabaseError as exc:
        raise RefiError(f"{path}: the database cannot be read ({exc}); the file is damaged") from None
    finally:
        connection.close()
    rows: list[dict[str, Any]] = []
    skipped = 0
    for number, start, end, tag_id in highlights:
        if number not in parsed or tag_id not in code_ids:
            skipped += 1
            continue
        doc_id, reader = parsed[number]
        a, b = reader.char_offset(int(start)), reader.char_offset(int(end), end=True)
        if b <= a:
            skipped += 1
            continue
        rows.append(
            {
                C.DOC_ID: doc_id,
                C.START_CHAR: a,
                C.END_CHAR: b,
                C.CODE: code_ids[tag_id],
                C.STATUS: "human",
                C.CODER: coder,
                C.SOURCE: coder,
                **HUMAN_DEFAULTS,
            }
        )
    if skipped:
        warnings.append(f"{path}: {skipped} highlights refer to no document, no tag or an empty span; left out")
    segments = segment_documents(documents, segment_by=segment_by)
    warnings.extend(segments.attrs.get("notes", []))
    corpus = Corpus(documents, segments, list(warnings), segment_by)
    codings = _codings_table(rows, corpus)
    users = pd.DataFrame([{"guid": coder, "id": coder, "name": coder}], columns=["guid", "id", "name"])
    return RefiProject(
        path=str(path),
        name=name,
        origin="Taguette",
        corpus=corpus,
        codebook=codebook,
        codings=codings,
        users=users,
        sources=pd.DataFrame(source_rows, columns=[C.DOC_ID, "guid", "name", "chars", "offsets", "text_from"]),
        warnings=warnings,
    )
