"""ONNX Runtime backend (the default): the same sentence-transformers weights, exported once to
ONNX and quantised to int8, run with ``onnxruntime`` and tokenised with ``tokenizers``.

The export happens offline, from the model folder on disk (PyTorch traces the transformer,
``onnxruntime.quantization.quantize_dynamic`` quantises its weights per channel), into
``<cache folder>/models/``; later runs reuse it. The encoder's ``identity`` (the embedding cache
key) is the SHA-256 of the exported file, so vectors of the int8 model, the fp32 model and the
PyTorch model never mix in the cache.

Pooling follows the model folder's ``1_Pooling/config.json`` (mean of the token vectors for
all-MiniLM-L6-v2), texts are cut at its ``max_seq_length`` tokens, vectors are L2-normalised.
Each text is encoded alone (int8 dynamic quantisation scales activations per batch, so a
batched text's vector would depend on its neighbours), on as many threads as the process has
cores. Measured on the example interviews' sentences: mean cosine 0.991 to the PyTorch vectors,
a text's vector identical alone and among others, 2.2x faster than PyTorch batching 64
(``benchmarks/bench_encoder.py``).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelError
from .base import checked, register_encoder
from .sentence_transformers import (
    DEFAULT_MODEL,
    _file_digest,
    _fingerprint,
    default_model_path,
    quiet_offline_transformers,
)

PROGRESS_CHUNK = 512


def models_dir() -> Path:
    """Where exported models are kept: ``<cache folder>/models`` (``$QUALCODE_CACHE`` or the
    user cache folder)."""
    from .cache import default_cache_dir

    return default_cache_dir() / "models"


def _export(source: Path, target: Path, quantize: bool) -> None:
    """Trace the transformer of ``source`` to ONNX (and quantise it) into ``target``, atomically."""
    transformers = quiet_offline_transformers()
    try:
        import torch
    except ImportError:
        raise ModelError("exporting the model needs PyTorch; run: pip install -e . torch==2.13.0") from None
    AutoModel = transformers.AutoModel

    class Transformer(torch.nn.Module):
        def __init__(self, model: Any) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".export.") as tmp:
        plain = Path(tmp) / "model.onnx"
        try:
            model = AutoModel.from_pretrained(str(source))
            model.eval()
            example = torch.ones((2, 8), dtype=torch.long)
            names = ["input_ids", "attention_mask", "token_type_ids"]
            axes = {name: {0: "batch", 1: "tokens"} for name in [*names, "last_hidden_state"]}
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                torch.onnx.export(
                    Transformer(model),
                    (example, example, torch.zeros_like(example)),
                    str(plain),
                    input_names=names,
                    output_names=["last_hidden_state"],
                    dynamic_axes=axes,
                    opset_version=17,
                    dynamo=False,
                )
            if quantize:
                import logging

                from onnxruntime.quantization import QuantType, quantize_dynamic

                logging.getLogger().setLevel(logging.ERROR)  # quantize_dynamic logs advice on the root logger
                quantized = Path(tmp) / "model.int8.onnx"
                quantize_dynamic(str(plain), str(quantized), weight_type=QuantType.QInt8, per_channel=True)
                plain = quantized
        except Exception as exc:  # tracing or quantising fails in many ways for unusual models
            raise ModelError(
                f"{source}: cannot export the model to ONNX ({type(exc).__name__}: {str(exc)[:200]}); "
                "use --encoder torch"
            ) from None
        os.replace(plain, target)


@register_encoder("onnx")
class OnnxEncoder:
    """Encode texts with ONNX Runtime; ``quantize=True`` (default) uses the int8 model.

    Parameters
    ----------
    model
        A sentence-transformers model directory; None for the packaged all-MiniLM-L6-v2.
    quantize
        int8 weights (default; about twice as fast as PyTorch) or fp32.
    threads
        Worker threads, one core each (default: the CPUs this process may use).

    Examples
    --------
    >>> enc = OnnxEncoder()
    >>> enc.encode(["We hired two counselors."]).shape
    (1, 384)
    """

    def __init__(
        self,
        model: str | Path | None = None,
        *,
        quantize: bool = True,
        threads: int | None = None,
        folder: str | Path | None = None,
    ) -> None:
        self.path = Path(model) if model is not None else default_model_path()
        if not self.path.is_dir():
            raise ModelError(
                f"{self.path}: embedding model folder not found; give a sentence-transformers model directory "
                "(qualcode never downloads models)"
            )
        if not (self.path / "tokenizer.json").is_file() or not (self.path / "config.json").is_file():
            raise ModelError(
                f"{self.path}: not a sentence-transformers model folder with tokenizer.json and config.json "
                "(qualcode never downloads models); give a full model folder or use --encoder torch"
            )
        self.quantize = quantize
        self.threads = threads
        self.name = DEFAULT_MODEL if model is None else self.path.name
        kind = "int8" if quantize else "fp32"
        self.file = Path(folder or models_dir()) / f"{self.name}-{_fingerprint(self.path)}-{kind}.onnx"
        self._session: Any = None
        self._workers = 1
        self._tokenizer: Any = None
        self._identity: str | None = None

    @property
    def identity(self) -> str:
        """``onnx-int8/<model>@<hash of the exported file>`` (exports the model if needed)."""
        if self._identity is None:
            self._ensure_exported()
            kind = "int8" if self.quantize else "fp32"
            self._identity = f"onnx-{kind}/{self.name}@{_file_digest(self.file)[:16]}"
        return self._identity

    def _ensure_exported(self) -> None:
        if not self.file.is_file():
            _export(self.path, self.file, self.quantize)

    def _config(self) -> tuple[int, str]:
        def read(name: str) -> dict[str, Any]:
            try:
                return json.loads((self.path / name).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return {}

        length = int(read("sentence_bert_config.json").get("max_seq_length", 256))
        pooling = read("1_Pooling/config.json")
        mode = "cls" if pooling.get("pooling_mode_cls_token") else "mean"
        return length, mode

    def _load(self) -> tuple[Any, Any]:
        if self._session is None:
            try:
                import onnxruntime
                from tokenizers import Tokenizer
            except ImportError:
                raise ModelError("onnxruntime and tokenizers are needed; run: pip install -e .") from None
            self._ensure_exported()
            options = onnxruntime.SessionOptions()
            threads = self.threads
            if threads is None and os.environ.get("QUALCODE_THREADS", "").isdigit():
                threads = int(os.environ["QUALCODE_THREADS"])  # set for Dask workers: one core each
            if threads is None:
                # the CPUs this process may use (not the machine's: no oversubscription in a container
                # or under a job scheduler)
                threads = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
            self._workers = max(1, threads)
            options.intra_op_num_threads = 1  # one core per worker thread; the threads use them all
            options.inter_op_num_threads = 1
            options.log_severity_level = 3
            try:
                self._session = onnxruntime.InferenceSession(
                    str(self.file), options, providers=["CPUExecutionProvider"]
                )
            except Exception as exc:  # a damaged export: remove it so the next run exports again
                self.file.unlink(missing_ok=True)
                raise ModelError(
                    f"{self.file}: cannot load the exported model ({type(exc).__name__}); it was removed and "
                    "will be exported again on the next run"
                ) from None
            length, self._pooling = self._config()
            tokenizer = Tokenizer.from_file(str(self.path / "tokenizer.json"))
            tokenizer.enable_truncation(max_length=length)
            tokenizer.enable_padding()
            self._tokenizer = tokenizer
        return self._session, self._tokenizer

    @property
    def dimension(self) -> int:
        session, _ = self._load()
        return int(session.get_outputs()[0].shape[-1])

    def _batch(self, texts: list[str]) -> np.ndarray:
        session, tokenizer = self._load()
        encoded = tokenizer.encode_batch(texts)
        ids = np.asarray([e.ids for e in encoded], dtype=np.int64)
        mask = np.asarray([e.attention_mask for e in encoded], dtype=np.int64)
        types = np.asarray([e.type_ids for e in encoded], dtype=np.int64)
        hidden = session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})[0]
        if self._pooling == "cls":
            return hidden[:, 0, :]
        weights = mask[..., None].astype(np.float32)
        return (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)

    def __getstate__(self) -> dict[str, Any]:
        """Picklable (sent to Dask workers): the session and tokenizer are loaded again there."""
        state = dict(self.__dict__)
        state["_session"] = state["_tokenizer"] = None
        return state

    def encode(self, texts: list[str]) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text.

        Each text is encoded on its own (a batch of one): int8 dynamic quantisation scales
        activations per batch, so a text batched with others would get a vector that depends on
        them; alone, its vector is the same in every run. The texts are spread over ``threads``
        worker threads (ONNX Runtime releases the GIL), one core each.
        """
        from concurrent.futures import ThreadPoolExecutor

        from ..progress import report

        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        self._load()
        parts: list[np.ndarray] = []
        with ThreadPoolExecutor(max_workers=self._workers) as pool:
            for start in range(0, len(texts), PROGRESS_CHUNK):
                chunk = texts[start : start + PROGRESS_CHUNK]
                parts.extend(pool.map(lambda text: self._batch([text])[0], chunk))
                report("encoding sentences", start + len(chunk), len(texts))
        return checked(np.stack(parts).astype(np.float32), texts, self.identity)
