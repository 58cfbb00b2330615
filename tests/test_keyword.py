from __future__ import annotations

import pytest

import qualcode as qc
from qualcode.match.keyword import KeywordMatcher

BOOK = qc.codebook_from_yaml(
    """
name: test
codes:
  - id: supports
    label: Supports
    keywords: [PBIS, SEL, trauma-informed, support student, counselor]
    patterns: ['\\btier (?:one|two|three)\\b']
    exclude: [supply chain]
  - id: hiring
    label: Hiring
    keywords: [hire, social worker]
"""
)


def codes_for(text: str) -> dict[str, tuple[float, str]]:
    seg = qc.segments_from_texts([text])
    out = qc.suggest(seg, BOOK, method="keyword")
    return {row.code: (row.score, row.evidence) for row in out.itertuples()}


def test_lemmas_plurals_and_verb_forms():
    assert "supports" in codes_for("We are supporting students and our counselors.")
    assert "hiring" in codes_for("She hired two people.")
    assert "hiring" in codes_for("The social workers arrived.")


def test_hyphen_and_space_are_interchangeable():
    assert "supports" in codes_for("We are trauma informed now.")
    assert "supports" in codes_for("We are trauma-informed now.")


def test_acronyms_are_case_sensitive():
    assert "supports" in codes_for("We run PBIS and SEL.")
    assert "supports" not in codes_for("We sell pbis-free sel goods.")


def test_regex_and_exclude_veto():
    assert codes_for("Students in tier two get a mentor.")["supports"][0] == pytest.approx(0.65)
    assert "supports" not in codes_for("PBIS stalled on the supply chain.")


def test_score_formula_noisy_or():
    # one word 0.5; an acronym 0.65; word + acronym 1-(0.5*0.35)
    assert codes_for("Our counselor is here.")["supports"][0] == pytest.approx(0.5)
    assert codes_for("PBIS is here.")["supports"][0] == pytest.approx(0.65)
    assert codes_for("PBIS and a counselor.")["supports"][0] == pytest.approx(1 - 0.5 * 0.35)
    # a repeat of the same term counts a third of its weight
    assert codes_for("A counselor, a counselor.")["supports"][0] == pytest.approx(1 - 0.5 * (1 - 0.5 / 3), abs=1e-4)


def test_nested_matches_count_once():
    book = qc.codebook_from_yaml(
        "name: t\ncodes:\n  - id: s\n    label: S\n    keywords: [system, multi-tiered system of support]\n"
    )
    seg = qc.segments_from_texts(["A multi-tiered system of support."])
    row = qc.suggest(seg, book, method="keyword").iloc[0]
    assert row.score == pytest.approx(0.65)
    assert row.evidence == "'multi-tiered system of support' [2:32]"


def test_evidence_offsets_point_into_the_document(example_corpus, codebook):
    coded = qc.suggest(example_corpus, codebook, method="keyword")
    texts = {d.doc_id: d.text for d in example_corpus.documents}
    import re

    checked = 0
    for row in coded.itertuples():
        assert 0 < row.score <= 1
        for quoted, start, end in re.findall(r"'([^']*)' \[(\d+):(\d+)\]", row.evidence):
            assert texts[row.doc_id][int(start) : int(end)] == quoted
            assert row.start_char <= int(start) < int(end) <= row.end_char
            checked += 1
    assert checked > 50


def test_interviewer_turns_not_coded_by_default(example_corpus, codebook):
    coded = qc.suggest(example_corpus, codebook, method="keyword")
    interviewer_ids = example_corpus.segments.loc[example_corpus.segments["is_interviewer"], ["doc_id", "segment_id"]]
    keys = set(map(tuple, coded[["doc_id", "segment_id"]].to_numpy()))
    assert not keys & set(map(tuple, interviewer_ids.to_numpy()))
    with_int = qc.suggest(example_corpus, codebook, method="keyword", include_interviewer=True)
    assert len(with_int) > len(coded)


def test_top_k_and_min_score(example_corpus, codebook):
    coded = qc.suggest(example_corpus, codebook, method="keyword", top_k=1, min_score=0.6)
    assert coded.groupby(["doc_id", "segment_id"]).size().max() == 1
    assert coded["score"].min() >= 0.6


def test_matcher_follows_the_estimator_pattern(codebook):
    matcher = KeywordMatcher(lemmas=False)
    assert not hasattr(matcher, "codes_")
    assert matcher.fit(codebook) is matcher
    assert matcher.codes_ == codebook.ids
    seg = qc.segments_from_texts(["We hired counselors."])
    scores = matcher.score(seg)
    assert scores.values.shape == (1, len(codebook.ids))
    assert scores.values[0, codebook.ids.index("personnel")] > 0


