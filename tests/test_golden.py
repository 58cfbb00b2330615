"""Golden files: the deterministic outputs of a keyword run on the examples, byte for byte.

A change in what qualcode writes shows up here as a diff in review. When the change is
intended, regenerate with ``QUALCODE_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py``
and commit the new files with the change.
"""

from __future__ import annotations

import json
import os
import zipfile

import pytest

import qualcode as qc

from .conftest import FIXTURES, ROOT

GOLDEN = FIXTURES / "golden"
UPDATE = os.environ.get("QUALCODE_UPDATE_GOLDEN") == "1"


def _check(name: str, data: bytes) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    assert path.is_file(), f"no golden file {name}: run with QUALCODE_UPDATE_GOLDEN=1"
    assert data.decode("utf-8") == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


@pytest.fixture(scope="module")
def keyword_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("golden") / "coded.csv"
    cwd = os.getcwd()
    os.chdir(ROOT)  # relative input paths, as a user in the project folder would give them
    try:
        qc.tag(
            "examples/interviews",
            "codebooks/caring_schools.yaml",
            out,
            method="keyword",
            metadata="examples/interviews/participants.csv",
        )
    finally:
        os.chdir(cwd)
    return out


def test_codings_csv(keyword_run):
    _check("coded.csv", keyword_run.read_bytes())


def test_meta_json(keyword_run):
    record = json.loads(keyword_run.with_name("coded.meta.json").read_text(encoding="utf-8"))
    record["python"] = "<python version>"
    # where the run started, relative to the record: here the repository, from a temporary folder
    assert (keyword_run.parent / record["started_in"]).resolve() == ROOT.resolve()
    record["started_in"] = "<the folder the run started in>"
    _check("coded.meta.json", (json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode())


def test_qdpx_project(keyword_run, tmp_path):
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        corpus = qc.corpus_for(keyword_run)
    finally:
        os.chdir(cwd)
    codebook = qc.load_codebook(ROOT / "codebooks" / "caring_schools.yaml")
    path = qc.to_qdpx(corpus, codebook, qc.read_coded(keyword_run), tmp_path / "study.qdpx")
    with zipfile.ZipFile(path) as archive:
        _check("study.project.qde", archive.read("project.qde"))
