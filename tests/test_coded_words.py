"""qualcode.coded_words: human codes given to `--train` follow their words into transcripts
changed since the codes were made (a line added, a passage rewritten, a survey sheet sorted).
Before, a filled-in `next` sheet's codes landed on whatever segment now had its number: they
taught the model, and were kept as human rows, on passages the coder never read."""

from __future__ import annotations

import shutil

import pandas as pd
from typer.testing import CliRunner

import qualcode as qc
from qualcode.cli import app

from .conftest import CODEBOOK, EXAMPLES

NAMES = ("d01_superintendent.txt", "d02_assistant_superintendent.txt", "d03_assistant_superintendent.txt")


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def _said(result) -> str:
    return " ".join(result.output.split())


def _human(path) -> pd.DataFrame:
    coded = pd.read_csv(path, keep_default_na=False)
    return coded[coded["status"] == "human"]


def _interviews(tmp_path, names=NAMES):
    """A folder of copies of the example interviews ``names``, to edit."""
    folder = tmp_path / "iv"
    folder.mkdir()
    for name in names:
        shutil.copy(EXAMPLES / name, folder)
    return folder


def _sheet(tmp_path, inputs, n):
    """A first `next` sheet of ``n`` segments, each coded `personnel` by ana."""
    coded, sheet = tmp_path / "coded.csv", tmp_path / "sheet.csv"
    assert run("tag", inputs, "-c", CODEBOOK, "-o", coded, "--method", "keyword").exit_code == 0
    assert run("next", coded, "-n", n, "-o", sheet).exit_code == 0
    rows = pd.read_csv(sheet, keep_default_na=False, dtype=str).assign(codes="personnel", coder="ana")
    rows.to_csv(sheet, index=False)
    return sheet, rows


def test_a_sheets_codes_follow_their_words_into_an_edited_transcript(tmp_path):
    folder = _interviews(tmp_path)
    sheet, rows = _sheet(tmp_path, folder, 8)
    edited = rows["doc_id"].value_counts().index[0]  # a transcript the sheet codes most on
    path = folder / f"{edited}.txt"
    text = path.read_text(encoding="utf-8")
    mine = rows[rows["doc_id"] == edited]
    rewritten = mine["text"].iloc[-1]
    assert text.count(rewritten) == 1
    text = text.replace(rewritten, "Something else entirely was said here, in other words.")
    path.write_text("Interviewer: Thank you for joining us; your name?\n\nP09: I am Dana.\n\n" + text, encoding="utf-8")
    result = run("tag", folder, "-c", CODEBOOK, "-o", tmp_path / "out.csv", "--train", sheet)
    said = _said(result)
    assert result.exit_code == 0, said
    moved = len(mine) - 1
    assert (
        f"sheet.csv: made before {path} changed: {moved} of its {len(mine)} coded passages there moved with their "
        "words; 1 passage found nowhere"
    ) in said
    human = _human(tmp_path / "out.csv")
    expected = rows[rows["text"] != rewritten]  # every other coded passage, on its own words
    assert sorted(human["text"]) == sorted(expected["text"])
    assert set(human["evidence"]) == {f"human code (from {sheet})"}
    assert "I am Dana." not in set(human["text"])
    # `next` stopped here (`changed since sheet.csv was made … re-run qualcode tag`, which could
    # not help: the sheet stays older than the transcript); now its codes follow as tag's do
    again = run("next", tmp_path / "out.csv", "-n", 3, "-o", tmp_path / "sheet2.csv")
    assert again.exit_code == 0, _said(again)
    chosen = set(pd.read_csv(tmp_path / "sheet2.csv", keep_default_na=False)["text"])
    assert chosen and not chosen & set(expected["text"])  # what was coded is not chosen again


def test_a_sheets_codes_follow_their_answers_when_the_survey_is_sorted(tmp_path):
    survey = tmp_path / "answers.csv"
    answers = [
        "The district hired a counselor for every school.",
        "Principals model care for their teachers.",
        "We adopted an SEL curriculum and PBIS.",
        "Teachers got trauma-informed training.",
        "Families were struggling with transportation.",
    ]
    pd.DataFrame({"answer": answers}).to_csv(survey, index=False)
    sheet, rows = _sheet(tmp_path, survey, 3)
    pd.DataFrame({"answer": answers[::-1]}).to_csv(survey, index=False)
    result = run("tag", survey, "-c", CODEBOOK, "-o", tmp_path / "out.csv", "--train", sheet)
    assert result.exit_code == 0, _said(result)
    human = _human(tmp_path / "out.csv")
    assert sorted(human["text"]) == sorted(rows["text"])
    for doc_id, words in zip(human["doc_id"], human["text"], strict=True):  # each on the row holding it now
        assert answers[::-1][int(doc_id.rsplit("-", 1)[1]) - 2] == words


