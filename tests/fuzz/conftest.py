"""Fuzz profiles: ``ci`` (the default: a bounded number of examples, the same ones every run)
and ``long`` (thousands, for a local session: ``python -m pytest tests/fuzz
--hypothesis-profile=long``)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]}
settings.register_profile("ci", max_examples=20, derandomize=True, **_COMMON)
settings.register_profile("long", max_examples=2_000, **_COMMON)
settings.load_profile(os.environ.get("QUALCODE_FUZZ_PROFILE", "ci"))
