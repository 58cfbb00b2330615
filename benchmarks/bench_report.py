"""The HTML report at scale: build time, file size, and load / click time in headless Chromium
at 2,000 and 20,000 coded segments, against the first size measured in the same run.

Segments are the example interviews' keyword codings repeated under new document ids (texts
and codes are real output of `qualcode tag`; only their number grows).

    python benchmarks/bench_report.py [--sizes 2000 20000]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import pandas as pd

import qualcode as qc

ROOT = Path(__file__).resolve().parents[1]


def corpus(folder: Path) -> pd.DataFrame:
    out = folder / "coded.csv"
    qc.tag(
        ROOT / "examples" / "interviews",
        ROOT / "codebooks" / "caring_schools.yaml",
        out,
        method="keyword",
        metadata=ROOT / "examples" / "interviews" / "participants.csv",
    )
    return qc.read_coded(out)


def scaled(codings: pd.DataFrame, segments: int) -> pd.DataFrame:
    per_copy = codings.groupby(["doc_id", "segment_id"]).ngroups
    copies = -(-segments // per_copy)
    frames = [codings.assign(doc_id=codings["doc_id"] + f"_{k:04d}") for k in range(copies)]
    table = pd.concat(frames, ignore_index=True)
    keys = table[["doc_id", "segment_id"]].drop_duplicates().head(segments)
    return table.merge(keys, on=["doc_id", "segment_id"])


def browser_times(path: Path) -> tuple[float, float] | None:
    chromium = shutil.which("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if chromium is None:
        return None
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page()
        start = time.perf_counter()
        page.goto(path.as_uri(), wait_until="load")
        loaded = time.perf_counter() - start
        cell = page.locator("#cooccurrence a.cell").first
        start = time.perf_counter()
        cell.click()
        page.wait_for_selector("#passages:not([hidden])")
        clicked = time.perf_counter() - start
        browser.close()
    return loaded, clicked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000])
    args = parser.parse_args()
    book = qc.load_codebook(ROOT / "codebooks" / "caring_schools.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        base = corpus(Path(tmp))
        first = None
        for size in args.sizes:
            codings = scaled(base, size)
            start = time.perf_counter()
            report = qc.build_report(codings, book, by=["role", "district"])
            built = time.perf_counter() - start
            path = report.save(Path(tmp) / f"report_{size}.html")
            mb = path.stat().st_size / 1e6
            times = browser_times(path)
            load = f"load {times[0]:.2f} s, click to passages {times[1] * 1000:.0f} ms" if times else "no browser"
            line = f"{size:>6} segments ({len(codings)} codings): build {built:.1f} s, {mb:.1f} MB, {load}"
            if first is None:
                first = (size, built, mb)
            else:
                line += f"  | x{size / first[0]:.0f} segments: build x{built / first[1]:.1f}, size x{mb / first[2]:.1f}"
            print(line, flush=True)


if __name__ == "__main__":
    main()
