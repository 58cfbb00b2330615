"""Learning from human codes: per-code models stacked under one model shared by every code.

Training data
-------------
A :class:`~qualcode.match.base.Training` set: human codings (span or segment form, see
:mod:`qualcode.codings`) mapped onto the segments with the overlap rule. Every segment of a
document that holds at least one human coding is a training example: positive for the codes
mapped onto it, negative for the others (from a ``qualcode next`` sheet, exactly its rows).
All learning happens in ``fit``; ``score`` only predicts.

Model (features: :mod:`qualcode.match.learned_features`)
--------------------------------------------------------
1. **Per-code models.** For every code with at least ``min_few`` (2) positive and negative
   examples, four class-balanced logistic regressions (scikit-learn), one per view of a
   segment: ``context`` (its vector and its neighbours'), ``words`` (TF-IDF of the training
   vocabulary), ``sentence`` (its vector alone) and ``passage`` (its sentences, learned from
   the sentences the human codes cover, the segment rated by its best sentence: in long
   interview turns the words that were coded, not the whole turn). Their *out-of-fold* decisions on the
   training segments (cross-validation over documents: a document never scores itself) feed
   level 2; new segments get the mean decision of the cross-validation models, kept as one
   linear model with their mean coefficients (:class:`~qualcode.match.learned_features.MeanLinear`;
   a model fitted on every example only when there is no fold to leave out).
2. **The shared model.** One gradient-boosted tree model (``HistGradientBoostingClassifier``)
   over every (segment, code) pair: the per-code decisions (of the segment, its neighbours and
   its document), similarity to the code's definition and prototypes, the hybrid score on its
   background calibration (:meth:`~qualcode.match.hybrid.HybridMatcher.background_scores`) and
   the zero-shot hybrid score itself (constrained to raise the probability, never to lower
   it), the code's frequency and number of examples. Because it is shared, it learns from all codes at
   once how far to trust each signal. Its trees have one leaf per 45 coded pairs, 4 to 15
   (:func:`leaves`; SERDIF's turns +0.014 kappa over 15 always, the other corpora no lower).
   A code with fewer than ``min_few`` examples keeps the hybrid matcher's zero-shot score and
   threshold (0.4), as without training (the note names those codes; their rows' method is
   ``hybrid``): the shared model scored them from what the other codes taught it, and after a
   first batch, when most codes have no example yet, hardly ever suggested them (mean kappa
   after 20 random coded segments, games 0.149 -> 0.255, SERDIF 0.019 -> 0.113;
   ``benchmarks/README.md``). Unless the coded segments show that score wrong
   (:func:`~qualcode.match.learned_thresholds.keeps_zero_shot`): then the shared model's.
3. **Scores are probabilities**: the mean of the shared model's cross-validation models'
   log-loss outputs, the same models whose out-of-fold probabilities set the thresholds
   (step 4), on inputs made the same way (mean per-code decisions of models that each left
   a fold of documents out). Against refitting both levels on every example, measured
   on the three corpora (kappa, 3 seeds): TalkMoves +0.002, games +0.017, SERDIF +0.004;
   averaging the shared model alone +0.000/+0.019/+0.002, the per-code models alone
   -0.001/-0.016/-0.004. A segment without a
   content word (a name, a number, a filler) scores 0 for a code, unless the human coders gave
   that code to at least ``min_few`` such segments in training: in classroom talk "Eight." is
   a student's claim, and coders code it.
4. **Thresholds are learned on the training codes only**, from the shared model's out-of-fold
   probabilities: one threshold for the codes the shared model scores (the one with the best
   mean Cohen's kappa over the codes coded at all); a code with at least ``min_examples``
   (20) positive examples gets the midpoint between that and its own kappa-best threshold.
   ``qc.suggest`` uses them unless ``min_score`` is given.

When no code has ``min_few`` examples nothing can be learned: every code falls back to the
hybrid matcher and the summary says ``[hybrid]``.

Measured on three real human-coded corpora (``benchmarks/quality``, the numbers are in
benchmarks/README.md). Tried and not kept: SetFit-style contrastive fine-tuning of the
encoder (1,500 pairs, one epoch) did not beat the frozen encoder there and cost ~100 s per fit;
nearest-example similarities as shared features helped one corpus and hurt another.

Evidence and notes: :mod:`qualcode.match.learned_evidence`.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd

from .. import columns as C
from ..codebook import Codebook
from ..errors import OptionError
from ..progress import report
from . import learned_evidence as E
from . import learned_features as F
from .base import Matcher, Scores, Training, check_segments, register_matcher
from .hybrid import HybridMatcher
from .learned_thresholds import (
    CHANCE_KAPPA,
    ZERO_SHOT_THRESHOLD,
    keeps_zero_shot,
    own_threshold,
    shared_threshold,
)

MIN_EXAMPLES = 20  # positives a code needs for a threshold of its own
MIN_FEW = 2  # positives (and negatives) a code needs for models of its own
SHARED_MODEL = {"max_iter": 200, "learning_rate": 0.05, "max_leaf_nodes": 15}
POSITIVES_PER_LEAF = 45  # coded pairs per leaf of the shared model's trees (leaves())
MIN_LEAVES = 4


def _logistic() -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(class_weight="balanced", max_iter=3000)


def _shared(width: int, max_leaf_nodes: int) -> Any:
    """The shared model, its trees as large as the training codes can fill (:func:`leaves`)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    settings = {**SHARED_MODEL, "max_leaf_nodes": max_leaf_nodes}
    return HistGradientBoostingClassifier(
        **settings, early_stopping=False, random_state=0, monotonic_cst=F.increasing(width)
    )


