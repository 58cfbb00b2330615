"""qualcode.previous: a re-run never loses or silently drops a researcher's reviewed work."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from qualcode.cli import app

from .conftest import CODEBOOK, EXAMPLES, FIXTURES, PARTICIPANTS


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture()
def reviewed(tmp_path):
    """A keyword run whose first three rows a researcher accepted, rejected and coded."""
    out = tmp_path / "coded.csv"
    assert run("tag", EXAMPLES, "-c", CODEBOOK, "-m", PARTICIPANTS, "-o", out, "--method", "keyword").exit_code == 0
    table = pd.read_csv(out, keep_default_na=False)
    table.loc[0, ["status", "coder"]] = ["accepted", "ana"]
    table.loc[1, ["status", "coder"]] = ["rejected", "ana"]
    table.loc[2, ["status", "coder", "method"]] = ["human", "ana", "human"]
    table.to_csv(out, index=False)
    return out


def _tag(out, *extra):
    return run("tag", EXAMPLES, "-c", CODEBOOK, "-m", PARTICIPANTS, "-o", out, "--method", "keyword", *extra)


def test_a_wide_table_over_reviewed_work_is_refused(reviewed):
    before = reviewed.read_bytes()
    result = _tag(reviewed, "--format", "wide")
    assert result.exit_code == 2 and "3 reviewed or human rows that a wide table cannot keep" in result.output
    assert reviewed.read_bytes() == before
    fresh = _tag(reviewed, "--format", "wide", "--fresh")
    assert fresh.exit_code == 0, fresh.output
    assert reviewed.with_name("coded.csv.bak").read_bytes() == before and "kept as" in fresh.output


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [("score", "0,7123", "score '0,7123' is not a number"), ("status", "yes", "status 'yes' is not one of")],
)
def test_an_unreadable_cell_stops_the_run(reviewed, column, value, message):
    table = pd.read_csv(reviewed, keep_default_na=False, dtype=str)
    table.loc[4, column] = value
    table.to_csv(reviewed, index=False)
    before = reviewed.read_bytes()
    result = _tag(reviewed)
    assert result.exit_code == 2 and message in result.output and "cannot be read completely" in result.output
    assert "--fresh" in result.output and reviewed.read_bytes() == before


def test_a_table_saved_by_a_spreadsheet_with_decimal_commas_is_read(reviewed):
    """Excel where the list separator is ';' saves 0.7123 as 0,7123 (and in a Windows code page)."""
    from qualcode.io.coded import read_coded

    table = pd.read_csv(reviewed, keep_default_na=False, dtype=str)
    table.to_csv(reviewed.with_name("dots.csv"), index=False)
    table[["score", "start_time", "end_time"]] = table[["score", "start_time", "end_time"]].apply(
        lambda column: column.str.replace(".", ",", regex=False)
    )
    assert table["score"].str.contains(",").all()
    table.to_csv(reviewed, index=False, sep=";", encoding="cp1252")
    commas, dots = read_coded(reviewed), read_coded(reviewed.with_name("dots.csv"))
    pd.testing.assert_frame_equal(commas, dots)
    result = _tag(reviewed)  # re-run over it: the researcher's three rows survive
    assert result.exit_code == 0, result.output
    again = pd.read_csv(reviewed, keep_default_na=False)
    assert set(again["status"]) >= {"accepted", "rejected", "human"}
    # a column mixing the two (or thousands separators) is not guessed at
    table.loc[3, "score"] = "1,234.5"
    table.to_csv(reviewed, index=False, sep=";", encoding="cp1252")
    with pytest.raises(Exception, match=r"coded.csv:2: score '0,\d+' is not a number; write it as a plain number"):
        read_coded(reviewed)


def test_previous_from_another_file_keeps_the_outputs_own_reviews(reviewed, tmp_path):
    other = tmp_path / "other.csv"
    assert _tag(other).exit_code == 0
    before = reviewed.read_bytes()
    result = _tag(reviewed, "--previous", other)
    assert result.exit_code == 0, result.output
    assert reviewed.with_name("coded.csv.bak").read_bytes() == before and "merging with" in result.output


def test_an_output_of_other_transcripts_is_not_merged_into_unasked(reviewed):
    """Tagging other transcripts with -o naming an earlier study's output: its reviewed rows
    would be mixed into this run's file; refused before the model runs, the file unchanged."""
    before = reviewed.read_bytes()
    other = FIXTURES / "labels_colon.txt"
    result = run("tag", other, "-c", CODEBOOK, "-o", reviewed, "--method", "keyword")
    said = " ".join(result.output.split())
    assert result.exit_code == 2 and said.startswith("error: ") and "Traceback" not in said
    assert (
        "holds 3 reviewed or human rows on 1 document ('d01_assistant_superintendent'), none of them in this run"
        in said
    )
    assert "merge it on purpose with --previous" in said
    assert reviewed.read_bytes() == before
    # merged on purpose: kept, and said where they are
    result = run("tag", other, "-c", CODEBOOK, "-o", reviewed, "--method", "keyword", "--previous", reviewed)
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "3 of them are on 1 document not in this run ('d01_assistant_superintendent' (3)): kept as they are" in said
    after = pd.read_csv(reviewed, keep_default_na=False)
    assert (after["status"] != "suggested").sum() == 3 and set(after["doc_id"]) == {
        "d01_assistant_superintendent",
        "labels_colon",
    }


