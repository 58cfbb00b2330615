"""qualcode.report / ``qualcode report``: what the HTML holds, checked against the analysis
functions it draws on, on the example interviews and on the SERDIF Taguette project."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from typer.testing import CliRunner

import qualcode as qc
from qualcode.cli import app
from qualcode.html_report import build_report

from .conftest import CODEBOOK, PARTICIPANTS
from .report_helpers import embedded, import_serdif, tag_examples


@pytest.fixture(scope="module")
def coded(tmp_path_factory):
    return tag_examples(tmp_path_factory.mktemp("report"))


@pytest.fixture(scope="module")
def serdif(tmp_path_factory):
    return import_serdif(tmp_path_factory.mktemp("serdif"))


def test_the_report_holds_what_the_analysis_functions_compute(coded):
    report = qc.report(coded, CODEBOOK, by=["role", "district"])
    html, data = report.html, embedded(report.html)
    book = qc.load_codebook(CODEBOOK)
    codings = qc.read_coded(coded)
    # every code the codings hold appears under the codebook's label
    for code in set(codings["code"]):
        assert f"<h3>{book.get(code).label} <code>{code}</code>" in html
    # the passages behind each pair are exactly the segments holding both codes
    matrix = qc.cooccurrence(codings, codebook=book)
    held = codings.groupby(["doc_id", "segment_id"])["code"].agg(set)
    for key, items in data["pairs"].items():
        a, b = key.split("\t")
        expected = {(d, str(s)) for (d, s), codes in held.items() if a in codes and b in codes}
        got = {(data["passages"][k]["doc"], data["passages"][k]["seg"]) for k in items}
        assert got == expected
        assert matrix.loc[a, b] == len(items)
        assert re.search(rf'data-a="{a}" data-b="{b}" style="color:\w+">{len(items)}</a>', html)
    # frequencies by role with the run's totals
    freq = qc.frequencies(
        codings, by="role", count="segment", segments=qc.corpus_for(coded).segments.query("~is_interviewer")
    )
    totals = freq.groupby("group")["total"].first()
    for role, total in totals.items():
        assert f'{role}<br><span class="meta">of {total}</span>' in html
    # one table over all segments, then one per grouping column (the first was headed "By all")
    assert re.findall(r"<h3>(All segments|By [^<]*)</h3>", html) == ["All segments", "By role", "By district"]
    # the comparison between roles and per-group matrices are there
    assert "Do pairs meet at different rates between role groups?" in html
    assert "role = superintendent" in html and "district = D01" in html
    # provenance from the .meta.json
    assert qc.read_meta(coded).record["codebook"]["sha256"] in html
    assert report.summary["codings"] == len(codings)


def test_the_report_is_self_contained_and_deterministic(coded):
    first = qc.report(coded, CODEBOOK, by="role").html
    assert first == qc.report(coded, CODEBOOK, by="role").html
    assert not re.search(r'(src|href)="(https?:)?//', first)
    assert "<link" not in first and "<script src" not in first
    assert "@import" not in first


def test_text_from_transcripts_cannot_break_out_of_the_page():
    evil = "</script><script>alert(1)</script><b>bold</b> & more"
    codings = pd.DataFrame(
        {
            "doc_id": ["d1", "d1"],
            "segment_id": [0, 0],
            "code": ["a", "b"],
            "score": [0.9, 0.8],
            "status": ["suggested", "suggested"],
            "text": [evil, evil],
            "start_char": [0, 0],
        }
    )
    html = build_report(codings).html
    assert "<script>alert(1)" not in html and "<b>bold</b>" not in html
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; more" in html  # escaped where written as HTML
    assert embedded(html)["passages"][0]["text"] == evil  # and intact in the data


def test_rejected_and_low_scoring_suggestions_are_left_out():
    codings = pd.DataFrame(
        {
            "doc_id": ["d1"] * 4,
            "segment_id": [0, 0, 1, 1],
            "code": ["a", "b", "a", "b"],
            "score": [0.9, 0.2, 0.9, 0.9],
            "status": ["suggested", "suggested", "accepted", "rejected"],
            "text": ["one", "one", "two", "two"],
        }
    )
    data = embedded(build_report(codings, min_score=0.5).html)
    assert data["pairs"] == {}
    assert {c["code"] for p in data["passages"] for c in p["codes"]} == {"a"}
    # every suggestion rejected: the report still builds (it has nothing to show saturation of)
    nothing = build_report(codings.assign(status="rejected")).html
    assert "0 coded" in nothing and 'id="saturation"' not in nothing


def test_two_coders_agreement_and_their_disagreements():
    rows = []
    for seg in range(6):
        rows.append({"doc_id": "d1", "segment_id": seg, "code": "a", "coder": "ann", "text": f"passage {seg}"})
        if seg != 2:
            rows.append({"doc_id": "d1", "segment_id": seg, "code": "a", "coder": "ben", "text": f"passage {seg}"})
    rows.append({"doc_id": "d1", "segment_id": 4, "code": "b", "coder": "ben", "text": "passage 4"})
    codings = pd.DataFrame(rows).assign(status="human", score=1.0)
    report = build_report(codings)
    data = embedded(report.html)
    found = {(data["passages"][d["p"]]["seg"], d["code"], d["by"]) for d in data["disagreements"]}
    assert found == {("2", "a", "ann"), ("4", "b", "ben")}
    assert "Agreement between ann and ben" in report.html
    expected = qc.agreement(
        codings, coders=["ann", "ben"], segments=codings[["doc_id", "segment_id"]].drop_duplicates()
    )
    assert f"{expected.loc['a', 'percent_agreement']:.3f}" in report.html
    table = report.html.split('id="disagreements"')[1].split("</table>")[0]
    assert table.count("passage 2") == 1 and table.count("passage 4") == 1


def test_human_highlights_are_marked_in_their_segment(serdif):
    report = qc.report(serdif / "codings.csv", serdif / "codebook.yaml")
    data = embedded(report.html)
    codings = qc.read_coded(serdif / "codings.csv")
    assert sum(len(p["codes"]) for p in data["passages"]) == len(codings)  # no highlight lost
    # a person's code shows no score (its row's 1.0 read as a certainty beside "human by admin")
    assert {c["score"] for p in data["passages"] for c in p["codes"]} == {None}
    assert "human by admin · score" not in report.html
    for passage in data["passages"]:
        for coding in passage["codes"]:
            for a, b in coding["marks"]:
                assert 0 <= a < b <= len(passage["text"])
    # a passage shows its segment, or the highlight itself, never another stretch of text
    for row in codings.sample(200, random_state=0).itertuples():
        words = re.sub(r"^[A-Z]+:\s*", "", row.text.strip())  # a turn's text holds no speaker label
        # a highlight over several paragraphs shows in the segments it lands on, a paragraph each
        pieces = [piece.strip() for piece in re.split(r"\n\s*\n", words) if piece.strip()]
        texts = [p["text"] for p in data["passages"] if p["doc"] == row.doc_id]
        assert any(piece in text for piece in pieces for text in texts), row
    # a highlight's own words are what is marked (when it is narrower than its passage)
    partial = [
        (row, passage)
        for row in codings.head(40).itertuples()
        for passage in data["passages"]
        if passage["doc"] == row.doc_id and row.text in passage["text"] and len(row.text) < len(passage["text"])
    ]
    assert partial
    for row, passage in partial:
        coding = next(c for c in passage["codes"] if c["code"] == row.code)
        assert any(passage["text"][a:b] == row.text for a, b in coding["marks"])


def test_report_in_jupyter_shows_itself_in_a_frame(coded):
    shown = qc.report(coded, CODEBOOK)._repr_html_()
    assert shown.startswith("<p><b>qualcode report</b>") and "<iframe srcdoc=" in shown


def test_report_command_end_to_end(coded, tmp_path):
    out = tmp_path / "report.html"
    args = ["report", str(coded), "-c", str(CODEBOOK), "--by", "role", "--measure", "jaccard", "-o", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "coded segments" in result.output and out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert "Co-occurrence (jaccard)" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["-o", "{tmp}/report.png"], "ending in .html"),
        (["-o", "{tmp}/r.html", "--by", "nope"], "no column 'nope' to group by"),
        (["-o", "{tmp}/r.html", "--measure", "pmi"], "measure 'pmi' is not one of"),
    ],
)
def test_report_command_refuses_bad_options_in_one_line(coded, tmp_path, extra, message):
    args = ["report", str(coded), *[e.format(tmp=tmp_path) for e in extra]]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not list(tmp_path.glob("*.html"))


def test_a_passage_over_two_segments_is_one_coding():
    """An imported selection spanning two segments is two rows of the codings table (one per
    segment) but one coding, as export-refi writes it and the import counted it."""
    codings = pd.DataFrame(
        {
            "doc_id": ["d1", "d1", "d1"],
            "segment_id": [0, 1, 1],
            "start_char": [5, 5, 40],
            "end_char": [60, 60, 50],
            "code": ["a", "a", "a"],
            "coder": ["ann", "ann", "ann"],
            "status": ["human"] * 3,
            "text": ["the passage", "the passage", "another"],
        }
    )
    assert build_report(codings).summary["codings"] == 2


def test_codes_on_the_moderators_turns_are_counted(serdif):
    """SERDIF's coder tagged the moderator's turns (moderator_assist, system_issue): the
    frequencies and the matrix counted 111 of moderator_assist's 175 coded segments."""
    from qualcode.workflows import corpus_for

    codings = qc.read_coded(serdif / "codings.csv")
    segments = corpus_for(serdif / "codings.csv").segments
    assert segments["is_interviewer"].sum() == 68
    with pytest.warns(qc.QualcodeWarning, match="lie on interviewer turns: every interviewer turn counts as a unit"):
        freq = qc.frequencies(codings, segments=segments).set_index("code")
    coded = codings.drop_duplicates(["doc_id", "segment_id", "code"]).groupby("code").size()
    assert freq["n"].to_dict() == coded.to_dict()
    assert freq.loc["moderator_assist", "of"] == f"175 of {len(segments)}"


