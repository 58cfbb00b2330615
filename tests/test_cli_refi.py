"""`qualcode export-refi` and `qualcode import-refi` end to end, on real files."""

from __future__ import annotations

import json
import shutil
import zipfile

import pandas as pd
import pytest
from typer.testing import CliRunner

import qualcode as qc
from qualcode.cli import app
from qualcode.refi.schema import schema_errors

from .conftest import CODEBOOK, EXAMPLES, NVIVO_CODEBOOK, NVIVO_PROJECT, PARTICIPANTS, PROJECT_XSD

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_tag_export_import_and_analyse(tmp_path):
    coded = tmp_path / "coded.csv"
    assert run("tag", EXAMPLES, "-c", CODEBOOK, "-m", PARTICIPANTS, "-o", coded, "--method", "keyword").exit_code == 0
    assert run("review", coded, "--accept-above", "0.7", "--coder", "ana", "-o", coded).exit_code == 0
    project = tmp_path / "study.qdpx"
    positional = run("export-refi", coded, EXAMPLES, "-o", project)  # transcripts belong to -i: said so
    assert positional.exit_code == 2 and f"transcripts are given with -i: qualcode export-refi {coded} -i" in (
        " ".join(positional.output.split())
    )
    assert not project.exists()
    result = run("export-refi", coded, "-c", CODEBOOK, "-o", project)
    assert result.exit_code == 0, result.output
    assert "9 sources, 14 codes" in result.output
    with zipfile.ZipFile(project) as archive:
        assert schema_errors(archive.read("project.qde"), PROJECT_XSD) == []

    folder = tmp_path / "imported"
    result = run("import-refi", project, "-o", folder)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == [
        "codebook.yaml",
        "codings.csv",
        "codings.meta.json",
        "participants.csv",
        "sources",
    ]
    original = pd.read_csv(coded, keep_default_na=False)
    imported = pd.read_csv(folder / "codings.csv", keep_default_na=False)
    key = ["doc_id", "start_char", "end_char", "code", "status", "coder"]
    assert sorted(map(tuple, imported[key].astype(str).values)) == sorted(map(tuple, original[key].astype(str).values))
    assert qc.load_codebook(folder / "codebook.yaml") == qc.load_codebook(CODEBOOK)
    meta = json.loads((folder / "codings.meta.json").read_text())
    assert meta["imported_from"]["origin"].startswith("qualcode")

    matrix = tmp_path / "matrix.csv"
    result = run("matrix", folder / "codings.csv", "--by", "role", "-o", matrix)
    assert result.exit_code == 0, result.output
    assert set(pd.read_csv(matrix)["group"]) == {"superintendent", "assistant_superintendent", "student_services"}
    # and back out again, with the transcripts found through codings.meta.json
    again = tmp_path / "again.qdpx"
    result = run("export-refi", folder / "codings.csv", "-c", folder / "codebook.yaml", "-o", again)
    assert result.exit_code == 0, result.output


def test_import_nvivo_and_compute_agreement_inputs(tmp_path):
    folder = tmp_path / "nvivo"
    result = run("import-refi", NVIVO_PROJECT, "-o", folder)
    assert result.exit_code == 0, result.output
    assert "2 sources, 152 codes, 297 codings (299 rows in codings.csv" in result.output and "2 users" in result.output
    assert "UTF-16" in result.output  # the conversion is reported
    codings = qc.read_codings(folder / "codings.csv")  # span form, ready for qualcode agree
    assert len(codings.drop_duplicates()) == 297
    freq = tmp_path / "freq.csv"
    assert run("freq", folder / "codings.csv", "-o", freq).exit_code == 0
    # a non-empty folder is not overwritten without --force
    result = run("import-refi", NVIVO_PROJECT, "-o", folder)
    assert result.exit_code == 2 and "not empty" in result.output
    assert run("import-refi", NVIVO_PROJECT, "-o", folder, "--force").exit_code == 0
    # straight back out: the summary counts the codings written (297), not the rows read (299:
    # two selections cover two segments each)
    back = run("export-refi", folder / "codings.csv", "-c", folder / "codebook.yaml", "-o", tmp_path / "back.qdpx")
    assert back.exit_code == 0 and "2 sources, 152 codes, 297 codings ->" in back.output, back.output
    # without -c: the codebook the import wrote, recorded beside codings.csv, as for `next` and `report`
    same = run("export-refi", folder / "codings.csv", "-o", tmp_path / "same.qdpx")
    assert same.exit_code == 0 and "2 sources, 152 codes, 297 codings ->" in same.output, same.output
    ordered = pd.read_csv(freq)["code"].tolist()  # counted in the codebook's order, not by name
    book = qc.load_codebook(folder / "codebook.yaml")
    assert ordered == [code for code in book.ids if code in set(ordered)] and ordered != sorted(ordered)


