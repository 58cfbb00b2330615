from __future__ import annotations

import pandas as pd
import pytest

import qualcode as qc
from qualcode import columns as C
from qualcode.codings import check_codings, map_to_segments
from qualcode.match.base import Training

from .conftest import CODEBOOK, EXAMPLES


def _segments():
    return pd.DataFrame(
        {
            C.DOC_ID: ["a", "a", "a"],
            C.SEGMENT_ID: [0, 1, 2],
            C.START_CHAR: [0, 100, 200],
            C.END_CHAR: [100, 200, 300],
        }
    )


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (0, 100, [0]),  # exactly one segment
        (10, 30, [0]),  # a short phrase inside a segment: half of the span
        (90, 300, [1, 2]),  # covers 10% of segment 0 (not half of either), all of 1 and 2
        (40, 160, [0, 1]),  # 60 of 100 chars of each segment
        (60, 140, [0, 1]),  # split evenly: half of the span lies in each
        (95, 300, [1, 2]),  # 5 chars of segment 0 are neither half of it nor of the span
        (0, 300, [0, 1, 2]),
    ],
)
def test_overlap_rule(start, end, expected):
    codings = pd.DataFrame({C.DOC_ID: ["a"], C.START_CHAR: [start], C.END_CHAR: [end], C.CODE: ["x"], "coder": ["k"]})
    mapped = map_to_segments(codings, _segments())
    assert mapped[C.SEGMENT_ID].tolist() == expected


def test_read_span_and_segment_forms(tmp_path):
    spans = tmp_path / "spans.csv"
    spans.write_text("doc_id,start_char,end_char,code\nd1,0,10,personnel\n", encoding="utf-8")
    frame = qc.read_codings(spans)
    assert frame.to_dict("records") == [
        {"doc_id": "d1", "start_char": 0, "end_char": 10, "code": "personnel", "coder": "human"}
    ]
    segs = tmp_path / "segs.csv"
    segs.write_text("doc_id,segment_id,code,coder\nd1,3,personnel,ana\n", encoding="utf-8")
    assert qc.read_codings(segs).to_dict("records") == [
        {"doc_id": "d1", "segment_id": 3, "code": "personnel", "coder": "ana"}
    ]
    bad = tmp_path / "bad.csv"
    bad.write_text("doc_id,start_char,end_char,code\nd1,zero,10,personnel\n", encoding="utf-8")
    with pytest.raises(qc.ColumnError, match=r"bad.csv:2: start_char 'zero' is not a whole number"):
        qc.read_codings(bad)
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("file,code\nx,y\n", encoding="utf-8")
    with pytest.raises(qc.ColumnError, match="codings need columns"):
        qc.read_codings(wrong)


def test_checks_name_unknown_codes_documents_and_offsets(codebook):
    texts = {"d1": "x" * 50}

    def frame(**kw):
        row = {C.DOC_ID: "d1", C.START_CHAR: 0, C.END_CHAR: 10, C.CODE: "personnel"} | kw
        return pd.DataFrame([row])

    check_codings(frame(), codebook, texts)
    with pytest.raises(qc.ColumnError, match="code 'hiring' is not in codebook") as nothing_near:
        check_codings(frame(code="hiring"), codebook, texts)
    assert "did you mean" not in str(nothing_near.value)
    # a code typed in other letter case, misspelt, or by its label: the error names the id
    for typed in ("Personnel", "personel", "Caring climate"):
        expected = "caring_climate" if typed.startswith("Caring") else "personnel"
        with pytest.raises(qc.ColumnError, match=rf"code '{typed}' is not in .* \(did you mean '{expected}'\?\)"):
            check_codings(frame(code=typed), codebook, texts)
    with pytest.raises(qc.ColumnError, match="document 'd9' is not among the inputs"):
        check_codings(frame(doc_id="d9"), codebook, texts)
    with pytest.raises(qc.ColumnError, match=r"span 40-60 of 'd1' is outside the document \(0-50\)"):
        check_codings(frame(start_char=40, end_char=60), codebook, texts)


