from __future__ import annotations

import re

import docx
import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

import qualcode as qc
from qualcode import columns as C
from qualcode.cli import app

from .conftest import CODEBOOK, EXAMPLES, FIXTURES, PARTICIPANTS, assert_offsets


def read(name, **kw):
    corpus = qc.read_transcripts(FIXTURES / name, **kw)
    assert_offsets(corpus)
    return corpus


def turns(corpus):
    return list(zip(corpus.segments[C.SPEAKER], corpus.segments[C.TEXT], strict=True))


def test_colon_labels_and_multiline_turns():
    corpus = read("labels_colon.txt")
    assert turns(corpus) == [
        ("Interviewer", "Hello and welcome."),
        ("P3", "Thanks. We hired two counselors.\nAnd we trained principals."),
        ("Interviewer", "Go on."),
        ("P3", "Our MTSS team meets weekly."),
    ]
    assert corpus.segments[C.IS_INTERVIEWER].tolist() == [True, False, True, False]


def test_labels_on_their_own_line_and_paragraphs():
    corpus = read("labels_ownline.txt")
    assert turns(corpus) == [
        ("INTERVIEWER", "What does care look like?"),
        ("MARIA LOPEZ", "Kids are happy here.\n\nIt is a warm place."),
    ]
    paragraphs = read("labels_ownline.txt", segment_by="paragraph")
    assert paragraphs.segments[C.TEXT].tolist() == [
        "What does care look like?",
        "Kids are happy here.",
        "It is a warm place.",
    ]


def test_a_transcript_labelling_one_side_line_by_line(tmp_path):
    path = tmp_path / "q_only.txt"
    path.write_text(
        "Q: How did you start?\nWe started with a needs survey.\nWe hired two counselors.\n\n"
        "Q: What changed?\nTeachers check in daily.\n",
        encoding="utf-8",
    )
    corpus = qc.read_transcripts(path)
    assert_offsets(corpus)
    assert turns(corpus) == [
        ("Q", "How did you start?"),
        ("", "We started with a needs survey.\nWe hired two counselors."),
        ("Q", "What changed?"),
        ("", "Teachers check in daily."),
    ]
    assert corpus.segments[C.IS_INTERVIEWER].tolist() == [True, False, True, False]
    alone = tmp_path / "monologue.txt"  # one label at the top: the whole text is that speaker's
    alone.write_text("P3: I run the office.\nWe hired two counselors.\n", encoding="utf-8")
    assert turns(qc.read_transcripts(alone)) == [("P3", "I run the office.\nWe hired two counselors.")]


def test_think_aloud_sessions_that_label_only_the_moderator():
    """Five of the 17 SERDIF sessions label only the moderator's interjections; the
    participant's paragraphs around them are the participant's, not the moderator's."""
    corpus = qc.read_taguette(FIXTURES / "taguette" / "SERDIF_P2_ThematicAnalysis.sqlite3").corpus
    assert_offsets(corpus)
    segments = corpus.segments
    p10 = segments[segments[C.DOC_ID] == "P10_GMT20211130.odt"]
    moderator = p10[p10[C.IS_INTERVIEWER]]
    assert set(moderator[C.SPEAKER]) == {"MODERATOR"} and 0 < len(moderator) < 0.1 * len(p10)
    assert moderator[C.TEXT].iloc[0] == "Yes"  # "MODERATOR: Yes" is one line, not the rest of the session
    assert p10[C.TEXT].iloc[0].startswith("1 Read the")  # text before the first label is kept
    per_session = segments.groupby(C.DOC_ID)[C.IS_INTERVIEWER].mean()
    assert per_session.max() < 0.2  # no session is read as the moderator's
    assert segments[C.TEXT].str.len().max() < 1500  # paragraphs, none cut for length


def test_bracket_labels_keep_particles():
    corpus = read("labels_brackets.txt")
    assert corpus.segments[C.SPEAKER].tolist() == ["Interviewer", "Dr. Ana de la Cruz"]


def test_otter_export_skips_preamble_and_keeps_times():
    corpus = read("otter_export.txt")
    assert turns(corpus) == [
        ("Interviewer", "How do you support principals?"),
        ("Sam Ortiz", "I check in with every principal on Friday.\nWe also hired a social worker."),
        ("Interviewer", "Thank you."),
    ]
    assert corpus.segments[C.START_TIME].tolist() == [2.0, 9.0, 3735.0]


def test_labels_with_the_time_first_or_after_the_colon(tmp_path):
    """Trint, Descript and Sonix put the time before the name or after the colon; such lines
    were one unlabelled paragraph (no speakers, no times). Clock times inside a sentence are
    not labels; a time alone on its line is nobody's words."""
    path = tmp_path / "timed.txt"
    path.write_text(
        "[00:00:02] Interviewer: Thanks for joining me. What is your role?\n"
        "00:00:09 - Maria Lopez: I'm the superintendent.\n"
        "(00:21) Interviewer: How do principals know what you expect?\n"
        "Maria Lopez: [00:00:25] We meet monthly.\n"
        "At 10:30 we met. Ratio 3:4 is fine.\n"
        "2:30 PM: we left.\n"
        "01:00:00\n"  # Google Meet writes the time alone on a line every five minutes
        "1:02:03 Interviewer:\nAnything else?\n",
        encoding="utf-8",
    )
    corpus = qc.read_transcripts(path)
    assert_offsets(corpus)
    assert turns(corpus) == [
        ("Interviewer", "Thanks for joining me. What is your role?"),
        ("Maria Lopez", "I'm the superintendent."),
        ("Interviewer", "How do principals know what you expect?"),
        ("Maria Lopez", "We meet monthly.\nAt 10:30 we met. Ratio 3:4 is fine.\n2:30 PM: we left."),
        ("Interviewer", "Anything else?"),
    ]
    assert corpus.segments[C.START_TIME].tolist() == [2.0, 9.0, 21.0, 25.0, 3723.0]
    assert corpus.segments[C.IS_INTERVIEWER].tolist() == [True, False, True, False, True]


def test_zoom_saved_captions(tmp_path):
    """Zoom's "save captions" text file: ``[Name] 10:02:03`` on its own line, the words below
    (read as one unlabelled paragraph before)."""
    path = tmp_path / "captions.txt"
    path.write_text(
        "[Interviewer] 10:02:03\nThanks for joining me. What is your role?\n\n"
        "[Maria Lopez] 10:02:09\nI'm the superintendent.\nWe hired two counselors.\n",
        encoding="utf-8",
    )
    corpus = qc.read_transcripts(path)
    assert_offsets(corpus)
    assert turns(corpus) == [
        ("Interviewer", "Thanks for joining me. What is your role?"),
        ("Maria Lopez", "I'm the superintendent.\nWe hired two counselors."),
    ]
    assert corpus.segments[C.START_TIME].tolist() == [36123.0, 36129.0]


