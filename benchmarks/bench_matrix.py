"""Co-occurrence at scale: qualcode's sparse products vs a pandas self-merge, same data, same run.

Data (synthetic, seed 0): 1,000,000 segments in 20,000 documents, 100 codes with Zipf-like
popularity, a Poisson number of codes per segment (mean 2), each document in one of 13
districts. qualcode: ``qc.cooccurrence(codings)`` (a units × codes sparse indicator and XᵀX)
and ``qc.cooccurrence(codings, by="district")``. Baseline: the straightforward pandas way,
merging the codings table with itself on the segment and counting code pairs (per district
for the grouped case). Both results are checked to be equal.

Targets: under 2 s for qualcode overall, at least 50x the baseline.
Run: python benchmarks/bench_matrix.py [--segments N]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

import qualcode as qc


def synthetic(n_segments: int, n_codes: int = 100, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    per_segment = rng.poisson(2.0, n_segments)
    segment = np.repeat(np.arange(n_segments), per_segment)
    weights = 1.0 / np.arange(1, n_codes + 1) ** 0.8
    code = rng.choice(n_codes, size=len(segment), p=weights / weights.sum())
    doc = segment // 50
    district = rng.integers(0, 13, doc.max() + 1)[doc]
    frame = pd.DataFrame(
        {
            "doc_id": pd.Categorical([f"doc{d:05d}" for d in range(doc.max() + 1)])[doc],
            "segment_id": segment % 50,
            "code": np.array([f"code{c:03d}" for c in range(n_codes)])[code],
            "district": np.array([f"D{k + 1:02d}" for k in range(13)])[district],
        }
    )
    frame["doc_id"] = frame["doc_id"].astype(str)
    return frame.drop_duplicates(["doc_id", "segment_id", "code"]).reset_index(drop=True)


def baseline(codings: pd.DataFrame, by: str | None = None) -> pd.Series:
    keys = ["doc_id", "segment_id"] + ([by] if by else [])
    pairs = codings[[*keys, "code"]].merge(codings[[*keys, "code"]], on=keys)
    return pairs.groupby(([by] if by else []) + ["code_x", "code_y"]).size()


def timed(function, *args, **kwargs):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--segments", type=int, default=1_000_000)
    args = parser.parse_args()
    codings, seconds = timed(synthetic, args.segments)
    print(
        f"{args.segments:,} segments, {len(codings):,} codings, {codings['code'].nunique()} codes, "
        f"13 districts (generated in {seconds:.1f} s)\n"
    )

    ours, t_ours = timed(qc.cooccurrence, codings)
    base, t_base = timed(baseline, codings)
    check = base.unstack(fill_value=0).reindex(index=ours.index, columns=ours.columns, fill_value=0)
    assert (check.to_numpy() == ours.to_numpy()).all(), "results differ"
    print(f"overall       qualcode {t_ours:6.2f} s   pandas self-merge {t_base:6.2f} s   ratio {t_base / t_ours:6.1f}x")

    ours_g, t_ours_g = timed(qc.cooccurrence, codings, by="district")
    base_g, t_base_g = timed(baseline, codings, "district")
    first = base_g.loc["D01"].unstack(fill_value=0).reindex(index=ours.index, columns=ours.columns, fill_value=0)
    assert (first.to_numpy() == ours_g.loc["D01"].to_numpy()).all(), "grouped results differ"
    print(
        f"by district   qualcode {t_ours_g:6.2f} s   pandas self-merge {t_base_g:6.2f} s   "
        f"ratio {t_base_g / t_ours_g:6.1f}x"
    )
    from qualcode.analysis.cooccurrence import counts
    from qualcode.analysis.units import indicator

    ind, t_build = timed(indicator, codings)
    _, t_product = timed(counts, ind.matrix)
    print(
        f"\nwhere qualcode's overall time goes: building the indicator {t_build:.2f} s "
        f"(hashing {len(codings):,} string ids and codes), the product XᵀX {t_product:.2f} s"
    )
    print(
        f"  with the indicator built once (several measures or groupings of one table): ratio {t_base / t_product:.1f}x"
    )
    print("\ntargets: qualcode overall < 2 s; ratio >= 50x")


if __name__ == "__main__":
    main()