@pytest.mark.model
def test_train_keeps_human_codes_and_falls_back(example_corpus, codebook):
    training = qc.read_codings(EXAMPLES / "human_codes_d01.csv")
    coded = qc.suggest(example_corpus, codebook, training=training)
    human = coded[coded["method"] == "human"]
    assert len(human) == len(training)  # every human code kept, none lost
    assert set(human["source"]) == {"coder_a"} and (human["score"] == 1.0).all()
    hand_coded = set(training["doc_id"])
    others = coded[coded["doc_id"].isin(hand_coded) & (coded["method"] != "human")]
    assert others.empty  # no suggestions on hand-coded documents
    # codes with 2+ examples get models of their own; those with fewer keep their zero-shot
    # (hybrid) scores and threshold, and say so
    info = coded.attrs["qualcode"]["models"]["classifier"]
    own = [c for c, v in info["learned"].items() if v["models"]]
    alone = info["zero_shot"] + info["definition_only"]
    assert own and alone and not info["fallback_to_hybrid"] and set(own) | set(alone) == set(codebook.ids)
    assert all(info["learned"][c]["positives"] >= 2 for c in own)
    assert all(info["learned"][c]["positives"] < 2 for c in alone)
    assert 0.5 < info["definition_auc"] <= 1  # the codebook alone ranks d01's human codes
    suggested = coded.loc[~coded["doc_id"].isin(hand_coded)]
    assert set(suggested.loc[suggested["code"].isin(own), "method"]) == {"classifier"}
    assert info["zero_shot"] and not info["definition_only"]  # d01's codes do not show the codebook wrong
    from_codebook = suggested[suggested["code"].isin(alone)]
    assert len(from_codebook) and set(from_codebook["method"]) == {"hybrid"}
    assert from_codebook["evidence"].str.contains("too few for a model of its own").all()
    assert (from_codebook["score"] >= 0.4).all()  # the hybrid matcher's threshold
    zero_shot = qc.suggest(example_corpus, codebook, method="hybrid").set_index(["doc_id", "segment_id", "code"])
    keys = list(zip(from_codebook["doc_id"], from_codebook["segment_id"], from_codebook["code"], strict=True))
    assert from_codebook["score"].tolist() == zero_shot.loc[keys, "score"].tolist()  # the same scores
    assert any("too few human examples" in note and alone[0] in note for note in coded.attrs["qualcode"]["notes"])


@pytest.mark.model
def test_classifier_learns_a_code_with_enough_examples(codebook):
    rng_texts = {
        "hire": [
            "We hired two counselors this spring.",
            "Our new social worker starts Monday.",
            "The board approved a nurse position.",
            "We recruited a bilingual psychologist.",
            "Finding the right people is the job.",
            "We added a family liaison at each school.",
            "Two interventionists joined in the fall.",
            "Hiring a behavior specialist changed a lot.",
            "We posted openings for three counselors.",
            "Staffing the schools is our main lever.",
        ],
        "other": [
            "The pandemic closed our buildings.",
            "We ran PDSA cycles on attendance.",
            "Teachers learned about trauma in August.",
            "Our MTSS team meets weekly.",
            "Kids feel safe and welcome here.",
            "We thank our principals every week.",
            "Families without internet got hotspots.",
            "Our weakness is the high school.",
            "We are proud of our restorative work.",
            "The state mandated an SEL standard.",
        ],
    }
    texts = rng_texts["hire"] + rng_texts["other"]
    segments = qc.segments_from_texts(
        [*texts, "We are hiring another school psychologist.", "Remote learning was hard."],
        doc_ids=[f"t{i}" for i in range(20)] + ["new1", "new2"],
    )
    training = pd.DataFrame(
        {
            C.DOC_ID: [f"t{i}" for i in range(20)],
            C.SEGMENT_ID: 0,
            C.CODE: ["personnel"] * 10 + ["covid_lessons"] * 10,
            "coder": "k",
        }
    )
    coded = qc.suggest(segments, codebook, training=training, min_examples=8, min_score=0.0, cache=None)
    learned = coded[(coded["method"] == "classifier") & (coded["code"] == "personnel")].set_index("doc_id")["score"]
    threshold = coded.attrs["qualcode"]["code_thresholds"]["personnel"]  # chosen out of fold on the training codes
    assert learned["new1"] >= threshold and learned["new1"] > learned["new2"] + 0.2, (learned.to_dict(), threshold)
    assert "personnel" in coded.attrs["qualcode"]["models"]["classifier"]["learned"]


