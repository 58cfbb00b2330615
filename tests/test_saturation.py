"""Code saturation (Guest, Namey & Chen 2020): new codes per document, the saturation point,
random orders; from Python and the command line, on the SERDIF Taguette project (real codes)
and the example interviews."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import qualcode as qc
from qualcode.analysis.saturation import _new_counts, _points
from qualcode.cli import app

from .conftest import CODEBOOK, EXAMPLES, FIXTURES, PARTICIPANTS

runner = CliRunner()
SERDIF = FIXTURES / "taguette" / "SERDIF_P2_ThematicAnalysis.sqlite3"


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def codings(spec: dict[str, str], **columns: dict[str, str]) -> pd.DataFrame:
    """{'a': 'xy', 'b': 'z'}: document a holds codes x and y, b holds z ('' holds none)."""
    rows = [{"doc_id": d, "code": c} for d, codes in spec.items() for c in codes]
    frame = pd.DataFrame(rows, columns=["doc_id", "code"])
    for name, values in columns.items():
        frame[name] = frame["doc_id"].map(values)
    return frame


def test_guest_rule_by_hand():
    # base a-d holds x y z w (4 codes); run e-f adds v (25% > 5%); run f-g adds nothing: saturation at 5
    table = codings({"a": "xy", "b": "z", "c": "w", "d": "x", "e": "v", "f": "x", "g": "y", "h": "x"})
    result = qc.saturation(table, orders=0)
    docs = result.documents
    assert docs["doc_id"].tolist() == list("abcdefgh")
    assert docs["new_codes"].tolist() == [2, 1, 1, 0, 1, 0, 0, 0]
    assert docs["cumulative"].tolist() == [2, 3, 4, 4, 5, 5, 5, 5]
    assert docs["new"].tolist() == ["x; y", "z", "w", "", "v", "", "", ""]
    assert docs["run"].tolist() == ["", "", "", "", "5-6", "6-7", "7-8", ""]
    assert docs["run_new"].tolist()[4:7] == [1, 0, 0]
    assert docs["new_information"].tolist()[4:7] == [0.25, 0.0, 0.0]
    assert docs["stage"].tolist() == ["base"] * 4 + ["before saturation"] + ["confirming run"] * 2 + [
        "after saturation"
    ]
    summary = result.summary.iloc[0]
    assert (summary["documents"], summary["codes"], summary["base_codes"], summary["saturation"]) == (8, 5, 4, 5)
    assert (summary["run_new"], summary["codes_at_saturation"]) == (0, 5)
    (line,) = result.sentences()
    assert line.startswith("saturation at 5 of 8 documents (base 4, run 2, new information <= 5%")
    assert "documents 6-7 add 0" in line and "5 of the 5 codes found in all 8" in line


def test_threshold_is_inclusive_and_exact():
    # 100 codes in the base, a run bringing 29: 0.29 is at most 0.29 (floating point must not say otherwise)
    base = {f"b{k}": " ".join(f"c{25 * k + j}" for j in range(25)) for k in range(4)}
    rows = [{"doc_id": d, "code": c} for d, codes in base.items() for c in codes.split()]
    rows += [{"doc_id": "r1", "code": f"n{j}"} for j in range(29)]
    rows += [{"doc_id": "r2", "code": "c0"}]
    table = pd.DataFrame(rows)
    assert qc.saturation(table, threshold=0.29, orders=0).summary["saturation"].iloc[0] == 4
    assert pd.isna(qc.saturation(table, threshold=0.28, orders=0).summary["saturation"].iloc[0])


def test_not_reached_too_few_and_empty_base():
    growing = codings({d: c for d, c in zip("abcdefg", "pqrstuv", strict=True)})
    result = qc.saturation(growing, orders=50)
    assert pd.isna(result.summary["saturation"].iloc[0])
    assert set(result.documents["stage"][4:]) == {"not saturated"}
    assert "not reached in 7 documents" in result.sentences()[0]
    assert result.summary["orders_reached"].iloc[0] == 0  # every code is new wherever it comes
    few = qc.saturation(codings({"a": "x", "b": "y"}))
    assert "2 documents, too few for base 4, run 2" in few.sentences()[0]
    assert few.summary["orders"].iloc[0] == 0  # no order of two documents can saturate: none computed
    segments = pd.DataFrame({"doc_id": list("abcdefg"), "segment_id": 1})
    late = qc.saturation(codings({"f": "x"}), segments=segments, orders=0)  # documents without codes count
    assert late.documents["doc_id"].tolist() == list("abcdefg")
    assert "no codes in the first 4 of 7 documents" in late.sentences()[0]


def brute_force_point(sets: list[set[int]], base: int, run: int, threshold: float) -> int | None:
    """Guest et al.'s rule read literally: runs after the base, moving by one document."""
    base_codes = len(set().union(*sets[:base]))
    for start in range(base, len(sets) - run + 1):
        before = set().union(*sets[:start])
        new = set().union(*sets[start : start + run]) - before
        if base_codes and len(new) / base_codes <= threshold + 1e-12:
            return start
    return None


