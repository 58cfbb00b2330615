"""Human codes as excerpts (the coded words, no offsets): Taguette's highlights export,
MAXQDA's coded segments, a team's spreadsheet; found in the transcripts' texts."""

from __future__ import annotations

import shutil
import warnings

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import qualcode as qc
from qualcode.cli import app
from qualcode.errors import ColumnError, OptionError, QualcodeWarning
from qualcode.excerpts import place_excerpts
from qualcode.training import training_set

from .conftest import CODEBOOK, EXAMPLES

FIXTURES = EXAMPLES.parents[1] / "tests" / "fixtures" / "taguette"
SERDIF = FIXTURES / "SERDIF_P2_ThematicAnalysis.sqlite3"
HIGHLIGHTS = FIXTURES / "all_tags_20220303_P6_P13_P15.csv"  # Taguette's own export of three sessions
SESSIONS = ("P13_GMT20211203.odt", "P15_GMT20211201.odt", "P6_GMT20211126.odt")

TEXTS = {
    "a": "Interviewer: Why?\nP1: We hired two counselors. Okay. We hired two counselors.\nInterviewer: Okay.",
    "b": "P2: The district\u2019s  budget\n was \u201ccut\u201d in 2020 \u2014 twice.",
}


def excerpts(tmp_path, rows, header=("document", "tag", "content")):
    path = tmp_path / "highlights.csv"
    pd.DataFrame(rows, columns=list(header)).to_csv(path, index=False)
    return qc.read_codings(path)


def test_excerpts_are_found_in_the_texts(tmp_path):
    codings = excerpts(
        tmp_path,
        [
            ["a", "staffing", "We hired two counselors."],
            ["b.docx", "budget", 'the district\'s budget was "CUT" in 2020 - twice'],  # file name; case, quotes
            ["a", "staffing; hiring", "We hired two counselors."],  # two codes in one cell; the words twice
        ],
    )
    assert list(codings.columns) == ["doc_id", "code", "coder", "excerpt", "line"]
    with pytest.warns(QualcodeWarning, match="3 of its 4 excerpts occur more than once"):
        placed = place_excerpts(codings, TEXTS)
    spans = [(d, TEXTS[d][s:e], c) for d, s, e, c in placed[["doc_id", "start_char", "end_char", "code"]].values]
    assert spans[0] == ("a", "We hired two counselors.", "staffing")
    assert spans[1] == ("b", "The district\u2019s  budget\n was \u201ccut\u201d in 2020 \u2014 twice", "budget")
    # the same words and code again: the next place; another code on the same words: the same place
    starts = placed["start_char"].tolist()
    assert spans[2][2] == "staffing" and starts[2] > starts[0] and starts[3] == starts[2]
    assert placed["coder"].eq("human").all()  # no coder column: the default coder


def test_words_not_in_the_text_or_an_unknown_document_are_errors(tmp_path):
    missing = excerpts(tmp_path, [["a", "staffing", "We hired two counselors."], ["a", "x", "We fired everyone."]])
    with pytest.raises(ColumnError, match=r"highlights.csv:3: the words 'We fired everyone.' are not in a's text"):
        place_excerpts(missing, TEXTS)
    unknown = excerpts(tmp_path, [["c.txt", "staffing", "We hired"]])
    with pytest.raises(ColumnError, match=r"highlights.csv:2: document 'c.txt' is not among the inputs"):
        place_excerpts(unknown, TEXTS)
    numbers = tmp_path / "numbers.csv"
    numbers.write_text("doc_id,segment,code\na,0,staffing\na,3,staffing\n", encoding="utf-8")
    with pytest.raises(ColumnError, match=r"column 'segment' holds whole numbers.*name the column segment_id"):
        qc.read_codings(numbers)  # segment ids under another name: not words to search for
    empty = tmp_path / "empty.csv"
    empty.write_text("document,tag,content\na,staffing,\n", encoding="utf-8")
    with pytest.raises(ColumnError, match=r"empty.csv:2: content is empty"):
        qc.read_codings(empty)


def test_other_tools_headers_are_read(tmp_path):
    """MAXQDA's coded segments (Document name, Code, Segment, Created by) and ATLAS.ti's
    quotations (Document, Codes one per line, Quotation Content)."""
    maxqda = excerpts(
        tmp_path,
        [["a", "staffing", "We hired two counselors.", "ana"]],
        header=("Document name", "Code", "Segment", "Created by"),
    )
    assert maxqda[["doc_id", "code", "coder"]].values.tolist() == [["a", "staffing", "ana"]]
    atlas = excerpts(tmp_path, [["b", "budget\ncuts", "budget"]], header=("Document", "Codes", "Quotation Content"))
    assert atlas["code"].tolist() == ["budget", "cuts"]


