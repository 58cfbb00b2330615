"""The learned matcher's passage view: sentences labelled by the passages humans coded."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import qualcode as qc
from qualcode import columns as C
from qualcode.match.base import Training
from qualcode.match.learned import ClassifierMatcher
from qualcode.match.learned_features import MISSING, Passages, coded_passages

HIRED = "We hired two new counselors for the middle school this year."
WEATHER = "The weather on the first day was grey and the coffee was cold."


def test_sentences_are_labelled_by_the_passages_that_cover_them():
    segments = qc.segments_from_texts([f"{WEATHER} {HIRED}", f"{HIRED} {WEATHER}", WEATHER])
    starts = segments[C.START_CHAR].to_numpy()
    passages = Passages(segments[C.TEXT].tolist(), starts)
    assert passages.sizes.tolist() == [2, 2, 1]
    assert [passages.texts[u] for u in np.flatnonzero(passages.owner == 0)] == [WEATHER, HIRED]
    # document offsets: each sentence is found again in its document
    for u, (a, b) in enumerate(passages.bounds):
        row = segments.iloc[int(passages.owner[u])]
        assert row[C.TEXT][a - int(row[C.START_CHAR]) : b - int(row[C.START_CHAR])] == passages.texts[u]
    # the first segment's code was applied to its second sentence; the second's to the whole segment
    first = segments.iloc[0]
    at = int(first[C.START_CHAR]) + len(WEATHER) + 1
    spans = pd.DataFrame(
        {
            C.DOC_ID: [first[C.DOC_ID]],
            C.SEGMENT_ID: [int(first[C.SEGMENT_ID])],
            C.CODE: ["personnel"],
            C.START_CHAR: [at],
            C.END_CHAR: [at + len(HIRED)],
        }
    )
    placed = coded_passages(spans, segments)
    assert placed == {"personnel": {0: [(at, at + len(HIRED))]}}
    coded = np.array([True, True, False])
    assert passages.labels(coded, placed["personnel"]).tolist() == [False, True, True, True, False]
    assert passages.labels(coded, None).tolist() == [True, True, True, True, False]


def test_a_segment_is_rated_by_its_best_sentence_and_names_it():
    passages = Passages(["A first sentence here. A second sentence here.", "Only one sentence here."], np.zeros(2))
    decisions = np.array([-1.0, 2.5, 0.3])
    assert passages.pooled(decisions).tolist() == [2.5, 0.3]
    assert passages.best(decisions).tolist() == [1, 2]
    assert passages.pooled(np.array([MISSING, MISSING, MISSING])).tolist() == [MISSING, MISSING]


@pytest.mark.model
def test_the_passage_model_learns_the_coded_sentence_of_a_long_turn(codebook):
    """Turns that each hold one hiring sentence among unrelated ones, the code applied to that
    sentence: the passage model rates a new hiring sentence above an unrelated one, and the
    evidence of a turn of several sentences names the sentence that decided."""
    fillers = [
        "The weather on the first day was grey and the coffee was cold.",
        "Our building has a new roof and the parking lot was repaved.",
        "I drive about forty minutes each way to the office.",
        "We laughed about the projector that never works.",
    ]
    texts, spans = [], []
    for n in range(12):
        hiring = f"We hired {n + 2} new counselors and social workers this year."
        parts = [fillers[n % 4], hiring, fillers[(n + 1) % 4]] if n < 8 else [fillers[n % 4], fillers[(n + 2) % 4]]
        texts.append(" ".join(parts))
        if n < 8:
            spans.append((n, len(parts[0]) + 1, len(parts[0]) + 1 + len(hiring)))
    segments = qc.segments_from_texts(texts, doc_ids=[f"d{n:02d}" for n in range(12)])
    j = codebook.ids.index("personnel")
    labels = np.zeros((len(texts), len(codebook.ids)), dtype=bool)
    labels[:8, j] = True
    span_rows = pd.DataFrame(
        [
            {
                C.DOC_ID: segments[C.DOC_ID].iloc[n],
                C.SEGMENT_ID: int(segments[C.SEGMENT_ID].iloc[n]),
                C.CODE: "personnel",
                C.START_CHAR: int(segments[C.START_CHAR].iloc[n]) + a,
                C.END_CHAR: int(segments[C.START_CHAR].iloc[n]) + b,
            }
            for n, a, b in spans
        ]
    )
    matcher = ClassifierMatcher(cache=None).fit(codebook, Training(segments, codebook.ids, labels, spans=span_rows))
    model = matcher.models_["passage"]["personnel"]
    hiring, other = matcher.hybrid_.embedding_.encode(["We hired three school counselors.", fillers[2]])
    assert model.decision_function(hiring[None, :])[0] > 0 > model.decision_function(other[None, :])[0]
    turn = f"{fillers[3]} We hired three more counselors and a social worker this spring. {fillers[1]}"
    scores = matcher.score(qc.segments_from_texts([turn]))
    evidence = scores.evidence.get((0, j), "")
    assert scores.values[0, j] > matcher.thresholds_["personnel"]
    assert "passage +" in evidence
    assert "passage: 'We hired three more counselors" in evidence
