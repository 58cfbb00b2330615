"""Speaker labels in plain-text transcripts.

Recognised by default (each at the start of a line, optionally in Markdown bold):

- ``Interviewer: text``, ``P3: text``, ``Dr. Maria Lopez: text``, ``[Name]: text``,
  ``Name (00:12): text``, and with the time first or after the colon: ``[00:00:12] Name: text``,
  ``00:12 Name: text``, ``Name: [00:12] text`` (Trint, Descript, Sonix and similar exports)
- ``NAME:`` alone on its line; the following lines are that speaker's turn
- a transcript that labels one side only, line by line (``MODERATOR: text`` lines between
  unlabelled paragraphs, as think-aloud and usability sessions are often typed, or ``Q:``
  questions with unlabelled answers): each label covers its own line; the lines after it,
  and the text before the first label, are the unlabelled side's (speaker None)
- Otter.ai headers ``Name  00:12`` (name, spaces, time), and Zoom's saved captions
  ``[Name] 10:02:03``, with the turn on the lines below;
  a leading ``SUMMARY KEYWORDS`` / ``SPEAKERS`` preamble is skipped.
- a Zoom meeting's saved chat: ``10:02:33 From Ana Lopez to Everyone:`` above its message, or
  the older ``10:02:33<TAB> From  Ana Lopez : message`` (the sender the speaker; the cloud
  recording's ``10:02:33<TAB>Ana:<TAB>message`` is the first convention above)

Other conventions: pass ``speaker_patterns``, regular expressions with a named group
``speaker`` and optionally ``text`` (the turn's first words on the same line) and ``time``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from ..document import TimeSpan, Turn

_PARTICLES = r"(?:de|da|del|della|di|du|van|von|der|den|la|le|bin|al|y)"
# A name: capitalised words (digits allowed: "Speaker 2", "P3"), a few lower-case particles
_NAME = rf"(?:[A-Z][\w.'’\-]*(?:[ ](?:[A-Z0-9][\w.'’\-]*|{_PARTICLES})){{0,4}})"
_BOLD = r"(?:\*\*|__)?"
CLOCK = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?"  # 0:12, 00:01:02, 1:02:03.5: every reader's clock
_TIME = rf"(?P<time>{CLOCK})"
# a time before the label: "[00:01:02] Name: text", "(01:02) Name:", "00:01:02 Name:", "00:01:02 - Name:"
_CLOCK_FIRST = rf"(?:\[(?P<ltime>{CLOCK})\]|\((?P<ptime>{CLOCK})\)|(?P<btime>{CLOCK}))[ \t]*(?:[-–][ \t]*)?"
_LEAD_TIME = rf"(?:{_CLOCK_FIRST})?"
# a time after the colon: "Name: [00:01:02] text"
_AFTER_TIME = rf"(?:\[(?P<atime>{CLOCK})\][ \t]*)?"

DEFAULT_PATTERNS: tuple[str, ...] = (
    # [Name]: text   /   Name: text   /   Name (00:12): text   (text may be empty: label alone);
    # a time may also come first ([00:12] Name: text) or after the colon (Name: [00:12] text)
    rf"^[ \t]*{_LEAD_TIME}{_BOLD}(?:\[(?P<bspeaker>[^\]\n]{{1,60}})\]|(?P<speaker>{_NAME}))"
    rf"(?:[ \t]*[(\[]{_TIME}[)\]])?[ \t]*{_BOLD}:{_BOLD}(?:[ \t]+{_AFTER_TIME}(?P<text>\S.*?)?)?[ \t]*$",
    # Otter.ai: Name  00:12; Teams: Lopez, Maria   0:03; Zoom's saved captions: [Name] 10:02:03
    rf"^(?:(?P<speaker>{_NAME}(?:,[ ]{_NAME})?)|\[(?P<bspeaker>[^\]\n]{{1,60}})\])[ \t]+{_TIME}[ \t]*$",
    # a label alone on its line, its time before (Word's Transcribe: "00:00:02 Speaker 1"; Happy
    # Scribe: "[00:00:02.11] - Speaker 1") or after in brackets ("Speaker 1 [00:00:02]"), the text below
    rf"^[ \t]*{_CLOCK_FIRST}(?P<speaker>{_NAME})[ \t]*$",
    rf"^[ \t]*(?P<speaker>{_NAME})[ \t]*[\[(]{_TIME}[\])][ \t]*$",
    # a Zoom meeting's saved chat: "10:02:33 From Ana Lopez to Everyone:" above the message (tab-indented),
    # and the older one-line "10:02:33\t From  Ana Lopez : message"
    rf"^{_TIME}[ \t]+From[ \t]+(?P<speaker>[^\n:]{{1,80}}?)(?:[ \t]+to[ \t]+[^\n:]{{1,80}}?)?[ \t]*:[ \t]*$",
    rf"^{_TIME}[ \t]+From[ \t]+(?P<speaker>[^\n:]{{1,80}}?)(?:[ \t]+to[ \t]+[^\n:]{{1,80}}?)?[ \t]+:[ \t]+(?P<text>\S.*?)[ \t]*$",
)

# f4transkript's and MAXQDA's time mark closing a paragraph: "I: Wie geht es Ihnen? #00:00:05-2#"
# (hours, minutes, seconds, tenths): the time the turn ends, and the next begins
_END_MARK = re.compile(r"[ \t]*#(?P<clock>\d{1,2}:\d{2}:\d{2})(?:[-.,](?P<tenths>\d{1,3}))?#$")
_CLOCK_LINE = re.compile(rf"^[ \t]*[\[(]?{CLOCK}[\])]?[ \t]*$")
_OTTER_PREAMBLE = re.compile(r"^(SUMMARY KEYWORDS|SPEAKERS|KEYWORDS)\s*$")
_NOT_SPEAKERS = {
    "http",
    "https",
    "note",
    "notes",
    "re",
    "subject",
    "date",
    "time",
    "title",
    "tags",
    "am",
    "pm",
    "a.m.",
    "p.m.",
}


def compile_patterns(patterns: Sequence[str] | None) -> list[re.Pattern[str]]:
    """Compile speaker patterns; each must define a group named ``speaker``."""
    from ..errors import OptionError

    compiled = []
    for pattern in patterns or DEFAULT_PATTERNS:
        try:
            regex = re.compile(pattern)
        except re.error as exc:
            raise OptionError(f"speaker pattern {pattern!r} is not a valid regular expression: {exc}") from None
        if not {"speaker", "bspeaker"} & set(regex.groupindex):
            raise OptionError(f"speaker pattern {pattern!r} needs a named group (?P<speaker>...)")
        compiled.append(regex)
    return compiled


def parse_time(value: str | None) -> float | None:
    """``'1:02:03.5'`` → 3723.5 seconds; None stays None."""
    if not value:
        return None
    seconds = 0.0
    for part in value.replace(",", ".").split(":"):
        seconds = seconds * 60 + float(part)
    return seconds


def end_mark(mark: re.Match[str]) -> float:
    """Seconds of an f4transkript / MAXQDA time mark (``#00:00:05-2#``: the digit after the
    dash is tenths of a second)."""
    tenths = mark["tenths"] or ""
    return float(parse_time(mark["clock"]) or 0.0) + (int(tenths) / 10 ** len(tenths) if tenths else 0.0)


def _match(line: str, patterns: list[re.Pattern[str]]) -> re.Match[str] | None:
    for regex in patterns:
        found = regex.match(line)
        if found:
            groups = found.groupdict()
            name = (groups.get("speaker") or groups.get("bspeaker") or "").strip()
            if name and name.lower() not in _NOT_SPEAKERS:
                return found
    return None


def _time(found: re.Match[str]) -> str | None:
    """The label's time, wherever the pattern put it (``time``, or before the name or after
    the colon)."""
    groups = found.groupdict()
    return next((groups[name] for name in ("time", "ltime", "ptime", "btime", "atime") if groups.get(name)), None)


def _speaker(found: re.Match[str]) -> str:
    groups = found.groupdict()
    return (groups.get("speaker") or groups.get("bspeaker") or "").strip()


_INLINE = re.compile(DEFAULT_PATTERNS[0])


def inline_label(line: str) -> tuple[str, str] | None:
    """``'Maria: we did'`` → ``('Maria', 'we did')``; ``None`` when the line has no label and text."""
    found = _match(line, [_INLINE])
    if found and found.group("text"):
        return _speaker(found), found.group("text").strip()
    return None


LEAD_LIMIT = 500  # characters before the first label above which labels are not taken as speakers


def _one_side(turns: list[Turn], first_lines: list[tuple[int, int] | None]) -> str | None:
    """The one labelled speaker of a transcript that labels only one side, line by line: a
    single name, every time with text on the label's line, text on the lines below at least
    once, and used at least twice or after unlabelled text (one label at the top of a text
    is a monologue's). None otherwise."""
    labelled = [(turn, first) for turn, first in zip(turns, first_lines, strict=True) if turn.speaker]
    names = {str(turn.speaker) for turn, _ in labelled}
    if len(names) != 1 or any(first is None for _, first in labelled):
        return None
    if len(labelled) < 2 and not (turns and turns[0].speaker is None):
        return None
    if not any(first is not None and turn.end > first[1] for turn, first in labelled):
        return None
    return next(iter(names))


def _split_one_side(text: str, turns: list[Turn], first_lines: list[tuple[int, int] | None]) -> list[Turn]:
    """Each labelled turn cut after its label's line; the rest (and the unlabelled lead) is
    an unlabelled turn (speaker None): the side the transcript does not label."""
    out: list[Turn] = []
    for turn, first in zip(turns, first_lines, strict=True):
        if turn.speaker is None or first is None:
            out.append(Turn(None, turn.start, turn.end))
            continue
        out.append(Turn(turn.speaker, first[0], first[1]))
        rest = text[first[1] : turn.end]
        gap = len(rest) - len(rest.lstrip())
        if first[1] + gap < turn.end:
            out.append(Turn(None, first[1] + gap, turn.end))
    return out


def split_turns(
    text: str,
    *,
    start: int = 0,
    patterns: Sequence[str] | None = None,
) -> tuple[list[Turn], list[TimeSpan]]:
    """Split ``text[start:]`` into speaker turns.

    Returns the turns (spans of content, labels excluded) and, for labels that carry a
    time, a :class:`TimeSpan` per timed turn. When no label is found the whole text is
    one turn with speaker ``None``.
    """
    regexes = compile_patterns(patterns)
    turns: list[Turn] = []
    times: list[TimeSpan] = []
    speaker: str | None = None
    time: float | None = None
    span: list[int] | None = None  # [start, end] of the current turn's content
    label_line: list[int] | None = None  # [start, end] of the text on the current label's own line
    first_lines: list[tuple[int, int] | None] = []  # of each turn
    skipping_preamble = False

    ended: list[float] = []  # the last f4 / MAXQDA time mark: when the next turn begins

    def close() -> None:
        if span is not None:
            begun = time if time is not None else (ended[-1] if ended else None)
            until = None
            mark = _END_MARK.search(text, span[0], span[1])
            if mark is not None and mark.start() > span[0]:  # the mark is no one's words
                span[1] = mark.start()
                until = end_mark(mark)
                ended.append(until)
            turns.append(Turn(speaker, span[0], span[1]))
            first_lines.append((label_line[0], label_line[1]) if label_line is not None else None)
            if begun is not None or until is not None:
                times.append(TimeSpan(span[0], span[1], begun, until))

    pos = start
    for line in text[start:].splitlines(keepends=True):
        line_start, pos = pos, pos + len(line)
        body = line.rstrip("\n")
        if not turns and span is None and _OTTER_PREAMBLE.match(body.strip()):
            skipping_preamble = True
        found = _match(body, regexes)
        if found:
            skipping_preamble = False
            close()
            speaker, span, label_line = _speaker(found), None, None
            time = parse_time(_time(found))
            if found.groupdict().get("text"):
                span = [line_start + found.start("text"), line_start + found.end("text")]
                label_line = list(span)
            continue
        if skipping_preamble or not body.strip() or _CLOCK_LINE.match(body):
            continue  # a time alone on its line (Google Meet's every five minutes) is no one's words
        first = line_start + len(body) - len(body.lstrip())
        last = line_start + len(body.rstrip())
        if span is None:
            span = [first, last]
        else:
            span[1] = last
    close()
    lead = sum(t.end - t.start for t in itertools.takewhile(lambda t: t.speaker is None, turns))
    one_side = _one_side(turns, first_lines)
    if one_side is not None and lead <= max(LEAD_LIMIT, (len(text) - start) // 50):
        # one speaker labelled, line by line, e.g. a moderator's interjections in a think-aloud
        # session: the lines after each label, and the text before the first, are the other's
        return _split_one_side(text, turns, first_lines), []
    if any(turn.speaker for turn in turns) and lead > max(LEAD_LIMIT, (len(text) - start) // 50):
        # long text before the first "label": the labels are words followed by a colon inside a
        # text that is no transcript (or a transcript labelling one side only); leaving the lead
        # out of every segment would lose it, so the whole text is one unlabelled turn
        turns = [Turn(None, turns[0].start, turns[-1].end)]
        times = []
    elif any(turn.speaker for turn in turns):
        # text before the first label (a title, a note) stays in the document, not in a turn
        while turns and turns[0].speaker is None:
            turns.pop(0)
    else:
        if turns:
            turns = [Turn(None, turns[0].start, turns[-1].end)]
        times = []
    return turns, times
