"""`tag` on a local Dask cluster of 2 worker processes (1 thread each) against one process
using both cores, on the same corpus in the same run; and the cost of one more partition.

    python benchmarks/bench_workers.py [--documents 200]

Prints: one process (2 encoder threads), 2 workers with the cluster already up, the cluster's
start-up, partitions made, and the per-partition overhead measured by scoring the same
corpus cut into 4 and into 16 partitions.
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

ROOT = Path(__file__).resolve().parents[1]
CODEBOOK = ROOT / "codebooks" / "caring_schools.yaml"


def forget() -> None:
    """Drop the spaCy analyses a process remembers, so every timed run does all its work."""
    from qualcode import nlp

    nlp._MEMO.clear()
    nlp._CONTENT.clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=200)
    args = parser.parse_args()
    from distributed import Client, LocalCluster

    import qualcode.suggestions as suggestions

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["QUALCODE_CACHE"] = str(Path(tmp) / "cache")
        folder = corpus(Path(tmp) / "docs", args.documents)
        qc.tag(folder, CODEBOOK, None, cache=None)  # export the model and warm the disk outside the timings
        forget()
        start = time.perf_counter()
        alone = qc.tag(folder, CODEBOOK, Path(tmp) / "one.csv", cache=None)
        one = time.perf_counter() - start
        segments = len(alone.corpus.segments)
        start = time.perf_counter()
        cluster = LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            silence_logs=50,
            env={"QUALCODE_THREADS": "1"},
        )
        client = Client(cluster)
        startup = time.perf_counter() - start
        qc.tag(folder, CODEBOOK, None, cache=None, client=client)  # workers load their models
        forget()
        client.run(forget)
        start = time.perf_counter()
        qc.tag(folder, CODEBOOK, Path(tmp) / "two.csv", cache=None, client=client)
        two = time.perf_counter() - start
        same = (Path(tmp) / "one.csv").read_bytes() == (Path(tmp) / "two.csv").read_bytes()
        timings = {}
        original = suggestions.partitions
        for parts in (4, 16):
            suggestions.partitions = lambda coded, parts, _n=parts: original(coded, _n)
            forget()
            client.run(forget)
            start = time.perf_counter()
            qc.tag(folder, CODEBOOK, None, cache=None, client=client)
            timings[parts] = time.perf_counter() - start
        suggestions.partitions = original
        client.close()
        cluster.close()
    overhead = (timings[16] - timings[4]) / 12
    print(f"{args.documents} documents, {segments} segments; output identical: {same}")
    print(f"one process, 2 encoder threads: {one:.1f} s")
    print(f"2 workers x 1 thread (cluster up, models loaded): {two:.1f} s  -> ratio {one / two:.2f}x")
    print(f"cluster start-up (2 processes): {startup:.1f} s; then each worker loads its models on its first task")
    print(
        f"4 partitions {timings[4]:.1f} s, 16 partitions {timings[16]:.1f} s: about {overhead * 1000:.0f} ms per partition"
    )


if __name__ == "__main__":
    main()
