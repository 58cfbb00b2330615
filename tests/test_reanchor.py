"""qualcode.reanchor: reviewed rows follow their words into an edited transcript: shifted,
respaced, corrected by a word, or repeated; a rewritten passage stays where it was."""

from __future__ import annotations

import pandas as pd

import qualcode as qc
from qualcode.reanchor import reanchor

BEFORE = (
    "Interviewer: What changed?\n\n"
    "P1: We hired two counselors for the middle schools and they meet every student.\n\n"
    "Interviewer: Anything else?\n\n"
    "P1: Yes.\n\n"
    "Interviewer: Go on.\n\n"
    "P1: Yes. The principals call families every Friday afternoon to check in.\n"
)


def _rows(text: str, passages: list[tuple[str, int]]) -> pd.DataFrame:
    """Accepted rows on ``passages`` (words, which occurrence) of ``text``."""
    rows = []
    for words, nth in passages:
        start = -1
        for _ in range(nth + 1):
            start = text.index(words, start + 1)
        rows.append(
            {
                "doc_id": "iv",
                "segment_id": 0,
                "start_char": start,
                "end_char": start + len(words),
                "code": "support",
                "status": "accepted",
                "coder": "ana",
                "text": words,
            }
        )
    return pd.DataFrame(rows)


def _after(tmp_path, text: str, rows: pd.DataFrame):
    path = tmp_path / "iv.txt"
    path.write_text(text, encoding="utf-8")
    corpus = qc.read_transcripts(path)
    text = corpus.documents[0].text
    return reanchor(rows, {"iv": text}, corpus.segments), text


def test_shifted_respaced_and_corrected_words_are_found(tmp_path):
    rows = _rows(BEFORE, [("We hired two counselors", 0), ("The principals call families every Friday afternoon", 0)])
    edited = (
        ("Transcribed by AB.\n" + BEFORE)
        .replace("two counselors", "two  Counselors")
        .replace("call families every", "call the families every")
    )
    (moved, moves), text = _after(tmp_path, edited, rows)
    assert (moves.same, moves.edited, moves.stuck) == (0, 2, 0)
    assert all(text[a:b] == words for a, b, words in zip(moved.start_char, moved.end_char, moved.text, strict=True))
    assert list(moved.text) == ["We hired two  Counselors", "The principals call the families every Friday afternoon"]
    assert list(moved.segment_id) == [1, 5] and list(moved.status) == ["accepted", "accepted"]


def test_a_repeated_phrase_goes_where_the_passage_before_it_moved(tmp_path):
    """'Yes.' occurs twice; a line added at the top moves both by its length: each row keeps
    its own, not the first."""
    rows = _rows(BEFORE, [("We hired", 0), ("Yes.", 0), ("Yes.", 1)])
    added = "Transcribed by AB on a rainy afternoon, corrected twice.\n"
    (moved, moves), _ = _after(tmp_path, added + BEFORE, rows)
    assert moves.stuck == 0
    assert list(moved.start_char) == [s + len(added) for s in rows.start_char]


def test_a_rewritten_passage_keeps_its_offsets_and_is_counted(tmp_path):
    rows = _rows(BEFORE, [("We hired two counselors for the middle schools", 0)])
    (moved, moves), _ = _after(tmp_path, BEFORE.replace("We hired two counselors for", "Budget cuts hit"), rows)
    assert (moves.same, moves.edited, moves.stuck) == (0, 0, 1)
    assert moved.equals(rows)


def test_short_words_with_one_changed_are_not_guessed(tmp_path):
    """Three words, one of them changed, is too little to say it is the same passage."""
    rows = _rows(BEFORE, [("two counselors for", 0)])
    (_, moves), _ = _after(tmp_path, BEFORE.replace("two counselors for", "three counselors for"), rows)
    assert moves.stuck == 1


def test_a_passage_that_starts_on_a_speakers_label_is_found(tmp_path):
    """Taguette's coders often highlight a line with its label (`MODERATOR: try again …`): the
    label lies outside every turn, so such rows found their words and were still counted as
    found nowhere (7 of 113 passages of a SERDIF session after a line was added at its top)."""
    before = "Interviewer: What changed?\n\nP1: We hired two counselors.\n"
    rows = _rows(before, [("P1: We hired two counselors.", 0)])
    (moved, moves), text = _after(tmp_path, "Note: recorded on Zoom.\n\n" + before, rows)
    assert (moves.same, moves.stuck) == (1, 0)
    start, end = int(moved["start_char"].iloc[0]), int(moved["end_char"].iloc[0])
    assert text[start:end] == "P1: We hired two counselors."
    assert int(moved["segment_id"].iloc[0]) == 1  # the participant's turn after the label
