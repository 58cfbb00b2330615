"""The in-memory form of one transcript, shared by every reader."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Turn:
    """A span of the document's text said by one speaker (``None`` when unknown)."""

    speaker: str | None
    start: int
    end: int
    metadata: dict[str, Any] = field(default_factory=dict, compare=False)  # per-turn values (a table row's)


@dataclass(frozen=True)
class TimeSpan:
    """A span of text with the media times it covers (a subtitle cue, an Otter turn)."""

    start: int
    end: int
    start_time: float | None
    end_time: float | None


@dataclass
class Document:
    """One transcript: the text qualcode keeps, its turns, timing and metadata.

    ``text[turn.start:turn.end]`` is the text of each turn; every offset qualcode
    reports refers to ``text``.
    """

    doc_id: str
    path: str
    format: str
    text: str
    turns: list[Turn]
    encoding: str = "utf-8"
    sha256: str = ""
    times: list[TimeSpan] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    codes: list[tuple[int, int, str, str]] = field(default_factory=list)  # (start, end, code, coder) read with it
    no_codes: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, coder): coded "none"

    @property
    def has_speakers(self) -> bool:
        """True when at least one turn has a named speaker."""
        return any(turn.speaker for turn in self.turns)


def nfc(text: str) -> str:
    """``text`` in Unicode's composed form (NFC): a document id, a metadata key or a codings
    row's document, the same however a file system or a keyboard spelled its letters (a Mac's
    file names are decomposed: ``e`` and a combining diaeresis for ``ë``)."""
    return unicodedata.normalize("NFC", text)
