"""Property: import(export(x)) == x for sources, codebook, codings, coders and metadata."""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import qualcode as qc
from qualcode.corpus import Corpus
from qualcode.document import Document, Turn
from qualcode.refi.schema import MARKER
from qualcode.segment import segment_documents

# what XML 1.0 holds: no control characters but LF, no surrogates or non-characters; emoji welcome
CHARS = st.characters(blacklist_categories=("Cs", "Cc", "Cn"), blacklist_characters="\ufeff") | st.sampled_from(
    ["\n", "😀", "é", " "]
)
WORDS = st.text(CHARS, max_size=30).filter(lambda s: MARKER not in s)
NAMES = st.text("abcdefghijklmnopqrstuvwxyz0123456789_", min_size=1, max_size=8)
KEY = ["doc_id", "start_char", "end_char", "code", "coder"]


@st.composite
def codebooks(draw):
    counter = iter(range(1000))

    def code(depth):
        fields = {
            "id": f"c{next(counter)}_{draw(NAMES)}",
            "label": draw(WORDS.filter(lambda s: s != "")),
            "description": draw(WORDS),
            "keywords": draw(st.lists(WORDS.filter(str.strip), max_size=3)),
            "examples": draw(st.lists(WORDS.filter(str.strip), max_size=2)),
            "color": draw(st.none() | st.from_regex(r"#[0-9A-F]{6}", fullmatch=True)),
            "threshold": draw(st.none() | st.floats(0, 1)),
            "children": [code(depth + 1) for _ in range(draw(st.integers(0, 2 if depth == 0 else 0)))],
        }
        return fields

    data = {"name": draw(WORDS.filter(str.strip)), "version": draw(NAMES), "description": draw(WORDS)}
    data["codes"] = [code(0) for _ in range(draw(st.integers(1, 3)))]
    return qc.codebook.parse_codebook(data)


@st.composite
def projects(draw):
    book = draw(codebooks())
    n_docs = draw(st.integers(1, 3))
    documents = []
    for i in range(n_docs):
        text = draw(st.text(CHARS, min_size=1, max_size=200).filter(str.strip))
        meta = {
            "participant": draw(st.sampled_from(["P1", "P2", f"P{i + 3}"])),
            "role": draw(WORDS),
            "district": draw(st.sampled_from(["D01", "D02"])),
        }
        documents.append(Document(f"doc{i}", "<test>", "text", text, [Turn(None, 0, len(text))], metadata=meta))
    # a participant's role is the same in all their documents; the district may differ (a source variable)
    roles: dict[str, str] = {}
    for doc in documents:
        doc.metadata["role"] = roles.setdefault(doc.metadata["participant"], doc.metadata["role"])
    corpus = Corpus(documents, segment_documents(documents, segment_by="paragraph"))
    rows = []
    for _ in range(draw(st.integers(0, 12))):
        doc = draw(st.sampled_from(documents))
        start = draw(st.integers(0, len(doc.text) - 1))
        end = draw(st.integers(start + 1, len(doc.text)))
        status = draw(st.sampled_from(["suggested", "accepted", "rejected", "human"]))
        coder = "" if status == "suggested" else draw(st.sampled_from(["ana", "ben", "Zoë K."]))
        human = status == "human"
        rows.append(
            {
                "doc_id": doc.doc_id,
                "start_char": start,
                "end_char": end,
                "code": draw(st.sampled_from(book.ids)),
                "status": status,
                "coder": coder,
                "method": "human" if human else draw(st.sampled_from(["keyword", "embedding", "hybrid"])),
                "score": 1.0 if human else round(draw(st.floats(0, 1)), 4),
                "evidence": "human code" if human else draw(WORDS),
                "source": coder if human else "qualcode 0.1.0",
                "memo": draw(st.just("") | WORDS).strip(),  # the researcher's note on the coding
            }
        )
    codings = pd.DataFrame(rows, columns=[*KEY, "status", "method", "score", "evidence", "source", "memo"])
    return corpus, book, codings.drop_duplicates(KEY)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(projects())
def test_import_of_export_is_identity(tmp_path_factory, project):
    corpus, book, codings = project
    path = qc.to_qdpx(corpus, book, codings, tmp_path_factory.mktemp("rt") / "p.qdpx", include_rejected=True)
    back = qc.read_qdpx(path)
    assert back.codebook == book
    assert [(d.doc_id, d.text, d.metadata) for d in back.corpus.documents] == [
        (d.doc_id, d.text, d.metadata) for d in corpus.documents
    ]
    columns = list(codings.columns)
    imported = back.codings if "memo" in back.codings else back.codings.assign(memo="")  # none had a note
    got = imported.drop_duplicates(KEY)[columns].sort_values(KEY).reset_index(drop=True)
    want = codings.sort_values(KEY).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    creators = codings.loc[codings["status"].isin(["human", "accepted"]), "coder"]
    assert set(back.users["name"]) == {"qualcode", *creators}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(codebooks())
def test_qdc_import_of_export_keeps_every_code(tmp_path_factory, book):
    path = qc.to_qdc(book, tmp_path_factory.mktemp("qdc") / "book.qdc")
    back = qc.read_qdc(path)
    assert back.codes == book.codes  # the header (name, version) has no place in a .qdc
