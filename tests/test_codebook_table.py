"""qualcode.codebook_table: codebooks kept in a spreadsheet, one code per row."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

import qualcode as qc
from qualcode.cli import app

from .conftest import CODEBOOK, FIXTURES

SERDIF_CODEBOOK = FIXTURES / "taguette" / "codebook_20220303_8.csv"
SERDIF = FIXTURES / "taguette" / "SERDIF_P2_ThematicAnalysis.sqlite3"


def test_the_taguette_teams_codebook_table_gives_the_ids_of_their_project():
    book = qc.load_codebook(SERDIF_CODEBOOK)
    table = pd.read_csv(SERDIF_CODEBOOK)
    assert len(book.ids) == len(table) == 22 and book.name == "codebook_20220303_8"
    assert [book.get(i).label for i in book.ids] == table["tag"].str.strip().tolist()
    assert book.get("moderator_assist").description.startswith("The moderator intervenes")
    project = qc.read_taguette(SERDIF)  # the codes import-refi makes from the same study's project
    assert set(book.ids) == set(project.codebook.ids)


def test_hierarchy_lists_and_rules_from_columns(tmp_path):
    frame = pd.DataFrame(
        {
            "Code": ["Supports", "Staffing", "Mental health", "Lens"],
            "Definition": ["Systems that support caring.", "Hiring people.", "Counselling.", "A theory."],
            "Parent": ["", "Supports", "supports", ""],
            "Keywords": ["", "hired; counselor; social worker", "", ""],
            "Examples": ["", "We hired two counselors.", "", ""],
            "Suggest": ["", "", "", "no"],
            "Threshold": ["", "0.6", "", ""],
            "Inclusion": ["", "", "Only services for students.", ""],
            "Notes": ["x", "", "", ""],
            "Applies to": ["", "", "", "speaker: MODERATOR, Interviewer; role: principal"],
        }
    )
    for path in (tmp_path / "book.csv", tmp_path / "book.xlsx"):
        if path.suffix == ".csv":
            frame.to_csv(path, index=False)
        else:
            frame.to_excel(path, index=False)
        book = qc.load_codebook(path)
        assert [c.id for c in book.codes] == ["supports", "lens"]
        assert [c.id for c in book.get("supports").children] == ["staffing", "mental_health"]
        staffing = book.get("staffing")
        assert staffing.keywords == ["hired", "counselor", "social worker"] and staffing.threshold == 0.6
        assert staffing.examples == ["We hired two counselors."]
        assert book.get("mental_health").include_when == "Only services for students."
        assert book.get("lens").suggest is False and book.get("supports").suggest is True
        assert book.get("lens").applies_to == {"speaker": ["MODERATOR", "Interviewer"], "role": ["principal"]}
    result = CliRunner().invoke(app, ["validate", str(tmp_path / "book.csv")])
    assert result.exit_code == 0 and "valid: 4 codes" in result.output and "columns not read: Notes" in result.output


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("code,parent\nA,\nB,Nope\n", "book.csv:3: parent 'Nope' is not a code of this table"),
        ("code,parent\nA,B\nB,A\n", "book.csv:2: parent codes form a cycle"),
        ("code,threshold\nA,high\n", "book.csv:2: threshold 'high' is not a number"),
        ("code,threshold\nA,0.5\nB,2\n", "book.csv:3: codes[1].threshold"),
        ("code,suggest\nA,maybe\n", "book.csv:2: suggest 'maybe' is not true or false"),
        ("code,applies_to\nA,MODERATOR\n", "book.csv:2: applies_to 'MODERATOR' is not 'column: value, value'"),
        ("code\nA\nA\n", "book.csv:3: codes[1].id: duplicate id 'a'"),
        ("description,notes\nx,y\n", "a codebook table needs a column naming the codes"),
    ],
)
def test_a_bad_table_names_the_row_and_the_fix(tmp_path, rows, message):
    path = tmp_path / "book.csv"
    path.write_text(rows, encoding="utf-8")
    with pytest.raises(qc.CodebookError) as error:
        qc.load_codebook(path)
    assert message in str(error.value)
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2 and "Traceback" not in result.output


@pytest.mark.model
def test_tag_with_the_codebook_table_on_the_studys_own_sessions(tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["import-refi", str(SERDIF), "-o", str(tmp_path / "serdif")])
    assert result.exit_code == 0, result.output
    source = sorted((tmp_path / "serdif" / "sources").glob("P10_*.txt"))[0]
    out = tmp_path / "coded.csv"
    result = runner.invoke(app, ["tag", str(source), "-c", str(SERDIF_CODEBOOK), "-o", str(out)])
    assert result.exit_code == 0, result.output
    coded = pd.read_csv(out)
    assert len(coded) > 0 and set(coded["code"]) <= set(qc.load_codebook(SERDIF_CODEBOOK).ids)
    # the human codes of the imported project use the same ids: they train with this codebook
    train = tmp_path / "serdif" / "codings.csv"
    result = runner.invoke(
        app, ["tag", str(source), "-c", str(SERDIF_CODEBOOK), "-o", str(tmp_path / "t.csv"), "--train", str(train)]
    )
    # the codings of the other 16 sessions: their transcripts, named by the import's record, teach
    assert result.exit_code == 0, result.output
    assert "not among the inputs (16 from" in result.output and "[classifier]" in result.output
    assert "every segment of this run is in the human codes" in result.output  # P10 was coded by hand too
    taught = pd.read_csv(tmp_path / "t.csv")
    assert set(taught["doc_id"]) == {source.name.removesuffix(".txt")} and (taught["method"] == "human").all()


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".xlsx"])
def test_a_codebook_written_as_a_table_reads_back_code_for_code(tmp_path, suffix):
    book = qc.load_codebook(CODEBOOK)
    data = book.to_dict()
    data["codes"][0]["examples"] = ["We use PBIS; every school does.", "MTSS = tiers"]  # ';' and a formula start
    data["codes"][1]["examples"] = ["One example; with a semicolon."]
    data["codes"][2]["applies_to"] = {"speaker": ["MODERATOR", "Interviewer"], "role": ["principal"]}
    data["codes"][3]["not_applies_to"] = {"district": ["D01; east"]}
    book = qc.codebook.parse_codebook(data)
    path = tmp_path / f"codebook{suffix}"
    qc.save_codebook(book, path)
    back = qc.load_codebook(path)
    assert [(c.model_dump(exclude={"children"}), p) for c, _, p in back.walk()] == [
        (c.model_dump(exclude={"children"}), p) for c, _, p in book.walk()
    ]
    assert back.name == "codebook"  # a table holds codes only: the name is the file's
    bad = qc.codebook.parse_codebook({**data, "codes": [{**data["codes"][0], "applies_to": {"role": ["a, b"]}}]})
    with pytest.raises(qc.CodebookError, match="keep this codebook as YAML"):
        qc.save_codebook(bad, tmp_path / f"bad{suffix}")
    assert not (tmp_path / f"bad{suffix}").exists()


def test_a_refi_codebook_becomes_a_table(tmp_path):
    runner = CliRunner()
    qdc = tmp_path / "codebook.qdc"
    assert runner.invoke(app, ["export-refi", "-c", str(CODEBOOK), "-o", str(qdc)]).exit_code == 0
    table = tmp_path / "codebook.csv"
    result = runner.invoke(app, ["import-refi", str(qdc), "-o", str(table)])
    assert result.exit_code == 0, result.output
    book, back = qc.load_codebook(CODEBOOK), qc.load_codebook(table)
    assert [(c.id, p) for c, _, p in back.walk()] == [(c.id, p) for c, _, p in book.walk()]
    assert pd.read_csv(table)["label"].tolist() == [c.label for c, _, _ in book.walk()]


def test_every_field_of_a_code_is_a_column():
    from qualcode.codebook import Code
    from qualcode.codebook_table import WRITTEN

    assert set(WRITTEN) == (set(Code.model_fields) - {"children"}) | {"parent"}


def test_the_column_names_other_tools_and_codebook_guides_use(tmp_path):
    """ATLAS.ti keeps a definition as the code's comment (Code, Comment, Grounded, Density,
    Groups); MacQueen et al.'s structure has a full definition, when to use, when not to use
    and an example; a theme column groups codes without a row of its own."""
    atlas = tmp_path / "atlas.csv"
    atlas.write_text(
        "Code,Comment,Grounded,Density,Groups\n"
        "Counselors,Hiring or placing counselors.,3,0,Supports\n"
        "Belonging,Students feel they belong.,5,1,Climate\n",
        encoding="utf-8",
    )
    book = qc.load_codebook(atlas)
    assert book.get("belonging").description == "Students feel they belong."
    guide = tmp_path / "guide.xlsx"
    rows = [
        ["Theme", "Code", "Full definition", "When to use", "When not to use", "Example", "Keyword"],
        [
            "Supports",
            "Counselors",
            "Hiring counselors.",
            "A new hire is named.",
            "Training staff.",
            "We hired two counselors.",
            "counselor; social worker",
        ],
        ["Supports", "PBIS", "Behaviour systems.", "", "", "Every building runs PBIS.", ""],
        ["Climate", "Climate", "The feel of a school.", "", "", "", ""],
        ["Climate", "Belonging", "Being known.", "", "", "Kids feel known here.", ""],
    ]
    pd.DataFrame(rows[1:], columns=rows[0]).to_excel(guide, index=False)
    book = qc.load_codebook(guide)
    assert book.ids == ["supports", "counselors", "pbis", "climate", "belonging"]
    assert [book.parent_of(i) for i in book.ids] == [None, "supports", "supports", None, "climate"]
    counselors = book.get("counselors")
    assert (counselors.include_when, counselors.exclude_when) == ("A new hire is named.", "Training staff.")
    assert counselors.examples == ["We hired two counselors."] and counselors.keywords == ["counselor", "social worker"]
    result = CliRunner().invoke(app, ["validate", str(guide)])
    assert result.exit_code == 0, result.output
    assert "themes named beside the codes are codes too, each the parent of its rows: Supports" in result.output
    assert "columns not read" not in result.output


def test_validate_writes_the_codebook_as_a_table_and_back(tmp_path):
    table, back = tmp_path / "codebook.xlsx", tmp_path / "back.yaml"
    result = CliRunner().invoke(app, ["validate", str(CODEBOOK), "-o", str(table)])
    assert (
        result.exit_code == 0 and f"valid: 14 codes, sha256 {qc.load_codebook(CODEBOOK).hash[:12]} -> " in result.output
    )
    assert CliRunner().invoke(app, ["validate", str(table), "-o", str(back)]).exit_code == 0
    assert qc.load_codebook(back).model_dump()["codes"] == qc.load_codebook(CODEBOOK).model_dump()["codes"]
    same = CliRunner().invoke(app, ["validate", str(back), "-o", str(back)])
    assert same.exit_code == 2 and "also an input" in same.output
    other = CliRunner().invoke(app, ["validate", str(back), "-o", str(tmp_path / "codebook.txt")])
    assert other.exit_code == 2 and "write the codebook as .yaml, .csv, .tsv or .xlsx" in other.output
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\ncodes:\n  - id: Bad\n    label: B\n", encoding="utf-8")
    bad = CliRunner().invoke(app, ["validate", str(broken), "-o", str(tmp_path / "out.xlsx")])
    assert bad.exit_code == 2 and not (tmp_path / "out.xlsx").exists()


def test_validate_reads_a_codebook_table_once(monkeypatch):
    """`validate` on a spreadsheet codebook reads the table once (it read it twice: once to
    check it, once more for the notes on columns not read)."""
    import qualcode.codebook_table as table

    reads = []
    real = table.read_table_codebook
    monkeypatch.setattr(table, "read_table_codebook", lambda path: reads.append(path) or real(path))
    result = CliRunner().invoke(app, ["validate", str(SERDIF_CODEBOOK)])
    assert result.exit_code == 0, result.output
    assert "valid: 22 codes" in result.output and "columns not read: number of highlights" in result.output
    assert len(reads) == 1


def _word_codebook(path):
    """A codebook as teams keep it in Word: a title, a revision table, then the codebook's
    table (a theme row merged across it, examples one per paragraph) going on in a second
    table after a page break."""
    import docx

    document = docx.Document()
    document.add_heading("Caring schools codebook", 1)
    history = document.add_table(rows=2, cols=3)
    for cell, value in zip(history.rows[0].cells, ["Version", "Date", "Author"], strict=True):
        cell.text = value
    for cell, value in zip(history.rows[1].cells, ["3", "2021-03-04", "ana"], strict=True):
        cell.text = value
    document.add_paragraph("Codes are applied to whole turns.")
    header = ["Code", "Definition", "When to use", "Example quotes", "Keywords"]
    table = document.add_table(rows=1, cols=5)
    for cell, value in zip(table.rows[0].cells, header, strict=True):
        cell.text = value
    theme = table.add_row()
    merged = theme.cells[0].merge(theme.cells[4])
    merged.text = "Relationships"
    rows = [
        (
            "Relational modelling",
            "Leaders model care for adults.",
            "A leader checks in on staff.",
            "",
            "check in; model",
        ),
        ("Caring climate", "The feel of a caring school.", "", "", "warm; safe"),
    ]
    for values in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = value
    examples = table.rows[2].cells[3]
    examples.text = "I call every principal on Friday."
    examples.add_paragraph("If I want principals to take care of their teachers I have to model that.")
    document.add_page_break()
    more = document.add_table(rows=0, cols=5)  # the table goes on, without its header
    for values in [("Personnel", "Staffing and caseloads.", "", "", "hired; counselor")]:
        cells = more.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = value
    document.save(path)
    return path


def test_a_codebook_kept_in_a_word_table(tmp_path):
    """A .docx codebook was read as YAML text ("not UTF-8 text"); its table is now read as a
    spreadsheet codebook is: other tables left out, a merged row a theme (the parent of the
    codes below it), a cell's paragraphs its list items, the table going on after a page."""
    path = _word_codebook(tmp_path / "codebook.docx")
    book = qc.load_codebook(path)
    assert book.ids == ["relationships", "relational_modelling", "caring_climate", "personnel"]
    modelling = book.get("relational_modelling")
    assert [book.parent_of(i) for i in book.ids] == [None, "relationships", "relationships", "relationships"]
    assert modelling.include_when == "A leader checks in on staff."
    assert modelling.examples == [
        "I call every principal on Friday.",
        "If I want principals to take care of their teachers I have to model that.",
    ]
    assert (
        modelling.keywords == ["check in", "model"] and book.get("personnel").description == "Staffing and caseloads."
    )
    runner = CliRunner()
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "valid: 4 codes" in result.output and "themes named beside the codes are codes too" in result.output
    out = tmp_path / "coded.csv"
    tagged = runner.invoke(
        app, ["tag", str(FIXTURES / "labels_colon.txt"), "-c", str(path), "-o", str(out), "--method", "keyword"]
    )
    assert tagged.exit_code == 0, tagged.output
    assert "personnel" in set(pd.read_csv(out)["code"])  # "We hired two counselors."
    yaml_copy = tmp_path / "codebook.yaml"  # and saved as YAML for the team's repository
    assert runner.invoke(app, ["validate", str(path), "-o", str(yaml_copy)]).exit_code == 0
    assert qc.load_codebook(yaml_copy).ids == book.ids


