"""Human codes kept in a sheet's columns, read from two real TalkMoves lessons and the example
survey: several columns (TalkMoves' teacher and student tags; two coders' columns for
`agree`), numbered code names ("8 - Press for Accuracy"), cells saying no code ("1 - None"),
columns of 1/0 cells, a sheet as `evaluate`'s gold, re-runs after the sheet changed, and
every group-by of a turn's own column."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

import qualcode as qc
from qualcode.cli import app
from qualcode.code_names import says_no_code, unnumbered
from qualcode.codings import check_codings, codes_as_ids
from qualcode.errors import ColumnError, OptionError

from .conftest import FIXTURES, ROOT

runner = CliRunner()
LESSONS = FIXTURES / "talkmoves"
SHEETS = sorted(LESSONS.glob("*.xlsx"))
MOVES = LESSONS / "talk_moves.yaml"
COLUMNS = ["Teacher Tag", "Student Tag"]
SURVEY = ROOT / "examples" / "survey"


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def tag_survey(path, out, codes_column, *extra):
    """`qualcode tag` on a sheet of the example survey (answers in `answer`, ids in `respondent`)."""
    book = ROOT / "codebooks" / "caring_schools.yaml"
    read = ("--text-column", "answer", "--id-column", "respondent", "--codes-column", codes_column)
    return run("tag", path, "-c", book, "-o", out, *read, *extra)


def sheet_cells() -> pd.DataFrame:
    """Every filled code cell of the two lessons, read with pandas alone."""
    frames = []
    for path in SHEETS:
        table = pd.read_excel(path)
        for column in COLUMNS:
            cells = table[column].dropna().astype(str).str.strip()
            frames.append(pd.DataFrame({"file": path.name, "column": column, "value": cells}))
    return pd.concat(frames, ignore_index=True)


def test_numbered_names_and_no_code_cells():
    assert unnumbered("8 - press for  accuracy") == "press for  accuracy"
    assert unnumbered("3) Relate") == unnumbered("2. Relate") == unnumbered("1.2: Relate") == "Relate"
    assert unnumbered("2020 plan") == "2020 plan" and unnumbered("12") == "12" and unnumbered("2.Relate") == "2.Relate"
    assert says_no_code("1 - None") and says_no_code("N/A") and says_no_code("none")
    assert not says_no_code("1 - Noneteen") and not says_no_code("personnel")


def test_two_columns_of_a_lesson_are_two_coders_and_none_cells_no_codes():
    corpus = qc.read_transcripts(SHEETS, speaker_column="Speaker", codes_column=COLUMNS, interviewers=["T"])
    codings = corpus.codings
    cells = sheet_cells()
    none = cells["value"].map(says_no_code)
    assert len(codings) == (~none).sum() == 33  # one coding per filled cell that names a move
    assert dict(codings["coder"].value_counts()) == dict(cells.loc[~none, "column"].value_counts())
    notes = " ".join(corpus.warnings)
    for path in SHEETS:  # each sheet says how many of its cells said no code, as written
        said = int((none & (cells["file"] == path.name)).sum())
        assert f"{path}: {said} code cells of 'Teacher Tag' and 'Student Tag' say no code applies" in notes
    assert "('1 - None')" in notes and "('1 - none')" in notes
    book = qc.load_codebook(MOVES)
    ids = codes_as_ids(codings, book)  # "8 - press for  accuracy", "5 - providing evidence/providing reasoning"
    assert set(ids["code"]) <= set(book.ids)
    expected = cells.loc[~none, "value"].map(lambda v: " ".join(unnumbered(v).lower().split()))
    assert sorted(ids["code"].map(lambda c: " ".join(book.get(c).label.lower().split()))) == sorted(
        expected.replace("providing evidence/providing reasoning", "providing evidence / explaining reasoning")
    )


def test_code_columns_each_named_once():
    with pytest.raises(ColumnError, match="given twice"):
        qc.read_transcripts(SHEETS[0], speaker_column="Speaker", codes_column=["Teacher Tag", "Teacher Tag"])
    with pytest.raises(ColumnError, match="is also the text, id or speaker column"):
        qc.read_transcripts(SHEETS[0], speaker_column="Speaker", codes_column=["Speaker"])
    with pytest.raises(ColumnError, match="no column 'Coder B'"):
        qc.read_transcripts(SHEETS[0], speaker_column="Speaker", codes_column=["Teacher Tag", "Coder B"])


@pytest.mark.model
def test_tag_learns_from_a_lessons_two_code_columns(tmp_path):
    out = tmp_path / "lessons.csv"
    result = run(
        "tag", *SHEETS, "-c", MOVES, "-o", out, "--speaker-column", "Speaker", "--interviewer", "T",
        "--include-interviewer", "--codes-column", "Teacher Tag", "--codes-column", "Student Tag",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "13 code cells of 'Teacher Tag' and 'Student Tag' say no code applies ('1 - None')" in result.output
    coded = pd.read_csv(out, keep_default_na=False)
    human = coded[coded["status"] == "human"]
    assert len(human) == 33 and set(human["coder"]) == {"Teacher Tag + Student Tag"}  # one body of codes
    teacher = human[human["speaker"] == "T"]
    assert set(teacher["code"]) == {"keeping_together", "press_accuracy"}
    assert "Agreement between" not in qc.report(out).html  # the two columns are not coders to compare
    by_turn = qc.report(out, by="is_interviewer").html  # a column of the run's turns, not of the CSV
    assert "Co-occurrence by is_interviewer" in by_turn
    teacher_passages = coded[coded["speaker"] == "T"][["doc_id", "segment_id"]].drop_duplicates()
    assert by_turn.count('["is_interviewer","True"]') == len(teacher_passages)  # named as its panel is
    meta = json.loads((tmp_path / "lessons.meta.json").read_text(encoding="utf-8"))
    assert meta["settings"]["codes_column"] == COLUMNS
    counted = tmp_path / "freq.csv"  # the run's record reads the sheets again, both columns
    freq = run("freq", out, "-o", counted)
    assert freq.exit_code == 0, freq.output
    table = pd.read_csv(counted).set_index("code")
    assert table.loc["making_claim", "n"] == 8 and table.loc["keeping_together", "n"] == 5


def test_agree_on_two_coders_columns_of_one_sheet(tmp_path):
    sheet = SURVEY / "two_coders.csv"  # ana's and ben's codes of the example answers, a column each
    columns = ("--text-column", "answer", "--id-column", "respondent")
    apart = tmp_path / "apart.csv"
    one = run(
        "agree", SURVEY / "answers_coder_a.csv", SURVEY / "answers_coder_b.csv", "-i", SURVEY / "answers.csv",
        *columns, "-o", apart,
    )  # fmt: skip
    assert one.exit_code == 0, one.output
    together = tmp_path / "together.csv"
    two = run("agree", sheet, "--codes-column", "ana", "--codes-column", "ben", *columns, "-o", together)
    assert two.exit_code == 0, two.output
    assert "units are every row of the sheets (an empty cell: no code applies)" in two.output
    # from each coder's file, R_25 (no code from either) is a document neither coded; in the sheet, a row
    # both looked at and left without a code: one more unit, both agreeing
    files = pd.read_csv(apart).set_index("code")
    rows = pd.read_csv(together).set_index("code")
    assert set(files.drop("pooled")["n_units"]) == {24} and set(rows.drop("pooled")["n_units"]) == {25}
    segments = qc.read_transcripts(SURVEY / "answers.csv", text_column="answer", id_column="respondent").segments
    both = pd.concat([qc.read_codings(SURVEY / f"answers_coder_{x}.csv") for x in "ab"], ignore_index=True)
    expected = qc.agreement(both, segments=segments, every_unit_coded=True)
    pd.testing.assert_series_equal(
        rows["cohen_kappa"].round(4), expected["cohen_kappa"].round(4), check_names=False, check_index_type=False
    )
    single = run("agree", sheet, "--codes-column", "ana", *columns, "-o", tmp_path / "x.csv")
    assert single.exit_code == 2 and "one coder's column" in single.output
    with pytest.raises(OptionError, match="leave out inputs"):
        qc.agree_files([sheet], codes_column=["ana", "ben"], inputs=[sheet], text_column="answer")


def test_agree_names_documents_one_coder_left_without_codes(tmp_path):
    """Survey answers coded in two files: ben's file lacks R_05 and R_14 (say he gave them no
    code). By default they are left out for ben, and said; --all-coded counts them as his "no code"."""
    coder_b = pd.read_csv(SURVEY / "answers_coder_b.csv")
    fewer = tmp_path / "ben.csv"
    coder_b[~coder_b["doc_id"].isin(["R_05", "R_14"])].to_csv(fewer, index=False)
    args = ("agree", SURVEY / "answers_coder_a.csv", fewer, "-i", SURVEY / "answers.csv")
    args += ("--text-column", "answer", "--id-column", "respondent")
    left_out = run(*args, "-o", tmp_path / "left_out.csv")
    assert left_out.exit_code == 0, left_out.output
    assert "note: 2 documents hold codes of some coders only (R_05 (ben none), R_14 (ben none))" in left_out.output
    counted = run(*args, "-o", tmp_path / "counted.csv", "--all-coded")
    assert counted.exit_code == 0 and "some coders only" not in counted.output
    segments = qc.read_transcripts(SURVEY / "answers.csv", text_column="answer", id_column="respondent").segments
    both = pd.concat([qc.read_codings(SURVEY / "answers_coder_a.csv"), qc.read_codings(fewer)], ignore_index=True)
    for name, every in (("left_out", False), ("counted", True)):
        table = pd.read_csv(tmp_path / f"{name}.csv").set_index("code")
        expected = qc.agreement(both, segments=segments, every_unit_coded=every)
        assert table.loc["pooled", "cohen_kappa"] == pytest.approx(expected.loc["pooled", "cohen_kappa"], abs=5e-5)
    low = pd.read_csv(tmp_path / "counted.csv").set_index("code").loc["pooled"]
    high = pd.read_csv(tmp_path / "left_out.csv").set_index("code").loc["pooled"]
    assert low["cohen_kappa"] < high["cohen_kappa"] and low["n_units"] > high["n_units"]
    assert qc.agree_files([SURVEY / "answers_coder_a.csv", fewer], inputs=[SURVEY / "answers.csv"],
                          text_column="answer", id_column="respondent").attrs["partial"] == {
        "R_05": ["ben"], "R_14": ["ben"]}  # fmt: skip


@pytest.mark.model
def test_answers_coded_none_teach_and_are_not_suggested_again(tmp_path):
    """In a survey sheet coded part way, an answer marked `none` (or `n/a`) was coded: the model
    learns from it as an answer no code applies to, and suggests nothing there; an empty cell is
    an answer not coded yet, and gets suggestions."""
    sheet = pd.read_csv(SURVEY / "two_coders.csv", keep_default_na=False)
    sheet.loc[sheet["respondent"].isin(["R_21", "R_22", "R_23", "R_24"]), "ana"] = ""  # not coded yet
    sheet.loc[sheet["respondent"] == "R_20", "ana"] = "n/a"
    path = tmp_path / "part_coded.csv"
    sheet.to_csv(path, index=False)
    corpus = qc.read_transcripts(path, text_column="answer", id_column="respondent", codes_column="ana")
    labelled = {doc for doc, _ in corpus.codings.attrs["labelled_segments"]}
    assert {"R_20", "R_25"} <= labelled and not labelled & {"R_21", "R_22", "R_23", "R_24"}
    out = tmp_path / "out.csv"
    result = tag_survey(path, out, "ana")
    assert result.exit_code == 0, result.output
    assert "2 code cells of 'ana' say no code applies ('n/a', 'none'): read as coded, with no code" in result.output
    assert "25 segments (4 scored, 21 learned from)" in result.output
    coded = pd.read_csv(out, keep_default_na=False)
    assert set(coded.loc[coded["status"] == "suggested", "doc_id"]) <= {"R_21", "R_22", "R_23", "R_24"}
    assert not set(coded["doc_id"]) & {"R_20", "R_25"}


def test_a_coded_sheet_given_as_codings_says_how_to_give_it():
    with pytest.raises(
        ColumnError, match=r"a coded sheet \(texts in 'Sentence', codes beside them\) is read with --codes-column"
    ):
        qc.read_codings(SHEETS[0])
    with pytest.raises(
        ColumnError, match=r"qualcode tag NEW\.csv .*coded_answers\.csv --text-column 'answer' --codes-column"
    ):
        qc.read_codings(SURVEY / "coded_answers.csv")


@pytest.mark.model
def test_a_code_deleted_from_the_sheet_leaves_the_output_on_a_re_run(tmp_path):
    """The sheet is where its codes live: the output's human rows are copies that name it, and a
    code the researcher deletes from the sheet is not kept alive by the earlier output's copy."""
    sheet = pd.read_csv(SURVEY / "two_coders.csv", keep_default_na=False)
    path = tmp_path / "sheet.csv"
    sheet.to_csv(path, index=False)
    out = tmp_path / "out.csv"
    first = tag_survey(path, out, "ana")
    assert first.exit_code == 0, first.output
    coded = pd.read_csv(out, keep_default_na=False)
    human = coded[coded["status"] == "human"]
    assert set(human["evidence"]) == {f"human code (from {path})"}
    assert ((human["doc_id"] == "R_01") & (human["code"] == "strength")).any()
    sheet.loc[sheet["respondent"] == "R_01", "ana"] = "personnel"  # "strength" deleted
    sheet.to_csv(path, index=False)
    second = tag_survey(path, out, "ana")
    assert second.exit_code == 0, second.output
    assert f"1 human codes of the earlier output are no longer in {path} and were left out" in second.output
    again = pd.read_csv(out, keep_default_na=False)
    mine = again[(again["status"] == "human") & (again["doc_id"] == "R_01")]
    assert list(mine["code"]) == ["personnel"] and len(again[again["status"] == "human"]) == len(human) - 1
    kept = pd.read_csv(tmp_path / "out.csv.bak", keep_default_na=False)
    assert ((kept["doc_id"] == "R_01") & (kept["code"] == "strength")).any()  # the earlier output, kept aside


