"""``onnx_torchvision.class_map``: a semantic model's logits resized to the picture (bilinear, half-pixel
centres), arg-max and softmax confidence, whole or a band of rows at a time, against onnxruntime's own
``Resize`` (linear, ``half_pixel``: PyTorch's ``align_corners=False``) and scipy's softmax."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from scipy.special import softmax

from pixelproof.inference import onnx_torchvision
from pixelproof.inference.base import BackendError
from pixelproof.inference.onnx_torchvision import class_map

ort = pytest.importorskip("onnxruntime")
onnx = pytest.importorskip("onnx")


def ort_resized(logits: np.ndarray, size_hw: tuple[int, int]) -> np.ndarray:
    """[C,h,w] -> [C,H,W] by onnxruntime's Resize."""
    from onnx import TensorProto, helper

    c, h, w = logits.shape
    node = helper.make_node(
        "Resize", ["x", "", "", "sizes"], ["y"], mode="linear", coordinate_transformation_mode="half_pixel"
    )
    sizes = helper.make_tensor("sizes", TensorProto.INT64, [4], [1, c, *size_hw])
    graph = helper.make_graph(
        [node],
        "resize",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, c, h, w])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [sizes],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {"x": logits[None]})[0][0]


CASES = [
    ((4, 64, 64), (180, 240)),  # a fixed-size model on a larger picture
    ((21, 48, 40), (30, 25)),  # on a smaller one
    ((300, 8, 9), (20, 31)),  # more classes than a uint8 map holds
    ((3, 20, 20), (20, 57)),  # only across
]


@pytest.mark.parametrize(("shape", "size"), CASES)
@pytest.mark.parametrize("band_rows", [None, 1, 7])
def test_class_map_equals_onnxruntime_resize_then_argmax_and_softmax(
    monkeypatch: pytest.MonkeyPatch, shape: tuple[int, int, int], size: tuple[int, int], band_rows
) -> None:
    if band_rows is not None:  # force bands of that many rows
        monkeypatch.setattr(onnx_torchvision, "BAND_BYTES", 4 * shape[0] * size[1] * band_rows)
    logits = np.random.default_rng(sum(shape)).normal(size=shape).astype(np.float32)
    classes, confidence = class_map(logits, size)
    resized = ort_resized(logits, size)
    assert classes.shape == confidence.shape == size
    assert classes.dtype == (np.uint8 if shape[0] <= 255 else np.int32)
    np.testing.assert_array_equal(classes, resized.argmax(axis=0))
    np.testing.assert_allclose(confidence, softmax(resized, axis=0).max(axis=0), atol=1e-5)


def test_many_classes_on_a_large_picture_are_resized_a_band_at_a_time() -> None:
    """150 classes on 600 x 800: 288 MB of resized logits at once; the bands hold the default 64 MB."""
    logits = np.random.default_rng(7).normal(size=(150, 32, 32)).astype(np.float32)
    tracemalloc.start()
    try:
        classes, _ = class_map(logits, (600, 800))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 100 * 2**20, peak
    np.testing.assert_array_equal(classes[::50], ort_resized(logits, (600, 800))[:, ::50].argmax(axis=0))


@pytest.mark.parametrize("shape", [(1, 0, 8, 8), (1, 4, 0, 8), (1, 4, 8, 0)])
def test_empty_logits_are_a_clear_message(tmp_path: Path, shape: tuple[int, ...]) -> None:
    """0 classes or a side of 0: 'IndexError: index 0 is out of bounds' or an OpenCV assertion before."""
    from pixelproof.inference.base import predict_safely
    from pixelproof.inference.onnx_models import OnnxModelBackend
    from tests.inference.graphs import constant_graph

    path = constant_graph(
        tmp_path / "m.onnx", {"input": [1, 3, "h", "w"]}, {"out": np.zeros(shape, np.float32)}
    )
    b = OnnxModelBackend()
    b.configure(model_path=path)
    with pytest.raises(BackendError, match=r"logits have shape \[.*\]; expected \[1, C, H, W\]"):
        predict_safely(b, np.zeros((20, 30, 3), np.uint8))
