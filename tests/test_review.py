from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import qualcode as qc
from qualcode import columns as C
from qualcode.review import check_statuses, with_status


def _coded(n=6):
    return pd.DataFrame(
        {
            C.DOC_ID: ["d"] * n,
            C.SEGMENT_ID: range(n),
            C.START_CHAR: [10 * i for i in range(n)],
            C.END_CHAR: [10 * i + 9 for i in range(n)],
            C.CODE: ["a", "b"] * (n // 2),
            C.SCORE: np.linspace(0.3, 0.9, n),
            C.METHOD: ["hybrid"] * (n - 1) + ["human"],
        }
    )


def test_accept_reject_by_filter_row_and_score():
    coded = with_status(_coded())
    assert coded[C.STATUS].tolist() == ["suggested"] * 5 + ["human"]
    reviewed = qc.accept(coded, code="b", min_score=0.5, coder="ana")
    assert reviewed[C.STATUS].tolist() == ["suggested", "suggested", "suggested", "accepted", "suggested", "human"]
    assert reviewed.loc[3, C.CODER] == "ana"
    reviewed = qc.reject(reviewed, rows=[0], coder="ben")
    assert reviewed.loc[0, C.STATUS] == "rejected"
    reviewed = qc.reject(reviewed, max_score=1.0)  # does not touch reviewed or human rows
    assert reviewed[C.STATUS].tolist()[3] == "accepted" and reviewed[C.STATUS].tolist()[5] == "human"
    assert coded[C.STATUS].tolist()[0] == "suggested"  # input unchanged


def test_accept_above_per_code():
    reviewed = qc.accept_above(with_status(_coded()), {"a": 0.5, "b": 0.8})
    assert reviewed[C.STATUS].tolist() == ["suggested", "suggested", "accepted", "suggested", "accepted", "human"]


def test_bad_status_and_missing_coder():
    bad = _coded().assign(status=["suggested", "acepted", "suggested", "suggested", "suggested", "human"])
    with pytest.raises(qc.ColumnError, match="row 3: status 'acepted' is not one of"):
        with_status(bad)
    no_coder = _coded().assign(status=["suggested"] * 5 + ["human"], coder="")
    with pytest.raises(qc.OptionError, match="row 7: a human code needs a coder name"):
        check_statuses(no_coder)


def test_merge_keeps_reviewed_and_reports_removed_codes(codebook):
    previous = with_status(_coded()).assign(code=["personnel", "strength"] * 3)
    previous = qc.accept(previous, rows=[1])
    previous = qc.reject(previous, rows=[2])
    previous.loc[4, C.CODE] = "old_code"
    previous = qc.accept(previous, rows=[4])
    new = with_status(_coded()).assign(code=["personnel", "strength"] * 3, score=0.99)
    merged, report = qc.merge(previous, new, codebook)
    statuses = merged.set_index([C.START_CHAR, C.CODE])[C.STATUS]
    assert statuses[(10, "strength")] == "accepted" and statuses[(20, "personnel")] == "rejected"
    assert statuses[(40, "old_code")] == "accepted" and statuses[(50, "strength")] == "human"
    assert report.orphaned == {"old_code": 1}
    assert any("'old_code' is not in the codebook any more" in line for line in report.lines())
    assert report.replaced == 3  # the new run's suggestions for the reviewed passages are dropped
    assert len(merged) == 4 + 3  # 4 reviewed/human rows kept, 3 fresh suggestions


def test_merge_names_many_removed_codes_in_one_line_and_rows_of_other_documents(codebook):
    """A file of another codebook would print a line per code (72 on an NVivo project):
    more than three removed codes are named in one line, the commonest first."""
    previous = with_status(_coded()).assign(code=["gone_a", "gone_b", "gone_c", "gone_d", "gone_d", "personnel"])
    previous = qc.accept(previous, rows=range(6))
    previous.loc[5, C.DOC_ID] = "elsewhere"
    new = with_status(_coded())
    merged, report = qc.merge(previous, new, codebook, documents=set(new[C.DOC_ID].astype(str)))
    assert report.kept == 6 and (merged[C.DOC_ID] == "elsewhere").sum() == 1
    lines = report.lines()
    assert lines[1] == "1 of them is on 1 document not in this run ('elsewhere' (1)): kept as they are"
    assert lines[2] == (
        "4 codes are not in the codebook any more (renamed or removed): their 5 reviewed or human rows are kept "
        "('gone_d' (2), 'gone_a' (1), 'gone_b' (1), 'gone_c' (1)); list each under the code it became as "
        "`formerly: [...]`, or restore the codes"
    )
    assert len(lines) == 3


def test_merge_leaves_out_suggestions_a_kept_row_of_their_code_decides_on_other_spans(codebook):
    """A run segmented otherwise (sentences after turns were reviewed), or human spans that are not
    segments: a suggestion of the same code on words an accepted or human row already codes, or
    that a rejected row mostly covers, would make the review look undone."""

    def row(start, end, code, status):
        return {C.DOC_ID: "d", C.START_CHAR: start, C.END_CHAR: end, C.CODE: code, C.STATUS: status, C.CODER: "ana"}

    previous = pd.DataFrame(
        [
            row(0, 100, "personnel", "accepted"),  # a turn
            row(200, 300, "strength", "rejected"),  # a turn
            row(400, 420, "growth_area", "rejected"),  # one sentence of a longer turn
            row(500, 520, "lenses", "human"),  # a phrase coded by hand
        ]
    )
    new = pd.DataFrame(
        [
            row(0, 40, "personnel", "suggested"),  # sentence inside the accepted turn: decided
            row(40, 100, "strength", "suggested"),  # another code: kept
            row(210, 260, "strength", "suggested"),  # inside the rejected turn: decided
            row(280, 380, "strength", "suggested"),  # rejected row covers a fifth of it: kept
            row(400, 480, "growth_area", "suggested"),  # one rejected sentence of four: kept
            row(480, 600, "lenses", "suggested"),  # holds the human phrase: decided
            row(600, 700, "lenses", "suggested"),  # next passage: kept
            row(0, 100, "personnel", "suggested"),  # the same passage: replaced, as before
        ]
    ).assign(coder="")
    merged, report = qc.merge(previous, new, codebook)
    fresh = merged[merged[C.STATUS].eq("suggested")]
    assert list(zip(fresh[C.START_CHAR], fresh[C.CODE], strict=True)) == [
        (40, "strength"),
        (280, "strength"),
        (400, "growth_area"),
        (600, "lenses"),
    ]
    assert report.replaced == 1 and report.decided == 3
    assert "left out 3 new suggestions on words a kept row of their code already decides" in report.lines()[-1]
    assert len(merged) == 4 + 4


def test_rows_not_in_the_table_are_refused_not_the_last_row_accepted():
    """`rows=[9999]` accepted the last row (pandas' -1 for a missing label)."""
    coded = with_status(_coded())
    with pytest.raises(qc.OptionError, match="rows 9999 are not in the table"):
        qc.accept(coded, rows=[9999])
    some = coded.iloc[[4, 1, 3]]  # filtered and reordered: rows are its labels
    assert qc.accept(some, rows=[1])[C.STATUS].tolist() == ["suggested", "accepted", "suggested"]
    shuffled = (coded[C.SCORE] > 0.6).sample(frac=1, random_state=0)  # matched by label, not position
    assert (qc.accept(coded, shuffled)[C.STATUS] == "accepted").sum() == 2
    with pytest.raises(qc.OptionError, match="where: a Series over other rows"):
        qc.accept(coded, (coded[C.SCORE] > 0.6).iloc[:3])


rows = st.lists(
    st.tuples(
        st.integers(0, 20),
        st.sampled_from(["personnel", "strength", "covid_lessons", "gone"]),
        st.sampled_from(["suggested", "accepted", "rejected", "human"]),
    ),
    min_size=1,
    max_size=40,
    unique_by=lambda r: (r[0], r[1]),
)


@settings(max_examples=60, deadline=None)
@given(old_rows=rows, new_rows=rows)
def test_no_human_or_reviewed_row_is_ever_lost(old_rows, new_rows, codebook):
    def frame(items, status_ok=True):
        return pd.DataFrame(
            {
                C.DOC_ID: "d",
                C.SEGMENT_ID: [r[0] for r in items],
                C.START_CHAR: [r[0] * 10 for r in items],
                C.END_CHAR: [r[0] * 10 + 5 for r in items],
                C.CODE: [r[1] for r in items],
                C.SCORE: 0.5,
                C.STATUS: [r[2] if status_ok else "suggested" for r in items],
                C.CODER: ["k" if r[2] != "suggested" else "" for r in items],
            }
        )

    previous = frame(old_rows)
    merged, _ = qc.merge(previous, frame(new_rows, status_ok=False), codebook)
    kept = previous[previous[C.STATUS] != "suggested"]
    key = [C.START_CHAR, C.CODE, C.STATUS]
    after = set(map(tuple, merged[key].to_numpy().tolist()))
    assert set(map(tuple, kept[key].to_numpy().tolist())) <= after
    assert not merged.duplicated([C.START_CHAR, C.CODE]).any()


def test_tune_thresholds_and_codebook_round_trip(example_corpus, codebook, tmp_path):
    gold = qc.read_codings("examples/interviews/human_codes.csv")
    coded = qc.suggest(example_corpus, codebook, method="keyword")
    chosen = qc.tune_thresholds(coded, gold, example_corpus.segments)
    assert set(chosen) <= set(codebook.ids) and all(0 < t < 1 for t in chosen.values())
    tuned = codebook.with_thresholds(chosen)
    path = tmp_path / "tuned.yaml"
    qc.save_codebook(tuned, path)
    assert qc.load_codebook(path).thresholds() == pytest.approx(chosen)
    again = qc.suggest(example_corpus, qc.load_codebook(path), method="keyword")
    for code, threshold in chosen.items():
        assert (again.loc[again[C.CODE] == code, C.SCORE] >= threshold).all()
    curve = qc.precision_recall(coded, gold, example_corpus.segments, thresholds=[0.5, 0.7])
    assert set(curve["threshold"]) == {0.5, 0.7}
    best_f1 = qc.evaluate(coded, gold, example_corpus.segments, threshold=0.65).loc["micro", "f1"]
    assert best_f1 > qc.evaluate(coded, gold, example_corpus.segments, threshold=0.0).loc["micro", "f1"]


def test_score_bounds_outside_zero_to_one_are_refused():
    """`--accept-above 70` (meaning 0.70) accepted nothing, without a word."""
    coded = with_status(_coded())
    with pytest.raises(qc.OptionError, match=r"min_score 70: scores run from 0 to 1; write 0\.7 for 70%"):
        qc.accept(coded, min_score=70)
    with pytest.raises(qc.OptionError, match=r"max_score -0\.1: scores run from 0 to 1"):
        qc.reject(coded, max_score=-0.1)
    segments = coded[[C.DOC_ID, C.SEGMENT_ID, C.START_CHAR, C.END_CHAR]]
    with pytest.raises(qc.OptionError, match=r"threshold 1\.5: scores run from 0 to 1$"):
        qc.evaluate(coded, coded.assign(coder="ana"), segments, threshold=1.5)


def test_review_refuses_a_code_no_row_holds_and_thresholds_that_overlap(tmp_path):
    """`--code curiosty` reviewed nothing without a word; `--accept-above 0.3 --reject-below
    0.5` accepted the suggestions scoring 0.3-0.5 that it also asked to reject."""
    from qualcode.reviewing import review_file

    coded = tmp_path / "coded.csv"
    with_status(_coded()).assign(coder="ana").to_csv(coded, index=False)
    with pytest.raises(qc.OptionError, match=r"code 'bb' is in no row of .*coded.csv.*did you mean 'b'\?"):
        review_file(coded, tmp_path / "out.csv", accept_above=0.5, codes=["bb"])
    with pytest.raises(qc.OptionError, match=r"--reject-below 0.5 is above --accept-above 0.3: .*at most 0.3"):
        review_file(coded, tmp_path / "out.csv", accept_above=0.3, reject_below=0.5)
    assert not (tmp_path / "out.csv").exists()
    table, _ = review_file(coded, tmp_path / "out.csv", accept_above=0.5, reject_below=0.5, codes=["b"])
    assert table[C.STATUS].tolist() == ["suggested", "rejected", "suggested", "accepted", "suggested", "human"]
    assert qc.accept(with_status(_coded()), code="c")[C.STATUS].eq("accepted").sum() == 0  # Python: any code


def test_a_memo_on_a_suggestion_not_yet_reviewed_is_not_lost_by_a_rerun():
    columns = [C.DOC_ID, C.SEGMENT_ID, C.START_CHAR, C.END_CHAR, C.CODE, C.SCORE, C.METHOD, C.STATUS, C.CODER]
    previous = pd.DataFrame(
        [
            ["d1", 0, 0, 10, "a", 0.7, "hybrid", "suggested", "", "ask ana"],
            ["d1", 1, 11, 20, "b", 0.6, "hybrid", "suggested", "", "odd one"],
            ["d1", 2, 21, 30, "a", 0.5, "hybrid", "suggested", "", ""],
        ],
        columns=[*columns, C.MEMO],
    )
    new = pd.DataFrame(
        [["d1", 0, 0, 10, "a", 0.8, "hybrid", "suggested", ""], ["d1", 2, 21, 30, "a", 0.6, "hybrid", "suggested", ""]],
        columns=columns,
    )
    merged, report = qc.merge(previous, new)
    assert (report.carried, report.noted) == (1, 1)
    rows = merged[[C.SEGMENT_ID, C.CODE, C.SCORE, C.MEMO]].fillna("").values.tolist()
    assert rows == [[0, "a", 0.8, "ask ana"], [1, "b", 0.6, "odd one"], [2, "a", 0.6, ""]]
    assert report.lines() == [
        "2 suggestions not yet reviewed held a memo: 1 carried over to this run's same suggestion, 1 this run no "
        "longer makes kept as they were"
    ]