def test_the_interviewer_named_per_transcript_in_the_metadata(tmp_path):
    """Otter.ai names voices in the order they speak: the interviewer is ``Speaker 1`` in one
    file and ``Speaker 2`` in the next, so no one ``--interviewer`` fits both. A metadata
    column ``interviewer`` names each transcript's; one naming the person who interviewed (no
    speaker of the transcript) leaves the detection by name as it was, and says so."""
    first = tmp_path / "p01.txt"
    first.write_text(
        "Speaker 1  0:02\nHow do you support principals?\n\nSpeaker 2  0:09\nI call them on Fridays.\n\n"
        "Speaker 1  0:20\nAnd teachers?\n\nSpeaker 2  0:25\nWe hired counselors.\n",
        encoding="utf-8",
    )
    second = tmp_path / "p02.txt"
    second.write_text(
        "Speaker 1  0:01\nSorry I am late.\n\nSpeaker 2  0:04\nNo problem. How do you support principals?\n\n"
        "Speaker 1  0:09\nWe meet monthly.\n",
        encoding="utf-8",
    )
    third = tmp_path / "p03.txt"
    third.write_text("Interviewer: What changed?\nP03: Everything.\n", encoding="utf-8")
    fourth = tmp_path / "p04.txt"
    fourth.write_text(first.read_text(encoding="utf-8"), encoding="utf-8")
    metadata = tmp_path / "participants.csv"
    metadata.write_text(
        "doc_id,role,interviewer\np01,principal,Speaker 1\np02,teacher,speaker 2\np03,counselor,Ana Ruiz\n"
        "p04,principal,Speaker1\n",
        encoding="utf-8",
    )
    corpus = qc.read_transcripts(tmp_path, metadata=metadata)
    flagged = corpus.segments.groupby(C.DOC_ID)[C.IS_INTERVIEWER].apply(list).to_dict()
    assert flagged == {
        "p01": [True, False, True, False],
        "p02": [False, True, False],
        "p03": [True, False],  # the person who interviewed: 'Interviewer:' found by name, no note
        "p04": [False, False, False, False],  # a typo: said
    }
    (note,) = [w for w in corpus.warnings if "metadata's interviewer" in w]
    assert "names no speaker of 'p04' ('Speaker1'; its speakers: Speaker 1, Speaker 2)" in note and "p03" not in note


def test_a_teams_transcript_saved_as_word(tmp_path):
    """Microsoft Teams' transcript download: a paragraph ``Lopez, Maria   0:03`` (the
    directory's "last, first" name and the time) above each turn's words."""
    document = docx.Document()
    for line in [
        "Interview D04",
        "Transcript",
        "Interviewer   0:03",
        "Thanks for joining me. What is your role?",
        "Ortiz, Sam   0:09",
        "I am the superintendent. We hired two counselors.",
        "Interviewer   1:02:15",
        "Thank you.",
    ]:
        document.add_paragraph(line)
    path = tmp_path / "teams.docx"
    document.save(path)
    corpus = qc.read_transcripts(path)
    assert_offsets(corpus)
    assert turns(corpus) == [
        ("Interviewer", "Thanks for joining me. What is your role?"),
        ("Ortiz, Sam", "I am the superintendent. We hired two counselors."),
        ("Interviewer", "Thank you."),
    ]
    assert corpus.segments[C.START_TIME].tolist() == [3.0, 9.0, 3735.0]


def test_an_unnamed_interviewer_who_mostly_asks_is_pointed_out(tmp_path):
    """Otter.ai and Zoom name an unknown voice ``Speaker 1``: nothing marks it as the
    interviewer, so its questions were suggested codes without a word. The reading says which
    speaker asks and how to name it; naming it silences the note and flags its turns."""
    path = tmp_path / "otter.txt"
    path.write_text(
        "Speaker 1  0:02\nThanks for joining me. Can you tell me about your role?\n\n"
        "Maria Lopez  0:09\nSure. I'm the superintendent. We hired two counselors.\n\n"
        "Speaker 1  0:21\nHow do principals know what you expect?\n\n"
        "Maria Lopez  0:25\nWe meet monthly with every principal.\n",
        encoding="utf-8",
    )
    (note,) = [w for w in qc.read_transcripts(path).warnings if "interviewer" in w]
    assert "'otter' (speaker 'Speaker 1' asks in 2 of its 2 segments)" in note
    assert "--interviewer 'Speaker 1'" in note
    named = qc.read_transcripts(path, interviewers=["Speaker 1"])
    assert not [w for w in named.warnings if "interviewer" in w]
    assert named.segments[C.IS_INTERVIEWER].tolist() == [True, False, True, False]
    # a transcript whose interviewer is named so, or whose speakers ask alike, gets no note
    assert not [w for w in read("labels_colon.txt").warnings if "interviewer" in w]
    alike = tmp_path / "alike.txt"
    alike.write_text("Ana: Why?\nBen: Why not?\nAna: Really?\nBen: Yes, really?\n", encoding="utf-8")
    assert not [w for w in qc.read_transcripts(alike).warnings if "interviewer" in w]
    # and segment_documents cuts the documents of the Corpus read_transcripts returns
    sentences = qc.segment_documents(qc.read_transcripts(path), segment_by="sentence")
    assert sentences[C.TEXT].tolist()[:2] == ["Thanks for joining me.", "Can you tell me about your role?"]


def test_youtube_rolling_captions_and_broadcast_chevrons(tmp_path):
    """YouTube's automatic captions part a cue's lines by a line of one space (an error: "a
    caption whose timing line cannot be read") and repeat each line in the next cue; broadcast
    captions mark a speaker with ``>> NAME:``."""
    path = tmp_path / "youtube.vtt"
    path.write_text(
        "WEBVTT\nKind: captions\nLanguage: en\n\n"
        "00:00:00.030 --> 00:00:02.550 align:start position:0%\n \n"
        "so<00:00:00.539><c> today</c><00:00:00.930><c> we</c><00:00:01.110><c> talk</c>\n\n"
        "00:00:02.550 --> 00:00:02.560 align:start position:0%\nso today we talk\n \n\n"
        "00:00:02.560 --> 00:00:05.110 align:start position:0%\nso today we talk\n"
        "about<00:00:03.000><c> counselors</c>\n\n"
        "00:00:05.110 --> 00:00:05.120 align:start position:0%\nabout counselors\n \n",
        encoding="utf-8",
    )
    corpus = qc.read_transcripts(path)
    assert_offsets(corpus)
    assert corpus.segments[C.TEXT].tolist() == ["so today we talk about counselors"]
    assert corpus.segments[[C.START_TIME, C.END_TIME]].values.tolist() == [[0.03, 5.11]]
    parted = tmp_path / "parted.vtt"  # two cues parted by a line of spaces: both read
    parted.write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nMaria: hello there\n   \n"
        "00:00:03.000 --> 00:00:04.000\nBen: second cue\n",
        encoding="utf-8",
    )
    assert turns(qc.read_transcripts(parted)) == [("Maria", "hello there"), ("Ben", "second cue")]
    broadcast = tmp_path / "broadcast.srt"
    broadcast.write_text(
        "1\n00:00:05,000 --> 00:00:08,000\n>> INTERVIEWER: How do principals know?\n\n"
        "2\n00:00:09,000 --> 00:00:12,000\n>> MARIA LOPEZ: We meet monthly.\n",
        encoding="utf-8",
    )
    read_back = qc.read_transcripts(broadcast)
    assert turns(read_back) == [("INTERVIEWER", "How do principals know?"), ("MARIA LOPEZ", "We meet monthly.")]
    assert read_back.segments[C.IS_INTERVIEWER].tolist() == [True, False]


def test_word_tables_with_a_header_row_or_a_time_column(tmp_path):
    """A transcript table's header row (``Speaker | Text``) was read as a turn of a speaker
    named "Speaker"; tables of three columns (``time | speaker | text``, as Rev and Trint
    export them) were read with no speakers at all."""
    document = docx.Document()
    table = document.add_table(rows=0, cols=2)
    for row in [("Speaker", "Text"), ("Interviewer", "What is your role?"), ("Maria Lopez", "I'm the superintendent.")]:
        for cell, value in zip(table.add_row().cells, row, strict=True):
            cell.text = value
    headed = tmp_path / "headed.docx"
    document.save(headed)
    assert turns(qc.read_transcripts(headed)) == [
        ("Interviewer", "What is your role?"),
        ("Maria Lopez", "I'm the superintendent."),
    ]
    for order in ("time first", "speaker first"):
        document = docx.Document()
        table = document.add_table(rows=0, cols=3)
        rows = [
            ("Time", "Speaker", "Transcript"),
            ("00:00:02", "Interviewer", "What is your role?"),
            ("[00:00:09]", "Maria Lopez", "I'm the superintendent. It started at 10:30."),
            ("00:01:05 - 00:01:09", "Interviewer", "Thank you."),
        ]
        for row in rows:
            cells = row if order == "time first" else (row[1], row[0], row[2])
            for cell, value in zip(table.add_row().cells, cells, strict=True):
                cell.text = value
        timed = tmp_path / f"{order.replace(' ', '_')}.docx"
        document.save(timed)
        corpus = qc.read_transcripts(timed)
        assert_offsets(corpus)
        assert turns(corpus) == [
            ("Interviewer", "What is your role?"),
            ("Maria Lopez", "I'm the superintendent. It started at 10:30."),
            ("Interviewer", "Thank you."),
        ], order
        assert corpus.segments[C.START_TIME].tolist() == [2.0, 9.0, 65.0], order
        assert corpus.segments[C.IS_INTERVIEWER].tolist() == [True, False, True], order