def test_without_lemmas_only_word_forms_match():
    plain = KeywordMatcher(lemmas=False).fit(BOOK)
    seg = qc.segments_from_texts(["She hired two people.", "We hire people."])
    hiring = plain.score(seg).values[:, BOOK.ids.index("hiring")]
    assert hiring.tolist() == [0.0, 0.5]


def test_missing_text_column_is_a_clear_error(codebook):
    import pandas as pd

    with pytest.raises(qc.ColumnError, match="segments table lacks column 'doc_id'"):
        qc.suggest(pd.DataFrame({"words": ["x"]}), codebook, method="keyword")


def test_patterns_run_in_linear_time_and_unsupported_ones_are_named():
    import time

    book = qc.codebook_from_yaml("name: x\ncodes:\n  - id: a\n    label: A\n    patterns: ['(a+)+$']\n")
    matcher = KeywordMatcher().fit(book)
    start = time.perf_counter()
    scores = matcher.score(qc.segments_from_texts(["a" * 40 + "b"]))
    assert time.perf_counter() - start < 2.0 and scores.values.max() == 0.0
    with pytest.raises(qc.CodebookError, match=r"look-around .* not supported"):
        qc.codebook_from_yaml("name: x\ncodes:\n  - id: a\n    label: A\n    patterns: ['(?<=x)y']\n")
    # every bad pattern of a list is named, each with its own fix
    with pytest.raises(qc.CodebookError) as info:
        qc.codebook_from_yaml("name: x\ncodes:\n  - id: a\n    label: A\n    patterns: ['(?<=x)y', 'ok', '[']\n")
    said = str(info.value)
    assert "item 0 '(?<=x)y'" in said and "look-around (?<= ?= ?! ?<!) is not supported" in said
    assert "item 2 '[' is not a valid regular expression for qualcode (missing ]: [); correct it" in said


@pytest.mark.parametrize(
    ("pattern", "fix"),
    [
        (r"(a)\1", "back-references (\\1) are not supported"),
        (r"care\Z", "write \\z (or $) for the end of the text"),
        (r"\qualit", "\\q is no escape RE2 knows: write the character without the backslash"),
        (r"(?!not)care", "look-around (?<= ?= ?! ?<!) is not supported"),
        (r"(?#note)care", "(?# is not supported by RE2"),
    ],
)
def test_each_unsupported_construct_gets_its_own_fix(pattern, fix):
    with pytest.raises(qc.CodebookError) as info:
        qc.codebook_from_yaml(f"name: x\ncodes:\n  - id: a\n    label: A\n    patterns: ['{pattern}']\n")
    assert fix in str(info.value)
    assert ("look-around" in str(info.value)) == ("(?!" in pattern)


def test_combining_thousands_of_matches_is_linear():
    """A 232 KB segment full of keywords took 10 s when every match was checked against every
    kept one; now one pass."""
    import time

    from qualcode.match.keyword import _combine

    matches = []
    for k in range(20_000):
        start = k * 12
        matches.append((start, start + 10, "counselor", 0.5, f"'counselor' {k}"))
        matches.append((start + 2, start + 6, "couns", 0.5, "inside"))  # nested: dropped
    begin = time.perf_counter()
    score, evidence = _combine(matches, base=0)
    assert time.perf_counter() - begin < 2.0
    assert evidence.count("inside") == 0 and evidence.count("'counselor'") == 20_000
    assert score == pytest.approx(1.0)


def test_keyword_matching_with_a_codebook_of_no_keywords_says_it_can_suggest_nothing():
    """A codebook of names and definitions (the games survey's) gave `--method keyword` zero
    suggestions without a word."""
    book = qc.codebook_from_yaml("name: x\ncodes:\n  - {id: a, label: Awe, description: Wonder at a game.}\n")
    coded = qc.suggest(qc.segments_from_texts(["A game of wonder."]), book, method="keyword")
    assert coded.empty
    assert any("no code of the codebook has keywords or patterns" in note for note in coded.attrs["qualcode"]["notes"])
    with_keywords = qc.suggest(qc.segments_from_texts(["A game of wonder."]), BOOK, method="keyword")
    assert not any("keywords or patterns" in note for note in with_keywords.attrs["qualcode"]["notes"])
