"""The matcher contract, the registry of matchers, and turning scores into codings.

Contract (scikit-learn's estimator habit)
-----------------------------------------
- ``__init__`` stores keyword-only settings and does no work.
- ``fit(codebook, training=None)`` learns *everything*: it reads the codebook (and, for a
  matcher that learns, the human-coded :class:`Training` segments) and stores its state in
  attributes ending in ``_``. It returns ``self``.
- ``score(segments)`` is a pure function of the fitted state and its input: it writes
  nothing to ``self`` and returns a :class:`Scores` holding every component it computed
  (``parts``: the keyword and embedding scores of a hybrid, ``raw`` similarities, segment
  ``vectors``), so a composite matcher reads its parts from returned values, never from
  another object's attributes. A segment's score depends only on that segment, the codebook,
  the model and the training codes, never on the other segments in the call; a matcher
  whose features read a segment's neighbours in its document says so (``reads_context``),
  and is then given whole documents, the rows wanted kept (:func:`in_context`,
  :func:`score_wanted`).
- ``describe()`` reports the fitted state (for ``.meta.json``), never a past call's results.
- ``score`` before ``fit`` raises :class:`~qualcode.errors.NotFittedError`.

Registry
--------
``@register_matcher("name")`` makes a class available as ``method="name"`` in
:func:`qualcode.suggest`, ``qualcode tag --method name`` and :func:`make_matcher`.
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import numpy as np
import pandas as pd

from .. import columns as C
from ..errors import ColumnError, NotFittedError, OptionError

if TYPE_CHECKING:
    from ..codebook import Codebook

SCORE_FORMAT = "%.4f"


@dataclass
class Scores:
    """Scores of every (segment, code): ``values[i, j]`` in [0, 1] for segment row ``i``
    and ``codes[j]``; ``evidence[(i, j)]`` says why. Zero means "not suggested".

    ``parts`` holds the component scores a composite matcher combined (``"keyword"``,
    ``"embedding"``), ``raw`` the uncalibrated similarities and ``vectors`` the segment
    vectors, where the matcher computed them; ``thresholds`` the per-code thresholds a
    learning matcher chose on its training codes.
    """

    codes: list[str]
    values: np.ndarray
    evidence: dict[tuple[int, int], str] = field(default_factory=dict)
    method: str = "keyword"
    methods: dict[tuple[int, int], str] = field(default_factory=dict)
    sources: dict[tuple[int, int], str] = field(default_factory=dict)  # who, where not qualcode (human rows)
    notes: list[str] = field(default_factory=list)
    parts: dict[str, Scores] = field(default_factory=dict)
    raw: np.ndarray | None = None
    vectors: np.ndarray | None = None
    thresholds: dict[str, float] = field(default_factory=dict)  # per code, chosen when fitting

    def with_values(self, values: np.ndarray) -> Scores:
        """A copy holding ``values`` (evidence of entries now zero is dropped)."""
        evidence = {key: text for key, text in self.evidence.items() if values[key] > 0 or key in self.sources}
        return Scores(
            self.codes,
            values,
            evidence,
            method=self.method,
            methods=dict(self.methods),
            sources=dict(self.sources),
            notes=list(self.notes),
            parts=dict(self.parts),
            raw=self.raw,
            vectors=self.vectors,
            thresholds=dict(self.thresholds),
        )

    def take(self, rows: np.ndarray) -> Scores:
        """The scores of segment rows ``rows`` only (in that order), parts and evidence too."""
        rows = np.asarray(rows, dtype=np.int64)
        where = {int(old): new for new, old in enumerate(rows.tolist())}

        def keyed(table: dict[tuple[int, int], str]) -> dict[tuple[int, int], str]:
            return {(where[i], j): text for (i, j), text in table.items() if i in where}

        return Scores(
            self.codes,
            self.values[rows],
            keyed(self.evidence),
            method=self.method,
            methods=keyed(self.methods),
            sources=keyed(self.sources),
            notes=list(self.notes),
            parts={name: part.take(rows) for name, part in self.parts.items()},
            raw=None if self.raw is None else self.raw[rows],
            vectors=None if self.vectors is None else self.vectors[rows],
            thresholds=dict(self.thresholds),
        )


CODERS_JOINED = "\x1f"  # between the names of a Training's coders (the ASCII unit separator)


@dataclass(frozen=True)
class Training:
    """Human-coded segments to learn from: ``segments`` (the segments table of the documents
    a human coded) and ``labels[i, j]``, true when a human applied ``codes[j]`` to row ``i``.

    Build it with :meth:`from_codings`; every segment of a document holding at least one
    human coding is an example, positive for the codes mapped onto it, negative for the rest.

    ``context`` (optional) is the whole segments table of the examples' documents when only
    some of their segments were coded (a ``qualcode next`` sheet): a learner reads the
    examples' neighbours from it, as it will when it scores whole documents.

    ``coders[(i, j)]``: who gave ``codes[j]`` to row ``i``, several names joined by
    ``CODERS_JOINED`` (a control character no name holds: "Smith, J." stays one coder).

    ``spans`` (optional) keeps the passages the human codes were applied to, when they came
    as spans (an NVivo selection, a Taguette highlight): ``doc_id, segment_id, code, coder,
    start_char, end_char``, one row per (coding, segment it maps onto). Learning reads the
    labels; the output's human rows keep these passages (:func:`qualcode.suggest`).
    """

    segments: pd.DataFrame
    codes: list[str]
    labels: np.ndarray
    coders: dict[tuple[int, int], str] = field(default_factory=dict)
    context: pd.DataFrame | None = None
    spans: pd.DataFrame | None = None

    @classmethod
    def from_codings(
        cls,
        codings: pd.DataFrame,
        segments: pd.DataFrame,
        codes: list[str],
        labelled: list[tuple[str, int]] | None = None,
    ) -> Training:
        """Map human ``codings`` (span or segment form) onto ``segments`` (overlap rule).

        ``labelled`` (default: ``codings.attrs["labelled_segments"]`` when a ``qualcode next``
        sheet was read) lists the segments a human coded one by one: only they are examples.
        Without it, every segment of a document holding a coding is one."""
        from ..codings import CODER, map_to_segments

        check_segments(segments, (C.DOC_ID, C.SEGMENT_ID, C.TEXT, C.START_CHAR, C.END_CHAR))
        labelled = labelled if labelled is not None else codings.attrs.get("labelled_segments")
        mapped = map_to_segments(codings, segments) if len(codings) else codings.assign(**{CODER: []})
        context = None
        if labelled is not None:
            keys = pd.MultiIndex.from_frame(segments[[C.DOC_ID, C.SEGMENT_ID]].astype({C.DOC_ID: str}))
            wanted = pd.MultiIndex.from_arrays([[str(d) for d, _ in labelled], [int(s) for _, s in labelled]])
            rows = segments[keys.isin(wanted)].reset_index(drop=True)
            documents = segments[C.DOC_ID].astype(str)
            context = segments[documents.isin(set(rows[C.DOC_ID].astype(str)))].reset_index(drop=True)
        else:
            rows = segments[segments[C.DOC_ID].isin(set(mapped[C.DOC_ID]))].reset_index(drop=True)
        position = {key: i for i, key in enumerate(zip(rows[C.DOC_ID], rows[C.SEGMENT_ID], strict=True))}
        index = {code: j for j, code in enumerate(codes)}
        labels = np.zeros((len(rows), len(codes)), dtype=bool)
        who: dict[tuple[int, int], set[str]] = {}
        for doc_id, segment_id, code, coder in mapped[[C.DOC_ID, C.SEGMENT_ID, C.CODE, CODER]].itertuples(index=False):
            key = (doc_id, segment_id)
            if key not in position or code not in index:
                continue
            i, j = position[key], index[code]
            labels[i, j] = True
            who.setdefault((i, j), set()).add(str(coder))
        coders = {key: CODERS_JOINED.join(sorted(names)) for key, names in who.items()}
        return cls(rows, list(codes), labels, coders, context, _spans(codings, segments, codes))

    @classmethod
    def union(cls, parts: list[Training], segments: pd.DataFrame) -> Training:
        """Several training sets over the same ``segments`` as one (e.g. hand-coded
        interviews and the filled-in ``qualcode next`` sheets that followed): every segment
        any part holds is an example, positive for every code any part gave it; rows keep
        the order of ``segments``. A part without ``context`` holds whole documents."""
        if len(parts) == 1:
            return parts[0]
        codes = parts[0].codes
        keys = set().union(*(part.keys for part in parts))
        documents = segments[C.DOC_ID].astype(str)
        ids = segments[C.SEGMENT_ID].astype(int)
        rows = segments[[key in keys for key in zip(documents, ids, strict=True)]].reset_index(drop=True)
        position = {
            key: i for i, key in enumerate(zip(rows[C.DOC_ID].astype(str), rows[C.SEGMENT_ID].astype(int), strict=True))
        }
        labels = np.zeros((len(rows), len(codes)), dtype=bool)
        who: dict[tuple[int, int], set[str]] = {}
        for part in parts:
            at = [
                position[key]
                for key in zip(
                    part.segments[C.DOC_ID].astype(str), part.segments[C.SEGMENT_ID].astype(int), strict=True
                )
            ]
            labels[at] |= part.labels
            for (row, j), names in part.coders.items():
                who.setdefault((at[row], j), set()).update(names.split(CODERS_JOINED))
        coders = {key: CODERS_JOINED.join(sorted(names)) for key, names in sorted(who.items())}
        context = None
        if any(part.context is not None for part in parts):
            context = segments[documents.isin(set(rows[C.DOC_ID].astype(str)))].reset_index(drop=True)
        found = [part.spans for part in parts if part.spans is not None]
        spans = pd.concat(found, ignore_index=True).drop_duplicates(ignore_index=True) if found else None
        return cls(rows, list(codes), labels, coders, context, spans)

    @property
    def documents(self) -> set[str]:
        """The ids of the documents a human coded."""
        return set(self.segments[C.DOC_ID].astype(str))

    def covers(self, segments: pd.DataFrame, *, coded_only: bool = False) -> np.ndarray:
        """Which rows of ``segments`` are training examples (``coded_only``: those a human gave
        at least one code)."""
        rows = self.segments[self.labels.any(axis=1)] if coded_only else self.segments
        keys = set(zip(rows[C.DOC_ID].astype(str), rows[C.SEGMENT_ID].astype(int), strict=True))
        pairs = zip(segments[C.DOC_ID].astype(str), segments[C.SEGMENT_ID].astype(int), strict=True)
        return np.fromiter((pair in keys for pair in pairs), dtype=bool, count=len(segments))

    def without(self, keys: set[tuple[str, int]]) -> Training:
        """The same training set less the segments ``keys`` (``(doc_id, segment_id)``): their
        rows, labels, coders and passages."""
        here = zip(self.segments[C.DOC_ID].astype(str), self.segments[C.SEGMENT_ID].astype(int), strict=True)
        rows = np.flatnonzero([key not in keys for key in here])
        if len(rows) == len(self.segments):
            return self
        new = {int(old): i for i, old in enumerate(rows)}
        coders = {(new[i], j): names for (i, j), names in self.coders.items() if i in new}
        spans = self.spans
        if spans is not None:
            at = zip(spans[C.DOC_ID].astype(str), spans[C.SEGMENT_ID].astype(int), strict=True)
            spans = spans[[key not in keys for key in at]].reset_index(drop=True)
        segments = self.segments.iloc[rows].reset_index(drop=True)
        return Training(segments, list(self.codes), self.labels[rows], coders, self.context, spans)

    @property
    def keys(self) -> set[tuple[str, int]]:
        """``(doc_id, segment_id)`` of every training segment."""
        return set(zip(self.segments[C.DOC_ID].astype(str), self.segments[C.SEGMENT_ID].astype(int), strict=True))


def _spans(codings: pd.DataFrame, segments: pd.DataFrame, codes: list[str]) -> pd.DataFrame | None:
    """The passages of span-form human ``codings`` with the segments each maps onto (the
    overlap rule), one row per pair; None for segment-form codings (a ``next`` sheet)."""
    from ..codings import CODER, DEFAULT_CODER, span_segments

    if C.START_CHAR not in codings.columns or C.END_CHAR not in codings.columns or not len(codings):
        return None
    if CODER not in codings.columns:  # as map_to_segments
        codings = codings.assign(**{CODER: DEFAULT_CODER})
    pairs = span_segments(codings, segments)
    out = codings[[C.DOC_ID, C.CODE, CODER, C.START_CHAR, C.END_CHAR]].iloc[pairs["span"].to_numpy()]
    out = out.reset_index(drop=True).assign(**{C.SEGMENT_ID: pairs[C.SEGMENT_ID].to_numpy()})
    out = out[out[C.CODE].isin(codes)].astype({C.DOC_ID: str, C.CODE: str, CODER: str})
    out = out.astype({C.START_CHAR: int, C.END_CHAR: int, C.SEGMENT_ID: int})
    return out[[C.DOC_ID, C.SEGMENT_ID, C.CODE, CODER, C.START_CHAR, C.END_CHAR]].drop_duplicates(ignore_index=True)


M = TypeVar("M", bound="Matcher")


class Matcher(ABC):
    """What every matcher is (see the module docs for the contract)."""

    method: ClassVar[str] = ""
    learns: ClassVar[bool] = False  # needs human codes in fit()
    # a segment's score reads its neighbours in its document: score whole documents, keep the rows wanted
    reads_context: ClassVar[bool] = False

    @abstractmethod
    def fit(self: M, codebook: Codebook, training: Training | None = None) -> M:
        """Learn everything from the codebook (and human-coded segments); return self."""

    @abstractmethod
    def score(self, segments: pd.DataFrame) -> Scores:
        """Scores of every segment for every code; writes nothing to self."""

    def describe(self) -> dict[str, object]:
        """The fitted models and settings, for provenance."""
        return {}

    def check_fitted(self) -> None:
        """Raise :class:`NotFittedError` unless :meth:`fit` has run."""
        if not hasattr(self, "codes_"):
            raise NotFittedError(f"{type(self).__name__} is not fitted: call .fit(codebook) before .score(segments)")

    def suggest(self, segments: pd.DataFrame, *, min_score: float = 0.0) -> pd.DataFrame:
        """The codings table of :meth:`score` (every score above zero and ``min_score``)."""
        return to_codings(segments, self.score(segments), source="qualcode", min_score=min_score)


WANTED = "_wanted"  # in_context's column: the rows to score, among their documents' other segments


def in_context(matcher: Matcher, segments: pd.DataFrame, wanted: np.ndarray) -> pd.DataFrame:
    """The ``wanted`` rows of ``segments`` to score; for a matcher that reads a segment's
    neighbours (:attr:`~qualcode.match.base.Matcher.reads_context`), with the other segments
    of their documents around them (flagged in :data:`WANTED`), so that a participant's turn is
    scored after the question it answers, as it was learned, whichever rows are wanted."""
    if wanted.all() or not matcher.reads_context:
        return segments[wanted].reset_index(drop=True)
    documents = set(segments.loc[wanted, C.DOC_ID].astype(str))
    around = segments[C.DOC_ID].astype(str).isin(documents).to_numpy()
    return segments[around].assign(**{WANTED: wanted[around]}).reset_index(drop=True)


def score_wanted(matcher: Matcher, table: pd.DataFrame) -> tuple[Scores, pd.DataFrame]:
    """The matcher's scores of the rows of ``table`` (from :func:`in_context`) to score, and
    those rows."""
    if WANTED not in table.columns:
        return matcher.score(table), table
    rows = np.flatnonzero(table[WANTED].to_numpy(dtype=bool))
    scores = matcher.score(table.drop(columns=WANTED))
    return scores.take(rows), table.iloc[rows].drop(columns=WANTED).reset_index(drop=True)


_REGISTRY: dict[str, type[Matcher]] = {}
BUILTIN_ORDER = ("keyword", "embedding", "hybrid", "classifier")


def register_matcher(name: str) -> Callable[[type[M]], type[M]]:
    """Class decorator: make a :class:`Matcher` available under ``name``.

    Examples
    --------
    >>> from qualcode.match import Matcher, register_matcher, matcher_names
    >>> @register_matcher("nothing")
    ... class Nothing(Matcher):
    ...     def fit(self, codebook, training=None):
    ...         self.codes_ = codebook.ids
    ...         return self
    ...     def score(self, segments):
    ...         return Scores(self.codes_, np.zeros((len(segments), len(self.codes_))), method=self.method)
    >>> "nothing" in matcher_names()
    True
    >>> unregister_matcher("nothing")
    """

    def add(cls: type[M]) -> type[M]:
        if not (isinstance(cls, type) and issubclass(cls, Matcher)):
            raise TypeError(f"{cls!r} is not a Matcher subclass")
        cls.method = name
        _REGISTRY[name] = cls
        return cls

    return add


def unregister_matcher(name: str) -> None:
    """Remove a registered matcher (for tests and plug-in reloads)."""
    _REGISTRY.pop(name, None)


def matcher_names(*, learning: bool | None = None) -> list[str]:
    """Registered matcher names (only those that learn, or do not, when ``learning`` is set)."""
    _load_builtins()
    names = sorted(_REGISTRY, key=lambda name: (BUILTIN_ORDER.index(name) if name in BUILTIN_ORDER else 99, name))
    return [name for name in names if learning is None or _REGISTRY[name].learns == learning]


def matcher_class(name: str) -> type[Matcher]:
    """The class registered under ``name``."""
    _load_builtins()
    if name not in _REGISTRY:
        raise OptionError(f"method {name!r} is not one of: {', '.join(matcher_names())}", option="method")
    return _REGISTRY[name]


def make_matcher(method: str | Matcher, **settings: Any) -> Matcher:
    """A new matcher for a registered name, given the ``settings`` its ``__init__`` accepts
    (others are ignored: ``encoder``, ``cache`` mean nothing to the keyword matcher).
    A :class:`Matcher` object is returned as it is."""
    if isinstance(method, Matcher):
        return method
    cls = matcher_class(method)
    accepted = inspect.signature(cls.__init__).parameters
    return cls(**{key: value for key, value in settings.items() if key in accepted})


def _load_builtins() -> None:
    from . import embedding, hybrid, keyword, learned  # noqa: F401  (each registers itself)


def check_segments(segments: pd.DataFrame, needed: tuple[str, ...] = (C.DOC_ID, C.SEGMENT_ID, C.TEXT)) -> None:
    """Raise a clear error when ``segments`` is not a segments table or lacks a column a
    matcher needs."""
    if not isinstance(segments, pd.DataFrame):
        raise OptionError(
            f"segments: a {type(segments).__name__}, not a segments table; give qc.read_transcripts(PATHS) (or its "
            ".segments), or qc.segments_from_texts(TEXTS) for a list of texts"
        )
    missing = [c for c in needed if c not in segments.columns]
    if missing:
        raise ColumnError(
            f"segments table lacks column {missing[0]!r}; columns are: {', '.join(map(str, segments.columns))}; "
            "pass the table from qc.read_transcripts(...).segments"
        )


def to_codings(
    segments: pd.DataFrame,
    scores: Scores,
    *,
    source: str,
    min_score: float = 0.0,
    top_k: int | None = None,
) -> pd.DataFrame:
    """Turn a score matrix into the long codings table, one row per (segment, code).

    Keeps scores above zero and at least ``min_score``, the ``top_k`` best per segment, and
    every human code; rows ordered by document, segment, then descending score and code id.
    """
    values = scores.values
    keep = (values > 0) & (values >= min_score)
    if top_k is not None:
        order = np.argsort(-values, axis=1, kind="stable")
        rank = np.empty_like(order)
        rows = np.arange(values.shape[0])[:, None]
        rank[rows, order] = np.arange(values.shape[1])[None, :]
        keep &= rank < top_k
    for i, j in scores.sources:  # human codes are always kept, whatever min_score and top_k
        keep[i, j] = True
    seg_idx, code_idx = (idx.tolist() for idx in np.nonzero(keep))
    meta_cols = [c for c in segments.columns if c not in (C.TEXT, C.IS_INTERVIEWER)]
    base = segments.iloc[seg_idx][meta_cols].reset_index(drop=True)
    base.insert(len(base.columns), C.CODE, [scores.codes[j] for j in code_idx])
    base[C.SCORE] = np.round(values[seg_idx, code_idx].astype(float), 4)
    base[C.METHOD] = [scores.methods.get((i, j), scores.method) for i, j in zip(seg_idx, code_idx, strict=True)]
    base[C.STATUS] = [
        "human" if (i, j) in scores.sources else "suggested" for i, j in zip(seg_idx, code_idx, strict=True)
    ]
    base[C.CODER] = [scores.sources.get((i, j), "") for i, j in zip(seg_idx, code_idx, strict=True)]
    base[C.EVIDENCE] = [scores.evidence.get((i, j), "") for i, j in zip(seg_idx, code_idx, strict=True)]
    base[C.SOURCE] = [scores.sources.get((i, j), source) for i, j in zip(seg_idx, code_idx, strict=True)]
    base[C.TEXT] = segments[C.TEXT].to_numpy()[seg_idx] if len(seg_idx) else []
    base["_doc_order"] = seg_idx
    base = base.sort_values(["_doc_order", C.SCORE, C.CODE], ascending=[True, False, True], kind="stable")
    return base.drop(columns="_doc_order").reset_index(drop=True)
