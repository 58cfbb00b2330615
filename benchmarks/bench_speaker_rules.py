"""A code limited to a speaker (``applies_to``), measured on real classroom talk.

TalkMoves (../shared/data/talkmoves): 36 lessons (shuffled with seed 0, as the quality
benchmark's TalkMoves corpus), one segment per sentence, the teacher's lines flagged as the
interviewer turns (``bench_talkmoves.corpus_segments``). The codebook is
``talkmoves_codebook.yaml`` (the manual's definitions, keywords and examples), whose teacher
moves apply to the teacher's lines and student moves to the students' (``applies_to:
{is_interviewer: [...]}``). Both rows run the hybrid matcher zero-shot at its default
threshold, every segment coded: once with the codebook's rules stripped, once as written.
Printed: suggestions, how many name a move of the other speaker, macro-F1 and mean Cohen's
kappa over the ten moves against the human labels.

Run: python benchmarks/bench_speaker_rules.py [--lessons N]
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np
from _data import ROOT, talkmoves_sentences
from bench_talkmoves import CODES, STUDENT, TEACHER, corpus_segments
from sklearn.metrics import cohen_kappa_score, f1_score

import qualcode as qc
from qualcode import columns as C
from qualcode.codebook import parse_codebook


def without_rules(codebook: qc.Codebook) -> qc.Codebook:
    """The same codebook with every code's ``applies_to`` removed."""

    def strip(codes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**code, "applies_to": {}, "children": strip(code.get("children") or [])} for code in codes]

    data = codebook.to_dict()
    return parse_codebook({**data, "codes": strip(data["codes"])})


def measure(segments: Any, labels: np.ndarray, codebook: qc.Codebook) -> dict[str, float]:
    out = qc.suggest(segments, codebook, method="hybrid", include_interviewer=True)
    row = {key: i for i, key in enumerate(zip(segments[C.DOC_ID], segments[C.SEGMENT_ID], strict=True))}
    guess = np.zeros((len(segments), len(CODES)), dtype=bool)
    for doc_id, segment_id, code in out[[C.DOC_ID, C.SEGMENT_ID, C.CODE]].itertuples(index=False):
        if code in CODES:
            guess[row[(doc_id, int(segment_id))], CODES.index(code)] = True
    teacher = segments[C.IS_INTERVIEWER].to_numpy(dtype=bool)
    columns = [CODES.index(code) for code in TEACHER.values()], [CODES.index(code) for code in STUDENT.values()]
    other = int(guess[~teacher][:, columns[0]].sum() + guess[teacher][:, columns[1]].sum())
    return {
        "suggestions": int(guess.sum()),
        "other speaker": other,
        "macro F1": float(np.mean([f1_score(labels[:, j], guess[:, j], zero_division=0) for j in range(len(CODES))])),
        "mean kappa": float(np.mean([cohen_kappa_score(labels[:, j], guess[:, j]) for j in range(len(CODES))])),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lessons", type=int, default=36)
    args = parser.parse_args()
    frame = talkmoves_sentences()
    names = sorted(frame["lesson"].unique())
    order = np.random.default_rng(0).permutation(len(names))
    chosen = {names[i] for i in order[: args.lessons]}
    segments, labels = corpus_segments(frame[frame["lesson"].isin(chosen)])
    codebook = qc.load_codebook(ROOT / "benchmarks" / "talkmoves_codebook.yaml")
    print(f"TalkMoves: {len(chosen)} lessons, {len(segments)} sentences, {int(labels.sum())} human labels")
    rows = [("every code on every line", without_rules(codebook)), ("applies_to as written", codebook)]
    results = [(name, measure(segments, labels, book)) for name, book in rows]
    print("| codebook | suggestions | on the other speaker's lines | macro-F1 | mean κ |")
    print("|---|---:|---:|---:|---:|")
    for name, r in results:
        print(
            f"| {name} | {r['suggestions']:,} | {r['other speaker']:,} | {r['macro F1']:.3f} | {r['mean kappa']:.3f} |"
        )
    before, after = results[0][1], results[1][1]
    print(f"macro-F1 ratio (rules / none): {after['macro F1'] / max(before['macro F1'], 1e-9):.2f}x")


if __name__ == "__main__":
    main()
