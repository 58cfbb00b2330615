"""qualcode.active: choosing the segments to code next, and the sheet's round trip to --train."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import qualcode as qc
from qualcode.active import select, usefulness
from qualcode.cli import app
from qualcode.meta import read_meta

from .conftest import CODEBOOK, EXAMPLES


def test_usefulness_seeks_likely_positives_of_codes_with_few_examples():
    values = np.array([[0.4, 0.0, 1.0, 0.2], [0.2, 0.2, 0.2, 0.2]])
    u = usefulness(values, np.array([0.4, 0.4, 0.4, 0.4]), np.array([0, 0, 3, 0]))
    assert u[0, 0] == 1.0 and u[0, 1] == 0.0  # at the threshold: likely a positive; zero: not
    assert u[0, 2] == pytest.approx(0.5)  # as likely, but the code already has 3 examples
    assert u[1, 0] == u[0, 3] == pytest.approx(0.5)


def test_codes_with_few_examples_are_sought_by_their_definition_scores():
    learned = np.array([[0.9, 0.9], [0.1, 0.1]])
    definition = np.array([[0.0, 0.0], [0.4, 0.4]])  # zero-shot: the second row looks like both
    u = usefulness(learned, np.array([0.5, 0.5]), np.array([2, 3]), definition)
    # two examples: the learned probability knows too little, the definition decides
    assert u[1, 0] == pytest.approx(1 / np.sqrt(3)) and u[0, 0] == 0.0
    # three examples: the learned probability decides
    assert u[0, 1] == pytest.approx(0.5) and u[1, 1] == pytest.approx(0.2 / 2)


def test_definitions_are_trusted_as_far_as_they_rank_the_human_codes():
    from qualcode.active import definition_trust
    from qualcode.match.learned_features import ranking_auc

    labels = np.array([[True, False], [False, False], [False, True], [False, False]])
    assert ranking_auc(np.array([[0.9, 0.1], [0.2, 0.3], [0.1, 0.8], [0.3, 0.2]]), labels) == 1.0
    assert ranking_auc(np.full((4, 2), 0.5), labels) == 0.5  # ties everywhere: chance
    assert ranking_auc(np.ones((4, 2)), np.zeros((4, 2), dtype=bool)) is None  # nothing coded
    assert definition_trust(None) == 0.0 and definition_trust(0.45) == 0.0
    assert definition_trust(0.6) == pytest.approx(0.5) and definition_trust(0.9) == 1.0
    learned, definition = np.array([[0.2]]), np.array([[0.4]])
    half = usefulness(learned, np.array([0.4]), np.array([0]), definition, trust=0.5)
    assert half[0, 0] == pytest.approx(0.75)  # halfway between 0.5 (learned) and 1.0 (definition)


def test_of_segments_equally_useful_the_likeliest_comes_first():
    """Usefulness is capped at 1 (a likely positive), and with a rare code's low threshold
    many segments reach it: they were taken in corpus order (on TalkMoves the lessons'
    openings, "Oh, okay", "Alright"), not the likeliest first."""
    values = np.array([[0.2], [0.9], [0.3], [0.6]])  # all over the threshold 0.1
    capped = usefulness(values, np.array([0.1]), np.array([1]))
    assert np.allclose(capped, 1 / np.sqrt(2))  # tied
    uncapped = usefulness(values, np.array([0.1]), np.array([1]), cap=np.inf)
    documents = np.array(["a", "b", "c", "d"])
    assert select(capped, np.eye(4), documents, 2) == [0, 1]  # without a second key: corpus order
    assert select(capped, np.eye(4), documents, 2, ties=uncapped) == [1, 3]


def test_rows_likely_for_no_code_are_not_useful_picks():
    uncertainty = np.array([[0.0, 0.0], [0.3, 0.0], [0.0, 0.0]])
    assert select(uncertainty, np.eye(3), np.array(["a", "b", "c"]), 3) == [1]


@pytest.mark.model
def test_a_code_without_examples_is_sought_where_its_definition_scores(codebook, example_corpus):
    human = qc.read_codings(EXAMPLES / "human_codes_d01.csv")
    sheet = qc.next_to_code(example_corpus, codebook, training=human, n=40, cache=None)
    given = set(human["code"])
    hybrid = qc.suggest(example_corpus, codebook, method="hybrid", cache=None, min_score=0.0)
    useful = sheet[(sheet["chosen"] == "useful") & ~sheet["useful_for"].isin(given)]
    assert len(useful) > 0
    made = sheet.attrs["qualcode"]  # the example codebook's definitions rank d01's codes well
    assert made["definition_auc"] > 0.7 and made["definition_trust"] == 1.0
    zero_shot = hybrid.set_index(["doc_id", "segment_id", "code"])["score"]
    for row in useful.itertuples():  # no examples: usefulness is the zero-shot score over 0.4
        expected = min(1.0, float(zero_shot.get((row.doc_id, row.segment_id, row.useful_for), 0.0)) / 0.4)
        assert row.usefulness == pytest.approx(expected, abs=1e-3), row.useful_for


@pytest.mark.model
def test_a_batch_with_nothing_likely_is_filled_at_random(example_corpus):
    """Every code applied by hand only (suggest: false): no segment is a likely example of
    anything, so the whole batch is drawn at random and says so."""
    import yaml

    from qualcode.codebook import parse_codebook

    def by_hand(codes):
        for code in codes:
            code["suggest"] = False
            by_hand(code.get("children", []))

    raw = yaml.safe_load(CODEBOOK.read_text(encoding="utf-8"))
    by_hand(raw["codes"])
    human = qc.read_codings(EXAMPLES / "human_codes_d01.csv")
    sheet = qc.next_to_code(example_corpus, parse_codebook(raw), training=human, n=6, cache=None)
    assert len(sheet) == 6 and sheet["chosen"].eq("at random").all()
    assert len(set(zip(sheet["doc_id"], sheet["segment_id"], strict=True))) == 6


def test_the_same_documents_in_another_order_give_the_same_sheet(codebook, example_corpus):
    """`next -i a b` and `next -i b a`: the random half and the ties among equally useful
    segments are drawn from the segments in one order, not the order the files came in."""
    human = qc.read_codings(EXAMPLES / "human_codes_d01.csv")
    segments = example_corpus.segments
    backwards = pd.concat([part for _, part in segments.groupby("doc_id", sort=True)][::-1], ignore_index=True)
    assert backwards["doc_id"].tolist() != segments["doc_id"].tolist()
    first = qc.next_to_code(segments, codebook, training=human, n=6, cache=None)
    second = qc.next_to_code(backwards, codebook, training=human, n=6, cache=None)
    assert set(first["chosen"]) == {"useful", "at random"}
    pd.testing.assert_frame_equal(first, second)


def test_select_spreads_over_documents_and_skips_near_copies():
    vectors = np.eye(6)
    vectors[1] = vectors[0]  # a near copy of row 0
    uncertainty = np.array([[0.9], [0.89], [0.8], [0.7], [0.6], [0.5]])
    documents = np.array(["a", "a", "a", "b", "c", "d"])
    rows = select(uncertainty, vectors, documents, 4)
    assert rows[0] == 0 and 1 not in rows
    assert len(rows) == 4 and len(set(documents[rows])) >= 3


@pytest.mark.model
def test_sheet_round_trip_trains_on_coded_segments_only(codebook, tmp_path):
    corpus = qc.read_transcripts(EXAMPLES)
    first = qc.next_to_code(corpus, codebook, n=6, cache=None)
    assert len(first) == 6 and first["codes"].eq("").all()
    assert first["chosen"].eq("at random").all()  # no codes yet: an unbiased first sample
    again = qc.next_to_code(corpus, codebook, n=6, cache=None)
    assert again.equals(first)  # seeded: the same input gives the same sheet
    keys = set(zip(first["doc_id"], first["segment_id"], strict=True))
    assert len(keys) == 6 and keys <= set(zip(corpus.segments["doc_id"], corpus.segments["segment_id"], strict=True))
    # each row shows what was said before it in its document (the question an answer replies to)
    segments = corpus.segments.set_index(["doc_id", "segment_id"])
    for doc_id, segment_id, before in zip(first["doc_id"], first["segment_id"], first["before"], strict=True):
        if segment_id == 0:
            assert before == ""
            continue
        previous = segments.loc[(doc_id, segment_id - 1)]
        assert before == f"{previous['speaker']}: {previous['text']}"
    assert first["before"].str.startswith("Interviewer: ").any()
    assert list(first.columns).index("before") == list(first.columns).index("text") - 1
    first.loc[0, "codes"] = "personnel; strength"
    first.loc[1, "codes"] = "covid_lessons"
    sheet = tmp_path / "to_code.csv"
    first.to_csv(sheet, index=False)
    human = qc.read_codings(sheet)
    assert len(human) == 3 and len(human.attrs["labelled_segments"]) == 6
    training = qc.match.Training.from_codings(human, corpus.segments, codebook.ids)
    assert len(training.segments) == 6 and training.labels.sum() == 3
    sheet_docs = set(first["doc_id"])  # the rest of their documents: the examples' neighbours
    assert training.context is not None and set(training.context["doc_id"]) == sheet_docs
    assert len(training.context) == int(corpus.segments["doc_id"].isin(sheet_docs).sum())
    second = qc.next_to_code(corpus, codebook, training=sheet, n=5, cache=None)
    chosen = set(zip(second["doc_id"], second["segment_id"], strict=True))
    assert not chosen & set(human.attrs["labelled_segments"])
    coded = qc.suggest(corpus, codebook, training=sheet, cache=None)
    human_rows = coded[coded["method"] == "human"]
    assert len(human_rows) == 3  # the empty rows are negatives, not codes
    others = coded[~coded.set_index(["doc_id", "segment_id"]).index.isin(human.attrs["labelled_segments"])]
    assert len(others) > 0  # the rest of those documents is still suggested


@pytest.mark.model
def test_a_sheet_in_excel_is_filled_in_and_teaches(tmp_path):
    """`next -o to_code.xlsx`: the sheet opens in Excel with its text whole (a UTF-8 CSV opens
    in the system's code page); filled in there, it teaches `tag --train` and the next `next`."""
    import openpyxl

    human = EXAMPLES / "human_codes_d01.csv"
    out = tmp_path / "to_code.xlsx"
    args = ["next", str(human), "-c", str(CODEBOOK), "-i", str(EXAMPLES), "-n", "4", "-o", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "to_code.meta.json").is_file()
    book = openpyxl.load_workbook(out)
    header = [cell.value for cell in book.active[1]]
    assert {"before", "text", "codes", "chosen"} <= set(header)
    book.active.cell(row=2, column=header.index("codes") + 1, value="Covid lessons; strength")
    book.save(out)
    coded = tmp_path / "coded.csv"
    tag = CliRunner().invoke(
        app, ["tag", str(EXAMPLES), "-c", str(CODEBOOK), "-o", str(coded), "--train", str(human), "--train", str(out)]
    )
    assert tag.exit_code == 0, tag.output
    rows = pd.read_csv(coded)
    first = pd.read_excel(out, dtype=str).iloc[0]
    taught = rows[(rows["method"] == "human") & (rows["doc_id"] == first["doc_id"])]
    assert {"covid_lessons", "strength"} <= set(taught[taught["segment_id"] == int(first["segment_id"])]["code"])
    more = tmp_path / "more.csv"
    again = CliRunner().invoke(app, ["next", str(human), str(out), "-c", str(CODEBOOK), "-n", "3", "-o", str(more)])
    assert again.exit_code == 0, again.output  # the transcripts found through the sheet's record
    chosen = set(zip(pd.read_csv(more)["doc_id"], pd.read_csv(more)["segment_id"], strict=True))
    assert (first["doc_id"], int(first["segment_id"])) not in chosen
    wrong = CliRunner().invoke(app, [*args[:-1], str(tmp_path / "to_code.ods")])
    assert wrong.exit_code == 2 and "written as .csv or .xlsx" in wrong.output
    # a tag output named like the sheet would replace the sheet's record (its transcripts)
    clash = CliRunner().invoke(app, ["tag", str(EXAMPLES), "-c", str(CODEBOOK), "-o", str(tmp_path / "to_code.csv")])
    assert clash.exit_code == 2 and "is that of to_code.xlsx beside it" in " ".join(clash.output.split())
    assert not (tmp_path / "to_code.csv").exists()


@pytest.mark.model
def test_a_first_batch_from_a_survey_table_names_its_columns(tmp_path):
    """`next -i survey.csv --text-column essay --id-column rid`, as `tag` takes them; recorded,
    so the next `next` given the filled-in sheet reads the table the same way."""
    survey = tmp_path / "survey.csv"
    answers = [
        "We hired two counselors this year.",
        "Every school now has a wellness plan.",
        "Principals model care for their staff.",
        "The pandemic changed how we check on families.",
        "Teachers got training on trauma.",
        "Bus drivers greet every child by name.",
    ]
    pd.DataFrame({"rid": [f"r{i}" for i in range(6)], "essay": answers}).to_csv(survey, index=False)
    out = tmp_path / "first.csv"
    args = ["next", "-i", str(survey), "-c", str(CODEBOOK), "-n", "3", "-o", str(out)]
    refused = CliRunner().invoke(app, args)
    assert refused.exit_code == 2 and "pass --text-column" in refused.output
    result = CliRunner().invoke(app, [*args, "--text-column", "essay", "--id-column", "rid"])
    assert result.exit_code == 0, result.output
    sheet = pd.read_csv(out, keep_default_na=False)
    assert set(sheet["doc_id"]) <= {f"r{i}" for i in range(6)} and set(sheet["text"]) <= set(answers)
    sheet.loc[0, "codes"] = "personnel"
    sheet.to_csv(out, index=False)
    again = CliRunner().invoke(
        app, ["next", str(out), "-c", str(CODEBOOK), "-n", "2", "-o", str(tmp_path / "more.csv")]
    )
    assert again.exit_code == 0, again.output


@pytest.mark.model
def test_next_command_writes_a_sheet(tmp_path):
    human = EXAMPLES / "human_codes_d01.csv"
    out = tmp_path / "to_code.csv"
    result = CliRunner().invoke(
        app, ["next", str(human), "-c", str(CODEBOOK), "-i", str(EXAMPLES), "-n", "4", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    sheet = pd.read_csv(out, keep_default_na=False)
    assert len(sheet) == 4 and {"text", "suggested", "useful_for", "codes"} <= set(sheet.columns)
    # half likely examples of codes with few, half at random; the same input, the same sheet
    assert sheet["chosen"].tolist() == ["useful", "useful", "at random", "at random"]
    assert "d01_superintendent" not in set(sheet.doc_id)  # its segments are coded already
    again = tmp_path / "again.csv"
    rerun = CliRunner().invoke(
        app, ["next", str(human), "-c", str(CODEBOOK), "-i", str(EXAMPLES), "-n", "4", "-o", str(again)]
    )
    assert rerun.exit_code == 0 and again.read_bytes() == out.read_bytes()
    missing = CliRunner().invoke(app, ["next", str(human), "-c", str(CODEBOOK), "-o", str(tmp_path / "x.csv")])
    assert missing.exit_code == 2 and "pass the transcripts as --inputs" in missing.output


def test_a_first_batch_needs_no_codes_only_the_transcripts(tmp_path):
    """A researcher with no codes yet asks which segments to code first: `next -i` with no
    CODED, or `next coded.csv` over a tag output nobody has reviewed (read for its
    transcripts), gives the same batch drawn at random."""
    first = tmp_path / "first.csv"
    result = CliRunner().invoke(app, ["next", "-i", str(EXAMPLES), "-c", str(CODEBOOK), "-n", "6", "-o", str(first)])
    assert result.exit_code == 0, result.output
    sheet = pd.read_csv(first, keep_default_na=False)
    assert len(sheet) == 6 and set(sheet["chosen"]) == {"at random"} and sheet["doc_id"].nunique() > 1
    assert read_meta(first).inputs  # a later `next` or `tag --train` finds the transcripts through it
    coded = tmp_path / "coded.csv"
    tagged = CliRunner().invoke(
        app, ["tag", str(EXAMPLES), "-c", str(CODEBOOK), "-o", str(coded), "--method", "keyword"]
    )
    assert tagged.exit_code == 0, tagged.output
    again = tmp_path / "again.csv"
    result = CliRunner().invoke(app, ["next", str(coded), "-c", str(CODEBOOK), "-n", "6", "-o", str(again)])
    assert result.exit_code == 0, result.output
    assert "coded.csv: no human codes yet" in " ".join(result.output.split())
    columns = ["doc_id", "segment_id", "text", "chosen"]
    pd.testing.assert_frame_equal(pd.read_csv(again, keep_default_na=False)[columns], sheet[columns])
    # filled in and given to tag --train: the unreviewed output it was chosen from was read
    # as a training file too (its record names it), and the run stopped: "no human codes"
    filled = pd.read_csv(again, keep_default_na=False).assign(
        codes=["strength", "strength", "growth_area", "growth_area", "none", "none"], coder="ana"
    )
    filled.to_csv(again, index=False)
    args = ["tag", str(EXAMPLES), "-c", str(CODEBOOK), "--train"]
    learned = CliRunner().invoke(app, [*args, str(again), "-o", str(tmp_path / "learned.csv")])
    assert learned.exit_code == 0, learned.output
    assert "6 learned from" in learned.output and "coded.csv" not in learned.output
    neither = CliRunner().invoke(app, ["next", "-c", str(CODEBOOK), "-o", str(tmp_path / "x.csv")])
    assert neither.exit_code == 2 and "give the transcripts (-i)" in neither.output
    assert not (tmp_path / "x.csv").exists()


def test_next_without_a_codebook_takes_the_one_coded_was_made_with(tmp_path):
    """`qualcode next coded.csv -n 6 -o to_code.csv`, as a researcher writes it: the codebook
    comes from coded.meta.json; edited since, it is used as it is now and the run says so;
    gone, or no record at all, one line names the fix and nothing is written."""
    book = tmp_path / "book.yaml"
    book.write_text(CODEBOOK.read_text(encoding="utf-8"), encoding="utf-8")
    coded = tmp_path / "coded.csv"
    tagged = CliRunner().invoke(app, ["tag", str(EXAMPLES), "-c", str(book), "-o", str(coded), "--method", "keyword"])
    assert tagged.exit_code == 0, tagged.output

    def chosen(*args):
        return CliRunner().invoke(app, ["next", *map(str, args)])

    result = chosen(coded, "-n", "6", "-o", tmp_path / "first.csv")
    assert result.exit_code == 0, result.output
    assert chosen(coded, "-c", book, "-n", "6", "-o", tmp_path / "given.csv").exit_code == 0
    assert (tmp_path / "first.csv").read_bytes() == (tmp_path / "given.csv").read_bytes()
    assert read_meta(tmp_path / "first.csv").codebook_path() == str(book)  # and so for the sheet's next round

    book.write_text(book.read_text(encoding="utf-8").replace('version: "1.0"', 'version: "1.1"'), encoding="utf-8")
    edited = chosen(coded, "-n", "6", "-o", tmp_path / "edited.csv")
    assert edited.exit_code == 0 and f"{book} changed since {coded} was made" in " ".join(edited.output.split())

    book.unlink()
    gone = chosen(coded, "-n", "6", "-o", tmp_path / "gone.csv")
    said = " ".join(gone.output.split())
    assert gone.exit_code == 2 and f"{book}, is not there any more; give it with --codebook (-c)" in said, said
    assert not (tmp_path / "gone.csv").exists()
    plain = tmp_path / "plain.csv"
    plain.write_bytes(coded.read_bytes())  # no .meta.json beside it
    none = chosen(plain, "-n", "6", "-o", tmp_path / "none.csv")
    assert none.exit_code == 2 and "no record of the codebook it was made with" in " ".join(none.output.split())
    assert not (tmp_path / "none.csv").exists()
    typo = chosen(tmp_path / "codd.csv", "-n", "6", "-o", tmp_path / "typo.csv")  # no file at all: said so
    said = " ".join(typo.output.split())
    assert typo.exit_code == 2 and f"{tmp_path / 'codd.csv'}: no such file; check the path" in said, said
    assert "record" not in said and not (tmp_path / "typo.csv").exists()


@pytest.mark.model
def test_next_and_tag_learn_from_every_codings_file_so_far(tmp_path):
    """The loop in the README: hand-coded interviews, then sheets; nothing coded before is
    chosen again or left out of learning, and later commands find the transcripts."""
    human = EXAMPLES / "human_codes_d01.csv"
    first = tmp_path / "to_code.csv"
    run = CliRunner().invoke(
        app, ["next", str(human), "-c", str(CODEBOOK), "-i", str(EXAMPLES), "-n", "4", "-o", str(first)]
    )
    assert run.exit_code == 0, run.output
    assert (tmp_path / "to_code.meta.json").is_file()  # the sheet knows its transcripts
    settings = json.loads((tmp_path / "to_code.meta.json").read_text())["settings"]
    assert 0.5 < settings["definition_auc"] <= 1 and 0 <= settings["definition_trust"] <= 1
    sheet = pd.read_csv(first, keep_default_na=False)
    sheet.loc[0, "codes"] = "personnel"
    sheet.to_csv(first, index=False)
    more = tmp_path / "more.csv"
    run = CliRunner().invoke(app, ["next", str(human), str(first), "-c", str(CODEBOOK), "-n", "4", "-o", str(more)])
    assert run.exit_code == 0, run.output
    chosen = set(zip(pd.read_csv(more)["doc_id"], pd.read_csv(more)["segment_id"], strict=True))
    assert not chosen & set(zip(sheet["doc_id"], sheet["segment_id"], strict=True))
    hand_coded = set(qc.read_codings(human)["doc_id"])
    assert not {doc for doc, _ in chosen} & hand_coded
    coded = tmp_path / "coded.csv"
    run = CliRunner().invoke(
        app,
        ["tag", str(EXAMPLES), "-c", str(CODEBOOK), "-o", str(coded), "--train", str(human), "--train", str(first)],
    )
    assert run.exit_code == 0, run.output
    made = " ".join(run.output.split())
    rows = pd.read_csv(coded, keep_default_na=False)
    humans = rows[rows["method"] == "human"]
    assert set(humans["doc_id"]) == hand_coded | {sheet.loc[0, "doc_id"]}
    assert len(humans) == len(qc.read_codings(human)) + 1
    recorded = json.loads((tmp_path / "coded.meta.json").read_text())["settings"]["training"]
    assert recorded == [str(human), str(first)]
    assert read_meta(coded).settings.training == (str(human), str(first))
    # the sheet alone: the codes it was drawn after (its record names them) teach too
    alone = tmp_path / "alone.csv"
    run = CliRunner().invoke(app, ["tag", str(EXAMPLES), "-c", str(CODEBOOK), "-o", str(alone), "--train", str(first)])
    assert run.exit_code == 0 and f"{first} was made from {human}: read too" in " ".join(run.output.split())
    assert pd.read_csv(alone, keep_default_na=False).equals(rows)
    clash = CliRunner().invoke(app, ["next", str(human), str(first), "-c", str(CODEBOOK), "-o", str(first)])
    assert clash.exit_code != 0 and "also an input" in clash.output
    # given only the tag output, next also reads the files it was made from: the sheet's rows
    # of no code are not in coded.csv, and were chosen again
    third = tmp_path / "third.csv"
    run = CliRunner().invoke(app, ["next", str(coded), "-n", "4", "-o", str(third)])
    assert run.exit_code == 0, run.output
    said = " ".join(run.output.split())
    # one line for the files coded.csv was made from (human.csv and the sheet)
    assert (
        "read too (its codes teach, and no segment it coded, with no code too, is chosen again), as the records "
        in said
    )
    assert f"name them: {coded} was made from {human}; {coded} was made from {first}" in said
    chosen = set(zip(pd.read_csv(third)["doc_id"], pd.read_csv(third)["segment_id"], strict=True))
    assert not chosen & set(zip(sheet["doc_id"], sheet["segment_id"], strict=True))
    assert not {doc for doc, _ in chosen} & hand_coded
    # tag --train coded.csv reads its copies from the files: the same examples as from them
    again = tmp_path / "again.csv"
    run_again = CliRunner().invoke(
        app, ["tag", str(EXAMPLES), "-c", str(CODEBOOK), "-o", str(again), "--train", str(coded)]
    )
    assert run_again.exit_code == 0, run_again.output
    said = " ".join(run_again.output.split())
    assert f"read too (its codes teach), as the records name them: {coded} was made from {human}; {coded} was " in said
    learned = re.search(r"\(\d+ scored, \d+ learned from\)", said)
    assert learned and learned.group(0) in made  # not the sheet's whole interview
    assert pd.read_csv(again, keep_default_na=False).equals(rows)  # the same model, the same output
    # its human rows are copies of those files, read on their own: a copy of one sheet row
    # read as coded.csv's own code made its whole interview examples of no code
    assert len(qc.read_codings(coded, read_apart=[human, first])) == 0
    assert len(qc.read_codings(coded, read_apart=[human])) == 1
    first.unlink()
    run = CliRunner().invoke(app, ["next", str(coded), "-n", "4", "-o", str(tmp_path / "fourth.csv")])
    assert (
        run.exit_code == 0
        and f"made from {first}, which is no longer there: its rows where no code applies are not known"
        in " ".join(run.output.split())
    )


def test_select_spreads_over_roles():
    vectors = np.eye(8)
    uncertainty = np.linspace(0.9, 0.2, 8)[:, None]  # the most useful rows are all principals
    documents = np.array([f"d{i}" for i in range(8)])
    roles = np.array(["principal"] * 5 + ["superintendent", "counselor", "counselor"], dtype=object)
    rows = select(uncertainty, vectors, documents, 3, roles=roles)
    assert len(rows) == 3 and list(roles[rows]).count("principal") <= 2  # ceil(2 * 3 / 3 roles)
    assert select(uncertainty, vectors, documents, 3) == [0, 1, 2]  # without roles: by usefulness
    assert rows == [0, 1, 5]


@pytest.mark.model
def test_next_offers_interviewer_turns_only_for_a_code_that_names_them(codebook, example_corpus):
    data = codebook.to_dict()
    data["codes"].append(
        {"id": "asks_about_support", "label": "Asks about support", "applies_to": {"is_interviewer": ["true"]}}
    )
    named = qc.codebook.parse_codebook(data)
    plain = qc.next_to_code(example_corpus, codebook, n=200, cache=None)
    offered = qc.next_to_code(example_corpus, named, n=200, cache=None)
    turns = example_corpus.segments.set_index(["doc_id", "segment_id"])["is_interviewer"]

    def interviewer(sheet):
        return int(turns.loc[list(zip(sheet["doc_id"], sheet["segment_id"], strict=True))].sum())

    assert interviewer(plain) == 0
    assert interviewer(offered) == int(turns.sum()) > 0
    assert len(offered) == len(plain) + int(turns.sum())


@pytest.mark.model
def test_a_first_batch_leaves_out_the_interviewer_named(tmp_path):
    """`next -i … --interviewer NAME`, as `tag` takes it: the named interviewer's turns are not
    offered (without it, two of six picks here were Lee's questions), and the name is recorded
    for the runs that read the sheet."""
    talk = tmp_path / "talk.txt"
    lines = []
    for i in range(6):
        lines += [
            f"Lee: Question {i} about how your district supports care?",
            f"Sam: We hired counselor {i} for students.",
        ]
    talk.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "first.csv"
    args = ["next", "-i", str(talk), "-c", str(CODEBOOK), "-n", "6", "-o", str(out), "--interviewer", "Lee"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    sheet = pd.read_csv(out, keep_default_na=False)
    assert len(sheet) == 6 and set(sheet["speaker"]) == {"Sam"}
    assert sheet["before"].str.startswith("Lee: Question").all()
    recorded = json.loads((tmp_path / "first.meta.json").read_text(encoding="utf-8"))
    assert recorded["settings"]["interviewers"] == ["Lee"]


def test_next_when_the_sheets_hold_every_segment_says_so(tmp_path):
    """Every participant turn of the transcript is in a filled-in sheet: nothing is left to
    choose, and the line says so in the sheets' terms (not "a document holding a coding is
    coded throughout", which is about whole coded documents)."""
    source = EXAMPLES / "d02_student_services.txt"
    segments = qc.read_transcripts([source]).segments
    turns = segments[~segments["is_interviewer"]]
    sheet = tmp_path / "sheet.csv"
    turns.assign(codes="")[["doc_id", "segment_id", "text", "codes"]].to_csv(sheet, index=False)
    result = CliRunner().invoke(
        app, ["next", str(sheet), "-i", str(source), "-c", str(CODEBOOK), "-o", str(tmp_path / "next.csv")]
    )
    assert result.exit_code == 2, result.output
    flat = " ".join(result.output.split())
    assert f"the sheets so far hold all {len(turns)} segments that can be chosen in 1 document;" in flat
    assert not (tmp_path / "next.csv").exists()


@pytest.mark.model
def test_a_sheet_saved_under_another_name_finds_its_record_by_its_segments(tmp_path):
    """A filled sheet saved as a new file (to_code_ana.csv) had no record beside it: the
    codings it was chosen after were silently left out of learning."""
    human = EXAMPLES / "human_codes_d01.csv"
    sheet = tmp_path / "to_code.csv"
    args = ["-c", str(CODEBOOK), "-i", str(EXAMPLES), "-n", "4", "-o", str(sheet)]
    assert CliRunner().invoke(app, ["next", str(human), *args]).exit_code == 0
    renamed = tmp_path / "to_code_ana.csv"
    filled = pd.read_csv(sheet, keep_default_na=False).assign(codes="personnel", coder="ana")
    filled.iloc[:3].to_csv(renamed, index=False)  # the row not coded yet deleted, as the README asks

    def learned_from(*training):
        train = [item for path in training for item in ("--train", str(path))]
        out = tmp_path / f"out{len(list(tmp_path.glob('out*.csv')))}.csv"
        run = CliRunner().invoke(app, ["tag", str(EXAMPLES), "-c", str(CODEBOOK), *train, "-o", str(out)])
        assert run.exit_code == 0, run.output
        said = " ".join(run.output.split())
        found = re.search(r"\d+ (?:learned from|hand-coded, not scored)", said)  # the latter: nothing learned
        assert found is not None, said
        return said, found.group(0)

    said, alone = learned_from(renamed)
    assert f"{renamed} holds the segments of the sheet {sheet}: read with its record" in said
    assert f"made from {human}: read too" in said
    assert alone == learned_from(human, renamed)[1]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    lone = elsewhere / renamed.name
    renamed.rename(lone)
    said, _ = learned_from(lone)
    assert (
        f"{lone}: a qualcode next sheet without its record (to_code_ana.meta.json; saved under another name?)" in said
    )


def test_a_sheet_filled_in_again_replaces_the_earlier_filling_a_record_names(tmp_path):
    """A sheet filled in (v1), learned from into the file it was chosen from, then filled in
    again under another name (v2): the record chain read v1 too and took the union, so a
    code taken out of the sheet still taught and came back as a human code."""
    coded, sheet = tmp_path / "coded.csv", tmp_path / "to_code.csv"

    def ok(*args):
        run = CliRunner().invoke(app, [str(arg) for arg in args])
        assert run.exit_code == 0, run.output
        return " ".join(run.output.split())

    ok("tag", EXAMPLES, "-c", CODEBOOK, "-o", coded)  # zero-shot: the first sheet is chosen from it
    ok("next", coded, "-n", "4", "-o", sheet)
    rows = pd.read_csv(sheet, keep_default_na=False)
    first, second = tmp_path / "to_code_v1.csv", tmp_path / "to_code_v2.csv"
    rows.assign(codes="personnel", coder="ana").to_csv(first, index=False)
    ok("tag", EXAMPLES, "-c", CODEBOOK, "--train", first, "-o", coded)  # its record now names v1
    rows.assign(codes=["strength", "", "", ""], coder="ana").to_csv(second, index=False)  # personnel taken out
    out = tmp_path / "out.csv"
    said = ok("tag", EXAMPLES, "-c", CODEBOOK, "--train", second, "-o", out)
    assert (
        f"{first} (read too, as a record names it) codes 4 segments that {second} codes too: there it decides" in said
    )
    human = pd.read_csv(out).query("method == 'human'")
    assert human["code"].tolist() == ["strength"]  # not personnel on all four
    record = read_meta(out).settings
    assert record.training[: record.training_given] == (str(second),)
    again = tmp_path / "again.csv"  # and from the output's record, one round on
    said = ok("next", out, "-n", "2", "-o", again)
    assert f"{first} (read too, as a record names it) codes 4 segments that {second} codes too" in said