@settings(max_examples=150, deadline=None)
@given(
    held=st.lists(st.lists(st.booleans(), min_size=6, max_size=6), min_size=1, max_size=12),
    base=st.integers(1, 5),
    run=st.integers(1, 3),
    threshold=st.sampled_from([0.0, 0.05, 0.2, 0.5]),
    order=st.randoms(use_true_random=False),
)
def test_vectorised_rule_matches_the_literal_one(held, base, run, threshold, order):
    matrix = np.array(held, dtype=bool)
    ranks = np.arange(len(held))
    order.shuffle(ranks)
    new = _new_counts(matrix, ranks[None, :])
    point = int(_points(new, base, run, threshold)[0][0])
    in_order = [set(np.flatnonzero(matrix[d])) for d in np.argsort(ranks)]
    expected = brute_force_point(in_order, base, run, threshold)
    assert (None if point < 0 else point) == expected


def test_order_by_natural_numeric_and_refusals():
    spec = {"P10": "x", "P2": "y", "P1": "z", "P3": "x", "P20": "w", "P4": "x", "P5": "x"}
    table = codings(spec, participant={d: d for d in spec}, wave={d: str(len(d) * 10 - int(d[1:])) for d in spec})
    ordered = qc.saturation(table, order_by="participant", orders=0).documents
    assert ordered["doc_id"].tolist() == ["P1", "P2", "P3", "P4", "P5", "P10", "P20"]  # P2 before P10
    assert "participant" in ordered.columns
    by_number = qc.saturation(table, order_by="wave", orders=0).documents  # numbers as numbers: 0 < 8 < 10 ...
    assert by_number["wave"].astype(int).is_monotonic_increasing
    dated = table.assign(date=table["doc_id"].map({d: f"2{i}/11/2021" for i, d in enumerate(spec)}))
    with pytest.raises(qc.OptionError, match="YYYY-MM-DD"):
        qc.saturation(dated, order_by="date")
    missing = table.assign(date=table["doc_id"].map({"P1": "2021-01-05"}))
    with pytest.raises(qc.OptionError, match=r"6 documents have no date \('P10', 'P2', 'P3' and 3 more\)"):
        qc.saturation(missing, order_by="date")
    speaker = table.assign(speaker=["A", "B", "A", "A", "A", "A", "A"])
    two = pd.concat([speaker, speaker.iloc[[0]].assign(speaker="B")])
    with pytest.raises(qc.OptionError, match=r"'speaker' is not one value per document .*'P10'"):
        qc.saturation(two, order_by="speaker")
    with pytest.raises(qc.ColumnError, match="no column 'district'"):
        qc.saturation(table, order_by="district")