def test_codebook_qdc_both_ways(tmp_path):
    qdc = tmp_path / "caring.qdc"
    assert run("export-refi", "-c", CODEBOOK, "-o", qdc).exit_code == 0
    yaml_out = tmp_path / "caring.yaml"
    result = run("import-refi", qdc, "-o", yaml_out)
    assert result.exit_code == 0, result.output
    assert qc.load_codebook(yaml_out).ids == qc.load_codebook(CODEBOOK).ids


def test_a_refi_codebook_or_project_is_a_runs_codebook(tmp_path):
    """`-c codebook.qdc` (the codebook NVivo, ATLAS.ti or MAXQDA exports) and `-c project.qdpx`
    were read as YAML (`invalid YAML: mapping values are not allowed here`, `not UTF-8 text`);
    they are the codebooks they hold, the project's read without its sources."""
    qdc = tmp_path / "caring.qdc"
    assert run("export-refi", "-c", CODEBOOK, "-o", qdc).exit_code == 0
    book, mine = qc.load_codebook(qdc), qc.load_codebook(CODEBOOK)
    assert book.ids == mine.ids
    assert [book.get(c).description for c in book.ids] == [mine.get(c).description for c in mine.ids]
    out = tmp_path / "coded.csv"
    tagged = run("tag", EXAMPLES, "-c", qdc, "-o", out, "--method", "keyword", "--metadata", PARTICIPANTS)
    assert tagged.exit_code == 0, tagged.output
    same = tmp_path / "same.csv"
    assert (
        run("tag", EXAMPLES, "-c", CODEBOOK, "-o", same, "--method", "keyword", "--metadata", PARTICIPANTS).exit_code
        == 0
    )
    columns = ["doc_id", "segment_id", "code", "score"]
    assert pd.read_csv(out)[columns].equals(pd.read_csv(same)[columns])  # the same codes, the same suggestions
    assert json.loads(out.with_name("coded.meta.json").read_text(encoding="utf-8"))["codebook"]["path"] == str(qdc)
    project = qc.load_codebook(NVIVO_CODEBOOK)  # NVivo for Mac 15's project: 262 codes, sources as .docx only
    assert len(project.ids) == 262 and project.ids == qc.read_qdpx(NVIVO_CODEBOOK).codebook.ids
    checked = run("validate", NVIVO_PROJECT, "-o", tmp_path / "nvivo.yaml")
    assert checked.exit_code == 0 and "valid: 152 codes" in checked.output, checked.output
    assert qc.load_codebook(tmp_path / "nvivo.yaml").ids == qc.read_qdpx(NVIVO_PROJECT).codebook.ids
    empty = tmp_path / "empty.qdpx"  # a project exported before any code was made
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("project.qde", '<Project xmlns="urn:QDA-XML:project:1.0" name="p"/>')
    refused = run("validate", empty)
    said = " ".join(refused.output.split())
    assert refused.exit_code == 2 and "empty.qdpx: the project holds no codes, so no codebook" in said, said
    broken = tmp_path / "broken.qdc"
    broken.write_text("code: not xml", encoding="utf-8")
    refused = run("tag", EXAMPLES, "-c", broken, "-o", tmp_path / "x.csv")
    said = " ".join(refused.output.split())
    assert refused.exit_code == 2 and "broken.qdc" in said and "Traceback" not in said, said
    assert not (tmp_path / "x.csv").exists()


def test_errors_are_one_line_and_write_nothing(tmp_path):
    cases = [
        (("export-refi", "-c", CODEBOOK, "-o", tmp_path / "x.zip"), ".qdpx"),
        (("export-refi", "-c", CODEBOOK, "-o", tmp_path / "x.qdpx"), "give CODED"),
        (("export-refi", tmp_path / "missing.csv", "-c", CODEBOOK, "-o", tmp_path / "x.qdpx"), "missing.csv"),
        (("export-refi", tmp_path / "missing.csv", "-o", tmp_path / "x.qdpx"), "missing.csv: no such file"),
        (("import-refi", tmp_path / "none.qdpx", "-o", tmp_path / "out"), "no such file"),
        (("import-refi", CODEBOOK, "-o", tmp_path / "out"), ".qdpx project, a .qdc codebook or a Taguette"),
    ]
    notes = tmp_path / "notes.qdpx"
    notes.write_text("not a zip")
    cases.append((("import-refi", notes, "-o", tmp_path / "out"), "not a zip"))
    for args, words in cases:
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
        lines = [line for line in result.output.splitlines() if line]
        assert len(lines) == 1 and lines[0].startswith("error:") and words in lines[0], result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.qdpx"]


