"""Peak memory of `qualcode tag` as the corpus grows: N and 10·N documents (and more sizes if
asked), each run in a fresh process, peak RSS read from the OS (getrusage of the child).

Documents are the example interviews' plain-text transcripts, each copy made unique (its
copy number woven into every sentence) so that neither the embedding cache nor any
de-duplication hides the work. A fresh cache folder per run.

    python benchmarks/bench_memory.py [--documents 100 1000] [--method hybrid]

Target: 10x the documents costs less than 1.5x the peak RSS.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "interviews"


def corpus(folder: Path, documents: int) -> Path:
    files = sorted(EXAMPLES.glob("d*.txt")) + sorted(EXAMPLES.glob("d*.md"))
    bases = [p.read_text(encoding="utf-8") for p in files]
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(documents):
        text = re.sub(r"\.(\s)", rf" (site {k}).\1", bases[k % len(bases)])
        (folder / f"doc{k:05d}.txt").write_text(text, encoding="utf-8")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--method", default="hybrid")
    args = parser.parse_args()
    first = None
    for n in args.documents:
        with tempfile.TemporaryDirectory() as tmp:
            folder = corpus(Path(tmp) / "docs", n)
            out = Path(tmp) / "coded.csv"
            command = [
                sys.executable,
                "-c",
                "from qualcode.cli import run; run()",
                "tag",
                str(folder),
                "-c",
                str(ROOT / "codebooks" / "caring_schools.yaml"),
                "-o",
                str(out),
                "--method",
                args.method,
                "--cache",
                str(Path(tmp) / "cache"),
            ]
            # a fresh interpreter per size: ru_maxrss of children is a maximum over all of them,
            # so each size runs in its own wrapper process that reports its child's peak
            wrapper = [
                sys.executable,
                "-c",
                "import resource,subprocess,sys; subprocess.run(sys.argv[1:], check=True, capture_output=True);"
                "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)",
                *command,
            ]
            start = time.perf_counter()
            done = subprocess.run(wrapper, capture_output=True, text=True, check=True)
            wall = time.perf_counter() - start
            peak = int(done.stdout.strip().splitlines()[-1]) / 1024
            segments = len(out.read_text(encoding="utf-8").splitlines()) - 1
        line = f"{n:>6} documents ({segments} suggestion rows, {args.method}): peak RSS {peak:,.0f} MB, {wall:.0f} s"
        if first is None:
            first = (n, peak)
        else:
            line += f"  | x{n / first[0]:.0f} documents: RSS x{peak / first[1]:.2f}"
        print(line, flush=True)


if __name__ == "__main__":
    main()