def test_random_orders_are_reproducible_exact_and_per_group():
    spec = {f"d{k}": "xyz"[: 1 + k % 3] + ("w" if k == 6 else "") for k in range(9)}
    table = codings(spec)
    first = qc.saturation(table, orders=200, seed=3)
    again = qc.saturation(table.sample(frac=1, random_state=1).sort_values("doc_id"), orders=200, seed=3)
    pd.testing.assert_frame_equal(first.summary, again.summary)
    assert not first.summary["every_order"].iloc[0]
    # five documents: all 120 orders, each once
    five = qc.saturation(codings({k: spec[k] for k in list(spec)[:6]}), base=2, run=2, orders=1000)
    assert five.summary["orders"].iloc[0] == 720 and five.summary["every_order"].iloc[0]
    assert "in all 720 orders" in five.sentences()[0]
    # a group's random orders do not depend on which other groups are in the table
    draw = np.random.default_rng(0).random((24, 15)) < 0.25
    many = {f"d{k}": "".join(chr(97 + c) for c in np.flatnonzero(draw[k])) for k in range(24)}
    roles = {d: "teacher" if int(d[1:]) < 12 else "leader" for d in many}
    both = qc.saturation(codings(many, role=roles), by="role", base=2, run=1, orders=300)
    alone = qc.saturation(
        codings({d: c for d, c in many.items() if roles[d] == "teacher"}, role=roles),
        by="role",
        base=2,
        run=1,
        orders=300,
    )
    teacher = both.summary[both.summary["group"] == "teacher"].reset_index(drop=True)
    assert not teacher["every_order"].iloc[0] and teacher["orders_low"].iloc[0] < teacher["orders_high"].iloc[0]
    pd.testing.assert_frame_equal(teacher, alone.summary, check_dtype=False)
    pd.testing.assert_frame_equal(
        both.curves[both.curves["group"] == "teacher"].reset_index(drop=True), alone.curves, check_dtype=False
    )
    assert list(both.summary["group"]) == ["leader", "teacher"]
    curve = both.curves[both.curves["group"] == "leader"]
    assert (curve["orders_low"] <= curve["orders_median"]).all() and (
        curve["orders_median"] <= curve["orders_high"]
    ).all()


def test_rows_counted_reviewed_rejected_renamed_and_themes(codebook):
    spec = {"a": "x", "b": "y", "c": "z", "d": "x", "e": "q", "f": "x"}
    table = codings(spec)
    table["status"] = ["human", "accepted", "suggested", "human", "rejected", "human"]
    table["score"] = [1.0, 0.8, 0.3, 1.0, 0.9, 1.0]
    default = qc.saturation(table, base=2, run=1, orders=0)
    assert default.documents["new"].tolist() == ["x", "y", "z", "", "", ""]  # the rejected q never counts
    assert any("counting 1 suggestion nobody reviewed" in note for note in default.notes)
    reviewed = qc.saturation(table, base=2, run=1, reviewed=True, orders=0)
    assert reviewed.documents["new"].tolist() == ["x", "y", "", "", "", ""] and not reviewed.notes
    assert qc.saturation(table, base=2, run=1, min_score=0.5, orders=0).documents["new"].tolist()[2] == ""
    with pytest.raises(qc.OptionError, match="no human or accepted rows"):
        qc.saturation(table.assign(status="suggested"), reviewed=True)
    # codes under a label or a former name are the code; level 1 counts themes
    child = next(c for c, depth, _ in codebook.walk() if depth == 1)
    parent = next(p for p, depth, _ in codebook.walk() if depth == 0 and child in p.children)
    themes = pd.DataFrame({"doc_id": list("abcdef"), "code": [child.id, parent.id, child.label, "x", "x", "x"]})
    themes = themes[themes["code"] != "x"]
    rolled = qc.saturation(themes, codebook=codebook, level=1, base=1, run=1, orders=0)
    assert rolled.documents["new"].tolist() == [parent.id, "", ""]
    leaves = qc.saturation(themes, codebook=codebook, base=1, run=1, orders=0)
    assert leaves.documents["new"].tolist() == [child.id, parent.id, ""]  # the label is the same code


def test_options_checked():
    table = codings({"a": "x"})
    for kwargs, match in (
        ({"base": 0}, "base 0"),
        ({"run": 0}, "run 0"),
        ({"threshold": 5}, "0.05 for 5%"),
        ({"orders": -1}, "orders -1"),
    ):
        with pytest.raises(qc.OptionError, match=match):
            qc.saturation(table, **kwargs)