def test_force_never_replaces_the_folder_holding_the_input_or_the_current_folder(tmp_path, monkeypatch):
    project = tmp_path / "work" / "team.qdpx"
    project.parent.mkdir()
    shutil.copy(NVIVO_CODEBOOK, project)
    (tmp_path / "work" / "notes.txt").write_text("my notes", encoding="utf-8")
    monkeypatch.chdir(tmp_path / "work")
    for target in (str(project.parent), ".", str(tmp_path)):
        result = CliRunner().invoke(app, ["import-refi", str(project), "-o", target, "--force"])
        assert result.exit_code == 2, result.output
        assert "choose a new folder" in result.output and len(result.output.strip().splitlines()) == 1
    assert project.exists() and (tmp_path / "work" / "notes.txt").read_text(encoding="utf-8") == "my notes"
    assert sorted(p.name for p in (tmp_path / "work").iterdir()) == ["notes.txt", "team.qdpx"]  # nothing half-written


def test_force_replaces_an_imported_folder_but_not_the_work_written_into_it(tmp_path):
    """`import --force -o imp` again after `tag … -o imp/coded.csv`: the folder was replaced
    whole, and the tag output in it (reviewed rows) deleted with it."""
    folder = tmp_path / "imp"
    assert run("import-refi", NVIVO_PROJECT, "-o", folder).exit_code == 0
    (folder / ".DS_Store").write_bytes(b"")  # a file browser's: no one's work
    assert run("import-refi", NVIVO_PROJECT, "-o", folder, "--force").exit_code == 0
    (folder / "coded.csv").write_text("doc_id,code,status\nd,c,accepted\n", encoding="utf-8")
    result = run("import-refi", NVIVO_PROJECT, "-o", folder, "--force")
    said = " ".join(result.output.split())
    assert result.exit_code == 2 and "holds files qualcode import did not write (coded.csv)" in said
    assert (folder / "coded.csv").read_text(encoding="utf-8").endswith("accepted\n")


def test_export_never_replaces_another_programs_project(tmp_path):
    """`export-refi -o project.qdpx` over the NVivo project a study was imported from
    replaced it with qualcode's view of it (memos, sets and other sources gone)."""
    project = tmp_path / "project.qdpx"
    shutil.copy(NVIVO_PROJECT, project)
    before = project.read_bytes()
    imported = tmp_path / "imp"
    assert run("import", project, "-o", imported).exit_code == 0
    args = ("export-refi", imported / "codings.csv", "-c", imported / "codebook.yaml", "-o")
    result = run(*args, project)
    said = " ".join(result.output.split())
    assert result.exit_code == 2 and "exists and was written by NVivo for Mac 12.7.0" in said
    assert project.read_bytes() == before
    mine = tmp_path / "mine.qdpx"
    assert run(*args, mine).exit_code == 0 and run(*args, mine).exit_code == 0  # qualcode's own: replaced
    codebook = tmp_path / "nvivo.qdc"
    codebook.write_bytes(b"<CodeBook origin='ATLAS.ti 23'/>")
    refused = run("export-refi", "-c", CODEBOOK, "-o", codebook)
    assert refused.exit_code == 2 and "written by ATLAS.ti 23" in refused.output
    with pytest.raises(qc.OutputError, match="not a file qualcode wrote"):
        (tmp_path / "junk.qdpx").write_text("junk", encoding="utf-8")
        qc.to_qdc(qc.load_codebook(CODEBOOK), tmp_path / "junk.qdpx")


def test_export_says_what_it_left_out_and_include_rejected_keeps_rejections_through_a_round_trip(tmp_path):
    """Rejected suggestions stay out of a project by default: the summary line said nothing,
    and importing the project back lost the rejections unsaid."""
    coded = tmp_path / "coded.csv"
    assert run("tag", EXAMPLES, "-c", CODEBOOK, "-m", PARTICIPANTS, "-o", coded, "--method", "keyword").exit_code == 0
    table = pd.read_csv(coded, keep_default_na=False)
    table.loc[[0, 3], ["status", "coder"]] = ["rejected", "ana"]
    table.to_csv(coded, index=False)
    suggested = table["status"].eq("suggested")
    below = int((suggested & (table["score"] < 0.8)).sum())
    assert below
    result = run("export-refi", coded, "-o", tmp_path / "a.qdpx", "--min-score", "0.8")
    assert result.exit_code == 0, result.output
    line = " ".join(result.output.split())
    assert f"{len(table) - 2 - below} codings -> " in line
    assert "(2 rejected suggestions left out: --include-rejected keeps them)" in line
    assert f"({below} suggestions below --min-score 0.8 left out)" in line
    result = run("export-refi", coded, "-o", tmp_path / "b.qdpx", "--include-rejected")
    assert result.exit_code == 0 and "left out" not in result.output and f"{len(table)} codings" in result.output
    assert run("import-refi", tmp_path / "b.qdpx", "-o", tmp_path / "back").exit_code == 0
    back = pd.read_csv(tmp_path / "back" / "codings.csv", keep_default_na=False)
    assert back["status"].value_counts().to_dict() == table["status"].value_counts().to_dict()