def test_unlabelled_text_splits_into_paragraphs():
    corpus = read("no_labels.txt")
    assert corpus.segments[C.SPEAKER].tolist() == ["", ""]
    assert corpus.segments[C.TEXT].tolist()[1] == "The pandemic changed how we talk to families."


def test_markdown_bold_labels_and_front_matter():
    corpus = read("front_matter.md")
    seg = corpus.segments
    assert seg[C.SPEAKER].tolist() == ["Interviewer", "P7"]  # the '# Interview notes' title is not a turn
    assert set(seg["role"]) == {"superintendent"} and set(seg["district"]) == {"D05"}


def test_custom_speaker_pattern(tmp_path):
    path = tmp_path / "custom.txt"
    path.write_text("- interviewer - so tell me\n- ana - we hired people\n", encoding="utf-8")
    corpus = qc.read_transcripts(path, speaker_patterns=[r"^- (?P<speaker>\w+) - (?P<text>.+)$"])
    assert_offsets(corpus)
    assert turns(corpus) == [("interviewer", "so tell me"), ("ana", "we hired people")]
    with pytest.raises(qc.OptionError, match="named group"):
        qc.read_transcripts(path, speaker_patterns=[r"^(\w+):"])


@pytest.mark.parametrize("name", ["utf8_bom.txt", "utf16_bom.txt", "cp1252.txt"])
def test_encodings_and_crlf(name):
    corpus = read(name)
    doc = corpus.documents[0]
    assert "\r" not in doc.text and not doc.text.startswith("\ufeff")
    assert turns(corpus)[1] == ("P1", "Naïve care – we hired a counselor.")
    if name == "cp1252.txt":
        assert doc.encoding == "cp1252"
        assert any("decoded as cp1252" in w for w in corpus.warnings)
    else:
        assert not corpus.warnings


def test_docx_paragraph_labels_from_examples():
    corpus = qc.read_transcripts(EXAMPLES / "d02_superintendent.docx")
    assert_offsets(corpus)
    seg = corpus.segments
    assert seg[C.SPEAKER].tolist()[:2] == ["INTERVIEWER", "P04"]
    assert "\n\n" in seg[C.TEXT].iloc[1]  # a turn of two paragraphs stays one turn


def test_docx_speaker_table(tmp_path):
    document = docx.Document()
    document.add_paragraph("Focus group, D07")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Facilitator", "What helps?"
    table.cell(1, 0).text, table.cell(1, 1).text = "Kim", "The counselors we hired."
    path = tmp_path / "table.docx"
    document.save(path)
    corpus = qc.read_transcripts(path)
    assert_offsets(corpus)
    assert turns(corpus) == [("Facilitator", "What helps?"), ("Kim", "The counselors we hired.")]
    assert corpus.segments[C.IS_INTERVIEWER].tolist() == [True, False]


def _element(tag, text=None, **attributes):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    element = OxmlElement(tag)
    for name, value in attributes.items():
        element.set(qn(f"w:{name}"), value)
    if text is not None:
        element.text = text
        element.set(qn("xml:space"), "preserve")
    return element


def _run(text, kind="w:t"):
    run = _element("w:r")
    run.append(_element(kind, text))
    return run


def test_docx_reads_tracked_changes_as_accepted_and_content_controls(tmp_path):
    """A transcript corrected with tracked changes lost every inserted word ("We hired  last
    fall."), and text in content controls was dropped: python-docx's paragraph text reads
    only the paragraph's own runs."""
    document = docx.Document()
    document.add_paragraph("Interviewer: How did the district respond?")
    said = document.add_paragraph("Lee: We hired ")._p
    inserted = _element("w:ins", id="1", author="ana", date="2024-01-01T00:00:00Z")
    inserted.append(_run("two counselors"))
    deleted = _element("w:del", id="2", author="ana", date="2024-01-01T00:00:00Z")
    deleted.append(_run(" one nurse", "w:delText"))
    control = _element("w:sdt")
    content = _element("w:sdtContent")
    content.append(_run(" last fall"))
    control.append(content)
    said.extend([inserted, deleted, control, _run(".")])
    block = _element("w:sdt")  # a content control around a whole paragraph
    inner = _element("w:sdtContent")
    paragraph = _element("w:p")
    paragraph.append(_run("Interviewer: Thank you."))
    inner.append(paragraph)
    block.append(inner)
    document.element.body.insert(len(document.element.body) - 1, block)
    path = tmp_path / "tracked.docx"
    document.save(path)
    corpus = qc.read_transcripts(path)
    assert_offsets(corpus)
    assert turns(corpus) == [
        ("Interviewer", "How did the district respond?"),
        ("Lee", "We hired two counselors last fall."),
        ("Interviewer", "Thank you."),
    ]


def test_zoom_vtt_from_a_real_recording():
    corpus = read("zoom-chemistry-lesson.vtt")
    seg = corpus.segments
    assert "Caleob King" in set(seg[C.SPEAKER])
    assert seg[C.SPEAKER].iloc[0] == "Caleob King"
    assert seg[C.TEXT].iloc[0].startswith("Hello, everybody, I hope you're doing all right.")
    assert seg[C.START_TIME].iloc[0] == pytest.approx(4.16)
    # consecutive cues of one speaker merged: far fewer turns than the 264 cues
    assert len(seg) < 264
    assert (seg[C.END_TIME] >= seg[C.START_TIME]).all()


def test_teams_voice_tags_and_inline_labels():
    corpus = read("teams.vtt")
    assert turns(corpus) == [
        ("Interviewer", "How did the pandemic change things?"),
        ("Ana Ruiz", "We went to remote learning in March. Families without internet got hotspots."),
        ("INTERVIEWER", "Thanks."),
    ]
    seg = corpus.segments
    assert seg[C.START_TIME].tolist() == [1.0, 4.0, 9.5]
    assert seg[C.END_TIME].tolist() == [3.5, 9.0, 10.0]


def test_srt_and_sentence_times():
    corpus = read("captions.srt", segment_by="sentence")
    seg = corpus.segments
    assert seg[C.SPEAKER].tolist() == ["Interviewer", "Lee", "Lee"]
    assert seg[C.TEXT].tolist()[1:] == ["We learned to check on families.", "Every week, by phone."]
    assert seg[C.START_TIME].tolist() == [1.0, 2.5, 5.3]


def test_survey_csv_rows_become_documents():
    corpus = read("survey.csv", id_column="respondent")
    seg = corpus.segments
    assert seg[C.DOC_ID].tolist() == ["R1", "R2", "R4"]  # the empty answer is skipped, and said
    assert any("1 row with an empty 'answer' (line 4) is not a document" in note for note in corpus.warnings)
    assert seg["role"].tolist() == ["superintendent", "student_services", "principal"]
    auto = read("survey.csv")  # 'answer' column found; 'respondent' id found
    assert auto.segments[C.DOC_ID].tolist() == ["R1", "R2", "R4"]