def test_a_sheet_read_again_with_other_options_replaces_its_copies(tmp_path):
    """A lesson read first as one document per row (--speaker-column forgotten), then as a
    conversation: the earlier output's human rows are on none of the new documents, but they
    are copies of the sheet this run reads again, not work of the output's own; the output is
    replaced and kept as .bak. A human row typed into it still stops the run."""
    out = tmp_path / "lesson.csv"
    read = ("-c", MOVES, "-o", out, "--codes-column", "Teacher Tag", "--codes-column", "Student Tag")
    first = run("tag", SHEETS[0], *read)
    assert first.exit_code == 0, first.output
    assert "25 documents, 25 segments" in first.output
    before = pd.read_csv(out, keep_default_na=False)
    turns = ("--speaker-column", "Speaker", "--interviewer", "T", "--include-interviewer")
    again = run("tag", SHEETS[0], *read, *turns)
    assert again.exit_code == 0, again.output
    assert "1 document, 25 segments" in again.output
    assert "its human rows are copies of files this run reads again" in again.output
    after = pd.read_csv(out, keep_default_na=False)
    assert set(after["doc_id"]) == {SHEETS[0].stem}
    assert len(after[after["status"] == "human"]) == len(before[before["status"] == "human"]) > 0
    assert pd.read_csv(tmp_path / "lesson.csv.bak", keep_default_na=False).equals(before)
    typed = before.copy()  # a code typed into the earlier output: the researcher's own work
    typed.loc[typed.index[0], "evidence"] = "human code"
    typed.to_csv(out, index=False)
    refused = run("tag", SHEETS[0], *read, *turns)
    assert refused.exit_code != 0 and "it is the output of other transcripts" in refused.output


