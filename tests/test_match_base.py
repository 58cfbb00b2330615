"""The matcher contract (qualcode.match.base): fit learns, score is pure, a registry picks by name."""

from __future__ import annotations

import copy
import re

import numpy as np
import pandas as pd
import pytest

import qualcode as qc
from qualcode.match import (
    EmbeddingMatcher,
    HybridMatcher,
    KeywordMatcher,
    Matcher,
    Scores,
    Training,
    make_matcher,
    matcher_names,
    register_matcher,
    unregister_matcher,
)
from qualcode.match.base import to_codings
from qualcode.match.hybrid import combine
from qualcode.match.learned import ClassifierMatcher

from .conftest import EXAMPLES

CONTENT_FREE = ["Michael?", "8", "Jason.", "Okay.", "Mm-hmm.", "Right, right."]


def test_registry_lists_the_built_in_methods_in_order():
    assert matcher_names() == ["keyword", "embedding", "hybrid", "classifier"]
    assert matcher_names(learning=True) == ["classifier"]
    assert isinstance(make_matcher("keyword", encoder="ignored", cache=None), KeywordMatcher)
    with pytest.raises(qc.OptionError, match="method 'magic' is not one of: keyword, embedding"):
        make_matcher("magic")


@pytest.mark.parametrize("cls", [KeywordMatcher, EmbeddingMatcher, HybridMatcher, ClassifierMatcher])
def test_score_before_fit_says_to_call_fit(cls):
    with pytest.raises(qc.NotFittedError, match=r"call \.fit\(codebook\) before \.score"):
        cls().score(qc.segments_from_texts(["We hired two counselors."]))


def test_a_registered_plug_in_is_a_method_everywhere(codebook):
    @register_matcher("first_code")
    class FirstCode(Matcher):
        def fit(self, codebook, training=None):
            self.codes_ = codebook.ids
            return self

        def score(self, segments):
            values = np.zeros((len(segments), len(self.codes_)))
            values[:, 0] = 0.9
            return Scores(self.codes_, values, method=self.method)

    try:
        assert "first_code" in matcher_names()
        coded = qc.suggest(qc.segments_from_texts(["anything"]), codebook, method="first_code", min_score=0.5)
        assert coded["code"].tolist() == [codebook.ids[0]] and coded["method"].tolist() == ["first_code"]
        assert qc.Settings(method="first_code").method == "first_code"
    finally:
        unregister_matcher("first_code")
    assert "first_code" not in matcher_names()


def _state(matcher):
    return {key: id(value) for key, value in vars(matcher).items()}


@pytest.mark.model
def test_score_writes_nothing_to_the_matcher(codebook, example_corpus):
    segments = example_corpus.segments.head(8)
    for matcher in (KeywordMatcher().fit(codebook), HybridMatcher(cache=None).fit(codebook)):
        before = _state(matcher)
        nested = {k: _state(v) for k, v in vars(matcher).items() if isinstance(v, Matcher)}
        matcher.score(segments)
        assert _state(matcher) == before
        assert {k: _state(v) for k, v in vars(matcher).items() if isinstance(v, Matcher)} == nested


@pytest.mark.model
def test_hybrid_returns_the_parts_it_combined(codebook, example_corpus):
    scores = HybridMatcher(cache=None).fit(codebook).score(example_corpus.segments.head(6))
    kw, em = scores.parts["keyword"], scores.parts["embedding"]
    assert np.allclose(scores.values, combine(kw.values, em.values))
    assert scores.raw is em.raw and scores.vectors.shape == (6, 384)
    assert np.allclose(np.linalg.norm(scores.vectors, axis=1), 1.0, atol=1e-5)


