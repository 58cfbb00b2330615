"""qualcode.suggestions: qc.suggest picks a matcher, keeps human codes, applies thresholds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import qualcode as qc

from .conftest import CODEBOOK, EXAMPLES


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
    assert made["method"] == "classifier"
    assert any("too few human examples" in note for note in made["notes"])
    assert set(made["code_thresholds"]) == set(codebook.ids)  # learned thresholds, 0.4 for hybrid fallbacks
    assert not any("nothing is suggested" in note for note in made["notes"])
    # only the hand-coded interview: its human codes stay, nothing is suggested, and a warning says why
    segments = example_corpus.segments
    alone = qc.suggest(segments[segments["doc_id"].isin(human["doc_id"])], codebook, training=human, cache=None)
    assert (alone["method"] == "human").all() and len(alone) == len(human)
    assert any("nothing is suggested" in note for note in alone.attrs["qualcode"]["notes"])


def test_bad_arguments(codebook, example_corpus):
    with pytest.raises(qc.OptionError, match="top_k 0 must be 1 or more"):
        qc.suggest(example_corpus, codebook, method="keyword", top_k=0)
    with pytest.raises(qc.OptionError, match="min_score 2"):
        qc.suggest(example_corpus, codebook, method="keyword", min_score=2)
    with pytest.raises(qc.OptionError, match="learns from human codes"):
        qc.suggest(example_corpus, codebook, method="classifier")


def test_codebook_rules_limit_where_codes_are_suggested(codebook):
    data = codebook.to_dict()
    for code in data["codes"]:
        if code["id"] == "personnel":
            code["applies_to"] = {"role": ["superintendent"]}
        if code["id"] == "systemic_supports":
            code["suggest"] = False
    ruled = qc.codebook.parse_codebook(data)
    segments = qc.segments_from_texts(
        ["We hired two counselors and use PBIS.", "We hired two counselors and use PBIS."],
        role=["superintendent", "student_services"],
    )
    free = qc.suggest(segments, codebook, method="keyword")
    limited = qc.suggest(segments, ruled, method="keyword")
    assert {"personnel", "systemic_supports"} <= set(free["code"])
    assert "systemic_supports" not in set(limited["code"])
    assert limited.loc[limited["code"] == "personnel", "role"].tolist() == ["superintendent"]
    assert any("applied by hand only" in note for note in limited.attrs["qualcode"]["notes"])
    bad = qc.codebook.parse_codebook({**data, "codes": [{**data["codes"][0], "applies_to": {"grade": ["9"]}}]})
    with pytest.raises(qc.ColumnError, match="applies_to column 'grade'"):
        qc.suggest(segments, bad, method="keyword")


def test_a_code_whose_rule_matches_no_segment_is_named_with_what_the_segments_hold(codebook):
    """Teacher moves limited to the teacher's lines, on a lesson read without --interviewer:
    they could never be suggested, and the run said nothing."""
    data = codebook.to_dict()
    for code in data["codes"]:
        if code["id"] in ("personnel", "caring_climate"):
            code["applies_to"] = {"is_interviewer": [True]}
        if code["id"] == "covid_lessons":
            code["applies_to"] = {"role": ["principal"]}
    ruled = qc.codebook.parse_codebook(data)
    segments = qc.segments_from_texts(
        ["We hired two counselors.", "The pandemic taught us to call families."], role=["superintendent", "teacher"]
    )
    notes = qc.suggest(segments, ruled, method="keyword").attrs["qualcode"]["notes"]
    assert (
        "caring_climate, personnel can be suggested on no segment of this run: applies_to is_interviewer: True; "
        "the segments' is_interviewer: False (name the teacher, moderator or interviewer: --interviewer LABEL)"
    ) in notes
    assert (
        "covid_lessons can be suggested on no segment of this run: applies_to role: principal; the segments' role: "
        "superintendent, teacher (each document's role comes from a participants table: --metadata)"
    ) in notes
    free = qc.suggest(segments, codebook, method="keyword").attrs["qualcode"]["notes"]
    assert not any("on no segment" in note for note in free)


def test_a_code_naming_interviewer_turns_is_suggested_there_and_only_it(example_corpus):
    """A code about the interviewer's own moves (applies_to by speaker) is suggested on
    interviewer turns though they are not coded; other codes, and rules by role, are not."""
    book = qc.codebook.parse_codebook(
        {
            "name": "t",
            "codes": [
                {
                    "id": "asks_about_support",
                    "label": "Asks",
                    "keywords": ["support"],
                    "applies_to": {"speaker": "Interviewer"},
                },
                {"id": "support", "label": "Support", "keywords": ["support"]},
                {
                    "id": "support_here",
                    "label": "Here",
                    "keywords": ["support"],
                    "applies_to": {"role": ["superintendent"]},
                },
            ],
        }
    )
    coded = qc.suggest(example_corpus, book, method="keyword")
    interviewer = example_corpus.segments.set_index(["doc_id", "segment_id"])["is_interviewer"]
    on = interviewer.loc[list(zip(coded["doc_id"], coded["segment_id"], strict=True))].to_numpy()
    assert set(coded.loc[on, "code"]) == {"asks_about_support"} and on.sum() >= 3
    assert "asks_about_support" not in set(coded.loc[~on, "code"]) and "support" in set(coded.loc[~on, "code"])
    # a rule by role does not open interviewer turns: the superintendents' only "support" is asked
    assert "support_here" not in set(coded["code"])
    everything = qc.suggest(example_corpus, book, method="keyword", include_interviewer=True)
    assert set(everything.loc[everything["code"] == "support_here", "role"]) == {"superintendent"}
    assert len(everything) > len(coded)  # with interviewer turns coded, every code is suggested there


def test_applies_to_accepts_one_value_and_rejects_an_empty_list():
    book = qc.codebook.parse_codebook(
        {"name": "x", "codes": [{"id": "a", "label": "A", "applies_to": {"speaker": "T"}}]}
    )
    assert book.get("a").applies_to == {"speaker": ["T"]}
    with pytest.raises(qc.CodebookError, match="give a list of values"):
        qc.codebook.parse_codebook({"name": "x", "codes": [{"id": "a", "label": "A", "applies_to": {"speaker": []}}]})


@pytest.mark.model
def test_exclusion_criterion_is_used_in_scoring():
    base = {"id": "personnel", "label": "Personnel", "description": "Hiring staff for schools: counselors, nurses."}
    plain = qc.codebook.parse_codebook({"name": "x", "codes": [base]})
    excluding = qc.codebook.parse_codebook(
        {"name": "x", "codes": [{**base, "exclude_when": "Hiring bus drivers and cafeteria workers."}]}
    )
    segments = qc.segments_from_texts(["We hired six new bus drivers and two cafeteria workers."])
    kept = qc.suggest(segments, plain, method="embedding", min_score=0.0, cache=None)
    dropped = qc.suggest(segments, excluding, method="embedding", min_score=0.0, cache=None)
    assert len(kept) == 1 and kept["score"].iloc[0] > 0
    assert len(dropped) == 0
    # the criterion is checked sentence by sentence: the counselors of the first sentence
    # still code a turn whose second sentence is about bus drivers
    mixed = qc.segments_from_texts(
        ["We hired two counselors. We also hired six new bus drivers and two cafeteria workers."]
    )
    scored = qc.suggest(mixed, excluding, method="embedding", min_score=0.0, cache=None)
    assert len(scored) == 1 and "'We hired two counselors.' [0:24]" in scored["evidence"].iloc[0]


@pytest.mark.model
def test_scoring_a_slice_at_a_time_gives_the_same_codings(example_corpus, codebook, monkeypatch):
    """Big corpora are scored about STREAM_SEGMENTS segments at a time (bounded memory): the
    codings are those of one pass, row for row."""
    from qualcode import suggestions

    whole = qc.suggest(example_corpus, codebook, cache=None)
    monkeypatch.setattr(suggestions, "STREAM_SEGMENTS", 7)
    sliced = qc.suggest(example_corpus, codebook, cache=None)
    pd.testing.assert_frame_equal(whole, sliced)
    assert whole.attrs["qualcode"]["notes"] == sliced.attrs["qualcode"]["notes"]


def test_the_wide_table_keeps_the_interviewer_turns_a_code_names(tmp_path, example_corpus):
    import yaml

    path = tmp_path / "book.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "name": "t",
                "codes": [
                    {
                        "id": "asks",
                        "label": "Asks",
                        "keywords": ["support"],
                        "applies_to": {"is_interviewer": ["true"]},
                    },
                    {"id": "support", "label": "Support", "keywords": ["support"]},
                ],
            }
        ),
        encoding="utf-8",
    )
    result = qc.tag(EXAMPLES, path, tmp_path / "wide.csv", method="keyword", format="wide")
    wide = pd.read_csv(tmp_path / "wide.csv", keep_default_na=False)
    interviewer = example_corpus.segments.set_index(["doc_id", "segment_id"])["is_interviewer"]
    turns = interviewer.loc[list(zip(wide["doc_id"], wide["segment_id"], strict=True))].to_numpy()
    assert turns.sum() == int(interviewer.sum())  # every turn the code names, with or without a suggestion
    assert (wide.loc[turns, "support"] == "").all() and (wide.loc[turns, "asks"] != "").sum() >= 3
    assert len(result.codings) == int((wide[["asks", "support"]] != "").to_numpy().sum())
    # the summary counts the segments the run coded: the participants' turns and the named ones
    assert f"({len(wide)} scored)" in result.summary()
    assert len(wide) == len(example_corpus.segments) > int((~interviewer).sum())


@pytest.mark.model
def test_a_model_no_better_than_chance_on_its_own_codes_says_so(codebook, example_corpus):
    """The human codes moved to random segments of their documents (codes that say nothing of
    the text): cross-validated on them the learned model is near chance, and a run at chance
    says so instead of going quietly silent (on TalkMoves, an active sample of 100 gave a
    cross-validated kappa of 0.01 and a threshold that suggested nothing). The real codes:
    far above it, and no such note."""
    from qualcode.match.learned_thresholds import CHANCE_KAPPA

    human = qc.read_codings(EXAMPLES / "human_codes.csv")
    mapped = qc.map_to_segments(human, example_corpus.segments)
    segments = example_corpus.segments.groupby("doc_id")["segment_id"].apply(list)

    def learned(codes):
        made = qc.suggest(example_corpus, codebook, training=codes, cache=None).attrs["qualcode"]
        cv = made["models"]["classifier"]["cv_kappa"]
        assert any("little better than chance" in note for note in made["notes"]) == (cv < CHANCE_KAPPA), cv
        return cv

    rng = np.random.default_rng(0)
    moved = [
        learned(mapped.assign(segment_id=[rng.choice(segments[doc]) for doc in mapped["doc_id"]])) for _ in range(6)
    ]
    # one draw on 42 coded segments may reach 0.15 by chance; their mean sits near 0.07
    assert np.mean(moved) < CHANCE_KAPPA and min(moved) < CHANCE_KAPPA, moved
    assert learned(mapped) > 0.5


@pytest.mark.model
def test_codes_with_only_a_label_are_said_to_be_scored_from_it_alone(codebook):
    """An NVivo codebook exported without descriptions (262 bare labels) gave 22 suggestions a
    segment without a word about why they are weak."""
    data = codebook.model_dump()
    for code in data["codes"][:2]:
        for field in ("description", "include_when", "exclude_when"):
            code[field] = ""
        code["examples"], code["keywords"] = [], []
    bare = type(codebook).model_validate(data)
    segments = qc.segments_from_texts(["We hired two counselors for every school."])
    notes = qc.suggest(segments, bare).attrs["qualcode"]["notes"]
    ids = ", ".join(code["id"] for code in data["codes"][:2])
    assert any(note.startswith(f"2 of {len(codebook.ids)} codes have only a label ({ids})") for note in notes), notes
    assert not any("only a label" in note for note in qc.suggest(segments, codebook).attrs["qualcode"]["notes"])
    assert not any(
        "only a label" in note for note in qc.suggest(segments, bare, method="keyword").attrs["qualcode"]["notes"]
    )


def test_a_codebook_path_is_loaded_and_what_is_not_a_table_or_codebook_is_said_plainly(codebook, example_corpus):
    """In a notebook, `qc.suggest(segments, "codebook.yaml")` and `qc.suggest(["We hired…"], cb)`
    raised AttributeError ('str' object has no attribute 'ids' / 'columns')."""
    by_path = qc.suggest(example_corpus, str(CODEBOOK), method="keyword")
    pd.testing.assert_frame_equal(by_path, qc.suggest(example_corpus, codebook, method="keyword"))
    with pytest.raises(qc.OptionError, match=r"segments: a list, not a segments table; .*qc.segments_from_texts"):
        qc.suggest(["We hired two counselors."], codebook, method="keyword")
    with pytest.raises(qc.OptionError, match=r"codebook: a dict; give qc.load_codebook\(PATH\)"):
        qc.suggest(example_corpus, {"codes": []}, method="keyword")
    with pytest.raises(qc.OptionError, match="segments: a str, not a segments table"):
        qc.next_to_code("examples/interviews", codebook, n=3)
    with pytest.raises(qc.OptionError, match=r"inputs: a DataFrame; .*qc.segments_from_texts\(df\['answer'\]"):
        qc.read_transcripts(pd.DataFrame({"answer": ["We hired two counselors."]}))
