"""Timed or untimed pieces of speech (captions, a speech recogniser's segments) made into one
document: the rule every reader of such pieces shares (:mod:`qualcode.io.subtitles`,
:mod:`qualcode.io.whisper`, :mod:`qualcode.io.recognised`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ..document import Document, TimeSpan, Turn

PAUSE = 2.0  # seconds of silence that part two passages of cues without speakers


@dataclass
class Cue:
    """A caption or a recogniser's segment: who says it (``None``: not said), its words, its
    times in seconds (``None``: a recogniser's text output, which writes none)."""

    speaker: str | None
    text: str
    start: float | None
    end: float | None


def document_from_cues(
    cues: list[Cue], path: Path, *, doc_id: str, fmt: str, encoding: str, notes: Sequence[str] = ()
) -> Document:
    """One :class:`Document` of cues (captions, a speech recogniser's segments): a cue
    without a speaker continues the current one, consecutive cues of one speaker make a turn
    (``Speaker: text``, one paragraph each); cues without any speaker make passages broken at
    pauses of ``PAUSE`` seconds (each cue its own passage when untimed). Every timed cue keeps
    its times."""
    labelled = any(cue.speaker for cue in cues)
    groups: list[list[Cue]] = []
    current: str | None = None
    for cue in cues:
        speaker = cue.speaker or current
        if labelled:
            new_turn = not groups or speaker != current
        else:
            last = groups[-1][-1].end if groups else None
            new_turn = not groups or cue.start is None or last is None or cue.start - last >= PAUSE
        cue = replace(cue, speaker=speaker)
        if new_turn:
            groups.append([cue])
        else:
            groups[-1].append(cue)
        current = speaker
    parts: list[str] = []
    turns: list[Turn] = []
    times: list[TimeSpan] = []
    pos = 0
    for group in groups:
        speaker = group[0].speaker
        prefix = f"{speaker}: " if speaker else ""
        pos += len(prefix)
        start = pos
        for i, cue in enumerate(group):
            if i:
                pos += 1  # the joining space
            if cue.start is not None and cue.end is not None:
                times.append(TimeSpan(pos, pos + len(cue.text), cue.start, cue.end))
            pos += len(cue.text)
        turns.append(Turn(speaker, start, pos))
        parts.append(prefix + " ".join(cue.text for cue in group))
        pos += 2  # "\n\n"
    text = "\n\n".join(parts) + "\n"
    doc = Document(doc_id, str(path), fmt, text, turns, encoding=encoding, times=times)
    doc.notes.extend(notes)
    return doc