@pytest.mark.model
@pytest.mark.parametrize("method", ["keyword", "embedding", "hybrid"])
def test_a_document_scores_the_same_alone_and_in_a_corpus(codebook, method):
    alone = qc.read_transcripts(EXAMPLES / "d01_superintendent.txt")
    corpus = qc.read_transcripts(EXAMPLES)
    a = qc.suggest(alone, codebook, method=method, min_score=0.0, cache=None)
    b = qc.suggest(corpus, codebook, method=method, min_score=0.0, cache=None)
    b = b[b["doc_id"] == "d01_superintendent"].reset_index(drop=True)
    columns = ["segment_id", "code", "score", "evidence"]
    pd.testing.assert_frame_equal(a[columns], b[columns])


@pytest.fixture(scope="module")
def learned(codebook, example_corpus):
    """The learned matcher fitted on the example interviews' human codes."""
    human = qc.read_codings(EXAMPLES / "human_codes_d01.csv")
    training = Training.from_codings(human, example_corpus.segments, codebook.ids)
    return ClassifierMatcher(cache=None).fit(codebook, training)


@pytest.mark.model
def test_a_document_scores_the_same_alone_and_in_a_corpus_when_learned(learned, example_corpus):
    segments = example_corpus.segments
    doc = "d02_superintendent"  # not hand-coded
    alone = segments[segments["doc_id"] == doc].reset_index(drop=True)
    together = learned.score(segments)
    by_itself = learned.score(alone)
    rows = np.flatnonzero(segments["doc_id"].to_numpy() == doc)
    assert np.array_equal(by_itself.values, together.values[rows])
    assert by_itself.values.max() > 0
    shifted = {(rows[i], j): text for (i, j), text in by_itself.evidence.items()}
    assert shifted == {key: text for key, text in together.evidence.items() if key[0] in set(rows.tolist())}


@pytest.mark.model
def test_a_segment_scores_the_same_wherever_its_row_is_in_the_table(learned, example_corpus):
    """The learned matcher found a segment's neighbours by their place in the table: a table
    sorted or filtered in a notebook (here shuffled) lost every neighbour, and scores moved
    by up to 0.32 on the example interviews. Neighbours are now found by segment number."""
    segments = example_corpus.segments
    order = np.random.default_rng(0).permutation(len(segments))
    shuffled = learned.score(segments.iloc[order])
    in_order = learned.score(segments)
    assert np.array_equal(shuffled.values, in_order.values[order])
    assert in_order.values.max() > 0.5


@pytest.mark.model
def test_content_free_segments_score_near_zero(codebook, learned):
    segments = qc.segments_from_texts(CONTENT_FREE)
    for method in ("embedding", "hybrid"):
        scores = make_matcher(method, cache=None).fit(codebook).score(segments)
        assert scores.values.max() <= 0.1, method
    assert learned.score(segments).values.max() <= 0.1
    one_word = make_matcher("embedding", cache=None).fit(codebook).score(qc.segments_from_texts(["Funding."]))
    assert one_word.values.max() <= 0.5


def test_training_from_codings_labels_every_segment_of_coded_documents(codebook, example_corpus):
    human = qc.read_codings(EXAMPLES / "human_codes_d01.csv")
    training = Training.from_codings(human, example_corpus.segments, codebook.ids)
    coded_docs = set(human["doc_id"])
    assert training.documents == coded_docs and len(coded_docs) == 3
    assert len(training.segments) == int(example_corpus.segments["doc_id"].isin(coded_docs).sum())
    assert training.labels.sum() >= 1 and training.labels.shape == (len(training.segments), len(codebook.ids))
    assert set(training.coders.values()) == {"coder_a"}


