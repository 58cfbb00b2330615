"""`tag` on Dask: a LocalCluster of two worker processes gives the same files, byte for byte,
as one process; slices never split a document; without Dask the option says what to install."""

from __future__ import annotations

import sys

import pandas as pd
import pytest
from typer.testing import CliRunner

import qualcode as qc
from qualcode.cli import app
from qualcode.suggestions import partitions

from .conftest import CODEBOOK, EXAMPLES, PARTICIPANTS

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=50,
        env={"QUALCODE_THREADS": "1"},
    )
    with distributed.Client(cluster) as connected:
        yield connected
    cluster.close()


@pytest.mark.parametrize("method", ["hybrid", "classifier"])
def test_two_workers_write_the_same_bytes_as_one_process(tmp_path, client, method):
    options = {"metadata": PARTICIPANTS, "cache": tmp_path / "cache", "method": method}
    if method == "classifier":
        options["training"] = str(EXAMPLES / "human_codes_d01.csv")
    alone = qc.tag(EXAMPLES, CODEBOOK, tmp_path / "alone.csv", **options)
    spread = qc.tag(EXAMPLES, CODEBOOK, tmp_path / "spread.csv", client=client, **options)
    assert (tmp_path / "alone.csv").read_bytes() == (tmp_path / "spread.csv").read_bytes()
    assert len(alone.codings) == len(spread.codings) > 0
    first = (tmp_path / "alone.meta.json").read_text(encoding="utf-8")
    assert first == (tmp_path / "spread.meta.json").read_text(encoding="utf-8")


def test_the_workers_option_end_to_end(tmp_path):
    pytest.importorskip("distributed")
    args = ["tag", str(EXAMPLES), "-c", str(CODEBOOK), "-m", str(PARTICIPANTS), "--cache", str(tmp_path / "c")]
    one = CliRunner().invoke(app, [*args, "-o", str(tmp_path / "one.csv")])
    two = CliRunner().invoke(app, [*args, "-o", str(tmp_path / "two.csv"), "--workers", "2"])
    assert one.exit_code == 0 and two.exit_code == 0, two.output
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "two.csv").read_bytes()


def test_slices_keep_documents_whole_and_in_order():
    segments = pd.DataFrame({"doc_id": ["a"] * 5 + ["b"] * 1 + ["c"] * 7 + ["d"] * 3, "segment_id": range(16)})
    slices = partitions(segments, 3)
    assert pd.concat(slices).equals(segments)
    for piece in slices:
        for doc in set(piece["doc_id"]):
            assert (segments["doc_id"] == doc).sum() == (piece["doc_id"] == doc).sum()
    assert partitions(segments, 1)[0] is segments


def test_without_dask_the_option_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    out = tmp_path / "x.csv"
    result = CliRunner().invoke(app, ["tag", str(EXAMPLES), "-c", str(CODEBOOK), "-o", str(out), "--workers", "2"])
    assert result.exit_code == 2
    assert 'pip install -e ".[dask]"' in result.output and not out.exists()
