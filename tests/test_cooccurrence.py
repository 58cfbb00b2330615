from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import qualcode as qc
from qualcode.analysis import measure_values

# four segments of two documents:  s0 {a, b}   s1 {a}   s2 {b, c}   s3 {a, b, c}
CODINGS = pd.DataFrame(
    {
        "doc_id": ["d1", "d1", "d1", "d2", "d2", "d2", "d2", "d2"],
        "segment_id": [0, 0, 1, 2, 2, 3, 3, 3],
        "code": ["a", "b", "a", "b", "c", "a", "b", "c"],
        "role": ["sup", "sup", "sup", "svc", "svc", "svc", "svc", "svc"],
        "participant": ["P1", "P1", "P1", "P2", "P2", "P2", "P2", "P2"],
        "score": [0.9, 0.8, 0.7, 0.6, 0.3, 0.9, 0.9, 0.9],
    }
)


def test_counts_by_hand():
    m = qc.cooccurrence(CODINGS)
    assert m.loc["a", "a"] == 3 and m.loc["b", "b"] == 3 and m.loc["c", "c"] == 2
    assert m.loc["a", "b"] == 2 and m.loc["a", "c"] == 1 and m.loc["b", "c"] == 2


def test_measures_by_hand():
    segments = pd.DataFrame({"doc_id": ["d1", "d1", "d2", "d2", "d2"], "segment_id": [0, 1, 2, 3, 4]})
    # N = 5 with an uncoded segment s4
    jac = qc.cooccurrence(CODINGS, measure="jaccard")
    assert jac.loc["a", "b"] == pytest.approx(2 / (3 + 3 - 2))
    assert qc.cooccurrence(CODINGS, measure="overlap").loc["a", "c"] == pytest.approx(1 / 2)
    cond = qc.cooccurrence(CODINGS, measure="conditional")
    assert cond.loc["c", "a"] == pytest.approx(1 / 2) and cond.loc["a", "c"] == pytest.approx(1 / 3)
    lift = qc.cooccurrence(CODINGS, measure="lift", segments=segments)
    assert lift.loc["a", "b"] == pytest.approx(2 * 5 / (3 * 3))
    npmi = qc.cooccurrence(CODINGS, measure="npmi", segments=segments)
    p_ab, p_a, p_b = 2 / 5, 3 / 5, 3 / 5
    assert npmi.loc["a", "b"] == pytest.approx(np.log(p_ab / (p_a * p_b)) / -np.log(p_ab))


def test_units_document_participant_window():
    doc = qc.cooccurrence(CODINGS, unit="document")
    assert doc.loc["a", "c"] == 1 and doc.loc["a", "a"] == 2
    assert qc.cooccurrence(CODINGS, unit="participant").equals(doc)
    # windows of 2 segments: d1 {s0,s1}, {s1}; d2 {s2,s3}, {s3}
    win = qc.cooccurrence(CODINGS, unit="window", window=2)
    assert win.loc["a", "a"] == 4 and win.loc["b", "c"] == 2 and win.loc["a", "c"] == 2


def test_groups_sum_to_pooled_counts_and_min_score():
    grouped = qc.cooccurrence(CODINGS, by="role")
    pooled = qc.cooccurrence(CODINGS)
    summed = grouped.groupby(level="code").sum().loc[pooled.index, pooled.columns]
    assert (summed.to_numpy() == pooled.to_numpy()).all()
    assert grouped.loc["sup"].loc["a", "b"] == 1
    strict = qc.cooccurrence(CODINGS, min_score=0.5)
    assert strict.loc["c", "c"] == 1  # the 0.3 suggestion of c is left out


def test_roll_up_to_parents(codebook):
    codings = pd.DataFrame(
        {"doc_id": ["d"] * 3, "segment_id": [0, 0, 1], "code": ["institutionalism", "theories_of_action", "personnel"]}
    )
    rolled = qc.cooccurrence(codings, codebook=codebook, level=1)
    assert list(rolled.index) == ["personnel", "lenses"]  # codebook order
    assert rolled.loc["lenses", "lenses"] == 1  # two children in one segment count once