def test_a_codebook_kept_in_a_writer_table_reads_as_the_word_one(tmp_path):
    """LibreOffice's .odt of the Word codebook above (a fixture made by Writer: the merged theme
    row a spanned cell and covered cells) reads to the same codebook; it was read as YAML."""
    path = FIXTURES / "word" / "caring_codebook.odt"
    odt, word = qc.load_codebook(path), qc.load_codebook(_word_codebook(tmp_path / "codebook.docx"))
    assert odt.ids == word.ids == ["relationships", "relational_modelling", "caring_climate", "personnel"]
    assert [odt.parent_of(i) for i in odt.ids] == [word.parent_of(i) for i in word.ids]
    for code in odt.ids:
        mine, theirs = odt.get(code), word.get(code)
        assert (mine.description, mine.examples, mine.keywords, mine.include_when) == (
            theirs.description,
            theirs.examples,
            theirs.keywords,
            theirs.include_when,
        )
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 0 and "valid: 4 codes" in result.output, result.output
    notes = tmp_path / "notes.odt"  # a Writer file without a codebook table: what it needs
    notes.write_bytes((FIXTURES / "odt" / "d02_superintendent.odt").read_bytes())
    with pytest.raises(
        qc.CodebookError, match=r"notes\.odt: no table whose header row names the codes .* an OpenDocument"
    ):
        qc.load_codebook(notes)