def test_the_output_is_never_an_input(tmp_path):
    survey = tmp_path / "survey.csv"
    survey.write_bytes((FIXTURES / "survey.csv").read_bytes())
    before = survey.read_bytes()
    result = run("tag", survey, "-c", CODEBOOK, "-o", survey, "--text-column", "answer", "--method", "keyword")
    assert result.exit_code == 2 and "also an input of the run" in result.output
    people = tmp_path / "people.csv"
    people.write_bytes(PARTICIPANTS.read_bytes())
    clash = run("tag", EXAMPLES, "-c", CODEBOOK, "-m", people, "-o", people, "--method", "keyword")
    assert clash.exit_code == 2 and "also an input" in clash.output
    assert survey.read_bytes() == before and people.read_bytes() == PARTICIPANTS.read_bytes()


def test_a_hand_added_row_with_empty_offsets_keeps_keys_whole(reviewed):
    table = pd.read_csv(reviewed, keep_default_na=False, dtype=str)
    extra = table.iloc[[0]].copy()
    extra[["segment_id", "start_char", "end_char", "status", "coder", "method"]] = ["", "", "", "human", "ana", "human"]
    pd.concat([table, extra]).to_csv(reviewed, index=False)
    rejected = table.iloc[1]
    result = _tag(reviewed)
    assert result.exit_code == 0, result.output
    again = pd.read_csv(reviewed, keep_default_na=False, dtype=str)
    same = again[
        (again["doc_id"] == rejected["doc_id"])
        & (again["start_char"] == rejected["start_char"])
        & (again["code"] == rejected["code"])
    ]
    assert same["status"].tolist() == ["rejected"]  # not suggested again beside the rejection
    assert not again["start_char"].str.contains(r"\.").any()  # offsets stay whole numbers


def test_a_rerun_without_metadata_reuses_the_previous_runs_table(reviewed):
    result = run("tag", EXAMPLES, "-c", CODEBOOK, "-o", reviewed, "--method", "keyword")
    assert result.exit_code == 0, result.output
    assert "reused from the run that wrote" in result.output
    again = pd.read_csv(reviewed, keep_default_na=False)
    assert (again["role"] != "").all() and (again["district"] != "").all()  # no blank group appears


def test_a_human_row_typed_in_without_a_method_is_counted_as_a_human_code(reviewed):
    """A researcher adds a row by hand (status human, no method or score): the summary line
    counted it as one of qualcode's suggestions."""
    table = pd.read_csv(reviewed, keep_default_na=False, dtype=str)
    typed = table.iloc[[0]].copy()
    typed.loc[:, :] = ""
    typed[["doc_id", "segment_id", "start_char", "end_char", "code", "status", "coder"]] = [
        table.loc[0, "doc_id"],
        table.loc[0, "segment_id"],
        "0",
        "5",
        "strength",
        "human",
        "ana",
    ]
    pd.concat([table, typed]).to_csv(reviewed, index=False)
    result = _tag(reviewed)
    assert result.exit_code == 0, result.output
    after = pd.read_csv(reviewed, keep_default_na=False)
    human = int(((after["status"] == "human") | (after["method"] == "human")).sum())
    assert human == 2 and f"suggestions and {human} human codes kept" in " ".join(result.output.split())


