"""qualcode.segment: turns, paragraphs, sentences and windows, offsets always exact."""

from __future__ import annotations

import pandas as pd
import pytest

import qualcode as qc

from .conftest import FIXTURES, assert_offsets


@pytest.mark.parametrize("segment_by", ["auto", "turn", "paragraph", "sentence", "window"])
def test_every_unit_keeps_offsets_exact(segment_by):
    corpus = qc.read_transcripts(FIXTURES / "labels_colon.txt", segment_by=segment_by)
    assert_offsets(corpus)
    assert corpus.segment_by == segment_by


def test_finer_units_give_more_segments_and_never_cross_speakers():
    turns = qc.read_transcripts(FIXTURES / "labels_colon.txt", segment_by="turn").segments
    sentences = qc.read_transcripts(FIXTURES / "labels_colon.txt", segment_by="sentence").segments
    assert len(sentences) > len(turns)
    for speaker, group in sentences.groupby("speaker"):
        assert set(group["speaker"]) == {speaker}
    windows = qc.read_transcripts(
        FIXTURES / "labels_colon.txt", segment_by="window", window_size=2, window_overlap=1
    ).segments
    assert (windows["end_char"] >= windows["start_char"]).all()


def test_segments_from_texts_carries_metadata():
    seg = qc.segments_from_texts(["One. Two.", "Three."], role=["a", "b"], segment_by="sentence")
    assert seg["text"].tolist() == ["One.", "Two.", "Three."] and seg["role"].tolist() == ["a", "a", "b"]


def test_segments_from_texts_takes_empty_cells_of_a_dataframe_as_empty_texts():
    """`df.answer.tolist()` holds None or NaN for a blank answer: an AttributeError before."""
    seg = qc.segments_from_texts(["We hired two counselors.", None, float("nan"), "  "], role=["a", "b", "c", "d"])
    assert seg["doc_id"].tolist() == ["text-1"] and seg["role"].tolist() == ["a"]


def test_segments_from_texts_reads_dataframe_columns_by_position():
    """A sorted DataFrame's columns gave each text the metadata of another row (by label)."""
    frame = pd.DataFrame({"id": ["a", "b", "c"], "answer": ["One.", "Two.", "Three."], "role": ["x", "y", "z"]})
    frame = frame.sort_values("answer")  # One., Three., Two.: labels 0, 2, 1
    seg = qc.segments_from_texts(frame["answer"], doc_ids=frame["id"], role=frame["role"])
    assert dict(zip(seg["doc_id"], seg["role"], strict=True)) == {"a": "x", "b": "y", "c": "z"}
    with pytest.raises(qc.OptionError, match="role has 1 values for 3 texts"):
        qc.segments_from_texts(frame["answer"], role=["x"])
    with pytest.raises(qc.OptionError, match="'a' occurs twice"):
        qc.segments_from_texts(frame["answer"], doc_ids=["a", "a", "b"])


def test_bad_segmentation_is_one_clear_error():
    with pytest.raises(qc.OptionError, match="segment_by 'lines' is not one of: auto, turn"):
        qc.read_transcripts(FIXTURES / "labels_colon.txt", segment_by="lines")
    with pytest.raises(qc.OptionError, match="overlap"):
        qc.read_transcripts(FIXTURES / "labels_colon.txt", segment_by="window", window_size=2, window_overlap=2)


def test_the_old_name_unit_still_works_with_a_warning():
    with pytest.warns(FutureWarning, match="use 'segment_by'"):
        corpus = qc.read_transcripts(FIXTURES / "labels_colon.txt", unit="sentence")
    assert corpus.segment_by == "sentence" and corpus.unit == "sentence"


def test_auto_cuts_a_long_turn_at_sentence_ends_and_says_so():
    zoom = FIXTURES / "zoom-chemistry-lesson.vtt"  # one speaker, 264 cues: one 13,000-character turn
    auto = qc.read_transcripts(zoom)
    assert len(auto.segments) > 5 and auto.segments["text"].str.len().max() <= 1500
    assert any(line.startswith("1 turn or paragraph longer than 1,500 characters was cut") for line in auto.warnings)
    assert_offsets(auto)
    turn = qc.read_transcripts(zoom, segment_by="turn")
    assert len(turn.segments) == 1 and not any("cut at" in line for line in turn.warnings)


ZOOM = FIXTURES / "zoom-chemistry-lesson.vtt"


