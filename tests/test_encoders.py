"""The encoder backends: ONNX (int8, the default) against PyTorch on the same texts."""

from __future__ import annotations

import numpy as np
import pytest

import qualcode as qc
from qualcode.embed.base import encoder_names, make_encoder

pytestmark = pytest.mark.model

TEXTS = [
    "We hired two more counselors for the middle schools.",
    "During the pandemic we called every family once a week.",
    "Okay.",
    "Our principals meet every Tuesday to solve problems together, and the central office joins them.",
    "The board asked for a wellbeing goal in every school improvement plan.",
]


@pytest.fixture(scope="module")
def onnx():
    return make_encoder("onnx")


def test_the_backends_are_registered():
    assert encoder_names()[:2] == ["onnx", "torch"]
    with pytest.raises(qc.OptionError, match="encoder 'x' is not one of"):
        make_encoder("x")


def test_onnx_int8_is_close_to_pytorch(onnx):
    fast = onnx.encode(TEXTS)
    reference = make_encoder("torch").encode(TEXTS)
    cosines = (fast * reference).sum(axis=1)
    assert fast.shape == reference.shape == (5, 384)
    assert cosines.mean() > 0.98 and cosines.min() > 0.95
    assert np.allclose(np.linalg.norm(fast, axis=1), 1.0, atol=1e-5)


def test_a_texts_vector_does_not_depend_on_the_others(onnx):
    """int8 quantisation scales activations per batch: each text is encoded alone."""
    alone = onnx.encode([TEXTS[3]])[0]
    among = onnx.encode([TEXTS[0], "x " * 200, TEXTS[3], TEXTS[2]])[2]
    assert np.array_equal(alone, among)


def test_the_export_is_made_once_and_named_by_its_content(onnx):
    first = onnx.identity
    stamp = onnx.file.stat().st_mtime_ns
    again = make_encoder("onnx")
    assert again.identity == first and again.file.stat().st_mtime_ns == stamp  # reused, not exported again
    assert first.startswith("onnx-int8/all-MiniLM-L6-v2@")
    assert make_encoder("torch").identity != first  # different vectors never share cache entries
