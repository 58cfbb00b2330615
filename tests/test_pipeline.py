"""qualcode.pipeline: qc.tag reads, suggests, writes the CSV and its .meta.json from one Settings."""

from __future__ import annotations

import json

import pandas as pd

import qualcode as qc

from .conftest import CODEBOOK, EXAMPLES, PARTICIPANTS


def test_tag_from_a_settings_object_and_keywords(tmp_path):
    settings = qc.Settings(method="keyword", segment_by="turn", metadata=str(PARTICIPANTS))
    out = tmp_path / "coded.csv"
    result = qc.tag(EXAMPLES, CODEBOOK, out, settings=settings, top_k=2)
    assert result.settings == settings.model_copy(update={"top_k": 2})
    coded = pd.read_csv(out)
    assert coded.groupby(["doc_id", "segment_id"]).size().max() <= 2
    meta = json.loads((tmp_path / "coded.meta.json").read_text(encoding="utf-8"))
    assert meta["settings"]["segment_by"] == "turn" and meta["settings"]["top_k"] == 2
    assert meta["settings"]["method_ran"] == "keyword"
    assert "[keyword]" in result.summary() and str(out) in result.summary()


def test_tag_without_output_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = qc.tag(EXAMPLES / "d01_superintendent.txt", CODEBOOK, method="keyword")
    assert result.output is None and list(tmp_path.iterdir()) == []
    assert len(result.codings) > 0


def test_wide_format_writes_one_row_per_coded_segment(tmp_path):
    out = tmp_path / "wide.csv"
    result = qc.tag(EXAMPLES, CODEBOOK, out, method="keyword", format="wide")
    wide = pd.read_csv(out)
    coded = result.corpus.segments[~result.corpus.segments["is_interviewer"]]
    assert len(wide) == len(coded) and "personnel" in wide.columns


def test_the_summary_counts_in_the_singular_for_one(tmp_path):
    talk = tmp_path / "talk.txt"
    talk.write_text("We hired one new counselor this year.\n", encoding="utf-8")
    result = qc.tag(talk, CODEBOOK, method="keyword")
    assert result.summary().startswith(
        "1 document, 1 segment (1 scored): 1 suggestion of 1 code on 1 segment [keyword]"
    ), result.summary()
