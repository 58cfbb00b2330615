"""Codebook regular expressions, compiled with RE2 (``google-re2``): matching takes time
linear in the text, so a pattern such as ``(a+)+$`` cannot hang a run (Python's ``re``
backtracks exponentially on it). RE2 has no look-around and no back-references; a pattern
using them is reported when the codebook is loaded.

Patterns match case-insensitively unless they turn that off with ``(?-i)``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

MAX_PATTERN_CHARS = 1000
MAX_PROGRAM_BYTES = 8 << 20  # RE2's memory budget for one compiled pattern


@lru_cache(maxsize=4096)
def compile_pattern(pattern: str) -> Any:
    """The compiled RE2 pattern, or ValueError naming what RE2 cannot do."""
    import re2

    if len(pattern) > MAX_PATTERN_CHARS:
        raise ValueError(f"is {len(pattern)} characters long, over the {MAX_PATTERN_CHARS} allowed; shorten it")
    options = re2.Options()
    options.log_errors = False
    options.max_mem = MAX_PROGRAM_BYTES
    options.case_sensitive = "(?-i" in pattern
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        reason = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise ValueError(f"is not a valid regular expression for qualcode ({reason}); {_fix(reason)}") from None


def _fix(reason: str) -> str:
    """What to do about RE2's complaint ``reason``: the advice that fits the construct named."""
    escape = reason.partition("invalid escape sequence: ")[2]
    operator = reason.partition("invalid perl operator: ")[2]
    if escape[1:2].isdigit() or escape.startswith("\\k") or operator.startswith("(?P"):
        return "back-references (\\1) are not supported: rewrite it without them"
    if escape.startswith("\\Z"):
        return "write \\z (or $) for the end of the text: RE2 has no \\Z"
    if escape:
        return f"{escape} is no escape RE2 knows: write the character without the backslash (or \\\\ for a backslash)"
    if operator.startswith(("(?=", "(?!", "(?<")):
        return "look-around (?<= ?= ?! ?<!) is not supported: rewrite it without it (\\b for a word boundary)"
    if operator:
        return f"{operator} is not supported by RE2: rewrite it without it"
    return "correct it (a bracket, parenthesis or quantifier out of place)"
