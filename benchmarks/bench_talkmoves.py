"""Quality of suggestions against real human codes: the TalkMoves corpus.

Data: ../shared/data/talkmoves, 191 K-12 mathematics lesson transcripts, one row per
sentence with the speaker (the teacher, mostly ``T``, or a student) and human labels. Codes evaluated:
the six teacher talk moves and four student talk moves of the Coding Manual
(``talkmoves_codebook.yaml``). The data's teacher labels 6 (Marking, 5 sentences) and
7 (Context, not defined in the manual) are left out.

Split: lessons shuffled with a fixed seed; one third of the lessons are the training set
(their human codes are given to the classifier), the other two thirds are predicted and
scored. Every sentence is one segment; the teacher's sentences (a speaker most of whose lines
carry a teacher tag) are flagged as interviewer turns
(the speaker who leads) and all segments are coded.

Methods (each predicts a code when its score reaches its default threshold):
- keyword, embedding, hybrid: zero-shot from the codebook (no human codes used);
- classifier: ``qc.suggest(..., training=...)``, qualcode's learned per-code model;
- baseline: scikit-learn LogisticRegression(class_weight="balanced") per code on the raw
  all-MiniLM-L6-v2 embedding of each sentence, same training lessons.

Metrics on the predicted lessons: per-code F1 and Cohen's kappa (scikit-learn), and their
macro averages. Run: python benchmarks/bench_talkmoves.py [--lessons N] [--cache DIR]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from _data import ROOT, talkmoves_sentences
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import cohen_kappa_score, f1_score

import qualcode as qc
from qualcode import columns as C
from qualcode.document import Document, Turn
from qualcode.embed.cache import CachedEncoder, EmbeddingCache
from qualcode.embed.sentence_transformers import SentenceTransformerEncoder

TEACHER = {
    "2": "keeping_together",
    "3": "getting_students_to_relate",
    "4": "restating",
    "5": "revoicing",
    "8": "press_accuracy",
    "9": "press_reasoning",
}
STUDENT = {"2": "relating_to_another", "3": "asking_for_information", "4": "making_claim", "5": "providing_evidence"}
CODES = list(TEACHER.values()) + list(STUDENT.values())


def corpus_segments(frame: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Segments (one per sentence, lessons as documents) and the label matrix."""
    documents = []
    for lesson, rows in frame.groupby("lesson", sort=True):
        parts, turns, pos = [], [], 0
        for speaker, text in zip(rows["speaker"], rows["text"], strict=True):
            prefix = f"{speaker}: "
            turns.append(Turn(speaker, pos + len(prefix), pos + len(prefix) + len(text)))
            parts.append(prefix + text)
            pos += len(prefix) + len(text) + 1
        documents.append(Document(str(lesson), "talkmoves", "xlsx", "\n".join(parts) + "\n", turns))
    segments = qc.segment_documents(documents, segment_by="turn", interviewers=[])
    ordered = frame.sort_values("lesson", kind="stable").reset_index(drop=True)
    # the teacher's lines are the interviewer turns (the speaker who leads). Transcripts name
    # the teacher T, T1, T 2, T/R1, Teacher, a researcher R1 or a name; the annotators' tag
    # columns tell who it is: a speaker most of whose lines carry a teacher tag (any, the
    # default "1 - None" included) is the lesson's teacher.
    tagged = ordered["teacher_tag"].notna()
    teacher = tagged.groupby([ordered["lesson"], ordered["speaker"]]).transform("mean") > 0.5
    segments[C.IS_INTERVIEWER] = teacher.to_numpy()
    labels = np.zeros((len(ordered), len(CODES)), dtype=bool)
    for i, (teacher, student) in enumerate(zip(ordered["teacher_tag"], ordered["student_tag"], strict=True)):
        for tag, table in ((teacher, TEACHER), (student, STUDENT)):
            if tag in table:
                labels[i, CODES.index(table[tag])] = True
    assert (segments[C.TEXT].to_numpy() == ordered["text"].to_numpy()).all()
    return segments, labels


def predictions(coded: pd.DataFrame, segments: pd.DataFrame) -> np.ndarray:
    out = np.zeros((len(segments), len(CODES)), dtype=bool)
    position = {key: i for i, key in enumerate(zip(segments[C.DOC_ID], segments[C.SEGMENT_ID], strict=True))}
    for doc_id, segment_id, code in coded[[C.DOC_ID, C.SEGMENT_ID, C.CODE]].itertuples(index=False):
        if code in CODES:
            out[position[(doc_id, segment_id)], CODES.index(code)] = True
    return out