def test_a_codebook_in_a_format_read_neither_as_yaml_nor_as_a_table_says_what_to_do(tmp_path):
    """A coding manual as PDF, an old Word or Excel file: "not UTF-8 text; save it as UTF-8"
    was the wrong advice."""
    manual = tmp_path / "Coding_Manual.pdf"
    manual.write_bytes((FIXTURES / "pdf" / "d01_superintendent.pdf").read_bytes())
    with pytest.raises(
        qc.CodebookError, match=r"Coding_Manual\.pdf: a PDF codebook cannot be read as codes; qualcode reads YAML"
    ):
        qc.load_codebook(manual)
    old = tmp_path / "codebook.doc"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    result = CliRunner().invoke(app, ["validate", str(old)])
    said = " ".join(result.output.split())
    assert result.exit_code == 2 and "codebook.doc: qualcode does not read a Word 97-2003 file" in said, said


def test_a_word_file_without_a_codebook_table_says_what_it_needs(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("Relational modelling: leaders model care.")
    path = tmp_path / "notes.docx"
    document.save(path)
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "no table whose header row names the codes" in " ".join(result.output.split())


def test_a_codebook_kept_beside_the_transcripts_is_no_transcript(tmp_path, monkeypatch):
    """A Word codebook in the transcripts' folder was read as one more interview (its example
    quotes tagged, counted in every frequency). The run's codebook is left out of the folder,
    as are codebooks and coding manuals by name, and commands that follow the run's record
    leave it out too."""
    import shutil

    from .conftest import EXAMPLES

    folder = tmp_path / "study"
    folder.mkdir()
    for name in ("d01_superintendent.txt", "d03_assistant_superintendent.txt"):
        shutil.copy(EXAMPLES / name, folder / name)
    _word_codebook(folder / "themes.docx")  # the run's codebook, not named as one
    _word_codebook(folder / "Coding_Manual_v2.docx")  # an older one, named as one
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(app, ["tag", "study", "-c", "study/themes.docx", "-o", "coded.csv", "--method", "keyword"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1].startswith("2 documents,")
    coded = pd.read_csv(tmp_path / "coded.csv")
    assert set(coded["doc_id"]) <= {"d01_superintendent", "d03_assistant_superintendent"}
    freq = runner.invoke(app, ["freq", "coded.csv", "--count", "document", "-o", "freq.csv"])
    assert freq.exit_code == 0, freq.output
    assert set(pd.read_csv(tmp_path / "freq.csv")["total"]) == {2}  # N: the two interviews
    chosen = runner.invoke(app, ["next", "coded.csv", "-n", "30", "-o", "next.csv"])
    assert chosen.exit_code == 0, chosen.output
    assert set(pd.read_csv(tmp_path / "next.csv")["doc_id"]) == {"d01_superintendent", "d03_assistant_superintendent"}


def test_word_codebook_tables_with_their_own_headers(tmp_path):
    """One table per theme, each with its header, the columns in another order in the second:
    each table's cells are read under its own header (they were placed under the first's)."""
    import docx

    document = docx.Document()
    for header, rows in (
        (["Code", "Definition"], [("Caring climate", "The feel of a caring school.")]),
        (["Definition", "Code", "Keywords"], [("Staffing and caseloads.", "Personnel", "hired; counselor")]),
    ):
        document.add_heading("Theme", 2)
        table = document.add_table(rows=0, cols=len(header))
        for values in [header, *rows]:
            for cell, value in zip(table.add_row().cells, values, strict=True):
                cell.text = value
    path = tmp_path / "codebook.docx"
    document.save(path)
    book = qc.load_codebook(path)
    assert book.ids == ["caring_climate", "personnel"]
    assert book.get("personnel").description == "Staffing and caseloads."
    assert book.get("personnel").keywords == ["hired", "counselor"]
    assert book.get("caring_climate").keywords == []
