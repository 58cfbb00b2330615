"""Documents named by their folder too (``--ids folder``): a folder per district or site whose
transcripts are named alike (``d01/superintendent.txt``, ``d02/superintendent.docx``), and the
work of a run that named them the other way kept when the naming changes."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from typer.testing import CliRunner

import qualcode as qc
from qualcode.cli import app
from qualcode.errors import InputFileError, OptionError
from qualcode.excerpts import document_of

from .conftest import CODEBOOK, EXAMPLES, FIXTURES, assert_offsets

runner = CliRunner()


def _districts(root):
    """Two districts' folders, each with a ``superintendent`` transcript (the example .txt and
    .docx interviews) and the real Zoom lesson captions in the first."""
    (root / "d01").mkdir(parents=True)
    (root / "d02").mkdir()
    shutil.copy(EXAMPLES / "d01_superintendent.txt", root / "d01" / "superintendent.txt")
    shutil.copy(EXAMPLES / "d02_superintendent.docx", root / "d02" / "superintendent.docx")
    shutil.copy(FIXTURES / "zoom-chemistry-lesson.vtt", root / "d01" / "lesson.vtt")
    return root


def _tag(*args):
    return runner.invoke(app, ["tag", *map(str, args), "-c", str(CODEBOOK), "--method", "keyword"])


def test_files_named_alike_in_two_folders_say_how_to_name_them_by_folder(tmp_path):
    folder = _districts(tmp_path / "interviews")
    with pytest.raises(InputFileError) as error:
        qc.read_transcripts(folder)
    assert str(error.value) == (
        f"{folder / 'd02' / 'superintendent.docx'}: document id 'superintendent' is also used by "
        f"{folder / 'd01' / 'superintendent.txt'}; rename one file, or name documents by their folder too: "
        "--ids folder (ids='folder' in Python; ids such as 'd01/superintendent')"
    )


def test_folder_ids_name_each_document_by_its_folder_and_give_the_folder_as_metadata(tmp_path):
    folder = _districts(tmp_path / "interviews")
    corpus = qc.read_transcripts(folder, ids="folder")
    assert [doc.doc_id for doc in corpus.documents] == ["d01/lesson", "d01/superintendent", "d02/superintendent"]
    assert [doc.metadata["folder"] for doc in corpus.documents] == ["d01", "d01", "d02"]
    assert_offsets(corpus)
    alone = qc.read_transcripts(folder / "d02" / "superintendent.docx", ids="folder")  # named alone: the same id
    assert [doc.doc_id for doc in alone.documents] == ["d02/superintendent"]
    texts = {doc.doc_id: doc.text for doc in corpus.documents}
    assert texts["d02/superintendent"] == alone.documents[0].text
    # a participants sheet names documents as the run does; its own folder column wins
    sheet = tmp_path / "participants.csv"
    sheet.write_text("doc_id,role,folder\nd01/superintendent,superintendent,District 1\n", encoding="utf-8")
    joined = qc.read_transcripts(folder / "d01", ids="folder", metadata=sheet)
    meta = {doc.doc_id: doc.metadata for doc in joined.documents}
    assert meta["d01/superintendent"]["role"] == "superintendent"
    assert meta["d01/superintendent"]["folder"] == "District 1" and meta["d01/lesson"]["folder"] == "d01"


def test_folder_ids_leave_a_tables_own_ids_as_written(tmp_path):
    (tmp_path / "wave1").mkdir()
    survey = pd.read_csv(FIXTURES / "survey.csv")
    bare = tmp_path / "wave1" / "answers.csv"  # no id column: ids from the file's name and line
    survey[["answer"]].to_csv(bare, index=False)
    plain = qc.read_transcripts(bare, text_column="answer", ids="folder")
    by_name = qc.read_transcripts(bare, text_column="answer")
    assert len(by_name.documents) == 3 and all(doc.doc_id.startswith("answers-") for doc in by_name.documents)
    assert [doc.doc_id for doc in plain.documents] == [f"wave1/{doc.doc_id}" for doc in by_name.documents]
    named = tmp_path / "wave1" / "survey.csv"  # its respondent column names them
    survey.to_csv(named, index=False)
    by_id = qc.read_transcripts(named, text_column="answer", ids="folder")
    assert [doc.doc_id for doc in by_id.documents] == ["R1", "R2", "R4"]  # R3 answered nothing


def test_one_folder_name_under_two_parents_is_still_one_id(tmp_path):
    for parent in ("spring", "fall"):
        (tmp_path / parent / "d01").mkdir(parents=True)
    shutil.copy(EXAMPLES / "d01_superintendent.txt", tmp_path / "spring" / "d01" / "superintendent.txt")
    shutil.copy(EXAMPLES / "d02_assistant_superintendent.txt", tmp_path / "fall" / "d01" / "superintendent.txt")
    with pytest.raises(InputFileError, match=r"rename one file \(ids are file names without extension, after"):
        qc.read_transcripts(tmp_path, ids="folder")


def test_an_unknown_way_to_name_documents_is_an_error():
    with pytest.raises(OptionError, match=r"^ids 'path' is not one of: name, folder$"):
        qc.read_transcripts(EXAMPLES, ids="path")
    result = _tag(EXAMPLES, "-o", "never.csv", "--ids", "path")
    assert result.exit_code != 0 and "'path'" in result.output and "name" in result.output


def test_reviewed_rows_follow_their_documents_when_the_naming_changes(tmp_path, monkeypatch):
    """Tagged by file name, reviewed, then a second district's file of the same name added: the
    run by folder keeps the accepted rows on the renamed document, and the way back too."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "interviews"
    (folder / "d01").mkdir(parents=True)
    shutil.copy(EXAMPLES / "d01_superintendent.txt", folder / "d01" / "superintendent.txt")
    assert _tag(folder, "-o", "coded.csv").exit_code == 0
    result = runner.invoke(app, ["review", "coded.csv", "--accept-above", "0.5", "-o", "coded.csv"])
    assert result.exit_code == 0, result.output
    accepted = pd.read_csv("coded.csv").query("status == 'accepted'")
    assert len(accepted) and set(accepted["doc_id"]) == {"superintendent"}
    (folder / "d02").mkdir()
    shutil.copy(EXAMPLES / "d02_superintendent.docx", folder / "d02" / "superintendent.docx")
    assert "--ids folder" in _tag(folder, "-o", "coded.csv").output  # the clash names the fix
    result = _tag(folder, "-o", "coded.csv", "--ids", "folder")
    assert result.exit_code == 0, result.output
    assert (
        "coded.csv: was made by a run that named documents by their file name (--ids): its rows on 1 document read as "
        "this run names them ('superintendent' -> 'd01/superintendent')"
    ) in result.output
    after = pd.read_csv("coded.csv")
    kept = after.query("status == 'accepted'")
    assert list(kept["segment_id"]) == list(accepted["segment_id"]) and set(kept["doc_id"]) == {"d01/superintendent"}
    assert set(after["doc_id"]) == {"d01/superintendent", "d02/superintendent"}
    shutil.rmtree(folder / "d02")
    result = _tag(folder, "-o", "coded.csv")  # and back: by file name again
    assert result.exit_code == 0, result.output
    assert "('d01/superintendent' -> 'superintendent')" in result.output
    back = pd.read_csv("coded.csv").query("status == 'accepted'")
    assert list(back["segment_id"]) == list(accepted["segment_id"]) and set(back["doc_id"]) == {"superintendent"}


