"""yolo-onnx against Ultralytics' reference steps (re-implemented here independently, in the shape of
ultralytics/data/augment.py LetterBox and ultralytics/utils/ops.py non_max_suppression / scale_boxes),
against the model README's expected detections, raw layout vs end-to-end export, and segmentation
decoding on tiny hand-made graphs."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from skimage import data

from pixelproof.inference.base import BackendError, ModelLoadError, predict_safely
from pixelproof.inference.onnx_yolo import YoloOnnxBackend
from tests.inference.graphs import constant_model

onnxruntime = pytest.importorskip("onnxruntime")

PICTURES = {
    "astronaut": (data.astronaut, "person", 0.90),
    "chelsea": (data.chelsea, "cat", 0.85),
    "coffee": (data.coffee, "cup", 0.85),
    "motorcycle_left": (lambda: data.stereo_motorcycle()[0], "motorcycle", 0.88),
}


# -- reference pipeline (numpy port of Ultralytics' code, written apart from the backend) ----------------


def ref_letterbox(img_rgb: np.ndarray, new_shape=(640, 640)) -> np.ndarray:
    im = cv2.cvtColor(img_rgb, cv2.COLOR_RGB2BGR)  # Ultralytics works on cv2.imread's BGR
    shape = im.shape[:2]
    r = min(new_shape[0] / shape[0], new_shape[1] / shape[1])
    new_unpad = round(shape[1] * r), round(shape[0] * r)
    dw, dh = new_shape[1] - new_unpad[0], new_shape[0] - new_unpad[1]
    dw /= 2
    dh /= 2
    if shape[::-1] != new_unpad:
        im = cv2.resize(im, new_unpad, interpolation=cv2.INTER_LINEAR)
    top, bottom = round(dh - 0.1), round(dh + 0.1)
    left, right = round(dw - 0.1), round(dw + 0.1)
    im = cv2.copyMakeBorder(im, top, bottom, left, right, cv2.BORDER_CONSTANT, value=(114, 114, 114))
    x = im[None][..., ::-1].transpose(0, 3, 1, 2)  # BGR -> RGB, BHWC -> BCHW
    return np.ascontiguousarray(x).astype(np.float32) / 255.0


def ref_box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    lt = np.maximum(a[:, None, :2], b[None, :, :2])
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.prod(np.clip(rb - lt, 0, None), axis=2)
    area_a = np.prod(a[:, 2:] - a[:, :2], axis=1)
    area_b = np.prod(b[:, 2:] - b[:, :2], axis=1)
    return inter / (area_a[:, None] + area_b[None, :] - inter)


def ref_nms(prediction: np.ndarray, conf=0.25, iou=0.7, max_det=300) -> np.ndarray:
    """non_max_suppression for batch 1, best class per box, class-aware (offset 7680)."""
    nc = prediction.shape[1] - 4
    p = prediction[0].T.copy()  # (N, 4+nc)
    xy, wh = p[:, :2].copy(), p[:, 2:4].copy()
    p[:, :2], p[:, 2:4] = xy - wh / 2, xy + wh / 2
    p = p[p[:, 4 : 4 + nc].max(1) > conf]
    cls_conf, j = p[:, 4:].max(1), p[:, 4:].argmax(1)
    x = np.concatenate([p[:, :4], cls_conf[:, None], j[:, None].astype(np.float32)], 1)
    x = x[cls_conf > conf]
    boxes = x[:, :4] + x[:, 5:6] * 7680
    order = np.argsort(-x[:, 4])
    ious = ref_box_iou(boxes[order], boxes[order])
    suppressed = np.zeros(len(order), bool)
    keep = []
    for a in range(len(order)):  # torchvision.ops.nms semantics
        if suppressed[a]:
            continue
        keep.append(order[a])
        suppressed |= ious[a] > iou
    return x[keep][:max_det]


def ref_scale_boxes(img1_shape, boxes: np.ndarray, img0_shape) -> np.ndarray:
    gain = min(img1_shape[0] / img0_shape[0], img1_shape[1] / img0_shape[1])
    pad = (
        round((img1_shape[1] - img0_shape[1] * gain) / 2 - 0.1),
        round((img1_shape[0] - img0_shape[0] * gain) / 2 - 0.1),
    )
    boxes = boxes.copy()
    boxes[:, [0, 2]] -= pad[0]
    boxes[:, [1, 3]] -= pad[1]
    boxes[:, :4] /= gain
    boxes[:, [0, 2]] = boxes[:, [0, 2]].clip(0, img0_shape[1])
    boxes[:, [1, 3]] = boxes[:, [1, 3]].clip(0, img0_shape[0])
    return boxes


def xywh_iou(a, b) -> float:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    iw = max(0.0, min(ax + aw, bx + bw) - max(ax, bx))
    ih = max(0.0, min(ay + ah, by + bh) - max(ay, by))
    inter = iw * ih
    return inter / (aw * ah + bw * bh - inter)


# -- real models ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def raw_backend(shared_models: Path) -> YoloOnnxBackend:
    b = YoloOnnxBackend()
    b.configure(model_path=shared_models / "yolo11n.onnx")
    return b


@pytest.fixture(scope="module")
def e2e_backend(shared_models: Path) -> YoloOnnxBackend:
    b = YoloOnnxBackend()
    b.configure(model_path=shared_models / "yolo11n-nms.onnx")
    return b


def test_metadata_is_read(raw_backend: YoloOnnxBackend, e2e_backend: YoloOnnxBackend) -> None:
    assert raw_backend.ready() == (True, "")
    assert not raw_backend.end2end and e2e_backend.end2end
    assert len(raw_backend.categories()) == 80
    assert raw_backend.categories()[:4] == ["person", "bicycle", "car", "motorcycle"]
    assert raw_backend.kind == "detect"
    assert raw_backend.source == "model:yolo-onnx/yolo11n.onnx@" + raw_backend._meta["version"]


@pytest.mark.parametrize("picture", sorted(PICTURES))
def test_matches_reference_pipeline_and_readme(
    picture: str, raw_backend: YoloOnnxBackend, e2e_backend: YoloOnnxBackend
) -> None:
    load, expected_class, readme_score = PICTURES[picture]
    img = load()
    # reference: LetterBox -> session -> non_max_suppression -> scale_boxes
    tensor = ref_letterbox(img)
    out = raw_backend.session.run(None, {"images": tensor})[0]
    ref = ref_nms(out)
    ref[:, :4] = ref_scale_boxes((640, 640), ref[:, :4], img.shape[:2])
    ref_top = ref[ref[:, 5] == raw_backend.categories().index(expected_class)][0]
    ref_box = [ref_top[0], ref_top[1], ref_top[2] - ref_top[0], ref_top[3] - ref_top[1]]

    for backend in (raw_backend, e2e_backend):
        preds = backend.predict(img)
        best = max((p for p in preds if p.category == expected_class), key=lambda p: p.score)
        assert max(preds, key=lambda p: p.score).category == expected_class or picture == "coffee"
        assert best.score == pytest.approx(float(ref_top[4]), abs=0.02), backend.model_name
        assert xywh_iou(best.bbox, ref_box) >= 0.95, (backend.model_name, best.bbox, ref_box)
        assert best.score == pytest.approx(readme_score, abs=0.03)  # the README's figure, for orientation
    # the raw pipeline is ours end to end: same detections as the reference, not just the best one
    ours = raw_backend.predict(img)
    assert len(ours) == len(ref)
    for p, r in zip(ours, ref, strict=True):
        assert p.category == raw_backend.categories()[int(r[5])]
        assert p.score == pytest.approx(float(r[4]), abs=1e-4)
        assert np.allclose(p.bbox, [r[0], r[1], r[2] - r[0], r[3] - r[1]], atol=0.05)


def test_astronaut_person_covers_the_astronaut(raw_backend: YoloOnnxBackend) -> None:
    img = data.astronaut()
    person = next(p for p in raw_backend.predict(img) if p.category == "person")
    x, y, w, h = person.bbox
    # the astronaut fills the left two thirds of the picture, head to bottom edge
    assert x < 40 and y < 40 and 300 < x + w < 400 and y + h > 480


def test_raw_and_end_to_end_agree_and_threshold_applies(
    raw_backend: YoloOnnxBackend, e2e_backend: YoloOnnxBackend
) -> None:
    img = data.coffee()
    a, b = raw_backend.predict(img), e2e_backend.predict(img)
    assert [p.category for p in a] == [p.category for p in b]
    for p, q in zip(a, b, strict=True):
        assert p.score == pytest.approx(q.score, abs=0.02)
        assert xywh_iou(p.bbox, q.bbox) >= 0.95
    raw_backend.configure(score_threshold=0.5)
    try:
        assert all(p.score > 0.5 for p in raw_backend.predict(img))
        assert len(raw_backend.predict(img)) < len(a)
    finally:
        raw_backend.configure(score_threshold=0.25)


# -- tiny graphs: layouts and segmentation decoding ----------------------------------------------------

NAMES = "{0: 'a', 1: 'b'}"
# detections in network-input pixels (640x640); the image is 320 high x 640 wide -> gain 1, 160 px pad
# on top. Box A: x 150..450, y 170..310.
BOX_A = [150.0, 170.0, 450.0, 310.0]


def _protos() -> np.ndarray:
    """Two prototypes at 160x160: #0 = +1 inside rows 40..79, cols 40..119, -1 elsewhere; #1 = 0."""
    p = np.zeros((1, 2, 160, 160), np.float32)
    p[0, 0] = -1
    p[0, 0, 40:80, 40:120] = 1
    return p