def test_a_one_column_survey_csv_numbers_rows_as_its_spreadsheet(tmp_path):
    """A sheet of one column of answers, some empty, saved as CSV by LibreOffice (an empty line
    per empty cell; Excel writes the same): pandas skipped the empty lines, so the answers after
    one were named a row short of where the sheet shows them (`answers_one_column-4` was row 6's
    respondent) and the empty answers went unsaid. Now named as the workbook's rows are."""
    folder = FIXTURES / "one_column"
    csv_read, sheet = (qc.read_transcripts(folder / f"answers_one_column.{suffix}") for suffix in ("csv", "xlsx"))
    ids = ["answers_one_column-2", "answers_one_column-4", "answers_one_column-6"]
    assert csv_read.segments[C.DOC_ID].tolist() == ids == sheet.segments[C.DOC_ID].tolist()
    assert csv_read.segments[C.TEXT].tolist()[2] == "Families were struggling with transportation."
    assert any("2 rows with an empty 'answer' (lines 3, 5) are not documents" in n for n in csv_read.warnings)
    quoted = tmp_path / "quoted.csv"  # an empty answer written '""', and empty lines closing the file
    quoted.write_text('answer\nYes.\n""\nNo.\n\n\n', encoding="utf-8")
    corpus = qc.read_transcripts(quoted)
    assert corpus.segments[C.DOC_ID].tolist() == ["quoted-2", "quoted-4"]
    assert any("1 row with an empty 'answer' (line 3) is not a document" in n for n in corpus.warnings)


def test_a_survey_saved_with_semicolons_and_answers_full_of_commas_is_read(tmp_path):
    """Excel where the list separator is ';' (much of Europe) writes such files; the sniffer
    took the commas in the answers for the delimiter and the file was refused."""
    answers = [
        'He called it "art", "play", and "work", all at once.',
        "Yes, yes,\nand yes.",
        "No.",
    ]
    frame = pd.DataFrame({"respondent": ["R1", "R2", "R3"], "answer": answers})
    path = tmp_path / "survey.csv"
    frame.to_csv(path, sep=";", index=False, encoding="utf-8-sig")
    corpus = qc.read_transcripts(path)
    assert corpus.segments[C.DOC_ID].tolist() == ["R1", "R2", "R3"]
    assert [doc.text.strip() for doc in corpus.documents] == answers


QUALTRICS = (  # the layout of a Qualtrics CSV export (values of our own): names, question texts, import ids
    "StartDate,EndDate,Status,ResponseId,Q1,Q2_TEXT,Q3\r\n"
    '"Start Date","End Date","Response Type","Response ID","Years here?",'
    '"What has your district done that helps your school care for students?","Role"\r\n'
    '"{""ImportId"":""startDate"",""timeZone"":""America/Denver""}","{""ImportId"":""endDate"",""timeZone"":'
    '""America/Denver""}","{""ImportId"":""status""}","{""ImportId"":""_recordId""}","{""ImportId"":""QID1""}",'
    '"{""ImportId"":""QID2_TEXT""}","{""ImportId"":""QID3""}"\r\n'
    "2024-03-01 10:00:00,2024-03-01 10:05:00,IP Address,R_1a,5,They hired a counselor for every school.,teacher\r\n"
    '2024-03-01 11:00:00,2024-03-01 11:09:00,IP Address,R_2b,2,"Nothing, we got a curriculum and no time.",principal\r\n'
)


def test_a_qualtrics_export_s_header_rows_are_not_answers(tmp_path):
    """A Qualtrics export writes the question texts and import ids under the column names:
    read as answers, the question itself was a respondent ('Response ID') and got codes."""
    path = tmp_path / "survey.csv"
    path.write_bytes(b"\xef\xbb\xbf" + QUALTRICS.encode())
    corpus = qc.read_transcripts(path, text_column="Q2_TEXT")  # ResponseId found as the id
    assert corpus.segments[C.DOC_ID].tolist() == ["R_1a", "R_2b"]
    assert corpus.segments["Q3"].tolist() == ["teacher", "principal"]
    assert set(corpus.segments["question"]) == {"What has your district done that helps your school care for students?"}
    assert any("a Qualtrics export: its 2 rows under the column names" in note for note in corpus.warnings)
    older = tmp_path / "older.csv"  # the older export: question texts only
    older.write_text("\n".join(line for line in QUALTRICS.split("\r\n") if "ImportId" not in line), encoding="utf-8")
    corpus = qc.read_transcripts(older, text_column="Q2_TEXT")
    assert corpus.segments[C.DOC_ID].tolist() == ["R_1a", "R_2b"]
    assert any("its row of question texts" in note for note in corpus.warnings)
    monkey = tmp_path / "monkey.csv"  # SurveyMonkey: a second header row of answer kinds
    monkey.write_text(
        "Respondent ID,Collector ID,What helps your school care for students?\n"
        ",,Open-Ended Response\n"
        "114,42,Counselors in every building.\n",
        encoding="utf-8",
    )
    corpus = qc.read_transcripts(monkey, text_column="What helps your school care for students?")
    assert corpus.segments[C.DOC_ID].tolist() == ["114"]
    assert any("a SurveyMonkey export" in note for note in corpus.warnings)
    plain = read("survey.csv", id_column="respondent")  # an ordinary table: nothing left out
    assert not any("export:" in note for note in plain.warnings)


def test_several_questions_of_a_survey_are_segments_of_each_respondent(tmp_path):
    """Two open-ended questions: one document per respondent, one segment per answer with
    its column as the speaker and the question's text from the Qualtrics header rows."""
    path = tmp_path / "survey.csv"
    path.write_text(
        QUALTRICS.replace("Q3\r\n", "Q4_TEXT\r\n", 1)
        .replace('"Role"\r\n', '"What should it do next?"\r\n', 1)
        .replace('"{""ImportId"":""QID3""}"', '"{""ImportId"":""QID4_TEXT""}"', 1)
        .replace(",teacher\r\n", ",More time to plan.\r\n", 1)
        .replace(",principal\r\n", ",\r\n", 1),
        encoding="utf-8",
    )
    corpus = qc.read_transcripts(path, text_column=["Q2_TEXT", "Q4_TEXT"])
    seg = corpus.segments
    assert seg[C.DOC_ID].tolist() == ["R_1a", "R_1a", "R_2b"]
    assert seg[C.SPEAKER].tolist() == ["Q2_TEXT", "Q4_TEXT", "Q2_TEXT"]
    assert seg["question"].tolist()[:2] == [
        "What has your district done that helps your school care for students?",
        "What should it do next?",
    ]
    assert seg[C.TEXT].tolist() == [
        "They hired a counselor for every school.",
        "More time to plan.",
        "Nothing, we got a curriculum and no time.",
    ]
    assert_offsets(corpus)
    assert seg["Q1"].tolist() == ["5", "5", "2"]  # the respondent's other columns: metadata
    with pytest.raises(qc.ColumnError, match="cannot go with --speaker-column"):
        qc.read_transcripts(path, text_column=["Q2_TEXT", "Q4_TEXT"], speaker_column="Q1")
    with pytest.raises(qc.ColumnError, match="no column 'Q9'"):
        qc.read_transcripts(path, text_column=["Q2_TEXT", "Q9"])


def test_survey_xlsx_and_utterance_tables(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["lesson", "Speaker", "Sentence", "Tag"])
    sheet.append(["L1", "T", "What do you notice?", "eliciting"])
    sheet.append(["L1", "T", "Take your time.", "none"])
    sheet.append(["L1", "Ana", "It is bigger.", "claim"])
    path = tmp_path / "lesson.xlsx"
    book.save(path)
    corpus = qc.read_transcripts(path, text_column="Sentence", speaker_column="Speaker", segment_by="turn")
    assert_offsets(corpus)
    assert turns(corpus) == [("T", "What do you notice?"), ("T", "Take your time."), ("Ana", "It is bigger.")]
    assert corpus.segments["lesson"].unique().tolist() == ["L1"]  # constant column kept as metadata
    # per-row values are each segment's own metadata (no longer dropped)
    assert corpus.segments["Tag"].tolist() == ["eliciting", "none", "claim"]
    # without --speaker-column the rows are read as answers (the 'Sentence' column found by its
    # name), and the reader says that the 'Speaker' column suggests turns
    rows = qc.read_transcripts(path)
    assert rows.segments[C.TEXT].tolist() == ["What do you notice?", "Take your time.", "It is bigger."]
    assert len(rows.documents) == 3
    assert any("--speaker-column 'Speaker'" in w for w in rows.warnings), rows.warnings
    assert not corpus.warnings


