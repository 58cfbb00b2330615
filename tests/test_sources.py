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
    ones. Now they move with their words, also when a word of the passage was corrected
    (their text is then the corrected words); rows whose passage was rewritten stay and are
    counted."""
    folder, out = _reviewed_copy(tmp_path)
    before = pd.read_csv(out, keep_default_na=False)
    edited = before[before["doc_id"] == EDITED.removesuffix(".txt")]
    passages = list(dict.fromkeys(edited["text"]))
    assert len(passages) >= 3
    path = folder / EDITED
    text = path.read_text(encoding="utf-8")
    typo, rewritten = passages[0], passages[1]
    corrected = typo.replace(" ", "  really ", 1)  # one word added to a passage of many
    text = text.replace(typo, corrected).replace(rewritten, "We did not talk about that at all, sorry.")
    path.write_text("Note added by the transcriber.\n" + text, "utf-8")
    result = run("tag", folder, "-c", CODEBOOK, "-o", out, "--method", "keyword")
    said = " ".join(result.output.split())
    assert result.exit_code == 0, result.output
    n_typo, n_gone = (edited["text"] == typo).sum(), (edited["text"] == rewritten).sum()
    assert f"{len(edited) - n_gone} of its {len(edited)} reviewed or human rows there found their words again" in said
    assert f"({n_typo} to words edited since" in said
    assert f"{n_gone} did not (their words changed too much" in said
    after = pd.read_csv(out, keep_default_na=False)
    assert (after["status"] == "accepted").sum() == (before["status"] == "accepted").sum()
    moved = after[(after["status"] == "accepted") & (after["text"] != rewritten)]
    assert _holds_its_words(moved, folder)
    assert (moved["text"] == corrected.strip()).sum() == n_typo  # the words now there
    stuck = after[after["text"] == rewritten]
    assert len(stuck) == n_gone and set(stuck["start_char"]) == set(
        edited.loc[edited["text"] == rewritten, "start_char"]
    )
    assert not after.duplicated(["doc_id", "segment_id", "code"]).any()  # no suggestion beside a moved row
