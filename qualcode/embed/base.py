"""The encoder interface every embedding backend implements.

An encoder turns texts into L2-normalised vectors: ``encode(list[str]) -> np.ndarray`` of
shape ``(len(texts), dimension)``, float32. ``identity`` names the model exactly (used as the
embedding cache key), ``dimension`` is the vector size.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from ..errors import ModelError


@runtime_checkable
class Encoder(Protocol):
    """Anything with ``encode``, ``identity`` and ``dimension``."""

    identity: str

    @property
    def dimension(self) -> int: ...

    def encode(self, texts: list[str]) -> np.ndarray: ...


def checked(vectors: object, texts: Sequence[str], who: str, dimension: int | None = None) -> np.ndarray:
    """Validate an encoder's answer and return it normalised as float32.

    Raises
    ------
    ModelError
        Not a 2-D array with one row per text (and ``dimension`` columns), or holding NaN/inf.
    """
    array = np.asarray(vectors, dtype=np.float32)
    expected = f"({len(texts)}, {dimension if dimension else 'd'})"
    if array.ndim != 2 or array.shape[0] != len(texts) or (dimension and array.shape[1] != dimension):
        raise ModelError(
            f"encoder {who} returned an array of shape {array.shape} for {len(texts)} texts; "
            f"expected {expected}: encode(list[str]) must return one vector per text"
        )
    if not np.isfinite(array).all():
        raise ModelError(f"encoder {who} returned NaN or infinite values; check the model files")
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return array / norms
