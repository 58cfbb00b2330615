"""Zoom / Teams / generic WebVTT and SubRip transcripts (webvtt-py).

Speakers come from Teams voice tags (``<v Name>``), Zoom's ``Name: text`` prefix, or
inline ``[NAME]:`` labels (``>> NAME:`` in broadcast captions), whisper.cpp's ``(speaker 0)``
(:mod:`qualcode.io.recognised`). Consecutive cues of one
speaker merge into one turn; a cue without a label continues the current speaker.
Unlabelled files merge cues into passages broken at pauses (:mod:`qualcode.io.cues`).
Rolling captions (YouTube's automatic ones, with a time for each word) are read once: the
lines a cue repeats from the one before are left out.

The document text qualcode keeps is one paragraph per turn, ``Speaker: text``; cue
times are kept so every segment has ``start_time`` and ``end_time`` (seconds).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from ..document import Document
from ..errors import InputFileError
from .base import ReadOptions, register_reader
from .cues import Cue, document_from_cues
from .decode import read_text
from .recognised import voice
from .speakers import inline_label, parse_time

_TIMING = re.compile(r"^\s*(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3}\s*-->\s*(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3}(?:\s.*)?$")
_BLANK = re.compile(r"\n[ \t]*\n")  # SubRip: a line of spaces ends a cue, as SubRip readers take it
_EMPTY = re.compile(r"\n\n")  # WebVTT: only an empty line does (YouTube's captions hold lines of one space)
_CHEVRONS = re.compile(r"^>>+[ \t]*")
_KARAOKE = re.compile(r"<\d{1,2}:\d{2}(?::\d{2})?[.,]\d{3}>")  # a word's time inside a cue: rolling captions


def check_blocks(text: str, path: Path, fmt: str) -> int:
    """The number of cues in ``text``; an error naming the line of the first block that holds
    text but no timing line a reader can use (such a cue would otherwise vanish silently), or
    a timing that ends before it starts (its segment's times would be wrong)."""
    cues = 0
    offset = 0
    for block in (_EMPTY if fmt == "vtt" else _BLANK).split(text.replace("\r\n", "\n").replace("\r", "\n")):
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
        bad = next((i for i in timing if not _TIMING.match(lines[i])), None)
        if not timing or bad is not None:
            shown = lines[bad].strip() if bad is not None else head
            raise InputFileError(
                f"{path}:{line_no + (bad - (first or 0) if bad is not None else 0)}: a caption whose timing line "
                f"cannot be read ({shown[:60]!r}); write it as HH:MM:SS.mmm --> HH:MM:SS.mmm so that its text is not lost"
            )
        for i in timing:  # a WebVTT block may hold cues parted by lines of spaces
            start, end = (parse_time(part.strip().split()[0]) for part in lines[i].split("-->", 1))
            if start is not None and end is not None and end < start:
                raise InputFileError(
                    f"{path}:{line_no + i - (first or 0)}: a caption ends before it starts ({lines[i].strip()[:60]!r}); "
                    "correct its timing so that its text keeps its place in time"
                )
        cues += len(timing)
    return cues


def _cues(path: Path, fmt: str, encoding: str | None) -> tuple[list[Cue], str, str | None]:
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
    rolling = any(_KARAOKE.search(getattr(caption, "raw_text", "") or "") for caption in captions.captions)
    cues = []
    previous: list[str] = []
    for caption in captions.captions:
        lines = [line.strip() for line in caption.text.splitlines() if line.strip()]
        kept = _new_lines(lines, previous) if rolling else lines
        previous = lines
        body = " ".join(kept)
        speaker = caption.voice.strip() if caption.voice else None
        if not speaker:
            label = inline_label(_CHEVRONS.sub("", body))  # broadcast captions: ">> NAME: text"
            if label:
                speaker, body = label
            elif said := voice(body):  # whisper.cpp's "(speaker 0) text"
                speaker, body = said
        if body:
            cues.append(Cue(speaker, body, parse_time(caption.start) or 0.0, parse_time(caption.end) or 0.0))
    return cues, used, note


def _new_lines(lines: list[str], previous: list[str]) -> list[str]:
    """A rolling caption's lines less those it repeats from the cue before (YouTube's automatic
    captions show each line twice, then hold it in a cue of 10 ms): the longest run of its
    first lines that ends the previous cue."""
    for size in range(min(len(lines), len(previous)), 0, -1):
        if lines[:size] == previous[-size:]:
            return lines[size:]
    return lines


def read_subtitle_file(path: Path, *, doc_id: str, encoding: str | None = None) -> Document:
    """Read a .vtt or .srt transcript into one :class:`Document`."""
    fmt = path.suffix.lower().lstrip(".")
    cues, used, note = _cues(path, fmt, encoding)
    if not cues:
        raise InputFileError(f"{path}: no captions with text; check that it is a {fmt.upper()} transcript")
    return document_from_cues(cues, path, doc_id=doc_id, fmt=fmt, encoding=used, notes=[note] if note else [])


@register_reader(".vtt", ".srt", name="subtitles")
def _read(path: Path, options: ReadOptions) -> list[Document]:
    return [read_subtitle_file(path, doc_id=path.stem, encoding=options.encoding)]
