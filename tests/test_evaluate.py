from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.metrics import cohen_kappa_score, f1_score, precision_score, recall_score

import qualcode as qc
from qualcode import columns as C


def test_evaluate_matches_sklearn():
    segments = pd.DataFrame(
        {
            C.DOC_ID: ["a"] * 6,
            C.SEGMENT_ID: range(6),
            C.START_CHAR: range(0, 60, 10),
            C.END_CHAR: range(10, 70, 10),
            C.IS_INTERVIEWER: [False] * 6,
        }
    )
    gold = pd.DataFrame({C.DOC_ID: "a", C.SEGMENT_ID: [0, 1, 2, 4], C.CODE: ["x", "x", "y", "x"], "coder": "k"})
    suggested = pd.DataFrame(
        {
            C.DOC_ID: "a",
            C.SEGMENT_ID: [0, 2, 3, 4, 5],
            C.CODE: ["x", "x", "y", "x", "y"],
            C.SCORE: [0.9, 0.3, 0.8, 0.7, 0.2],
            C.METHOD: "hybrid",
        }
    )
    table = qc.evaluate(suggested, gold, segments, threshold=0.5)
    truth_x = np.array([1, 1, 0, 0, 1, 0], bool)
    guess_x = np.array([1, 0, 0, 0, 1, 0], bool)
    row = table.loc["x"]
    assert row["precision"] == pytest.approx(precision_score(truth_x, guess_x))
    assert row["recall"] == pytest.approx(recall_score(truth_x, guess_x))
    assert row["f1"] == pytest.approx(f1_score(truth_x, guess_x))
    assert row["kappa"] == pytest.approx(cohen_kappa_score(truth_x, guess_x))
    truth_y = np.array([0, 0, 1, 0, 0, 0], bool)
    guess_y = np.array([0, 0, 0, 1, 0, 0], bool)
    flat_t = np.column_stack([truth_x, truth_y]).ravel()
    flat_g = np.column_stack([guess_x, guess_y]).ravel()
    assert table.loc["micro", "f1"] == pytest.approx(f1_score(flat_t, flat_g))
    assert table.loc["macro", "f1"] == pytest.approx((f1_score(truth_x, guess_x) + f1_score(truth_y, guess_y)) / 2)
    assert table.loc["x", "gold"] == 3 and table.loc["x", "suggested"] == 2


def test_human_rows_are_not_predictions():
    segments = pd.DataFrame({C.DOC_ID: ["a", "a"], C.SEGMENT_ID: [0, 1], C.START_CHAR: [0, 10], C.END_CHAR: [10, 20]})
    gold = pd.DataFrame({C.DOC_ID: ["a"], C.SEGMENT_ID: [0], C.CODE: ["x"], "coder": ["k"]})
    suggested = pd.DataFrame({C.DOC_ID: ["a"], C.SEGMENT_ID: [0], C.CODE: ["x"], C.SCORE: [1.0], C.METHOD: ["human"]})
    assert qc.evaluate(suggested, gold, segments).loc["x", "suggested"] == 0


def test_rejected_suggestions_are_not_counted_as_suggestions():
    import pandas as pd

    import qualcode as qc

    segments = pd.DataFrame(
        {"doc_id": "d", "segment_id": [0, 1, 2], "start_char": [0, 10, 20], "end_char": [10, 20, 30]}
    )
    gold = pd.DataFrame({"doc_id": ["d"], "segment_id": [0], "code": ["a"], "coder": ["h"]})
    suggestions = pd.DataFrame(
        {"doc_id": "d", "segment_id": [0, 1], "code": "a", "score": [0.9, 0.9], "status": ["accepted", "rejected"]}
    )
    table = qc.evaluate(suggestions, gold, segments)
    assert table.loc["a", "suggested"] == 1 and table.loc["a", "precision"] == 1.0


def test_tuning_skips_codes_with_too_few_human_examples():
    import pandas as pd

    import qualcode as qc

    segments = pd.DataFrame(
        {"doc_id": "d", "segment_id": range(20), "start_char": range(0, 200, 10), "end_char": range(10, 210, 10)}
    )
    gold = pd.DataFrame(
        {"doc_id": "d", "segment_id": [0, 1, 2, 3, 4, 5, 10, 11], "code": ["a"] * 6 + ["b"] * 2, "coder": "h"}
    )
    suggestions = pd.DataFrame(
        {
            "doc_id": "d",
            "segment_id": [0, 1, 2, 3, 4, 5, 6, 10, 12],
            "code": ["a"] * 7 + ["b"] * 2,
            "score": [0.9, 0.8, 0.7, 0.9, 0.6, 0.95, 0.3, 0.95, 0.2],
        }
    )
    chosen = qc.tune_thresholds(suggestions, gold, segments)
    assert "a" in chosen and "b" not in chosen and chosen.skipped == {"b": 2}


