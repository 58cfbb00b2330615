"""A code renamed or merged in the codebook (``formerly``): the codings made under its old
names are read as the code, in every command, and a re-run carries the reviewed rows over."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

import qualcode as qc
from qualcode import columns as C
from qualcode.cli import app
from qualcode.codings import codes_as_ids
from qualcode.origins import drop_copies
from qualcode.review import merge

from .conftest import CODEBOOK, EXAMPLES, PARTICIPANTS

BOOK = """\
name: Renamed
codes:
  - id: staffing
    label: Staffing and hiring
    formerly: [personnel, Hiring process]
  - id: climate
    label: Climate
"""


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def test_a_former_name_that_names_a_code_or_two_codes_is_refused_with_its_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "name: Bad\n"
        "codes:\n"
        "  - id: staffing\n"
        "    label: Staffing\n"
        "    formerly: [personnel, Climate]\n"
        "  - id: climate\n"
        "    label: Climate\n"
        "    formerly: [Personnel]\n",
        encoding="utf-8",
    )
    with pytest.raises(qc.CodebookError) as info:
        qc.load_codebook(path)
    problems = info.value.problems
    assert len(problems) == 2
    assert problems[0].startswith(f"{path}:5: codes[0].formerly[1]: 'Climate' names code 'climate' of this codebook")
    assert problems[1].startswith(
        f"{path}:8: codes[1].formerly[0]: 'Personnel' is also a former name of code 'staffing' (at codes[0].formerly[0])"
    )


def test_a_former_name_is_read_as_the_code_in_any_case_and_spacing():
    book = qc.codebook_from_yaml(BOOK)
    codings = pd.DataFrame({C.CODE: ["personnel", "hiring_process", "HIRING  process", "staffing", "climate", "gone"]})
    assert codes_as_ids(codings, book)[C.CODE].tolist() == [
        "staffing",
        "staffing",
        "staffing",
        "staffing",
        "climate",
        "gone",  # no name of any code: left for the check that names it
    ]
    empty = qc.codebook_from_yaml(BOOK.replace("    formerly: [personnel, Hiring process]\n", ""))
    assert empty.hash != book.hash and "formerly" not in empty.to_dict()["codes"][0]


def _rows(*rows):
    columns = [C.DOC_ID, C.SEGMENT_ID, C.START_CHAR, C.END_CHAR, C.CODE, C.SCORE, C.METHOD, C.STATUS, C.CODER]
    return pd.DataFrame([dict(zip(columns, row, strict=True)) for row in rows])


def test_a_merge_renames_kept_rows_and_keeps_two_merged_codes_on_one_passage_once():
    """Codes 'personnel' and 'hiring_process' merged into 'staffing': a passage ana accepted
    under both is one accepted row; ben's human row and ana's rejection stay rows of their own."""
    book = qc.codebook_from_yaml(BOOK)
    previous = _rows(
        ("d1", 0, 0, 10, "personnel", 0.7, "hybrid", "accepted", "ana"),
        ("d1", 0, 0, 10, "hiring_process", 0.6, "hybrid", "accepted", "ana"),
        ("d1", 0, 0, 10, "personnel", 1.0, "human", "human", "ben"),
        ("d1", 1, 11, 20, "personnel", 0.5, "hybrid", "rejected", "ana"),
        ("d1", 1, 11, 20, "Hiring process", 0.5, "hybrid", "accepted", "ana"),
        ("d1", 2, 21, 30, "gone", 0.5, "hybrid", "accepted", "ana"),
    )
    new = _rows(
        ("d1", 0, 0, 10, "staffing", 0.8, "hybrid", "suggested", ""),
        ("d1", 1, 11, 20, "staffing", 0.8, "hybrid", "suggested", ""),
        ("d1", 3, 31, 40, "staffing", 0.8, "hybrid", "suggested", ""),
    )
    merged, report = merge(previous, new, book)
    assert report.renamed == {("personnel", "staffing"): 3, ("hiring_process", "staffing"): 1,
                              ("Hiring process", "staffing"): 1}  # fmt: skip
    assert report.once == 1 and report.orphaned == {"gone": 1}
    kept = merged[merged[C.STATUS] != "suggested"]
    assert sorted(zip(kept[C.SEGMENT_ID], kept[C.CODE], kept[C.STATUS], kept[C.CODER], strict=True)) == [
        (0, "staffing", "accepted", "ana"),
        (0, "staffing", "human", "ben"),
        (1, "staffing", "accepted", "ana"),
        (1, "staffing", "rejected", "ana"),
        (2, "gone", "accepted", "ana"),
    ]
    assert merged.loc[merged[C.STATUS] == "suggested", C.SEGMENT_ID].tolist() == [3]  # the rest already decided
    line = next(line for line in report.lines() if line.startswith("renamed"))
    assert line == (
        "renamed 5 reviewed or human rows to the codebook's ids (a code's former name or label): "
        "'personnel' -> 'staffing' (3), 'Hiring process' -> 'staffing' (1), 'hiring_process' -> 'staffing' (1); "
        "1 of them then matched another row (same passage, code, status and coder: codes merged into one) and is kept "
        "once"
    )


def test_copies_of_a_training_file_made_under_a_former_name_are_not_counted_as_deleted(tmp_path):
    book = qc.codebook_from_yaml(BOOK)
    source = tmp_path / "human.csv"
    evidence = f"human code (from {source.resolve()})"
    prior = _rows(("d1", 0, 0, 10, "personnel", 1.0, "human", "human", "ana")).assign(**{C.EVIDENCE: evidence})
    now = _rows(("d1", 0, 0, 10, "staffing", 1.0, "human", "human", "ana")).assign(**{C.EVIDENCE: evidence})
    rest, gone, files = drop_copies(prior, now, [str(source)], book)
    assert (len(rest), gone, files) == (0, 0, [])
    assert drop_copies(prior, now, [str(source)])[1] == 1  # without the codebook the old name looks deleted


def _renamed_codebook(tmp_path, old: str, new: str):
    """The study codebook with code ``old`` renamed ``new`` (a new label too), its old id
    kept as its former name."""
    data = yaml.safe_load(CODEBOOK.read_text(encoding="utf-8"))

    def visit(codes):
        for code in codes:
            if code["id"] == old:
                code.update(id=new, label=new.replace("_", " ").capitalize(), formerly=[old])
            visit(code.get("children", []))

    visit(data["codes"])
    path = tmp_path / "renamed.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_a_rerun_after_a_code_is_renamed_carries_the_review_over_and_counts_it_as_the_code(tmp_path):
    out = tmp_path / "coded.csv"
    assert run("tag", EXAMPLES, "-c", CODEBOOK, "-m", PARTICIPANTS, "-o", out, "--method", "keyword").exit_code == 0
    table = pd.read_csv(out, keep_default_na=False)
    old = table.loc[0, C.CODE]
    table.loc[table[C.CODE] == old, [C.STATUS, C.CODER]] = ["accepted", "ana"]
    table.to_csv(out, index=False)
    reviewed = int((table[C.CODE] == old).sum())
    renamed = _renamed_codebook(tmp_path, old, "renamed_code")
    checked = run("validate", renamed)
    assert checked.exit_code == 0 and f"count as the code: renamed_code ({old})" in checked.output

    freq = run("freq", out, "-c", renamed, "-o", tmp_path / "freq.csv")
    assert freq.exit_code == 0, freq.output
    counts = pd.read_csv(tmp_path / "freq.csv", keep_default_na=False)
    assert old not in set(counts[C.CODE]) and "not in codebook" not in freq.output
    assert counts.loc[counts[C.CODE] == "renamed_code", "n"].item() > 0
    report = tmp_path / "report.html"
    assert run("report", out, "-c", renamed, "-o", report).exit_code == 0
    assert f"<b>Formerly:</b> {old} (codings under these names count here)" in report.read_text(encoding="utf-8")

    again = run("tag", EXAMPLES, "-c", renamed, "-m", PARTICIPANTS, "-o", out, "--method", "keyword")
    assert again.exit_code == 0, again.output
    assert f"renamed {reviewed} reviewed or human rows to the codebook's ids" in " ".join(again.output.split())
    after = pd.read_csv(out, keep_default_na=False)
    assert old not in set(after[C.CODE])
    mine = after[after[C.CODE] == "renamed_code"]
    assert (mine[C.STATUS] == "accepted").sum() == reviewed
    assert (mine[C.STATUS] == "suggested").sum() == 0  # the keyword run finds the same passages: decided

    # `review --code` under the old name reviews the code it became (the codebook the file was made with says)
    reviewed_again = run("review", out, "--code", old, "--reject-below", "1.0", "-o", tmp_path / "by_old.csv")
    assert reviewed_again.exit_code == 0, reviewed_again.output
    assert f"--code '{old}' is 'renamed_code' in the codebook" in reviewed_again.output
    by_old = pd.read_csv(tmp_path / "by_old.csv", keep_default_na=False)
    assert (by_old[C.STATUS] == "rejected").sum() == 0  # accepted rows stay accepted; no suggestion left to reject
    misspelt = run("review", out, "--code", old + "x" * 12, "--accept-above", "0.5", "-o", tmp_path / "never.csv")
    assert misspelt.exit_code == 2 and "is in no row of" in misspelt.output
