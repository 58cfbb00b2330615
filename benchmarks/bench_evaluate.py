"""`evaluate --curve` speed: the precision-recall table, against a baseline measured in the same run.

Data: the SERDIF Taguette project (../shared/data, 17 sessions, 3,009 paragraphs, 22 codes):
its human codes are the gold standard, and a random half of them with random scores (seed 0)
stand in for suggestions. The table is 19 thresholds by 22 codes plus ``micro``.

Baseline: the straightforward way, what ``precision_recall`` did before: ``evaluate`` at each
threshold, each finding the units and mapping the human codes again, and one scikit-learn
call per code and metric. qualcode finds the units once and asks scikit-learn for every
code's precision, recall and F1 in one call. The two tables are checked equal.

    python benchmarks/bench_evaluate.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import cohen_kappa_score, f1_score, precision_score, recall_score

sys.path.insert(0, str(Path(__file__).resolve().parent / "quality"))

from corpora import serdif

from qualcode import columns as C
from qualcode.analysis.evaluate import _matrix, _prepared, precision_recall

GRID = [round(t, 2) for t in np.arange(0.05, 1.0, 0.05)]


def baseline(suggestions: pd.DataFrame, gold: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    """Per threshold: the units and human codes found again, one scikit-learn call per code and metric."""
    parts = []
    for threshold in GRID:
        units, gold_pairs, predicted = _prepared(suggestions, gold, segments)
        predicted = predicted[predicted[C.SCORE] >= threshold]
        codes = sorted(set(gold_pairs[C.CODE]) | set(predicted[C.CODE]))
        truth, guess = _matrix(gold_pairs, units, codes), _matrix(predicted, units, codes)
        rows = []
        for j, code in enumerate([*codes, "micro"]):
            t, g = (truth[:, j], guess[:, j]) if code != "micro" else (truth.ravel(), guess.ravel())
            rows.append(
                {
                    "threshold": threshold,
                    C.CODE: code,
                    "n_units": len(units),
                    "gold": int(t.sum()),
                    "suggested": int(g.sum()),
                    "precision": precision_score(t, g, zero_division=0),
                    "recall": recall_score(t, g, zero_division=0),
                    "f1": f1_score(t, g, zero_division=0),
                    "kappa": cohen_kappa_score(t, g)
                    if code == "micro" or ((t.any() or g.any()) and not (t.all() and g.all()))
                    else float("nan"),
                }
            )
        parts.append(pd.DataFrame(rows))
    return pd.concat(parts, ignore_index=True)


def timed(run, repeat: int) -> tuple[float, pd.DataFrame]:
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = run()
        times.append(time.perf_counter() - start)
    assert out is not None
    return statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    repeat = parser.parse_args().repeat
    bench = serdif()
    gold = bench.codings(np.arange(len(bench.segments)))
    rng = np.random.default_rng(0)
    suggestions = bench.codings(rng.permutation(len(bench.segments))[: len(bench.segments) // 2])
    suggestions = suggestions.assign(**{C.SCORE: rng.random(len(suggestions)), C.METHOD: "classifier"})
    ours, table = timed(lambda: precision_recall(suggestions, gold, bench.segments, thresholds=GRID), repeat)
    theirs, expected = timed(lambda: baseline(suggestions, gold, bench.segments), repeat)
    pd.testing.assert_frame_equal(table.reset_index(drop=True), expected[table.columns], check_dtype=False)
    print(f"{bench.about}; {len(table)} rows, equal to the baseline's")
    print(f"| | median of {repeat} | ratio |")
    print("|---|---:|---:|")
    print(f"| baseline: evaluate per threshold, one scikit-learn call per code and metric | {theirs:.2f} s | |")
    print(f"| qualcode precision_recall | {ours:.2f} s | **{theirs / ours:.1f}×** |")


if __name__ == "__main__":
    main()