def test_rejected_rows_are_left_out():
    reviewed = CODINGS.assign(status=["accepted"] * 7 + ["rejected"])
    assert qc.cooccurrence(reviewed).loc["c", "c"] == 1


def test_compare_groups_fisher_and_chi2():
    rows = []
    for i in range(40):
        role = "sup" if i < 20 else "svc"
        codes = ["a", "b"] if (role == "sup" and i < 16) or (role == "svc" and i < 22) else ["a"]
        rows += [{"doc_id": f"d{i}", "segment_id": 0, "code": c, "role": role} for c in codes]
    table = qc.compare_groups(pd.DataFrame(rows), by="role")
    row = table.iloc[0]
    assert row["test"] == "fisher" and row["n_both[sup]"] == 16 and row["n_both[svc]"] == 2
    from scipy.stats import fisher_exact

    assert row["p_value"] == pytest.approx(fisher_exact([[16, 2], [4, 18]])[1])
    assert bool(row["differs"]) is True
    three = pd.DataFrame(rows).assign(role=lambda f: np.where(f["doc_id"].isin(["d0", "d1", "d2"]), "x", f["role"]))
    assert set(qc.compare_groups(three, by="role")["test"]) <= {"chi2", "none"}
    with pytest.raises(qc.OptionError, match=r"at least two values of role; the coded segments have 'sup' only$"):
        qc.compare_groups(pd.DataFrame(rows).assign(role="sup"), by="role")


def test_bad_options():
    with pytest.raises(qc.OptionError, match="unknown measure 'cosine'"):
        qc.cooccurrence(CODINGS, measure="cosine")
    with pytest.raises(qc.ColumnError, match="no column 'gender' to group by"):
        qc.cooccurrence(CODINGS, by="gender")
    with pytest.raises(qc.OptionError, match="level needs the codebook"):
        qc.cooccurrence(CODINGS, level=1)
    for count in (qc.cooccurrence, qc.frequencies, qc.accept):  # a file's path, in a notebook
        with pytest.raises(qc.OptionError, match=r"codings: a str, not a table; read the file first, qc.read_coded"):
            count("coded.csv")


codings_strategy = st.lists(
    st.tuples(st.integers(0, 29), st.sampled_from("abcdef"), st.sampled_from(["g1", "g2", "g3"])),
    min_size=1,
    max_size=120,
)


def _frame(rows):
    frame = pd.DataFrame(rows, columns=["segment_id", "code", "role"])
    frame["doc_id"] = "d"
    frame["role"] = frame.groupby("segment_id")["role"].transform("first")  # a segment has one role
    return frame


@settings(max_examples=60, deadline=None)
@given(codings_strategy)
def test_properties(rows):
    frame = _frame(rows)
    count = qc.cooccurrence(frame)
    n = count.to_numpy()
    assert (n == n.T).all()
    per_code = frame.drop_duplicates(["segment_id", "code"]).groupby("code").size()
    assert (np.diag(n) == per_code.loc[count.index].to_numpy()).all()
    for measure in ("jaccard", "overlap", "conditional"):
        values = qc.cooccurrence(frame, measure=measure).to_numpy()
        assert np.nanmin(values) >= 0 and np.nanmax(values) <= 1 + 1e-12
        if measure != "conditional":
            assert np.allclose(values, values.T, equal_nan=True)
    npmi = qc.cooccurrence(frame, measure="npmi").to_numpy()
    assert np.nanmin(npmi) >= -1 - 1e-9 and np.nanmax(npmi) <= 1 + 1e-9
    lift = qc.cooccurrence(frame, measure="lift").to_numpy()
    assert np.nanmin(lift) >= 0
    grouped = qc.cooccurrence(frame, by="role")
    summed = grouped.groupby(level="code").sum().reindex(index=count.index, columns=count.columns).fillna(0)
    assert (summed.to_numpy() == n).all()


def test_measure_values_handles_empty_codes():
    n_ab = np.array([[2, 0], [0, 0]])
    jac = measure_values(n_ab, 4, "jaccard")
    assert jac[0, 0] == 1 and np.isnan(jac[1, 1])
