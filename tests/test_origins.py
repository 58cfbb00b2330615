"""qualcode.origins: the human rows of a `tag --train` output are copies of the training
files; a code deleted from a file is not kept alive by its copy in the earlier output."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from typer.testing import CliRunner

from qualcode.cli import app

from .conftest import CODEBOOK, EXAMPLES


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.mark.model
def test_a_code_deleted_from_the_training_file_leaves_the_output_on_the_next_run(tmp_path):
    train = tmp_path / "train.csv"
    shutil.copy(EXAMPLES / "human_codes_d01.csv", train)
    out = tmp_path / "coded.csv"
    tag = ("tag", EXAMPLES, "-c", CODEBOOK, "--train", train, "-o", out)
    assert run(*tag).exit_code == 0
    first = pd.read_csv(out, keep_default_na=False)
    human = first[first["method"] == "human"]
    assert len(human) == len(pd.read_csv(train)) and set(human["evidence"]) == {f"human code (from {train})"}
    # the researcher's own work in the output: an accepted suggestion and a human row typed in
    first.loc[first["method"] != "human", ["status", "coder"]] = ["accepted", "ana"]
    typed = human.iloc[[0]].assign(start_char=0, end_char=20, code="strength", evidence="typed in", coder="ana")
    pd.concat([first, typed]).to_csv(out, index=False)
    accepted = (first["status"] == "accepted").sum()
    codes = pd.read_csv(train)
    deleted = codes.iloc[0]
    codes.iloc[1:].to_csv(train, index=False)
    result = run(*tag)
    said = " ".join(result.output.split())
    assert result.exit_code == 0, result.output
    assert f"1 human codes of the earlier output are no longer in {train} and were left out" in said
    assert "(coded.csv.bak keeps them)" in said
    after = pd.read_csv(out, keep_default_na=False)
    copies = after[after["evidence"].str.startswith("human code (from")]
    assert len(copies) == len(codes) - 1
    key = (deleted["doc_id"], deleted["start_char"], deleted["end_char"], deleted["code"])
    assert key not in set(zip(copies["doc_id"], copies["start_char"], copies["end_char"], copies["code"], strict=True))
    assert (after["status"] == "accepted").sum() >= accepted and "typed in" in set(after["evidence"])
    backup = pd.read_csv(tmp_path / "coded.csv.bak", keep_default_na=False)
    assert len(backup[backup["evidence"].str.startswith("human code (from")]) == len(codes)
    again = run(*tag)  # the same file again: nothing more to say, nothing lost
    assert again.exit_code == 0 and "no longer in" not in again.output
    assert len(pd.read_csv(out, keep_default_na=False)) == len(after)


@pytest.mark.model
def test_a_run_from_another_folder_knows_the_copies_of_the_earlier_run(tmp_path, monkeypatch):
    """The copies name their training file from the folder their run started in; a re-run
    from the output's folder names it `../codes/...`, and must still know them for copies."""
    project = tmp_path / "project"
    shutil.copytree(EXAMPLES, project / "interviews", ignore=shutil.ignore_patterns("human_codes*"))
    (project / "codes").mkdir()
    shutil.copy(EXAMPLES / "human_codes_d01.csv", project / "codes" / "d01.csv")
    shutil.copy(CODEBOOK, project / "codebook.yaml")
    (project / "results").mkdir()
    monkeypatch.chdir(project)
    first = run("tag", "interviews", "-c", "codebook.yaml", "--train", "codes/d01.csv", "-o", "results/coded.csv")
    assert first.exit_code == 0, first.output
    codes = pd.read_csv("codes/d01.csv")
    codes.iloc[1:].to_csv("codes/d01.csv", index=False)
    monkeypatch.chdir(project / "results")
    again = run("tag", "../interviews", "-c", "../codebook.yaml", "--train", "../codes/d01.csv", "-o", "coded.csv")
    said = " ".join(again.output.split())
    assert again.exit_code == 0, again.output
    assert "1 human codes of the earlier output are no longer in ../codes/d01.csv and were left out" in said
    after = pd.read_csv("coded.csv", keep_default_na=False)
    human = after[after["method"] == "human"]
    assert len(human) == len(codes) - 1  # the deleted code is not kept alive by its copy
    assert set(human["evidence"]) == {"human code (from ../codes/d01.csv)"}  # named from where this run started