def test_a_workbook_with_rows_on_several_sheets_is_never_read_in_part(tmp_path):
    """Only the first sheet was read: answers continued on a second sheet (one wave per
    sheet) were dropped without a word."""
    answers = pd.read_csv(EXAMPLES.parent / "survey" / "answers.csv", dtype=str)
    waves = tmp_path / "waves.xlsx"
    with pd.ExcelWriter(waves) as book:
        answers.iloc[:5].to_excel(book, sheet_name="wave1", index=False)
        answers.iloc[5:].to_excel(book, sheet_name="wave2", index=False)
    message = re.escape("sheets 'wave1' (5 rows), 'wave2' (20 rows) have the same columns, and qualcode reads one")
    with pytest.raises(qc.InputFileError, match=message):
        qc.read_transcripts(waves, text_column="answer")
    with pytest.raises(qc.InputFileError, match=message):
        qc.read_codings(waves)
    noted = tmp_path / "noted.xlsx"  # a cover sheet, the answers, the team's notes
    with pd.ExcelWriter(noted) as book:
        pd.DataFrame().to_excel(book, sheet_name="cover")
        answers.to_excel(book, sheet_name="answers", index=False)
        pd.DataFrame({"note": ["asked in May", "second wave in June"]}).to_excel(book, sheet_name="notes", index=False)
    with pytest.warns(qc.QualcodeWarning, match="read sheet 'answers' \\(25 rows\\); not read: 'notes' \\(2 rows"):
        corpus = qc.read_transcripts(noted, text_column="answer")
    assert corpus.segments[C.TEXT].tolist() == answers["answer"].str.strip().tolist()


def test_examples_with_metadata(example_corpus):
    assert_offsets(example_corpus)
    seg = example_corpus.segments
    assert not example_corpus.warnings
    assert len(example_corpus.documents) >= 8
    assert {d.format for d in example_corpus.documents} >= {"txt", "docx", "vtt"}
    assert set(seg["role"]) == {"superintendent", "assistant_superintendent", "student_services"}
    assert set(seg["district"]) == {"D01", "D02", "D03"}
    assert (seg["role"] != "").all() and (seg["district"] != "").all()
    assert list(seg.columns[: len(C.SEGMENT_CORE)]) == C.SEGMENT_CORE


def test_metadata_mismatches_are_reported_not_dropped(tmp_path):
    meta = tmp_path / "people.csv"
    meta.write_text("doc_id,role\nlabels_colon,superintendent\nghost,principal\n", encoding="utf-8")
    corpus = qc.read_transcripts([FIXTURES / "labels_colon.txt", FIXTURES / "no_labels.txt"], metadata=meta)
    assert any("no row for document 'no_labels'" in w for w in corpus.warnings)
    assert any("1 row(s) match no document: 'ghost'" in w for w in corpus.warnings)
    assert set(corpus.segments[C.DOC_ID]) == {"labels_colon", "no_labels"}


def test_metadata_rows_may_name_the_file_or_differ_in_case_and_must_name_some_document(tmp_path):
    """Participant sheets list files as `labels_colon.txt` or in other letter case: such rows
    now find their document. A sheet none of whose rows names a document (participant ids
    instead of document ids) stopped nothing: every role and district was empty."""
    meta = tmp_path / "people.csv"
    meta.write_text("doc_id,role\nlabels_colon.txt,superintendent\nNO_LABELS,principal\n", encoding="utf-8")
    corpus = qc.read_transcripts([FIXTURES / "labels_colon.txt", FIXTURES / "no_labels.txt"], metadata=meta)
    assert not corpus.warnings
    roles = dict(zip(corpus.segments[C.DOC_ID], corpus.segments["role"], strict=True))
    assert roles == {"labels_colon": "superintendent", "no_labels": "principal"}
    meta.write_text("doc_id,role\nP01,superintendent\nP02,principal\n", encoding="utf-8")
    with pytest.raises(qc.MetadataError, match=r"none of its 2 rows names one of the 2 documents \(its ids: 'P01'"):
        qc.read_transcripts([FIXTURES / "labels_colon.txt", FIXTURES / "no_labels.txt"], metadata=meta)


def test_metadata_values_are_stripped_and_case_variants_said(tmp_path):
    """'Superintendent ' (a trailing space typed in a spreadsheet) was a group of its own in
    every count by role; values differing in letter case still are, but are now said."""
    meta = tmp_path / "people.csv"
    meta.write_text("doc_id,role\nlabels_colon,Superintendent \nno_labels,superintendent\n", encoding="utf-8")
    corpus = qc.read_transcripts([FIXTURES / "labels_colon.txt", FIXTURES / "no_labels.txt"], metadata=meta)
    assert set(corpus.segments["role"]) == {"Superintendent", "superintendent"}
    assert any(
        "metadata role: 'Superintendent' / 'superintendent' differ only in letter case" in w for w in corpus.warnings
    )


def test_front_matter_conflict_is_reported(tmp_path):
    meta = tmp_path / "people.csv"
    meta.write_text("doc_id,role\nfront_matter,student_services\n", encoding="utf-8")
    corpus = qc.read_transcripts(FIXTURES / "front_matter.md", metadata=meta)
    assert set(corpus.segments["role"]) == {"student_services"}
    assert any("front matter role='superintendent' differs" in w for w in corpus.warnings)


def test_every_unit_keeps_offsets(example_corpus):
    for unit in ("turn", "paragraph", "sentence", "window"):
        corpus = qc.read_transcripts(EXAMPLES, metadata=PARTICIPANTS, segment_by=unit)
        assert_offsets(corpus)
    windows = qc.read_transcripts(FIXTURES / "labels_colon.txt", segment_by="window", window_size=2, window_overlap=1)
    sentences = qc.read_transcripts(FIXTURES / "labels_colon.txt", segment_by="sentence")
    assert len(windows.segments) >= 1 and len(sentences.segments) >= len(windows.segments)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.txt", "file is empty"),
        ("binary.txt", "binary"),
        ("undecodable.txt", "not UTF-8 text"),
    ],
)
def test_bad_files(name, message):
    with pytest.raises(qc.QualcodeError, match=message):
        qc.read_transcripts(FIXTURES / name)


def test_missing_and_unsupported(tmp_path):
    with pytest.raises(qc.InputFileError, match="no such file"):
        qc.read_transcripts(tmp_path / "missing.txt")
    rtf = tmp_path / "interview.rtf"
    rtf.write_bytes(b"PK\x03\x04 a .docx renamed")
    with pytest.raises(qc.InputFileError, match=r"interview\.rtf: not a Rich Text file \(it does not begin with"):
        qc.read_transcripts(rtf)
    pdf = tmp_path / "interview.pdf"
    pdf.write_bytes(b"%PDF-1.4")  # a header and nothing more
    with pytest.raises(qc.InputFileError, match=r"interview\.pdf: not a readable PDF"):
        qc.read_transcripts(pdf)
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"not a zip at all")
    with pytest.raises(qc.InputFileError, match=r"not a zip archive .*re-save it from Word"):
        qc.read_transcripts(broken)


def test_column_errors():
    with pytest.raises(qc.ColumnError, match="no column 'essay'; columns are: respondent, role, district, answer"):
        qc.read_transcripts(FIXTURES / "survey.csv", text_column="essay")


def test_metadata_without_join_column(tmp_path):
    meta = tmp_path / "people.csv"
    meta.write_text("name,role\nx,y\n", encoding="utf-8")
    with pytest.raises(qc.MetadataError, match="no column 'doc_id' to join on; columns are: name, role"):
        qc.read_transcripts(FIXTURES / "labels_colon.txt", metadata=meta)


def test_duplicate_doc_ids(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "x.txt").write_text("P1: hello", encoding="utf-8")
    (tmp_path / "b" / "x.txt").write_text("P1: hello", encoding="utf-8")
    with pytest.raises(qc.InputFileError, match="document id 'x' is also used"):
        qc.read_transcripts(tmp_path)