def test_ids_whose_leading_zeros_a_spreadsheet_dropped_are_named_not_lost(tmp_path):
    """A survey's ids 001, 002 come back from a spreadsheet as 1, 2: the re-run names that
    cause instead of calling the file the output of other transcripts, and keeps it as it is."""
    survey = tmp_path / "survey.csv"
    survey.write_text(
        "id,answer\n001,We hired two counselors for students.\n002,Every school has a wellness plan.\n",
        encoding="utf-8",
    )
    out = tmp_path / "coded.csv"
    assert run("tag", survey, "-c", CODEBOOK, "-o", out, "--method", "keyword").exit_code == 0
    table = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert set(table["doc_id"]) <= {"001", "002"} and len(table) > 0
    table.loc[0, "status"] = "accepted"
    table["doc_id"] = table["doc_id"].str.lstrip("0")  # as Excel saves them
    table.to_csv(out, index=False)
    edited = out.read_bytes()
    result = run("tag", survey, "-c", CODEBOOK, "-o", out, "--method", "keyword")
    said = " ".join(result.output.split())
    assert result.exit_code == 2 and "dropped the ids' leading zeros" in said, said
    assert f"document '{table.loc[0, 'doc_id']}'" in said and "format the doc_id column as Text" in said
    assert out.read_bytes() == edited
    # some ids changed (001 -> 1), others not (A2): named too, rather than kept apart from 001
    survey.write_text(
        "id,answer\n001,We hired two counselors for students.\nA2,We hired a nurse for every school.\n",
        encoding="utf-8",
    )
    out.unlink()
    assert run("tag", survey, "-c", CODEBOOK, "-o", out, "--method", "keyword").exit_code == 0
    table = pd.read_csv(out, dtype=str, keep_default_na=False).assign(status="accepted")
    table["doc_id"] = table["doc_id"].str.lstrip("0")
    assert {"1", "A2"} <= set(table["doc_id"])
    table.to_csv(out, index=False)
    partly = run("tag", survey, "-c", CODEBOOK, "-o", out, "--method", "keyword")
    assert partly.exit_code == 2 and "dropped the ids' leading zeros" in " ".join(partly.output.split())


def test_another_question_of_the_same_survey_is_not_merged_onto_the_reviewed_answers(tmp_path):
    """Two open-ended questions of one survey, the second tagged into the output of the
    first: the same respondent ids, other words. The first question's accepted codes were
    kept on the second's answers, at offsets past their end, without a word."""
    survey = tmp_path / "survey.csv"
    pd.DataFrame(
        {
            "respondent": ["R1", "R2", "R3"],
            "first": ["The district hired a counselor for every school.", "Principals model care.", "We got SEL."],
            "second": ["Nothing changed.", "More time to plan, please.", "Fewer meetings."],
        }
    ).to_csv(survey, index=False)
    out = tmp_path / "coded.csv"
    common = ["-c", CODEBOOK, "-o", out, "--method", "keyword", "--id-column", "respondent"]
    assert run("tag", survey, "--text-column", "first", *common).exit_code == 0
    assert run("review", out, "--accept-above", "0", "--coder", "ana", "-o", out).exit_code == 0
    before = out.read_bytes()
    other = run("tag", survey, "--text-column", "second", *common)
    said = " ".join(other.output.split())
    assert other.exit_code == 2 and "hold other words than those documents have, found nowhere in them" in said
    assert "write this run to another file with -o" in said and out.read_bytes() == before
    apart = ["-c", CODEBOOK, "-o", tmp_path / "second.csv", "--method", "keyword", "--id-column", "respondent"]
    assert run("tag", survey, "--text-column", "second", *apart).exit_code == 0


