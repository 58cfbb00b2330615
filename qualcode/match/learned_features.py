"""What the learned matcher (:mod:`qualcode.match.learned`) sees of a segment.

Two levels, each a pure function of a segment, its own document and the fitted state (never
of the other documents in a run):

- **Per-code models** read one of four views of a segment (:data:`VIEWS`):

  ``context``
      the segment's vector (its whole text encoded once), the previous and next segments'
      vectors in the same document (half weight) and four flags: interviewer turn, previous
      turn by the interviewer, speaker changed, first segment of its document;
  ``words``
      the segment's vector and TF-IDF weights of the words and word pairs of the training
      texts (scikit-learn's ``TfidfVectorizer``, vocabulary fitted on the training texts);
  ``sentence``
      the segment's vector alone;
  ``passage``
      each of the segment's sentences (:class:`Passages`), learned from the sentences the
      human codes cover; the segment's decision is its best sentence's.

- **The shared model** scores every (segment, code) pair from :func:`pair_features`: how
  similar the segment is to the code's definition and prototypes (raw, relative to the other
  codes, and standardised against the training segments), the hybrid score on its background
  calibration, the zero-shot (hybrid) score itself, which the model may only read as
  raising the probability (:data:`ZERO_SHOT_COLUMN`, a monotonic constraint), the code's share
  of the training segments and its number of examples, the segment's length, and each per-code
  model's decision for the segment, for the previous and next segments and on average over the
  rest of its document (codes run across neighbouring segments and cluster in documents).

And the training set's rows and labels as the learner reads them (:func:`positions`,
:func:`aligned`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .. import columns as C
from ..errors import OptionError

if TYPE_CHECKING:
    from .base import Training

VIEWS = ("context", "words", "sentence", "passage")
ZERO_SHOT_COLUMN = 11  # the zero-shot score's column in pair_features: it may only raise the probability
MISSING = -5.0  # the decision value of a code without a model of its own (or of a missing neighbour)
FOLDS = 5


def neighbours(segments: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Row of the previous and of the next segment of the same document (-1 where none): the
    segments of the document numbered one less and one more, wherever they are in the table
    (a sorted or shuffled table gives every segment the same neighbours)."""
    n = len(segments)
    doc = segments[C.DOC_ID].astype(str).to_numpy()
    sid = segments[C.SEGMENT_ID].to_numpy(dtype=np.int64) if C.SEGMENT_ID in segments else np.arange(n)
    index = pd.MultiIndex.from_arrays([doc, sid])
    if not index.is_unique:  # the same segment twice: neighbours by place in the table, as they come
        follows = np.zeros(n, dtype=bool)
        follows[1:] = (doc[1:] == doc[:-1]) & (sid[1:] == sid[:-1] + 1)
        following = np.full(n, -1)
        following[:-1][follows[1:]] = np.arange(1, n)[follows[1:]]
        return np.where(follows, np.arange(n) - 1, -1), following
    previous = index.get_indexer(pd.MultiIndex.from_arrays([doc, sid - 1]))
    following = index.get_indexer(pd.MultiIndex.from_arrays([doc, sid + 1]))
    return previous.astype(np.int64), following.astype(np.int64)


def _take(values: np.ndarray, rows: np.ndarray, fill: float) -> np.ndarray:
    out = np.full((len(rows), *values.shape[1:]), fill, dtype=float)
    have = rows >= 0
    out[have] = values[rows[have]]
    return out


def flags(segments: pd.DataFrame, previous: np.ndarray) -> np.ndarray:
    """Interviewer turn, previous turn by the interviewer, speaker changed, first of document."""
    n = len(segments)
    interviewer = segments[C.IS_INTERVIEWER].to_numpy(dtype=float) if C.IS_INTERVIEWER in segments else np.zeros(n)
    speaker = segments[C.SPEAKER].astype(str).to_numpy() if C.SPEAKER in segments else np.array([""] * n)
    have = previous >= 0
    before = _take(interviewer[:, None], previous, 0.0)[:, 0]
    changed = np.ones(n)
    changed[have] = (speaker[have] != speaker[previous[have]]).astype(float)
    return np.column_stack([interviewer, before, changed, (~have).astype(float)])