def test_a_folder_of_tables_says_it_needs_a_text_column(tmp_path):
    import pandas as pd

    pd.DataFrame({"Speaker": ["T", "S1"], "Sentence": ["Why?", "Because."]}).to_excel(tmp_path / "lesson.xlsx")
    with pytest.raises(
        qc.InputFileError, match=r"tables \(lesson\.xlsx, …\) are read as transcripts only when a table column is named"
    ):
        qc.read_transcripts(tmp_path)
    corpus = qc.read_transcripts(tmp_path, speaker_column="Speaker")  # naming the speaker column is enough
    assert [doc.doc_id for doc in corpus.documents] == ["lesson"] and list(corpus.segments["speaker"]) == ["T", "S1"]


def test_speaker_labels_with_and_without_a_colon_are_one_speaker(tmp_path):
    import pandas as pd

    path = tmp_path / "lesson.csv"
    pd.DataFrame({"Speaker": ["T1:", "Erik", "T1", "Erik:"], "Sentence": ["One?", "Two.", "Three?", "Four."]}).to_csv(
        path, index=False
    )
    corpus = qc.read_transcripts(path, text_column="Sentence", speaker_column="Speaker", segment_by="turn")
    assert sorted(set(corpus.segments["speaker"])) == ["Erik", "T1"]


def _docx_with(tmp_path, name, change):
    import zipfile

    source = EXAMPLES / "d02_superintendent.docx"
    out = tmp_path / name
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for item in original.infolist():
            copy.writestr(item.filename, change(item.filename, original.read(item.filename)))
    return out


def test_damaged_docx_is_one_clear_error(tmp_path):
    cut = _docx_with(tmp_path, "cut.docx", lambda n, b: b[: len(b) // 2] if n == "word/document.xml" else b)
    with pytest.raises(qc.InputFileError, match=r"cut\.docx: not a valid \.docx file"):
        qc.read_transcripts(cut)
    raw = bytearray((EXAMPLES / "d02_superintendent.docx").read_bytes())
    at = raw.find(b"word/document.xml")
    raw[at + 200 : at + 260] = b"\0" * 60
    broken = tmp_path / "broken.docx"
    broken.write_bytes(bytes(raw))
    with pytest.raises(qc.InputFileError, match=r"broken\.docx"):
        qc.read_transcripts(broken)


def test_an_entry_whose_local_name_is_not_utf8_is_one_clear_error(tmp_path):
    """Found by fuzzing an .odt: a zip whose entry name is flagged UTF-8 in the directory but
    damaged in the entry's own header raised UnicodeDecodeError (a traceback) from zipfile."""
    import zipfile

    good = tmp_path / "good.zip"
    with zipfile.ZipFile(good, "w") as archive:
        archive.writestr("content\u00e9.xml", "<x/>")  # a non-ASCII name: flagged UTF-8
    raw = bytearray(good.read_bytes())
    at = raw.find("content\u00e9".encode())  # the first copy is the entry's own header
    raw[at + 7 : at + 9] = b"\xff\xfe"
    for suffix in (".docx", ".odt"):
        broken = tmp_path / f"broken{suffix}"
        broken.write_bytes(bytes(raw))
        with pytest.raises(qc.InputFileError, match=rf"broken\{suffix}: entry .* is damaged"):
            qc.read_transcripts(broken)


def test_docx_bomb_of_many_small_entries_is_refused(tmp_path):
    import time
    import zipfile

    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        for i in range(300):  # each entry 0.9 MiB of zeros: under the per-entry floor, a bomb together
            archive.writestr(f"word/media/pad{i}.xml", b"\0" * (900 * 1024))
    start = time.perf_counter()
    with pytest.raises(qc.InputFileError, match="possible zip bomb"):
        qc.read_transcripts(bomb)
    assert time.perf_counter() - start < 5


@pytest.mark.parametrize(
    "timing", ["00:01.000 -> 00:02.000", "00:01 --> 00:02", "1.000 --> 2.000", "00:00:01,000 --> later"]
)
def test_a_cue_with_an_unreadable_timing_is_an_error_not_lost_text(tmp_path, timing):
    path = tmp_path / "talk.vtt"
    path.write_text(
        f"WEBVTT\n\n00:00.000 --> 00:01.000\nAna: We hired counselors.\n\n{timing}\nBen: This text must not vanish.\n",
        encoding="utf-8",
    )
    with pytest.raises(qc.InputFileError, match=r"talk\.vtt:6: a caption whose timing line cannot be read"):
        qc.read_transcripts(path)


@pytest.mark.parametrize("suffix", ["srt", "vtt"])
def test_a_cue_that_ends_before_it_starts_is_an_error_naming_its_line(tmp_path, suffix):
    comma = "," if suffix == "srt" else "."
    head = "WEBVTT\n\n" if suffix == "vtt" else ""
    path = tmp_path / f"talk.{suffix}"
    path.write_text(
        f"{head}1\n00:00:01{comma}000 --> 00:00:02{comma}000\nWe hired counselors.\n\n"
        f"2\n00:00:03{comma}000 --> 00:00:02{comma}500\nBackwards.\n",
        encoding="utf-8",
    )
    line = 6 + (2 if head else 0)  # the timing line itself
    with pytest.raises(qc.InputFileError, match=rf"talk\.{suffix}:{line}: a caption ends before it starts"):
        qc.read_transcripts(path)


def test_notes_and_styles_in_a_vtt_are_not_cues(tmp_path):
    path = tmp_path / "talk.vtt"
    path.write_text(
        "WEBVTT\n\nNOTE made by hand\n\nSTYLE\n::cue { color: red }\n\n1\n00:00.000 --> 00:01.000\nAna: Hello there.\n",
        encoding="utf-8",
    )
    assert qc.read_transcripts(path).segments["text"].tolist() == ["Hello there."]


@pytest.mark.parametrize("name", ["text", "code", "segment_id", "status", "start_char"])
def test_metadata_may_not_take_qualcodes_own_column_names(tmp_path, name):
    path = tmp_path / "note.md"
    path.write_text(f"---\n{name}: x\nrole: superintendent\n---\nWe hired counselors.\n", encoding="utf-8")
    with pytest.raises(qc.MetadataError, match=rf"note\.md: metadata field '{name}' has the name of one of qualcode's"):
        qc.read_transcripts(path)
    table = tmp_path / "answers.csv"
    table.write_text(f"respondent,answer,{name}\nR1,We hired counselors.,x\n", encoding="utf-8")
    with pytest.raises(qc.MetadataError, match=f"metadata field '{name}'"):
        qc.read_transcripts(table, text_column="answer", id_column="respondent")


def test_pipes_and_devices_are_refused_not_read(tmp_path):
    import os
    import time

    fifo = tmp_path / "talk.txt"
    os.mkfifo(fifo)
    start = time.perf_counter()
    with pytest.raises(qc.InputFileError, match="not a regular file"):
        qc.read_transcripts(fifo)
    zero = tmp_path / "zero.txt"
    zero.symlink_to("/dev/zero")
    with pytest.raises(qc.InputFileError, match="not a regular file"):
        qc.read_transcripts(zero)
    assert time.perf_counter() - start < 2


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"answer\nWe hired counselors.\nNothing changed.\n", ["answer"]),  # one column: not split on a letter
        (b"answer;respondent\nWe hired counselors.;R1\n", ["answer", "respondent"]),
        (b"\xef\xbb\xbfanswer\tid\nyes\t1\n", ["answer", "id"]),
    ],
)
def test_csv_delimiters_are_found_and_never_a_letter(tmp_path, data, expected):
    from qualcode.io.table import read_table

    path = tmp_path / "answers.csv"
    path.write_bytes(data)
    assert list(read_table(path).columns) == expected


