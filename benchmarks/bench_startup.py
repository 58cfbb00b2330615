"""Start-up time: `qualcode --help` and `import qualcode`, against a baseline measured in the same run.

The baseline is the same interpreter starting and importing the heavy libraries a command may
need (pandas, scikit-learn, SciPy): what `qualcode --help` cost when the package root imported
everything eagerly. Target: `qualcode --help` under 0.5 s wall.

    python benchmarks/bench_startup.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def wall(args: list[str], repeat: int) -> float:
    """Median wall time of a fresh process running ``args``."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    repeat = parser.parse_args().repeat
    python = sys.executable
    rows = [
        ("python -c pass", [python, "-c", "pass"]),
        ("import qualcode", [python, "-c", "import qualcode"]),
        ("qualcode --help", [python, "-m", "qualcode.cli", "--help"]),
        ("qualcode tag --help", [python, "-m", "qualcode.cli", "tag", "--help"]),
        ("baseline: import pandas, sklearn, scipy", [python, "-c", "import pandas, sklearn.metrics, scipy.sparse"]),
    ]
    results = {label: wall(args, repeat) for label, args in rows}
    print(f"{'step':44s} {'median wall':>12s}")
    for label, seconds in results.items():
        print(f"{label:44s} {seconds:10.3f} s")
    baseline = results["baseline: import pandas, sklearn, scipy"]
    help_time = results["qualcode --help"]
    print(f"ratio baseline / qualcode --help: {baseline / help_time:.2f}x")
    print(f"qualcode --help under 0.5 s: {'yes' if help_time < 0.5 else 'NO'} ({help_time:.3f} s)")


if __name__ == "__main__":
    main()
