"""qualcode.suggestions: qc.suggest picks a matcher, keeps human codes, applies thresholds."""

from __future__ import annotations

import pytest

import qualcode as qc

from .conftest import EXAMPLES


def test_codebook_thresholds_replace_the_default(codebook, example_corpus):
    loose = qc.suggest(example_corpus, codebook, method="keyword")
    tuned = qc.suggest(example_corpus, codebook.with_thresholds({"personnel": 0.9}), method="keyword")
    assert (tuned.loc[tuned["code"] == "personnel", "score"] >= 0.9).all()
    assert len(tuned[tuned["code"] == "personnel"]) < len(loose[loose["code"] == "personnel"])
    assert tuned.attrs["qualcode"]["thresholds"] == {"personnel": 0.9}
    explicit = qc.suggest(example_corpus, codebook.with_thresholds({"personnel": 0.9}), method="keyword", min_score=0.0)
    assert len(explicit) == len(loose)  # an explicit min_score wins over the codebook's


def test_interviewer_turns_are_not_coded_unless_asked(codebook, example_corpus):
    segments = example_corpus.segments
    asking = set(zip(*segments.loc[segments["is_interviewer"], ["doc_id", "segment_id"]].T.values, strict=True))
    coded = qc.suggest(example_corpus, codebook, method="keyword")
    both = qc.suggest(example_corpus, codebook, method="keyword", include_interviewer=True)
    coded_keys = set(zip(coded["doc_id"], coded["segment_id"], strict=True))
    both_keys = set(zip(both["doc_id"], both["segment_id"], strict=True))
    assert asking and not coded_keys & asking
    assert both_keys & asking and coded_keys <= both_keys


@pytest.mark.model
def test_training_keeps_human_rows_and_records_what_ran(codebook, example_corpus):
    human = qc.read_codings(EXAMPLES / "human_codes_d01.csv")
    coded = qc.suggest(example_corpus, codebook, training=human, cache=None)
    rows = coded[coded["method"] == "human"]
    assert len(rows) == len(human) and set(rows["source"]) == {"coder_a"}
    assert (rows["score"] == 1.0).all()
    made = coded.attrs["qualcode"]
    assert made["method"] == "hybrid"  # every code fell back: too few examples
    assert "too few human examples" in made["notes"][-1]


def test_bad_arguments(codebook, example_corpus):
    with pytest.raises(qc.OptionError, match="top_k 0 must be 1 or more"):
        qc.suggest(example_corpus, codebook, method="keyword", top_k=0)
    with pytest.raises(qc.OptionError, match="min_score 2"):
        qc.suggest(example_corpus, codebook, method="keyword", min_score=2)
    with pytest.raises(qc.OptionError, match="learns from human codes"):
        qc.suggest(example_corpus, codebook, method="classifier")
