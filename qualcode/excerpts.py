"""Human codes as excerpts: the coded words themselves, found in the transcripts.

Most tools export coded passages as their words rather than as offsets: Taguette's highlights
CSV (``document, tag, content``), MAXQDA's coded segments (``Document name, Code, Segment``),
ATLAS.ti's quotations (``Document, Codes, Quotation Content``), or a spreadsheet a team filled
in by pasting the words they coded. :func:`read_codings` reads such a table when it has neither
offsets nor segment ids (:func:`excerpt_form`); :func:`place_excerpts` finds each excerpt in
its document's text and returns the usual span form, so the codes teach (``tag --train``),
are compared (``agree``) and are measured against (``evaluate``) as codes made in qualcode.

Finding an excerpt: its exact words first, else the same words with letter case, spacing,
curly quotes, dashes and HTML entities made alike (the offsets are the transcript's own). A
document is named by its ``doc_id`` or its file name (``interview1.docx`` is ``interview1``).
Words found more than once in a document (``(The participant reads the task again)``) are
placed at the first place at or after the previous excerpt of that document, not already
given the same code; a warning counts them. An excerpt not found, or a document not among
the inputs, is an error naming the line and the fix: codes are never dropped silently.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from . import columns as C
from .corpus import Corpus
from .document import nfc
from .errors import ColumnError, OptionError, require_table

EXCERPT = "excerpt"  # the column of an excerpt-form codings table, before its words are placed
LINE = "line"  # the file's line of each row, for errors
DOCUMENT_NAMES = (
    "doc_id",
    "document",
    "document name",
    "documents",
    "file",
    "file name",
    "filename",
    "source",
    "respondent",  # a survey's answers are documents named by their respondent or response id
    "response id",
    "responseid",
)
CODE_NAMES = ("code", "codes", "tag", "tags", "code name")
EXCERPT_NAMES = (
    "excerpt",
    "content",
    "quotation content",
    "quotation",
    "quote",
    "segment",
    "coded segment",
    "highlight",
    "selection",
    "text",
)
CODER_NAMES = ("coder", "user", "created by", "modified by", "author")
FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})


def _plain(name: object) -> str:
    return " ".join(str(name).replace("_", " ").lower().split())


def _pick(columns: list[str], names: tuple[str, ...]) -> str | None:
    plain = {_plain(column): column for column in reversed(columns)}  # the first of equals
    return next((plain[_plain(name)] for name in names if _plain(name) in plain), None)


def excerpt_form(columns: list[str]) -> dict[str, str] | None:
    """The columns of an excerpt-form table (document, code, excerpt and, if any, coder),
    or None when ``columns`` lack one of the first three."""
    found = {
        C.DOC_ID: _pick(columns, DOCUMENT_NAMES),
        C.CODE: _pick(columns, CODE_NAMES),
        EXCERPT: _pick(columns, EXCERPT_NAMES),
    }
    if any(value is None for value in found.values()) or len(set(found.values())) < 3:
        return None
    coder = _pick(columns, CODER_NAMES)
    return {key: str(value) for key, value in found.items()} | ({"coder": coder} if coder else {})


def read_excerpts(frame: pd.DataFrame, path: Path, columns: dict[str, str], default_coder: str) -> pd.DataFrame:
    """Rows ``doc_id, code, coder, excerpt, line`` of an excerpt-form table; a cell of several
    codes (one per line, or separated by ``;``) gives one row each."""
    given = frame[columns[EXCERPT]].astype(str).str.strip()
    if len(given) and given.str.fullmatch(r"-?\d+").all():  # ids, not words: a segment-form file misnamed
        raise ColumnError(
            f"{path}: column {columns[EXCERPT]!r} holds whole numbers, not the coded words; if they are segment ids, "
            "name the column segment_id"
        )
    rows = []
    for number, record in zip(frame.index, frame.to_dict("records"), strict=True):
        line = int(number) + 2  # the header is line 1
        document = str(record[columns[C.DOC_ID]] or "").strip()
        words = str(record[columns[EXCERPT]] or "")
        cell = str(record[columns[C.CODE]] or "")
        if not document:
            raise ColumnError(f"{path}:{line}: {columns[C.DOC_ID]} is empty; fill it in or delete the row")
        if not words.strip():
            raise ColumnError(f"{path}:{line}: {columns[EXCERPT]} is empty; paste the coded words or delete the row")
        codes = [code.strip() for code in re.split(r"[;\r\n]", cell) if code.strip()]
        if not codes:
            raise ColumnError(f"{path}:{line}: {columns[C.CODE]} is empty; fill it in or delete the row")
        coder = str(record.get(columns.get("coder", ""), "") or "").strip() or default_coder
        rows += [{C.DOC_ID: document, C.CODE: code, "coder": coder, EXCERPT: words, LINE: line} for code in codes]
    out = pd.DataFrame(rows, columns=[C.DOC_ID, C.CODE, "coder", EXCERPT, LINE])
    out.attrs["source"] = str(path)
    return out


def is_excerpts(codings: pd.DataFrame) -> bool:
    """Whether ``codings`` are excerpts not yet placed (no offsets, no segment ids)."""
    return EXCERPT in codings.columns and C.START_CHAR not in codings.columns and C.SEGMENT_ID not in codings.columns


READ_FIRST = "read the file first: qc.read_codings(PATH) for human codes, qc.read_coded(PATH) for a tag output"


def require_placed(codings: pd.DataFrame) -> None:
    """Refuse excerpts not yet placed where offsets or segments are needed.

    Raises
    ------
    ColumnError
        Naming the fix: :func:`place_excerpts` with the transcripts.
    """
    require_table(codings, "codings", READ_FIRST)
    if is_excerpts(codings):
        raise ColumnError(
            f"{codings.attrs.get('source', 'codings')}: its codes are excerpts (the coded words, no offsets): "
            "find them in the transcripts first, qc.place_excerpts(codings, corpus)"
        )


def document_of(name: str, ids: set[str]) -> str | None:
    """The document ``name`` means among ``ids``: itself, or its file name without the
    extension (``interview1.docx`` → ``interview1``), or the one document of that name in a
    folder (``d01/interview1``, ids named by folder: ``--ids folder``)."""
    name = nfc(name)
    if name in ids:
        return name
    stem = Path(name).stem
    if stem in ids:
        return stem
    in_folders = [doc for doc in ids if doc.rpartition("/")[2] in (name, stem)]
    return in_folders[0] if len(in_folders) == 1 else None


def folded_text(text: str) -> tuple[str, np.ndarray]:
    """``text`` with case, spacing, quotes and dashes made alike, and for each of its
    characters the offset in ``text`` it came from."""
    chars: list[str] = []
    where: list[int] = []
    space = True  # no leading space
    for i, char in enumerate(text):
        if char.isspace():
            if not space:
                chars.append(" ")
                where.append(i)
            space = True
            continue
        for piece in unicodedata.normalize("NFKC", char).translate(FOLD).casefold():
            chars.append(piece)
            where.append(i)
        space = False
    return "".join(chars), np.asarray(where, dtype=np.int64)


def folded_of(folded: dict[str, tuple[str, np.ndarray]], doc: str, text: str) -> tuple[str, np.ndarray]:
    """``folded_text(text)``, made once per ``doc`` and kept in ``folded``."""
    if doc not in folded:
        folded[doc] = folded_text(text)
    return folded[doc]


def fold_words(words: str) -> str:
    """``words`` as :func:`folded_text` makes them, entities (``&amp;``) read as characters."""
    return folded_text(html.unescape(words).strip())[0].strip()


def _starts(needle: str, haystack: str) -> list[int]:
    """Where ``needle`` starts in ``haystack``, occurrences not overlapping (``str.find``: a
    regular expression compiled from each long excerpt cost 60% of placing them)."""
    starts: list[int] = []
    at = haystack.find(needle)
    while at >= 0:
        starts.append(at)
        at = haystack.find(needle, at + len(needle))
    return starts


def occurrences(words: str, text: str, folded: Callable[[], tuple[str, np.ndarray]]) -> list[tuple[int, int]]:
    """Every place of ``words`` in ``text`` (start and end offsets): the exact words, or when
    they occur nowhere, the words made alike in ``folded()`` (``folded_text(text)``, asked
    for only then)."""
    exact = words.strip()
    found = [(at, at + len(exact)) for at in _starts(exact, text)] if exact else []
    if found:
        return found
    needle = fold_words(words)
    if not needle:
        return []
    haystack, where = folded()
    return [(int(where[at]), int(where[at + len(needle) - 1]) + 1) for at in _starts(needle, haystack)]


def place_excerpts(codings: pd.DataFrame, texts: Corpus | dict[str, str]) -> pd.DataFrame:
    """Excerpt-form ``codings`` as span form (``doc_id, start_char, end_char, code, coder``)
    in the documents of ``texts`` (a :class:`~qualcode.Corpus`, or doc_id -> the document's
    text); other codings as they are.

    >>> import qualcode as qc
    >>> corpus = qc.read_transcripts("examples/interviews")
    >>> words = pd.DataFrame({"doc_id": ["d02_superintendent.docx"], "code": ["personnel"],
    ...                       "coder": ["ana"], "line": [2],
    ...                       "excerpt": ["we fund a Counselor in every  elementary school"]})
    >>> qc.place_excerpts(words, corpus)[["doc_id", "start_char", "end_char", "code"]].values.tolist()
    [['d02_superintendent', 567, 613, 'personnel']]

    Raises
    ------
    ColumnError
        A document not among ``texts``, or words not in its text (with the file's line).
    """
    require_table(codings, "codings", READ_FIRST)
    if not is_excerpts(codings):
        return codings
    if isinstance(texts, Corpus):
        texts = {doc.doc_id: doc.text for doc in texts.documents}
    import warnings

    from .errors import QualcodeWarning

    source = codings.attrs.get("source", "codings")
    ids = set(texts)
    folded: dict[str, tuple[str, np.ndarray]] = {}
    after: dict[str, int] = {}
    taken: set[tuple[str, str, int]] = set()
    rows, repeated, missing = [], 0, []
    for name, code, coder, words, line in codings[[C.DOC_ID, C.CODE, "coder", EXCERPT, LINE]].itertuples(index=False):
        doc = document_of(str(name), ids)
        if doc is None:
            shown = ", ".join(sorted(ids)[:8]) + (" …" if len(ids) > 8 else "")
            raise ColumnError(
                f"{source}:{line}: document {name!r} is not among the inputs (documents are: {shown}); give its "
                "transcript as an input too, or write its name as one of these"
            )
        places = occurrences(str(words), texts[doc], partial(folded_of, folded, doc, texts[doc]))
        if not places:
            missing.append((line, doc, str(words)))
            continue
        if len(places) > 1:
            repeated += 1
            free = [p for p in places if (doc, code, p[0]) not in taken] or places
            places = [p for p in free if p[0] >= after.get(doc, 0)] or free
        start, end = places[0]
        taken.add((doc, code, start))
        after[doc] = start
        rows.append({C.DOC_ID: doc, C.START_CHAR: start, C.END_CHAR: end, C.CODE: code, "coder": coder})
    if missing:
        line, doc, words = missing[0]
        shown = " ".join(words.split())
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        raise ColumnError(
            f"{source}:{line}: the words {shown!r} are not in {doc}'s text{more}; copy them from the transcript "
            "qualcode reads, or delete the row"
        )
    if repeated:
        warnings.warn(
            QualcodeWarning(
                f"{source}: {repeated} of its {len(codings)} excerpts occur more than once in their document; each was "
                "placed at the first such place after the document's previous excerpt (give offsets to decide)"
            ),
            stacklevel=2,
        )
    out = pd.DataFrame(rows, columns=[C.DOC_ID, C.START_CHAR, C.END_CHAR, C.CODE, "coder"])
    out[[C.START_CHAR, C.END_CHAR]] = out[[C.START_CHAR, C.END_CHAR]].astype("int64")
    out.attrs = {key: value for key, value in codings.attrs.items()}
    out.attrs["excerpts"] = len(rows)
    return out


def place_all(frames: list[pd.DataFrame], corpus: Corpus | None) -> list[pd.DataFrame]:
    """Each of ``frames`` with its excerpts placed in ``corpus``'s texts (other forms as they are).

    Raises
    ------
    OptionError
        Excerpts and no transcripts to find them in.
    """
    if not any(is_excerpts(frame) for frame in frames):
        return frames
    if corpus is None:
        raise OptionError(
            "codings given as excerpts (the coded words) are found in the transcripts: pass them as inputs",
            option="inputs",
        )
    texts = {doc.doc_id: doc.text for doc in corpus.documents}
    return [place_excerpts(frame, texts) for frame in frames]
