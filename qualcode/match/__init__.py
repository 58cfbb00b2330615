"""Matchers: ``fit(codebook, training=None)`` then ``score(segments)``; see :mod:`.base`
for the contract and the registry."""

from __future__ import annotations

from .base import (
    Matcher,
    Scores,
    Training,
    make_matcher,
    matcher_class,
    matcher_names,
    register_matcher,
    to_codings,
    unregister_matcher,
)
from .embedding import EmbeddingMatcher
from .hybrid import HybridMatcher
from .keyword import KeywordMatcher
from .learned import ClassifierMatcher

__all__ = [
    "ClassifierMatcher",
    "EmbeddingMatcher",
    "HybridMatcher",
    "KeywordMatcher",
    "Matcher",
    "Scores",
    "Training",
    "make_matcher",
    "matcher_class",
    "matcher_names",
    "register_matcher",
    "to_codings",
    "unregister_matcher",
]
