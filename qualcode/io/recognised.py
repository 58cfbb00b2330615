"""The plain-text output of speech recognisers that diarize: one line per recognised segment,
each led by the voice it was given.

- WhisperX (``--diarize``, its .txt): ``[SPEAKER_00]: text``; a segment no voice was
  assigned to is written without a label (``SPEAKER_00: text``, as scripts over WhisperX or
  pyannote write it, the same);
- whisper.cpp (``--diarize`` on a stereo recording, its .txt and .srt): ``(speaker 0) text``,
  ``(speaker ?)`` where the two channels could not be told apart.

Such a line is a recogniser's segment, often part of a sentence, not a turn: read as the
speaker conventions of typed transcripts read it, every line would be a turn of its own and
each turn a segment (``[SPEAKER_01]: Sure.``), and whisper.cpp's labels were words of an
unlabelled passage. Read here as the JSON of the same recognisers is
(:func:`qualcode.io.cues.document_from_cues`): consecutive lines of one voice make a
turn; a line without a voice (``(speaker ?)``, an unlabelled WhisperX line) continues the
current one; whisper.cpp's voices are named ``Speaker0``, ``Speaker1`` as its JSON and .vtt
name them.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..document import Document
from .cues import Cue, document_from_cues

# pyannote's voice names, bracketed as WhisperX writes them or bare as scripts over it do
_WHISPERX = re.compile(r"^(?:\[(?P<speaker>SPEAKER_\d{1,3})\]|(?P<bare>SPEAKER_\d{1,3})):[ \t]?(?P<text>.*)$")
_WHISPER_CPP = re.compile(r"^\(speaker (?P<speaker>\d|\?)\)[ \t]?(?P<text>.*)$")
MIN_LABELLED = 2  # lines led by a voice, for a file to be taken as a recogniser's


def voice(line: str) -> tuple[str | None, str] | None:
    """``'(speaker 1) Ask what'`` → ``('Speaker1', 'Ask what')``; ``'(speaker ?) Thanks'`` →
    ``(None, 'Thanks')``; ``'[SPEAKER_00]: Hello'`` → ``('SPEAKER_00', 'Hello')``; None when
    the line is not led by a recogniser's voice."""
    found = _WHISPERX.match(line)
    if found:
        return found["speaker"] or found["bare"], found["text"].strip()
    found = _WHISPER_CPP.match(line)
    if found:
        return (None if found["speaker"] == "?" else f"Speaker{found['speaker']}"), found["text"].strip()
    return None


def recognised_lines(text: str, *, path: Path, doc_id: str, fmt: str, encoding: str) -> Document | None:
    """``text`` read as a recogniser's lines (the module's conventions), or None when it is
    not one: its first line with words and at least ``MIN_LABELLED`` lines are led by a voice
    of one recogniser's form, and no line by the other's."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return None
    forms = [
        "whisperx" if _WHISPERX.match(line) else "whisper.cpp" if _WHISPER_CPP.match(line) else None for line in lines
    ]
    labelled = [form for form in forms if form]
    if forms[0] is None or len(labelled) < MIN_LABELLED or len(set(labelled)) != 1:
        return None
    cues = []
    for line in lines:
        said = voice(line)
        speaker, words = said if said else (None, line)
        if words:
            cues.append(Cue(speaker, " ".join(words.split()), None, None))
    if not cues:
        return None
    return document_from_cues(cues, path, doc_id=doc_id, fmt=fmt, encoding=encoding)
