"""qualcode.analysis.agreement: kappa and alpha against their reference implementations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import qualcode as qc
from qualcode import columns as C


def test_agreement_matches_sklearn_and_krippendorff():
    import krippendorff
    from sklearn.metrics import cohen_kappa_score

    segments = pd.DataFrame(
        {C.DOC_ID: "d", C.SEGMENT_ID: range(10), C.START_CHAR: range(0, 100, 10), C.END_CHAR: range(10, 110, 10)}
    )
    a = [0, 1, 2, 5, 7]
    b = [0, 1, 3, 5, 7, 8]
    codings = pd.DataFrame(
        {C.DOC_ID: "d", C.SEGMENT_ID: a + b, C.CODE: "x", C.CODER: ["ana"] * len(a) + ["ben"] * len(b)}
    )
    table = qc.agreement(codings, segments=segments)
    va = np.isin(np.arange(10), a).astype(int)
    vb = np.isin(np.arange(10), b).astype(int)
    row = table.loc["x"]
    assert row["cohen_kappa"] == pytest.approx(cohen_kappa_score(va, vb))
    assert row["krippendorff_alpha"] == pytest.approx(
        krippendorff.alpha(reliability_data=np.vstack([va, vb]), level_of_measurement="nominal")
    )
    assert row["percent_agreement"] == pytest.approx((va == vb).mean())
    assert row["n_units"] == 10 and row["prevalence"] == pytest.approx((va.sum() + vb.sum()) / 20)


def test_agreement_three_coders_with_missing_documents():
    import krippendorff

    segments = pd.DataFrame(
        {
            C.DOC_ID: ["d1"] * 4 + ["d2"] * 4,
            C.SEGMENT_ID: list(range(4)) * 2,
            C.START_CHAR: [0, 10, 20, 30] * 2,
            C.END_CHAR: [10, 20, 30, 40] * 2,
        }
    )
    codings = pd.DataFrame(
        {
            C.DOC_ID: ["d1", "d1", "d2", "d1", "d2", "d2", "d1"],
            C.SEGMENT_ID: [0, 1, 2, 0, 2, 3, 1],
            C.CODE: "x",
            C.CODER: ["ana", "ana", "ana", "ben", "ben", "ben", "cy"],  # cy coded only d1
        }
    )
    table = qc.agreement(codings, segments=segments)
    data = np.array([[1, 1, 0, 0, 0, 0, 1, 0], [1, 0, 0, 0, 0, 0, 1, 1], [0, 1, 0, 0] + [np.nan] * 4], dtype=float)
    assert table.loc["x", "krippendorff_alpha"] == pytest.approx(
        krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    )
    assert np.isnan(table.loc["x", "cohen_kappa"])  # kappa is for two coders


def test_character_agreement():
    from sklearn.metrics import cohen_kappa_score

    codings = pd.DataFrame(
        {C.DOC_ID: "d", C.START_CHAR: [0, 5], C.END_CHAR: [10, 12], C.CODE: "x", C.CODER: ["ana", "ben"]}
    )
    table = qc.agreement(codings, unit="character", texts={"d": "x" * 20})
    va = np.zeros(20, int)
    va[0:10] = 1
    vb = np.zeros(20, int)
    vb[5:12] = 1
    assert table.loc["x", "cohen_kappa"] == pytest.approx(cohen_kappa_score(va, vb))
    assert table.loc["x", "n_units"] == 20
