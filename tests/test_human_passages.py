"""Human codes keep the passages the humans coded through ``tag --train`` and back to REFI-QDA."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import qualcode as qc
from qualcode import columns as C
from qualcode.corpus import Corpus

from .conftest import CODEBOOK, EXAMPLES, NVIVO_PROJECT, PARTICIPANTS

KEY = [C.DOC_ID, C.START_CHAR, C.END_CHAR, C.CODE, C.CODER]


def _passages(frame: pd.DataFrame) -> set[tuple]:
    return {(str(d), int(a), int(b), str(c), str(w)) for d, a, b, c, w in frame[KEY].itertuples(index=False)}


@pytest.mark.model
def test_nvivo_selections_survive_training_and_the_way_back(tmp_path):
    """A real NVivo project: its selections (several in one segment, of one code) are the
    human rows of ``suggest(..., training=...)`` at their own offsets and words, and a
    project exported from that output holds the same selections, not whole segments."""
    project = qc.read_qdpx(NVIVO_PROJECT)
    assert project.codebook is not None
    doc = next(d for d in project.corpus.documents if d.doc_id == "videos_10_selected")  # the coded source
    segments = project.corpus.segments
    part = segments[(segments[C.DOC_ID] == doc.doc_id) & (segments[C.SEGMENT_ID] < 20)].reset_index(drop=True)
    codings = project.codings
    mapped = pd.to_numeric(codings[C.SEGMENT_ID], errors="coerce")
    codings = codings[(codings[C.DOC_ID] == doc.doc_id) & mapped.isin(part[C.SEGMENT_ID])].reset_index(drop=True)
    ends = part[C.END_CHAR].max()
    codings = codings[codings[C.END_CHAR] <= ends]  # selections wholly inside the part
    assert codings.duplicated([C.SEGMENT_ID, C.CODE]).any()  # two selections of a code in one segment
    corpus = Corpus([doc], part)
    coded = qc.suggest(corpus, project.codebook, training=codings, cache=None)
    human = coded[coded[C.METHOD] == "human"]
    assert _passages(human) == _passages(codings)
    assert len(human) == len(codings.drop_duplicates([*KEY, C.SEGMENT_ID]))
    assert all(doc.text[a:b] == t for a, b, t in human[[C.START_CHAR, C.END_CHAR, C.TEXT]].itertuples(index=False))
    assert (human[C.STATUS] == "human").all() and (human[C.SOURCE] == human[C.CODER]).all()
    back = qc.read_qdpx(qc.to_qdpx(corpus, project.codebook, coded, tmp_path / "back.qdpx"))
    returned = back.codings[back.codings[C.METHOD] == "human"] if C.METHOD in back.codings else back.codings
    assert _passages(codings) <= _passages(returned)


@pytest.mark.model
def test_a_segment_coded_in_a_sheet_and_as_a_span_keeps_both(example_corpus, codebook):
    """One coder's span and two other coders' sheet rows on the same segment and code: the
    span keeps its passage, each sheet's coder keeps the segment in a row of their own; rows
    stay in document order."""
    segments = example_corpus.segments
    turn = segments[(segments[C.DOC_ID] == "d01_superintendent") & ~segments[C.IS_INTERVIEWER]].iloc[1]
    start = int(turn[C.START_CHAR])
    spans = pd.read_csv(EXAMPLES / "human_codes_d01.csv")
    inside = pd.DataFrame(
        [{C.DOC_ID: turn[C.DOC_ID], C.START_CHAR: start, C.END_CHAR: start + 40, C.CODE: "personnel", C.CODER: "k"}]
    )
    sheet = pd.DataFrame(
        [{C.DOC_ID: turn[C.DOC_ID], C.SEGMENT_ID: int(turn[C.SEGMENT_ID]), C.CODE: "personnel", C.CODER: "m"}]
    )
    sheet.attrs["labelled_segments"] = [(str(turn[C.DOC_ID]), int(turn[C.SEGMENT_ID]))]
    second = sheet.assign(**{C.CODER: "n"})  # a second coder's sheet: the same segment and code
    second.attrs = dict(sheet.attrs)
    coded = qc.suggest(
        qc.read_transcripts(EXAMPLES, metadata=PARTICIPANTS),
        qc.load_codebook(CODEBOOK),
        training=[pd.concat([spans, inside], ignore_index=True), sheet, second],
        cache=None,
    )
    rows = coded[(coded[C.SEGMENT_ID] == turn[C.SEGMENT_ID]) & (coded[C.DOC_ID] == turn[C.DOC_ID])]
    personnel = rows[(rows[C.CODE] == "personnel") & (rows[C.METHOD] == "human")]
    assert sorted(zip(personnel[C.CODER], personnel[C.START_CHAR], personnel[C.END_CHAR], strict=True)) == [
        ("k", start, start + 40),
        ("m", start, int(turn[C.END_CHAR])),
        ("n", start, int(turn[C.END_CHAR])),  # one row per coder, not one row of "m, n"
    ]
    assert personnel[personnel[C.CODER] == "k"][C.TEXT].iloc[0] == turn[C.TEXT][:40]
    order = list(zip(coded[C.DOC_ID], coded[C.SEGMENT_ID], strict=True))
    documents = [d.doc_id for d in example_corpus.documents]
    assert order == sorted(order, key=lambda key: (documents.index(key[0]), key[1]))
    assert _passages(coded[coded[C.CODER] == "coder_a"]) == _passages(spans)


@pytest.mark.model
def test_a_codings_table_made_in_python_needs_no_coder_column(example_corpus, codebook):
    """``doc_id, start_char, end_char, code`` built in a notebook (no ``coder``, which
    read_codings fills in for a file) trains and is the gold of ``evaluate``: it stopped
    with KeyError 'coder'."""
    codings = pd.read_csv(EXAMPLES / "human_codes_d01.csv").drop(columns=C.CODER)
    coded = qc.suggest(example_corpus, codebook, training=codings, cache=None)
    human = coded[coded[C.METHOD] == "human"]
    assert set(human[C.CODER]) == {"human"} and _passages(human) == _passages(codings.assign(coder="human"))
    assert qc.evaluate(coded, codings, example_corpus.segments).loc["macro", "n_units"] > 0


@st.composite
def _human_codings(draw, segments: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    """Spans anywhere in the example interviews (inside a turn, across turns, in the gaps),
    of a few codes by a few coders, duplicates included."""
    ends = segments.groupby(C.DOC_ID)[C.END_CHAR].max()
    rows = []
    for _ in range(draw(st.integers(1, 12))):
        doc = draw(st.sampled_from(sorted(ends.index)))
        start = draw(st.integers(0, int(ends[doc]) - 1))
        end = draw(st.integers(start + 1, min(int(ends[doc]), start + 1500)))
        code = draw(st.sampled_from(codes))
        rows.append(
            {
                C.DOC_ID: doc,
                C.START_CHAR: start,
                C.END_CHAR: end,
                C.CODE: code,
                C.CODER: draw(st.sampled_from(["a", "b", "Smith, J."])),
            }
        )
    return pd.DataFrame(rows)


@given(data=st.data())
@settings(max_examples=60, deadline=None)
def test_human_rows_are_the_spans_on_the_segments_they_map_onto(example_corpus, codebook, data):
    """Whatever the spans: the human rows are exactly the spans that map onto a segment, each
    on exactly the segments the overlap rule gives it, one coder per row (a name with a comma,
    "Smith, J.", stays one coder); the other rows are
    untouched and keep their order; rows stay in segment order."""
    from qualcode.match.base import Scores, Training, to_codings
    from qualcode.suggestions import _human_rows, human_passages

    segments = example_corpus.segments
    codes = codebook.ids[:4]
    codings = data.draw(_human_codings(segments, codes))
    train = Training.from_codings(codings, segments, codebook.ids)
    values = np.zeros((len(segments), len(codebook.ids)))
    values[::7, 0] = 0.9  # some suggestions, for the rows that are not human codes
    made = to_codings(segments, _human_rows(Scores(codebook.ids, values, method="hybrid"), segments, train), source="q")
    texts = {doc.doc_id: doc.text for doc in example_corpus.documents}
    out = human_passages(made, train, texts)
    human = out[out[C.METHOD] == "human"]
    pairs = qc.map_to_segments(codings, segments)
    expected = (
        {
            (str(d), int(s), str(c), str(w), int(a), int(b))
            for d, s, c, w, a, b in train.spans[
                [C.DOC_ID, C.SEGMENT_ID, C.CODE, C.CODER, C.START_CHAR, C.END_CHAR]
            ].itertuples(index=False)
        }
        if train.spans is not None
        else set()
    )
    got = {
        (str(d), int(s), str(c), str(w), int(a), int(b))
        for d, s, c, w, a, b in human[[C.DOC_ID, C.SEGMENT_ID, C.CODE, C.CODER, C.START_CHAR, C.END_CHAR]].itertuples(
            index=False
        )
    }
    assert got == expected and len(human) == len(got)
    assert set(zip(human[C.DOC_ID], human[C.SEGMENT_ID], human[C.CODE], strict=True)) == set(
        zip(pairs[C.DOC_ID], pairs[C.SEGMENT_ID], pairs[C.CODE], strict=True)
    )
    assert all(
        texts[d][a:b] == t for d, a, b, t in human[[C.DOC_ID, C.START_CHAR, C.END_CHAR, C.TEXT]].itertuples(index=False)
    )
    others = out[out[C.METHOD] != "human"].reset_index(drop=True)
    pd.testing.assert_frame_equal(others, made[made[C.METHOD] != "human"].reset_index(drop=True))
    position = {key: i for i, key in enumerate(zip(segments[C.DOC_ID], segments[C.SEGMENT_ID], strict=True))}
    order = [position[key] for key in zip(out[C.DOC_ID], out[C.SEGMENT_ID], strict=True)]
    assert order == sorted(order)