def test_time_windows_cut_a_one_speaker_recording_by_media_time():
    corpus = qc.read_transcripts(ZOOM, segment_by="time", window_seconds=60)
    segments = corpus.segments
    assert_offsets(corpus)
    assert 25 <= len(segments) <= 35  # a 31-minute lesson
    starts = segments["start_time"].to_numpy()
    assert (starts[1:] - starts[:-1] >= 60 - 1e-6).all()  # each window starts a minute after the last
    doc = corpus.documents[0]
    covered = sum(len(t) for t in segments["text"])
    cue_text = sum(t.end - t.start for t in doc.times)
    assert covered >= cue_text  # every cue's text is in a window
    auto = qc.read_transcripts(ZOOM).segments
    assert len(segments) != len(auto)


def test_window_seconds_alone_asks_for_time_windows_and_refuses_other_cuts():
    assert qc.Settings.build(window_seconds=30).segment_by == "time"
    with pytest.raises(qc.OptionError, match="does not go with segment_by 'turn'"):
        qc.Settings.build(window_seconds=30, segment_by="turn")
    with pytest.raises(qc.OptionError, match="window_seconds"):
        qc.read_transcripts(ZOOM, segment_by="time", window_seconds=0)


def test_documents_without_times_fall_back_and_say_so():
    corpus = qc.read_transcripts([ZOOM, FIXTURES / "labels_colon.txt"], segment_by="time")
    assert any("have no media times" in w for w in corpus.warnings)
    assert set(corpus.segments["doc_id"]) == {"zoom-chemistry-lesson", "labels_colon"}


def test_many_cues_segment_in_linear_time():
    """10,000 cues: the timeline lookups bisect instead of scanning every cue per segment."""
    import time

    from qualcode.document import Document, TimeSpan, Turn

    pieces, times, at = [], [], 0
    for k in range(10_000):
        line = f"cue number {k} says something.\n"
        times.append(TimeSpan(at, at + len(line) - 1, k * 2.0, k * 2.0 + 1.5))
        pieces.append(line)
        at += len(line)
    text = "".join(pieces)
    doc = Document("long", "long.vtt", "vtt", text, [Turn(None, 0, len(text) - 1)], times=times)
    start = time.perf_counter()
    segments = qc.segment_documents([doc], segment_by="time", window_seconds=60)
    took = time.perf_counter() - start
    assert len(segments) == 334 and took < 5.0


def test_a_huge_single_line_transcript_is_cut_in_bounded_pieces(tmp_path):
    """One 450,000-character line (no paragraph, no speaker): auto cuts it at sentence ends,
    spaCy sees it a 100,000-character piece at a time."""
    from qualcode import nlp

    sentence = "We rebuilt the referral process so every counselor sees the same list each week. "
    path = tmp_path / "huge.txt"
    path.write_text(sentence * 5_500, encoding="utf-8")
    corpus = qc.read_transcripts(path)
    lengths = corpus.segments["text"].str.len()
    assert len(lengths) > 200 and lengths.max() <= 1_600
    assert_offsets(corpus)
    assert not any(len(text) > nlp.CHUNK_CHARS for text in nlp._MEMO)  # the huge text was not remembered


def test_a_segment_over_the_limit_is_refused_with_the_fix(tmp_path):
    path = tmp_path / "huge.txt"
    path.write_text("word " * 25_000, encoding="utf-8")
    with pytest.raises(qc.OptionError, match=r"huge.txt: a segment of 124,999 characters .* use segment_by auto"):
        qc.read_transcripts(path, segment_by="paragraph")


def test_an_interviewer_name_no_speaker_has_is_refused_with_the_near_spelling():
    """`--interviewer Intervewer` (a typo) replaced the detection by name: every interviewer
    turn was scored as a participant's, without a word."""
    path = FIXTURES / "labels_colon.txt"
    speakers = sorted(set(qc.read_transcripts(path).segments["speaker"]))
    named = qc.read_transcripts(path, interviewers=[speakers[0]]).segments
    assert named.loc[named["speaker"] == speakers[0], "is_interviewer"].all()
    with pytest.raises(qc.OptionError, match=rf"interviewer '{speakers[0]}x': .*did you mean '{speakers[0]}'\?"):
        qc.read_transcripts(path, interviewers=[speakers[0] + "x"])
    with pytest.raises(qc.OptionError, match=r"no speaker of the transcripts is so named.*the speakers are: "):
        qc.read_transcripts(path, interviewers=["Zzzzzz"])
    both = qc.read_transcripts(path, interviewers=["Zzzzzz", speakers[0]]).segments  # one of them speaks: kept
    assert both["is_interviewer"].any()
