"""qualcode.analysis.frequencies: how many units hold each code, per group."""

from __future__ import annotations

import pandas as pd
import pytest

import qualcode as qc

from .test_cooccurrence import CODINGS


def test_frequencies_districts():
    codings = CODINGS.assign(district=["D1", "D1", "D1", "D2", "D2", "D2", "D2", "D2"])
    freq = qc.frequencies(codings, count="district")
    assert freq.set_index("code")["of"].to_dict() == {"a": "2 of 2", "b": "2 of 2", "c": "1 of 2"}
    by_role = qc.frequencies(codings, by="role", count="document").set_index(["group", "code"])
    assert by_role.loc[("svc", "c"), "n"] == 1 and by_role.loc[("sup", "c"), "n"] == 0
    table = qc.frequency_table(qc.frequencies(codings, by="role"), "share")
    assert table.loc["a", "sup"] == pytest.approx(1.0) and table.loc["c", "svc"] == pytest.approx(1.0)


def test_shares_use_every_segment_when_the_segments_table_is_given():
    codings = pd.DataFrame({"doc_id": "d", "segment_id": [0, 1], "code": ["a", "a"], "role": "sup"})
    segments = pd.DataFrame({"doc_id": "d", "segment_id": range(5), "role": "sup"})
    alone = qc.frequencies(codings).set_index("code")
    full = qc.frequencies(codings, segments=segments).set_index("code")
    assert alone.loc["a", "of"] == "2 of 2"
    assert full.loc["a", "of"] == "2 of 5" and full.loc["a", "share"] == pytest.approx(0.4)


def test_rejected_rows_are_not_counted():
    codings = pd.DataFrame(
        {"doc_id": "d", "segment_id": [0, 1, 2], "code": "a", "status": ["accepted", "rejected", "suggested"]}
    )
    assert qc.frequencies(codings).set_index("code").loc["a", "n"] == 2
