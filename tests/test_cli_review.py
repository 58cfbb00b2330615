from __future__ import annotations

import pandas as pd
import yaml
from typer.testing import CliRunner

from qualcode.cli import app

from .conftest import CODEBOOK, EXAMPLES, PARTICIPANTS

runner = CliRunner()
CODER_A = EXAMPLES / "human_codes.csv"
CODER_B = EXAMPLES / "human_codes_coder_b.csv"


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def tag(out, codebook=CODEBOOK, *extra):
    return run("tag", EXAMPLES, "-c", codebook, "-o", out, "--metadata", PARTICIPANTS, "--method", "keyword", *extra)


def test_review_then_retag_with_edited_codebook_keeps_every_reviewed_row(tmp_path):
    out = tmp_path / "coded.csv"
    assert tag(out).exit_code == 0
    reviewed = tmp_path / "coded.csv"  # reviewed in place, as a researcher would
    result = run("review", out, "--accept-above", "0.8", "--reject-below", "0.6", "--coder", "ana", "-o", reviewed)
    assert result.exit_code == 0, result.output
    before = pd.read_csv(reviewed, keep_default_na=False)
    kept = before[before["status"].isin(["accepted", "rejected"])]
    assert len(kept) > 10 and set(kept["coder"]) == {"ana"}
    # a researcher also hand-edits one row's status in the CSV
    before.loc[before["status"].eq("suggested").idxmax(), ["status", "coder"]] = ["accepted", "ben"]
    before.to_csv(reviewed, index=False)
    kept = before[before["status"].isin(["accepted", "rejected"])]
    # edit the codebook: rename one code, drop another
    data = yaml.safe_load(CODEBOOK.read_text(encoding="utf-8"))
    data["codes"][4]["id"] = "staffing"  # personnel renamed; its label 'Personnel' still names it
    data["codes"] = [c for c in data["codes"] if c["id"] != "covid_lessons"]
    edited = tmp_path / "edited.yaml"
    edited.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = tag(out, edited)
    assert result.exit_code == 0, result.output
    assert "code 'personnel' is not in the codebook any more" not in result.output
    assert "'personnel' -> 'staffing'" in result.output  # carried over to the id its label now has
    assert "code 'covid_lessons' is not in the codebook any more" in result.output
    after = pd.read_csv(out, keep_default_na=False)
    kept = kept.assign(code=kept["code"].replace({"personnel": "staffing"}))
    assert "personnel" not in set(after["code"])
    key = ["doc_id", "start_char", "end_char", "code", "status", "coder"]
    assert set(map(tuple, kept[key].astype(str).to_numpy().tolist())) <= set(
        map(tuple, after[key].astype(str).to_numpy().tolist())
    )
    assert "staffing" in set(after["code"])


def test_fresh_run_keeps_a_backup(tmp_path):
    out = tmp_path / "coded.csv"
    assert tag(out).exit_code == 0
    assert run("review", out, "--accept-above", "0.9", "-o", out).exit_code == 0
    assert tag(out, CODEBOOK, "--fresh").exit_code == 0
    backup = pd.read_csv(tmp_path / "coded.csv.bak", keep_default_na=False)
    assert (backup["status"] == "accepted").any()
    assert set(pd.read_csv(out)["status"]) == {"suggested"}


def test_review_rejects_a_misspelt_status(tmp_path):
    out = tmp_path / "coded.csv"
    assert tag(out).exit_code == 0
    frame = pd.read_csv(out, keep_default_na=False)
    frame.loc[0, "status"] = "acepted"
    frame.to_csv(out, index=False)
    result = run("review", out, "-o", tmp_path / "r.csv")
    assert result.exit_code == 2 and "status 'acepted' is not one of" in result.output


