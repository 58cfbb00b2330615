"""Segmentation: documents → the segments table.

Units
-----
``turn``       one row per speaker turn (the default when speakers are found)
``paragraph``  turns split at blank lines (the default otherwise)
``auto``       turn for a labelled speaker's turn, paragraph for unlabelled text (a document
               without speakers, the unlabelled side of a transcript that labels one side);
               a turn or paragraph over ``AUTO_MAX_CHARS`` (a
               one-speaker recording, an imported document without paragraphs) is cut at
               sentence ends into segments of up to about that size, and a note says so
``sentence``   spaCy's sentence recogniser, within turns
``window``     ``window_size`` sentences, consecutive windows sharing ``window_overlap``
``time``       captions (VTT/SRT, timed transcripts) grouped into windows of ``window_seconds``
               of media time; documents without times are cut as ``auto`` cuts them

A segment never crosses a speaker change, and for every segment
``text == document.text[start_char:end_char]``.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from . import columns as C
from .document import Document
from .errors import OptionError, listed, nearest
from .nlp import sentence_spans

UNITS = ("auto", "turn", "paragraph", "sentence", "window", "time")
AUTO_MAX_CHARS = 1500  # auto never makes a segment longer than this from several sentences
MAX_SEGMENT_CHARS = 100_000  # no segment is longer: a longer turn or paragraph must be cut
INTERVIEWER_RE = re.compile(r"\b(interview(?:er)?|moderator|facilitator|researcher)\b|^(i|q|int)$", re.I)
_BLANK_LINE = re.compile(r"\n[ \t]*\n\s*")


def is_interviewer(speaker: str | None, interviewers: Sequence[str] | None = None) -> bool:
    """Whether ``speaker`` is an interviewer: named in ``interviewers`` (case-insensitive),
    or, when that is not given, named like interviewer / moderator / facilitator / researcher
    (or ``I``, ``Q``, ``Int``)."""
    if not speaker:
        return False
    if interviewers is not None:
        return speaker.strip().lower() in {name.strip().lower() for name in interviewers}
    return bool(INTERVIEWER_RE.search(speaker.strip()))


def _paragraphs(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans, pos = [], start
    for gap in _BLANK_LINE.finditer(text, start, end):
        spans.append((pos, gap.start()))
        pos = gap.end()
    spans.append((pos, end))
    out = []
    for a, b in spans:  # without the spaces at either end (a line may end "panel. " before a blank line)
        piece = text[a:b]
        if piece.strip():
            out.append((a + len(piece) - len(piece.lstrip()), b - len(piece) + len(piece.rstrip())))
    return out


def _windows(sentences: list[tuple[int, int]], size: int, overlap: int) -> list[tuple[int, int]]:
    if len(sentences) <= size:
        return [(sentences[0][0], sentences[-1][1])] if sentences else []
    step = size - overlap
    out = []
    for first in range(0, len(sentences) - overlap, step):
        chunk = sentences[first : first + size]
        out.append((chunk[0][0], chunk[-1][1]))
        if first + size >= len(sentences):
            break
    return out


class _Timeline:
    """A document's timed spans sorted by position, for fast lookups (bisect, not a scan of
    every cue per segment: a 10,000-cue recording stays linear)."""

    def __init__(self, doc: Document) -> None:
        spans = sorted(doc.times, key=lambda t: (t.start, t.end))
        self.spans = spans
        self.starts = [t.start for t in spans]
        # cues do not nest, so ends are sorted too; the running maximum keeps bisect correct if not
        self.ends = list(np.maximum.accumulate([t.end for t in spans])) if spans else []

    def overlapping(self, start: int, end: int) -> list[Any]:
        first = bisect.bisect_right(self.ends, start)
        last = bisect.bisect_left(self.starts, end)
        return [t for t in self.spans[first:last] if t.start < end and t.end > start]

    def times(self, start: int, end: int) -> tuple[float, float]:
        spans = self.overlapping(start, end)
        begins = [t.start_time for t in spans if t.start_time is not None]
        ends = [t.end_time for t in spans if t.end_time is not None]
        return (min(begins) if begins else np.nan, max(ends) if ends else np.nan)


def _time_windows(timeline: _Timeline, start: int, end: int, seconds: float) -> list[tuple[int, int]]:
    """The turn ``start:end`` cut into consecutive windows of ``seconds`` of media time: a
    window holds the cues starting within ``seconds`` of its first cue."""
    cues = [t for t in timeline.overlapping(start, end) if t.start_time is not None]
    if not cues:
        return [(start, end)]
    out: list[tuple[int, int]] = []
    first = cues[0]
    last = cues[0]
    for cue in cues[1:]:
        if cue.start_time is not None and first.start_time is not None and cue.start_time - first.start_time >= seconds:
            out.append((max(first.start, start), min(last.end, end)))
            first = cue
        last = cue
    out.append((max(first.start, start), min(last.end, end)))
    return [(a, b) for a, b in out if b > a]


def check_segmentation(
    segment_by: str, window_size: int, window_overlap: int, unit: str | None = None, window_seconds: float = 60.0
) -> str:
    """The segmentation asked for (``unit`` is its deprecated name), or a clear error."""
    if unit is not None:
        from .settings import deprecated

        deprecated("unit", "segment_by")
        segment_by = unit
    if segment_by not in UNITS:
        raise OptionError(f"segment_by {segment_by!r} is not one of: {', '.join(UNITS)}", option="segment_by")
    if window_size < 1 or not 0 <= window_overlap < window_size:
        raise OptionError(
            f"window of {window_size} sentences with overlap {window_overlap}: "
            "need window_size >= 1 and 0 <= window_overlap < window_size",
            option="window_overlap",
        )
    if not 0 < window_seconds <= 86_400:
        raise OptionError(f"window_seconds {window_seconds} must be above 0 and at most a day", option="window_seconds")
    return segment_by


def segment_documents(
    documents: Iterable[Document],
    *,
    segment_by: str = "auto",
    window_size: int = 3,
    window_overlap: int = 1,
    interviewers: Sequence[str] | None = None,
    unit: str | None = None,
    window_seconds: float = 60.0,
) -> pd.DataFrame:
    """Cut documents into segments.

    Parameters
    ----------
    documents
        Documents from a reader, or the :class:`~qualcode.corpus.Corpus` that
        :func:`qualcode.read_transcripts` returns (to cut its documents otherwise).
    segment_by
        ``auto`` (turn when the document has speakers, paragraph otherwise), ``turn``,
        ``paragraph``, ``sentence`` or ``window``.
    window_size, window_overlap
        Sentences per window and sentences shared by consecutive windows.
    interviewers
        Speaker names to treat as interviewers; by default detected by name.
    unit
        Deprecated spelling of ``segment_by``.

    Returns
    -------
    pandas.DataFrame
        The segments table (see :mod:`qualcode.columns`), metadata columns after the core ones.
    """
    segment_by = check_segmentation(segment_by, window_size, window_overlap, unit, window_seconds)
    documents = list(getattr(documents, "documents", documents))  # a Corpus from read_transcripts, or its documents
    timelines = {doc.doc_id: _Timeline(doc) for doc in documents if doc.times}
    untimed = 0
    rows: list[dict[str, object]] = []
    meta_columns: list[str] = []
    for doc in documents:
        keys = [*doc.metadata, *(key for turn in doc.turns for key in turn.metadata)]
        for key in keys:
            if key in C.RESERVED:
                from .errors import MetadataError

                raise MetadataError(
                    f"{doc.path}: metadata field {key!r} has the name of one of qualcode's own columns "
                    f"({', '.join(sorted(C.RESERVED - {'_doc_order'}))}); rename it in the file or the metadata "
                    f"table, e.g. {key + '_original'!r}"
                )
            if key not in meta_columns:
                meta_columns.append(key)
    # sentence splitting, batched over all turns of all documents
    need_sentences = segment_by in ("sentence", "window")
    turn_list = [(doc, turn) for doc in documents for turn in doc.turns]
    sentence_lists: list[list[tuple[int, int]]] = []
    if need_sentences:
        local = sentence_spans([doc.text[turn.start : turn.end] for doc, turn in turn_list])
        sentence_lists = [
            [(turn.start + a, turn.start + b) for a, b in spans]
            for (doc, turn), spans in zip(turn_list, local, strict=True)
        ]
    counters: dict[str, int] = {}
    all_spans: list[list[tuple[int, int]]] = []
    for index, (doc, turn) in enumerate(turn_list):
        chosen = segment_by
        if chosen == "time" and doc.doc_id not in timelines:
            chosen = "auto"
            untimed += 1
        if chosen == "auto":  # an unlabelled turn (no speakers, or the unlabelled side) by paragraph
            chosen = "turn" if turn.speaker is not None else "paragraph"
        if chosen == "time":
            all_spans.append(_time_windows(timelines[doc.doc_id], turn.start, turn.end, window_seconds))
        elif chosen == "turn":
            all_spans.append([(turn.start, turn.end)])
        elif chosen == "paragraph":
            all_spans.append(_paragraphs(doc.text, turn.start, turn.end))
        elif chosen == "sentence":
            all_spans.append(sentence_lists[index])
        else:
            all_spans.append(_windows(sentence_lists[index], window_size, window_overlap))
    cut = 0
    if segment_by == "auto":
        all_spans, cut = _cut_long([doc for doc, _ in turn_list], all_spans)
    for index, spans in enumerate(all_spans):
        for start, end in spans:
            if end - start > MAX_SEGMENT_CHARS:
                doc = turn_list[index][0]
                raise OptionError(
                    f"{doc.path}: a segment of {end - start:,} characters (at character {start:,}) is longer than "
                    f"{MAX_SEGMENT_CHARS:,}; use segment_by auto, sentence or window to cut it",
                    option="segment_by",
                )
    asked, unmatched = metadata_interviewers(documents)
    for index, (doc, turn) in enumerate(turn_list):
        for start, end in all_spans[index]:
            number = counters.get(doc.doc_id, 0)
            counters[doc.doc_id] = number + 1
            row: dict[str, object] = {
                C.DOC_ID: doc.doc_id,
                C.SEGMENT_ID: number,
                C.SPEAKER: turn.speaker or "",
                C.IS_INTERVIEWER: is_interviewer(turn.speaker, asked.get(doc.doc_id, interviewers)),
                C.TEXT: doc.text[start:end],
                C.START_CHAR: start,
                C.END_CHAR: end,
            }
            if doc.doc_id in timelines:
                row[C.START_TIME], row[C.END_TIME] = timelines[doc.doc_id].times(start, end)
            for key in meta_columns:
                value = turn.metadata.get(key, doc.metadata.get(key, ""))
                row[key] = "" if value is None else str(value)
            rows.append(row)
    has_times = any(doc.times for doc in documents)
    ordered = C.SEGMENT_CORE + (C.TIME_COLUMNS if has_times else []) + order_metadata(meta_columns)
    frame = pd.DataFrame(rows, columns=ordered)
    frame[C.SEGMENT_ID] = frame[C.SEGMENT_ID].astype("int64")
    frame[C.START_CHAR] = frame[C.START_CHAR].astype("int64")
    frame[C.END_CHAR] = frame[C.END_CHAR].astype("int64")
    frame[C.IS_INTERVIEWER] = frame[C.IS_INTERVIEWER].astype(bool)
    if interviewers:
        check_interviewers(interviewers, frame)
    notes = [] if interviewers is not None else unnamed_interviewer(frame)  # transcripts the metadata names are flagged
    found_by_name = set(frame.loc[frame[C.IS_INTERVIEWER], C.DOC_ID])
    typos = [shown for doc_id, shown in unmatched if doc_id not in found_by_name]
    if typos:  # a typo, most likely: no turn of those transcripts is the interviewer's
        notes.append(
            f"the metadata's interviewer column names no speaker of {listed(typos, 3)}, and no speaker there is "
            "named like an interviewer: every turn of theirs is suggested codes as a participant's; correct the column"
        )
    if cut:
        notes.append(
            f"{cut} {'turn or paragraph' if cut == 1 else 'turns or paragraphs'} longer than {AUTO_MAX_CHARS:,} "
            f"characters {'was' if cut == 1 else 'were'} cut at sentence ends into "
            f"segments of up to about {AUTO_MAX_CHARS:,} (segment_by auto); choose segment_by to decide otherwise"
        )
    if untimed:
        names = sorted({doc.doc_id for doc, _ in turn_list if doc.doc_id not in timelines})
        notes.append(
            f"{len(names)} documents have no media times ({', '.join(names[:3])}{', ...' if len(names) > 3 else ''}): "
            "cut by turn or paragraph instead of time windows"
        )
    frame.attrs["notes"] = notes
    return frame


INTERVIEWER_COLUMNS = ("interviewer", "interviewers")  # a metadata column naming a transcript's interviewer


def metadata_interviewers(documents: Sequence[Document]) -> tuple[dict[str, list[str]], list[tuple[str, str]]]:
    """The interviewers a metadata column ``interviewer`` names per transcript (separated by
    ``;``: Otter.ai calls the interviewer ``Speaker 1`` in one file and ``Speaker 2`` in the
    next), where it names a speaker of the transcript; and the transcripts where it names none
    (a typo, or a column naming the person who interviewed): those keep the detection by name."""
    asked: dict[str, list[str]] = {}
    unmatched: list[tuple[str, str]] = []  # document, what to show
    for doc in documents:
        value = next((doc.metadata.get(key) for key in INTERVIEWER_COLUMNS if doc.metadata.get(key)), None)
        if not value:
            continue
        names = [name.strip() for name in str(value).split(";") if name.strip()]
        speakers = {str(turn.speaker).strip().lower() for turn in doc.turns if turn.speaker}
        if any(name.lower() in speakers for name in names):
            asked[doc.doc_id] = names
        elif speakers:
            shown = ", ".join(sorted({str(turn.speaker) for turn in doc.turns if turn.speaker})[:4])
            unmatched.append(
                (doc.doc_id, f"{doc.doc_id!r} ({', '.join(repr(n) for n in names)}; its speakers: {shown})")
            )
    return asked, unmatched


def check_interviewers(interviewers: Sequence[str], segments: pd.DataFrame) -> None:
    """Interviewer names of which none is a speaker of the transcripts (a typo: they replace
    the detection by name, so every interviewer turn would be coded as a participant's) are
    an error naming the near spelling."""
    speakers = sorted({str(s).strip() for s in segments[C.SPEAKER].dropna() if str(s).strip()})
    if not speakers or segments[C.IS_INTERVIEWER].any():
        return
    near = next((found for name in interviewers if (found := nearest(name, speakers)) is not None), None)
    hint = f"did you mean {near!r}?" if near else f"the speakers are: {listed(speakers, 8)}"
    raise OptionError(
        f"interviewer {listed([repr(n) for n in interviewers], 3)}: no speaker of the transcripts is so named, so "
        f"no turn would be treated as the interviewer's; {hint}"
    )


QUESTION_SHARE = 0.4  # of a speaker's segments asking a question, for the hint below


def unnamed_interviewer(segments: pd.DataFrame) -> list[str]:
    """A note naming documents of two or more speakers where no speaker was taken for the
    interviewer by name but one of them mostly asks (``Speaker 1`` of an Otter.ai or Zoom
    export): their turns are suggested codes as a participant's are, unless named with
    ``interviewers``. Only a hint: it changes no turn."""
    found: list[tuple[str, str, int, int]] = []  # document, speaker, segments asking, segments
    for doc_id, group in segments.groupby(C.DOC_ID, sort=False):
        spoken = group[group[C.SPEAKER].astype(str).str.strip() != ""]
        if group[C.IS_INTERVIEWER].any() or spoken.empty:
            continue
        asks = spoken[C.TEXT].astype(str).str.contains("?", regex=False)
        shares = asks.groupby(spoken[C.SPEAKER]).agg(["sum", "size"])
        if len(shares) < 2:
            continue
        shares["share"] = shares["sum"] / shares["size"]
        shares = shares.sort_values("share", ascending=False, kind="stable")
        top, rest = shares.iloc[0], shares.iloc[1:]
        if top["sum"] >= 2 and top["share"] >= QUESTION_SHARE and (rest["share"] * 2 <= top["share"]).all():
            found.append((str(doc_id), str(shares.index[0]), int(top["sum"]), int(top["size"])))
    if not found:
        return []
    where = [f"{doc!r} (speaker {who!r} asks in {n} of its {size} segments)" for doc, who, n, size in found]
    speakers = list(dict.fromkeys(repr(who) for _, who, _, _ in found))[:3]
    return [
        f"no speaker is named like an interviewer in {listed(where, 3)}: those turns are suggested codes as a "
        f"participant's are; if they are the interviewer's, name them: --interviewer {' --interviewer '.join(speakers)} "
        "(interviewers=[...] in Python), or per transcript in a metadata column 'interviewer'"
    ]


def _cut_long(documents: list[Document], spans: list[list[tuple[int, int]]]) -> tuple[list[list[tuple[int, int]]], int]:
    """Spans longer than ``AUTO_MAX_CHARS`` cut at sentence ends into pieces of at most about
    that size (a single longer sentence stays whole); the number of spans cut."""
    long = [(i, k) for i, group in enumerate(spans) for k, (a, b) in enumerate(group) if b - a > AUTO_MAX_CHARS]
    if not long:
        return spans, 0
    texts = [documents[i].text[spans[i][k][0] : spans[i][k][1]] for i, k in long]
    out = [list(group) for group in spans]
    replaced: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for (i, k), sentences in zip(long, sentence_spans(texts), strict=True):
        base = spans[i][k][0]
        pieces: list[tuple[int, int]] = []
        for a, b in sentences:
            if pieces and (base + b) - pieces[-1][0] <= AUTO_MAX_CHARS:
                pieces[-1] = (pieces[-1][0], base + b)
            else:
                pieces.append((base + a, base + b))
        replaced[(i, k)] = pieces or [spans[i][k]]
    for i in {i for i, _ in long}:
        group: list[tuple[int, int]] = []
        for k, span in enumerate(spans[i]):
            group.extend(replaced.get((i, k), [span]))
        out[i] = group
    return out, len(long)


def order_metadata(columns: Iterable[str]) -> list[str]:
    """participant, role, district first (when present), then the rest in their given order."""
    columns = list(columns)
    first = [c for c in C.PREFERRED_METADATA if c in columns]
    return first + [c for c in columns if c not in first]


def segments_from_texts(
    texts: Sequence[str],
    *,
    doc_ids: Sequence[str] | None = None,
    segment_by: str = "paragraph",
    **metadata: Sequence[str],
) -> pd.DataFrame:
    """A segments table from plain strings (one document each), for quick work in a notebook.

    ``texts``, ``doc_ids`` and each metadata column (``role=df["role"]``) are read by
    position, so columns of a sorted or filtered DataFrame stay together; None or NaN is an
    empty text. Duplicate ``doc_ids`` are refused.

    Examples
    --------
    >>> seg = segments_from_texts(["We hired two counselors."], role=["superintendent"])
    >>> seg[["doc_id", "text", "role"]].to_dict("records")
    [{'doc_id': 'text-1', 'text': 'We hired two counselors.', 'role': 'superintendent'}]
    """
    from .document import Turn

    texts = list(texts)  # by position: a pandas Series sorted or filtered keeps its old labels
    ids = list(doc_ids) if doc_ids is not None else [f"text-{i + 1}" for i in range(len(texts))]
    columns = {key: list(values) for key, values in metadata.items()}
    for name, values in [("doc_ids", ids), *columns.items()]:
        if len(values) != len(texts):
            raise OptionError(f"{name} has {len(values)} values for {len(texts)} texts; give one per text", option=name)
    twice = pd.Series([str(i) for i in ids]).duplicated()
    if twice.any():
        raise OptionError(
            f"doc_ids: {ids[int(twice.to_numpy().argmax())]!r} occurs twice; ids must be unique", option="doc_ids"
        )
    docs = []
    for i, (doc_id, text) in enumerate(zip(ids, texts, strict=True)):
        meta = {key: values[i] for key, values in columns.items()}
        text = text if isinstance(text, str) else ""  # None or NaN (an empty cell of a DataFrame)
        stripped = text.strip()
        start = text.find(stripped) if stripped else 0
        docs.append(Document(doc_id, "<text>", "text", text, [Turn(None, start, start + len(stripped))], metadata=meta))
    return segment_documents(docs, segment_by=segment_by)
