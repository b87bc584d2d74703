"""Tiny ONNX graphs built with onnx.helper whose outputs can be worked out by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def _save(graph: onnx.GraphProto, path: Path, metadata: dict[str, str] | None = None) -> Path:
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    for k, v in (metadata or {}).items():
        entry = model.metadata_props.add()
        entry.key, entry.value = k, v
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


def _zero_of(name: str, nodes: list, tag: str) -> str:
    """A scalar 0 that depends on input ``name``, so every declared input is used by the graph."""
    nodes.append(helper.make_node("ReduceSum", [name], [f"{tag}_sum"], keepdims=0))
    nodes.append(helper.make_node("Mul", [f"{tag}_sum", "zero"], [f"{tag}_zero"]))
    return f"{tag}_zero"


def constant_model(
    path: Path,
    outputs: dict[str, np.ndarray],
    input_shape: tuple[int, ...] = (1, 3, 640, 640),
    metadata: dict[str, str] | None = None,
) -> Path:
    """A model with input ``images`` whose outputs are fixed arrays (+ 0 x sum(images))."""
    return constant_graph(path, {"images": list(input_shape)}, outputs, metadata)


def sam_encoder(path: Path, size: int = 64) -> Path:
    """Encoder: [1, 3, S, S] -> embeddings [1, 3, 1, 1] = mean over each channel."""
    node = helper.make_node("ReduceMean", ["image"], ["image_embeddings"], axes=[2, 3], keepdims=1)
    graph = helper.make_graph(
        [node],
        "enc",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, size, size])],
        [helper.make_tensor_value_info("image_embeddings", TensorProto.FLOAT, [1, 3, 1, 1])],
    )
    return _save(graph, path)


def sam_decoder(path: Path, radius: float = 10.0, mask_side: int = 256) -> Path:
    """Decoder with the segment-anything export's inputs. ``masks`` [1, 1, H, W] (H, W from
    orig_im_size) are the logits ``radius**2 - |(x, y) - p0|**2`` where p0 is the first point as fed
    (i.e. in resized-image coordinates), so the mask is a disc there; ``iou_predictions`` [1, 1] is the
    sum of the point labels / 100 (a score stays in 0..1), which shows which labels the backend sent.
    Prompts are in a frame of 4 x ``mask_side`` (the side of ``mask_input``), as in SAM."""
    f = TensorProto.FLOAT
    inputs = [
        helper.make_tensor_value_info("image_embeddings", f, [1, 3, 1, 1]),
        helper.make_tensor_value_info("point_coords", f, [1, "n", 2]),
        helper.make_tensor_value_info("point_labels", f, [1, "n"]),
        helper.make_tensor_value_info("mask_input", f, [1, 1, mask_side, mask_side]),
        helper.make_tensor_value_info("has_mask_input", f, [1]),
        helper.make_tensor_value_info("orig_im_size", f, [2]),
    ]
    inits = [
        numpy_helper.from_array(np.array(0, np.float32), "zero"),
        numpy_helper.from_array(np.array(radius * radius, np.float32), "r2"),
        numpy_helper.from_array(np.array(0, np.int64), "i0"),
        numpy_helper.from_array(np.array(1, np.int64), "i1"),
        numpy_helper.from_array(np.array([1, 1], np.int64), "shape11"),
    ]
    n = helper.make_node
    nodes: list = []
    zs = [_zero_of(name, nodes, name) for name in ("image_embeddings", "mask_input", "has_mask_input")]
    nodes += [
        n("Add", [zs[0], zs[1]], ["z01"]),
        n("Add", ["z01", zs[2]], ["zall"]),
        n("Cast", ["orig_im_size"], ["size_i"], to=TensorProto.INT64),
        n("Gather", ["size_i", "i0"], ["h"]),
        n("Gather", ["size_i", "i1"], ["w"]),
        n("Range", ["i0", "h", "i1"], ["ys_i"]),
        n("Range", ["i0", "w", "i1"], ["xs_i"]),
        n("Cast", ["ys_i"], ["ys"], to=f),
        n("Cast", ["xs_i"], ["xs"], to=f),
        n("Gather", ["point_coords", "i0"], ["p0"], axis=1),  # [1, 2]
        n("Gather", ["p0", "i0"], ["px"], axis=1),  # [1]
        n("Gather", ["p0", "i1"], ["py"], axis=1),
        n("Sub", ["xs", "px"], ["dx"]),
        n("Sub", ["ys", "py"], ["dy"]),
        n("Mul", ["dx", "dx"], ["dx2"]),
        n("Mul", ["dy", "dy"], ["dy2"]),
        n("Unsqueeze", ["dy2", "i1_axes"], ["dy2c"]),
        n("Add", ["dy2c", "dx2"], ["d2"]),
        n("Sub", ["r2", "d2"], ["logit"]),
        n("Add", ["logit", "zall"], ["logit_z"]),
        n("Unsqueeze", ["logit_z", "axes01"], ["masks"]),
        n("ReduceSum", ["point_labels"], ["label_sum"], keepdims=0),
        n("Div", ["label_sum", "hundred"], ["label_sum_100"]),
        n("Reshape", ["label_sum_100", "shape11"], ["iou_predictions"]),
    ]
    inits += [
        numpy_helper.from_array(np.array([1], np.int64), "i1_axes"),
        numpy_helper.from_array(np.array([0, 1], np.int64), "axes01"),
        numpy_helper.from_array(np.array(100, np.float32), "hundred"),
    ]
    graph = helper.make_graph(
        nodes,
        "dec",
        inputs,
        [
            helper.make_tensor_value_info("masks", f, [1, 1, "H", "W"]),
            helper.make_tensor_value_info("iou_predictions", f, [1, 1]),
        ],
        initializer=inits,
    )
    return _save(graph, path)


def constant_graph(
    path: Path,
    inputs: dict[str, list],
    outputs: dict[str, np.ndarray],
    metadata: dict[str, str] | None = None,
) -> Path:
    """A model with the given float inputs (name -> shape, symbolic dims allowed; none is allowed too) whose
    outputs are fixed arrays (+ 0 x the sum of every input, so each input is used); integer arrays come out
    as int64 (as torchvision's labels)."""
    nodes: list = []
    inits = [numpy_helper.from_array(np.array(0, np.float32), "zero")]
    zeros = [_zero_of(name, nodes, f"in{i}") for i, name in enumerate(inputs)]
    total = zeros[0] if zeros else "zero"  # no inputs: a graph of constants
    for i, z in enumerate(zeros[1:]):
        nodes.append(helper.make_node("Add", [total, z], [f"zsum{i}"]))
        total = f"zsum{i}"
    outs = []
    for name, value in outputs.items():
        inits.append(numpy_helper.from_array(value.astype(np.float32), f"{name}_const"))
        if value.dtype.kind in "iu":
            nodes.append(helper.make_node("Add", [f"{name}_const", total], [f"{name}_float"]))
            nodes.append(helper.make_node("Cast", [f"{name}_float"], [name], to=TensorProto.INT64))
        else:
            nodes.append(helper.make_node("Add", [f"{name}_const", total], [name]))
        elem = TensorProto.INT64 if value.dtype.kind in "iu" else TensorProto.FLOAT
        outs.append(helper.make_tensor_value_info(name, elem, list(value.shape)))
    graph = helper.make_graph(
        nodes,
        "const",
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in inputs.items()],
        outs,
        initializer=inits,
    )
    return _save(graph, path, metadata)


def yolo_end2end(path: Path, names: dict[int, str], score: float = 0.7) -> Path:
    """An Ultralytics end-to-end detector (``nms=True``) with class ``names`` in its metadata, finding one
    box of class 0 at ``score``: two such models of one architecture differ in their weights only."""
    rows = np.zeros((1, 4, 6), np.float32)
    rows[0, 0] = [160, 0, 480, 640, score, 0]
    return constant_model(path, {"output0": rows}, metadata={"names": repr(names)})


def yolo_unnamed(path: Path, classes: int = 3, metadata: dict[str, str] | None = None) -> Path:
    """A raw Ultralytics-shaped detector ``[1, 4+classes, 2]`` on a 64x64 input with no class names in its
    metadata (an export whose names were stripped, or another tool's): it finds class 2 at (10..30, 10..30)
    and class 0 at (30..50, 30..50)."""
    out = np.zeros((1, 4 + classes, 2), np.float32)
    out[0, :4, 0] = [20, 20, 20, 20]
    out[0, :4, 1] = [40, 40, 20, 20]
    out[0, 4 + 2, 0] = 0.9
    out[0, 4 + 0, 1] = 0.8
    return constant_model(path, {"output0": out}, input_shape=(1, 3, 64, 64), metadata=metadata)