def test_reviewed_rows_given_to_learn_from_follow_their_words(tmp_path):
    """A reviewed tag output (accepted rows: offsets and words) given to `--train` after its
    transcript gained a line at the top: its codes stay on the words accepted."""
    folder = _interviews(tmp_path, NAMES[:1])
    coded = tmp_path / "coded.csv"
    assert run("tag", folder, "-c", CODEBOOK, "-o", coded, "--method", "keyword").exit_code == 0
    assert run("review", coded, "--accept-above", "0", "--coder", "ana", "-o", coded).exit_code == 0
    accepted = pd.read_csv(coded, keep_default_na=False)
    path = folder / NAMES[0]
    path.write_text("Note: recorded on Zoom.\n\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    result = run("tag", folder, "-c", CODEBOOK, "-o", tmp_path / "out.csv", "--train", coded)
    said = _said(result)
    assert result.exit_code == 0, said
    passages = len(accepted[["start_char", "end_char"]].drop_duplicates())  # several codes on one passage
    assert f"coded.csv: made before {path} changed: {passages} of its {passages} coded passages" in said
    human = _human(tmp_path / "out.csv")
    text = path.read_text(encoding="utf-8")
    assert sorted(zip(human["text"], human["code"], strict=True)) == sorted(
        zip(accepted["text"], accepted["code"], strict=True)
    )
    assert all(
        text[a:b] == words for a, b, words in zip(human["start_char"], human["end_char"], human["text"], strict=True)
    )


def test_gold_codes_and_coders_sheets_follow_their_words_too(tmp_path):
    """`evaluate --gold` given a sheet made before its transcript changed compared the suggestions
    with codes on other passages, without a word; `agree` stopped (`changed since … re-run qualcode
    tag`, which cannot help a sheet) or, given the transcripts (`-i`), compared codes on other
    passages. Both now find the coded passages by their words."""
    folder = _interviews(tmp_path)
    sheet, rows = _sheet(tmp_path, folder, 8)
    ben = tmp_path / "ben.csv"
    rows.assign(
        coder="ben", codes=["personnel", "growth_area"] * (len(rows) // 2) + ["personnel"] * (len(rows) % 2)
    ).to_csv(ben, index=False)
    shutil.copy(sheet.with_suffix(".meta.json"), ben.with_suffix(".meta.json"))
    for name in NAMES:
        path = folder / name
        path.write_text("Interviewer: Thank you for joining us.\n\n" + path.read_text(encoding="utf-8"), "utf-8")
    fresh = tmp_path / "fresh.csv"
    assert run("tag", folder, "-c", CODEBOOK, "-o", fresh, "--method", "keyword").exit_code == 0
    evaluated = run("evaluate", fresh, "--gold", sheet, "-o", tmp_path / "ev.csv")
    said = _said(evaluated)
    assert evaluated.exit_code == 0, said
    assert f"over the {len(rows)} segments the human codes speak for" in said
    assert f"{len(rows)} of its {len(rows)} coded passages there moved with their words" in said
    for extra in ([], ["-i", folder]):
        agreed = run("agree", sheet, ben, "-o", tmp_path / "ag.csv", *extra)
        said = _said(agreed)
        assert agreed.exit_code == 0, said
        assert "moved with their words" in said and "changed since" not in said.replace("made before", "")
        table = pd.read_csv(tmp_path / "ag.csv", keep_default_na=False)
        personnel = table[table["code"] == "personnel"].iloc[0]
        assert int(personnel["n_units"]) >= len(rows)  # every sheet row is a unit both coded


def test_codes_without_their_words_on_a_changed_transcript_are_an_error(tmp_path):
    """A sheet whose text column was deleted cannot be followed: an error naming it and the fix,
    not codes on other passages."""
    folder = _interviews(tmp_path, NAMES[:1])
    sheet, rows = _sheet(tmp_path, folder, 3)
    rows.drop(columns=["text"]).to_csv(sheet, index=False)
    path = folder / NAMES[0]
    path.write_text("Note: recorded on Zoom.\n\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    result = run("tag", folder, "-c", CODEBOOK, "-o", tmp_path / "out.csv", "--train", sheet)
    said = _said(result)
    assert result.exit_code != 0 and "Traceback" not in said
    assert f"sheet.csv: made before {path} changed, and it holds no words of its codes (no text column)" in said
    assert "restore the transcript as it was, or code it again" in said and not (tmp_path / "out.csv").exists()


def test_a_sheet_made_on_turns_codes_the_sentences_of_a_run_cut_into_sentences(tmp_path):
    """A sheet coded turn by turn, given to a run that cuts sentences (`--segment-by sentence`):
    its segment numbers named sentences of other turns (an interviewer's question among them).
    Now each coded turn codes the run's sentences it holds, and the run says so."""
    folder = _interviews(tmp_path)
    sheet, rows = _sheet(tmp_path, folder, 4)
    out = tmp_path / "out.csv"
    result = run("tag", folder, "-c", CODEBOOK, "-o", out, "--segment-by", "sentence", "--train", sheet)
    said = _said(result)
    assert result.exit_code == 0, said
    assert (
        f"sheet.csv: made on segments cut otherwise than this run cuts them (another --segment-by or window): {len(rows)} coded passages read by their words"
        in said
    )
    coded = pd.read_csv(out, keep_default_na=False)
    human = coded[coded["status"] == "human"]
    cut = qc.read_transcripts(folder, segment_by="sentence").segments
    sentences = cut.set_index(["doc_id", "segment_id"])
    turns = {(d, int(a), int(b)) for d, a, b in zip(rows["doc_id"], rows["start_char"], rows["end_char"], strict=True)}
    for doc, segment in zip(human["doc_id"], human["segment_id"], strict=True):
        row = sentences.loc[(doc, segment)]  # a sentence inside one of the coded turns
        assert any(d == doc and a <= row["start_char"] and row["end_char"] <= b for d, a, b in turns), (doc, segment)
    assert set(human["speaker"]) <= set(rows["speaker"])  # no interviewer question among them
    assert len(human) > len(rows)  # the turns' sentences, several per turn