@pytest.mark.model
def test_learning_from_the_nvivo_project_does_not_flood_it_with_bare_labels(tmp_path):
    """NVivo's example project: 152 codes that are bare labels, one of its two documents
    coded. Zero-shot, those labels are suggested on most segments; learning from the coded
    document, a code without examples keeps that score only where the coded segments do not
    show it wrong."""
    folder = tmp_path / "nvivo"
    assert run("import-refi", NVIVO_PROJECT, "-o", folder).exit_code == 0
    coded = tmp_path / "coded.csv"
    args = ("tag", folder / "sources", "-c", folder / "codebook.yaml", "--train", folder / "codings.csv", "-o", coded)
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert (
        "487 scored, 462 learned from" in result.output and "by the model learned on the other codes" in result.output
    )
    rows = pd.read_csv(coded)
    suggested = rows[rows["method"] != "human"]
    assert len(suggested) < 2 * 487  # zero-shot for every code without examples: 18,410
    made = json.loads((tmp_path / "coded.meta.json").read_text(encoding="utf-8"))["models"]["classifier"]
    kept, shared = set(made["zero_shot"]), set(made["definition_only"])
    assert kept and shared and not kept & shared
    assert set(suggested.loc[suggested["method"] == "hybrid", "code"]) <= kept
    assert (suggested.loc[suggested["code"].isin(shared), "method"] == "classifier").all()


def test_a_researchers_memo_on_a_coding_survives_a_rerun_and_the_round_trip_through_a_project(tmp_path):
    coded = tmp_path / "coded.csv"
    assert run("tag", EXAMPLES, "-c", CODEBOOK, "-m", PARTICIPANTS, "-o", coded, "--method", "keyword").exit_code == 0
    table = pd.read_csv(coded, keep_default_na=False)
    table["memo"], table["flag"] = "", ""
    table.loc[0, ["status", "coder", "memo"]] = ["accepted", "ana", "Quote this in the paper; see P01's later turn"]
    table.loc[1, ["status", "coder", "memo", "flag"]] = ["human", "ana", "", "check"]
    table.to_csv(coded, index=False)
    again = run("tag", EXAMPLES, "-c", CODEBOOK, "-m", PARTICIPANTS, "-o", coded, "--method", "keyword")
    assert again.exit_code == 0, again.output
    kept = pd.read_csv(coded, keep_default_na=False)
    assert kept.loc[kept["status"] == "accepted", "memo"].tolist() == ["Quote this in the paper; see P01's later turn"]
    report = tmp_path / "report.html"
    assert run("report", coded, "-o", report).exit_code == 0
    assert "Memo: Quote this in the paper; see P01&#39;s later turn" in report.read_text(encoding="utf-8")
    project = tmp_path / "study.qdpx"
    exported = run("export-refi", coded, "-o", project)
    assert exported.exit_code == 0, exported.output
    said = " ".join(exported.output.split())
    assert "columns not exported: flag; a column named memo travels as each coding's note" in said
    assert run("import", project, "-o", tmp_path / "back").exit_code == 0
    back = pd.read_csv(tmp_path / "back" / "codings.csv", keep_default_na=False)
    noted = back[back["memo"] != ""]
    assert noted[["code", "status", "coder", "memo"]].values.tolist() == [
        [table.loc[0, "code"], "accepted", "ana", "Quote this in the paper; see P01's later turn"]
    ]


def test_export_places_the_codings_once(tmp_path, monkeypatch):
    """The project's codings are turned into spans once; the count printed is of those written
    (it computed them a second time to count them)."""
    import qualcode.refi.export as export

    human = tmp_path / "human.csv"
    shutil.copy(EXAMPLES / "human_codes.csv", human)
    calls = []
    real = export.codings_to_spans
    monkeypatch.setattr(export, "codings_to_spans", lambda *a, **k: calls.append(1) or real(*a, **k))
    out = tmp_path / "study.qdpx"
    result = runner.invoke(app, ["export-refi", str(human), "-i", str(EXAMPLES), "-c", str(CODEBOOK), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert len(calls) == 1
    written = qc.read_qdpx(out).codings
    n = written.groupby(["doc_id", "start_char", "end_char", "code", "coder"]).ngroups
    assert f"{n} codings -> {out}" in result.output