def test_only_the_segments_the_human_codes_speak_for_are_units():
    """Gold codes for document a only (b trained the model, or nobody coded it): a suggestion
    in b is not a false positive, and b's segments are not true negatives."""
    segments = pd.DataFrame(
        {
            C.DOC_ID: ["a", "a", "b", "b"],
            C.SEGMENT_ID: [0, 1, 0, 1],
            C.START_CHAR: [0, 10] * 2,
            C.END_CHAR: [10, 20] * 2,
        }
    )
    gold = pd.DataFrame({C.DOC_ID: ["a"], C.SEGMENT_ID: [0], C.CODE: ["x"], "coder": ["k"]})
    suggested = pd.DataFrame({C.DOC_ID: ["a", "b"], C.SEGMENT_ID: [0, 1], C.CODE: "x", C.SCORE: 0.9})
    row = qc.evaluate(suggested, gold, segments).loc["x"]
    assert row["n_units"] == 2 and row["suggested"] == 1 and row["precision"] == 1.0
    # a filled-in next sheet speaks for the rows it lists, coded or left empty
    gold.attrs["labelled_segments"] = [("a", 0), ("b", 0)]
    row = qc.evaluate(suggested, gold, segments).loc["x"]
    assert row["n_units"] == 2 and row["suggested"] == 1 and row["kappa"] == 1.0
    gold.attrs["labelled_segments"] = [("a", 0), ("b", 1)]
    assert qc.evaluate(suggested, gold, segments).loc["x", "precision"] == 0.5  # b/1: coded, nothing applies


def test_human_codes_on_none_of_the_scored_segments_are_an_error_not_a_traceback(tmp_path):
    from typer.testing import CliRunner

    from qualcode.cli import app
    from qualcode.errors import OptionError

    segments = pd.DataFrame({C.DOC_ID: ["a"], C.SEGMENT_ID: [0], C.START_CHAR: [0], C.END_CHAR: [10]})
    elsewhere = pd.DataFrame({C.DOC_ID: ["z"], C.SEGMENT_ID: [0], C.CODE: ["x"], "coder": ["k"]})
    suggested = pd.DataFrame({C.DOC_ID: ["a"], C.SEGMENT_ID: [0], C.CODE: "x", C.SCORE: 0.9})
    with pytest.raises(OptionError, match="on none of the segments scored"):
        qc.evaluate(suggested, elsewhere, segments)
    from .conftest import CODEBOOK, EXAMPLES

    coded = tmp_path / "coded.csv"
    runner = CliRunner()
    tagged = runner.invoke(app, ["tag", str(EXAMPLES), "-c", str(CODEBOOK), "-o", str(coded), "--method", "keyword"])
    assert tagged.exit_code == 0, tagged.output
    gold = tmp_path / "gold.csv"
    gold.write_text("doc_id,start_char,end_char,code,coder\n", encoding="utf-8")
    result = runner.invoke(app, ["evaluate", str(coded), "--gold", str(gold), "-o", str(tmp_path / "e.csv")])
    assert result.exit_code == 2 and "gold.csv: holds no rows, so no human codes" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "e.csv").exists()


def test_gold_typed_with_the_codes_labels_is_compared_code_for_code(tmp_path):
    """Gold written with the codes' labels ("Caring climate") was compared with suggestions
    of caring_climate as two codes, each scoring 0 (on the games survey: micro kappa 0.18
    instead of 0.44). The run's recorded codebook names them; an unknown code is said."""
    from typer.testing import CliRunner

    from qualcode.cli import app

    from .conftest import CODEBOOK, EXAMPLES

    coded = tmp_path / "coded.csv"
    runner = CliRunner()
    tagged = runner.invoke(app, ["tag", str(EXAMPLES), "-c", str(CODEBOOK), "-o", str(coded), "--method", "keyword"])
    assert tagged.exit_code == 0, tagged.output
    book = qc.load_codebook(CODEBOOK)
    human = pd.read_csv(EXAMPLES / "human_codes.csv")
    typed = tmp_path / "typed.csv"
    human.assign(code=[book.get(code).label for code in human["code"]]).to_csv(typed, index=False)
    tables = {}
    for name, gold in (("ids", EXAMPLES / "human_codes.csv"), ("labels", typed)):
        out = tmp_path / f"{name}.csv"
        result = runner.invoke(app, ["evaluate", str(coded), "--gold", str(gold), "-o", str(out)])
        assert result.exit_code == 0, result.output
        tables[name] = out.read_text(encoding="utf-8")
    assert tables["labels"] == tables["ids"]
    human.loc[0, "code"] = "Caring climat"
    human.to_csv(typed, index=False)
    result = runner.invoke(app, ["evaluate", str(coded), "--gold", str(typed), "-o", str(tmp_path / "e.csv")])
    said = " ".join(result.output.split())
    assert result.exit_code == 0 and "1 code not in codebook" in said and "(did you mean 'caring_climate'?)" in said


