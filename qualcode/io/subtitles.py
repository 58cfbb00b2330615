"""Zoom / Teams / generic WebVTT and SubRip transcripts (webvtt-py).

Speakers come from Teams voice tags (``<v Name>``), Zoom's ``Name: text`` prefix, or
inline ``[NAME]:`` labels. Consecutive cues of one speaker merge into one turn; a cue
without a label continues the current speaker. Unlabelled files merge cues into
passages broken at pauses of ``PAUSE`` seconds or more.

The document text qualcode keeps is one paragraph per turn, ``Speaker: text``; cue
times are kept so every segment has ``start_time`` and ``end_time`` (seconds).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

from ..document import Document, TimeSpan, Turn
from ..errors import InputFileError
from .base import ReadOptions, register_reader
from .decode import read_text
from .speakers import inline_label, parse_time

PAUSE = 2.0
_TIMING = re.compile(r"^\s*(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3}\s*-->\s*(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3}(?:\s.*)?$")
_BLANK = re.compile(r"\n[ \t]*\n")


def check_blocks(text: str, path: Path, fmt: str) -> int:
    """The number of cues in ``text``; an error naming the line of the first block that holds
    text but no timing line a reader can use (such a cue would otherwise vanish silently), or
    a timing that ends before it starts (its segment's times would be wrong)."""
    cues = 0
    offset = 0
    for block in _BLANK.split(text.replace("\r\n", "\n").replace("\r", "\n")):
        lines = block.split("\n")
        first = next((i for i, line in enumerate(lines) if line.strip()), None)
        line_no = text[:offset].count("\n") + 1 + (first or 0)
        offset += len(block) + 2
        if first is None:
            continue
        head = lines[first].strip()
        if fmt == "vtt" and (head.startswith("WEBVTT") or head.split(" ")[0] in ("NOTE", "STYLE", "REGION")):
            continue
        timing = [i for i, line in enumerate(lines) if "-->" in line]
        if not timing or not _TIMING.match(lines[timing[0]]):
            shown = lines[timing[0]].strip() if timing else head
            raise InputFileError(
                f"{path}:{line_no}: a caption whose timing line cannot be read ({shown[:60]!r}); write it as "
                "HH:MM:SS.mmm --> HH:MM:SS.mmm so that its text is not lost"
            )
        start, end = (parse_time(part.strip().split()[0]) for part in lines[timing[0]].split("-->", 1))
        if start is not None and end is not None and end < start:
            raise InputFileError(
                f"{path}:{line_no}: a caption ends before it starts ({lines[timing[0]].strip()[:60]!r}); "
                "correct its timing so that its text keeps its place in time"
            )
        cues += 1
    return cues


@dataclass
class _Cue:
    speaker: str | None
    text: str
    start: float
    end: float


def _cues(path: Path, fmt: str, encoding: str | None) -> tuple[list[_Cue], str, str | None]:
    try:
        import webvtt
    except ImportError as exc:  # pragma: no cover - a dependency of the default install
        raise InputFileError(f"{path}: reading .{fmt} needs webvtt-py; pip install webvtt-py") from exc
    text, used, note = read_text(path, encoding)
    expected = check_blocks(text, path, fmt)
    try:
        captions = webvtt.from_buffer(io.StringIO(text), format=fmt)
    except Exception as exc:  # webvtt raises its own MalformedFileError / MalformedCaptionError
        reason = str(exc).strip() or type(exc).__name__
        raise InputFileError(f"{path}: not a valid {fmt.upper()} file ({reason}); check the cue timings") from None
    if len(captions.captions) != expected:
        raise InputFileError(
            f"{path}: {expected} captions in the file but {len(captions.captions)} could be read; "
            "check the cue timings and the blank lines between cues"
        )
    cues = []
    for caption in captions.captions:
        body = " ".join(line.strip() for line in caption.text.splitlines() if line.strip())
        speaker = caption.voice.strip() if caption.voice else None
        if not speaker:
            label = inline_label(body)
            if label:
                speaker, body = label
        if body:
            cues.append(_Cue(speaker, body, parse_time(caption.start) or 0.0, parse_time(caption.end) or 0.0))
    return cues, used, note


def read_subtitle_file(path: Path, *, doc_id: str, encoding: str | None = None) -> Document:
    """Read a .vtt or .srt transcript into one :class:`Document`."""
    fmt = path.suffix.lower().lstrip(".")
    cues, used, note = _cues(path, fmt, encoding)
    if not cues:
        raise InputFileError(f"{path}: no captions with text; check that it is a {fmt.upper()} transcript")
    labelled = any(cue.speaker for cue in cues)
    # group cues into turns
    groups: list[list[_Cue]] = []
    current: str | None = None
    for cue in cues:
        speaker = cue.speaker or current
        if labelled:
            new_turn = not groups or speaker != current
        else:
            new_turn = not groups or cue.start - groups[-1][-1].end >= PAUSE
        cue.speaker = speaker
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
            times.append(TimeSpan(pos, pos + len(cue.text), cue.start, cue.end))
            pos += len(cue.text)
        turns.append(Turn(speaker, start, pos))
        parts.append(prefix + " ".join(cue.text for cue in group))
        pos += 2  # "\n\n"
    text = "\n\n".join(parts) + "\n"
    doc = Document(doc_id, str(path), fmt, text, turns, encoding=used, times=times)
    if note:
        doc.notes.append(note)
    return doc


@register_reader(".vtt", ".srt", name="subtitles")
def _read(path: Path, options: ReadOptions) -> list[Document]:
    return [read_subtitle_file(path, doc_id=path.stem, encoding=options.encoding)]