@pytest.mark.model
def test_classifier_learns_in_fit_and_predicts_in_score(codebook):
    texts = [f"We hired {n} new counselors and social workers this year." for n in range(12)]
    texts += [f"The weather on day {n} was grey and the coffee was cold." for n in range(12)]
    segments = qc.segments_from_texts(texts)
    labels = np.zeros((len(texts), len(codebook.ids)), dtype=bool)
    labels[:12, codebook.ids.index("personnel")] = True
    training = Training(segments, codebook.ids, labels)
    matcher = ClassifierMatcher(cache=None).fit(codebook, training)
    assert list(matcher.models_["context"]) == ["personnel"] and "caring_climate" in matcher.definition_only_
    # scores come from the cross-validation models whose out-of-fold output set the thresholds
    assert matcher.models_["context"]["personnel"].folds == len(matcher.shared_) == 5
    assert not matcher.fallback_
    frozen = copy.copy(vars(matcher))
    new = qc.segments_from_texts(["We hired three counselors.", "The coffee was cold again."])
    scores = matcher.score(new)
    assert vars(matcher).keys() == frozen.keys()
    j = codebook.ids.index("personnel")
    assert scores.values[0, j] > 0.5 > scores.values[1, j]
    assert scores.evidence[(0, j)].startswith("classifier p=")
    assert scores.method == "classifier" and "models: context" in scores.evidence[(0, j)]
    # the zero-shot score the shared model read is named, with the hybrid matcher's own value
    zero_shot = float(re.search(r"\| zero-shot (\d\.\d\d)", scores.evidence[(0, j)]).group(1))
    assert zero_shot == round(float(matcher.hybrid_.score(new).values[0, j]), 2)
    # a code with too few examples for a model of its own keeps the codebook's zero-shot score
    climate = codebook.ids.index("caring_climate")
    place = qc.segments_from_texts(
        ["Our schools are a safe, welcoming place where every student feels a sense of belonging."]
    )
    alone = matcher.score(place)
    zero = HybridMatcher(cache=None).fit(codebook).score(place)
    assert alone.values[0, climate] == round(float(zero.values[0, climate]), 6) >= 0.4
    assert matcher.thresholds_["caring_climate"] == 0.4 and alone.methods[(0, climate)] == "hybrid"
    assert alone.evidence[(0, climate)].startswith(f"zero-shot {zero.values[0, climate]:.3f} (threshold 0.40")
    assert "too few for a model of its own" in alone.evidence[(0, climate)]
    rows = to_codings(place, alone, source="test", min_score=0.0).set_index("code")
    assert rows.loc["caring_climate", "method"] == "hybrid"
    with pytest.raises(qc.OptionError, match="learns from human codes"):
        ClassifierMatcher(cache=None).fit(codebook)


@pytest.mark.model
def test_classifier_reads_the_neighbours_of_segments_coded_one_by_one(codebook, monkeypatch):
    from qualcode.match import learned_features

    texts = [f"We hired {n} new counselors and social workers this year." for n in range(12)]
    texts += [f"The weather on day {n} was grey and the coffee was cold." for n in range(12)]
    document = qc.segments_from_texts([" ".join(texts)], segment_by="sentence")
    coded = document.iloc[::2].reset_index(drop=True)  # a sheet: every other sentence coded
    labels = np.zeros((len(coded), len(codebook.ids)), dtype=bool)
    labels[:6, codebook.ids.index("personnel")] = True
    seen: list[int] = []
    view = learned_features.context_view
    monkeypatch.setattr(learned_features, "context_view", lambda v, s: seen.append(len(s)) or view(v, s))
    ClassifierMatcher(cache=None).fit(codebook, Training(coded, codebook.ids, labels, context=document))
    assert seen == [len(document)] == [24]  # features of the whole document, neighbours included
    seen.clear()
    ClassifierMatcher(cache=None).fit(codebook, Training(coded, codebook.ids, labels))
    assert seen == [12]