def _expected_mask() -> np.ndarray:
    """By hand: coeffs [10, 0] -> logit +-10 -> sigmoid ~1 inside the prototype rectangle. Crop to the
    box at 1/4 scale (x 37.5..112.5, y 42.5..77.5) leaves rows 43..77, cols 40..112. Bilinear x4
    upsampling (half-pixel centres: source = y/4 - 0.375) crosses 0.5 at y = 171.5 and 311.5, x = 159.5
    and 451.5 -> input rows 172..311, cols 160..451 -> minus the 160 px top padding: rows 12..151.
    At the four corner pixels both directions weigh the inside by 0.625 -> 0.39 < 0.5: they drop out."""
    m = np.zeros((320, 640), bool)
    m[12:152, 160:452] = True
    m[[12, 12, 151, 151], [160, 451, 160, 451]] = False
    return m


def _raw_seg_output() -> np.ndarray:
    def anchor(box, scores, coeffs):
        x1, y1, x2, y2 = box
        return [(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1, *scores, *coeffs]

    anchors = [
        anchor(BOX_A, [0.9, 0.1], [10, 0]),  # kept
        anchor([155, 170, 455, 310], [0.8, 0.0], [10, 0]),  # same class, IoU 0.97 -> suppressed
        anchor(BOX_A, [0.05, 0.6], [10, 0]),  # other class, same box -> kept (class-aware NMS)
        anchor([0, 0, 50, 50], [0.2, 0.1], [10, 0]),  # below 0.25
    ]
    return np.asarray(anchors, np.float32).T[None]  # (1, 4+2+2, 4)


def test_segmentation_raw_layout(tmp_path: Path) -> None:
    path = constant_model(
        tmp_path / "seg.onnx", {"output0": _raw_seg_output(), "output1": _protos()}, metadata={"names": NAMES}
    )
    b = YoloOnnxBackend()
    b.configure(model_path=path)
    assert (b.kind, b.end2end, b.nm, b.categories()) == ("segment", False, 2, ["a", "b"])
    preds = b.predict(np.zeros((320, 640, 3), np.uint8))
    assert [(p.category, round(p.score, 3)) for p in preds] == [("a", 0.9), ("b", 0.6)]
    assert preds[0].bbox == pytest.approx([150, 10, 300, 140])
    for p in preds:
        assert p.mask is not None and p.mask.shape == (320, 640)
        assert np.array_equal(p.mask, _expected_mask())


def test_segmentation_end_to_end_layout(tmp_path: Path) -> None:
    rows = np.zeros((1, 300, 8), np.float32)
    rows[0, 0] = [*BOX_A, 0.9, 1, 10, 0]
    rows[0, 1] = [0, 0, 50, 50, 0.1, 0, 10, 0]  # below the threshold
    path = constant_model(
        tmp_path / "e2e.onnx", {"output0": rows, "output1": _protos()}, metadata={"names": NAMES}
    )
    b = YoloOnnxBackend()
    b.configure(model_path=path)
    assert b.end2end and b.kind == "segment"
    preds = b.predict(np.zeros((320, 640, 3), np.uint8))
    assert len(preds) == 1 and preds[0].category == "b"
    assert preds[0].bbox == pytest.approx([150, 10, 300, 140])
    assert np.array_equal(preds[0].mask, _expected_mask())


def test_detection_letterbox_scaling_by_hand(tmp_path: Path) -> None:
    """Image 200 high x 100 wide -> gain 3.2, resized 320x640, pad 160 left: input box x 160..480,
    y 0..640 is the whole image."""
    rows = np.zeros((1, 300, 6), np.float32)
    rows[0, 0] = [160, 0, 480, 640, 0.7, 0]
    rows[0, 1] = [192, 64, 256, 128, 0.5, 1]  # -> x (192-160)/3.2 = 10 .. 30, y 20 .. 40
    path = constant_model(tmp_path / "det.onnx", {"output0": rows}, metadata={"names": NAMES})
    b = YoloOnnxBackend()
    b.configure(model_path=path)
    preds = b.predict(np.zeros((200, 100), np.uint8))  # gray input is accepted
    assert preds[0].bbox == pytest.approx([0, 0, 100, 200])
    assert preds[1].bbox == pytest.approx([10, 20, 20, 20])
    assert preds[1].mask is None


def test_not_onnx_and_unexpected_shapes_are_clear(tmp_path: Path) -> None:
    bad = tmp_path / "model.onnx"
    bad.write_bytes(b"this is not a protobuf")
    b = YoloOnnxBackend()
    with pytest.raises(ModelLoadError, match="not an ONNX model"):
        b.configure(model_path=bad)
    ok, reason = b.ready()
    assert not ok and "not an ONNX model" in reason

    empty = tmp_path / "empty.onnx"  # an interrupted copy: onnxruntime said "No graph was found"
    empty.write_bytes(b"")
    with pytest.raises(ModelLoadError, match=r"empty\.onnx: not an ONNX model \(the file is empty"):
        b.configure(model_path=empty)

    shapes = constant_model(tmp_path / "shapes.onnx", {"output0": np.zeros((1, 10), np.float32)})
    with pytest.raises(ModelLoadError, match=r"unexpected output shape \[1, 10\]"):
        b.configure(model_path=shapes)
    wrong_input = constant_model(
        tmp_path / "input.onnx", {"output0": np.zeros((1, 84, 10), np.float32)}, input_shape=(1, 640)
    )
    with pytest.raises(ModelLoadError, match="unexpected input shape"):
        b.configure(model_path=wrong_input)
    with pytest.raises(ModelLoadError, match="not found"):
        b.configure(model_path=tmp_path / "missing.onnx")
    assert b.ready() == (False, f"{tmp_path / 'missing.onnx'}: YOLO ONNX model not found")


def test_no_model_and_no_onnxruntime(monkeypatch: pytest.MonkeyPatch) -> None:
    b = YoloOnnxBackend()
    assert b.ready() == (False, "no model file chosen")
    monkeypatch.setitem(__import__("sys").modules, "onnxruntime", None)
    ok, reason = b.ready()
    assert not ok and "onnxruntime is not installed" in reason and "pip install" in reason


def test_nan_or_infinite_raw_outputs_are_a_message_not_annotations(tmp_path: Path) -> None:
    """A raw head with a NaN centre gave a NaN box (stored as null: the project failed validation); an
    infinite class score an infinite score (stored as null)."""
    for name, column in (("nan_box", [np.nan, 10, 5, 5, 0.9, 0]), ("inf_score", [10, 10, 5, 5, np.inf, 0])):
        raw = np.array([column, [30, 30, 5, 5, 0.8, 0]], np.float32).T[None]  # [1, 4 + 2 classes, 2]
        path = constant_model(tmp_path / f"{name}.onnx", {"output0": raw}, (1, 3, 64, 64), {"names": NAMES})
        b = YoloOnnxBackend()
        b.configure(model_path=path)
        with pytest.raises(
            BackendError, match=rf"the model {name}\.onnx gave a box, score or class id that is"
        ):
            predict_safely(b, np.zeros((40, 60, 3), np.uint8))


def test_a_nan_or_infinite_class_id_is_a_message_naming_the_model(tmp_path: Path) -> None:
    """An end-to-end export's class column is a float: NaN came out as 'ValueError: cannot convert float
    NaN to integer', naming neither the model nor what was wrong."""
    for value in (np.nan, np.inf):
        rows = np.zeros((1, 2, 6), np.float32)
        rows[0, 0] = [10, 10, 40, 40, 0.9, 0]
        rows[0, 1] = [10, 10, 40, 40, 0.8, value]
        path = constant_model(tmp_path / "e2e.onnx", {"output0": rows}, (1, 3, 64, 64), {"names": NAMES})
        b = YoloOnnxBackend()
        b.configure(model_path=path)
        with pytest.raises(
            BackendError, match=r"the model e2e\.onnx gave a box, score or class id that is not"
        ):
            predict_safely(b, np.zeros((64, 64, 3), np.uint8))


@pytest.mark.parametrize("name", ["yolo11n.onnx", "yolo11n-nms.onnx"])
def test_yolo_onnx_says_what_it_found_as_the_onnx_backend_does(shared_models: Path, name: str) -> None:
    """yolo-onnx had no ``model_info``: the family, where the class names came from and what was assumed
    were shown by ``backends --model`` and the Model panel for the ``onnx`` backend only (the same file)."""
    from pixelproof.inference.onnx_models import OnnxModelBackend

    yolo, onnx = YoloOnnxBackend(), OnnxModelBackend()
    for b in (yolo, onnx):
        b.configure(model_path=shared_models / name)
    info = yolo.describe()["model"]
    assert info == onnx.describe()["model"]
    assert info["family"] == "ultralytics" and info["classes_from"] == "ONNX metadata 'names'"
    assert ("end-to-end" in info["layout"]) == yolo.end2end and "640x640" in info["layout"], info


def test_a_yolo_export_without_names_or_size_says_what_it_assumed(tmp_path: Path) -> None:
    """No 'names' and a dynamic input without 'imgsz': class<id> names and Ultralytics' 640x640 are guesses,
    said by yolo-onnx and, for the same file, by the onnx backend (it said class_<id>, which no class was)."""
    from pixelproof.inference.onnx_models import OnnxModelBackend

    path = constant_model(
        tmp_path / "bare.onnx", {"output0": np.zeros((1, 6, 100), np.float32)}, (1, 3, "h", "w")
    )
    yolo, onnx = YoloOnnxBackend(), OnnxModelBackend()
    for b in (yolo, onnx):
        b.configure(model_path=path)
    info = yolo.describe()["model"]
    assert info == onnx.describe()["model"]
    assert yolo.categories() == onnx.categories() == ["class0", "class1"]
    assert info["classes_from"] == "none known: class<id>", info
    assert any("class<id>" in a for a in info["assumptions"]), info
    assert any("640x640" in a and "imgsz" in a for a in info["assumptions"]), info