@pytest.mark.parametrize("data", [b"\xef\xbb\xbf", b"\x91", b""])
def test_a_csv_with_nothing_in_it_is_one_clear_error(tmp_path, data):
    path = tmp_path / "answers.csv"
    path.write_bytes(data)
    with pytest.raises(qc.QualcodeError) as info:
        qc.read_transcripts(path, text_column="answer")
    assert "answers.csv" in str(info.value) and "\n" not in str(info.value)


def test_a_file_named_twice_is_read_once():
    """A folder and a file in it (a shell glob) stopped with 'rename one file' about one file."""
    corpus = qc.read_transcripts([EXAMPLES, EXAMPLES / "d01_superintendent.txt"])
    ids = [doc.doc_id for doc in corpus.documents]
    assert len(ids) == len(set(ids)) and "d01_superintendent" in ids


def test_a_document_without_speakers_among_transcripts_with_them_is_named(tmp_path):
    """A consent form beside the interviews is read as one more interview: it is named; nothing
    is said where transcripts with speakers are not the rule (a folder of memos, a survey)."""
    import shutil

    for name in ("d01_superintendent.txt", "d02_superintendent.docx", "d03_assistant_superintendent.txt"):
        shutil.copy(EXAMPLES / name, tmp_path)
    (tmp_path / "consent_form.txt").write_text(
        "CONSENT TO PARTICIPATE IN RESEARCH\n\nYou are invited to take part in a study of how district "
        "offices support caring in schools. Participation is voluntary.\n",
        encoding="utf-8",
    )
    (note,) = [w for w in qc.read_transcripts(tmp_path).warnings if "speaker label" in w]
    assert note.startswith(
        "consent_form.txt has no speaker label, where 3 of the 4 transcripts have: its text is read as one "
        "speaker's and suggested codes as a participant's; if it is no transcript (a consent form, notes), leave "
        "it out of the inputs"
    )
    assert not any("speaker label" in w for w in qc.read_transcripts(EXAMPLES).warnings)
    memos = tmp_path / "memos"
    memos.mkdir()
    for k in range(3):
        (memos / f"memo{k}.txt").write_text(f"Memo {k}: the districts differ in staffing.\n", encoding="utf-8")
    shutil.copy(EXAMPLES / "d01_superintendent.txt", memos)
    assert not any("speaker label" in w for w in qc.read_transcripts(memos).warnings)  # 1 of 4: not the rule
    assert not any(
        "speaker label" in w for w in qc.read_transcripts(FIXTURES / "survey.csv", text_column="answer").warnings
    )


