"""Time to learn from human codes: the learned matcher's fit and scoring, one thread per fit
with the per-code fits side by side (qualcode), against the same matcher with the BLAS left
to its default threads and the codes fitted one after another (how it ran before), in the
same run on the same split. Then scoring with each code's cross-validation models kept as
one linear model of their mean coefficients and the shared model's fold models predicting
side by side (qualcode) against scoring each of the five per-code models, averaging their
decisions, and the shared models one after another (how it ran before): time, the per-code
models' pickled size, and the largest difference between the two runs' scores.

One few-shot split of the quality benchmark (benchmarks/quality/corpora.py, seed 0): the
human codes of one third of the documents train, the other two thirds are scored.

    python benchmarks/bench_learned.py [--corpus talkmoves|games|serdif]
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "quality"))

from corpora import CORPORA  # noqa: E402
from run import encoder, split  # noqa: E402

from qualcode import columns as C  # noqa: E402
from qualcode.match import learned  # noqa: E402
from qualcode.training import training_set  # noqa: E402


def previous_threads():
    """Before: OpenMP limited for the shared model only, BLAS free."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="openmp")


class FoldModels:
    """Before: the fold models kept as they are, each one scored, their decisions averaged."""

    def __init__(self, models) -> None:
        self.models = models
        self.folds = len(models)

    def decision_function(self, matrix) -> np.ndarray:
        return np.mean([model.decision_function(matrix) for model in self.models], axis=0)


def scoring(bench, train, test, enc, keep, threads) -> tuple[float, int, np.ndarray]:
    """Fit with the per-code models kept by ``keep``; best of three scoring times with
    ``threads`` shared models predicting at once, the per-code models' pickled size, the
    scores."""
    saved = learned.F.MeanLinear, learned.FIT_THREADS
    learned.F.MeanLinear = keep
    try:
        matcher = learned.ClassifierMatcher(encoder=enc, cache=None).fit(bench.codebook, train)
        learned.FIT_THREADS = threads
        times = []
        for _ in range(3):
            start = time.perf_counter()
            values = matcher.score(test).values
            times.append(time.perf_counter() - start)
    finally:
        learned.F.MeanLinear, learned.FIT_THREADS = saved
    return min(times), len(pickle.dumps(matcher.models_)), values


def timed(bench, train, test, enc) -> tuple[float, float, np.ndarray]:
    matcher = learned.ClassifierMatcher(encoder=enc, cache=None)
    start = time.perf_counter()
    matcher.fit(bench.codebook, train)
    fitted = time.perf_counter()
    values = matcher.score(test).values
    return fitted - start, time.perf_counter() - fitted, values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default="talkmoves", choices=sorted(CORPORA))
    args = parser.parse_args()
    bench = CORPORA[args.corpus]()
    enc = encoder()
    train_rows, test_rows = split(bench, 0)
    train = training_set(bench.codings(train_rows), bench.codebook, bench.segments, None)
    test = bench.segments.iloc[test_rows].reset_index(drop=True)
    enc.encode(bench.segments[C.TEXT].astype(str).tolist())  # vectors cached for both runs
    timed(bench, train, test, enc)  # models loaded, every sentence analysed once
    ours = timed(bench, train, test, enc)
    saved = learned._one_thread, learned.FIT_THREADS
    learned._one_thread, learned.FIT_THREADS = previous_threads, 1
    try:
        before = timed(bench, train, test, enc)
    finally:
        learned._one_thread, learned.FIT_THREADS = saved
    print(f"{bench.name}: {bench.about}; {len(train_rows)} segments learned, {len(test_rows)} scored")
    print("| run | fit s | score s |")
    print("|---|---:|---:|")
    print(f"| before: default BLAS threads, codes one after another | {before[0]:.1f} | {before[1]:.1f} |")
    print(f"| qualcode: one thread per fit, {learned.FIT_THREADS} fits side by side | {ours[0]:.1f} | {ours[1]:.1f} |")
    print(f"fit {before[0] / ours[0]:.2f}x faster; scores differ by at most {np.abs(ours[2] - before[2]).max():.4f}")
    folds = scoring(bench, train, test, enc, FoldModels, 1)
    mean = scoring(bench, train, test, enc, learned.F.MeanLinear, learned.FIT_THREADS)
    print("| scoring | score s (best of 3) | per-code models, pickled MB |")
    print("|---|---:|---:|")
    print(
        f"| before: five fold models per code each scored; shared models one by one | {folds[0]:.2f} | {folds[1] / 1e6:.1f} |"
    )
    print(
        f"| qualcode: one model of their mean coefficients; {learned.FIT_THREADS} shared models at once "
        f"| {mean[0]:.2f} | {mean[1] / 1e6:.1f} |"
    )
    print(
        f"scoring {folds[0] / mean[0]:.2f}x faster, {folds[1] / mean[1]:.1f}x smaller; "
        f"scores differ by at most {np.abs(folds[2] - mean[2]).max():.6f}"
    )


if __name__ == "__main__":
    main()
