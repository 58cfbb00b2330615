"""The encoder interface every embedding backend implements.

An encoder turns texts into L2-normalised vectors: ``encode(list[str]) -> np.ndarray`` of
shape ``(len(texts), dimension)``, float32. ``identity`` names the model exactly (used as the
embedding cache key), ``dimension`` is the vector size.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar, runtime_checkable

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


# ---------------------------------------------------------------------------------------------
# the encoder registry: backends by name (``--encoder onnx|torch``)

DEFAULT_ENCODER = "onnx"
_ENCODERS: dict[str, Callable[..., Any]] = {}
_MODULES = {"onnx": "qualcode.embed.onnx", "torch": "qualcode.embed.sentence_transformers"}
T = TypeVar("T")


def register_encoder(name: str) -> Callable[[T], T]:
    """Class decorator: make an encoder backend available as ``make_encoder(name, model)``; it
    is built as ``cls(model)`` with a model folder or None for the packaged model."""

    def add(cls: T) -> T:
        _ENCODERS[name] = cls  # type: ignore[assignment]
        return cls

    return add


def encoder_names() -> list[str]:
    """The registered backends (the built-in ones first)."""
    return list(dict.fromkeys([*_MODULES, *_ENCODERS]))


def make_encoder(name: str = DEFAULT_ENCODER, model: str | Path | None = None) -> Any:
    """The encoder backend ``name`` for ``model`` (a folder; None: the packaged all-MiniLM-L6-v2).

    Raises
    ------
    OptionError
        ``name`` is no registered backend.
    """
    from importlib import import_module

    from ..errors import OptionError

    if name not in _ENCODERS and name in _MODULES:
        import_module(_MODULES[name])
    if name not in _ENCODERS:
        raise OptionError(f"encoder {name!r} is not one of: {', '.join(encoder_names())}", option="encoder")
    return _ENCODERS[name](model)