def context_view(vectors: np.ndarray, segments: pd.DataFrame) -> np.ndarray:
    """The ``context`` view (module docs)."""
    previous, following = neighbours(segments)
    return np.hstack(
        [
            vectors,
            0.5 * _take(vectors, previous, 0.0),
            0.5 * _take(vectors, following, 0.0),
            flags(segments, previous),
        ]
    )


class Words:
    """TF-IDF of words and word pairs, vocabulary from the training texts (at most
    ``max_features`` terms seen in at least two texts)."""

    def __init__(self, texts: list[str], max_features: int = 20_000) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vectorizer: Any = TfidfVectorizer(
            ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=max_features, dtype=np.float32
        )
        try:
            self.vectorizer.fit(texts)
            self.size = len(self.vectorizer.vocabulary_)
        except ValueError:  # no term in two texts: the view is the vector alone
            self.size = 0

    def view(self, vectors: np.ndarray, texts: list[str]) -> Any:
        from scipy import sparse

        if not self.size:
            return vectors
        return sparse.hstack([sparse.csr_matrix(vectors), self.vectorizer.transform(texts)]).tocsr()


def document_mean(values: np.ndarray, segments: pd.DataFrame) -> np.ndarray:
    """Per row: the mean of ``values`` over the *other* rows of its document (MISSING alone)."""
    doc = segments[C.DOC_ID].astype(str).to_numpy()
    codes, inverse = np.unique(doc, return_inverse=True)
    sums = np.zeros((len(codes), *values.shape[1:]))
    np.add.at(sums, inverse, values)
    counts = np.bincount(inverse, minlength=len(codes)).astype(float)
    others = (counts[inverse] - 1)[:, None]
    return np.where(others > 0, (sums[inverse] - values) / np.maximum(others, 1), MISSING)


def decision_features(decisions: np.ndarray, segments: pd.DataFrame) -> list[np.ndarray]:
    """A per-code model's decisions for the segment, its neighbours and its document."""
    previous, following = neighbours(segments)
    return [
        decisions,
        _take(decisions, previous, MISSING),
        _take(decisions, following, MISSING),
        document_mean(decisions, segments),
    ]


def pair_features(
    *,
    raw: np.ndarray,
    definition: np.ndarray,
    hybrid: np.ndarray,
    reference: dict[str, np.ndarray],
    lengths: np.ndarray,
    decisions: list[np.ndarray],
    segments: pd.DataFrame,
    zero_shot: np.ndarray,
) -> np.ndarray:
    """Rows × codes × features for the shared model (module docs). ``raw``: best cosine to the
    code's prototypes; ``definition``: cosine to "label. description"; ``hybrid``: the hybrid
    rule on the background calibration; ``zero_shot``: the hybrid matcher's score;
    ``reference``: the training segments' means and spreads of both cosines, the codes' prior
    and example counts."""
    _rows, n_codes = raw.shape
    rank = np.argsort(np.argsort(-definition, axis=1, kind="stable"), axis=1, kind="stable") / max(n_codes, 1)
    columns = [
        raw,
        definition,
        raw - raw.mean(axis=1, keepdims=True),
        definition - definition.mean(axis=1, keepdims=True),
        (raw - reference["raw_mean"]) / reference["raw_spread"],
        (definition - reference["definition_mean"]) / reference["definition_spread"],
        rank,
        hybrid,
        np.broadcast_to(reference["log_prior"], raw.shape),
        np.broadcast_to(reference["log_examples"], raw.shape),
        np.broadcast_to(np.log1p(lengths)[:, None], raw.shape),
    ]
    assert len(columns) == ZERO_SHOT_COLUMN
    columns.append(zero_shot)
    for values in decisions:
        columns += decision_features(values, segments)
    return np.stack(columns, axis=-1).astype(np.float64, copy=False)


