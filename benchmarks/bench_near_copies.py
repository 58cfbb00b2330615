"""The near-copies check (`qualcode/io/copies.py`) on a large corpus: its time against the time
of reading the same documents' words once (the floor any such check pays), in the same run.

    python benchmarks/bench_near_copies.py [--documents 1000] [--words 6000]

Documents are drawn from a Zipf vocabulary of 20,000 words (speech-like repetition); one
cleaned copy (every 15th word dropped) is added, and the check must name it.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from qualcode.document import Document, Turn
from qualcode.io.copies import near_copies
from qualcode.io.formats import spoken_words


def corpus(documents: int, words: int) -> list[Document]:
    rng = np.random.default_rng(0)
    vocabulary = np.array([f"w{i}" for i in range(20_000)])
    out = []
    for k in range(documents):
        ranks = np.minimum(rng.zipf(1.2, words), len(vocabulary)) - 1
        text = " ".join(vocabulary[ranks].tolist())
        out.append(Document(f"d{k:04d}", f"d{k:04d}.txt", "txt", text, [Turn("P", 0, len(text))]))
    kept = " ".join(w for i, w in enumerate(out[5].text.split()) if i % 15)
    out.append(Document("d0005_clean", "d0005_clean.txt", "txt", kept, [Turn("P", 0, len(kept))]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--words", type=int, default=6000)
    args = parser.parse_args()
    docs = corpus(args.documents, args.words)
    start = time.perf_counter()
    total = sum(len(spoken_words(doc)) for doc in docs)
    floor = time.perf_counter() - start
    start = time.perf_counter()
    found = near_copies(docs)
    took = time.perf_counter() - start
    assert found and "'d0005' and 'd0005_clean'" in found[0], found
    print(f"{len(docs)} documents, {total:,} words")
    print(f"reading their words once: {floor:.2f} s")
    print(f"near-copies check:        {took:.2f} s  ({took / floor:.1f}x the words' reading)")


if __name__ == "__main__":
    main()
