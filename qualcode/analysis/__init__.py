"""Analysis of codings: evaluation against human codes (more to come: co-occurrence, matrices)."""

from __future__ import annotations

from .evaluate import evaluate

__all__ = ["evaluate"]
