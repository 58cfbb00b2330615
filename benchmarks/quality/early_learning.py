"""Does learning from a first few coded segments ever do worse than the codebook alone?

A researcher's loop starts with a handful of coded segments (``qualcode next`` → fill in →
``tag --train``). For each corpus and seed, documents are split as in ``active_curve.py``
(two thirds a pool, one third scored); the pool's segments are coded in a random order, and
after 20, 50, 100 and 200 of them the learned matcher (``qc.suggest(..., training=...)``, its
own thresholds) is scored by mean Cohen's kappa on the other third, against the zero-shot
hybrid matcher (threshold 0.4, nothing learned) on the same third. The last column is their
difference per seed: its mean and standard error.

    python benchmarks/quality/early_learning.py [--corpus games] [--seeds 4] [--no-write]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from active_curve import kappa_after  # noqa: E402
from corpora import CORPORA, seeded_arguments  # noqa: E402
from metrics import mean_kappa  # noqa: E402
from run import encoder, score_matrix, split, write_readme  # noqa: E402

import qualcode as qc  # noqa: E402

POINTS = (20, 50, 100, 200)
SEEDS = 4


def table(names: list[str], seeds: int, enc) -> str:
    lines = [
        "| corpus | κ zero-shot | " + " | ".join(f"learned at {k}" for k in POINTS) + " |",
        "|---|---:|" + "---:|" * len(POINTS),
    ]
    for name in names:
        bench = CORPORA[name]() if name != "talkmoves" else CORPORA[name](lessons=18)
        start = time.perf_counter()
        zero = qc.suggest(
            bench.segments, bench.codebook, method="hybrid", include_interviewer=True, encoder=enc, min_score=0.0
        )
        zero_scores = score_matrix(zero, bench, np.arange(len(bench.segments)))
        alone, learned = [], []
        for seed in range(seeds):
            test, pool = split(bench, seed)
            order = [int(i) for i in np.random.default_rng(seed).permutation(pool)[: max(POINTS)]]
            alone.append(mean_kappa(bench.labels[test], zero_scores[test] >= 0.4))
            learned.append([kappa_after(bench, order[:k], test, enc) for k in POINTS])
            print(f"  {name} seed {seed}: zero-shot {alone[-1]:.3f}, learned {[round(x, 3) for x in learned[-1]]}")
        gaps = np.array(learned) - np.array(alone)[:, None]
        spread = gaps.std(axis=0, ddof=1) / np.sqrt(seeds) if seeds > 1 else np.zeros(len(POINTS))
        cells = [
            f"{m:.3f} ({g:+.3f} ± {e:.3f})"
            for m, g, e in zip(np.mean(learned, axis=0), gaps.mean(axis=0), spread, strict=True)
        ]
        lines.append(f"| {name} | {np.mean(alone):.3f} | " + " | ".join(cells) + " |")
        print(f"{name}: {bench.about}; {time.perf_counter() - start:.0f} s", flush=True)
    return "\n".join(lines)


def main() -> None:
    args = seeded_arguments(__doc__, SEEDS)
    text = table(args.corpus, args.seeds, encoder())
    print(text)
    if not args.no_write:
        command = "python benchmarks/quality/early_learning.py"
        write_readme(f"Command: `{command}` ({args.seeds} seeds, random coding order)\n\n{text}", "EARLY")


if __name__ == "__main__":
    main()
