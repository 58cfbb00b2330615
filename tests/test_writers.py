"""qualcode.io.writers: deterministic long and wide CSVs."""

from __future__ import annotations

import pandas as pd
import pytest

import qualcode as qc
from qualcode.io.writers import long_to_wide, write_codings, write_csv

SEGMENTS = pd.DataFrame(
    {"doc_id": "d", "segment_id": [0, 1, 2], "is_interviewer": False, "text": ["x", "y", "z"], "role": "sup"}
)
CODINGS = pd.DataFrame({"doc_id": "d", "segment_id": [0, 0, 2], "code": ["a", "b", "a"], "score": [0.5, 0.25, 1.0]})


def test_wide_has_one_row_per_segment_and_a_column_per_code():
    wide = long_to_wide(CODINGS, SEGMENTS, ["b", "a", "c"])
    assert wide.columns.tolist() == ["doc_id", "segment_id", "role", "text", "b", "a", "c"]
    assert wide["a"].tolist()[0] == 0.5 and pd.isna(wide.loc[1, "a"]) and wide["c"].isna().all()


def test_csv_is_byte_identical_with_fixed_floats_and_lf(tmp_path):
    first = write_csv(CODINGS.assign(score=[1 / 3, 2 / 3, 1.0]), tmp_path / "a.csv").read_bytes()
    second = write_csv(CODINGS.assign(score=[1 / 3, 2 / 3, 1.0]), tmp_path / "b.csv").read_bytes()
    assert first == second and b"\r\n" not in first and b"0.3333\n" in first


def test_bad_format_and_wide_without_segments(tmp_path):
    with pytest.raises(qc.OptionError, match="format 'tall' is not one of: long, wide"):
        write_codings(CODINGS, tmp_path / "x.csv", format="tall")
    with pytest.raises(qc.OptionError, match="needs the segments table"):
        write_codings(CODINGS, tmp_path / "x.csv", format="wide")
    assert not (tmp_path / "x.csv").exists()