def test_serdif_sessions_on_the_command_line(tmp_path):
    """The SERDIF think-aloud project as Taguette saved it: 17 sessions coded with 22 tags."""
    imported = tmp_path / "serdif"
    assert run("import", SERDIF, "-o", imported).exit_code == 0
    out, figure = tmp_path / "saturation.csv", tmp_path / "saturation.png"
    result = run(
        "saturation", imported / "codings.csv", "--order-by", "doc_id", "--reviewed", "-o", out, "--figure", figure
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, keep_default_na=False)
    # the same figures computed apart from qualcode: sessions P1 ... P17, distinct tags as they first appear
    codes = pd.read_csv(imported / "codings.csv")
    session = codes["doc_id"].str.extract(r"^P(\d+)_")[0].astype(int)
    order = sorted(codes["doc_id"].unique(), key=lambda d: int(re.match(r"P(\d+)_", d).group(1)))
    assert table["doc_id"].tolist() == order
    seen: set[str] = set()
    for row, doc in zip(table.itertuples(), order, strict=True):
        held = set(codes.loc[codes["doc_id"] == doc, "code"])
        assert row.codes == len(held) and row.new_codes == len(held - seen)
        seen |= held
        assert row.cumulative == len(seen)
    assert session.nunique() == 17 and table["cumulative"].iloc[-1] == 22
    base_codes = table["cumulative"].iloc[3]
    point = next(s for s in range(4, 16) if table["cumulative"].iloc[s + 1] - table["cumulative"].iloc[s - 1] == 0)
    assert table["stage"].iloc[point] == "confirming run" and table["stage"].iloc[point - 1] != "confirming run"
    assert f"saturation at {point} of 17 documents" in result.output
    assert f"the base holds {base_codes} codes" in result.output
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    again = tmp_path / "again.csv"
    assert run("saturation", imported / "codings.csv", "--order-by", "doc_id", "--reviewed", "-o", again).exit_code == 0
    assert again.read_bytes() == out.read_bytes()  # deterministic