def report(name: str, truth: np.ndarray, guess: np.ndarray, table: dict[str, dict[str, float]]) -> None:
    for j, code in enumerate(CODES):
        table.setdefault(code, {})[f"{name} F1"] = f1_score(truth[:, j], guess[:, j], zero_division=0)
        table[code][f"{name} κ"] = cohen_kappa_score(truth[:, j], guess[:, j])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lessons", type=int, default=0, help="use only this many lessons (0: all)")
    parser.add_argument("--cache", default="default", help="embedding cache folder")
    args = parser.parse_args()

    frame = talkmoves_sentences()
    lessons = sorted(frame["lesson"].unique())
    rng = np.random.default_rng(0)
    lessons = [lessons[i] for i in rng.permutation(len(lessons))]
    if args.lessons:
        lessons = lessons[: args.lessons]
    frame = frame[frame["lesson"].isin(lessons)]
    train_lessons = set(lessons[: len(lessons) // 3])
    segments, labels = corpus_segments(frame)
    train = segments[C.DOC_ID].isin(train_lessons).to_numpy()
    test = ~train
    codebook = qc.load_codebook(ROOT / "benchmarks" / "talkmoves_codebook.yaml")
    encoder = CachedEncoder(
        SentenceTransformerEncoder(), EmbeddingCache(None if args.cache == "default" else args.cache)
    )
    print(
        f"{len(segments)} sentences in {len(lessons)} lessons; training on {len(train_lessons)} lessons "
        f"({int(train.sum())} sentences), predicting {int(test.sum())} sentences\n"
    )

    table: dict[str, dict[str, float]] = {}
    timings = {}
    for method in ("keyword", "embedding", "hybrid"):
        start = time.perf_counter()
        coded = qc.suggest(segments, codebook, method=method, include_interviewer=True, encoder=encoder)
        timings[method] = time.perf_counter() - start
        report(method, labels[test], predictions(coded, segments)[test], table)

    training = []
    for i in np.flatnonzero(train):
        for j in np.flatnonzero(labels[i]):
            training.append(
                {
                    C.DOC_ID: segments[C.DOC_ID].iloc[i],
                    C.SEGMENT_ID: int(segments[C.SEGMENT_ID].iloc[i]),
                    C.CODE: CODES[j],
                    "coder": "talkmoves",
                }
            )
    # every training lesson counts as hand-coded, also where no sentence carries a move
    start = time.perf_counter()
    coded = qc.suggest(segments, codebook, include_interviewer=True, encoder=encoder, training=pd.DataFrame(training))
    timings["classifier"] = time.perf_counter() - start
    report("classifier", labels[test], predictions(coded, segments)[test], table)

    start = time.perf_counter()
    vectors = encoder.encode(segments[C.TEXT].tolist())
    guess = np.zeros_like(labels)
    for j in range(len(CODES)):
        model = LogisticRegression(class_weight="balanced", max_iter=2000, random_state=0)
        model.fit(vectors[train], labels[train, j])
        guess[:, j] = model.predict(vectors)
    timings["baseline"] = time.perf_counter() - start
    report("baseline", labels[test], guess[test], table)

    result = pd.DataFrame(table).T
    result.loc["macro"] = result.mean()
    prevalence = pd.Series(labels[test].mean(axis=0), index=CODES)
    result.insert(0, "prevalence", prevalence)
    pd.set_option("display.width", 250)
    f1_cols = ["prevalence"] + [c for c in result.columns if c.endswith("F1")]
    kappa_cols = [c for c in result.columns if c.endswith("κ")]
    print(result[f1_cols].to_string(float_format=lambda v: f"{v:.3f}"))
    print()
    print(result[kappa_cols].to_string(float_format=lambda v: f"{v:.3f}"))
    macro = result.loc["macro"]
    print(
        f"\nmacro F1: classifier {macro['classifier F1']:.3f} vs baseline {macro['baseline F1']:.3f} "
        f"(ratio {macro['classifier F1'] / macro['baseline F1']:.2f}x); "
        f"macro κ: classifier {macro['classifier κ']:.3f} vs baseline {macro['baseline κ']:.3f}"
    )
    print("seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in timings.items()))
    untrained = set(lessons[len(lessons) // 3 :])
    assert not train_lessons & untrained


if __name__ == "__main__":
    main()