def test_teacher_moves_from_the_sheet_count_over_every_turn(tmp_path):
    """A run that left the teacher's turns out of scoring still holds the sheet's codes on them:
    shares count every turn (each interviewer turn a unit, said once), not the coded ones only;
    the report on two coders' copies of those codes shows their agreement (it stopped on a
    KeyError: codings with spans against turns known by id only)."""
    import shutil
    import warnings

    out = tmp_path / "lessons.csv"
    result = run(
        "tag", *SHEETS, "-c", MOVES, "-o", out, "--speaker-column", "Speaker", "--interviewer", "T",
        "--codes-column", "Teacher Tag", "--codes-column", "Student Tag",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    counted = run("freq", out, "-o", tmp_path / "freq.csv")
    assert counted.exit_code == 0, counted.output
    assert counted.output.count("lie on interviewer turns: every interviewer turn counts as a unit") == 1
    assert "count coded segments only" not in counted.output
    table = pd.read_csv(tmp_path / "freq.csv").set_index("code")
    assert set(table["total"]) == {58}  # 25 + 33 sentences of the two lessons
    assert table.loc["keeping_together", "n"] == 5
    coded = pd.read_csv(out, keep_default_na=False)
    human = coded[coded["status"] == "human"]
    second = human.iloc[::2].assign(coder="ben")  # a second coder who gave half of the codes
    two = tmp_path / "two.csv"
    pd.concat([human.assign(coder="ana"), second]).to_csv(two, index=False)
    shutil.copy(tmp_path / "lessons.meta.json", tmp_path / "two.meta.json")
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        html = qc.report(two).html
    assert "Agreement between ana and ben" in html
    assert sum("lie on interviewer turns" in str(w.message) for w in said) >= 1
    assert not any("coded segments only" in str(w.message) for w in said)


def test_a_new_wave_without_the_codes_column_beside_a_coded_one(tmp_path):
    """Last wave's coded sheet teaches, this wave's sheet has no column of codes at all: its
    rows are not coded yet and are scored, said once (it stopped on "no column 'my codes'",
    though the error of `--train coded_answers.csv` says to give the sheet as an input). A name
    no table has is still an error, and so is a table lacking it when it is the only one."""
    wave = pd.read_csv(SURVEY / "answers.csv", keep_default_na=False)
    wave["respondent"] = wave["respondent"].str.replace("R_", "W2_")
    new = tmp_path / "wave2.csv"
    wave.to_csv(new, index=False)
    out = tmp_path / "out.csv"
    book = ROOT / "codebooks" / "caring_schools.yaml"
    read = ("--text-column", "answer", "--id-column", "respondent")
    result = run("tag", new, SURVEY / "coded_answers.csv", "-c", book, "-o", out, *read, "--codes-column", "my codes")
    assert result.exit_code == 0, result.output
    assert f"{new} has no column of codes ('my codes'): its rows are read as not coded yet, and scored" in result.output
    coded = pd.read_csv(out, keep_default_na=False)
    ours = coded["doc_id"].str.startswith("W2_")
    assert (coded.loc[ours, "status"] == "suggested").all() and coded.loc[ours, "doc_id"].nunique() > 5
    sheet = pd.read_csv(SURVEY / "coded_answers.csv", keep_default_na=False)
    blank = set(sheet.loc[sheet["my codes"].str.strip() == "", "respondent"])  # not coded yet there either
    last = ~ours & ~coded["doc_id"].isin(blank)
    assert blank and (coded.loc[last, "status"] == "human").all()
    cells = sheet["my codes"].str.split(";").explode().str.strip()
    assert last.sum() == int((cells != "").sum())  # every code of the coded sheet, none of the new wave
    typo = run("tag", new, SURVEY / "coded_answers.csv", "-c", book, "-o", out, *read, "--codes-column", "my code")
    assert typo.exit_code == 2 and "no column 'my code'" in typo.output and "none of the 2 tables has it" in typo.output
    alone = run("tag", new, "-c", book, "-o", tmp_path / "alone.csv", *read, "--codes-column", "my codes")
    assert alone.exit_code == 2 and f"{new}: no column 'my codes'" in alone.output


def test_a_lesson_lacking_one_of_two_codes_columns_is_read_with_the_other(tmp_path):
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    whole = pd.read_excel(SHEETS[0])
    whole.to_excel(lessons / "one.xlsx", index=False)
    teacher_only = pd.read_excel(SHEETS[1]).drop(columns=["Student Tag"])
    teacher_only.to_excel(lessons / "two.xlsx", index=False)
    corpus = qc.read_transcripts(lessons, speaker_column="Speaker", codes_column=COLUMNS)
    assert any(
        "read with the columns of codes they have" in w and "two.xlsx (no 'Student Tag')" in w for w in corpus.warnings
    )
    two = next(doc for doc in corpus.documents if doc.doc_id == "two")
    expected = teacher_only["Teacher Tag"].dropna().astype(str).str.strip()
    expected = expected[~expected.map(says_no_code)]
    assert sorted(code for _, _, code, _ in two.codes) == sorted(expected)  # its teacher codes, read


def dummy_sheet(tmp_path):
    """ana's codes of the example answers as one 1/0 column per code (`theme_<code>`), as survey
    coding in a spreadsheet or SPSS keeps them; R_21 to R_24 not coded yet (empty cells)."""
    sheet = pd.read_csv(SURVEY / "two_coders.csv", keep_default_na=False)
    given = {row.respondent: {c.strip() for c in row.ana.split(";")} - {"none"} for row in sheet.itertuples()}
    codes = sorted(set().union(*given.values()))
    table = sheet[["respondent", "role", "district", "answer"]].copy()
    for code in codes:
        table[f"theme_{code}"] = [1 if code in given[r] else 0 for r in table["respondent"]]
    waiting = table["respondent"].isin(["R_21", "R_22", "R_23", "R_24"])
    table.loc[waiting, [f"theme_{code}" for code in codes]] = None
    path = tmp_path / "dummy.xlsx"
    table.to_excel(path, index=False)
    return path, given, codes


def test_columns_of_1_0_cells_are_a_code_each(tmp_path):
    path, given, codes = dummy_sheet(tmp_path)
    corpus = qc.read_transcripts(path, text_column="answer", id_column="respondent", codes_column="theme_*")
    codings = corpus.codings
    read = codings.groupby("doc_id")["code"].agg(set).to_dict()
    expected = {r: c for r, c in given.items() if c and r not in {"R_21", "R_22", "R_23", "R_24"}}
    assert read == expected and set(codings["coder"]) == {"human"}
    labelled = {doc for doc, _ in codings.attrs["labelled_segments"]}  # R_25: all 0, coded with no code
    assert "R_25" in labelled and not labelled & {"R_21", "R_22", "R_23", "R_24"}
    note = " ".join(corpus.warnings)
    assert f"{len(codes)} columns of 1/0 cells ('theme_caring_climate' as 'caring_climate'" in note
    with pytest.raises(ColumnError, match=r"--codes-column 'code_\*' matches no column"):
        qc.read_transcripts(path, text_column="answer", id_column="respondent", codes_column="code_*")
    with pytest.raises(OptionError, match="columns of 1/0 cells"):
        qc.agree_files([path], codes_column=["theme_personnel", "theme_strength"], text_column="answer")


@pytest.mark.model
def test_tag_learns_from_1_0_columns(tmp_path):
    path, given, _ = dummy_sheet(tmp_path)
    out = tmp_path / "out.csv"
    result = tag_survey(path, out, "theme_*")
    assert result.exit_code == 0, result.output
    assert "25 segments (4 scored, 21 learned from)" in result.output
    coded = pd.read_csv(out, keep_default_na=False)
    human = coded[coded["status"] == "human"]
    assert human.groupby("doc_id")["code"].agg(set).to_dict() == {
        r: c for r, c in given.items() if c and r not in {"R_21", "R_22", "R_23", "R_24"}
    }
    assert set(coded.loc[coded["status"] == "suggested", "doc_id"]) <= {"R_21", "R_22", "R_23", "R_24"}


def test_evaluate_against_the_coded_sheet_that_was_tagged(tmp_path):
    out = tmp_path / "answers.csv"
    tagged = run(
        "tag", SURVEY / "answers.csv", "-c", ROOT / "codebooks" / "caring_schools.yaml", "-o", out,
        "--text-column", "answer", "--id-column", "respondent", "--method", "keyword",
    )  # fmt: skip
    assert tagged.exit_code == 0, tagged.output
    sheet = SURVEY / "two_coders.csv"
    report = tmp_path / "eval.csv"
    result = run("evaluate", out, "--gold", sheet, "--codes-column", "ana", "-o", report)
    assert result.exit_code == 0, result.output
    assert "over the 25 segments the human codes speak for" in result.output  # R_25, coded none, counts
    table = pd.read_csv(report).set_index("code")
    ana = pd.read_csv(SURVEY / "answers_coder_a.csv")
    assert table.drop(["micro", "macro"], errors="ignore")["gold"].sum() == len(ana)
    files = run("evaluate", out, "--gold", SURVEY / "answers_coder_a.csv", "-o", tmp_path / "files.csv")
    assert "over the 24 segments" in files.output  # from a codings file, R_25 is an answer nobody coded
    part = pd.read_csv(sheet, keep_default_na=False)
    part.loc[part["respondent"].isin(["R_21", "R_22", "R_23", "R_24"]), "ana"] = ""
    part.to_csv(tmp_path / "part.csv", index=False)
    partial = run("evaluate", out, "--gold", tmp_path / "part.csv", "--codes-column", "ana", "-o", report)
    assert "over the 21 segments" in partial.output  # rows not coded yet are not units
    part.loc[0, "answer"] = "Another answer altogether."
    part.to_csv(tmp_path / "other.csv", index=False)
    other = run("evaluate", out, "--gold", tmp_path / "other.csv", "--codes-column", "ana", "-o", report)
    assert other.exit_code == 2 and "the text of 'R_01' is not the one the suggestions were made on" in other.output


@pytest.mark.model
def test_a_sheets_own_codes_teach_beside_training_files(tmp_path):
    """`tag sheet.csv --codes-column ana --train ben.csv`: both teach. The sheet's own codes used
    to be left out without a word once a --train file was given."""
    path = tmp_path / "sheet.csv"
    pd.read_csv(SURVEY / "two_coders.csv", keep_default_na=False).to_csv(path, index=False)
    out = tmp_path / "out.csv"
    result = tag_survey(path, out, "ana", "--train", SURVEY / "answers_coder_b.csv")
    assert result.exit_code == 0, result.output
    coded = pd.read_csv(out, keep_default_na=False)
    human = coded[coded["status"] == "human"]
    ana = pd.read_csv(SURVEY / "answers_coder_a.csv")
    ben = pd.read_csv(SURVEY / "answers_coder_b.csv")
    assert dict(human["coder"].value_counts()) == {"ana": len(ana), "ben": len(ben)}
    assert set(human.loc[human["coder"] == "ana", "evidence"]) == {f"human code (from {path})"}
    blank = pd.read_csv(path, keep_default_na=False).assign(ana="")  # a new sheet, not coded yet
    blank.to_csv(tmp_path / "new.csv", index=False)
    beside = tag_survey(tmp_path / "new.csv", tmp_path / "b.csv", "ana", "--train", SURVEY / "answers_coder_b.csv")
    assert beside.exit_code == 0, beside.output  # an empty column beside training files: nothing to add, no error
    alone = tag_survey(tmp_path / "new.csv", tmp_path / "c.csv", "ana")
    assert alone.exit_code == 2 and "--codes-column 'ana' holds no codes" in alone.output


def test_documents_grouped_by_a_turns_own_column(tmp_path):
    """Prevalence of moves per lesson, teacher's turns against students': a document is in
    both groups, and each coding in the group of its own segment. Codings without the column
    (a coder's export) used to stop `plot prevalence --by is_interviewer` with a pandas
    traceback (the default count is by document)."""
    corpus = qc.read_transcripts(
        SHEETS, speaker_column="Speaker", codes_column=COLUMNS, interviewers=["T"], segment_by="turn"
    )
    book = qc.load_codebook(MOVES)
    codings = qc.map_to_segments(codes_as_ids(corpus.codings, book), corpus.segments)
    assert "is_interviewer" not in codings.columns
    table = qc.frequencies(codings, by="is_interviewer", count="document", segments=corpus.segments)
    held = table.set_index(["group", "code"])["n"]
    teacher = {"keeping_together", "press_accuracy"}
    for code in set(codings["code"]):
        on_teacher = held.get(("True", code), 0)  # groups as the table writes them
        on_students = held.get(("False", code), 0)
        lessons = codings.loc[codings["code"] == code, "doc_id"].nunique()
        assert (on_teacher, on_students) == ((lessons, 0) if code in teacher else (0, lessons)), code
    drawn = qc.figure("prevalence", codings, by=["is_interviewer"], segments=corpus.segments)  # `qualcode plot`'s
    legend = drawn.axes[0].get_legend() or drawn.legends[0]
    assert {text.get_text() for text in legend.get_texts()} == {"True", "False"}


def test_every_code_the_codebook_lacks_is_named_at_once(tmp_path):
    """A corpus of sheets spells its codes many ways (TalkMoves: `8 - press for  accuracy`,
    `5 - Providing Evidence/Explaining Reasoning`): the error names each unknown code with its
    rows, most used first, rather than one per run."""
    import yaml

    book = yaml.safe_load(MOVES.read_text(encoding="utf-8"))
    book["codes"] = [code for code in book["codes"] if code["id"] != "making_claim"]
    for code in book["codes"]:
        code.pop("formerly", None)
    smaller = tmp_path / "moves.yaml"
    smaller.write_text(yaml.safe_dump(book), encoding="utf-8")
    cells = sheet_cells()
    lacking = cells["value"].str.lower().str.contains("making a claim") | (
        cells["value"] == "5 - providing evidence/providing reasoning"
    )
    rows = cells.loc[lacking, "value"].value_counts()  # each spelling with its cells, counted by pandas alone
    corpus = qc.read_transcripts(SHEETS, speaker_column="Speaker", codes_column=COLUMNS, interviewers=["T"])
    codings = codes_as_ids(corpus.codings, qc.load_codebook(smaller))
    texts = {doc.doc_id: doc.text for doc in corpus.documents}
    with pytest.raises(ColumnError) as error:
        check_codings(codings, qc.load_codebook(smaller), texts)
    message = str(error.value)
    assert f"{len(rows)} codes are not in codebook" in message and len(rows) == 3
    claims = rows[[value for value in rows.index if "claim" in value.lower()]].sort_values(ascending=False)
    assert len(claims) == 2  # two spellings of one name, said together, the most used first
    said = f"{claims.index[0]!r} ({claims.sum()} rows, also {claims.index[1]!r})"
    assert said in message
    grade6 = rows["5 - providing evidence/providing reasoning"]
    assert (
        f"'5 - providing evidence/providing reasoning' ({grade6} rows, did you mean 'providing_evidence'?)" in message
    )
    assert claims.sum() >= grade6  # more rows first (a tie by name: "making a claim" before "providing …")
    assert message.index(said) < message.index("'5 - providing")
    # spacing around punctuation does not count in a name
    spaced = pd.DataFrame({"code": ["5 - Providing Evidence/Explaining Reasoning"]})
    assert list(codes_as_ids(spaced, qc.load_codebook(smaller))["code"]) == ["providing_evidence"]


def test_codes_joined_by_commas_or_lines(tmp_path):
    """A cell of codes separated by commas names the separator to give; codes one per line in
    a cell (Alt+Enter in Excel) are read as they are."""
    sheet = pd.read_csv(SURVEY / "coded_answers.csv")
    commas = sheet.assign(**{"my codes": sheet["my codes"].str.replace("; ", ", ")})
    commas.to_csv(tmp_path / "commas.csv", index=False)
    lines = sheet.assign(**{"my codes": sheet["my codes"].str.replace("; ", "\n")})
    lines.to_excel(tmp_path / "lines.xlsx", index=False)
    book = qc.load_codebook(ROOT / "codebooks" / "caring_schools.yaml")
    read = {"text_column": "answer", "id_column": "respondent", "codes_column": "my codes"}
    wrong = qc.read_transcripts(tmp_path / "commas.csv", **read)
    texts = {doc.doc_id: doc.text for doc in wrong.documents}
    with pytest.raises(ColumnError, match=r"separated by ','; give that separator \(--codes-separator ','"):
        check_codings(codes_as_ids(wrong.codings, book), book, texts)
    expected = qc.read_transcripts(SURVEY / "coded_answers.csv", **read).codings
    for corpus in (
        qc.read_transcripts(tmp_path / "commas.csv", **read, codes_separator=","),
        qc.read_transcripts(tmp_path / "lines.xlsx", **read),
    ):
        pd.testing.assert_frame_equal(corpus.codings[["doc_id", "code"]], expected[["doc_id", "code"]])
