"""qualcode.workflows: the library steps behind agree, evaluate, matrix --compare, plot and export-refi."""

from __future__ import annotations

import pandas as pd
import pytest

import qualcode as qc

from .conftest import CODEBOOK, EXAMPLES


def test_export_filter_keeps_reviewed_work():
    codings = pd.DataFrame(
        {
            "doc_id": "d",
            "segment_id": [0, 1, 2, 3],
            "code": "a",
            "score": [0.2, 0.9, 0.1, 0.3],
            "status": ["suggested", "suggested", "accepted", "rejected"],
        }
    )
    kept = qc.export_filter(codings, min_score=0.5)
    assert kept["segment_id"].tolist() == [1, 2]  # the low accepted row stays; rejected goes
    assert qc.export_filter(codings, include_rejected=True)["segment_id"].tolist() == [0, 1, 2, 3]


def test_compare_table_needs_groups():
    with pytest.raises(qc.OptionError, match="needs by"):
        qc.compare_table(pd.DataFrame({"doc_id": ["d"], "code": ["a"]}), None)


def test_agree_files_on_the_example_coders():
    table = qc.agree_files([EXAMPLES / "human_codes.csv", EXAMPLES / "human_codes_coder_b.csv"], inputs=[EXAMPLES])
    assert "pooled" in table.index and 0 < table.loc["pooled", "cohen_kappa"] <= 1
    with pytest.raises(qc.OptionError, match="needs the transcripts"):
        qc.agree_files([EXAMPLES / "human_codes.csv"])


def test_evaluate_files_tunes_into_a_codebook(tmp_path):
    out = tmp_path / "coded.csv"
    qc.tag(EXAMPLES, CODEBOOK, out, method="keyword")
    result = qc.evaluate_files(out, EXAMPLES / "human_codes.csv", tune="f1", codebook=CODEBOOK)
    assert "micro" in result.table.index and result.thresholds
    assert result.codebook is not None and result.codebook.thresholds() == result.thresholds
    curve = qc.evaluate_files(out, EXAMPLES / "human_codes.csv", curve=True)
    assert curve.curve and "threshold" in curve.table.columns
