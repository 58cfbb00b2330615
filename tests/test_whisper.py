"""qualcode.io.whisper: the JSON and timed tables of Whisper, WhisperX and whisper.cpp, and one
transcript given in several formats (Whisper writes them all at once) read once."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import qualcode as qc
from qualcode.cli import app
from qualcode.errors import InputFileError, QualcodeError

from .conftest import CODEBOOK, EXAMPLES, FIXTURES, assert_offsets

WHISPERX = FIXTURES / "whisper" / "whisperx"
WHISPER = FIXTURES / "whisper" / "openai-whisper"
CPP = FIXTURES / "whisper" / "whisper.cpp"
VOICES = {"Interviewer": "SPEAKER_00", "P01": "SPEAKER_01"}


def _turns(path, **options):
    segments = qc.read_transcripts(path, **options).segments
    return list(zip(segments["speaker"], segments["text"], strict=True))


def _timed(path, digits=3):
    segments = qc.read_transcripts(path).segments
    starts, ends = segments["start_time"].round(digits), segments["end_time"].round(digits)
    return list(zip(segments["text"], starts, ends, strict=True))


def test_a_whisperx_transcript_reads_to_the_interviews_turns():
    """WhisperX's diarized JSON of the example interview (a segment per sentence, one without a
    speaker): the interview's turns, its speakers as the diarizer names them, each with times."""
    said = [(VOICES[s], t) for s, t in _turns(EXAMPLES / "d01_superintendent.txt") if s]
    assert _turns(WHISPERX / "d01_superintendent.json") == said
    corpus = qc.read_transcripts(WHISPERX / "d01_superintendent.json", interviewers=["SPEAKER_00"])
    assert_offsets(corpus)
    segments = corpus.segments
    assert segments["is_interviewer"].tolist() == [s == "SPEAKER_00" for s, _ in said]
    assert (segments["start_time"].iloc[0], segments["end_time"].iloc[0]) == (1.2, 10.85)
    assert segments["start_time"].is_monotonic_increasing and (segments["end_time"] > segments["start_time"]).all()


@pytest.mark.parametrize("fmt", ["srt", "vtt"])
def test_whisperx_captions_read_as_its_json(fmt):
    """WhisperX writes `[SPEAKER_00]: ` before each caption's text: the same turns and times."""
    assert _turns(WHISPERX / f"d01_superintendent.{fmt}") == _turns(WHISPERX / "d01_superintendent.json")
    assert _timed(WHISPERX / f"d01_superintendent.{fmt}") == _timed(WHISPERX / "d01_superintendent.json")


def test_a_recognisers_text_lines_read_as_its_json():
    """WhisperX's .txt writes a line per recognised segment (`[SPEAKER_01]: Kids are happy, …`;
    a segment without a voice unlabelled): each line was a turn, so a participant's answer was
    cut into sentences (23 segments where the .json gives 10). Now consecutive lines of one
    voice make a turn, an unlabelled line continues it: the turns of the .json."""
    text = _turns(WHISPERX / "d01_superintendent.txt")
    assert text == _turns(WHISPERX / "d01_superintendent.json") and len(text) == 10
    assert_offsets(qc.read_transcripts(WHISPERX / "d01_superintendent.txt"))


@pytest.mark.parametrize("fmt", ["txt", "srt"])
def test_whisper_cpp_diarized_lines_are_turns_of_its_voices(fmt):
    """whisper.cpp's `-di` writes `(speaker 0) text` lines (.txt) and captions (.srt), `(speaker ?)`
    where its two channels are not told apart: read as one unlabelled passage with the labels
    among the words (.txt) and passages broken at pauses (.srt). Now the voices' turns, named as
    its .json names them (`Speaker0`); `?` continues the current voice, as in the .json."""
    said = [
        ("Speaker0" if s == "SPEAKER_00" else "Speaker1", t) for s, t in _turns(WHISPERX / "d01_superintendent.json")
    ]
    assert _turns(CPP / f"d01_superintendent.{fmt}") == said
    corpus = qc.read_transcripts(CPP / f"d01_superintendent.{fmt}", interviewers=["Speaker0"])
    assert_offsets(corpus)
    assert not corpus.segments["text"].str.contains("speaker", case=False).any()
    if fmt == "srt":
        assert _timed(CPP / "d01_superintendent.srt", 2) == _timed(WHISPERX / "d01_superintendent.json", 2)