def test_evaluate_measures_the_turns_the_run_scored_and_says_what_it_left_out(tmp_path):
    """Interviewer turns were left out of every evaluation, also when the run suggested codes
    on them (--include-interviewer), and human codes there or on documents not in the run
    were dropped without a word (SERDIF: 47 codes on the moderator's turns)."""
    from typer.testing import CliRunner

    from qualcode.cli import app

    from .conftest import CODEBOOK, EXAMPLES

    runner = CliRunner()
    gold = pd.read_csv(EXAMPLES / "human_codes.csv")
    asked = {"doc_id": "d01_assistant_superintendent", "start_char": 13, "end_char": 95, "code": "personnel"}
    elsewhere = {"doc_id": "d99_not_in_the_run", "start_char": 0, "end_char": 10, "code": "personnel"}
    extended = tmp_path / "gold.csv"
    pd.concat([gold, pd.DataFrame([asked, elsewhere]).assign(coder="coder_a")]).to_csv(extended, index=False)
    units = {}
    for name, extra in (("participants", ()), ("everyone", ("--include-interviewer",))):
        coded = tmp_path / f"{name}.csv"
        tagged = runner.invoke(
            app, ["tag", str(EXAMPLES), "-c", str(CODEBOOK), "-o", str(coded), "--method", "keyword", *extra]
        )
        assert tagged.exit_code == 0, tagged.output
        out = tmp_path / f"{name}_e.csv"
        result = runner.invoke(app, ["evaluate", str(coded), "--gold", str(extended), "-o", str(out)])
        said = " ".join(result.output.split())
        assert result.exit_code == 0, result.output
        assert "1 on documents not among the transcripts ('d99_not_in_the_run')" in said
        assert ("1 on interviewer turns" in said) is (name == "participants")
        units[name] = int(pd.read_csv(out, index_col="code").loc["micro", "n_units"])
    assert units["everyone"] > units["participants"]


@given(
    arrays(np.bool_, st.tuples(st.integers(1, 12), st.integers(1, 4))),
    st.randoms(use_true_random=False),
)
@settings(max_examples=200, deadline=None)
def test_code_figures_equal_scikit_learns_per_code(truth, random):
    """The figures counted at once for every code are scikit-learn's, code by code: one code
    or several, constant columns included (NaN kappa where both agree on a constant)."""
    from qualcode.analysis.evaluate import code_figures

    guess = np.array([[random.random() < 0.5 for _ in row] for row in truth], dtype=bool).reshape(truth.shape)
    figures = code_figures(truth, guess)
    for j in range(truth.shape[1]):
        t, g = truth[:, j], guess[:, j]
        assert figures["precision"][j] == pytest.approx(precision_score(t, g, zero_division=0))
        assert figures["recall"][j] == pytest.approx(recall_score(t, g, zero_division=0))
        assert figures["f1"][j] == pytest.approx(f1_score(t, g, zero_division=0))
        if (t.any() or g.any()) and not (t.all() and g.all()):
            assert figures["kappa"][j] == pytest.approx(cohen_kappa_score(t, g), nan_ok=True)
        else:
            assert np.isnan(figures["kappa"][j])


@pytest.mark.model
def test_the_segments_a_run_learned_from_are_not_measured(tmp_path):
    """`tag --train human_codes_d01.csv`, then `evaluate --gold human_codes.csv`: the 14
    segments learned from (their human codes kept, nothing suggested) were measured as
    misses, and their codes named as on "documents not among the transcripts"."""
    from typer.testing import CliRunner

    from qualcode.cli import app

    from .conftest import CODEBOOK, EXAMPLES, PARTICIPANTS

    runner = CliRunner()
    coded = tmp_path / "coded.csv"
    train = EXAMPLES / "human_codes_d01.csv"
    args = ["tag", str(EXAMPLES), "-c", str(CODEBOOK), "-m", str(PARTICIPANTS), "--train", str(train), "-o", str(coded)]
    tagged = runner.invoke(app, args)
    assert tagged.exit_code == 0 and "14 learned from" in tagged.output, tagged.output
    gold = pd.read_csv(EXAMPLES / "human_codes.csv")
    others = tmp_path / "others.csv"  # the gold codes of the documents not learned from
    gold[~gold["doc_id"].isin(set(pd.read_csv(train)["doc_id"]))].to_csv(others, index=False)
    tables = {}
    for name, path in (("all", EXAMPLES / "human_codes.csv"), ("others", others)):
        result = runner.invoke(
            app, ["evaluate", str(coded), "--gold", str(path), "-o", str(tmp_path / f"{name}_e.csv")]
        )
        assert result.exit_code == 0, result.output
        said = " ".join(result.output.split())
        assert f"14 segments the run learned from ({train}) are not measured" in said
        assert "not among the transcripts" not in said
        tables[name] = pd.read_csv(tmp_path / f"{name}_e.csv")
    pd.testing.assert_frame_equal(tables["all"], tables["others"])
    assert tables["all"].set_index("code").loc["micro", "n_units"] == 28