@pytest.mark.model
def test_a_learned_run_shows_its_thresholds_and_what_it_learned_from(tmp_path):
    """The provenance of a `tag --train` run said "minimum score 0.5", a floor no code used:
    every code had a threshold learned on the human codes, and none was shown."""
    from .conftest import EXAMPLES

    out, train = tmp_path / "coded.csv", EXAMPLES / "human_codes_d01.csv"
    result = CliRunner().invoke(app, ["tag", str(EXAMPLES), "-c", str(CODEBOOK), "--train", str(train), "-o", str(out)])
    assert result.exit_code == 0, result.output
    record = qc.read_meta(out).record
    used = record["settings"]["thresholds_used"]
    learned = record["models"]["classifier"]["learned"]
    assert used == {code: info["threshold"] for code, info in sorted(learned.items())}  # one per code
    with pytest.raises(qc.OptionError, match=r"codings: a PosixPath, not a table; for a file, qc.report\(PATH"):
        build_report(out, qc.load_codebook(CODEBOOK))
    text = re.sub(r"<[^>]+>", " ", qc.report(out, CODEBOOK).html)
    text = " ".join(text.split())
    for value in set(used.values()):  # grouped by value: "0.4: lenses, strength; 0.46: …"
        assert f"{value:g}: " + ", ".join(c for c, v in sorted(used.items()) if v == value) in text
    assert "minimum score" not in text  # no code was left to the method's floor
    kappa = record["models"]["classifier"]["cv_kappa"]
    assert f"cross-validated mean kappa {kappa:.2f}" in text and f"human codes learned from {train}" in text


