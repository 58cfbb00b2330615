"""qualcode.sources: codings made on a transcript that has changed since are not silently
misplaced: commands that read offsets refuse, counts say so, and a re-run moves the
reviewed rows to where their words are now."""

from __future__ import annotations

import shutil

import pandas as pd
from typer.testing import CliRunner

import qualcode as qc
from qualcode.cli import app

from .conftest import CODEBOOK, EXAMPLES

EDITED = "d02_student_services.txt"


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def _reviewed_copy(tmp_path):
    folder = tmp_path / "iv"
    shutil.copytree(EXAMPLES, folder)
    out = tmp_path / "coded.csv"
    assert run("tag", folder, "-c", CODEBOOK, "-o", out, "--method", "keyword").exit_code == 0
    assert run("review", out, "--accept-above", "0.5", "--coder", "ana", "-o", out).exit_code == 0
    return folder, out


def _holds_its_words(table, folder):
    texts = {doc.doc_id: doc.text for doc in qc.read_transcripts(folder).documents}
    return all(texts[r.doc_id][r.start_char : r.end_char] == r.text for r in table.itertuples())


def test_a_transcript_edited_after_the_run_is_refused_where_offsets_matter(tmp_path):
    folder, out = _reviewed_copy(tmp_path)
    path = folder / EDITED
    path.write_text("Note added by the transcriber.\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    exported = run("export-refi", out, "-c", CODEBOOK, "-o", tmp_path / "x.qdpx")
    said = " ".join(exported.output.split())
    assert exported.exit_code == 2 and f"{EDITED}: changed since" in said and "re-run qualcode tag" in said
    assert not (tmp_path / "x.qdpx").exists()
    counted = run("freq", out, "-o", tmp_path / "f.csv")
    assert counted.exit_code == 0 and "changed since" in counted.output  # counts: said, not refused


def test_a_rerun_moves_reviewed_rows_to_where_their_words_are_now(tmp_path):
    """A line added at the top of a transcript shifted every offset after it: the reviewed
    rows kept the old offsets (pointing at other words) beside new suggestions at the new
    ones. Now they move with their words; rows whose words changed stay and are counted."""
    folder, out = _reviewed_copy(tmp_path)
    before = pd.read_csv(out, keep_default_na=False)
    edited = before[before["doc_id"] == EDITED.removesuffix(".txt")]
    assert len(edited) > 3
    path = folder / EDITED
    text = path.read_text(encoding="utf-8")
    changed_words = edited["text"].iloc[0]
    corrected = changed_words[:-1] + ("!" if changed_words[-1] != "!" else ".")  # its last character edited
    path.write_text("Note added by the transcriber.\n" + text.replace(changed_words, corrected), "utf-8")
    result = run("tag", folder, "-c", CODEBOOK, "-o", out, "--method", "keyword")
    said = " ".join(result.output.split())
    assert result.exit_code == 0, result.output
    rows = (edited["text"] == changed_words).sum()
    assert f"{len(edited) - rows} of its {len(edited)} reviewed or human rows there found their words again" in said
    assert f"{rows} did not (their words changed or occur twice)" in said
    after = pd.read_csv(out, keep_default_na=False)
    assert (after["status"] == "accepted").sum() == (before["status"] == "accepted").sum()
    moved = after[(after["status"] == "accepted") & (after["text"] != changed_words)]
    assert _holds_its_words(moved, folder)
    assert after.duplicated(["doc_id", "segment_id", "code"]).sum() == rows  # only the changed passage twice