def test_taguettes_highlights_export_teaches_as_the_project_does():
    """The same codes, once as Taguette's highlights CSV (the coded words) and once as the
    project's own offsets (read from its SQLite file): the same training examples and labels."""
    project = qc.read_taguette(SERDIF)
    texts = {doc.doc_id: doc.text for doc in project.corpus.documents if doc.doc_id in SESSIONS}
    segments = project.corpus.segments[project.corpus.segments["doc_id"].isin(SESSIONS)]
    spans = project.codings[project.codings["doc_id"].isin(SESSIONS)]
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        words = training_set(str(HIGHLIGHTS), project.codebook, segments, texts)
    assert any("15 of its 263 excerpts occur more than once" in str(w.message) for w in said)
    offsets = training_set(spans, project.codebook, segments, texts)
    assert words.labels.sum() == offsets.labels.sum() > 250
    pd.testing.assert_frame_equal(words.segments, offsets.segments)
    assert np.array_equal(words.labels, offsets.labels)
    with pytest.raises(OptionError, match="give the transcripts"):  # a bare segments table: no texts to search
        training_set(str(HIGHLIGHTS), project.codebook, segments)


@pytest.mark.model
def test_tag_and_evaluate_with_a_highlights_export(tmp_path):
    """As a Taguette user would: the project imported for its transcripts, two sessions'
    highlights exported as CSV teach (`tag --train`), the third's are the gold (`evaluate
    --gold`): the same suggestions and figures as with the project's offsets."""
    runner = CliRunner()
    result = runner.invoke(app, ["import", str(SERDIF), "-o", str(tmp_path / "project")])
    assert result.exit_code == 0, result.output
    sources = tmp_path / "sessions"
    sources.mkdir()
    for name in SESSIONS:
        shutil.copy(tmp_path / "project" / "sources" / f"{name}.txt", sources)
    export = pd.read_csv(HIGHLIGHTS)
    export[export["document"] != SESSIONS[0]].to_csv(tmp_path / "train.csv", index=False)
    export[export["document"] == SESSIONS[0]].to_csv(tmp_path / "gold.csv", index=False)
    offsets = pd.read_csv(tmp_path / "project" / "codings.csv")
    offsets[offsets["doc_id"].isin(SESSIONS[1:])].to_csv(tmp_path / "train_offsets.csv", index=False)
    offsets[offsets["doc_id"] == SESSIONS[0]].to_csv(tmp_path / "gold_offsets.csv", index=False)
    book = tmp_path / "project" / "codebook.yaml"
    for name in ("train", "train_offsets"):
        result = runner.invoke(
            app,
            [
                "tag",
                str(sources),
                "-c",
                str(book),
                "--train",
                str(tmp_path / f"{name}.csv"),
                "-o",
                str(tmp_path / f"{name}_coded.csv"),
            ],
        )
        assert result.exit_code == 0, result.output
        assert "[classifier]" in result.output
    columns = ["doc_id", "segment_id", "code", "score", "method"]
    words = pd.read_csv(tmp_path / "train_coded.csv")
    offsets_run = pd.read_csv(tmp_path / "train_offsets_coded.csv")
    suggested = words[words["method"] != "human"][columns].reset_index(drop=True)
    assert len(suggested) > 20 and set(suggested["doc_id"]) == {SESSIONS[0]}
    pd.testing.assert_frame_equal(
        suggested, offsets_run[offsets_run["method"] != "human"][columns].reset_index(drop=True)
    )
    # the human rows name the export they came from (a re-run takes the file as it is then)
    assert words[words["method"] == "human"]["evidence"].str.endswith("train.csv)").all()
    for gold in ("gold", "gold_offsets"):
        result = runner.invoke(
            app,
            [
                "evaluate",
                str(tmp_path / "train_coded.csv"),
                "--gold",
                str(tmp_path / f"{gold}.csv"),
                "-o",
                str(tmp_path / f"{gold}_eval.csv"),
            ],
        )
        assert result.exit_code == 0, result.output
    assert (tmp_path / "gold_eval.csv").read_bytes() == (tmp_path / "gold_offsets_eval.csv").read_bytes()


