"""qualcode.nlp: spaCy analysis, memoised, and content-word counts."""

from __future__ import annotations

import pytest

from qualcode import nlp


def test_content_words_skip_names_numbers_and_fillers():
    counts = nlp.content_word_counts(["Michael?", "8", "Okay.", "We hired two counselors.", "Funding."])
    assert counts[:3] == [0, 0, 0]
    assert counts[3] >= 2 and counts[4] == 1


def test_interjections_are_never_content_words_however_spelled_or_tagged():
    # four interjections are counted without the tagger, and the tagger reads "Mm-hmm" as nouns
    texts = ["Mm-hmm, yeah, yeah, uh-huh.", "Mm-hmm.", "Hmmm, okay, yeahhh, umm.", "Oh, the budget, um, really hurt."]
    assert nlp.content_word_counts(texts) == [0, 0, 0, 2]
    assert not nlp._filler("hummus") and nlp._filler("mmm") and nlp._filler("ok")


def test_a_batch_larger_than_the_memo_is_answered_whole(monkeypatch):
    monkeypatch.setattr(nlp, "MEMO_SIZE", 3)
    texts = [f"Sentence number {i} is here." for i in range(10)]
    docs = nlp.analyse(texts)
    assert [doc.text for doc in docs] == texts
    assert len(nlp._MEMO) <= 3


@pytest.mark.parametrize("text", ["One. Two.", "  padded  "])
def test_sentence_spans_point_into_the_text(text):
    for a, b in nlp.sentence_spans([text])[0]:
        assert text[a:b] == text[a:b].strip() and text[a:b]


@pytest.mark.parametrize("run", ["*", "="])
def test_long_punctuation_runs_are_linear(run):
    import time

    nlp.analyse(["warm up the model."])
    text = f"We hired {run * 40000} two counselors. And then more."
    start = time.perf_counter()
    doc = nlp.analyse([text])[0]
    assert time.perf_counter() - start < 3.0  # minutes when the tokenizer sees the run
    assert len(doc.text) == len(text)
    words = [t.text for t in doc if t.is_alpha]
    assert words[:2] == ["We", "hired"] and "counselors" in words