def test_training_errors_are_clear(example_corpus, codebook, tmp_path):
    bad = tmp_path / "train.csv"
    bad.write_text("doc_id,start_char,end_char,code\nd01_superintendent,0,99999,personnel\n", encoding="utf-8")
    with pytest.raises(qc.ColumnError, match="outside the document"):
        qc.suggest(example_corpus, codebook, training=bad)
    bad.write_text("doc_id,start_char,end_char,code\nd01_superintendent,0,10,hiring\n", encoding="utf-8")
    with pytest.raises(qc.ColumnError, match="'hiring' is not in codebook"):
        qc.suggest(example_corpus, codebook, training=bad)


def _tagged(tmp_path, example_corpus, codebook):
    coded = qc.suggest(example_corpus, codebook, method="keyword")
    path = tmp_path / "coded.csv"
    coded.to_csv(path, index=False)
    return coded, path


def test_suggestions_are_not_read_as_human_codes(tmp_path, example_corpus, codebook):
    """A tag output holds qualcode's suggestions: given where human codes are wanted
    (--train, next, --gold, agree) it was read row for row as a person's codes, rejected
    suggestions included. Unreviewed, it is refused with what to do; reviewed, only its
    accepted (and human) rows are codes, the rest is left out with a warning, and the
    segments a reviewer looked at are the labelled ones (not whole documents)."""
    from typer.testing import CliRunner

    from qualcode.cli import app

    coded, path = _tagged(tmp_path, example_corpus, codebook)
    with pytest.raises(qc.ColumnError, match=r"coded\.csv: no human codes: .*suggested.*qualcode review"):
        qc.read_codings(path)
    # next reads it for its transcripts only: a first batch at random, not "every segment is coded"
    result = CliRunner().invoke(
        app, ["next", str(path), "-c", str(CODEBOOK), "-i", str(EXAMPLES), "-n", "4", "-o", str(tmp_path / "sheet.csv")]
    )
    assert result.exit_code == 0 and "no human codes yet" in result.output and "Traceback" not in result.output
    assert set(pd.read_csv(tmp_path / "sheet.csv")["chosen"]) == {"at random"}
    reviewed = qc.reject(qc.accept(coded, rows=[0, 1, 2], coder="ana"), rows=[3], coder="ana")
    reviewed.to_csv(path, index=False)
    with pytest.warns(qc.QualcodeWarning, match=r"3 human or accepted rows; its 1 rejected and \d+ suggested rows"):
        human = qc.read_codings(path)
    assert len(human) == 3 and set(human[C.CODER]) == {"ana"}
    assert set(zip(human[C.DOC_ID], human[C.START_CHAR], human[C.CODE], strict=True)) == set(
        zip(coded[C.DOC_ID][:3], coded[C.START_CHAR][:3], coded[C.CODE][:3], strict=True)
    )
    looked = {(str(d), int(s)) for d, s in zip(coded[C.DOC_ID][:4], coded[C.SEGMENT_ID][:4], strict=True)}
    assert set(human.attrs["labelled_segments"]) == looked
    # an imported project's codings (status human throughout) are read whole, documents as units
    imported = coded.assign(**{C.STATUS: "human", C.METHOD: "human", C.CODER: "kim"})
    imported.to_csv(path, index=False)
    assert len(qc.read_codings(path)) == len(coded) and "labelled_segments" not in qc.read_codings(path).attrs