class MeanLinear:
    """Several fitted linear models (scikit-learn's ``coef_`` and ``intercept_``, one class)
    as one: the mean of their decision values is the decision value of their mean
    coefficients and intercept. The learned matcher keeps the five cross-validation models of
    each code and view this way: the same scores (to float rounding) for a fifth of the
    memory and of the scoring work (``benchmarks/bench_learned.py``)."""

    def __init__(self, models: list[Any]) -> None:
        self.coef = np.mean([np.asarray(model.coef_, dtype=np.float64)[0] for model in models], axis=0)
        self.intercept = float(np.mean([float(model.intercept_[0]) for model in models]))
        self.folds = len(models)

    def decision_function(self, matrix: Any) -> np.ndarray:
        return np.asarray(matrix @ self.coef, dtype=np.float64).ravel() + self.intercept


def increasing(width: int) -> list[int]:
    """The shared model's monotonic constraints over ``width`` pair features: the zero-shot
    score may only raise the probability (measured, 6 splits, mean κ: the whole survey answers
    +0.043 with it, +0.045 unconstrained; the games survey's sentences −0.002, −0.013
    unconstrained; SERDIF, its turns and TalkMoves within ±0.003)."""
    constraints = [0] * width
    constraints[ZERO_SHOT_COLUMN] = 1
    return constraints


def fold_groups(groups: np.ndarray) -> np.ndarray:
    """Documents as folds; with one document, its segments in turn."""
    if len(np.unique(groups)) < 2:
        return np.arange(len(groups)) % FOLDS
    return groups


def out_of_fold(
    make: Any,
    matrix: Any,
    y: np.ndarray,
    groups: np.ndarray,
    rows: np.ndarray | None = None,
    models: list[Any] | None = None,
) -> np.ndarray:
    """Decision values of each row of ``matrix`` from a model fitted without its document.

    The models fit on ``rows`` (default: every row) labelled ``y``; the other rows (segments
    of the same documents nobody coded) only get decisions."""
    from sklearn.model_selection import GroupKFold

    rows = np.arange(matrix.shape[0]) if rows is None else rows
    examples = np.zeros(matrix.shape[0], dtype=bool)
    examples[rows] = True
    truth = np.zeros(matrix.shape[0], dtype=bool)
    truth[rows] = y
    groups = fold_groups(groups)
    out = np.full(matrix.shape[0], MISSING)
    n_groups = len(np.unique(groups))
    if n_groups < 2:
        return out
    for fit_rows, held in GroupKFold(n_splits=min(FOLDS, n_groups)).split(np.zeros(len(groups)), groups=groups):
        fit_rows = fit_rows[examples[fit_rows]]
        if truth[fit_rows].any() and not truth[fit_rows].all():
            model = make().fit(matrix[fit_rows], truth[fit_rows])
            out[held] = model.decision_function(matrix[held])
            if models is not None:
                models.append(model)
    return out


def ranking_auc(scores: np.ndarray, labels: np.ndarray) -> float | None:
    """How well ``scores`` rank the (segment, code) pairs humans coded above the rest: the
    area under the ROC curve over all pairs (0.5: no better than chance); None without both
    a coded and an uncoded pair."""
    from sklearn.metrics import roc_auc_score

    y = np.asarray(labels, dtype=bool).ravel()
    if y.all() or not y.any():
        return None
    return float(roc_auc_score(y, np.asarray(scores, dtype=float).ravel()))


