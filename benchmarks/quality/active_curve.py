"""Learning curve of active choice against random choice, on the three real corpora.

For each corpus and seed, documents are split as in run.py but the other way round: two
thirds are the pool a researcher codes from (the games corpus has only ~265 pool sentences
that way), one third is scored. *Random* codes pool segments in a random order;
*active* codes the batches ``qc.next_to_code`` chooses (25 at a time; the first batch, with
no codes yet, at random; later batches half likely examples of the codes with fewest, half at
random). After 50, 100 and 200 coded segments, the learned matcher (``qc.suggest(...,
training=...)`` on the whole corpus, every coded segment an example, its own per-code
thresholds) is scored by mean Cohen's kappa on the other third. The table's third row per
corpus is active minus random on the same splits, its mean and standard error over seeds.
A second table: how often the segments ``next_to_code`` chose as likely examples of a code
(``chosen`` "useful", batches after the first) were coded with that code by the humans,
against a random pool segment's chance of carrying it.

    python benchmarks/quality/active_curve.py [--corpus games] [--seeds 8] [--no-write]

``python benchmarks/quality/run.py`` runs it too, after the quality table.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpora import CORPORA, Bench, seeded_arguments  # noqa: E402
from metrics import mean_kappa  # noqa: E402
from run import encoder, score_matrix, split, write_readme  # noqa: E402

import qualcode as qc  # noqa: E402
from qualcode import columns as C  # noqa: E402

POINTS = (50, 100, 200)
SEEDS = 8  # the table in benchmarks/README.md; 3 is the least the comparison needs
BATCH = 25


def training(bench: Bench, rows: list[int]):
    codings = bench.codings(np.asarray(rows, dtype=int))
    codings.attrs["labelled_segments"] = [
        (str(bench.segments[C.DOC_ID].iloc[i]), int(bench.segments[C.SEGMENT_ID].iloc[i])) for i in rows
    ]
    return codings


def kappa_after(bench: Bench, rows: list[int], test: np.ndarray, enc) -> float:
    coded = qc.suggest(
        bench.segments,  # the whole corpus, as a researcher tags it: neighbours stay in place
        bench.codebook,
        training=training(bench, rows),
        include_interviewer=True,
        encoder=enc,
        min_score=0.0,
    )
    made = coded.attrs["qualcode"]
    scores = score_matrix(coded[coded[C.METHOD] != "human"], bench, test)
    floor = np.array([made["code_thresholds"].get(c, 0.4) for c in bench.codes])
    return mean_kappa(bench.labels[test], scores >= floor[None, :])


def curve(bench: Bench, seed: int, enc) -> dict[str, list[float]]:
    test, pool = split(bench, seed)
    rng = np.random.default_rng(seed)
    randomly = [int(i) for i in rng.permutation(pool)[: max(POINTS)]]
    out = {"random": [kappa_after(bench, randomly[:k], test, enc) for k in POINTS]}
    chosen: list[int] = []
    index = {
        key: i
        for i, key in enumerate(zip(bench.segments[C.DOC_ID].astype(str), bench.segments[C.SEGMENT_ID], strict=True))
    }
    active = []
    pool_segments = bench.segments.iloc[pool].reset_index(drop=True)
    hits, chances = [], []
    while len(chosen) < max(POINTS):
        sheet = qc.next_to_code(
            pool_segments,
            bench.codebook,
            training=training(bench, chosen) if chosen else None,
            n=BATCH,
            include_interviewer=True,
            encoder=enc,
        )
        rows = [index[(str(d), int(s))] for d, s in zip(sheet[C.DOC_ID], sheet[C.SEGMENT_ID], strict=True)]
        left = np.setdiff1d(pool, chosen)
        for row, why, code in zip(rows, sheet["chosen"], sheet["useful_for"], strict=True):
            if why == "useful":  # did the human code it with the code it was chosen for?
                j = bench.codes.index(code)
                hits.append(bool(bench.labels[row, j]))
                chances.append(float(bench.labels[left, j].mean()))  # a random pick's chance
        chosen += rows
        if len(chosen) in POINTS:
            active.append(kappa_after(bench, chosen, test, enc))
    out["active"] = active
    out["hit"] = [float(np.mean(hits)), float(np.mean(chances))]
    print(f"  seed {seed}: " + "; ".join(f"{k} {[round(x, 3) for x in v]}" for k, v in out.items()), flush=True)
    return out


def curves(names: list[str], seeds: int, enc) -> str:
    """The two tables (κ per choice, and how often useful picks found their code) of ``names``."""
    lines = [
        "| corpus | choice | " + " | ".join(f"κ at {k}" for k in POINTS) + " |",
        "|---|---|" + "---:|" * len(POINTS),
    ]
    found = [
        "| corpus | useful picks coded with the code they were chosen for | a random pick's chance | ratio |",
        "|---|---:|---:|---:|",
    ]
    for name in names:
        bench = CORPORA[name]() if name != "talkmoves" else CORPORA[name](lessons=18)
        start = time.perf_counter()
        runs = [curve(bench, seed, enc) for seed in range(seeds)]
        for choice in ("random", "active"):
            means = np.mean([r[choice] for r in runs], axis=0)
            lines.append(f"| {name} | {choice} | " + " | ".join(f"{m:.3f}" for m in means) + " |")
        # the same splits for both choices: the difference per seed, its mean and standard error
        gaps = np.array([np.subtract(r["active"], r["random"]) for r in runs])
        spread = gaps.std(axis=0, ddof=1) / np.sqrt(len(runs)) if len(runs) > 1 else np.zeros(len(POINTS))
        lines.append(
            f"| {name} | active − random (± s.e.) | "
            + " | ".join(f"{m:+.3f} ± {e:.3f}" for m, e in zip(gaps.mean(axis=0), spread, strict=True))
            + " |"
        )
        hit = np.mean([r["hit"] for r in runs], axis=0)
        found.append(f"| {name} | {hit[0]:.1%} | {hit[1]:.1%} | {hit[0] / max(hit[1], 1e-9):.1f}x |")
        print(f"{name}: {bench.about}; {time.perf_counter() - start:.0f} s", flush=True)
    return "\n".join(lines) + "\n\n" + "\n".join(found)


def write(text: str, seeds: int, command: str = "python benchmarks/quality/active_curve.py") -> None:
    write_readme(f"Command: `{command}` ({seeds} seeds)\n\n{text}", "ACTIVE")


def main() -> None:
    args = seeded_arguments(__doc__, SEEDS)
    text = curves(args.corpus, args.seeds, encoder())
    print(text)
    if not args.no_write:
        write(text, args.seeds)


if __name__ == "__main__":
    main()