ANSWERS = [
    "The district hired a counselor for every school.",
    "Principals model care for their teachers.",
    "We adopted an SEL curriculum and PBIS.",
    "Teachers got trauma-informed training.",
]


def test_reviewed_answers_follow_their_rows_when_the_sheet_is_sorted(tmp_path):
    """A sheet of answers without an id column names each answer by its row (`answers-3`).
    Sorted, or a row added above, every answer after it took another name, and the reviewed
    rows lay on other answers: the run stopped (`… made from other texts under the same
    names`). Now each follows its words to the row holding them, and the run says so."""
    survey = tmp_path / "answers.csv"
    pd.DataFrame({"answer": ANSWERS}).to_csv(survey, index=False)
    out = tmp_path / "coded.csv"
    common = ["-c", CODEBOOK, "-o", out, "--method", "keyword"]
    assert run("tag", survey, *common).exit_code == 0
    assert run("review", out, "--accept-above", "0", "--coder", "ana", "-o", out).exit_code == 0
    before = pd.read_csv(out, keep_default_na=False)
    assert len(before) >= 3 and set(before["status"]) == {"accepted"}
    moved = ["Nothing changed for us.", *reversed(ANSWERS)]  # a new answer on top, the others reversed
    pd.DataFrame({"answer": moved}).to_csv(survey, index=False)
    again = run("tag", survey, *common)
    said = " ".join(again.output.split())
    assert again.exit_code == 0, said
    renamed = sum(
        f"answers-{moved.index(text) + 2}" != doc for doc, text in zip(before["doc_id"], before["text"], strict=True)
    )
    assert 0 < renamed < len(before)  # the third answer stays the sheet's fourth row
    assert f"{renamed} reviewed or human rows on a table's answers found their words in another of its rows" in said
    after = pd.read_csv(out, keep_default_na=False)
    accepted = after[after["status"] == "accepted"]
    assert len(accepted) == len(before)
    for row in accepted.itertuples():  # each on the row now holding its words, at its words
        answer = moved[int(row.doc_id.rsplit("-", 1)[1]) - 2]
        assert answer[row.start_char : row.end_char] == row.text
    assert sorted(zip(accepted["text"], accepted["code"], strict=True)) == sorted(
        zip(before["text"], before["code"], strict=True)
    )


def test_reviewed_rows_follow_a_run_that_cuts_segments_otherwise(tmp_path):
    """Turns reviewed, then the same output tagged again cutting sentences: the reviewed rows
    kept their turn's segment number, which names another sentence now (counted there by freq
    and matrix). Each is now on every sentence its turn holds, a row for each, the turn's words
    kept as reviewed; a re-run cutting alike leaves them so."""
    import qualcode as qc

    out = tmp_path / "coded.csv"
    one = EXAMPLES / "d01_superintendent.txt"
    assert run("tag", one, "-c", CODEBOOK, "-o", out, "--method", "keyword").exit_code == 0
    assert run("review", out, "--accept-above", "0", "--coder", "ana", "-o", out).exit_code == 0
    before = pd.read_csv(out, keep_default_na=False)
    sentence = ["-c", CODEBOOK, "-o", out, "--method", "keyword", "--segment-by", "sentence"]
    again = run("tag", one, *sentence)
    said = " ".join(again.output.split())
    assert again.exit_code == 0, said
    assert f"{len(before)} reviewed or human rows lay on segments cut otherwise than this run cuts them" in said
    after = pd.read_csv(out, keep_default_na=False)
    accepted = after[after["status"] == "accepted"]
    sentences = qc.read_transcripts(one, segment_by="sentence").segments
    for row in before.itertuples():  # the turn's sentences, each carrying its code, its words as reviewed
        inside = sentences[(sentences["start_char"] >= row.start_char) & (sentences["end_char"] <= row.end_char)]
        mine = accepted[(accepted["code"] == row.code) & (accepted["start_char"] == row.start_char)]
        assert sorted(mine["segment_id"]) == sorted(inside["segment_id"]) and len(mine) > 1
        assert set(mine["text"]) == {row.text} and set(mine["coder"]) == {"ana"}
    once_more = run("tag", one, *sentence)
    assert once_more.exit_code == 0 and "cut otherwise" not in once_more.output
    assert pd.read_csv(out, keep_default_na=False).equals(after)


