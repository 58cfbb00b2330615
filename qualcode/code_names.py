"""How coding sheets write codes and their absence: a number before a code's name
(``8 - Press for Accuracy``), cells saying that no code applies (``none``, ``1 - None``),
columns of 1/0 cells (a code each), and codes joined by another separator than ``;``."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
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


def unknown_codes(rows: Mapping[str, int], codebook: Codebook) -> str:
    """What to say of codes not in ``codebook`` (each with its number of ``rows``): codes
    joined by another separator than ``;``; else every one at once (up to 6), most used first,
    spellings of one name together (``'7 - Context' (1,377 rows, also '7 - context')``), each
    with the code it most likely means; and the fix."""
    from .codebook import name_key
    from .codings import closest_code
    from .errors import counted, listed

    joined = joined_codes(sorted(rows, key=lambda code: (-rows[code], code)), codebook)
    if joined:  # "personnel, strength": several codes in one cell, split by another separator
        return (
            f"{joined[1]!r} names codes of codebook {codebook.name!r} separated by {joined[0]!r}; give that "
            f"separator (--codes-separator {joined[0]!r} for a sheet's column of codes), or write one code per row "
            "(a codings file) or separate codes with ';'"
        )
    spellings: dict[str, list[str]] = {}
    for code in rows:
        spellings.setdefault(name_key(unnumbered(code)), []).append(code)
    total = {key: sum(rows[code] for code in codes) for key, codes in spellings.items()}
    keys = sorted(spellings, key=lambda key: (-total[key], key))  # the most used first: fixed first
    if len(rows) == 1:
        code = next(iter(rows))
        near = closest_code(code, codebook)
        return (
            f"code {code!r} is not in codebook {codebook.name!r}" + (f" (did you mean {near!r}?)" if near else "")
            + "; add it to the codebook, or list it under the code it became as `formerly: [...]` (a code renamed "
            "or merged), or rename it in the codings"
        )  # fmt: skip
    named = []
    for key in keys:
        codes = sorted(spellings[key], key=lambda code: (-rows[code], code))
        near = closest_code(codes[0], codebook)
        also = f", also {', '.join(map(repr, codes[1:]))}" if len(codes) > 1 else ""
        named.append(
            f"{codes[0]!r} ({counted(int(total[key]), 'row')}{also}{f', did you mean {near!r}?' if near else ''})"
        )
    return (
        f"{counted(len(rows), 'code')} {'is' if len(rows) == 1 else 'are'} not in codebook {codebook.name!r}: "
        f"{listed(named, 6)}; add each to the codebook, or list it under the code it became as `formerly: [...]` (a "
        "code renamed, merged or spelled otherwise), or rename it in the codings"
    )