def test_training_union_of_whole_documents_and_a_sheet(codebook, example_corpus):
    segments = example_corpus.segments
    human = qc.read_codings(EXAMPLES / "human_codes_d01.csv")
    whole = Training.from_codings(human, segments, codebook.ids)
    other = segments[~segments["doc_id"].isin(whole.documents)].iloc[[0, 3]]
    labelled = [(str(d), int(s)) for d, s in zip(other["doc_id"], other["segment_id"], strict=True)]
    again = whole.segments.iloc[0]  # also on the sheet, with one more code
    labelled.append((str(again["doc_id"]), int(again["segment_id"])))
    sheet_codes = pd.DataFrame(
        {
            "doc_id": [labelled[0][0], labelled[2][0]],
            "segment_id": [labelled[0][1], labelled[2][1]],
            "code": ["personnel", "strength"],
            "coder": ["coder_b", "coder_b"],
        }
    )
    sheet = Training.from_codings(sheet_codes, segments, codebook.ids, labelled)
    both = Training.union([whole, sheet], segments)
    assert both.keys == whole.keys | sheet.keys and len(both.segments) == len(whole.segments) + 2
    order = list(zip(segments["doc_id"], segments["segment_id"], strict=True))
    rows = list(zip(both.segments["doc_id"], both.segments["segment_id"], strict=True))
    assert rows == sorted(rows, key=order.index)  # the order of the segments table
    assert both.labels.sum() == whole.labels.sum() + sheet.labels.sum() - int(
        whole.labels[0, codebook.ids.index("strength")]
    )
    first = rows.index((again["doc_id"], again["segment_id"]))
    assert both.labels[first, codebook.ids.index("strength")]
    assert both.coders[(first, codebook.ids.index("strength"))] == "coder_b"
    assert both.context is not None and set(both.context["doc_id"]) == whole.documents | {labelled[0][0]}
    assert Training.union([whole], segments) is whole
    assert Training.union([whole, whole], segments).context is None  # whole documents only


def test_top_k_and_min_score_never_drop_a_human_code():
    """`qc.suggest(..., training=..., top_k=1)` kept 14 of the example's 20 human codes: the
    best-k cut ran after the human rows were marked to keep."""
    from qualcode.match.base import to_codings

    segments = qc.segments_from_texts(["One.", "Two."])
    values = np.array([[0.9, 0.2, 1.0], [0.8, 0.7, 0.1]])
    scores = Scores(["a", "b", "c"], values, method="hybrid")
    scores.sources[(0, 1)] = "ana"  # a person coded segment 0 with b (scored 0.2 by the model)
    coded = to_codings(segments, scores, source="q", min_score=0.5, top_k=1)
    assert set(zip(coded["doc_id"], coded["code"], coded["status"], strict=True)) == {
        ("text-1", "c", "suggested"),
        ("text-1", "b", "human"),
        ("text-2", "a", "suggested"),
    }


@pytest.mark.model
def test_a_turn_scores_the_same_whether_the_interviewers_are_scored_or_not(codebook, example_corpus):
    """The learned model reads a turn's neighbours (the question it answers) as it learned
    them: interviewer turns left out of the suggestions (the default) were also left out of
    the table scored, and participant turns' scores moved by up to 0.33 on the example
    interviews. Whole documents are read now, and the wanted rows kept."""
    human = qc.read_codings(EXAMPLES / "human_codes_d01.csv")
    runs = {
        include: qc.suggest(
            example_corpus, codebook, training=human, include_interviewer=include, min_score=0.0, cache=None
        )
        for include in (True, False)
    }
    columns = ["doc_id", "segment_id", "code", "score", "evidence"]
    with_them, without = (runs[k][runs[k]["method"] != "human"] for k in (True, False))
    participants = with_them[with_them["segment_id"].isin(without["segment_id"])].merge(
        without[["doc_id", "segment_id"]].drop_duplicates(), on=["doc_id", "segment_id"]
    )
    assert (
        len(without) > 20
        and not without.merge(
            example_corpus.segments[example_corpus.segments["is_interviewer"]][["doc_id", "segment_id"]]
        ).shape[0]
    )
    pd.testing.assert_frame_equal(participants[columns].reset_index(drop=True), without[columns].reset_index(drop=True))
    # a next sheet reads the candidates with their neighbours too: the same scores as suggest's
    sheet = qc.next_to_code(example_corpus, codebook, training=human, n=4, cache=None)
    for doc, segment, suggested in sheet[["doc_id", "segment_id", "suggested"]].itertuples(index=False):
        for part in filter(None, suggested.split("; ")):
            code, score = part.rsplit(" ", 1)
            row = without[(without["doc_id"] == doc) & (without["segment_id"] == segment) & (without["code"] == code)]
            assert f"{row['score'].iloc[0]:.2f}" == score
