"""Selection offsets in REFI-QDA files: which unit they count, and conversion to characters.

The standard counts characters (Unicode code points) of the source's plain text. Real
exports differ: NVivo counts UTF-16 code units (an emoji is two), and a program may count a
Windows line end (CR LF) as two characters or, having normalised it, as one. qualcode keeps
text with LF line ends and counts code points, so each source's offsets are read in the unit
that fits them best:

- a unit in which some selection ends beyond the text is ruled out;
- of the rest, the one whose selections least often start or end inside a word wins
  (a shifted offset cuts words); on a tie, code points of the file's text (the standard),
  unless the file was made by NVivo, whose UTF-16 counting is then assumed, or by ATLAS.ti,
  which counts a CR LF once.

qualcode's own files count characters of LF text, and are read so without guessing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

_CRLF = re.compile(r"\r\n?")


@dataclass(frozen=True)
class Unit:
    """One way of counting offsets: ``positions[i]`` is the offset, in that unit, of the
    normalised text's character ``i`` (one entry more than the text's length)."""

    name: str
    positions: np.ndarray

    def to_chars(self, offsets: np.ndarray) -> np.ndarray:
        """Offsets in this unit → character offsets into the normalised text."""
        return np.searchsorted(self.positions, offsets, side="left")

    def from_chars(self, chars: np.ndarray) -> np.ndarray:
        return self.positions[chars]


def normalise(raw: str) -> tuple[str, np.ndarray]:
    """Text with LF line ends and no BOM, and for each of its characters the number of
    characters it stood for in ``raw`` (2 for an LF that was CR LF)."""
    raw = raw.removeprefix("\ufeff")
    widths: list[int] = []
    parts: list[str] = []
    pos = 0
    for match in _CRLF.finditer(raw):
        parts.append(raw[pos : match.start()])
        widths.extend([1] * (match.start() - pos))
        parts.append("\n")
        widths.append(len(match.group()))
        pos = match.end()
    parts.append(raw[pos:])
    widths.extend([1] * (len(raw) - pos))
    return "".join(parts), np.asarray(widths, dtype=np.int64)


def units(text: str, crlf_widths: np.ndarray) -> list[Unit]:
    """The distinct candidate units for a text, standard first."""
    utf16 = np.fromiter((2 if ord(ch) > 0xFFFF else 1 for ch in text), dtype=np.int64, count=len(text))
    candidates = [
        ("characters", crlf_widths),
        ("UTF-16 code units", crlf_widths * utf16),
        ("characters, CR LF counted once", np.ones(len(text), dtype=np.int64)),
        ("UTF-16 code units, CR LF counted once", utf16),
    ]
    out: list[Unit] = []
    for name, widths in candidates:
        positions = np.concatenate([[0], np.cumsum(widths)]).astype(np.int64)
        if not any(np.array_equal(positions, seen.positions) for seen in out):
            out.append(Unit(name, positions))
    return out


def _cuts_words(text: str, chars: np.ndarray) -> int:
    """How many of these character offsets fall inside a word."""
    count = 0
    for pos in chars.tolist():
        if 0 < pos < len(text) and text[pos - 1].isalnum() and text[pos].isalnum():
            count += 1
    return count


def choose_unit(text: str, crlf_widths: np.ndarray, offsets: Sequence[int], *, origin: str = "") -> Unit:
    """The unit that fits these selection offsets best (module docs); ``origin`` is the program
    that wrote the file (qualcode's own files count characters: nothing is guessed)."""
    known = origin.startswith("qualcode ")
    candidates = units(text, crlf_widths)
    if known or len(candidates) == 1 or not len(offsets):
        return candidates[0]
    values = np.asarray(offsets, dtype=np.int64)
    fitting = [unit for unit in candidates if values.max() <= unit.positions[-1]] or candidates[:1]
    preferred = ["characters"]
    if "nvivo" in origin.lower():
        preferred = ["UTF-16 code units", "characters"]
    elif "atlas" in origin.lower():
        preferred = ["characters, CR LF counted once", "UTF-16 code units, CR LF counted once", "characters"]
    order = {name: rank for rank, name in enumerate(preferred)}

    def cost(item: tuple[int, Unit]) -> tuple[int, int, int]:
        index, unit = item
        return (_cuts_words(text, unit.to_chars(values)), order.get(unit.name, len(order)), index)

    return min(enumerate(fitting), key=cost)[1]
