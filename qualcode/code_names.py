"""How coding sheets write codes and their absence: a number before a code's name
(``8 - Press for Accuracy``), cells saying that no code applies (``none``, ``1 - None``),
columns of 1/0 cells (a code each), and codes joined by another separator than ``;``."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .codebook import Codebook

NO_CODE = frozenset({"none", "no code", "no codes", "nothing", "n/a", "-", "\u2013", "\u2014"})
"""A ``codes`` cell holding only one of these (any letter case) says that no code applies, as an
empty cell does, but on purpose: ``none`` is what a researcher writes."""

NUMBERED = re.compile(r"^\(?\d{1,3}(?:\.\d{1,3})*\)?\.?\s*[-\u2013\u2014:.)]?\s+(?=\S)")
"""A number before a code's name, as coding sheets number their codes: ``8 - Press for Accuracy``,
``1.2 Staffing``, ``3) Relate``, ``2. Personnel``."""


def unnumbered(value: str) -> str:
    """``value`` without a leading number (:data:`NUMBERED`).

    >>> unnumbered("8 - Press for Accuracy"), unnumbered("1.2 Staffing"), unnumbered("covid_lessons")
    ('Press for Accuracy', 'Staffing', 'covid_lessons')
    """
    return NUMBERED.sub("", value.strip(), count=1)


def says_no_code(value: str) -> bool:
    """Whether a cell of codes says that no code applies (:data:`NO_CODE`, numbered or not:
    ``None``, ``N/A``, ``1 - None`` as TalkMoves' sheets write it).

    >>> says_no_code("1 - None"), says_no_code(" n/a "), says_no_code("personnel")
    (True, True, False)
    """
    return " ".join(unnumbered(value).lower().split()) in NO_CODE


MARKED = frozenset({"1", "1.0", "x", "yes", "y", "true", "\u2713", "\u2714"})
"""Cells of an indicator column (one column per code, as survey coding in a spreadsheet or
SPSS keeps them) that say the code applies."""
UNMARKED = frozenset({"0", "0.0", "no", "n", "false"})
"""... and that it does not: the row was coded, without that code."""


def is_indicator(values: Iterable[object]) -> bool:
    """Whether a column of codes is an indicator column: every filled cell one of
    :data:`MARKED` or :data:`UNMARKED` (``1``/``0``, ``x``, ``yes``/``no``), the code being the
    column's name.

    >>> is_indicator(["1", "0", "", "1"]), is_indicator(["x", None]), is_indicator(["personnel", "1"])
    (True, True, False)
    """
    filled = [str(value).strip().lower() for value in values if value is not None and str(value).strip()]
    return bool(filled) and set(filled) <= MARKED | UNMARKED


def joined_codes(unknown: Sequence[str], codebook: Codebook) -> tuple[str, str] | None:
    """The separator and the first unknown code that is codes of ``codebook`` joined by
    another separator than ``;`` (``personnel, strength``), if any."""
    from .codebook import name_key

    names = {name_key(name) for code, _, _ in codebook.walk() for name in (code.id, code.label or "", *code.formerly)}
    for value in unknown:
        for mark in (",", "|", "/", "+"):
            parts = [part for part in value.split(mark) if part.strip()]
            if len(parts) > 1 and all(name_key(unnumbered(part)) in names for part in parts):
                return mark, value
    return None
