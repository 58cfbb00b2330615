"""Fuzzing how reviewed rows follow their words into an edited transcript: whatever the edit,
a row that moved holds exactly the words now at its offsets, inside the segment it names;
with text added before them, passages left as they were are found at their new place, also
the ones said several times, once one of them is said once."""

from __future__ import annotations

import pandas as pd
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from qualcode.reanchor import reanchor

WORD = st.text(alphabet=st.sampled_from(list("abcdeXY’'-")), min_size=1, max_size=7)
TURN = st.lists(WORD, min_size=1, max_size=12).map(" ".join)


def segments_of(turns: list[str]) -> tuple[str, pd.DataFrame]:
    """A transcript of ``turns`` one per paragraph, and its segments table."""
    text, rows = "", []
    for number, turn in enumerate(turns):
        start = len(text)
        text += turn + "\n\n"
        rows.append({"doc_id": "d", "segment_id": number, "start_char": start, "end_char": start + len(turn)})
    return text, pd.DataFrame(rows)


def reviewed(text: str, table: pd.DataFrame) -> pd.DataFrame:
    rows = table.assign(code="c", status="accepted", coder="ana")
    rows["text"] = [text[a:b] for a, b in zip(rows["start_char"], rows["end_char"], strict=True)]
    return rows


@settings(max_examples=150, deadline=None)
@given(
    before=st.lists(TURN, min_size=1, max_size=6),
    after=st.lists(TURN, min_size=1, max_size=6),
)
def test_a_moved_row_holds_the_words_at_its_offsets(before, after):
    old_text, old_table = segments_of(before)
    text, table = segments_of(after)
    moved, moves = reanchor(reviewed(old_text, old_table), {"d": text}, table)
    assert moves.same + moves.edited + moves.stuck == len(before)
    for row in moved.itertuples():
        if row.text == old_text[old_table.start_char[row.Index] : old_table.end_char[row.Index]] and (
            row.start_char == old_table.start_char[row.Index]
        ):
            continue  # left where it was
        assert text[row.start_char : row.end_char] == row.text
        segment = table[table.segment_id == row.segment_id].iloc[0]
        assert segment.start_char <= row.start_char < segment.end_char


@settings(max_examples=100, deadline=None)
@given(turns=st.lists(TURN, min_size=1, max_size=6), added=st.lists(TURN, min_size=1, max_size=3))
def test_turns_after_added_text_are_found_at_their_new_place(turns, added):
    old_text, old_table = segments_of(turns)
    text, table = segments_of(added + turns)
    assume(any(text.count(turn) == 1 for turn in turns))  # one passage to tell the shift by
    moved, moves = reanchor(reviewed(old_text, old_table), {"d": text}, table)
    assert moves.stuck == 0 and moves.edited == 0
    assert list(moved["segment_id"]) == [len(added) + i for i in range(len(turns))]
    assert list(moved["start_char"]) == list(table["start_char"].iloc[len(added) :])