class Passages:
    """The ``passage`` view: a segment's sentences, each scored by a per-code model learned on
    sentences, the segment's decision being its best sentence's. Human codes applied to a
    passage (an NVivo selection, a Taguette highlight) label the sentences they cover, so in a
    long turn the model learns from the words that were coded rather than from the whole turn;
    codes given to whole segments label every sentence of them."""

    def __init__(self, texts: list[str], starts: np.ndarray) -> None:
        from .embedding import segment_units

        units = segment_units(texts, whole=False)  # the sentences the embedding matcher reads
        self.owner = units.owner
        begin = np.asarray(starts, dtype=np.int64)[self.owner] + np.asarray(units.starts, dtype=np.int64)
        lengths = np.fromiter((len(t) for t in units.texts), dtype=np.int64, count=len(units.texts))
        self.bounds = np.column_stack([begin, begin + lengths]).reshape(-1, 2)  # document offsets
        self.texts = units.texts
        self.rows = len(texts)
        self.sizes = np.bincount(self.owner, minlength=self.rows)  # sentences per segment

    def pooled(self, decisions: np.ndarray) -> np.ndarray:
        """Per segment: the highest decision of its sentences (the highest, not a sum: a long
        turn is not more likely coded for having more sentences; a log-sum-exp instead cost
        0.2 kappa on SERDIF cut into whole turns, 2,100 characters on average)."""
        out = np.full(self.rows, -np.inf)
        np.maximum.at(out, self.owner, decisions)
        return np.where(np.isfinite(out), out, MISSING)

    def best(self, decisions: np.ndarray) -> np.ndarray:
        """Per segment: the sentence (index into :attr:`texts`) with the highest decision."""
        order = np.lexsort((-decisions, self.owner))  # by segment, best first
        first = np.ones(len(order), dtype=bool)
        first[1:] = self.owner[order][1:] != self.owner[order][:-1]
        out = np.zeros(self.rows, dtype=np.int64)
        out[self.owner[order][first]] = order[first]
        return out

    def labels(self, segment_labels: np.ndarray, placed: dict[int, list[tuple[int, int]]] | None) -> np.ndarray:
        """Per sentence, coded with a code: it overlaps a passage coded so (``placed``: segment
        row -> the coded passages' document offsets, :func:`coded_passages`), or its segment is
        coded so and no passage says where."""
        y = segment_labels[self.owner].copy()
        if not placed:
            return y
        for u in np.flatnonzero(y).tolist():
            where = placed.get(int(self.owner[u]))
            if where is not None:
                a, b = self.bounds[u]
                y[u] = any(start < b and a < end for start, end in where)
        return y


def coded_passages(spans: Any, segments: pd.DataFrame) -> dict[str, dict[int, list[tuple[int, int]]]]:
    """Human codes applied to passages (``Training.spans``): code -> row of ``segments`` -> the
    passages' document offsets."""
    out: dict[str, dict[int, list[tuple[int, int]]]] = {}
    if spans is None or not len(spans):
        return out
    keys = zip(segments[C.DOC_ID].astype(str), segments[C.SEGMENT_ID].astype(int), strict=True)
    row_of = {key: i for i, key in enumerate(keys)}
    columns = [C.CODE, C.DOC_ID, C.SEGMENT_ID, C.START_CHAR, C.END_CHAR]
    for code, doc_id, segment_id, start, end in spans[columns].itertuples(index=False):
        row = row_of.get((str(doc_id), int(segment_id)))
        if row is not None:
            out.setdefault(str(code), {}).setdefault(row, []).append((int(start), int(end)))
    return out


def positions(segments: pd.DataFrame, context: pd.DataFrame) -> np.ndarray:
    """Row of each of ``segments`` in ``context`` (by document and segment id)."""
    if context is segments:
        return np.arange(len(segments))
    index = pd.MultiIndex.from_frame(context[[C.DOC_ID, C.SEGMENT_ID]].astype({C.DOC_ID: str}))
    at = index.get_indexer(pd.MultiIndex.from_frame(segments[[C.DOC_ID, C.SEGMENT_ID]].astype({C.DOC_ID: str})))
    if (at < 0).any():
        raise OptionError(
            "Training.context must hold every training segment (the same doc_id and segment_id): "
            "build the training set with Training.from_codings"
        )
    return at


def aligned(training: Training, codes: list[str]) -> np.ndarray:
    """The training labels with one column per code of ``codes``."""
    labels = np.zeros((len(training.segments), len(codes)), dtype=bool)
    for j, code in enumerate(codes):
        if code in training.codes:
            labels[:, j] = training.labels[:, training.codes.index(code)]
    return labels
