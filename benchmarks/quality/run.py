"""Quality of suggestions on three real human-coded corpora, against two baselines measured in
the same run. One command runs everything, prints the table and writes it into
benchmarks/README.md (between the QUALITY markers):

    python benchmarks/quality/run.py [--corpus talkmoves --corpus games --corpus serdif] [--no-write]
        [--no-active] [--active-seeds 8]

and then the active-learning curve of ``active_curve.py`` (its own table in the README, 8
seeds, ~40 minutes; ``--no-active`` skips it).

Two more cuts of the same corpora, as ``qualcode tag`` cuts such files by default: long
segments, where logistic regression on a whole segment's embedding is strongest.
``games-answers`` keeps each survey answer whole; ``serdif-turns`` cuts SERDIF as an interview
transcript is cut (the participant's talk between the moderator's interjections, turns over
1,500 characters cut at sentence ends).
Human codes train as the passages they were applied to where the corpus has them (SERDIF's
highlights, the games survey's marked phrases); TalkMoves codes sentences.

Protocols (documents are the unit of every split; seeds 0, 1, 2 for the few-shot split):
- zero-shot: the codebook holds each code's published name and definition only. qualcode's
  hybrid matcher at its default threshold (0.4; nothing tuned on these labels) against
  *cosine to "label. description"* with the single global threshold that maximises macro-F1
  on the test labels themselves (an oracle, generous to the baseline).
- few-shot: the human codes of one third of the documents train; the other two thirds are
  scored. qualcode's learned matcher (``qc.suggest(..., training=...)``) against
  class-balanced logistic regression on frozen all-MiniLM-L6-v2 segment embeddings
  (threshold 0.5), per code with at least one positive training segment.

Metrics on the scored segments: macro-F1 and mean Cohen's kappa over the codes present,
expected calibration error (ECE, 10 bins) of the scores, seconds.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpora import ACTIVE, CORPORA, ROOT, Bench  # noqa: E402
from metrics import ece, macro_f1, mean_kappa, reliability  # noqa: E402

import qualcode as qc  # noqa: E402
from qualcode import columns as C  # noqa: E402
from qualcode.embed.base import DEFAULT_ENCODER, make_encoder  # noqa: E402
from qualcode.embed.cache import CachedEncoder, EmbeddingCache  # noqa: E402

SEEDS = (0, 1, 2)
RELIABILITY = (
    "Reliability: for the (segment, code) pairs whose score falls in each bin, the share that a "
    "human coded so, and (in brackets) how many pairs; a calibrated score's bin 0.7–0.8 holds "
    "about 0.75. Zero-shot: every segment; few-shot: the scored segments of the three seeds together."
)


def encoder(backend: str = DEFAULT_ENCODER) -> CachedEncoder:
    return CachedEncoder(make_encoder(backend), EmbeddingCache(None))


def score_matrix(coded: pd.DataFrame, bench: Bench, rows: np.ndarray) -> np.ndarray:
    """Scores of ``rows`` × codes from a codings table (0 where nothing was suggested)."""
    out = np.zeros((len(bench.segments), len(bench.codes)))
    position = {
        key: i for i, key in enumerate(zip(bench.segments[C.DOC_ID], bench.segments[C.SEGMENT_ID], strict=True))
    }
    index = {code: j for j, code in enumerate(bench.codes)}
    for doc_id, segment_id, code, score in coded[[C.DOC_ID, C.SEGMENT_ID, C.CODE, C.SCORE]].itertuples(index=False):
        if code in index:
            out[position[(doc_id, int(segment_id))], index[code]] = score
    return out[rows]


def split(bench: Bench, seed: int) -> tuple[np.ndarray, np.ndarray]:
    docs = sorted(bench.segments[C.DOC_ID].unique())
    order = np.random.default_rng(seed).permutation(len(docs))
    train_docs = {docs[i] for i in order[: len(docs) // 3]}
    train = bench.segments[C.DOC_ID].isin(train_docs).to_numpy()
    return np.flatnonzero(train), np.flatnonzero(~train)


def vectors(bench: Bench, enc: CachedEncoder) -> np.ndarray:
    return enc.encode(bench.segments[C.TEXT].astype(str).tolist())


def zero_shot(bench: Bench, enc: CachedEncoder) -> dict[str, dict[str, float]]:
    rows = np.arange(len(bench.segments))
    truth = bench.labels
    start = time.perf_counter()
    coded = qc.suggest(
        bench.segments, bench.codebook, method="hybrid", include_interviewer=True, encoder=enc, min_score=0.0
    )
    seconds = time.perf_counter() - start
    scores = score_matrix(coded, bench, rows)
    guess = scores >= 0.4
    ours = {
        "macro_f1": macro_f1(truth, guess),
        "kappa": mean_kappa(truth, guess),
        "ece": ece(truth, scores),
        "seconds": seconds,
        "pairs": (truth, scores),
    }
    start = time.perf_counter()
    texts = [f"{bench.codebook.get(c).label}. {bench.codebook.get(c).description}" for c in bench.codes]
    cos = vectors(bench, enc) @ enc.encode(texts).T
    best = max(
        ((macro_f1(truth, cos >= t), t) for t in np.arange(-0.2, 1.0, 0.01)), key=lambda pair: (pair[0], -pair[1])
    )
    guess = cos >= best[1]
    baseline = {
        "macro_f1": best[0],
        "kappa": mean_kappa(truth, guess),
        "ece": float("nan"),
        "seconds": time.perf_counter() - start,
        "threshold": float(best[1]),
    }
    return {"qualcode hybrid": ours, "oracle-threshold cosine": baseline}


def few_shot(bench: Bench, enc: CachedEncoder, seed: int) -> dict[str, dict[str, float]]:
    train, test = split(bench, seed)
    truth = bench.labels[test]
    start = time.perf_counter()
    coded = qc.suggest(
        bench.segments,
        bench.codebook,
        training=bench.human(train),
        include_interviewer=True,
        encoder=enc,
        min_score=0.0,
    )
    seconds = time.perf_counter() - start
    made = coded.attrs["qualcode"]
    scores = score_matrix(coded[coded[C.METHOD] != "human"], bench, test)
    thresholds = made.get("code_thresholds") or {}
    floor = np.array([thresholds.get(c, made["min_score"] or 0.5) for c in bench.codes])
    if not thresholds:
        floor = np.full(len(bench.codes), 0.5)
    guess = scores >= floor[None, :]
    ours = {
        "macro_f1": macro_f1(truth, guess),
        "kappa": mean_kappa(truth, guess),
        "ece": ece(truth, scores),
        "seconds": seconds,
        "pairs": (truth, scores),
    }
    start = time.perf_counter()
    x = vectors(bench, enc)
    probability = np.zeros((len(test), len(bench.codes)))
    for j in range(len(bench.codes)):
        y = bench.labels[train, j]
        if y.any() and not y.all():
            model = LogisticRegression(class_weight="balanced", max_iter=2000).fit(x[train], y)
            probability[:, j] = model.predict_proba(x[test])[:, 1]
    guess = probability >= 0.5
    baseline = {
        "macro_f1": macro_f1(truth, guess),
        "kappa": mean_kappa(truth, guess),
        "ece": ece(truth, probability),
        "seconds": time.perf_counter() - start,
    }
    return {"qualcode learned": ours, "logistic regression": baseline}


def mean(results: list[dict[str, dict[str, float]]]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for method in results[0]:
        out[method] = {}
        for key in ("macro_f1", "kappa", "ece", "seconds"):
            out[method][key] = float(np.mean([r[method][key] for r in results]))
    return out


def reliability_table(pairs: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]]) -> str:
    """Per corpus and protocol, for each score bin: the share of (segment, code) pairs that
    carry the code, and how many pairs the bin holds. Calibrated scores put 0.7–0.8 near 0.75."""
    lines = [
        "| corpus | scores | " + " | ".join(f"{b / 10:.1f}–{(b + 1) / 10:.1f}" for b in range(10)) + " |",
        "|---|---|" + "---:|" * 10,
    ]
    for (corpus, protocol), (truth, scores) in pairs.items():
        cells = {round(lo * 10): f"{right:.2f} ({n})" for lo, _, n, right in reliability(truth, scores)}
        lines.append(f"| {corpus} | {protocol} | " + " | ".join(cells.get(b, "—") for b in range(10)) + " |")
    return "\n".join(lines)


def table(found: dict[str, dict[str, dict[str, dict[str, float]]]]) -> str:
    lines = [
        "| corpus | protocol | method | macro-F1 | mean κ | ECE | seconds |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    for corpus, protocols in found.items():
        for protocol, methods in protocols.items():
            for method, m in methods.items():
                e = "—" if np.isnan(m["ece"]) else f"{m['ece']:.3f}"
                lines.append(
                    f"| {corpus} | {protocol} | {method} | {m['macro_f1']:.3f} | {m['kappa']:.3f} | {e} | "
                    f"{m['seconds']:.1f} |"
                )
    return "\n".join(lines)


def write_readme(text: str, marker: str = "QUALITY") -> None:
    """Put ``text`` between the ``marker`` comments of benchmarks/README.md (appended the first time)."""
    readme = ROOT / "benchmarks" / "README.md"
    content = readme.read_text(encoding="utf-8")
    block = f"<!-- {marker}:BEGIN -->\n{text}\n<!-- {marker}:END -->"
    if f"<!-- {marker}:BEGIN -->" in content:
        content = re.sub(rf"<!-- {marker}:BEGIN -->.*?<!-- {marker}:END -->", lambda _: block, content, flags=re.S)
    else:
        content += "\n" + block + "\n"
    readme.write_text(content, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", action="append", choices=sorted(CORPORA))
    parser.add_argument("--no-write", action="store_true", help="print only; leave benchmarks/README.md as it is")
    parser.add_argument("--encoder", default=DEFAULT_ENCODER, help="encoder backend: onnx (default) or torch")
    parser.add_argument("--no-active", action="store_true", help="skip the active-learning curve")
    parser.add_argument("--active-seeds", type=int, default=8)
    args = parser.parse_args()
    enc = encoder(args.encoder)
    found: dict[str, dict[str, dict[str, dict[str, float]]]] = {}
    pairs: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}
    about = []
    for name in args.corpus or list(CORPORA):
        bench = CORPORA[name]()
        about.append(f"- {name}: {bench.about}")
        print(f"{name}: {bench.about}", flush=True)
        found[name] = {"zero-shot": zero_shot(bench, enc)}
        pairs[(name, "zero-shot hybrid")] = found[name]["zero-shot"]["qualcode hybrid"]["pairs"]
        runs = [few_shot(bench, enc, seed) for seed in SEEDS]
        found[name]["few-shot (3 seeds)"] = mean(runs)
        # the three seeds' scored segments together (each seed scores a different two thirds)
        truth = np.vstack([r["qualcode learned"]["pairs"][0] for r in runs])
        pairs[(name, "few-shot learned")] = (truth, np.vstack([r["qualcode learned"]["pairs"][1] for r in runs]))
    text = table(found) + "\n\n" + RELIABILITY + "\n\n" + reliability_table(pairs)
    print(text)
    if not args.no_write:
        write_readme(
            f"Command: `python benchmarks/quality/run.py` (encoder {enc.identity})\n\n"
            + "\n".join(about)
            + "\n\n"
            + text
        )
    if not args.no_active:
        from active_curve import curves, write

        names = [name for name in ACTIVE if not args.corpus or name in args.corpus]
        active = curves(names, args.active_seeds, enc)
        print(active)
        if not args.no_write and names == list(ACTIVE):
            write(active, args.active_seeds, "python benchmarks/quality/run.py")


if __name__ == "__main__":
    main()
