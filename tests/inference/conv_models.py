"""Semantic ONNX models built in a test: one 1x1 convolution, any input size, ``channels`` logit planes
of the picture's size (what a model's memory test needs: its size is the picture's, known exactly)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np


def conv_model(path: Path, weights: np.ndarray) -> Path:
    """``path`` (and its card) holding a 1x1 convolution by ``weights`` [channels, 3, 1, 1]."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    channels = weights.shape[0]
    graph = helper.make_graph(
        [helper.make_node("Conv", ["input", "weight"], ["out"])],
        "conv",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, "h", "w"])],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, [1, channels, "h", "w"])],
        [numpy_helper.from_array(np.asarray(weights, np.float32), "weight")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(path))
    card = {"family": "semantic", "classes": [f"c{i}" for i in range(channels)], "background": 0}
    Path(f"{path}.json").write_text(json.dumps(card))
    return path
