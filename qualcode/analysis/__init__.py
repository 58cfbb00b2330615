"""Analysis of codings: co-occurrence, frequencies, evaluation against human codes."""

from __future__ import annotations

from .cooccurrence import MEASURES, compare_groups, cooccurrence, measure_values, tidy
from .evaluate import evaluate
from .frequencies import frequencies, frequency_table

__all__ = [
    "MEASURES",
    "compare_groups",
    "cooccurrence",
    "evaluate",
    "frequencies",
    "frequency_table",
    "measure_values",
    "tidy",
]
