"""Reading PDF transcripts again: extracted pages kept between commands, against extracting
them every time (as before the cache), measured in the same run.

Every command that follows a run (`freq`, `matrix`, `report`, `next` …) reads its
transcripts again. The PDFs: the two example interviews printed to PDF by Chromium
(`tests/fixtures/pdf`, 2 and 4 pages) and, when `../shared/data` is beside the project, the
TalkMoves coding manual (11 pages, made by another program). Each round reads all of them with
`qc.read_transcripts`: *extracting* with an empty cache folder each round (pdfminer.six on
every page, the cost before), *kept* from the cache the first round filled.

    python benchmarks/bench_pdf_cache.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

import qualcode as qc

ROOT = Path(__file__).resolve().parents[1]
PDFS = [
    ROOT / "tests" / "fixtures" / "pdf" / f"{name}.pdf"
    for name in ("d01_superintendent", "d03_assistant_superintendent")
]
MANUAL = ROOT.parent / "shared" / "data" / "talkmoves" / "Coding_Manual.pdf"


def read_all(paths: list[Path]) -> tuple[float, list[str]]:
    start = time.perf_counter()
    texts = [doc.text for path in paths for doc in qc.read_transcripts(path).documents]
    return time.perf_counter() - start, texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    paths = [*PDFS, *([MANUAL] if MANUAL.is_file() else [])]
    from qualcode.io.pdf import pdf_pages

    pages = sum(len(pdf_pages(path)) for path in paths)
    folder = Path(tempfile.mkdtemp(prefix="qualcode-pdf-bench-"))
    try:
        extracting, kept = [], []
        for k in range(args.rounds):
            fresh = folder / f"empty-{k}"
            os.environ["QUALCODE_CACHE"] = str(fresh)
            seconds, cold = read_all(paths)
            extracting.append(seconds)
        os.environ["QUALCODE_CACHE"] = str(folder / "kept")
        _, filled = read_all(paths)  # the first command fills it
        for _ in range(args.rounds):
            seconds, warm = read_all(paths)
            kept.append(seconds)
        assert warm == filled == cold, "the kept pages must read to the same text"
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    slow, fast = min(extracting), min(kept)
    print(f"{len(paths)} PDFs, {pages} pages; best of {args.rounds} rounds (read_transcripts of every PDF)")
    print("| reading | seconds | per page |")
    print("|---|---:|---:|")
    print(f"| extracting every page (empty cache) | {slow:.3f} | {slow / pages:.4f} |")
    print(f"| pages kept from an earlier command | {fast:.3f} | {fast / pages:.4f} |")
    print(f"speed-up: {slow / fast:.1f}x")


if __name__ == "__main__":
    main()
