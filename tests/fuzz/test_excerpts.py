"""Fuzzing the placing of excerpts: any words cut from a text, with their spacing, letter
case and quotes changed as another tool may change them, are found at a place whose words
are the same; words not in the text are an error, never a wrong place."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from qualcode.errors import ColumnError
from qualcode.excerpts import fold_words, place_excerpts

WORDS = st.text(alphabet=st.sampled_from(list("abcAB ’'\"“”-—\n\té.")), min_size=1, max_size=80)


def frame(words: str) -> pd.DataFrame:
    return pd.DataFrame({"doc_id": ["d"], "code": ["c"], "coder": ["x"], "excerpt": [words], "line": [2]})


def mangled(words: str) -> str:
    return " ".join(words.split()).upper().replace("’", "'").replace("“", '"')


@st.composite
def cuts(draw):
    text = draw(WORDS.filter(lambda t: t.strip()))
    start = draw(st.integers(0, len(text) - 1))
    end = draw(st.integers(start + 1, len(text)))
    return text, text[start:end]


@pytest.mark.filterwarnings("ignore::qualcode.errors.QualcodeWarning")  # words found more than once
@given(pair=cuts(), mangle=st.booleans())
def test_cut_words_are_found_where_the_same_words_are(pair, mangle):
    text, cut = pair
    assume(fold_words(cut))
    words = mangled(cut) if mangle else cut
    placed = place_excerpts(frame(words), {"d": text})
    a, b = int(placed["start_char"].iloc[0]), int(placed["end_char"].iloc[0])
    assert 0 <= a < b <= len(text)
    assert fold_words(text[a:b]) == fold_words(words)


@given(text=WORDS, words=WORDS)
def test_words_not_in_the_text_are_an_error(text, words):
    assume(fold_words(words) and fold_words(words) not in fold_words(text))
    with pytest.raises(ColumnError, match="are not in d's text"):
        place_excerpts(frame(words), {"d": text})
