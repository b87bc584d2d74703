"""Model outputs no picture should produce (NaN or infinite boxes, scores or logits, labels no class has)
are reported for the picture naming the model, never clipped into a whole-picture box, dropped as if the
model had found nothing, or stored as made-up categories (tiny graphs whose outputs are fixed arrays)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from pixelproof.inference.base import BackendError, predict_safely
from pixelproof.inference.onnx_models import OnnxModelBackend
from pixelproof.inference.onnx_yolo import YoloOnnxBackend
from tests.inference.graphs import constant_graph

pytest.importorskip("onnxruntime")

NAN, INF = float("nan"), float("inf")
PICTURE = np.full((60, 80, 3), 100, np.uint8)


def detector(folder: Path, boxes: list, labels: list, scores: list, card: dict | None = None) -> Path:
    """A torchvision-style detector [3,H,W] -> boxes, int64 labels, scores (fixed arrays)."""
    outputs = {
        "boxes": np.array(boxes, np.float32).reshape(-1, 4),
        "labels": np.array(labels, np.int64),
        "scores": np.array(scores, np.float32),
    }
    path = constant_graph(folder / "det.onnx", {"images": [3, "h", "w"]}, outputs)
    if card is not None:
        (folder / "det.onnx.json").write_text(json.dumps(card))
    return path


def run(backend: type, path: Path) -> list:
    b = backend()
    b.configure(model_path=path)
    return predict_safely(b, PICTURE)


@pytest.mark.parametrize(
    ("box", "score"),
    [([-INF, -INF, INF, INF], 0.9), ([NAN, 10, 30, 30], 0.9), ([10, 10, 30, 30], NAN)],
)
def test_a_detector_giving_nan_or_infinite_boxes_or_scores_fails_the_picture(
    tmp_path: Path, box: list, score: float
) -> None:
    """An infinite box was clipped into one covering the whole picture and stored; a NaN box or score was
    dropped, so a broken export looked like a model that found nothing."""
    path = detector(tmp_path, [box, [10, 10, 30, 30]], [1, 1], [score, 0.8])
    with pytest.raises(BackendError, match=r"det\.onnx gave a box or score that is not a finite number"):
        run(OnnxModelBackend, path)


def test_a_mask_rcnn_giving_nan_mask_probabilities_fails_the_picture(tmp_path: Path) -> None:
    """A confident detection whose pasted mask is NaN (an fp16 overflow) made no object, silently: NaN is
    never above the mask threshold, so the export looked like a model that found nothing."""
    masks = np.zeros((2, 1, *PICTURE.shape[:2]), np.float32)
    masks[0, 0, 10:30, 10:30] = NAN
    masks[1, 0, 40:50, 40:60] = 0.9
    outputs = {
        "boxes": np.array([[10, 10, 30, 30], [40, 40, 60, 50]], np.float32),
        "labels": np.array([1, 1], np.int64),
        "scores": np.array([0.9, 0.8], np.float32),
        "masks": masks,
    }
    path = constant_graph(tmp_path / "mrcnn.onnx", {"images": [3, "h", "w"]}, outputs)
    with pytest.raises(BackendError, match=r"mrcnn\.onnx gave a mask that is not a finite number"):
        run(OnnxModelBackend, path)
    masks[0, 0, 10:30, 10:30] = 0.9  # the same model with finite masks: two objects
    path = constant_graph(tmp_path / "ok.onnx", {"images": [3, "h", "w"]}, {**outputs, "masks": masks})
    assert sorted(p.bbox for p in run(OnnxModelBackend, path)) == [[10, 10, 20, 20], [40, 40, 20, 10]]


def test_a_detection_below_the_threshold_may_have_any_box(tmp_path: Path) -> None:
    path = detector(tmp_path, [[-INF, 0, INF, 5], [10, 10, 30, 30]], [1, 1], [0.1, 0.8])
    assert [p.bbox for p in run(OnnxModelBackend, path)] == [[10.0, 10.0, 20.0, 20.0]]


@pytest.mark.parametrize(("label", "card"), [(-3, None), (5, {"classes": ["bg", "a"]})])
def test_a_label_no_class_has_fails_the_picture(tmp_path: Path, label: int, card: dict | None) -> None:
    """Labels -3 and 5 (the card names 2 classes) became categories 'class_-3' and 'class_5'."""
    path = detector(tmp_path, [[10, 10, 30, 30]], [label], [0.9], card)
    with pytest.raises(BackendError, match=rf"det\.onnx gave label {label}, which no class has"):
        run(OnnxModelBackend, path)


def test_labels_past_the_names_are_named_by_id_when_no_names_are_known(tmp_path: Path) -> None:
    path = detector(tmp_path, [[10, 10, 30, 30]], [7], [0.9])
    assert [p.category for p in run(OnnxModelBackend, path)] == ["class_7"]


@pytest.mark.parametrize("bad", [NAN, INF])
def test_semantic_logits_nan_or_infinite_fail_the_picture(tmp_path: Path, bad: float) -> None:
    """NaN or +inf logits (an fp16 overflow) made NaN scores, and every object was dropped: the picture
    came back with nothing, as if the model had found nothing."""
    logits = np.zeros((1, 3, 16, 16), np.float32)
    logits[0, 1, 4:12, 4:12] = 5
    logits[0, 2, 0:2] = bad
    path = constant_graph(tmp_path / "seg.onnx", {"input": [1, 3, 16, 16]}, {"out": logits})
    with pytest.raises(BackendError, match=r"seg\.onnx gave logits that are NaN or infinite"):
        run(OnnxModelBackend, path)


def yolo_end_to_end(folder: Path, row: list) -> Path:
    rows = np.zeros((1, 10, 6), np.float32)
    rows[0, 0] = row
    meta = {"names": "{0: 'a', 1: 'b'}", "stride": "32", "imgsz": "[64, 64]"}
    return constant_graph(folder / "yolo.onnx", {"images": [1, 3, 64, 64]}, {"output0": rows}, meta)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ([-INF, -INF, INF, INF, 0.9, 1], "gave a box, score or class id that is not a finite number"),
        ([10, 10, 30, 30, 0.9, -1], "gave class id -1, which no class has"),
        ([10, 10, 30, 30, 0.9, 7], "gave class id 7, which no class has"),
    ],
)
def test_a_yolo_row_with_an_infinite_box_or_unknown_class_fails_the_picture(
    tmp_path: Path, row: list, message: str
) -> None:
    """An infinite box was clipped into a whole-picture box; class ids -1 and 7 (2 names) became
    categories 'class-1' and 'class7'."""
    with pytest.raises(BackendError, match=rf"yolo\.onnx {message}"):
        run(YoloOnnxBackend, yolo_end_to_end(tmp_path, row))


def yolo_with_names(folder: Path, names: str, row: list) -> Path:
    rows = np.zeros((1, 10, 6), np.float32)
    rows[0, 0] = row
    meta = {"names": names, "stride": "32", "imgsz": "[64, 64]"}
    return constant_graph(folder / "yolo.onnx", {"images": [1, 3, 64, 64]}, {"output0": rows}, meta)


def test_yolo_metadata_names_with_a_key_no_integer_holds_is_a_load_error(tmp_path: Path) -> None:
    """{1e400: 'a'} raised OverflowError (int(inf)) out of configure: a traceback, naming no file."""
    path = yolo_with_names(tmp_path, "{1e400: 'a'}", [10, 10, 30, 30, 0.9, 0])
    with pytest.raises(BackendError, match=r"yolo\.onnx: metadata 'names' is not a dict or list of class"):
        YoloOnnxBackend().configure(model_path=path)


@pytest.mark.parametrize("backend", [YoloOnnxBackend, OnnxModelBackend])
def test_yolo_metadata_names_as_a_list_are_the_class_names(tmp_path: Path, backend: type) -> None:
    """README: metadata names may be a JSON or Python list; the Ultralytics loader refused one ('not a dict
    literal'), the onnx backend too, through it."""
    path = yolo_with_names(tmp_path, '["cat", "dog"]', [10, 10, 30, 30, 0.9, 1])
    assert [p.category for p in run(backend, path)] == ["dog"]


def test_the_cards_background_makes_no_objects_for_an_ultralytics_model(tmp_path: Path) -> None:
    """The card's background was left out of categories() but the Ultralytics delegate still made
    objects of it."""
    path = yolo_with_names(tmp_path, "{0: 'a', 1: 'b'}", [10, 10, 30, 30, 0.9, 0])
    (tmp_path / "yolo.onnx.json").write_text(json.dumps({"background": 0}))
    b = OnnxModelBackend()
    b.configure(model_path=path)
    assert b.categories() == ["b"] and predict_safely(b, PICTURE) == []


@pytest.mark.parametrize("backend", [YoloOnnxBackend, OnnxModelBackend])
def test_an_input_with_a_fixed_batch_over_1_is_a_load_error(tmp_path: Path, backend: type) -> None:
    """A [2,3,H,W] input loaded, then every picture failed with onnxruntime's 'Got invalid dimensions
    ... index: 0 Got: 1 Expected: 2', naming no file."""
    seg = constant_graph(
        tmp_path / "seg.onnx", {"input": [2, 3, 16, 16]}, {"out": np.zeros((2, 3, 16, 16), np.float32)}
    )
    rows = np.zeros((2, 10, 6), np.float32)
    meta = {"names": "{0: 'a'}", "stride": "32", "imgsz": "[64, 64]"}
    yolo = constant_graph(tmp_path / "yolo.onnx", {"images": [2, 3, 64, 64]}, {"output0": rows}, meta)
    for path in (yolo, seg) if backend is OnnxModelBackend else (yolo,):
        with pytest.raises(
            BackendError, match=rf"{path.name}: input \w+ \[2, 3, \d+, \d+\] takes a batch of 2"
        ):
            backend().configure(model_path=path)


def test_a_semantic_input_fixing_one_side_only_is_a_load_error(tmp_path: Path) -> None:
    path = constant_graph(
        tmp_path / "seg.onnx", {"input": [1, 3, 16, "w"]}, {"out": np.zeros((1, 3, 16, 16), np.float32)}
    )
    with pytest.raises(BackendError, match=r"seg\.onnx: input input \[1, 3, 16, 'w'\] fixes one side only"):
        OnnxModelBackend().configure(model_path=path)
    (tmp_path / "seg.onnx.json").write_text(json.dumps({"input": {"size": [16, 20]}}))
    b = OnnxModelBackend()
    b.configure(model_path=path)  # the card gives the other side
    assert b.recipe is not None and b.recipe.size == (16, 20)


def test_a_detector_with_a_fixed_input_size_says_which_pictures_it_takes(tmp_path: Path) -> None:
    """An export without dynamic axes ([3,100,100]) loaded, then every other size failed with
    onnxruntime's 'Got invalid dimensions for input', naming neither the model nor its size."""
    path = constant_graph(
        tmp_path / "det.onnx",
        {"images": [3, 100, 100]},
        {
            "boxes": np.array([[10, 10, 30, 30]], np.float32),
            "labels": np.array([1], np.int64),
            "scores": np.array([0.9], np.float32),
        },
    )
    b = OnnxModelBackend()
    b.configure(model_path=path)
    assert any("100x100" in a for a in b.describe()["model"]["assumptions"])
    with pytest.raises(BackendError, match=r"det\.onnx takes only 100x100 pictures .*this one is 80x60"):
        predict_safely(b, PICTURE)
    assert [p.bbox for p in predict_safely(b, np.zeros((100, 100, 3), np.uint8))] == [
        [10.0, 10.0, 20.0, 20.0]
    ]