def test_a_researchers_own_table_with_a_status_column_is_read_whole(tmp_path):
    """Only a table qualcode wrote (with its method and score columns) is filtered by status:
    a researcher's own file with a column that happens to be called status is read as it is."""
    path = tmp_path / "mine.csv"
    pd.DataFrame({"doc_id": ["a", "a"], "segment_id": [0, 1], "code": ["x", "y"], "status": ["draft", "final"]}).to_csv(
        path, index=False
    )
    assert list(qc.read_codings(path)[C.CODE]) == ["x", "y"]


def test_codes_typed_as_labels_are_the_codes_they_name(tmp_path, codebook, example_corpus):
    """A researcher fills in a sheet with the codes' names from a codebook table
    ("Caring climate"), not their ids: they trained as unknown codes (refused) and were
    evaluated as codes nobody suggested. A label, or an id in other letter case or spacing,
    is the code it names when it names one code; anything else is still refused."""
    from qualcode.codings import codes_as_ids
    from qualcode.training import training_set

    human = qc.read_codings(EXAMPLES / "human_codes.csv")
    labels = {code: codebook.get(code).label for code in codebook.ids}
    typed = human.assign(code=[labels[c] if i % 3 else f"  {c.upper()} " for i, c in enumerate(human[C.CODE])])
    assert set(typed[C.CODE]).isdisjoint(codebook.ids)
    pd.testing.assert_frame_equal(codes_as_ids(typed, codebook), human)
    texts = {doc.doc_id: doc.text for doc in example_corpus.documents}
    by_id = training_set(human, codebook, example_corpus.segments, texts)
    by_label = training_set(typed, codebook, example_corpus.segments, texts)
    assert (by_id.labels == by_label.labels).all() and by_label.labels.sum() > 20
    # a label two codes share names neither; an unknown name is left for the check to refuse
    book = tmp_path / "two.yaml"
    book.write_text(
        "name: t\ncodes:\n  - id: a\n    label: Other\n  - id: b\n    label: other\n  - id: c\n    label: Care\n",
        encoding="utf-8",
    )
    two = qc.load_codebook(book)
    rows = pd.DataFrame({C.DOC_ID: ["d"] * 3, C.SEGMENT_ID: [0, 1, 2], C.CODE: ["Other", "care", "nope"]})
    assert codes_as_ids(rows, two)[C.CODE].tolist() == ["Other", "c", "nope"]
    # an id typed with spaces for its underscores ("covid lessons") is the code it spells
    spaced = pd.DataFrame({C.DOC_ID: ["d", "d"], C.SEGMENT_ID: [0, 1], C.CODE: ["covid lessons", "Covid  Lessons"]})
    assert codes_as_ids(spaced, codebook)[C.CODE].tolist() == ["covid_lessons", "covid_lessons"]


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("code", "", r"bad\.csv:4: code is empty; fill it in or delete the row"),
        ("doc_id", " ", r"bad\.csv:4: doc_id is empty"),
        ("end_char", "100", r"bad\.csv:4: span \d+-100 ends where or before it starts"),
    ],
)
def test_a_codings_file_with_an_empty_or_backward_row_is_an_error_naming_its_line(tmp_path, column, value, message):
    table = pd.read_csv(EXAMPLES / "human_codes.csv", dtype=str, keep_default_na=False)
    table.loc[2, column] = value
    if column == "end_char":
        table.loc[2, "start_char"] = "150"
    table.to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(qc.ColumnError, match=message):
        qc.read_codings(tmp_path / "bad.csv")


