"""qualcode.language: transcripts in another language than the models' are named before their
scores are trusted."""

from __future__ import annotations

import pandas as pd

import qualcode as qc
from qualcode.language import MIN_SHARE, english_share, not_english_note

from .conftest import NVIVO_PROJECT
from .report_helpers import SERDIF

ZOOM = NVIVO_PROJECT.parents[1] / "zoom-chemistry-lesson.vtt"


def test_real_english_transcripts_are_not_named(example_corpus):
    serdif = qc.read_taguette(SERDIF).corpus
    zoom = qc.read_transcripts(ZOOM)
    for corpus in (example_corpus, serdif, zoom):
        assert not_english_note(corpus.segments) == []
    shares = [english_share(doc.text)[0] for doc in [*serdif.documents, *example_corpus.documents]]
    assert min(shares) > 2 * MIN_SHARE


def test_the_hungarian_comments_of_an_nvivo_project_are_named():
    segments = qc.read_qdpx(NVIVO_PROJECT).corpus.segments
    (note,) = not_english_note(segments)
    assert note.startswith(
        "2 of 2 documents do not look like English (common English words among their words: "
        "'videos_10_selected' 7%, 'videos_selection' 7%; 38-65% in English talk and writing)"
    )


def test_short_answers_are_judged_together():
    english = "We hired two counselors and the students noticed it right away."
    spanish = "Contratamos a dos consejeros y los estudiantes lo notaron enseguida."
    answers = pd.DataFrame({"doc_id": [f"r{i}" for i in range(8)], "text": [spanish] * 8})
    (note,) = not_english_note(answers)
    assert note.startswith("8 of 8 documents do not look like English (common English words among their words: 8 short")
    assert "8 short documents together 10%;" in note  # 'a' is the one common English word of its ten
    assert not_english_note(answers.assign(text=english)) == []
    assert not_english_note(answers.head(2)) == []  # too few words to tell


def test_a_model_run_says_so_and_a_keyword_run_does_not():
    project = qc.read_qdpx(NVIVO_PROJECT)
    segments = project.corpus.segments.head(6)
    hybrid = qc.suggest(segments, project.codebook, method="hybrid")
    assert any("1 of 1 document does not look like English" in note for note in hybrid.attrs["qualcode"]["notes"])
    keyword = qc.suggest(segments, project.codebook, method="keyword")
    assert not any("look like English" in note for note in keyword.attrs["qualcode"]["notes"])