def test_a_next_sheet_made_by_file_name_teaches_a_run_by_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "interviews"
    (folder / "d01").mkdir(parents=True)
    shutil.copy(EXAMPLES / "d01_superintendent.txt", folder / "d01" / "superintendent.txt")
    result = runner.invoke(app, ["next", "-i", str(folder), "-c", str(CODEBOOK), "-n", "3", "-o", "sheet.csv"])
    assert result.exit_code == 0, result.output
    sheet = pd.read_csv("sheet.csv")
    sheet["codes"] = "relational_modelling"
    sheet.to_csv("sheet.csv", index=False)
    (folder / "d02").mkdir()
    shutil.copy(EXAMPLES / "d02_superintendent.docx", folder / "d02" / "superintendent.docx")
    result = runner.invoke(
        app, ["tag", str(folder), "-c", str(CODEBOOK), "-o", "coded.csv", "--ids", "folder", "--train", "sheet.csv"]
    )
    assert result.exit_code == 0, result.output
    human = pd.read_csv("coded.csv").query("method == 'human'")
    assert sorted(human["segment_id"]) == sorted(sheet["segment_id"])
    assert set(human["doc_id"]) == {"d01/superintendent"}
    assert set(human["evidence"]) == {"human code (from sheet.csv)"}  # a copy of the sheet, known as one
    again = runner.invoke(app, ["next", "coded.csv", "sheet.csv", "-n", "2", "-o", "more.csv"])
    assert again.exit_code == 0, again.output
    chosen = pd.read_csv("more.csv")
    assert set(chosen["doc_id"]) <= {"d01/superintendent", "d02/superintendent"}
    assert not set(zip(chosen["doc_id"], chosen["segment_id"], strict=True)) & {
        ("d01/superintendent", s) for s in sheet["segment_id"]
    }


