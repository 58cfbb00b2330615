"""Speech-recognition output: the JSON of Whisper, WhisperX and whisper.cpp, and the timed
tables Whisper (``start<TAB>end<TAB>text``, times in ms) and whisper.cpp (``start,end,text``)
write.

A transcript made with Whisper comes in every format at once (``--output_format all``, the
default); the JSON is the fullest: each segment's times, and with WhisperX's diarization its
speaker (``SPEAKER_00``). Segments become cues as a caption file's do
(:func:`qualcode.io.cues.document_from_cues`): consecutive segments of one speaker make a
turn, a segment without a speaker continues the current one, and without speakers the segments
make passages broken at pauses. Other JSON is an error naming what it holds.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from pathlib import Path
from typing import Any

from ..document import Document
from ..errors import InputFileError
from .base import ReadOptions, register_reader
from .cues import Cue, document_from_cues
from .decode import read_text

MAX_BYTES = 256 * 1024 * 1024  # a two-hour WhisperX JSON with word times is some 5 MB
READS = "qualcode reads the JSON of Whisper, WhisperX and whisper.cpp (a list of segments with start, end and text)"
# another service's transcript (AWS Transcribe's, nested "segments" under "results") is found in a folder
# search too: said, not passed over, so that a study is not short of it without a word
FIX = f"{READS}: save it from the transcription service as .vtt, .srt or .docx, or move it out of the folder"
TABLE_HEADERS = (("start", "end", "text"), ("start", "end", "speaker", "text"))
TEXT_ONLY = frozenset({"text", "language", "duration", "task", "usage", "logprobs"})
_SPEAKER_NUMBER = re.compile(r"\d+")
_KEY = re.compile(rb'"(?:segments|transcription)"\s*:')
_MS = re.compile(r"[0-9]{1,12}")  # milliseconds (not str.isdigit: '²' is a digit to it, not to int)


def is_timed_table(path: Path) -> bool:
    """Whether a .csv or .tsv starts with the header Whisper's or whisper.cpp's timed table
    has (``start end text``, a ``speaker`` column before the text when whisper.cpp diarized)."""
    if path.suffix.lower() not in (".csv", ".tsv"):
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(64)
    except OSError:
        return False
    return _header(head.decode("utf-8", errors="replace").lstrip("\ufeff").split("\n", 1)[0]) is not None


def is_transcript_json(path: Path) -> bool:
    """Whether a folder search reads this .json: one holding ``"segments":`` or
    ``"transcription":`` (what Whisper, WhisperX and whisper.cpp write), not a ``.meta.json``
    record of qualcode's own outputs. Other JSON (settings, a tool's data) is not a transcript
    and is passed over, as a README is; a cut-off transcript still holds its key, and is an
    error when read."""
    if path.name.lower().endswith(".meta.json"):
        return False
    try:
        if path.stat().st_size > MAX_BYTES:
            return True  # read, to say it is too large
        data = path.read_bytes()
    except OSError:
        return True  # read, to say why it cannot be
    return _KEY.search(data) is not None or _text_only(data)


def _text_only(data: bytes) -> bool:
    """A JSON holding a transcript's ``text`` alone (the OpenAI API's ``json`` response)."""
    try:
        value = json.loads(data)
    except (ValueError, RecursionError):
        return False
    return isinstance(value, dict) and isinstance(value.get("text"), str) and set(value) <= TEXT_ONLY


def _header(line: str) -> tuple[str, ...] | None:
    line = line.rstrip("\r")
    for sep in ("\t", ","):
        cells = tuple(line.split(sep))
        if cells in TABLE_HEADERS:
            return cells
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        return None
    return float(value)


def _speaker(value: Any) -> str | None:
    """WhisperX's ``SPEAKER_00`` as written; whisper.cpp's ``0`` as ``Speaker0`` (the voice
    its own .vtt names), its ``?`` (not told apart) as no speaker."""
    if not isinstance(value, str) or not value.strip() or value.strip() == "?":
        return None
    value = value.strip()
    return f"Speaker{value}" if _SPEAKER_NUMBER.fullmatch(value) else value


def _segments(data: Any, path: Path) -> tuple[list[Any], float, str]:
    """The list of segments, the factor that makes its times seconds, and the key holding them."""
    if isinstance(data, dict) and isinstance(data.get("segments"), list):
        return data["segments"], 1.0, "segments"
    if isinstance(data, dict) and isinstance(data.get("transcription"), list):  # whisper.cpp -oj
        return data["transcription"], 0.001, "transcription"
    if isinstance(data, list) and data and all(isinstance(item, dict) and "text" in item for item in data):
        return data, 1.0, "segments"  # a list of segments dumped as it is
    if isinstance(data, dict) and "qualcode_version" in data:
        raise InputFileError(f"{path}: the record qualcode writes beside an output (.meta.json), not a transcript")
    if isinstance(data, dict):
        keys = ", ".join(repr(str(k)) for k in list(data)[:6]) or "none"
        raise InputFileError(f"{path}: a JSON file qualcode does not read as a transcript (its keys: {keys}); {FIX}")
    raise InputFileError(f"{path}: a JSON file qualcode does not read as a transcript (a {type(data).__name__}); {FIX}")


def _cue(item: Any, scale: float, key: str, number: int, path: Path) -> Cue | None:
    where = f"{path}: {key}[{number}]"
    if not isinstance(item, dict):
        raise InputFileError(f"{where} is not a segment (a {type(item).__name__}); {READS}")
    text = item.get("text")
    if not isinstance(text, str):
        raise InputFileError(f"{where} has no text; check that the file is whole")
    times = item.get("offsets") if scale != 1.0 else item
    start = _number(times.get("from" if scale != 1.0 else "start")) if isinstance(times, dict) else None
    end = _number(times.get("to" if scale != 1.0 else "end")) if isinstance(times, dict) else None
    if start is None or end is None:
        field = "offsets" if scale != 1.0 else "start and end"
        raise InputFileError(f"{where} ({text.strip()[:40]!r}) has no {field} in numbers; check that the file is whole")
    if end < start:
        raise InputFileError(f"{where} ({text.strip()[:40]!r}) ends before it starts; correct its times")
    text = " ".join(text.split())
    return Cue(_speaker(item.get("speaker")), text, start * scale, end * scale) if text else None


def read_json_transcript(path: Path, *, doc_id: str, encoding: str | None = None) -> Document:
    """A Whisper, WhisperX or whisper.cpp JSON transcript; an error for any other JSON."""
    if path.stat().st_size > MAX_BYTES:
        raise InputFileError(f"{path}: {path.stat().st_size:,} bytes, more than a transcript's JSON holds; {READS}")
    text, used, note = read_text(path, encoding)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputFileError(
            f"{path}:{exc.lineno}: not valid JSON ({exc.msg}, column {exc.colno}); a cut-off file? "
            "write it again from the transcription tool"
        ) from None
    except RecursionError:
        raise InputFileError(f"{path}: JSON nested too deeply to be a transcript; {READS}") from None
    if isinstance(data, dict) and isinstance(data.get("text"), str) and set(data) <= TEXT_ONLY:
        # the OpenAI API's plain `json` response: the words without times, read as a text transcript
        from .text import document_from_text

        doc = document_from_text(data["text"].strip() + "\n", doc_id=doc_id, path=path, fmt="json", encoding=used)
        doc.notes.extend([note] if note else [])
        return doc
    items, scale, key = _segments(data, path)
    cues = [cue for number, item in enumerate(items) if (cue := _cue(item, scale, key, number, path))]
    if not cues:
        raise InputFileError(f"{path}: no segments with text; check that the recording was transcribed")
    return document_from_cues(cues, path, doc_id=doc_id, fmt="json", encoding=used, notes=[note] if note else [])


def read_timed_table(path: Path, options: ReadOptions) -> list[Document] | None:
    """Whisper's .tsv or whisper.cpp's .csv of one recording as one timed transcript (read as a
    table of answers it made each sentence a respondent); ``None`` for any other table, and
    when a text or speaker column is named (the file read as the table the run asks for)."""
    if options.text_column or options.speaker_column or not is_timed_table(path):
        return None
    text, used, note = read_text(path, options.encoding)
    cues = timed_table_cues(text, path)
    if cues is None:
        return None
    fmt = path.suffix.lower().lstrip(".")
    return [document_from_cues(cues, path, doc_id=path.stem, fmt=fmt, encoding=used, notes=[note] if note else [])]


def timed_table_cues(text: str, path: Path) -> list[Cue] | None:
    """The cues of Whisper's .tsv (``start<TAB>end<TAB>text``, milliseconds, text as said) or
    whisper.cpp's .csv (``start,end[,speaker],text``, milliseconds, the text in quotes with ``\\"``
    inside); ``None`` for any other table."""
    lines = text.lstrip("\ufeff").splitlines()
    header = _header(lines[0]) if lines else None
    if header is None:
        return None
    quoted = (
        None
        if "\t" in lines[0]
        else csv.reader(io.StringIO("\n".join(lines[1:])), escapechar="\\", doublequote=False, strict=True)
    )
    rows: Any = quoted if quoted is not None else (line.split("\t", len(header) - 1) for line in lines[1:])
    cues = []
    try:
        for count, row in enumerate(rows, start=2):
            number = quoted.line_num + 1 if quoted is not None else count  # the file's line
            if not any(cell.strip() for cell in row):
                continue
            values = dict(zip(header, row, strict=False))
            start, end = (values.get(name, "").strip() for name in ("start", "end"))
            if len(row) != len(header) or not _MS.fullmatch(start) or not _MS.fullmatch(end):
                raise InputFileError(
                    f"{path}:{number}: a row that is not {', '.join(header)} with times in milliseconds "
                    f"({'|'.join(row)[:60]!r}); correct the row, or name the text column (--text-column) "
                    "to read the file as a table of answers"
                )
            if int(end) < int(start):
                raise InputFileError(f"{path}:{number}: a segment that ends before it starts; correct its times")
            said = " ".join(values["text"].split())
            if said:
                cues.append(Cue(_speaker(values.get("speaker")), said, int(start) / 1000, int(end) / 1000))
    except csv.Error as exc:
        raise InputFileError(f"{path}: not a readable CSV table ({exc}); check its quoting") from None
    if not cues:
        raise InputFileError(f"{path}: no segments with text; check that the recording was transcribed")
    return cues


@register_reader(".json", name="whisper")
def _read(path: Path, options: ReadOptions) -> list[Document]:
    return [read_json_transcript(path, doc_id=path.stem, encoding=options.encoding)]