def test_a_folder_holding_transcripts_qualcode_cannot_read_is_an_error(tmp_path):
    """Interviews kept as .doc or .pages in the transcripts' folder were left out without a word
    (the study short of them in every count); now an error naming them and the fix, unless a
    file qualcode reads has the same name beside it (the .doc saved as .docx)."""
    import shutil

    shutil.copy(EXAMPLES / "d01_superintendent.txt", tmp_path)
    (tmp_path / "d05_principal.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 56)
    (tmp_path / "d06_coach.pages").write_bytes(b"PK\x03\x04")
    (tmp_path / "~$d05_principal.doc").write_bytes(b"lock")  # Word's lock file: never a transcript
    with pytest.raises(qc.InputFileError) as error:
        qc.read_transcripts(tmp_path)
    assert str(error.value) == (
        f"{tmp_path / 'd05_principal.doc'}: qualcode does not read a Word 97-2003 file: open it in Word or "
        "LibreOffice and save it as .docx, or move it out of the folder (1 more such file: d06_coach.pages)"
    )
    shutil.copy(EXAMPLES / "d02_superintendent.docx", tmp_path / "d05_principal.docx")
    shutil.copy(EXAMPLES / "d03_assistant_superintendent.txt", tmp_path / "d06_coach.txt")
    corpus = qc.read_transcripts(tmp_path)  # each saved in a format read: the old files are the same interviews
    assert sorted(doc.doc_id for doc in corpus.documents) == ["d01_superintendent", "d05_principal", "d06_coach"]
    (tmp_path / "answers.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    assert len(qc.read_transcripts(tmp_path).documents) == 3  # tables are not searched for: nor old ones
    with pytest.raises(qc.InputFileError, match=r"answers\.xls: qualcode does not read an Excel 97-2003 file"):
        qc.read_transcripts(tmp_path, text_column="answer")


def test_a_transcript_given_twice_is_named(tmp_path):
    """The same interview as .docx and as .odt (LibreOffice's save of it), or a file and its
    copy: every frequency would count it twice."""
    import shutil

    shutil.copy(EXAMPLES / "d02_superintendent.docx", tmp_path)
    shutil.copy(FIXTURES / "odt" / "d02_superintendent.odt", tmp_path / "d02_superintendent_saved.odt")
    shutil.copy(EXAMPLES / "d01_superintendent.txt", tmp_path)
    corpus = qc.read_transcripts(tmp_path)
    (note,) = [w for w in corpus.warnings if "same text" in w]
    assert note == (
        "documents with the same text, each counted as a document of its own: 'd02_superintendent' and "
        "'d02_superintendent_saved'; give each transcript once (remove the copy)"
    )
    assert not any("same text" in w for w in qc.read_transcripts(EXAMPLES).warnings)
    answers = pd.DataFrame({"id": ["r1", "r2", "r3"], "answer": ["No", "No", "N/A"]})
    answers.to_csv(tmp_path / "survey.csv", index=False)
    survey = qc.read_transcripts(tmp_path / "survey.csv", text_column="answer", id_column="id")
    assert not any("same text" in w for w in survey.warnings)  # short answers alike by chance


def test_dates_and_times_in_a_workbook_read_as_the_csv_wrote_them(tmp_path):
    """LibreOffice Calc keeps `2021-02-11` read from a CSV as a date cell (Excel does too);
    read with pandas' `dtype=str` it came back `2021-02-11 00:00:00`, in every output row and
    as a new group in `freq --by interview_date`."""
    xlsx = qc.read_metadata(FIXTURES / "participants_dates.xlsx")
    csv = qc.read_metadata(FIXTURES / "participants_dates.csv")
    assert list(xlsx.index) == list(csv.index)
    for column in ("participant", "interview_date", "recorded_at"):
        assert list(xlsx[column]) == list(csv[column])
    assert list(xlsx["interview_start"]) == ["09:30:00", "14:05:00", "10:00:00"]  # a time cell holds seconds
    out = tmp_path / "coded.csv"
    result = CliRunner().invoke(
        app,
        ["tag", str(EXAMPLES / "d01_superintendent.txt"), "-c", str(CODEBOOK), "--method", "keyword",
         "--metadata", str(FIXTURES / "participants_dates.xlsx"), "-o", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert set(pd.read_csv(out, dtype=str)["interview_date"]) == {"2021-02-11"}


def test_a_row_longer_than_the_header_is_an_error_naming_its_line(tmp_path):
    """`1,yes, and no` under `id,answer` (a comma in an answer not in quotes) made pandas read
    the row's first cell as the index: the answer 'and no' under id 'yes', silently."""
    survey = tmp_path / "answers.csv"
    survey.write_text("id,answer\n1,yes, and no\n2,fine\n", encoding="utf-8")
    with pytest.raises(qc.InputFileError) as caught:
        qc.read_transcripts(survey, text_column="answer")
    assert str(caught.value) == (
        f"{survey}:2: a row of 3 cells where the header names 2 ('1,yes, and no'): a comma inside a cell "
        "that is not in quotes? Save the table again from the spreadsheet (which quotes such cells), or quote the cell"
    )
    with pytest.raises(qc.InputFileError, match=r"people\.csv:3: a row of 3 cells where the header names 2"):
        (tmp_path / "people.csv").write_text("doc_id;role\nd01;teacher\nd02;coach;extra\n", encoding="utf-8")
        qc.read_metadata(tmp_path / "people.csv")
    # a delimiter ending every line (as some exports write) leaves nothing out: read as before
    survey.write_text("id,answer,\n1,yes,\n2,fine,\n", encoding="utf-8")
    assert qc.read_transcripts(survey, text_column="answer").segments["text"].tolist() == ["yes", "fine"]
    survey.write_text("id,answer\n1,yes,\n2,fine,\n", encoding="utf-8")
    assert qc.read_transcripts(survey, text_column="answer").segments["text"].tolist() == ["yes", "fine"]


def test_a_mac_file_name_joins_its_participant_row_and_codes(tmp_path):
    """A Mac names files in decomposed Unicode (NFD: `e` and a combining diaeresis), the sheet
    typed `Zoë` composed (NFC): the two looked alike in the error (`its ids: 'Zoë_interview' …;
    the documents': 'Zoë_interview'`) and never joined. Ids are now composed wherever read."""
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "Zoë_interview")
    (tmp_path / f"{decomposed}.txt").write_text(
        "Interviewer: How are things?\n\nZoë: The counselors help a lot.\n", encoding="utf-8"
    )
    people = tmp_path / "people.csv"
    people.write_text("doc_id,role\nZoë_interview,teacher\n", encoding="utf-8")
    corpus = qc.read_transcripts(tmp_path / f"{decomposed}.txt", metadata=people)
    assert corpus.documents[0].doc_id == "Zoë_interview" and set(corpus.segments["role"]) == {"teacher"}
    codes = tmp_path / "codes.csv"
    codes.write_text(f"doc_id,start_char,end_char,code,coder\n{decomposed},35,61,personnel,ana\n", encoding="utf-8")
    coded = qc.read_codings(codes)
    assert coded["doc_id"].tolist() == ["Zoë_interview"]
    assert corpus.text("Zoë_interview")[35:61] == "The counselors help a lot."


def test_two_columns_of_one_name_are_an_error(tmp_path):
    """pandas reads a second `code` column as `code.1`: a second coder's codes, or a survey's
    second answer under the same heading, were left out without a word."""
    from openpyxl import Workbook

    codes = tmp_path / "codes.csv"
    codes.write_text("doc_id,start_char,end_char,code,code\nd01,0,10,personnel,caring_climate\n", encoding="utf-8")
    with pytest.raises(
        qc.InputFileError, match=r"codes\.csv: columns 4 and 5 are both named 'code'; give each column its own name"
    ):
        qc.read_codings(codes)
    book = Workbook()
    sheet = book.active
    sheet.append(["id", "answer", "answer "])
    sheet.append(["1", "We hired counselors.", "Also nurses."])
    book.save(tmp_path / "survey.xlsx")
    with pytest.raises(qc.InputFileError, match=r"survey\.xlsx: columns 2 and 3 are both named 'answer'"):
        qc.read_transcripts(tmp_path / "survey.xlsx", text_column="answer")
    sheet.cell(1, 3).value = "answer.1"  # a name of its own, as pandas would have made it
    book.save(tmp_path / "survey.xlsx")
    assert len(qc.read_transcripts(tmp_path / "survey.xlsx", text_column="answer").documents) == 1


@pytest.mark.parametrize(
    "chat",
    [
        # Zoom's saved chat since 5.x: the sender above the message, indented with a tab
        "00:03:12 From Ana Lopez to Everyone:\n\tThanks for having me\n00:04:55 From Ben Ortiz to Everyone:\n"
        "\tCould you share the link?\n00:05:10 From Ana Lopez to Ben Ortiz(Direct Message):\n\there it is\n",
        # the older one-line form
        "00:03:12\t From  Ana Lopez to  Everyone : Thanks for having me\n00:04:55\t From  Ben Ortiz : Could you "
        "share the link?\n00:05:10\t From  Ana Lopez : here it is\n",
        # a cloud recording's chat file
        "00:03:12\tAna Lopez:\tThanks for having me\n00:04:55\tBen Ortiz:\tCould you share the link?\n"
        "00:05:10\tAna Lopez:\there it is\n",
    ],
)
def test_a_zoom_chat_reads_as_its_messages(tmp_path, chat):
    """A focus group's chat saved by Zoom beside its recording was read as one unlabelled
    passage (the two newer forms): each message is now a turn of its sender, at its time."""
    path = tmp_path / "meeting_saved_chat.txt"
    path.write_text(chat, encoding="utf-8")
    corpus = qc.read_transcripts(path)
    segments = corpus.segments
    assert list(zip(segments["speaker"], segments["text"], strict=True)) == [
        ("Ana Lopez", "Thanks for having me"),
        ("Ben Ortiz", "Could you share the link?"),
        ("Ana Lopez", "here it is"),
    ]
    assert segments["start_time"].tolist() == [192.0, 295.0, 310.0]
    assert_offsets(corpus)


def _paragraphs(path, lines, separator):
    """``lines`` as a text file (joined by ``separator``) or as a Word document's paragraphs."""
    if path.suffix == ".txt":
        path.write_text(separator.join(lines) + "\n", encoding="utf-8")
    else:
        document = docx.Document()
        for line in lines:
            document.add_paragraph(line)
        document.save(path)
    return path


@pytest.mark.parametrize("suffix", [".txt", ".docx"])
def test_labels_alone_on_their_line_with_a_time_before_or_after(tmp_path, suffix):
    """Word's Transcribe ("00:00:02 Speaker 1"), Happy Scribe ("[00:00:02.11] - Speaker 1") and
    a bracketed time after the name ("Speaker 1 [00:00:02]") put the label on its own line above
    the words: read as one unlabelled turn per paragraph, the labels inside the text, before."""
    lines = [
        "00:00:02 Speaker 1",
        "Tell me about your district.",
        "[00:00:07.20] - Maria Lopez",
        "We hired two counselors for every school.",
        "Speaker 1 [00:00:15]",
        "And the principals?",
        "Maria Lopez (00:19)",
        "At 10:30 I call every principal.",
    ]
    corpus = qc.read_transcripts(_paragraphs(tmp_path / f"transcribed{suffix}", lines, "\n"))
    assert_offsets(corpus)
    assert turns(corpus) == [
        ("Speaker 1", "Tell me about your district."),
        ("Maria Lopez", "We hired two counselors for every school."),
        ("Speaker 1", "And the principals?"),
        ("Maria Lopez", "At 10:30 I call every principal."),
    ]
    assert corpus.segments[C.START_TIME].tolist() == [2.0, 7.2, 15.0, 19.0]


@pytest.mark.parametrize("suffix", [".txt", ".docx"])
def test_f4_and_maxqda_time_marks_end_each_turn(tmp_path, suffix):
    """f4transkript and MAXQDA close each paragraph with a time mark (``#00:00:05-2#``: hours,
    minutes, seconds, tenths): it was read as the speaker's words (in every segment and its
    embedding); it is now the time the turn ends and the next begins."""
    lines = [
        "I: Wie geht es Ihnen? #00:00:05-2#",
        "B: Gut. Wir haben zwei Beraterinnen eingestellt, um #00:00:09-0# die Schulen zu stärken. #00:00:15-3#",
        "I: Und die Schulleitungen? #00:00:20-1#",
        "B: Ich rufe sie jeden Freitag an.",
    ]
    corpus = qc.read_transcripts(_paragraphs(tmp_path / f"f4{suffix}", lines, "\n\n"))
    assert_offsets(corpus)
    assert turns(corpus) == [
        ("I", "Wie geht es Ihnen?"),
        ("B", "Gut. Wir haben zwei Beraterinnen eingestellt, um #00:00:09-0# die Schulen zu stärken."),
        ("I", "Und die Schulleitungen?"),
        ("B", "Ich rufe sie jeden Freitag an."),
    ]
    segments = corpus.segments
    assert segments[C.START_TIME].tolist()[1:] == [5.2, 15.3, 20.1] and pd.isna(segments[C.START_TIME].iloc[0])
    assert segments[C.END_TIME].tolist()[:3] == [5.2, 15.3, 20.1] and pd.isna(segments[C.END_TIME].iloc[3])
    assert segments["is_interviewer"].tolist() == [True, False, True, False]