def test_another_tools_excerpts_find_the_one_document_of_their_name_in_a_folder():
    assert document_of("superintendent.docx", {"d01/superintendent", "d02/lesson"}) == "d01/superintendent"
    assert document_of("superintendent", {"d01/superintendent", "d02/superintendent"}) is None  # which one?
    assert document_of("lesson", {"lesson", "d01/lesson"}) == "lesson"


def test_agree_and_export_refi_read_transcripts_by_folder(tmp_path, monkeypatch):
    """The commands that read transcripts named with -i (no run's record) take --ids too: two
    coders' codes of the example districts, renamed as the folders name them."""
    monkeypatch.chdir(tmp_path)
    districts = EXAMPLES.parent / "by_district"
    names = {f"d0{n}_superintendent": f"D0{n}/superintendent" for n in (1, 2, 3)}
    for coder, source in (("a", "human_codes.csv"), ("b", "human_codes_coder_b.csv")):
        codes = pd.read_csv(EXAMPLES / source)
        codes = codes[codes["doc_id"].isin(list(names))].assign(doc_id=lambda t: t["doc_id"].map(names))
        codes.to_csv(f"coder_{coder}.csv", index=False)
    args = ["agree", "coder_a.csv", "coder_b.csv", "-i", str(districts), "-o", "agreement.csv"]
    assert "--ids folder" in runner.invoke(app, args).output  # by file name, the three clash
    result = runner.invoke(app, [*args, "--ids", "folder"])
    assert result.exit_code == 0, result.output
    agreement = pd.read_csv("agreement.csv")
    assert len(agreement) > 1 and agreement["percent_agreement"].between(0, 1).all()
    result = runner.invoke(
        app, ["export-refi", "-i", str(districts), "--ids", "folder", "-c", str(CODEBOOK), "-o", "study.qdpx"]
    )
    assert result.exit_code == 0, result.output
    project = qc.read_qdpx("study.qdpx")
    assert sorted(doc.doc_id for doc in project.corpus.documents) == [
        "D01_superintendent",  # a REFI project's source names made file-safe on import
        "D02_superintendent",
        "D03_superintendent",
    ]


