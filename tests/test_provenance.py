"""qualcode.provenance: how an output was made, with nothing that changes between identical runs."""

from __future__ import annotations

import qualcode as qc
from qualcode.provenance import provenance

from .conftest import CODEBOOK, EXAMPLES


def test_record_names_codebook_inputs_and_settings(codebook, example_corpus):
    record = provenance(
        corpus=example_corpus,
        codebook=codebook,
        codebook_path=CODEBOOK,
        settings={"method": "keyword"},
        models={},
        counts={"documents": len(example_corpus.documents)},
    )
    assert record["qualcode_version"] == qc.__version__
    assert record["codebook"]["sha256"] == codebook.hash and len(record["codebook"]["file_sha256"]) == 64
    paths = [item["path"] for item in record["inputs"]]
    assert paths == sorted(paths) and all(len(item["sha256"]) == 64 for item in record["inputs"])
    assert not any(key in str(record).lower() for key in ("timestamp", "created", "date"))


def test_identical_runs_give_identical_records(tmp_path):
    a = qc.tag(EXAMPLES, CODEBOOK, tmp_path / "a.csv", method="keyword").meta
    b = qc.tag(EXAMPLES, CODEBOOK, tmp_path / "b.csv", method="keyword").meta
    assert a == b
