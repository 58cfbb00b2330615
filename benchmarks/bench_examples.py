"""The shipped codebook on the example interviews, against a human coding of them.

``examples/interviews/human_codes.csv`` codes the 42 participant turns of the nine example
interviews (64 codes, one coder). Caveat: the interviews, the codebook and this coding were
written by the same people, so the figures are optimistic for keywords; they check that the
codebook and the thresholds behave as a reader of the study would expect, not accuracy on
unseen interviews (see bench_talkmoves.py for that).

Run: python benchmarks/bench_examples.py
"""

from __future__ import annotations

from _data import ROOT

import qualcode as qc
from qualcode.analysis import evaluate

THRESHOLDS = {"keyword": [0.5, 0.65, 0.8], "embedding": [0.2, 0.3, 0.4], "hybrid": [0.3, 0.4, 0.5, 0.6]}


def main() -> None:
    examples = ROOT / "examples" / "interviews"
    corpus = qc.read_transcripts(examples, metadata=examples / "participants.csv")
    codebook = qc.load_codebook(ROOT / "codebooks" / "caring_schools.yaml")
    gold = qc.read_codings(examples / "human_codes.csv")
    print(f"{len(gold)} human codes on {corpus.segments['is_interviewer'].eq(False).sum()} participant turns\n")
    print(f"{'method':10s} {'min_score':>9s} {'precision':>9s} {'recall':>7s} {'F1':>6s} {'kappa':>6s}   (micro)")
    for method, thresholds in THRESHOLDS.items():
        coded = qc.suggest(corpus, codebook, method=method, min_score=0.0)
        for threshold in thresholds:
            row = evaluate(coded, gold, corpus.segments, threshold=threshold).loc["micro"]
            print(
                f"{method:10s} {threshold:9.2f} {row['precision']:9.3f} {row['recall']:7.3f} "
                f"{row['f1']:6.3f} {row['kappa']:6.3f}"
            )
    coded = qc.suggest(corpus, codebook)
    table = evaluate(coded, gold, corpus.segments)
    print("\nhybrid at its default threshold (0.4), per code:")
    print(table.round(3).to_string())


if __name__ == "__main__":
    main()
