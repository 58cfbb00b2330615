"""A learned model reads a segment's neighbours; scoring some rows only must read them too.

`qualcode tag` does not suggest codes on interviewer turns by default (on TalkMoves, the
teacher's lines; student moves are suggested on the students' lines). The learned model
reads each segment's previous and next segment and its document's mean (the question a
student answers), so it is fitted on whole documents. Until this was fixed, the rows to
score were cut out of their documents first: a student's line was scored as if it opened
the lesson. This measures both ways with the same fitted model (TalkMoves, the 36 lessons of
the quality benchmark, the few-shot splits of seeds 0-2: a third of the lessons train),
κ of the student moves on the students' lines:

- rows alone (the old way): the table of the students' lines only is scored;
- in their documents (qualcode now): whole lessons are scored, the students' lines kept.

It prints the scoring time of each too (the teacher's lines are scored and dropped).

    python benchmarks/bench_context.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "quality"))

from corpora import CORPORA  # noqa: E402
from metrics import mean_kappa  # noqa: E402
from run import encoder, split  # noqa: E402

from qualcode import columns as C  # noqa: E402
from qualcode.match.base import in_context, score_wanted  # noqa: E402
from qualcode.match.learned import ClassifierMatcher  # noqa: E402
from qualcode.training import training_set  # noqa: E402

STUDENT_MOVES = ("relating_to_another", "asking_for_information", "making_claim", "providing_evidence")


def main() -> None:
    bench = CORPORA["talkmoves"]()
    enc = encoder()
    segments = bench.segments
    students = ~segments[C.IS_INTERVIEWER].to_numpy(dtype=bool)
    columns = [bench.codes.index(code) for code in STUDENT_MOVES]
    found: dict[str, list[float]] = {"rows alone": [], "in their documents": []}
    seconds: dict[str, list[float]] = {"rows alone": [], "in their documents": []}
    for seed in (0, 1, 2):
        train, test = split(bench, seed)
        matcher = ClassifierMatcher(encoder=enc, cache=None)
        matcher.fit(bench.codebook, training_set(bench.human(train), bench.codebook, segments))
        wanted = np.zeros(len(segments), dtype=bool)
        wanted[test] = True
        wanted &= students
        rows = np.flatnonzero(wanted)
        floor = np.array([matcher.thresholds_.get(code, 0.5) for code in bench.codes])
        truth = bench.labels[rows][:, columns]
        start = time.perf_counter()
        alone = matcher.score(segments[wanted].reset_index(drop=True)).values
        seconds["rows alone"].append(time.perf_counter() - start)
        start = time.perf_counter()
        around, _ = score_wanted(matcher, in_context(matcher, segments, wanted))
        seconds["in their documents"].append(time.perf_counter() - start)
        for name, values in (("rows alone", alone), ("in their documents", around.values)):
            found[name].append(mean_kappa(truth, (values >= floor[None, :])[:, columns]))
        print(f"seed {seed}: " + ", ".join(f"{k} {v[-1]:.3f}" for k, v in found.items()), flush=True)
    print(f"\n{len(rows)} students' lines scored per split (last), student moves {', '.join(STUDENT_MOVES)}")
    for name, values in found.items():
        print(f"{name:20s} mean κ {np.mean(values):.3f}, scoring {np.mean(seconds[name]):.1f} s")
    gain = np.mean(found["in their documents"]) - np.mean(found["rows alone"])
    print(f"in their documents − rows alone: {gain:+.3f}")


if __name__ == "__main__":
    main()
