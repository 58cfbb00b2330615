"""Matchers: ``fit(codebook)`` then ``score(segments)`` / ``suggest(segments)``."""

from __future__ import annotations

from .base import Scores, to_codings
from .keyword import KeywordMatcher

__all__ = ["KeywordMatcher", "Scores", "to_codings"]
