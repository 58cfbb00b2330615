"""Why the active choice looks for codes the way it does, on the three real corpora.

    python benchmarks/quality/active_diagnostics.py seek  [--corpus serdif ...]
    python benchmarks/quality/active_diagnostics.py bound [--corpus games ...]

- ``seek``: after a random coded sample of 50 and of 100 pool segments (splits and seeds
  0, 1, 2 as in active_curve.py), the learned matcher is fitted on it and every other pool
  segment scored. For each code with a positive among them, the share of positives among
  its five best segments by the learned probability and by the hybrid matcher's zero-shot
  score, codes grouped by how many examples the sample gave them. (Which score finds a
  code's examples better, by how many it has: ``qualcode.active.SEEK_BY_DEFINITION``.)
  Also two ways that read the examples directly: the highest cosine to one of the code's
  examples (nearest), and the cosine to their mean vector (centroid).
  Also the ranking AUC of the zero-shot scores over random samples' human codes (seeds 0-7,
  25 to 100 coded), the quantity ``definition_trust`` reads.
- ``bound``: how much any choice of rare codes' examples could gain with this learner: a
  choice that knows the labels (the first batch at random, then per batch of 25 a share of
  true examples of the codes with fewest so far, the rest as random choice's order), kappa
  after 50 / 100 / 200 coded segments minus random choice's, 3 seeds. Shares: half the
  batch true examples; all of it; half sought with half of those found.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from active_curve import BATCH, POINTS, kappa_after, training  # noqa: E402
from corpora import ACTIVE, CORPORA, Bench  # noqa: E402
from run import encoder, score_matrix, split, vectors  # noqa: E402

import qualcode as qc  # noqa: E402
from qualcode.match.base import make_matcher  # noqa: E402
from qualcode.training import training_set  # noqa: E402

GROUPS = ("0", "1-2", "3-5", "6+")


def load(name: str) -> Bench:
    return CORPORA[name]() if name != "talkmoves" else CORPORA[name](lessons=18)


def zero_shot(bench: Bench, enc) -> np.ndarray:
    coded = qc.suggest(
        bench.segments, bench.codebook, method="hybrid", include_interviewer=True, encoder=enc, min_score=0.0
    )
    return score_matrix(coded, bench, np.arange(len(bench.segments)))


def group(n: int) -> str:
    return "0" if n == 0 else "1-2" if n <= 2 else "3-5" if n <= 5 else "6+"


WAYS = ("learned", "zero-shot", "nearest", "centroid")


def seek(bench: Bench, enc) -> list[str]:
    zero = zero_shot(bench, enc)
    unit = vectors(bench, enc)
    unit = unit / np.linalg.norm(unit, axis=1, keepdims=True)
    lines = []
    for k in (50, 100):
        found: dict[str, dict[str, list[float]]] = {g: {way: [] for way in WAYS} for g in GROUPS}
        for seed in range(3):
            _test, pool = split(bench, seed)
            rows = [int(i) for i in np.random.default_rng(seed).permutation(pool)[:k]]
            rest = np.setdiff1d(pool, rows)
            matcher = make_matcher("classifier", encoder=enc, cache=None)
            matcher.fit(bench.codebook, training_set(training(bench, rows), bench.codebook, bench.segments, None))
            learned = matcher.score(bench.segments.iloc[rest].reset_index(drop=True)).values
            examples = bench.labels[rows].sum(axis=0)
            truth = bench.labels[rest]
            similar = unit[rest] @ unit[rows].T
            for j in np.flatnonzero(truth.any(axis=0)):
                positive = bench.labels[rows, j]
                nearest = similar[:, positive].max(axis=1) if positive.any() else np.zeros(len(rest))
                centroid = similar[:, positive].mean(axis=1) if positive.any() else np.zeros(len(rest))
                for how, score in zip(WAYS, (learned[:, j], zero[rest, j], nearest, centroid), strict=True):
                    best = np.argsort(-score, kind="stable")[:5]
                    found[group(int(examples[j]))][how].append(float(truth[best, j].mean()))
        cells = [
            " / ".join(f"{np.mean(found[g][way]):.2f}" for way in WAYS) if found[g]["learned"] else "—" for g in GROUPS
        ]
        lines.append(f"| {bench.name}, {k} | " + " | ".join(cells) + " |")
    aucs = []
    for seed in range(8):
        _test, pool = split(bench, seed)
        order = np.random.default_rng(seed).permutation(pool)
        for k in (25, 50, 75, 100):
            y = bench.labels[order[:k]]
            if y.any():
                aucs.append(roc_auc_score(y.ravel(), zero[order[:k]].ravel()))
    lines.append(f"| {bench.name}, AUC of zero-shot scores | {min(aucs):.2f} to {max(aucs):.2f} | | | |")
    return lines


def bound(bench: Bench, enc) -> list[str]:
    shares = {"half true examples": (0.5, 1.0), "all true examples": (1.0, 1.0), "half sought, half found": (0.5, 0.5)}
    gaps: dict[str, list[np.ndarray]] = {name: [] for name in shares}
    for seed in range(3):
        test, pool = split(bench, seed)
        rng = np.random.default_rng(seed)
        randomly = [int(i) for i in rng.permutation(pool)[: max(POINTS)]]
        random_kappa = [kappa_after(bench, randomly[:k], test, enc) for k in POINTS]
        rest = randomly[BATCH:] + [int(i) for i in rng.permutation(pool) if i not in set(randomly)]
        examples = {j: [int(i) for i in rng.permutation(pool) if bench.labels[i, j]] for j in range(len(bench.codes))}
        for name, (share, found) in shares.items():
            luck = np.random.default_rng(100 + seed)
            chosen, kappas = list(randomly[:BATCH]), []
            while len(chosen) < max(POINTS):
                have, picks = set(chosen), []
                counts = bench.labels[chosen].sum(axis=0)
                for _ in range(round(BATCH * share)):
                    if luck.random() >= found:
                        continue
                    for j in np.argsort(counts + 0.001 * np.arange(len(counts)), kind="stable"):
                        left = [i for i in examples[int(j)] if i not in have and i not in picks]
                        if left:
                            picks.append(left[0])
                            counts = counts + bench.labels[left[0]]
                            break
                picks += [i for i in rest if i not in have and i not in picks][: BATCH - len(picks)]
                chosen += picks
                if len(chosen) in POINTS:
                    kappas.append(kappa_after(bench, chosen, test, enc))
            gaps[name].append(np.subtract(kappas, random_kappa))
            print(f"  {bench.name} seed {seed} {name}: {np.round(gaps[name][-1], 3).tolist()}", flush=True)
    return [
        f"| {bench.name} | {name} | " + " | ".join(f"{m:+.3f}" for m in np.mean(gaps[name], axis=0)) + " |"
        for name in shares
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("seek", "bound"))
    parser.add_argument("--corpus", action="append", choices=sorted(CORPORA))
    args = parser.parse_args()
    enc = encoder()
    if args.what == "seek":
        lines = [
            "| corpus, coded | 0 examples: " + " / ".join(WAYS) + " | 1–2 | 3–5 | 6+ |",
            "|---|---:|---:|---:|---:|",
        ]
    else:
        lines = ["| corpus | choice that knows the labels | " + " | ".join(f"κ at {k}" for k in POINTS) + " |"]
        lines.append("|---|---|" + "---:|" * len(POINTS))
    for name in args.corpus or ACTIVE:
        lines += (seek if args.what == "seek" else bound)(load(name), enc)
        print("\n".join(lines), flush=True)


if __name__ == "__main__":
    main()