def test_the_report_shows_saturation_as_qc_saturation_computes_it(coded, serdif):
    report = qc.report(coded, CODEBOOK)
    codings = qc.read_coded(coded)
    result = qc.saturation(codings, segments=qc.corpus_for(coded).segments.query("~is_interviewer"))
    sentence = result.sentences()[0]
    assert f"<p>{sentence[:1].upper()}{sentence[1:]}.</p>" in report.html.replace("&lt;", "<")
    rows = re.findall(r'<tr class="([a-z-]+)"><td>(\d+)</td><td>([^<]+)</td><td>(\d+)</td>', report.html)
    expected = result.documents
    assert [(int(p), d, int(n)) for _, p, d, n in rows] == list(
        zip(expected["position"], expected["doc_id"], expected["codes"], strict=True)
    )
    assert [stage for stage, *_ in rows] == [s.replace(" ", "-") for s in expected["stage"]]
    assert "suggestions nobody reviewed" in report.html  # tag output unreviewed: said, not hidden
    # the Taguette project's human codes: every session is a row; nothing said of suggestions
    human = qc.report(serdif / "codings.csv", serdif / "codebook.yaml")
    assert len(re.findall(r'<tr class="[a-z-]+"><td>\d+</td><td>P\d+_GMT', human.html)) == 17
    assert "nobody reviewed" not in human.html


