"""Human codes given as excerpts (the coded words), placed in the transcripts, against the
offsets the same tool stored: Taguette's highlights export of the SERDIF project
(../shared/data/taguette-serdif/all_tags_20220303.csv, 1,930 rows of document, tag, content)
and the project's SQLite file, whose highlight offsets qualcode reads exactly.

    python benchmarks/bench_excerpts.py

Prints how many excerpts were found by their exact words, how many only once spacing, case
and quotes were made alike, how many occur more than once in their document, how many land
on exactly the project's span (same document, start, end and code), and the time against
reading the project's offsets (the baseline, same run).
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import qualcode as qc
from qualcode.codings import codes_as_ids
from qualcode.excerpts import folded_text, occurrences, place_excerpts

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "taguette-serdif"


def _trim(key: tuple[str, ...], texts: dict[str, str]) -> tuple[str, int, int, str]:
    doc, start, end, code = key[0], int(key[1]), int(key[2]), key[3]
    text = texts[doc]
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return doc, start, end, code


def main() -> None:
    start = time.perf_counter()
    project = qc.read_taguette(SHARED / "SERDIF_P2_ThematicAnalysis.sqlite3")
    baseline = time.perf_counter() - start
    texts = {doc.doc_id: doc.text for doc in project.corpus.documents}
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        words = qc.read_codings(SHARED / "all_tags_20220303.csv")
        placed = codes_as_ids(place_excerpts(words, texts), project.codebook)
    seconds = time.perf_counter() - start
    exact = sum(str(w).strip() in texts[str(d)] for d, w in zip(words["doc_id"], words["excerpt"], strict=True))
    folded = {doc: folded_text(text) for doc, text in texts.items()}
    repeated = sum(
        len(occurrences(str(w), texts[str(d)], lambda d=d: folded[str(d)])) > 1
        for d, w in zip(words["doc_id"], words["excerpt"], strict=True)
    )
    keys = ["doc_id", "start_char", "end_char", "code"]
    ours = set(map(tuple, placed[keys].astype(str).values))
    theirs = set(map(tuple, project.codings[keys].astype(str).values))
    # the same passage up to blank space at its ends (a highlight can take in the line breaks after it)
    trimmed = {_trim(key, texts) for key in ours}
    alike = len(trimmed & {_trim(key, texts) for key in theirs})
    print(f"excerpts: {len(words)}; found by their exact words {exact}; only once made alike {len(placed) - exact}")
    print(f"occurring more than once in their document: {repeated}")
    print(
        f"placed on exactly the project's span: {len(ours & theirs)} of {len(ours)} (the project holds {len(theirs)})"
    )
    print(f"the same passage but for blank space at its ends: {alike} of {len(ours)}")
    print(f"warnings: {[str(w.message)[:90] for w in said]}")
    print(f"placing {seconds:.2f} s; reading the project's offsets {baseline:.2f} s; ratio {seconds / baseline:.2f}x")


if __name__ == "__main__":
    main()