def leaves(positives: int) -> int:
    """Leaves per tree of the shared model for ``positives`` coded (segment, code) pairs: one
    per :data:`POSITIVES_PER_LEAF`, from :data:`MIN_LEAVES` to ``SHARED_MODEL``'s 15. Few
    codes fill few leaves: on a hundred coded interview turns the larger trees learn noise."""
    return int(min(SHARED_MODEL["max_leaf_nodes"], max(MIN_LEAVES, positives // POSITIVES_PER_LEAF)))


def _one_thread() -> Any:
    """BLAS and OpenMP limited to one thread per fit: when PyTorch's OpenMP runtime has run
    in the process (spaCy, the ONNX export), its spinning threads and scikit-learn's fight
    over the cores. Measured on one TalkMoves split (2 cores): the shared model's fit 2.0 s
    against 0.23 s; the 90 per-code logistic regressions 27.3 s against 6.4 s. One thread per
    fit also makes the models the same on any number of cores (a multi-threaded BLAS sums in
    an order that depends on them); the per-code fits run side by side instead
    (:data:`FIT_THREADS`)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


def _predict(model: Any, pairs: np.ndarray) -> np.ndarray:
    """One shared model's probabilities with one OpenMP thread, in whichever thread it runs
    (OpenMP's thread count is set per thread). The fold models predict side by side
    (:data:`FIT_THREADS`): on one TalkMoves split (72,360 pairs, 2 cores) 1.3 s against 2.3 s
    one after another; the same probabilities."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="openmp"):
        return model.predict_proba(pairs)[:, 1]


FIT_THREADS = max(1, min(os.cpu_count() or 1, 8))  # per-code fits (and the shared model's predictions) side by side


@register_matcher("classifier")
class ClassifierMatcher(Matcher):
    """Codes learned from human codings (module docs).

    Parameters
    ----------
    min_examples
        Positive training segments a code needs for a threshold of its own.
    min_few
        Positive (and negative) training segments a code needs for models of its own.
    encoder, cache
        As for :class:`~qualcode.match.embedding.EmbeddingMatcher`."""

    learns = True
    reads_context = True  # neighbours and the document mean are features

    def __init__(
        self, *, min_examples: int = MIN_EXAMPLES, min_few: int = MIN_FEW, encoder: Any = None, cache: Any = "default"
    ) -> None:
        self.min_examples = min_examples
        self.min_few = min_few
        self.encoder = encoder
        self.cache = cache

    # -- what the models see --------------------------------------------------------------
    def _base(self, segments: pd.DataFrame) -> dict[str, Any]:
        """Vectors, hybrid scores and the per-code views of ``segments``."""
        from ..nlp import content_word_counts

        hybrid = self.hybrid_.score(segments)
        assert hybrid.vectors is not None and hybrid.raw is not None
        texts = segments[C.TEXT].astype(str).tolist()
        whole = self.hybrid_.embedding_.encode(texts) if texts else np.zeros((0, self.dimension_))
        starts = segments[C.START_CHAR].to_numpy() if C.START_CHAR in segments else np.zeros(len(texts), dtype=int)
        passages = F.Passages(texts, starts)
        views = {
            "context": F.context_view(whole, segments),
            "sentence": whole,
            "passage": self.hybrid_.embedding_.encode(passages.texts) if texts else np.zeros((0, self.dimension_)),
        }
        if hasattr(self, "words_"):
            views["words"] = self.words_.view(whole, texts)
        return {
            "hybrid": hybrid,
            "views": views,
            "whole": whole,
            "passages": passages,
            "best_passage": {},  # code -> per segment, its sentence the passage model rates highest
            "definition": hybrid.vectors @ self.definitions_.T,
            "lengths": np.array([len(t) for t in texts], dtype=float),
            "content": np.asarray(content_word_counts(texts), dtype=float) if texts else np.zeros(0),
        }

    def _pairs(self, base: dict[str, Any], decisions: list[np.ndarray], segments: pd.DataFrame) -> np.ndarray:
        hybrid = base["hybrid"]
        return F.pair_features(
            raw=hybrid.raw,
            definition=base["definition"],
            hybrid=self.hybrid_.background_scores(hybrid),
            zero_shot=hybrid.values,
            reference=self.reference_,
            lengths=base["lengths"],
            decisions=decisions,
            segments=segments,
        )

    # -- fitting --------------------------------------------------------------------------
    def fit(self, codebook: Codebook, training: Training | None = None) -> ClassifierMatcher:
        """Fit the hybrid matcher (features and fallback), the per-code models, the shared
        model and the thresholds, all on ``training``."""
        if training is None:
            raise OptionError("the classifier learns from human codes: pass training (e.g. --train CODED.csv)")
        check_segments(training.segments, (C.DOC_ID, C.SEGMENT_ID, C.TEXT))
        self.hybrid_ = HybridMatcher(encoder=self.encoder, cache=self.cache).fit(codebook)
        codes = codebook.ids
        self.codes_ = codes
        self.dimension_ = self.hybrid_.embedding_.prototype_vectors_.shape[1]
        self.definitions_ = self.hybrid_.embedding_.encode(
            [f"{codebook.get(c).label}. {codebook.get(c).description}".strip() for c in codes]
        )
        segments = training.segments.reset_index(drop=True)
        # the examples' documents: features read neighbours from them (all of a document is
        # an example unless only some of its segments were coded, e.g. from a next sheet)
        context = segments if training.context is None else training.context.reset_index(drop=True)
        at = F.positions(segments, context)
        labels = F.aligned(training, codes)
        self.n_coded_ = len(labels)
        asked = segments[C.IS_INTERVIEWER] if C.IS_INTERVIEWER in segments else pd.Series(False, index=segments.index)
        self.n_interviewer_ = int(asked.astype(bool).sum())  # learned from too: said beside n_coded_
        # of those, the ones the coders gave a code: counted among the run's "learned from" too
        self.n_interviewer_coded_ = int((asked.to_numpy(dtype=bool) & (np.asarray(labels).sum(axis=1) > 0)).sum())
        texts = segments[C.TEXT].astype(str).tolist()
        groups = segments[C.DOC_ID].astype(str).to_numpy()
        context_groups = context[C.DOC_ID].astype(str).to_numpy()
        positives = labels.sum(axis=0)
        negatives = len(labels) - positives
        own = (positives >= self.min_few) & (negatives >= self.min_few)
        self.learned_: dict[str, dict[str, Any]] = {}
        self.definition_only_ = [c for j, c in enumerate(codes) if not own[j]]
        self.zero_shot_: list[str] = []  # of those, the codes that keep the hybrid matcher's scores
        self.fallback_: list[str] = [] if own.any() else list(codes)
        self.thresholds_: dict[str, float] = {}
        self.bare_ok_: list[str] = []
        self.definition_auc_: float | None = None
        self.cv_kappa_: float | None = None  # best mean kappa of the out-of-fold probabilities
        self.leaves_ = leaves(int(positives.sum()))
        if not own.any():
            return self
        self.words_ = F.Words(texts)
        base = self._base(context)
        # how well the codebook alone (zero-shot scores) ranks the human codes
        self.definition_auc_ = F.ranking_auc(base["hybrid"].values[at], labels)
        kept = keeps_zero_shot(base["hybrid"].values[at], labels, own)
        self.zero_shot_ = [c for j, c in enumerate(codes) if kept[j]]
        steps = int(own.sum()) * len(F.VIEWS) + 1
        done = 0
        self.models_: dict[str, dict[str, F.MeanLinear]] = {view: {} for view in F.VIEWS}
        decisions = {view: np.full((len(context), len(codes)), F.MISSING) for view in F.VIEWS}

        passages: F.Passages = base["passages"]
        examples = np.zeros(len(context), dtype=bool)
        examples[at] = True
        unit_rows = np.flatnonzero(examples[passages.owner])
        unit_groups = F.fold_groups(context_groups)[passages.owner]
        placed = F.coded_passages(training.spans, context)

        def learn(task: tuple[int, str]) -> tuple[np.ndarray, F.MeanLinear]:
            j, view = task
            matrix = base["views"][view]
            folds: list[Any] = []
            if view == "passage":
                coded = np.zeros(len(context), dtype=bool)
                coded[at] = labels[:, j]
                y = passages.labels(coded, placed.get(codes[j]))[unit_rows]
                out = passages.pooled(F.out_of_fold(_logistic, matrix, y, unit_groups, unit_rows, folds))
                return out, F.MeanLinear(folds or [_logistic().fit(matrix[unit_rows], y)])
            y = labels[:, j]
            out = F.out_of_fold(_logistic, matrix, y, context_groups, at, folds)
            return out, F.MeanLinear(folds or [_logistic().fit(matrix[at], y)])

        tasks = [(j, view) for j in np.flatnonzero(own).tolist() for view in F.VIEWS]
        report("learning codes", done, steps)
        with _one_thread(), ThreadPoolExecutor(min(FIT_THREADS, len(tasks))) as pool:
            for (j, view), (out_of_fold, model) in zip(tasks, pool.map(learn, tasks), strict=True):
                decisions[view][:, j] = out_of_fold
                self.models_[view][codes[j]] = model
                done += 1
                report("learning codes", done, steps)
        definition, raw = base["definition"][at], base["hybrid"].raw[at]
        self.reference_ = {
            "raw_mean": raw.mean(axis=0),
            "raw_spread": raw.std(axis=0) + 1e-6,
            "definition_mean": definition.mean(axis=0),
            "definition_spread": definition.std(axis=0) + 1e-6,
            "log_prior": np.log((positives + 1) / (len(labels) + 2)),
            "log_examples": np.log1p(positives.astype(float)),
        }
        pairs = self._pairs(base, [decisions[view] for view in F.VIEWS], context)[at]
        probability = self._fit_shared(pairs, labels, groups)
        report("learning codes", steps, steps)
        shared, self.cv_kappa_ = shared_threshold(probability, labels)
        for j, code in enumerate(codes):
            threshold = ZERO_SHOT_THRESHOLD if code in self.zero_shot_ else shared
            if positives[j] >= self.min_examples:
                threshold = (own_threshold(probability[:, j], labels[:, j]) + shared) / 2
            self.thresholds_[code] = round(threshold, 4)
            self.learned_[code] = {
                "positives": int(positives[j]),
                "negatives": int(negatives[j]),
                "threshold": self.thresholds_[code],
                "models": list(F.VIEWS) if own[j] else [],
            }
        bare = base["content"][at] == 0
        self.bare_ok_ = [code for j, code in enumerate(codes) if int(labels[bare, j].sum()) >= self.min_few]
        vectors = base["whole"][at]
        self.examples_ = {
            code: (vectors[labels[:, j]], [texts[i] for i in np.flatnonzero(labels[:, j])])
            for j, code in enumerate(codes)
            if positives[j]
        }
        return self

    def _fit_shared(self, pairs: np.ndarray, labels: np.ndarray, groups: np.ndarray) -> np.ndarray:
        """Fit the shared model on every pair; return its out-of-fold probabilities."""
        from sklearn.model_selection import GroupKFold

        rows, n_codes, width = pairs.shape
        out = np.zeros(labels.shape)
        folds = F.fold_groups(groups)
        n_groups = len(np.unique(folds))
        self.shared_: list[Any] = []
        if not labels.any():
            return out
        with _one_thread():
            splits = (
                GroupKFold(n_splits=min(F.FOLDS, n_groups)).split(np.zeros(rows), groups=folds) if n_groups > 1 else ()
            )
            for fit_rows, held in splits:
                y_fit = labels[fit_rows].ravel()
                if y_fit.any():
                    model = _shared(width, self.leaves_).fit(pairs[fit_rows].reshape(-1, width), y_fit)
                    self.shared_.append(model)
                    out[held] = model.predict_proba(pairs[held].reshape(-1, width))[:, 1].reshape(len(held), n_codes)
            if not self.shared_:  # no fold to leave out: one model on everything
                self.shared_.append(_shared(width, self.leaves_).fit(pairs.reshape(-1, width), labels.ravel()))
        return out

    def describe(self) -> dict[str, object]:
        """Models and settings, for provenance."""
        self.check_fitted()
        info = {
            "min_examples": self.min_examples,
            "min_few": self.min_few,
            "model": (
                f"per code: LogisticRegression(class_weight='balanced') on the {', '.join(F.VIEWS)} views, "
                f"{F.FOLDS}-fold over documents, scores the mean of the fold models; "
                f"shared: HistGradientBoostingClassifier({ {**SHARED_MODEL, 'max_leaf_nodes': self.leaves_} }) "
                "over (segment, code) pairs, "
                "the zero-shot score constrained to raise the probability, the same"
            ),
            "learned": self.learned_,
            "definition_only": [c for c in self.definition_only_ if c not in self.zero_shot_]
            if not self.fallback_
            else [],
            "zero_shot": self.zero_shot_,
            "content_free_allowed": self.bare_ok_,
            "fallback_to_hybrid": self.fallback_,
            "definition_auc": None if self.definition_auc_ is None else round(self.definition_auc_, 4),
            "cv_kappa": None if self.cv_kappa_ is None else round(self.cv_kappa_, 4),
            "coded_segments": self.n_coded_,  # the segments learned from (cv_kappa's)
            "coded_interviewer_turns": self.n_interviewer_,  # of those
            "interviewer_turns_with_codes": self.n_interviewer_coded_,  # of those
        }
        return {**self.hybrid_.describe(), "classifier": info}

    # -- scoring --------------------------------------------------------------------------
    def score(self, segments: pd.DataFrame) -> Scores:
        """Probabilities of every code (hybrid scores when nothing could be learned)."""
        self.check_fitted()
        check_segments(segments)
        segments = segments.reset_index(drop=True)
        if self.fallback_:
            hybrid = self.hybrid_.score(segments)
            return Scores(
                self.codes_,
                hybrid.values,
                dict(hybrid.evidence),
                thresholds={code: ZERO_SHOT_THRESHOLD for code in self.codes_},
                method="hybrid",
                notes=[*hybrid.notes, E.note(self)],
                parts=dict(hybrid.parts),
                raw=hybrid.raw,
                vectors=hybrid.vectors,
            )
        base = self._base(segments)
        hybrid = base["hybrid"]
        n, n_codes = len(segments), len(self.codes_)
        decisions = {view: np.full((n, n_codes), F.MISSING) for view in F.VIEWS}
        values = np.zeros((n, n_codes))
        with _one_thread():
            for view in F.VIEWS:
                matrix = base["views"][view]
                for code, model in self.models_[view].items() if n else ():
                    decided = model.decision_function(matrix)
                    if view == "passage":
                        base["best_passage"][code] = base["passages"].best(decided)
                        decided = base["passages"].pooled(decided)
                    decisions[view][:, self.codes_.index(code)] = decided
            if n and self.shared_:
                pairs = self._pairs(base, [decisions[view] for view in F.VIEWS], segments).reshape(n * n_codes, -1)
                with ThreadPoolExecutor(min(FIT_THREADS, len(self.shared_))) as pool:
                    each = list(pool.map(lambda model: _predict(model, pairs), self.shared_))
                values = np.mean(each, axis=0).reshape(n, n_codes)
        allowed = (base["content"] > 0)[:, None] | np.isin(self.codes_, self.bare_ok_)[None, :]
        zero_shot = np.isin(self.codes_, self.zero_shot_)  # no model of their own: the hybrid's scores
        values = np.round(np.where(zero_shot[None, :], hybrid.values, values * allowed), 6)
        evidence = E.evidence(self, values, decisions, base)
        methods = {key: "hybrid" for key in evidence if zero_shot[key[1]]}
        notes = list(hybrid.notes)
        if self.definition_only_:
            notes.append(E.note(self))
        if self.cv_kappa_ is not None and self.cv_kappa_ < CHANCE_KAPPA:
            notes.append(
                f"cross-validated on the {self.n_coded_} coded segments"
                f"{E.asked(self.n_interviewer_, self.n_interviewer_coded_)}, the learned model agrees with the human "
                f"codes little better than chance (mean kappa {self.cv_kappa_:.3f} at best, cv_kappa in the "
                ".meta.json); its threshold makes suggestions as frequent as the codes, little better than guesses: "
                "code more segments, some at random, before relying on it"
            )
        return Scores(
            self.codes_,
            values,
            evidence,
            thresholds=dict(self.thresholds_),
            method=self.method,
            methods=methods,
            notes=notes,
            parts={**hybrid.parts, "hybrid": hybrid},
            raw=hybrid.raw,
            vectors=hybrid.vectors,
        )
