"""Commands that re-read an imported project's sources cut them exactly as the import did, so
every coding lands on the segment it was imported onto (NVivo and Taguette projects)."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

import qualcode as qc
from qualcode.cli import app
from qualcode.io.speakers import split_turns

from .conftest import NVIVO_PROJECT
from .report_helpers import SERDIF

KEYS = ["doc_id", "segment_id", "start_char", "end_char"]


@pytest.mark.parametrize(("source", "read"), [(NVIVO_PROJECT, qc.read_qdpx), (SERDIF, qc.read_taguette)])
def test_re_read_sources_segment_as_the_import_did(tmp_path, source, read):
    out = tmp_path / "project"
    result = CliRunner().invoke(app, ["import", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    imported = read(source).corpus.segments[KEYS].reset_index(drop=True)
    again = qc.corpus_for(out / "codings.csv").segments[KEYS].reset_index(drop=True)
    pd.testing.assert_frame_equal(imported, again)
    # and the imported codings map onto those segments as they did at import: the only ones
    # left over are those the import itself placed on no segment (kept, with no segment id)
    codings = qc.read_coded(out / "codings.csv")
    mapped = qc.map_to_segments(codings.drop(columns=["segment_id"]), again.assign(text=""))
    assert mapped.attrs["unmapped"] == int(codings["segment_id"].isna().sum())
    assert mapped.attrs["unmapped"] <= 6


def test_a_long_text_before_the_first_label_is_not_dropped():
    """SERDIF's transcripts label only the moderator, after 2,000 characters of the participant:
    those labels are not taken as speakers rather than losing the lead."""
    lead = "The participant reads the task aloud and thinks. " * 20
    text = lead + "\n\nMODERATOR: Yes\n\nOkay, so are we ready to start?\n"
    turns, _ = split_turns(text)
    assert len(turns) == 1 and turns[0].speaker is None
    assert text[turns[0].start : turns[0].end].startswith("The participant reads")
    short = "Interview 3\n\nMODERATOR: Hello\n\nP3: Hi there\n"
    turns, _ = split_turns(short)
    assert [t.speaker for t in turns] == ["MODERATOR", "P3"]  # a title before the labels stays out


def test_agree_on_an_imported_project_reads_its_recorded_sources(tmp_path):
    out = tmp_path / "project"
    assert CliRunner().invoke(app, ["import", str(NVIVO_PROJECT), "-o", str(out)]).exit_code == 0
    codings = pd.read_csv(out / "codings.csv")
    other = codings.iloc[::2].assign(coder="second_coder")  # a second coder who applied half the codes
    other.to_csv(tmp_path / "other.csv", index=False)
    result = CliRunner().invoke(
        app, ["agree", str(out / "codings.csv"), str(tmp_path / "other.csv"), "-o", str(tmp_path / "a.csv")]
    )
    assert result.exit_code == 0, result.output
    assert "sources recorded in codings.meta.json" in result.output
    table = pd.read_csv(tmp_path / "a.csv", index_col=0)
    assert 0 < table.loc["pooled", "percent_agreement"] < 1