def test_agree_segments_and_characters(tmp_path):
    out = tmp_path / "agree.csv"
    result = run("agree", CODER_A, CODER_B, "-i", EXAMPLES, "-o", out)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, index_col="code", keep_default_na=False)
    assert "pooled" in table.index and table.loc["pooled", "n_coders"] == 2
    assert 0.8 < float(table.loc["pooled", "cohen_kappa"]) < 1.0
    assert "prevalence" in table.loc["improvement_science", "warning"]
    chars = tmp_path / "chars.csv"
    assert run("agree", CODER_A, CODER_B, "-i", EXAMPLES, "--unit", "character", "-o", chars).exit_code == 0
    assert pd.read_csv(chars, index_col="code").loc["pooled", "n_units"] > 5000
    bad = run("agree", CODER_A, "-i", EXAMPLES, "-o", tmp_path / "x.csv")
    said = " ".join(bad.output.split())
    assert bad.exit_code == 2 and "at least two coders; the codings name coder_a: give one file per coder" in said
    twice = run("agree", CODER_A, CODER_A, "-i", EXAMPLES, "-o", tmp_path / "x.csv")
    assert twice.exit_code == 2 and "given twice" in twice.output and not (tmp_path / "x.csv").exists()
    folder = run("agree", CODER_A, CODER_B, EXAMPLES, "-o", tmp_path / "x.csv")  # the transcripts given as codings
    said = " ".join(folder.output.split())
    assert folder.exit_code == 2 and f"{EXAMPLES}: is a folder, not a codings file" in said and "--inputs" in said


def test_agree_warns_when_coders_spell_a_code_two_ways(tmp_path):
    """Coder B typed the codes' labels ("Caring climate"), coder A their ids: compared as
    different codes, each with no agreement, without a word."""
    typed = tmp_path / "coder_b.csv"
    b = pd.read_csv(CODER_B)
    b["code"] = b["code"].str.replace("_", " ").str.capitalize()
    b.to_csv(typed, index=False)
    result = run("agree", CODER_A, typed, "-i", EXAMPLES, "-o", tmp_path / "agree.csv")
    said = " ".join(result.output.split())
    assert result.exit_code == 0, result.output
    assert "codes spelled differently are compared as different codes: 'Caring climate' / 'caring_climate'" in said
    plain = run("agree", CODER_A, CODER_B, "-i", EXAMPLES, "-o", tmp_path / "plain.csv")
    assert "spelled differently" not in plain.output


def test_evaluate_report_curve_and_tuning(tmp_path):
    out = tmp_path / "coded.csv"
    assert tag(out).exit_code == 0
    report = tmp_path / "report.csv"
    result = run("evaluate", out, "--gold", CODER_A, "-o", report, "--threshold", "0.6")
    assert result.exit_code == 0, result.output
    table = pd.read_csv(report, index_col="code")
    assert {"micro", "macro", "personnel"} <= set(table.index)
    assert "over the 42 segments the human codes speak for" in result.output  # all nine interviews
    # human codes of the three d01 interviews only: the other six are not units
    d01 = run("evaluate", out, "--gold", EXAMPLES / "human_codes_d01.csv", "-o", tmp_path / "d01.csv")
    assert d01.exit_code == 0, d01.output
    units = pd.read_csv(tmp_path / "d01.csv", index_col="code").loc["micro", "n_units"]
    coded = pd.read_csv(out)
    in_d01 = coded[coded["doc_id"].str.startswith("d01") & (coded["score"] >= 0)]
    suggested = pd.read_csv(tmp_path / "d01.csv", index_col="code").loc["micro", "suggested"]
    assert 0 < units < 42 and suggested == len(in_d01[in_d01["method"] != "human"])
    curve = tmp_path / "curve.csv"
    assert run("evaluate", out, "--gold", CODER_A, "-o", curve, "--curve").exit_code == 0
    assert pd.read_csv(curve)["threshold"].nunique() > 10
    tuned = tmp_path / "tuned.yaml"
    result = run(
        "evaluate", out, "--gold", CODER_A, "-o", report, "--tune", "f1", "-c", CODEBOOK, "--write-codebook", tuned
    )
    assert result.exit_code == 0, result.output
    thresholds = {c["id"]: c.get("threshold") for c in yaml.safe_load(tuned.read_text(encoding="utf-8"))["codes"]}
    assert thresholds["personnel"] is not None
    again = tmp_path / "again.csv"
    assert tag(again, tuned).exit_code == 0
    coded = pd.read_csv(again)
    assert coded.loc[coded["code"] == "personnel", "score"].min() >= thresholds["personnel"]
    # without -c: into the codebook the suggestions were made with (as other commands take it),
    # never over it
    recorded = tmp_path / "recorded.yaml"
    args = ("evaluate", out, "--gold", CODER_A, "-o", report, "--tune", "f1", "--write-codebook")
    assert run(*args, recorded).exit_code == 0
    assert recorded.read_text(encoding="utf-8") == tuned.read_text(encoding="utf-8")
    over = run(*args, CODEBOOK)
    assert over.exit_code == 2 and "also an input of the run" in over.output
    untuned = run("evaluate", out, "--gold", CODER_A, "-o", report, "--write-codebook", tmp_path / "x.yaml")
    assert untuned.exit_code == 2 and "--write-codebook needs --tune" in untuned.output


