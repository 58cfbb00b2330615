"""Speed of `qualcode tag` with the default ONNX int8 encoder, against the raw PyTorch encoder
(sentence-transformers, batches of 64) encoding the same texts, measured in the same run.

The corpus is the example interviews' transcripts, copied until it holds about N segments,
each copy made unique (so no cache or de-duplication helps); `tag` runs with `--no-cache`.
The texts given to the raw encoder are exactly those `tag` encodes (segments and their
sentences, as `qualcode.match.embedding` splits them), collected by a recording encoder.

    python benchmarks/bench_encoder.py [--documents 220]

Target: end-to-end `tag` (ONNX) at least 1.8x faster than the raw PyTorch encoder alone.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_memory import corpus

import qualcode as qc
from qualcode import nlp
from qualcode.embed.base import make_encoder

ROOT = Path(__file__).resolve().parents[1]
CODEBOOK = ROOT / "codebooks" / "caring_schools.yaml"


class Recorder:
    """An encoder that remembers what it was asked to encode (and asks the real one)."""

    def __init__(self, inner):
        self.inner, self.texts, self.identity = inner, [], inner.identity

    @property
    def dimension(self):
        return self.inner.dimension

    def encode(self, texts):
        self.texts.extend(texts)
        return self.inner.encode(texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=220)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["QUALCODE_CACHE"] = str(Path(tmp) / "cache")  # the ONNX export lives here too
        folder = corpus(Path(tmp) / "docs", args.documents)
        make_encoder("onnx").identity  # export once, outside the timings (a first run does it once)  # noqa: B018
        recorder = Recorder(make_encoder("onnx"))
        qc.suggest(qc.read_transcripts(folder), qc.load_codebook(CODEBOOK), encoder=recorder, cache=None)
        texts = recorder.texts
        torch_encoder = make_encoder("torch")
        torch_encoder.encode(texts[:8])  # load the model outside the timing
        start = time.perf_counter()
        torch_encoder.encode(texts)
        raw = time.perf_counter() - start
        timings = {}
        for backend in ("onnx", "torch"):
            nlp._MEMO.clear()  # no spaCy analysis remembered from the recording run: end to end means it
            nlp._CONTENT.clear()
            start = time.perf_counter()
            result = qc.tag(folder, CODEBOOK, Path(tmp) / f"{backend}.csv", encoder=backend, cache=None)
            timings[backend] = time.perf_counter() - start
        segments = len(result.corpus.segments)
    print(f"{segments} segments, {len(texts)} encoder inputs")
    print(f"raw PyTorch encoder (batches of 64): {raw:.1f} s ({len(texts) / raw:.0f} texts/s)")
    for backend, seconds in timings.items():
        print(f"qualcode tag --encoder {backend} (end to end, model loading included): {seconds:.1f} s")
    print(f"ratio raw PyTorch encoder / tag (onnx): {raw / timings['onnx']:.2f}x (target >= 1.8x)")
    print(f"ratio tag (torch) / tag (onnx): {timings['torch'] / timings['onnx']:.2f}x")


if __name__ == "__main__":
    main()