def test_agree_reads_excerpts_with_the_transcripts(tmp_path):
    (tmp_path / "a.txt").write_text(TEXTS["a"], encoding="utf-8")
    one = tmp_path / "one.csv"
    two = tmp_path / "two.csv"
    pd.DataFrame([["a", "staffing", "We hired two counselors."]], columns=["document", "tag", "content"]).to_csv(
        one, index=False
    )
    pd.DataFrame([["a", "staffing", "hired two counselors"]], columns=["document", "tag", "content"]).to_csv(
        two, index=False
    )
    result = CliRunner().invoke(
        app, ["agree", str(one), str(two), "-i", str(tmp_path / "a.txt"), "-o", str(tmp_path / "agree.csv")]
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "agree.csv")
    assert table.loc[table["code"] == "staffing", "percent_agreement"].iloc[0] == 1.0
    alone = CliRunner().invoke(app, ["agree", str(one), str(two), "-o", str(tmp_path / "x.csv")])
    assert alone.exit_code == 2 and "found in the transcripts: pass them as --inputs" in alone.output


def test_a_highlights_export_agrees_with_the_projects_offsets(tmp_path):
    """Taguette's export (tags as labels, the coded words) against the project's own codes
    (ids, offsets) on the same three sessions: with the codebook, one code each and full
    agreement; without it, the warning that the codes are spelled apart."""
    runner = CliRunner()
    project = tmp_path / "project"
    assert runner.invoke(app, ["import", str(SERDIF), "-o", str(project)]).exit_code == 0
    sessions = [project / "sources" / f"{name}.txt" for name in SESSIONS]
    offsets = pd.read_csv(project / "codings.csv")
    offsets[offsets["doc_id"].isin(SESSIONS)].to_csv(tmp_path / "offsets.csv", index=False)
    both = [str(HIGHLIGHTS), str(tmp_path / "offsets.csv"), *(arg for path in sessions for arg in ("-i", str(path)))]
    out = tmp_path / "agree.csv"
    result = runner.invoke(app, ["agree", *both, "-c", str(project / "codebook.yaml"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert "moderator_assist" in set(table["code"]) and "Moderator assist" not in set(table["code"])
    coded = table[table["prevalence"] > 0]
    assert len(coded) >= 15 and (coded["percent_agreement"] == 1.0).all() and (coded["cohen_kappa"] == 1.0).all()
    apart = runner.invoke(app, ["agree", *both, "-o", str(tmp_path / "apart.csv")])
    assert apart.exit_code == 0 and "codes spelled differently" in apart.output
    # a file of the imported project, its record beside it: the codebook it names is used
    shutil.copy(project / "codings.meta.json", tmp_path / "offsets.meta.json")
    recorded = runner.invoke(app, ["agree", *both, "-o", str(tmp_path / "recorded.csv")])
    said = " ".join(recorded.output.split())
    assert recorded.exit_code == 0 and "codes spelled differently" not in said
    assert f"read as the ids of {project / 'codebook.yaml'}, the codebook recorded beside the codings" in said
    assert pd.read_csv(tmp_path / "recorded.csv").equals(table)


def test_survey_answers_coded_as_excerpts_teach(tmp_path):
    """A team pasted the words they coded from each survey answer, keyed by respondent: the
    words are found in the answers (each answer a document) and teach as segment codes do."""
    from qualcode.match.base import Training

    survey = EXAMPLES.parent / "survey" / "answers.csv"
    corpus = qc.read_transcripts([survey])
    words = tmp_path / "excerpts.csv"
    pd.DataFrame(
        [
            ["R_01", "personnel", "give every school a full-time counselor"],
            ["R_02", "professional_development", "The PD day was a slideshow"],
        ],
        columns=["respondent", "code", "excerpt"],
    ).to_csv(words, index=False)
    train = training_set(
        str(words), qc.load_codebook(CODEBOOK), corpus.segments, {doc.doc_id: doc.text for doc in corpus.documents}
    )
    assert isinstance(train, Training)
    rows, columns = np.nonzero(train.labels)
    coded = {(train.segments["doc_id"].iloc[i], train.codes[j]) for i, j in zip(rows, columns, strict=True)}
    assert coded == {("R_01", "personnel"), ("R_02", "professional_development")}


def test_excerpts_not_placed_are_refused_where_offsets_are_needed(tmp_path):
    codings = excerpts(tmp_path, [["a", "staffing", "We hired two counselors."]])
    segments = pd.DataFrame({"doc_id": ["a"], "segment_id": [0], "text": ["x"], "start_char": [0], "end_char": [10]})
    for call in (
        lambda: qc.map_to_segments(codings, segments),
        lambda: qc.agreement(pd.concat([codings, codings.assign(coder="b")]), segments=segments),
    ):
        with pytest.raises(ColumnError, match=r"excerpts \(the coded words, no offsets\).*qc.place_excerpts"):
            call()
