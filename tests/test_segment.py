"""qualcode.segment: turns, paragraphs, sentences and windows, offsets always exact."""

from __future__ import annotations

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
    assert any("cut at sentence ends" in line for line in auto.warnings)
    assert_offsets(auto)
    turn = qc.read_transcripts(zoom, segment_by="turn")
    assert len(turn.segments) == 1 and not any("cut at" in line for line in turn.warnings)
