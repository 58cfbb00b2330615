"""qualcode.analysis.units: the units x codes indicator every matrix starts from."""

from __future__ import annotations

import pandas as pd
import pytest

import qualcode as qc
from qualcode.analysis.units import indicator, roll_up, select

CODINGS = pd.DataFrame(
    {
        "doc_id": ["d1", "d1", "d1", "d2", "d2"],
        "segment_id": [0, 0, 3, 0, 1],
        "participant": ["p1", "p1", "p1", "p2", "p2"],
        "code": ["a", "b", "a", "b", "c"],
        "score": [0.9, 0.2, 0.5, 0.7, 0.6],
        "status": ["suggested", "suggested", "rejected", "accepted", "human"],
    }
)


def test_select_by_score_and_status():
    assert len(select(CODINGS)) == 4  # the rejected row goes
    assert select(CODINGS, min_score=0.55)["code"].tolist() == ["a", "b", "c"]
    assert select(CODINGS, statuses=["human"])["code"].tolist() == ["c"]
    with pytest.raises(qc.ColumnError, match="lacks column 'code'"):
        select(CODINGS.drop(columns="code"))


def test_min_score_filters_suggestions_not_a_persons_codes():
    """`freq --min-score 0.8` dropped the suggestions a reviewer had accepted at 0.7 and the
    human codes typed in without a score: a person's decision counts whatever the score."""
    decided = CODINGS.assign(score=[0.9, 0.2, 0.5, 0.7, float("nan")])
    assert select(decided, min_score=0.8)["code"].tolist() == ["a", "b", "c"]  # 0.9; accepted 0.7; human
    by_method = decided.drop(columns="status").assign(method=["hybrid"] * 4 + ["human"])
    assert select(by_method, min_score=0.8)["code"].tolist() == ["a", "c"]


def test_indicator_by_segment_and_document_by_hand():
    seg = indicator(CODINGS, unit="segment", codes=["a", "b", "c"])
    assert seg.total == 4  # (d1,0), (d1,3), (d2,0), (d2,1)
    assert seg.matrix.toarray().sum(axis=0).tolist() == [2, 2, 1]
    doc = indicator(CODINGS, unit="document", codes=["a", "b", "c"])
    assert doc.total == 2 and doc.matrix.toarray().tolist() == [[1, 1, 0], [0, 1, 1]]


def test_segments_without_codes_count_as_units():
    segments = pd.DataFrame({"doc_id": ["d1"] * 5 + ["d2"] * 2, "segment_id": [0, 1, 2, 3, 4, 0, 1]})
    assert indicator(CODINGS, unit="segment", segments=segments).total == 7


def test_roll_up_to_the_top_level(codebook):
    child = pd.DataFrame({"doc_id": "d", "segment_id": 0, "code": ["institutionalism", "personnel"]})
    assert roll_up(child, codebook, 1)["code"].tolist() == ["lenses", "personnel"]
    with pytest.raises(qc.OptionError, match="level 0 must be 1 or more"):
        roll_up(child, codebook, 0)
    with pytest.raises(qc.ColumnError, match="code 'ghost' is not in codebook"):
        roll_up(child.assign(code="ghost"), codebook, 1)