def test_typed_labels_are_not_taken_for_a_recognisers(tmp_path):
    """Only a recogniser's voices (`[SPEAKER_00]:`, `(speaker 0)`) merge lines: a typed transcript
    labelling a speaker twice in a row keeps its two turns, one voice label alone changes
    nothing, and speaker patterns given by the user are read as given."""
    typed = tmp_path / "typed.txt"
    typed.write_text("Interviewer: Why?\nAna: Because.\nAna: And more.\n", encoding="utf-8")
    assert _turns(typed) == [("Interviewer", "Why?"), ("Ana", "Because."), ("Ana", "And more.")]
    once = tmp_path / "once.txt"
    once.write_text("(speaker 0) Hello there.\nWe met before.\n", encoding="utf-8")
    assert _turns(once) == [("", "(speaker 0) Hello there.\nWe met before.")]
    own = tmp_path / "own.txt"
    own.write_text("[SPEAKER_00]: One.\n[SPEAKER_00]: Two.\n", encoding="utf-8")
    assert _turns(own) == [("SPEAKER_00", "One. Two.")]
    assert _turns(own, speaker_patterns=[r"^\[(?P<speaker>\w+)\]: (?P<text>.*)$"]) == [
        ("SPEAKER_00", "One."),
        ("SPEAKER_00", "Two."),
    ]


def test_whispers_timed_tables_are_one_recording_not_a_survey():
    """Whisper's .tsv (`start  end  text`, ms) and whisper.cpp's .csv (`start,end,"text"`) were read
    as survey answers, one respondent per sentence (30 documents); each is one recording."""
    vtt = _timed(WHISPER / "zoom-chemistry-lesson.vtt")
    for path in (
        WHISPER / "zoom-chemistry-lesson.tsv",
        WHISPER / "zoom-chemistry-lesson.json",
        CPP / "zoom-chemistry-lesson.csv",
        CPP / "zoom-chemistry-lesson.json",
    ):
        corpus = qc.read_transcripts(path)
        assert len(corpus.documents) == 1, path
        if path.parent == CPP:  # whisper.cpp keeps times in hundredths of a second
            assert _timed(path, 2) == _timed(WHISPER / "zoom-chemistry-lesson.vtt", 2), path
        else:
            assert _timed(path) == vtt, path
    assert len(vtt) == 7  # passages broken at pauses, as captions without speakers are
    words = " ".join(
        " ".join(line.split("\t")[2].split())
        for line in (WHISPER / "zoom-chemistry-lesson.tsv").read_text().splitlines()[1:]
    )
    assert " ".join(t for t, _, _ in vtt) == words
    tsv = qc.read_transcripts(WHISPERX / "d01_superintendent.tsv")
    assert [s for s in tsv.segments["speaker"]] == ["", ""]  # times, no speakers: the words of the interview
    assert (
        " ".join(tsv.segments["text"]).split()
        == " ".join(t for _, t in _turns(WHISPERX / "d01_superintendent.json")).split()
    )


def test_a_timed_table_named_with_its_text_column_is_read_as_a_table():
    corpus = qc.read_transcripts(WHISPER / "zoom-chemistry-lesson.tsv", text_column="text")
    assert len(corpus.documents) == 30


