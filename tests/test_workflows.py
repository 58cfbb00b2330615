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


def test_two_coders_spreadsheets_with_their_own_ids_agree_without_transcripts(tmp_path):
    a = tmp_path / "ana.csv"
    b = tmp_path / "ben.csv"
    a.write_text(
        "doc_id,segment_id,code\nsurvey,R_1aB,cost\nsurvey,R_2cD,cost\nsurvey,R_3eF,time\nsurvey,R_4gH,time\n",
        encoding="utf-8",
    )
    b.write_text(
        "doc_id,segment_id,code\nsurvey,R_1aB,cost\nsurvey,R_2cD,time\nsurvey,R_3eF,time\nsurvey,R_4gH,time\n",
        encoding="utf-8",
    )
    table = qc.agree_files([a, b])
    assert table.loc["pooled", "n_units"] == 8  # 4 responses x 2 codes, the union of coded units
    assert table.loc["cost", "percent_agreement"] == pytest.approx(0.75)
    assert "union of the coded units" in table.attrs["units_from"]


def test_unmapped_codings_are_counted():
    segments = pd.DataFrame({"doc_id": "d", "segment_id": [0, 1]})
    codings = pd.DataFrame({"doc_id": "d", "segment_id": [0, 7], "code": "a", "coder": "x"})
    mapped = qc.map_to_segments(codings, segments)
    assert len(mapped) == 1 and mapped.attrs["unmapped"] == 1
