"""qualcode.io.copies: one transcript given twice, the same text (a copy) or mostly the same
words (a cleaned or de-identified version, one lesson in two files), named in a warning."""

from __future__ import annotations

import re
import shutil

import qualcode as qc
from qualcode.io.copies import near_copies

from .conftest import EXAMPLES, FIXTURES

TWICE = FIXTURES / "talkmoves_twice"
LESSONS = FIXTURES / "talkmoves"
NEAR = "documents holding mostly the same words"


def _near(corpus) -> list[str]:
    return [line for line in corpus.warnings if line.startswith(NEAR)]


def test_one_real_lesson_in_two_files_is_named_and_other_lessons_are_not():
    """TalkMoves ships one lesson excerpt twice (the same 33 sentences under other speaker
    labels, labelled twice by its coders); the corpus's other lessons of the same grade and
    topic are not copies."""
    corpus = qc.read_transcripts([TWICE, LESSONS], speaker_column="Speaker", text_column="Sentence")
    assert len(corpus.documents) == 4
    assert _near(corpus) == [
        f"{NEAR}, each counted as a document of its own: 'Video Mosaic Grade 4 Models to Compare Fractions 1' and "
        "'Video Mosaic Grade 4 Models to Compare Fractions 2' (100%) of the shorter one's five-word sequences are "
        "in the other; if one is a version of the other (a cleaned or de-identified copy, one lesson in two files, "
        "captions beside the transcript of a meeting), give it once"
    ]
    assert not _near(qc.read_transcripts(LESSONS, speaker_column="Speaker", text_column="Sentence"))


def _cleaned(text: str) -> str:
    """A de-identified, cleaned copy as a transcriber makes it: the participant's label
    replaced, fillers and every ninth word dropped."""
    words = [w for w in text.replace("P01:", "Participant:").split(" ") if w.lower().strip(",.") not in {"um", "uh"}]
    return " ".join(w for i, w in enumerate(words) if i % 9 != 8 or w.endswith(":"))


def test_a_cleaned_copy_of_an_interview_is_named_beside_the_interviews(tmp_path):
    folder = tmp_path / "interviews"
    shutil.copytree(EXAMPLES, folder)
    original = (folder / "d01_superintendent.txt").read_text(encoding="utf-8")
    (folder / "d01_superintendent_clean.txt").write_text(_cleaned(original), encoding="utf-8")
    corpus = qc.read_transcripts(folder)
    [line] = _near(corpus)
    pair = re.search(r": ('d01_superintendent' and 'd01_superintendent_clean') \((\d+)%\)", line)
    assert pair and 50 <= int(pair[2]) < 100, line
    assert "'d0" not in line.replace(pair[1], "")  # the other eight interviews of one protocol are no copies


def test_interviews_of_one_protocol_and_an_exact_copy_are_no_near_copies(tmp_path):
    assert not _near(qc.read_transcripts(EXAMPLES))
    folder = tmp_path / "interviews"
    shutil.copytree(EXAMPLES, folder)
    shutil.copy(folder / "d01_superintendent.txt", folder / "d01_superintendent (1).txt")
    corpus = qc.read_transcripts(folder)
    assert not _near(corpus)  # the same text: named once, by the check for copies
    assert any(
        "documents with the same text" in line and "'d01_superintendent (1)'" in line for line in corpus.warnings
    )


def test_the_check_gives_the_same_answer_in_any_order():
    corpus = qc.read_transcripts([TWICE, LESSONS], speaker_column="Speaker", text_column="Sentence")
    documents = corpus.documents
    forward = near_copies(documents)
    backward = near_copies(documents[::-1])
    assert forward and [re.sub(r"'[^']+' and '[^']+'", "pair", line) for line in forward] == [
        re.sub(r"'[^']+' and '[^']+'", "pair", line) for line in backward
    ]
    assert sorted(re.findall(r"'([^']+)'", forward[0])) == sorted(re.findall(r"'([^']+)'", backward[0]))


def test_interviews_sharing_a_structured_protocols_long_questions_are_no_copies(tmp_path):
    """Three structured interviews: the interviewer reads the same long questions, each
    participant answers briefly in their own words. Counted over every turn they shared 74-92%
    of their word sequences and were named as copies; the participants' words are compared."""
    questions = [
        "Interviewer: Thinking about the last school year, how would you describe the ways in which the central "
        "office supported principals and teachers in creating caring classrooms for all of the students?",
        "Interviewer: Please tell me about any professional learning offered to staff this year that focused on "
        "social emotional learning, trauma informed practice or restorative approaches in the schools.",
        "Interviewer: How did the pandemic change the way your office communicates with families, and which of "
        "those changes do you expect to keep in the coming years across the district?",
    ]
    answers = [
        ("We did a lot.", "Some PD in August.", "More calls home."),
        ("Not much, honestly.", "Restorative circles training.", "We text families now."),
        ("Coaching mostly.", "A book study on trauma.", "Newsletters in Spanish."),
    ]
    for k, said in enumerate(answers, start=1):
        lines = [
            line
            for question, answer in zip(questions * 2, said * 2, strict=True)
            for line in (question, f"P0{k}: {answer}")
        ]
        (tmp_path / f"p{k}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert not _near(qc.read_transcripts(tmp_path))