def test_a_few_rows_off_their_words_are_named(reviewed):
    """A reviewed row whose text was typed over (or pasted from elsewhere) is kept and said."""
    table = pd.read_csv(reviewed, keep_default_na=False)
    table.loc[0, "text"] = "Words that are not in the transcript."
    table.to_csv(reviewed, index=False)
    result = _tag(reviewed)
    said = " ".join(result.output.split())
    assert result.exit_code == 0 and "1 reviewed or human rows held other words than their unchanged" in said
    assert "1 did not" in said and "check them in the text column" in said
    kept = pd.read_csv(reviewed, keep_default_na=False)
    assert (kept["text"] == "Words that are not in the transcript.").sum() == 1


def test_rows_of_moved_and_corrected_transcripts_given_as_previous_follow_their_words(reviewed, tmp_path):
    """`--previous old/coded.csv` after the transcripts were copied to a new folder and one was
    changed there: the reviewed rows move to where their words are in the new copy."""
    import shutil

    folder = tmp_path / "new"
    shutil.copytree(EXAMPLES, folder)
    table = pd.read_csv(reviewed, keep_default_na=False)
    doc = "d01_superintendent"  # a .txt transcript
    first = table.index[table["doc_id"] == doc][0]
    table.loc[first, ["status", "coder"]] = ["accepted", "ana"]
    table.to_csv(reviewed, index=False)
    words = table.loc[first, "text"]
    path = folder / f"{doc}.txt"
    path.write_text("Transcribed again by AB.\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "coded.csv"
    result = run(
        "tag", folder, "-c", CODEBOOK, "-m", PARTICIPANTS, "-o", out, "--method", "keyword", "--previous", reviewed
    )
    said = " ".join(result.output.split())
    assert result.exit_code == 0, result.output
    assert f"{doc}.txt changed since" in said and "found their words again and moved with them" in said
    after = pd.read_csv(out, keep_default_na=False)
    moved = after[(after["doc_id"] == doc) & (after["status"] != "suggested")]
    text = path.read_text(encoding="utf-8")
    assert len(moved) and all(
        text[a:b] == w for a, b, w in zip(moved["start_char"], moved["end_char"], moved["text"], strict=True)
    )
    assert words in set(moved["text"])


def test_a_rerun_segmented_by_sentence_does_not_suggest_again_what_the_turns_review_decided(reviewed):
    """Turns reviewed, then the run segmented by sentence: the sentences of an accepted or
    rejected turn were suggested the same code again beside the review, as if undone. The
    review lies on the turn's sentences now, each reviewed as the turn was."""
    turns = pd.read_csv(reviewed, keep_default_na=False)
    decided = turns[turns["status"].isin(["accepted", "rejected"])]
    result = _tag(reviewed, "--segment-by", "sentence")
    assert result.exit_code == 0, result.output
    assert "lay on segments cut otherwise than this run cuts them" in " ".join(result.output.split())
    again = pd.read_csv(reviewed, keep_default_na=False)
    fresh = again[again["status"] == "suggested"]
    kept = again[again["status"] != "suggested"]
    assert len(fresh) and len(kept) > 3  # the three reviewed turns' sentences
    for _, row in decided.iterrows():  # each turn's sentences carry its code and its status
        mine = kept[(kept["doc_id"] == row["doc_id"]) & (kept["code"] == row["code"])]
        mine = mine[(mine["start_char"] >= row["start_char"]) & (mine["end_char"] <= row["end_char"])]
        assert len(mine) and set(mine["status"]) == {row["status"]}
    for _, row in decided.iterrows():
        inside = fresh[
            (fresh["doc_id"] == row["doc_id"])
            & (fresh["code"] == row["code"])
            & (fresh["start_char"] >= row["start_char"])
            & (fresh["end_char"] <= row["end_char"])
        ]
        assert inside.empty, inside