def test_example_interviews_by_role_and_errors(tmp_path):
    coded = tmp_path / "coded.csv"
    tagged = run("tag", EXAMPLES, "-c", CODEBOOK, "-o", coded, "--metadata", PARTICIPANTS, "--method", "keyword")
    assert tagged.exit_code == 0, tagged.output
    out = tmp_path / "by_role.csv"
    result = run(
        "saturation", coded, "--order-by", "participant", "--by", "role", "--base", "1", "--run", "1", "-o", out
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert sorted(table["group"].unique()) == ["assistant_superintendent", "student_services", "superintendent"]
    assert table.groupby("group")["position"].max().eq(3).all()  # three interviews per role
    assert "counting" in result.output and "suggestions nobody reviewed" in result.output
    assert "in all 6 orders" in result.output
    for args, message in (
        (["--order-by", "interview_date"], "8 documents have no interview_date"),
        (["--threshold", "5"], "0.05 for 5%"),
        (["--reviewed"], "no human or accepted rows"),
        (["--figure", tmp_path / "fig.txt"], "ending in .png, .svg or .pdf"),
    ):
        failed = run("saturation", coded, "-o", tmp_path / "never.csv", *args)
        assert failed.exit_code == 2 and message in failed.output, failed.output
        assert "Traceback" not in failed.output and not (tmp_path / "never.csv").exists()
    assert run("saturation", coded, "-o", coded).exit_code == 2  # never over its input
    header = tmp_path / "header_only.csv"
    header.write_text(coded.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    empty = run("saturation", header, "-o", tmp_path / "never.csv")
    assert empty.exit_code == 2 and f"{header}: holds no codings" in empty.output


def test_jupyter_shows_the_sentence_and_the_table():
    result = qc.saturation(codings({"a": "x<y", "b": "x", "c": "x", "d": "x", "e": "x", "f": "x"}), orders=0)
    shown = result._repr_html_()
    assert shown.startswith("<p>saturation at 4 of 6 documents") and "<table" in shown
    assert "x; &lt;; y" in shown  # a code's text is escaped


def test_a_codings_file_without_participants_takes_them_from_a_table(tmp_path):
    """A coder's CSV (as exported from another program) has no participant columns: --metadata gives them."""
    human = EXAMPLES / "human_codes.csv"
    out = tmp_path / "human.csv"
    missing = run("saturation", human, "--order-by", "interview_date", "-o", out)
    assert missing.exit_code == 2 and "give a participants table that has it (--metadata" in missing.output
    dated = tmp_path / "participants.csv"
    people = pd.read_csv(PARTICIPANTS, dtype=str)
    people["interview_date"] = [f"2021-0{1 + k % 3}-{10 + k:02d}" for k in range(len(people))]
    people.to_csv(dated, index=False)
    result = run("saturation", human, "-m", dated, "--order-by", "interview_date", "--by", "role", "-o", out)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    for _, rows in table.groupby("group"):
        assert rows["interview_date"].is_monotonic_increasing and rows["position"].tolist() == [1, 2, 3]
    dates = dict(zip(people["doc_id"], people["interview_date"], strict=True))
    assert all(dates[d] == v for d, v in zip(table["doc_id"], table["interview_date"], strict=True))
    # in Python: the table indexed by document id, as qc.read_metadata gives it
    codes = qc.read_codings(human)
    frame = qc.saturation(codes, metadata=qc.read_metadata(dated), order_by="interview_date").documents
    assert frame["doc_id"].tolist() == sorted(dates, key=lambda d: (dates[d], list(dates).index(d)))


def literal_coverage(sets: list[set[int]]) -> float:
    """Chao & Jost's incidence coverage estimate, written out for one prefix of documents."""
    t = len(sets)
    times = {c: sum(c in s for s in sets) for c in set().union(*sets)}
    q1 = sum(v == 1 for v in times.values())
    q2 = sum(v == 2 for v in times.values())
    u = sum(len(s) for s in sets)
    if q2:
        return 1 - q1 / u * ((t - 1) * q1 / ((t - 1) * q1 + 2 * q2))
    return 1 - q1 / u * ((t - 1) * (q1 - 1) / ((t - 1) * (q1 - 1) + 2)) if q1 > 1 else 1.0


@settings(max_examples=100, deadline=None)
@given(held=st.lists(st.lists(st.booleans(), min_size=5, max_size=5), min_size=2, max_size=10))
def test_coverage_is_chao_and_jost_estimate_after_each_document(held):
    from qualcode.analysis.saturation import coverage

    matrix = np.array(held, dtype=bool)
    got = coverage(matrix)
    assert np.isnan(got[0])
    for k in range(1, len(held)):
        sets = [set(np.flatnonzero(row)) for row in matrix[: k + 1]]
        if not any(sets):
            assert np.isnan(got[k])
        else:
            assert got[k] == pytest.approx(literal_coverage(sets))
            assert 0 <= got[k] <= 1


def test_the_sentence_gives_the_coverage_at_the_point():
    table = codings({"a": "xy", "b": "z", "c": "w", "d": "x", "e": "v", "f": "x", "g": "y", "h": "x"})
    result = qc.saturation(table, orders=0)
    at_point = result.documents["coverage"].iloc[4]  # after the fifth document
    assert result.summary["coverage_at_saturation"].iloc[0] == at_point
    assert (
        f"estimated coverage {at_point:.2f}: about {1 - at_point:.0%} of what a further document"
        in (result.sentences()[0])
    )


def test_the_figure_says_where_saturation_is_or_that_it_is_not():
    reached = qc.saturation(codings({"a": "xy", "b": "z", "c": "w", "d": "x", "e": "v", "f": "x", "g": "y"}), orders=50)
    growing = qc.saturation(codings({d: c for d, c in zip("abcdefg", "pqrstuv", strict=True)}), orders=50)
    by_role = qc.saturation(
        codings({"a": "x", "b": "y", "c": "x", "d": "x"}, role={"a": "t", "b": "t", "c": "l", "d": "l"}),
        by="role",
        base=1,
        run=1,
    )
    titles = [
        [ax.get_title() for ax in result.figure().axes if ax.get_title()] for result in (reached, growing, by_role)
    ]
    assert titles == [
        ["saturation at 5 of 7"],
        ["not saturated in 7"],
        ["l: saturation at 1 of 2", "t: not saturated in 2"],
    ]
    labels = [t.get_text() for t in reached.figure().legends[0].get_texts()]
    assert {"codes found", "new codes", "saturation point", "random orders, 5-95%"} <= set(labels)
