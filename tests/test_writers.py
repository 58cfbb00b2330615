"""qualcode.io.writers: deterministic long and wide CSVs."""

from __future__ import annotations

import pandas as pd
import pytest

import qualcode as qc
from qualcode.io.writers import long_to_wide, write_codings, write_csv, xlsx_writer

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


def test_formula_cells_are_neutralised_and_restored(tmp_path):
    from qualcode.io.coded import read_coded

    hostile = CODINGS.assign(text=['=HYPERLINK("http://x")', "+1", "plain"], evidence=["@SUM(A1)", "-2+3", "\tcmd"])
    path = write_csv(hostile, tmp_path / "h.csv")
    raw = path.read_text(encoding="utf-8")
    assert "'=HYPERLINK" in raw and "'@SUM" in raw and "'+1" in raw and "'-2+3" in raw
    assert ",=" not in raw and ",@" not in raw
    back = read_coded(path)
    assert back["text"].tolist() == hostile["text"].tolist()
    assert back["evidence"].tolist() == hostile["evidence"].tolist()
    assert back["score"].tolist() == hostile["score"].tolist()  # numbers untouched


def test_a_workbook_keeps_text_whole_and_never_runs_a_formula(tmp_path):
    import openpyxl

    from qualcode.io.table import read_table

    frame = pd.DataFrame(
        {
            "doc_id": ["d1", "d1"],
            "segment_id": [0, 1],
            "text": ['=HYPERLINK("http://x")', "Ana said “we’re à l’école” — twice."],
            "score": [0.5, float("nan")],
            "codes": ["", ""],
        }
    )
    path = tmp_path / "sheet.xlsx"
    xlsx_writer(frame, path)(path)
    sheet = openpyxl.load_workbook(path).active
    assert sheet["C2"].data_type == "s" and sheet["C2"].value.startswith("=HYPERLINK")
    assert sheet.freeze_panes == "A2" and sheet.column_dimensions["C"].width == 80
    back = read_table(path)
    assert back["text"].tolist() == frame["text"].tolist() and back["segment_id"].tolist() == ["0", "1"]


@pytest.mark.parametrize(("text", "why"), [("x" * 32_768, "more characters"), ("bell\x07", "a control character")])
def test_a_cell_a_workbook_cannot_hold_is_an_error_naming_it(tmp_path, text, why):
    frame = pd.DataFrame({"doc_id": ["d1"], "text": [text]})
    with pytest.raises(qc.OutputError, match=rf"sheet\.xlsx: row 2, column 'text' holds {why}.*write a \.csv instead"):
        xlsx_writer(frame, tmp_path / "sheet.xlsx")
    assert not (tmp_path / "sheet.xlsx").exists()