def test_codes_back_from_another_program_find_the_documents_named_by_folder(tmp_path, monkeypatch):
    """export-refi, import of the project: the import names documents after the program's
    source names made file-safe (D01_superintendent). Training on its codes learned from them as
    transcripts "not among the inputs" and scored the coded segments again; its record's
    SHA-256 of each source's text now finds the run's document, and the codes are human rows."""
    monkeypatch.chdir(tmp_path)
    districts = EXAMPLES.parent / "by_district"
    run = ["tag", str(districts), "--ids", "folder", "-c", str(CODEBOOK)]
    assert runner.invoke(app, [*run, "--method", "keyword", "-o", "coded.csv"]).exit_code == 0
    reviewed = runner.invoke(app, ["review", "coded.csv", "--accept-above", "0.5", "-o", "reviewed.csv"])
    assert reviewed.exit_code == 0, reviewed.output
    accepted = pd.read_csv("reviewed.csv").query("status == 'accepted'")
    assert runner.invoke(app, ["export-refi", "reviewed.csv", "-o", "study.qdpx"]).exit_code == 0
    assert runner.invoke(app, ["import", "study.qdpx", "-o", "imported"]).exit_code == 0
    assert set(pd.read_csv("imported/codings.csv")["doc_id"]) <= {f"D0{n}_superintendent" for n in (1, 2, 3)}
    result = runner.invoke(app, [*run, "--train", "imported/codings.csv", "-o", "again.csv"])
    assert result.exit_code == 0, result.output
    assert "imported/codings.csv: names documents as the program it came back from named them" in result.output
    assert "not among the inputs" not in result.output
    human = pd.read_csv("again.csv").query("method == 'human'")
    key = ["doc_id", "segment_id", "code"]
    assert sorted(map(tuple, human[key].values.tolist())) == sorted(map(tuple, accepted[key].values.tolist()))
    assert set(human["evidence"]) == {"human code (from imported/codings.csv)"}
    # evaluate and agree find them too: before, no unit in common (an error; empty agreement)
    result = runner.invoke(app, ["evaluate", "coded.csv", "--gold", "imported/codings.csv", "-o", "evaluation.csv"])
    assert result.exit_code == 0, result.output
    assert pd.read_csv("evaluation.csv")["n_units"].max() == 13
    back = pd.read_csv("imported/codings.csv")
    back.assign(coder=back["coder"].replace({"reviewer": "ana"})).to_csv("imported/codings.csv", index=False)
    result = runner.invoke(app, ["agree", "reviewed.csv", "imported/codings.csv", "-o", "agreement.csv"])
    assert result.exit_code == 0, result.output
    agreement = pd.read_csv("agreement.csv")  # a row per code, then the pooled one
    assert (agreement["n_units"].iloc[:-1] == 13).all() and (agreement["percent_agreement"] == 1.0).all()


def test_a_word_transcript_coded_with_comments_is_the_runs_own_document_by_folder(tmp_path, monkeypatch):
    """Its comments name it by its file name; the run, reading the same file, names it by folder:
    it was learned from as a transcript "not among the inputs", its codes not kept, its coded
    turns scored again."""
    monkeypatch.chdir(tmp_path)
    for district in ("d01", "d02"):
        (tmp_path / "in" / district).mkdir(parents=True)
    coded = tmp_path / "in" / "d01" / "superintendent.docx"
    shutil.copy(FIXTURES / "word" / "d01_superintendent_coded.docx", coded)
    shutil.copy(EXAMPLES / "d02_superintendent.docx", tmp_path / "in" / "d02" / "superintendent.docx")
    args = ["tag", "in", "--ids", "folder", "-c", str(CODEBOOK), "--train", str(coded), "-o", "coded.csv"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "not among the inputs" not in result.output and "named documents" not in result.output
    human = pd.read_csv("coded.csv").query("method == 'human'")
    assert len(human) == 5 and set(human["doc_id"]) == {"d01/superintendent"}
    alone = ["tag", str(coded), "-c", str(CODEBOOK), "--train", str(coded), "-o", "alone.csv"]  # named by file
    assert runner.invoke(app, alone).exit_code == 0
    by_name = pd.read_csv("alone.csv").query("method == 'human'")
    key = ["segment_id", "start_char", "end_char", "code", "coder"]
    assert human[key].values.tolist() == by_name[key].values.tolist()
