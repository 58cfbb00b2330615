"""Speed of suggestions, measured against baselines in the same run.

1. Throughput: the raw encoder (all-MiniLM-L6-v2 ``encode`` on the texts, nothing else) vs
   end-to-end ``qc.suggest(..., method="hybrid")`` on the same texts with an empty cache
   (sentence splitting, keyword matching, encoding, calibration, the codings table).
   Target: end-to-end at least 0.9x the raw encoder's sentences per second.
2. Cache: the first ``qc.suggest`` (empty cache) vs the same call after a codebook edit
   (one example added), in the same process as a researcher in Jupyter would run it.
   Target: the re-run at least 50x faster.

Texts: the first N sentences of the TalkMoves transcripts (../shared/data/talkmoves),
real classroom speech, one segment each.

Run: python benchmarks/bench_suggest_speed.py [--n 3000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from _data import ROOT, talkmoves_sentences

import qualcode as qc
from qualcode.embed.sentence_transformers import SentenceTransformerEncoder
from qualcode.match.hybrid import HybridMatcher
from qualcode.nlp import load_pipeline


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=3000, help="number of sentences")
    args = parser.parse_args()
    texts = talkmoves_sentences()["text"].head(args.n).tolist()
    segments = qc.segments_from_texts(texts)
    codebook = qc.load_codebook(ROOT / "codebooks" / "caring_schools.yaml")

    encoder = SentenceTransformerEncoder()
    encoder.encode(["warm up the model"])  # loading the models is part of neither figure
    load_pipeline()
    start = time.perf_counter()
    encoder.encode(texts)
    raw_seconds = time.perf_counter() - start

    with tempfile.TemporaryDirectory() as folder:
        cache = Path(folder)
        start = time.perf_counter()
        matcher = HybridMatcher(encoder=encoder, cache=cache).fit(codebook)
        fit_seconds = time.perf_counter() - start
        first = qc.suggest(segments, codebook, method=matcher)
        first_seconds = time.perf_counter() - start

        data = codebook.to_dict()
        data["codes"][4]["examples"].append("We posted three new openings for school nurses.")
        edited = qc.codebook.parse_codebook(data)
        start = time.perf_counter()
        second = qc.suggest(segments, edited, method=HybridMatcher(encoder=encoder, cache=cache))
        second_seconds = time.perf_counter() - start

    raw_rate, e2e_rate = len(texts) / raw_seconds, len(texts) / first_seconds
    steady_rate = len(texts) / (first_seconds - fit_seconds)
    print(f"{len(texts)} TalkMoves sentences, codebook {codebook.name!r} ({len(codebook.ids)} codes)\n")
    print(f"raw encoder                  {raw_seconds:7.2f} s  {raw_rate:8.0f} sentences/s")
    print(f"suggest, hybrid, empty cache {first_seconds:7.2f} s  {e2e_rate:8.0f} sentences/s")
    print(
        f"  of which fitting the codebook (encode {len(matcher.embedding_.prototype_texts_)} prototypes "
        f"and the neutral sentences, once per run) {fit_seconds:.2f} s"
    )
    print(f"  ratio end-to-end / raw encoder: {e2e_rate / raw_rate:.2f}x  (target >= 0.9x)")
    print(f"  ratio per-segment work (end-to-end less the codebook fit) / raw encoder: {steady_rate / raw_rate:.2f}x")
    print(f"suggest after codebook edit  {second_seconds:7.2f} s  ({len(second)} suggestions; first run {len(first)})")
    print(f"  ratio first run / cached re-run: {first_seconds / second_seconds:.1f}x  (target >= 50x)")


if __name__ == "__main__":
    main()
