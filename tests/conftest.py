from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXAMPLES = ROOT / "examples" / "interviews"
CODEBOOK = ROOT / "codebooks" / "caring_schools.yaml"
PARTICIPANTS = EXAMPLES / "participants.csv"


@pytest.fixture(scope="session")
def codebook():
    import qualcode as qc

    return qc.load_codebook(CODEBOOK)


@pytest.fixture(scope="session")
def example_corpus():
    import qualcode as qc

    return qc.read_transcripts(EXAMPLES, metadata=PARTICIPANTS)


def assert_offsets(corpus) -> None:
    """The invariant: every segment's text is its document's text at its offsets."""
    texts = {doc.doc_id: doc.text for doc in corpus.documents}
    for row in corpus.segments.itertuples():
        assert texts[row.doc_id][row.start_char : row.end_char] == row.text, (row.doc_id, row.segment_id)
        assert row.text == row.text.strip() and row.text


@pytest.fixture(scope="session", autouse=True)
def _private_embedding_cache(tmp_path_factory):
    """Tests never touch the user's embedding cache."""
    import os

    old = os.environ.get("QUALCODE_CACHE")
    os.environ["QUALCODE_CACHE"] = str(tmp_path_factory.mktemp("embedding-cache"))
    yield
    if old is None:
        os.environ.pop("QUALCODE_CACHE", None)
    else:
        os.environ["QUALCODE_CACHE"] = old


# real files made by other programs, copied here with their licences (tests/fixtures/README.md):
# the tests need nothing outside this repository
REFI = FIXTURES / "refi"
NVIVO_PROJECT = REFI / "nvivo-mac12.7-covid-vaccine-comments.qdpx"
NVIVO_CODEBOOK = REFI / "nvivo-mac15-codebook-only.qdpx"
PROJECT_XSD = ROOT / "qualcode" / "data" / "refi" / "Project.xsd"  # the REFI-QDA schema (MIT), as shipped