def test_a_participants_table_gives_the_report_its_groups(coded):
    codings = qc.read_coded(coded).drop(columns=["role", "district", "participant"])
    with pytest.raises(qc.ColumnError, match="give it with --metadata"):
        qc.report(codings, CODEBOOK, by="role")
    report = qc.report(codings, CODEBOOK, by="role", metadata=PARTICIPANTS)
    assert "Co-occurrence by role" in report.html and not report.warnings
    assert "superintendent" in report.html


def test_the_saturation_section_follows_the_order_of_fieldwork_when_given(coded, tmp_path):
    out = tmp_path / "ordered.html"
    result = CliRunner().invoke(
        app, ["report", str(coded), "-c", str(CODEBOOK), "--order-by", "participant", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "New codes each document brought, by participant," in html
    rows = re.findall(r'<tr class="[a-z-]+"><td>\d+</td><td>([^<]+)</td>', html)
    people = pd.read_csv(PARTICIPANTS).set_index("doc_id")["participant"]
    assert [people[d] for d in rows] == sorted(people[d] for d in rows)  # P01, P02, ... in order
    default = qc.report(coded, CODEBOOK).html
    assert "in the order of the run" in default and "--order-by interview_date</code> to follow" in default
    missing = CliRunner().invoke(app, ["report", str(coded), "--order-by", "interview_date", "-o", str(out)])
    assert missing.exit_code == 2 and "have no interview_date" in missing.output


def test_the_saturation_section_names_a_date_the_documents_have(coded, tmp_path):
    people = pd.read_csv(PARTICIPANTS)
    people["interview_date"] = [f"2021-03-{day:02d}" for day in range(len(people), 0, -1)]  # held in reverse
    dated = tmp_path / "participants_dated.csv"
    people.to_csv(dated, index=False)
    html = qc.report(coded, CODEBOOK, metadata=dated).html
    assert "The documents have &#39;interview_date&#39;: `report --order-by interview_date`" in html
    ordered = qc.report(coded, CODEBOOK, metadata=dated, order_by="interview_date").html
    assert "&#39;interview_date&#39;: `report --order-by" not in ordered
    rows = re.findall(r'<tr class="[a-z-]+"><td>\d+</td><td>([^<]+)</td>', ordered)
    held = list(people.sort_values("interview_date")["doc_id"])  # the last row of the table held first
    assert rows == [doc for doc in held if doc in rows] and len(rows) > 1


def test_a_passage_of_a_recording_says_where_it_is_in_it(tmp_path):
    """Passages of timed transcripts (captions, Whisper) name their place in the recording, as a
    player shows it, so the researcher can listen to them (`media_span`'s doctest: none without times)."""
    from .conftest import FIXTURES

    out = tmp_path / "coded.csv"
    args = ["tag", str(FIXTURES / "whisper" / "whisperx"), "-c", str(CODEBOOK), "--interviewer", "SPEAKER_00"]
    result = CliRunner().invoke(app, [*args, "--method", "keyword", "-o", str(out)])
    assert result.exit_code == 0, result.output
    report = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["report", str(out), "-o", str(report)])
    assert result.exit_code == 0, result.output
    html = report.read_text(encoding="utf-8")
    assert "d01_superintendent #1 · SPEAKER_01 · 0:12–0:49" in html
    assert {p["at"] for p in embedded(html)["passages"]} >= {"0:12–0:49"}
