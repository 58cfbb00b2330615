"""qualcode.training: human codes from several files, and which file decides where they meet."""

from __future__ import annotations

import pandas as pd
import pytest

import qualcode as qc
from qualcode.training import training_set


def _sheet(rows: list[tuple[str, int, str]], source: str) -> pd.DataFrame:
    """Segment-form codes of the segments listed (a filled-in sheet: only they are examples)."""
    frame = pd.DataFrame(
        [{"doc_id": d, "segment_id": s, "code": c, "coder": "ana"} for d, s, c in rows if c],
        columns=["doc_id", "segment_id", "code", "coder"],
    )
    frame.attrs["source"] = source
    frame.attrs["labelled_segments"] = sorted({(d, s) for d, s, _ in rows})
    return frame


def test_the_nearer_file_decides_where_two_code_a_segment_and_files_as_near_teach_together(
    codebook, example_corpus, tmp_path
):
    texts = {doc.doc_id: doc.text for doc in example_corpus.documents}
    segments = example_corpus.segments
    doc = "d02_superintendent"
    ids = segments.loc[segments["doc_id"] == doc, "segment_id"].astype(int).tolist()[:3]
    first = _sheet([(doc, ids[0], "personnel"), (doc, ids[1], "personnel")], str(tmp_path / "v1.csv"))
    second = _sheet([(doc, ids[0], "strength"), (doc, ids[1], "")], str(tmp_path / "v2.csv"))
    other = _sheet([(doc, ids[2], "growth_area")], str(tmp_path / "round2.csv"))
    union = training_set([second, first, other], codebook, segments, texts)  # all given: every code teaches
    with pytest.warns(qc.QualcodeWarning, match=r"v1.csv \(read too, .*\) codes 2 segments that .*v2.csv codes too"):
        tiered = training_set([second, first, other], codebook, segments, texts, read_too={tmp_path / "v1.csv": 1})

    def codes(train):
        return {
            (d, int(s)): sorted(c for c, on in zip(train.codes, row, strict=True) if on)
            for d, s, row in zip(train.segments["doc_id"], train.segments["segment_id"], train.labels, strict=True)
        }

    assert codes(union)[(doc, ids[0])] == ["personnel", "strength"] and codes(union)[(doc, ids[1])] == ["personnel"]
    assert codes(tiered) == {(doc, ids[0]): ["strength"], (doc, ids[1]): [], (doc, ids[2]): ["growth_area"]}
    assert tiered.keys == union.keys  # the same segments learned from: evaluate leaves out the same
    # a file further away decides nothing a nearer one coded, and adds what no one nearer coded
    with pytest.warns(qc.QualcodeWarning, match="v1.csv"):
        further = training_set(
            [second, first, other],
            codebook,
            segments,
            texts,
            read_too={tmp_path / "v1.csv": 2, tmp_path / "round2.csv": 1},
        )
    assert codes(further) == codes(tiered)