def test_a_reviewed_file_keeps_its_runs_record_so_counts_do_not_change(tmp_path):
    import json

    out = tmp_path / "coded.csv"
    assert tag(out, CODEBOOK, "--min-score", "0.9").exit_code == 0  # some segments get no code
    reviewed = tmp_path / "reviewed.csv"
    result = run("review", out, "--accept-above", "0.8", "--coder", "ana", "-o", reviewed)
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / "reviewed.meta.json").read_text(encoding="utf-8"))
    original = json.loads((tmp_path / "coded.meta.json").read_text(encoding="utf-8"))
    assert record["inputs"] == original["inputs"] and record["settings"] == original["settings"]
    assert record["reviews"][0]["from"] == str(out) and record["reviews"][0]["accept_above"] == 0.8
    assert record["reviews"][0]["statuses"]["accepted"] == int((pd.read_csv(reviewed)["status"] == "accepted").sum())
    totals = {}
    for name in ("coded", "reviewed"):
        result = run("freq", tmp_path / f"{name}.csv", "-o", tmp_path / f"freq_{name}.csv")
        assert result.exit_code == 0 and "warning" not in result.output, result.output
        totals[name] = set(pd.read_csv(tmp_path / f"freq_{name}.csv")["total"])
    coded_segments = pd.read_csv(out).groupby(["doc_id", "segment_id"]).ngroups
    assert (
        totals["coded"] == totals["reviewed"] and max(totals["reviewed"]) > coded_segments
    )  # all segments, not coded ones
    bare = tmp_path / "copied.csv"  # a CSV copied without its record: counts say what they cover
    bare.write_bytes(reviewed.read_bytes())
    result = run("freq", bare, "-o", tmp_path / "freq_bare.csv")
    assert result.exit_code == 0 and "no copied.meta.json beside" in result.output
    assert set(pd.read_csv(tmp_path / "freq_bare.csv")["total"]) == {coded_segments}
    # reviewing that bare copy over the reviewed file: its old record no longer describes it
    result = run("review", bare, "-o", reviewed)
    assert result.exit_code == 0 and "removed reviewed.meta.json" in result.output
    assert not (tmp_path / "reviewed.meta.json").exists()


def test_agree_and_export_read_a_survey_table_by_the_columns_named(tmp_path):
    """`agree` and `export-refi` take a survey table's columns as `tag` and `next` do: without
    them a table whose columns are not `text`/`answer`… could only be refused."""
    survey = tmp_path / "survey.csv"
    pd.DataFrame(
        {"rid": ["r1", "r2", "r3"], "essay": ["We hired counselors.", "Budgets fell.", "Principals model care."]}
    ).to_csv(survey, index=False)
    for coder, codes in (("ana", ["personnel", "", "relational_modelling"]), ("ben", ["personnel", "", "strength"])):
        rows = [{"doc_id": f"r{i + 1}", "segment_id": 0, "code": c} for i, c in enumerate(codes) if c]
        pd.DataFrame(rows).to_csv(tmp_path / f"{coder}.csv", index=False)
    args = ["agree", tmp_path / "ana.csv", tmp_path / "ben.csv", "-i", survey, "-o", tmp_path / "agreement.csv"]
    refused = run(*args)
    assert refused.exit_code == 2 and "pass --text-column" in refused.output
    result = run(*args, "--text-column", "essay", "--id-column", "rid")
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "agreement.csv").set_index("code")
    assert table.loc["personnel", "percent_agreement"] == 1.0
    # r1 and r3, the answers both coded (r2, which nobody coded, is no unit): agree on one of two
    assert table.loc["relational_modelling", "percent_agreement"] == 0.5
    project = tmp_path / "survey.qdpx"
    export = run(
        "export-refi", "-c", CODEBOOK, "-i", survey, "--text-column", "essay", "--id-column", "rid", "-o", project
    )
    assert export.exit_code == 0 and "3 sources" in export.output, export.output