def test_whisper_cpp_escapes_and_speakers(tmp_path):
    """whisper.cpp's CSV escapes quotes with a backslash inside its quotes (`\\"`), and its
    diarized files name speakers `0`, `1` or `?` (not told apart): `Speaker0` as its .vtt names them."""
    table = tmp_path / "lesson.csv"
    table.write_text(
        'start,end,speaker,text\n0,2000,0," Read \\"the mole\\" aloud."\n2000,3500,?," And again."\n'
        '3600,5000,1," Is it \\\\ a slash?"\n',
        encoding="utf-8",
    )
    assert _turns(table) == [("Speaker0", 'Read "the mole" aloud. And again.'), ("Speaker1", "Is it \\ a slash?")]
    data = json.loads((CPP / "zoom-chemistry-lesson.json").read_text(encoding="utf-8"))
    for item, voice in zip(data["transcription"], ["0", "1", "1"] + ["?"] * 27, strict=True):
        item["speaker"] = voice
    diarized = tmp_path / "lesson2.json"
    diarized.write_text(json.dumps(data), encoding="utf-8")
    (doc,) = qc.read_transcripts(diarized).documents
    assert [turn.speaker for turn in doc.turns] == ["Speaker0", "Speaker1"]


def test_a_folder_of_whisper_output_reads_each_recording_once(tmp_path):
    """`whisper`/`whisperx` write .json .srt .tsv .txt .vtt of every recording (their default
    `--output_format all`): 'document id is also used by … rename one file'. Now the JSON is
    read, the other formats named as left out; the tag run codes the interview's turns."""
    for folder in (WHISPERX, WHISPER):
        for path in folder.iterdir():
            shutil.copy(path, tmp_path)
    corpus = qc.read_transcripts(tmp_path)
    assert [(d.doc_id, d.format) for d in corpus.documents] == [
        ("d01_superintendent", "json"),
        ("zoom-chemistry-lesson", "json"),
    ]
    (note,) = [w for w in corpus.warnings if "several formats" in w]
    assert note == (
        "2 transcripts are given in several formats with the same words ('d01_superintendent', "
        "'zoom-chemistry-lesson'): read from their .json, their .srt, .tsv, .txt, .vtt left out "
        "(a transcript counts once)"
    )
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "coded.csv"
    result = CliRunner().invoke(
        app, ["tag", str(tmp_path), "-c", str(CODEBOOK), "--interviewer", "SPEAKER_00", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "several formats" in result.output and "2 documents" in result.output
    coded = pd.read_csv(out)
    interview = coded[coded["doc_id"] == "d01_superintendent"]
    assert set(interview["speaker"]) == {"SPEAKER_01"}  # the interviewer's turns are not coded
    assert interview["start_time"].notna().all() and len(interview) > 0


def test_a_word_interview_beside_its_writer_save_is_read_once(tmp_path):
    """The example .docx and LibreOffice's .odt of it, one name: the .docx is read."""
    shutil.copy(EXAMPLES / "d02_superintendent.docx", tmp_path)
    shutil.copy(FIXTURES / "odt" / "d02_superintendent.odt", tmp_path)
    corpus = qc.read_transcripts(tmp_path)
    assert [d.format for d in corpus.documents] == ["docx"]
    assert corpus.warnings == [
        "1 transcript is given in several formats with the same words ('d02_superintendent'): read from "
        "its .docx, its .odt left out (a transcript counts once)"
    ]


def test_one_file_name_with_other_words_stays_an_error(tmp_path):
    shutil.copy(WHISPERX / "d01_superintendent.json", tmp_path)
    (tmp_path / "d01_superintendent.txt").write_text("Interviewer: Another interview.\n\nP01: Yes.\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"document id 'd01_superintendent' is also used by .*rename one file"):
        qc.read_transcripts(tmp_path)


def test_other_json_in_a_folder_is_passed_over_and_named_is_an_error(tmp_path):
    """qualcode's own records (`coded.meta.json`) and other programs' settings sit beside
    transcripts: a folder search leaves them out; named, each is a one-line error."""
    shutil.copy(WHISPERX / "d01_superintendent.json", tmp_path)
    out = tmp_path / "coded.csv"
    result = CliRunner().invoke(app, ["tag", str(tmp_path), "-c", str(CODEBOOK), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "coded.meta.json").exists()
    (tmp_path / "settings.json").write_text('{"theme": "dark", "segments": []}', encoding="utf-8")
    (tmp_path / "notes.json").write_text('{"theme": "dark"}', encoding="utf-8")
    with pytest.raises(InputFileError, match=r"settings\.json: no segments with text"):
        qc.read_transcripts(tmp_path)  # holds "segments": read, and it has none
    (tmp_path / "settings.json").unlink()
    assert [d.doc_id for d in qc.read_transcripts(tmp_path).documents] == ["d01_superintendent"]
    with pytest.raises(InputFileError, match=r"coded\.meta\.json: the record qualcode writes beside an output"):
        qc.read_transcripts(tmp_path / "coded.meta.json")
    with pytest.raises(
        InputFileError, match=r"notes\.json: a JSON file qualcode does not read as a transcript \(its keys: 'theme'\)"
    ):
        qc.read_transcripts(tmp_path / "notes.json")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"segments": [{"start": 0, "end": 1, "text": "Hello', r"x\.json:1: not valid JSON \(Unterminated string"),
        (
            '{"segments": [{"end": 1, "text": " Hello"}]}',
            r"segments\[0\] \(' ?Hello'\) has no start and end in numbers",
        ),
        ('{"segments": [{"start": 3, "end": 1, "text": "Hi"}]}', r"segments\[0\] \('Hi'\) ends before it starts"),
        ('{"segments": [{"start": true, "end": 1, "text": "Hi"}]}', r"has no start and end in numbers"),
        ('{"segments": ["Hi"]}', r"segments\[0\] is not a segment \(a str\)"),
        ('{"segments": [{"start": 0, "end": 1, "text": "  "}]}', r"no segments with text"),
        ('{"transcription": [{"offsets": {"from": 0}, "text": "Hi"}]}', r"transcription\[0\] \('Hi'\) has no offsets"),
        ("[1, 2]", r"a JSON file qualcode does not read as a transcript \(a list\)"),
        ("[" * 5000 + "]" * 5000, r"nested too deeply|not a transcript"),
    ],
)
def test_a_broken_json_transcript_is_a_one_line_error(tmp_path, content, message):
    path = tmp_path / "x.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputFileError, match=message) as caught:
        qc.read_transcripts(path)
    assert "\n" not in str(caught.value)


def test_a_bad_row_of_a_timed_table_names_its_line(tmp_path):
    path = tmp_path / "x.tsv"
    path.write_text("start\tend\ttext\n0\t1500\tHello.\n1.5s\t3000\tAgain.\n", encoding="utf-8")
    with pytest.raises(
        InputFileError, match=r"x\.tsv:3: a row that is not start, end, text with times in milliseconds"
    ):
        qc.read_transcripts(path)
    path.write_text("start\tend\ttext\n0\t\u00b2\tHello.\n", encoding="utf-8")  # a digit to str.isdigit, not to int
    with pytest.raises(InputFileError, match=r"x\.tsv:2: a row that is not start, end, text"):
        qc.read_transcripts(path)
    path.write_text("start\tend\ttext\n3000\t1500\tHello.\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"x\.tsv:2: a segment that ends before it starts"):
        qc.read_transcripts(path)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["segments", "start", "end", "text", "speaker", "transcription", "offsets", "from", "to"]),
            inner,
            max_size=5,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(_JSON)
def test_any_json_reads_or_is_a_clear_error(tmp_path_factory, value):
    path = tmp_path_factory.mktemp("fuzz") / "x.json"
    path.write_text(json.dumps(value), encoding="utf-8")
    _reads_or_says_why(path)


def test_the_openai_apis_plain_json_reads_as_text(tmp_path):
    """`response_format="json"` gives the words alone (`{"text": …}`): read as a text
    transcript, with the speaker labels a text has; found in a folder too."""
    path = tmp_path / "d07.json"
    path.write_text(
        json.dumps({"text": "Interviewer: What helped?\n\nP07: The counselors we hired.", "usage": {"seconds": 9}}),
        encoding="utf-8",
    )
    assert _turns(tmp_path) == [("Interviewer", "What helped?"), ("P07", "The counselors we hired.")]
    path.write_text(json.dumps({"text": "What helped?", "id": "abc"}), encoding="utf-8")
    with pytest.raises(InputFileError, match=r"does not read as a transcript \(its keys: 'text', 'id'\)"):
        qc.read_transcripts(path)
    with pytest.raises(InputFileError, match="no transcripts found"):
        qc.read_transcripts(tmp_path)  # in a folder, such JSON is passed over


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["start\tend\ttext", "start,end,text", "start,end,speaker,text"]),
    st.lists(st.lists(st.text(max_size=12), min_size=1, max_size=5), max_size=6),
)
def test_any_timed_table_reads_or_is_a_clear_error(tmp_path_factory, header, rows):
    sep = "\t" if "\t" in header else ","
    suffix = ".tsv" if sep == "\t" else ".csv"
    path = tmp_path_factory.mktemp("timed") / f"x{suffix}"
    path.write_text(header + "\n" + "\n".join(sep.join(row) for row in rows) + "\n", encoding="utf-8")
    _reads_or_says_why(path)


def _reads_or_says_why(path):
    """A file reads to segments at their offsets, or is one clean one-line error."""
    try:
        corpus = qc.read_transcripts(path)
    except QualcodeError as error:
        assert "\n" not in str(error)
    else:
        assert_offsets(corpus)


def test_a_recording_without_speakers_among_interviews_says_to_diarize(tmp_path):
    """Whisper without diarization names no one: among labelled interviews it is named, with
    the fix for a recording (diarize), not the one for a consent form."""
    for name in ("d01_superintendent.txt", "d02_student_services.txt", "d03_assistant_superintendent.txt"):
        shutil.copy(EXAMPLES / name, tmp_path)
    shutil.copy(WHISPER / "zoom-chemistry-lesson.json", tmp_path)
    (note,) = [w for w in qc.read_transcripts(tmp_path).warnings if "no speaker label" in w]
    assert note.startswith("zoom-chemistry-lesson.json has no speaker label, where 3 of the 4 transcripts have")
    assert note.endswith(
        "transcribe it with diarization (whisperx --diarize, or the captions of the meeting's own recording), which names each speaker"
    )


def test_the_format_with_speakers_is_read_before_one_without(tmp_path):
    """Otter.ai's .srt holds times but no speakers, its .txt both: of one transcript's files the
    one naming speakers is read, then the one with times, then by format."""
    import re

    srt = (WHISPERX / "d01_superintendent.srt").read_text(encoding="utf-8")
    (tmp_path / "d01.srt").write_text(re.sub(r"\[SPEAKER_0\d\]: ", "", srt), encoding="utf-8")
    shutil.copy(WHISPERX / "d01_superintendent.txt", tmp_path / "d01.txt")
    corpus = qc.read_transcripts(tmp_path)
    assert [d.format for d in corpus.documents] == ["txt"] and corpus.documents[0].has_speakers
    shutil.copy(WHISPERX / "d01_superintendent.tsv", tmp_path / "d01.tsv")  # times, no speakers
    shutil.copy(WHISPERX / "d01_superintendent.vtt", tmp_path / "d01.vtt")  # times and speakers
    corpus = qc.read_transcripts(tmp_path)
    assert [d.format for d in corpus.documents] == ["vtt"]
    assert corpus.warnings[0].endswith("read from its .vtt, its .srt, .tsv, .txt left out (a transcript counts once)")


def test_another_services_json_transcript_in_a_folder_is_named(tmp_path):
    """AWS Transcribe's JSON holds "segments" under "results": a folder search finds it, and
    says qualcode does not read it and what to do, rather than leaving the study short of it."""
    shutil.copy(WHISPERX / "d01_superintendent.json", tmp_path)
    aws = {
        "jobName": "d02",
        "accountId": "1",
        "results": {"transcripts": [{"transcript": "Hello."}], "speaker_labels": {"segments": []}},
        "status": "COMPLETED",
    }
    (tmp_path / "d02.json").write_text(json.dumps(aws), encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        qc.read_transcripts(tmp_path)
    assert str(caught.value) == (
        f"{tmp_path / 'd02.json'}: a JSON file qualcode does not read as a transcript (its keys: 'jobName', "
        "'accountId', 'results', 'status'); qualcode reads the JSON of Whisper, WhisperX and whisper.cpp (a list "
        "of segments with start, end and text): save it from the transcription service as .vtt, .srt or .docx, "
        "or move it out of the folder"
    )
