"""Human codes made in Word: a transcript coded with comments, each comment on the words it
codes and naming the code (``caring_climate``, or its label ``Caring climate``; several
separated by ``;`` or line breaks; a remark may follow a code's name: ``caring_climate - a
strong example``).

Many researchers code without a QDA program: they select a passage in Word and comment it
with the code. :func:`qualcode.read_codings` reads such a ``.docx`` (or a LibreOffice
``.odt``) as span codings: the
document is the file's name (as when the file is a transcript of the run), each comment's
range its passage, in a table cell too (a comment without a range covers its paragraph or
table row),
its author the coder.
A document holding a comment is coded throughout, as every codings file's documents are:
its passages without a comment are examples of no code. Comments that name no code of the
codebook (a note to oneself) are left out when a codebook reads them, and said
(:func:`keep_named_codes`).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pandas as pd

from . import columns as C
from .codebook import Codebook
from .errors import InputFileError, QualcodeWarning, counted, listed

COMMENTS = "comments"  # attrs key: the codings came from Word comments
SUFFIXES = (".docx", ".odt")  # word processor files whose comments are read as codes
_SEPARATORS = re.compile(r"[;\n]+")


def comment_codings(path: Path, default_coder: str) -> pd.DataFrame:
    """The codes of a Word transcript's comments (module docs), span form."""
    from .io.docx import docx_comments
    from .io.odt import odt_comments

    _, comments = odt_comments(path) if path.suffix.lower() == ".odt" else docx_comments(path)
    rows = []
    for comment in comments:
        for name in _SEPARATORS.split(comment["text"]):
            if name.strip():
                rows.append(
                    {
                        C.DOC_ID: path.stem,
                        C.START_CHAR: comment["start"],
                        C.END_CHAR: comment["end"],
                        C.CODE: name.strip(),
                        C.CODER: comment["author"] or default_coder,
                    }
                )
    if not rows:
        raise InputFileError(
            f"{path}: no comments on its text; code a Word transcript by commenting each passage with its code's "
            "name, or give a codings CSV"
        )
    frame = pd.DataFrame(rows, columns=[C.DOC_ID, C.START_CHAR, C.END_CHAR, C.CODE, C.CODER])
    frame = frame.drop_duplicates().reset_index(drop=True)
    frame.attrs["source"] = str(path)
    frame.attrs[COMMENTS] = True
    return frame


def _leading_codes(codings: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """A comment that starts with a code's id or label and goes on with a remark
    (``caring_climate - a strong example``, ``Personnel: hired two``) codes that code."""
    from .codebook import name_key

    names = sorted(
        ((name_key(name), code) for code in codebook.ids for name in (code, codebook.get(code).label) if name.strip()),
        key=lambda item: -len(item[0]),
    )
    known = set(codebook.ids)

    def leading(text: str) -> str:
        if text in known:
            return text
        key = name_key(text)
        for name, code in names:  # the longest name first: "covid lessons learned" before "covid"
            if key.startswith(name) and len(key) > len(name) and not key[len(name)].isalnum():
                return code
        return text

    out = codings.assign(**{C.CODE: codings[C.CODE].map(leading)})
    out.attrs = dict(codings.attrs)
    return out


def keep_named_codes(codings: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Codings read from Word comments without the comments that name no code of
    ``codebook`` (notes), with a warning quoting them; other codings as they are (a code
    they name that the codebook lacks stays an error where it was)."""
    if not codings.attrs.get(COMMENTS):
        return codings
    codings = _leading_codes(codings, codebook)
    notes = ~codings[C.CODE].isin(set(codebook.ids))
    if not notes.any():
        return codings
    from .codings import closest_code

    said = []
    for text in dict.fromkeys(codings.loc[notes, C.CODE]):
        near = closest_code(text, codebook)  # named by its id
        shown = repr(text if len(text) <= 40 else text[:39] + "…")
        said.append(f"{shown} (did you mean {near!r}?)" if near else shown)
    warnings.warn(
        QualcodeWarning(
            f"{codings.attrs.get('source', 'comments')}: {counted(int(notes.sum()), 'comment')} "
            f"{'names' if notes.sum() == 1 else 'name'} no code of the codebook ({listed(said, 4)}): read as "
            f"{'a note' if notes.sum() == 1 else 'notes'}, not codes; write a code's id or label in a comment to "
            "code its words"
        ),
        stacklevel=3,
    )
    out = codings[~notes].reset_index(drop=True)
    out.attrs = dict(codings.attrs)
    return out
