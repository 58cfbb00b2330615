"""The three real human-coded corpora of the quality benchmark, as segments, codebook and labels.

- talkmoves: K-12 mathematics lessons (../shared/data/talkmoves), one segment per sentence,
  10 talk moves (teacher and student) from the TalkMoves Coding Manual;
- games: open-ended survey answers on games as art (../shared/data/games-as-art), one segment
  per sentence, 31 codes with one-sentence definitions;
- serdif: a Taguette project of 17 think-aloud usability sessions (tests/fixtures/taguette, the
  same file as ../shared/data/taguette-serdif), paragraphs, 22 tags with descriptions.

Every codebook here is *zero-shot*: each code's published name and definition only, no
keywords, no examples (nothing was written by looking at the labels).
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

import qualcode as qc
from qualcode import columns as C
from qualcode.codebook import parse_codebook
from qualcode.document import Document, Turn
from qualcode.refi.codes import slug

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT / "benchmarks"))


@dataclass
class Bench:
    """Segments (``doc_id`` is the unit of the train/test split), the zero-shot codebook, and
    ``labels[i, j]``: a human applied ``codes[j]`` to segment ``i``."""

    name: str
    segments: pd.DataFrame
    codebook: qc.Codebook
    codes: list[str]
    labels: np.ndarray
    about: str
    spans: pd.DataFrame | None = None  # the human codes as the passages they were applied to, when known

    def human(self, rows: np.ndarray) -> pd.DataFrame:
        """The human codes of the documents of segment ``rows`` (whole documents) as a
        researcher holds them: the coded passages when the corpus has them, else segments."""
        if self.spans is None:
            return self.codings(rows)
        docs = set(self.segments[C.DOC_ID].iloc[rows].astype(str))
        return self.spans[self.spans[C.DOC_ID].astype(str).isin(docs)].reset_index(drop=True)

    def codings(self, rows: np.ndarray) -> pd.DataFrame:
        """The human labels of segment ``rows`` as a segment-form codings table."""
        out = []
        for i in rows:
            for j in np.flatnonzero(self.labels[i]):
                out.append(
                    {
                        C.DOC_ID: self.segments[C.DOC_ID].iloc[i],
                        C.SEGMENT_ID: int(self.segments[C.SEGMENT_ID].iloc[i]),
                        C.CODE: self.codes[j],
                        "coder": "human",
                    }
                )
        return pd.DataFrame(out, columns=[C.DOC_ID, C.SEGMENT_ID, C.CODE, "coder"])


def _labels(segments: pd.DataFrame, codings: pd.DataFrame, codes: list[str]) -> np.ndarray:
    mapped = qc.map_to_segments(codings, segments)
    position = {key: i for i, key in enumerate(zip(segments[C.DOC_ID], segments[C.SEGMENT_ID], strict=True))}
    labels = np.zeros((len(segments), len(codes)), dtype=bool)
    for doc_id, segment_id, code in mapped[[C.DOC_ID, C.SEGMENT_ID, C.CODE]].itertuples(index=False):
        if (doc_id, segment_id) in position and code in codes:
            labels[position[(doc_id, segment_id)], codes.index(code)] = True
    return labels


def _flat(name: str, codes: list[tuple[str, str, str]]) -> qc.Codebook:
    return parse_codebook(
        {"name": name, "codes": [{"id": i, "label": label, "description": text} for i, label, text in codes]}
    )


def talkmoves(lessons: int = 36) -> Bench:
    from _data import talkmoves_sentences
    from bench_talkmoves import CODES, corpus_segments

    frame = talkmoves_sentences()
    names = sorted(frame["lesson"].unique())
    order = np.random.default_rng(0).permutation(len(names))
    chosen = {names[i] for i in order[:lessons]}
    segments, labels = corpus_segments(frame[frame["lesson"].isin(chosen)])
    full = qc.load_codebook(ROOT / "benchmarks" / "talkmoves_codebook.yaml")
    codebook = _flat("TalkMoves", [(c, full.get(c).label, full.get(c).description) for c in CODES])
    return Bench(
        "talkmoves", segments, codebook, list(CODES), labels, f"{lessons} lessons, {len(segments)} sentences, 10 codes"
    )


GAMES_SPAN = re.compile(r"\*\*(.+?)\*\*\s*<sup>(.*?)</sup>", re.S)


def games(segment_by: str = "sentence") -> Bench:
    """The survey answers cut into sentences (``segment_by="auto"``: each answer whole, as
    ``qualcode tag survey.csv`` cuts it)."""
    folder = SHARED / "games-as-art"
    table = pd.read_csv(folder / "bopp_test_coded_texts.csv")
    described = pd.read_csv(folder / "bopp_test_code_descriptions.csv")
    ids = {name.strip().lower(): slug(name) for name in described["code"]}
    codebook = _flat(
        "Games as art", [(slug(n), n, d) for n, d in zip(described["code"], described["description"], strict=True)]
    )
    documents, rows = [], []
    for k, coded in enumerate(table["coded_text"]):
        doc_id = f"answer{k + 1:03d}"
        parts: list[str] = []
        pos = 0
        for m in GAMES_SPAN.finditer(coded):
            parts.append(coded[pos : m.start()])
            start = sum(map(len, parts))
            parts.append(m.group(1))
            for name in m.group(2).split(";"):
                code = ids.get(name.strip().lower())
                if code:
                    rows.append(
                        {
                            C.DOC_ID: doc_id,
                            C.START_CHAR: start,
                            C.END_CHAR: start + len(m.group(1)),
                            C.CODE: code,
                            "coder": "human",
                        }
                    )
            pos = m.end()
        parts.append(coded[pos:])
        text = "".join(parts)
        stripped = text.strip()
        begin = text.find(stripped)
        documents.append(Document(doc_id, "games", "csv", text, [Turn(None, begin, begin + len(stripped))]))
    segments = qc.segment_documents(documents, segment_by=segment_by)
    codes = codebook.ids
    labels = _labels(segments, pd.DataFrame(rows), codes)
    whole = segment_by != "sentence"
    return Bench(
        "games-answers" if whole else "games",
        segments,
        codebook,
        codes,
        labels,
        f"{len(documents)} answers, "
        + (
            f"each whole ({segments[C.TEXT].str.len().mean():.0f} characters)"
            if whole
            else f"{len(segments)} sentences"
        )
        + f", {len(codes)} codes",
        pd.DataFrame(rows),
    )


def serdif() -> Bench:
    project = qc.read_taguette(
        ROOT / "tests" / "fixtures" / "taguette" / "SERDIF_P2_ThematicAnalysis.sqlite3", segment_by="paragraph"
    )
    assert project.codebook is not None
    codebook = _flat(
        "SERDIF",
        [(c, project.codebook.get(c).label, project.codebook.get(c).description) for c in project.codebook.ids],
    )
    segments = project.corpus.segments.reset_index(drop=True)
    codes = codebook.ids
    labels = _labels(segments, project.codings, codes)
    spans = project.codings[project.codings[C.CODE].isin(codes)]
    return Bench(
        "serdif",
        segments,
        codebook,
        codes,
        labels,
        f"17 sessions, {len(segments)} paragraphs, {len(codes)} codes",
        spans[[C.DOC_ID, C.START_CHAR, C.END_CHAR, C.CODE, "coder"]].reset_index(drop=True),
    )


def serdif_turns() -> Bench:
    """SERDIF cut as an interview transcript is: the participant's talk between two of the
    moderator's interjections is a turn (the participant named, as interview transcripts name
    them), turns longer than 1,500 characters cut at sentence ends (``segment_by auto``)."""
    from dataclasses import replace

    project = qc.read_taguette(
        ROOT / "tests" / "fixtures" / "taguette" / "SERDIF_P2_ThematicAnalysis.sqlite3", segment_by="paragraph"
    )
    base = serdif()
    documents = [
        replace(doc, turns=[replace(turn, speaker=turn.speaker or "PARTICIPANT") for turn in doc.turns])
        for doc in project.corpus.documents
    ]
    segments = qc.segment_documents(documents, segment_by="auto").reset_index(drop=True)
    labels = _labels(segments, project.codings, base.codes)
    return Bench(
        "serdif-turns",
        segments,
        base.codebook,
        base.codes,
        labels,
        f"17 sessions, {len(segments)} turns (mean {segments[C.TEXT].str.len().mean():.0f} characters), "
        f"{len(base.codes)} codes",
        base.spans,
    )


def games_answers() -> Bench:
    return games(segment_by="auto")


CORPORA = {
    "talkmoves": talkmoves,
    "games": games,
    "serdif": serdif,
    "games-answers": games_answers,
    "serdif-turns": serdif_turns,
}
ACTIVE = ("talkmoves", "games", "serdif")  # the active-learning curve's corpora (one cut of SERDIF)


def seeded_arguments(doc: str, seeds: int) -> argparse.Namespace:
    """``--corpus`` (repeat; default :data:`ACTIVE`), ``--seeds`` and ``--no-write``: the
    options of the curves over seeds (``active_curve.py``, ``early_learning.py``)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--corpus", action="append", choices=sorted(CORPORA))
    parser.add_argument("--seeds", type=int, default=seeds)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    args.corpus = args.corpus or list(ACTIVE)
    return args
