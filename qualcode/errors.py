"""Errors raised by qualcode.

Every error a user can cause is a :class:`QualcodeError`. Each subclass also
inherits the builtin exception it resembles, so ``except ValueError`` keeps
working for callers who do not know qualcode. Messages are one line: they name
the file, the place and the fix. The command line prints them without a
traceback and exits non-zero.
"""

from __future__ import annotations

from collections.abc import Sequence


class QualcodeError(Exception):
    """Base class of every error a user of qualcode can cause."""


class InputFileError(QualcodeError, OSError):
    """A file is missing, unreadable, empty, binary or of an unknown format."""


class DecodeError(QualcodeError, UnicodeError):
    """A text file could not be decoded."""


class CodebookError(QualcodeError, ValueError):
    """A codebook is not valid YAML or breaks the codebook schema.

    ``problems`` lists every problem found, each as ``location: message``.
    """

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems: list[str] = list(problems or [])


class MetadataError(QualcodeError, KeyError):
    """Participant metadata cannot be joined or read."""

    def __str__(self) -> str:  # KeyError quotes its argument; we want the plain line
        return str(self.args[0]) if self.args else ""


class ColumnError(QualcodeError, KeyError):
    """A table lacks a column the operation needs."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class OutputError(QualcodeError, OSError):
    """An output file cannot be written."""


class ModelError(QualcodeError, RuntimeError):
    """A language or embedding model is missing, broken or misbehaves."""


class NoHumanCodesError(ColumnError):
    """A codings table holds no human codes: no row at all (``empty``), or, one qualcode
    wrote, no human or accepted row (only its own suggestions)."""

    empty: bool = False


class OptionError(QualcodeError, ValueError):
    """An option has a value outside its allowed set.

    ``option`` names the Python parameter at fault (``segment_by``); the command line shows
    it as its flag (``--segment-by``).
    """

    def __init__(self, message: str, option: str | None = None) -> None:
        super().__init__(message)
        self.option = option


class RefiError(QualcodeError, ValueError):
    """A REFI-QDA file (.qdpx, .qdc) is broken, unsafe to open, or refers to what it does not hold."""


class NotFittedError(QualcodeError, AttributeError):
    """A matcher was asked to score before it was fitted."""


class QualcodeWarning(UserWarning):
    """Something a researcher should know about a result that is still computed (a blank
    group, codings that map to no segment). The command line prints it as a ``warning:`` line."""


def check_score(value: float | None, option: str) -> None:
    """Refuse a score bound outside 0–1 (``--accept-above 70`` meaning 0.70 accepted nothing)."""
    if value is not None and not 0.0 <= float(value) <= 1.0:
        raise OptionError(
            f"{option} {value:g}: scores run from 0 to 1; write {value / 100:g} for {value:g}%"
            if 5 <= float(value) <= 100
            else f"{option} {value:g}: scores run from 0 to 1",
            option=option.lstrip("-").replace("-", "_"),
        )


def listed(items: Sequence[str], show: int = 3, sep: str = ", ") -> str:
    """The first ``show`` of ``items`` joined, and how many more (``'a', 'b' and 4 more``):
    how a one-line message names what it is about."""
    shown = sep.join(items[:show])
    return shown + (f" and {len(items) - show} more" if len(items) > show else "")


def counted(n: int, word: str) -> str:
    """``n`` and ``word``, plural unless one (``1 user``, ``2 users``): how a message counts."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def require_table(value: object, what: str, fix: str) -> None:
    """A table argument that is not a DataFrame (a file's path, in a notebook) is an error
    saying what to give (``fix``), not an AttributeError deep inside."""
    import pandas as pd

    if not isinstance(value, pd.DataFrame):
        raise OptionError(f"{what}: a {type(value).__name__}, not a table; {fix}")


def nearest(word: str, choices: Sequence[str], cutoff: float = 0.6) -> str | None:
    """The one of ``choices`` ``word`` most likely misspells (difflib; case ignored), or None:
    what a "did you mean" names."""
    import difflib

    lower = {choice.lower(): choice for choice in choices}
    found = difflib.get_close_matches(word.strip().lower(), list(lower), n=1, cutoff=cutoff)
    return lower[found[0]] if found else None
