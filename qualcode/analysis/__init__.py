"""Analysis of codings: co-occurrence, frequencies, evaluation against human codes."""

from __future__ import annotations

from .agreement import agreement
from .connections import connections
from .cooccurrence import MEASURES, compare_groups, cooccurrence, measure_values, tidy
from .evaluate import evaluate, precision_recall, tune_thresholds
from .frequencies import frequencies, frequency_table

__all__ = [
    "MEASURES",
    "agreement",
    "compare_groups",
    "connections",
    "cooccurrence",
    "evaluate",
    "frequencies",
    "frequency_table",
    "measure_values",
    "precision_recall",
    "tidy",
    "tune_thresholds",
]
