"""Connections and disconnections between the participants of a district
(`qc.connections`, `qualcode connections`), on the example interviews' human codes, checked
against the codings read with pandas alone."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

import qualcode as qc
from qualcode.analysis.connections import connections
from qualcode.cli import app
from qualcode.errors import ColumnError, OptionError

from .conftest import CODEBOOK, EXAMPLES, PARTICIPANTS

runner = CliRunner()
HUMAN = EXAMPLES / "human_codes.csv"
EVALUATIONS = ["strength", "growth_area"]


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def human_codes() -> pd.DataFrame:
    """The example's human codes (spans) with each document's participant and district."""
    return pd.read_csv(HUMAN).merge(pd.read_csv(PARTICIPANTS), on="doc_id")


def test_who_holds_each_code_and_who_evaluated_it():
    codes = human_codes()
    table = connections(qc.read_codings(HUMAN).merge(pd.read_csv(PARTICIPANTS), on="doc_id"), evaluations=EVALUATIONS)
    members = pd.read_csv(PARTICIPANTS).groupby("district")["participant"].apply(set)
    assert set(table["district"]) == set(members.index) and set(table["members"]) == {3}
    topics = set(codes["code"]) - set(EVALUATIONS)
    assert len(table) == len(members) * len(topics)  # every (district, topic), held or not
    for row in table.itertuples(index=False):
        held = set(codes[(codes["district"] == row.district) & (codes["code"] == row.code)]["participant"])
        assert set(filter(None, row.held_by.split("; "))) == held
        assert set(filter(None, row.not_by.split("; "))) == members[row.district] - held
        assert row.pattern == ("all" if held == members[row.district] else "some" if held else "none")
        for evaluation in EVALUATIONS:  # spans of the evaluation overlapping a span of the topic
            gave = set()
            for person in held:
                mine = codes[(codes["participant"] == person)]
                topic, marks = mine[mine["code"] == row.code], mine[mine["code"] == evaluation]
                if any(
                    t.start_char < e.end_char and e.start_char < t.end_char
                    for t in topic.itertuples()
                    for e in marks.itertuples()
                ):
                    gave.add(person)
            assert set(filter(None, getattr(row, evaluation).split("; "))) == gave
    assert "strength" not in set(table["code"])  # evaluations are columns, not rows
    personnel = table[(table["district"] == "D01") & (table["code"] == "personnel")].iloc[0]
    assert (personnel["strength"], personnel["growth_area"]) == ("P01", "P01")
    assert personnel["evaluations"] == ""  # one participant evaluated it: nothing to compare


def test_evaluations_differ_or_agree_between_members():
    codings = pd.DataFrame(
        {
            "doc_id": ["a", "a", "b", "b", "c", "c", "c"],
            "segment_id": [1, 1, 4, 4, 2, 2, 3],
            "district": ["D1"] * 7,
            "participant": ["P1", "P1", "P2", "P2", "P3", "P3", "P3"],
            "code": ["pd", "strength", "pd", "strength", "pd", "growth_area", "strength"],
        }
    )
    table = connections(codings, evaluations=EVALUATIONS).set_index("code")
    assert table.loc["pd", "strength"] == "P1; P2"  # P3's strength is on another segment
    assert table.loc["pd", "growth_area"] == "P3" and table.loc["pd", "evaluations"] == "differ"
    same = connections(codings[codings["participant"] != "P3"], evaluations=EVALUATIONS).set_index("code")
    assert same.loc["pd", "evaluations"] == "same" and same.loc["pd", "pattern"] == "all"


def test_numbers_as_districts_and_participants():
    codings = pd.DataFrame({"doc_id": ["a", "b"], "district": [1, 1], "participant": [7, 8], "code": ["x", "x"]})
    row = connections(codings).iloc[0]
    assert (row["district"], row["pattern"], row["held_by"]) == ("1", "all", "7; 8")


def test_survey_answers_without_a_participant_column_are_each_a_participant():
    answers = pd.DataFrame({"doc_id": ["R_01", "R_02", "R_03"], "district": ["D1", "D1", "D1"], "code": ["x"] * 3})
    row = connections(answers).iloc[0]
    assert (row["members"], row["pattern"], row["held_by"]) == (3, "all", "R_01; R_02; R_03")


def test_a_participant_without_codes_is_a_member_given_the_segments():
    corpus = qc.read_transcripts(EXAMPLES, metadata=PARTICIPANTS)
    codings = qc.read_codings(HUMAN).merge(pd.read_csv(PARTICIPANTS), on="doc_id")
    silent = codings[codings["participant"] != "P03"]
    without = connections(silent).set_index(["district", "code"])
    assert without.loc[("D01", "systemic_supports"), "members"] == 2  # known from the codings only
    table = connections(silent, segments=corpus.segments).set_index(["district", "code"])
    row = table.loc[("D01", "systemic_supports")]
    assert (row["members"], row["pattern"], row["not_by"]) == (3, "some", "P03")


def test_groups_of_one_member_are_left_out_and_said():
    codings = human_codes()
    codings.loc[codings["district"] == "D03", "participant"] = "P07"  # one leader speaks for D03
    table = connections(codings)
    assert set(table["district"]) == {"D01", "D02"}
    assert any("with one participant only" in note and "D03" in note for note in table.attrs["notes"])


def test_bad_options_name_the_fix():
    codings = human_codes()
    with pytest.raises(OptionError, match="both 'district'"):
        connections(codings, within="district", among="district")
    with pytest.raises(OptionError, match="evaluation code 'strenght' is not in codebook"):
        connections(codings, evaluations=["strenght"], codebook=qc.load_codebook(CODEBOOK))
    with pytest.raises(ColumnError, match=r"no column 'distrct'.*did you mean 'district'"):
        connections(codings, within="distrct")


def test_cli_writes_or_prints_the_table(tmp_path):
    out = tmp_path / "connections.csv"
    options = ("-m", PARTICIPANTS, "-c", CODEBOOK, "--evaluation", "strength", "--evaluation", "growth_area")
    result = run("connections", HUMAN, *options, "-o", out)
    assert result.exit_code == 0, result.output
    written = pd.read_csv(out, dtype=str, keep_default_na=False)
    expected = connections(
        qc.read_codings(HUMAN).merge(pd.read_csv(PARTICIPANTS), on="doc_id"),
        evaluations=EVALUATIONS,
        codebook=qc.load_codebook(CODEBOOK),
    )
    assert written["code"].tolist() == expected["code"].tolist()
    assert written["held_by"].tolist() == expected["held_by"].tolist()
    counts = expected["pattern"].value_counts()
    assert (
        f"in 3 districts (each with 2 or more participants): {counts['all']} held by all of its participants, "
        f"{counts['some']} by some" in result.output
    )
    printed = run("connections", HUMAN, *options)
    assert printed.exit_code == 0 and printed.stdout.splitlines()[0].split()[:3] == ["district", "code", "members"]
    missing = run("connections", HUMAN, "--evaluation", "strength")
    assert missing.exit_code == 2 and str(HUMAN) in missing.output and "--metadata" in missing.output


def test_the_report_shows_each_districts_connections(tmp_path):
    """`report --within district --evaluation …`: a cell per district and code, as
    `qc.connections` counts them on the same codings, highlighted where evaluations differ."""
    import re

    coded = tmp_path / "coded.csv"
    tagged = run("tag", EXAMPLES, "-c", CODEBOOK, "-m", PARTICIPANTS, "--method", "keyword", "-o", coded)
    assert tagged.exit_code == 0, tagged.output
    page = tmp_path / "report.html"
    options = ("--within", "district", "--evaluation", "strength", "--evaluation", "growth_area")
    result = run("report", coded, *options, "-o", page)
    assert result.exit_code == 0, result.output
    html = page.read_text(encoding="utf-8")
    section = html[html.index('<section id="connections">') : html.index("</section>", html.index('id="connections"'))]
    table = connections(
        qc.read_coded(coded), evaluations=EVALUATIONS, codebook=qc.load_codebook(CODEBOOK),
        segments=qc.corpus_for(coded).segments,
    )  # fmt: skip
    cells = re.findall(r'<td class="(all|some|none)( differs)?" title="([^"]*)">', section)
    assert len(cells) == len(table)  # codes down, districts across: every (district, code) once
    roles = pd.read_csv(PARTICIPANTS).set_index("participant")["role"]
    assert any(f"P01 ({roles['P01']})" in held for *_, held in cells)  # who P01 is, beside the id
    bare = [(re.sub(r" \([a-z_]+\)", "", held), pattern, differ) for pattern, differ, held in cells]
    got = sorted((held, pattern, bool(differ)) for held, pattern, differ in bare)
    want = sorted(zip(table["held_by"], table["pattern"], table["evaluations"] == "differ", strict=True))
    assert got == want and any(differ for *_, differ in got)
    assert "Connections by district" in html and 'href="#connections"' in html
    alone = run("report", coded, "--evaluation", "strength", "-o", tmp_path / "r.html")
    assert alone.exit_code == 2 and "--evaluation goes with --within" in alone.output