def test_errors_in_a_reviewed_table_name_the_files_own_line(tmp_path, example_corpus, codebook):
    coded, path = _tagged(tmp_path, example_corpus, codebook)
    reviewed = qc.accept(coded, rows=[5, 6], coder="ana").astype({C.START_CHAR: object})
    reviewed.loc[6, C.START_CHAR] = "x"
    reviewed.to_csv(path, index=False)
    with pytest.warns(qc.QualcodeWarning), pytest.raises(qc.ColumnError, match=r"coded\.csv:8: start_char 'x'"):
        qc.read_codings(path)


def test_a_sheets_rows_left_empty_are_said_to_be_examples_of_no_code(tmp_path):
    """A sheet half filled in taught 'no code applies' on every row left for later, silently."""
    sheet = pd.DataFrame(
        {"doc_id": ["d01_superintendent"] * 3, "segment_id": [1, 3, 5], "codes": ["personnel", "", ""], "coder": "ana"}
    )
    sheet.to_csv(tmp_path / "sheet.csv", index=False)
    with pytest.warns(qc.QualcodeWarning, match=r"sheet\.csv: 2 of its 3 rows have no code: read as 'no code applies'"):
        codes = qc.read_codings(tmp_path / "sheet.csv")
    assert codes[C.CODE].tolist() == ["personnel"] and len(codes.attrs["labelled_segments"]) == 3


def test_a_sheets_none_says_no_code_applies_on_purpose(tmp_path):
    """'none' was an unknown code (the run stopped); it is what a researcher writes for 'no code
    applies': read as a negative example, like an empty cell, but without the warning, and a
    whole training run takes it."""
    import warnings

    sheet = pd.DataFrame(
        {
            "doc_id": ["d01_superintendent"] * 4,
            "segment_id": [1, 3, 5, 7],
            "codes": ["personnel", "None", " no  code ", "\u2014"],
            "coder": "ana",
        }
    )
    sheet.to_csv(tmp_path / "sheet.csv", index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        codes = qc.read_codings(tmp_path / "sheet.csv")
    assert codes[C.CODE].tolist() == ["personnel"] and len(codes.attrs["labelled_segments"]) == 4
    segments = qc.read_transcripts(EXAMPLES / "d01_superintendent.txt").segments
    training = Training.from_codings(codes, segments, qc.load_codebook(CODEBOOK).ids)
    assert len(training.segments) == 4 and training.labels.sum() == 1


@pytest.mark.parametrize(
    "cell", ["personnel; strength", "personnel, strength", "personnel\nstrength", "personnel\r\nstrength;"]
)
def test_a_sheets_codes_may_be_one_per_line_as_excel_writes_them(tmp_path, cell):
    """In Excel a cell's codes are often typed one per line (Alt+Enter): read as two codes,
    not as one unknown code 'personnel\\nstrength'."""
    sheet = pd.DataFrame({"doc_id": ["d01_superintendent"], "segment_id": [1], "codes": [cell], "coder": "ana"})
    sheet.to_csv(tmp_path / "sheet.csv", index=False)
    assert qc.read_codings(tmp_path / "sheet.csv")[C.CODE].tolist() == ["personnel", "strength"]


def test_a_codes_path_as_other_tools_export_it_is_the_code():
    """MAXQDA writes `Parent\\Child`, NVivo `Nodes\\Parent\\Child`: the last part names the code
    when the part before is its parent (or names no code); another tree is left as it is."""
    from qualcode.codings import codes_as_ids

    book = qc.load_codebook(CODEBOOK)
    given = [
        "Framework lenses\\Street-level bureaucracy",
        "Nodes\\Framework lenses\\Institutionalism",
        "Lenses > Theories of action",
        "Codes\\Growth area",
        "Growth area\\Institutionalism",  # not its parent
    ]
    codings = pd.DataFrame({"doc_id": "d", "segment_id": 0, "code": given})
    assert codes_as_ids(codings, book)["code"].tolist() == [
        "street_level_bureaucracy",
        "institutionalism",
        "theories_of_action",
        "growth_area",
        "Growth area\\Institutionalism",
    ]
