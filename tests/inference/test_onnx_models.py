"""The ``onnx`` backend against torch's own outputs on real torchvision architectures (../shared/models/seed:
random weights, real export layouts): boxes, labels, scores and masks of Faster R-CNN, RetinaNet, SSDlite and
Mask R-CNN, and the class maps of DeepLabV3, LRASPP and U-Net, matched order-free within the issue's
tolerances. Plus the family detection and model card rules on those files."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image
from pycocotools import mask as mask_utils
from scipy.optimize import linear_sum_assignment
from scipy.special import softmax

from pixelproof.inference.base import BackendError, ModelLoadError
from pixelproof.inference.onnx_models import OnnxModelBackend

pytest.importorskip("onnxruntime")

DETECTION_CLASSES = ["__background__", "person", "car", "dog", "cat"]
SEMANTIC_CLASSES = ["background", "person", "car", "dog"]
PICTURES = ("astronaut", "coffee")


@pytest.fixture(scope="module")
def seed(shared_models: Path) -> Path:
    path = shared_models / "seed"
    if not (path / "MODELS.json").is_file():
        pytest.skip(f"seed models not found at {path}")
    return path


def model_with_card(folder: Path, seed: Path, name: str, card: dict | None) -> Path:
    """A link to the shared model in ``folder`` with ``card`` beside it as ``<model>.onnx.json``."""
    link = folder / f"{name}.onnx"
    if not link.exists():
        link.symlink_to(seed / f"{name}.onnx")
    card_file = folder / f"{name}.onnx.json"
    if card is None:
        card_file.unlink(missing_ok=True)
    else:
        card_file.write_text(json.dumps(card))
    return link


def load(folder: Path, seed: Path, name: str, card: dict | None, **options) -> OnnxModelBackend:
    b = OnnxModelBackend()
    b.configure(model_path=model_with_card(folder, seed, name, card), threads=2, **options)
    return b


def picture(seed: Path, name: str) -> np.ndarray:
    return np.asarray(Image.open(seed / "images" / f"{name}.png").convert("RGB"))


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    lt = np.maximum(a[:, None, :2], b[None, :, :2])
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.prod(np.clip(rb - lt, 0, None), axis=2)
    area = lambda x: np.prod(x[:, 2:] - x[:, :2], axis=1)  # noqa: E731
    return inter / (area(a)[:, None] + area(b)[None, :] - inter)


def check_against_torch(seed: Path, backend: OnnxModelBackend, model: str, pic: str) -> int:
    """Order-free matching (same label, box IoU >= 0.9); boxes within 0.1 px, scores within 5e-4, masks
    IoU >= 0.99. Detections the reference marks fragile (NMS ties) may be missing. Returns matches."""
    ref = json.loads((seed / "reference" / f"{model}__{pic}.json").read_text())
    image = picture(seed, pic)
    preds = backend.predict(image)
    fragile = set(ref["float_noise_stability"]["fragile_indices"])
    assert abs(len(preds) - ref["num_detections"]) <= len(fragile)
    ours = np.array([[p.bbox[0], p.bbox[1], p.bbox[0] + p.bbox[2], p.bbox[1] + p.bbox[3]] for p in preds])
    theirs = np.array(ref["boxes_xyxy"], np.float64)
    labels = [DETECTION_CLASSES[i] for i in ref["labels"]]
    cost = 1 - box_iou(theirs, ours)
    cost[np.array(labels)[:, None] != np.array([p.category for p in preds])[None, :]] = 9
    rows, cols = linear_sum_assignment(cost)
    matched = {r: c for r, c in zip(rows, cols, strict=True) if cost[r, c] <= 0.1}
    assert set(range(len(theirs))) - set(matched) <= fragile
    h, w = image.shape[:2]
    for r, c in matched.items():
        p = preds[c]
        assert abs(p.score - ref["scores"][r]) <= 5e-4, (r, p.score, ref["scores"][r])
        if "masks_rle" in ref:
            want = mask_utils.decode(ref["masks_rle"][r]).astype(bool)
            got = p.full_mask(h, w)
            assert (want & got).sum() / max(1, (want | got).sum()) >= 0.99, r
        else:
            assert np.abs(ours[c] - theirs[r]).max() <= 0.1, (r, ours[c], theirs[r])
    return len(matched)


@pytest.mark.parametrize("model", ["faster_rcnn", "retinanet", "ssdlite", "mask_rcnn"])
def test_detectors_equal_torch(tmp_path: Path, seed: Path, model: str) -> None:
    card = {"classes": DETECTION_CLASSES, "background": 0}
    b = load(tmp_path, seed, model, card, score_threshold=0)
    family = "torchvision-mask-rcnn" if model == "mask_rcnn" else "torchvision-detection"
    assert b.family == family and b.kind == ("segment" if model == "mask_rcnn" else "detect")
    assert b.categories() == DETECTION_CLASSES[1:]
    assert sum(check_against_torch(seed, b, model, pic) for pic in PICTURES) >= 55


def test_names_copied_from_another_family_do_not_fool_the_binding(tmp_path: Path, seed: Path) -> None:
    """RetinaNet's order is boxes, scores, labels; an export that copied Faster R-CNN's output_names
    calls the scores 'labels' and the labels 'scores'. Binding by dtype still reads them right."""
    import onnx

    model = onnx.load(str(seed / "retinanet.onnx"))
    rename = {"scores": "labels", "labels": "scores"}
    tmp = {name: f"tmp_{name}" for name in rename}
    for step in (tmp, {f"tmp_{k}": v for k, v in rename.items()}):
        for node in model.graph.node:
            node.output[:] = [step.get(o, o) for o in node.output]
            node.input[:] = [step.get(i, i) for i in node.input]
        for out in model.graph.output:
            out.name = step.get(out.name, out.name)
    swapped = tmp_path / "retinanet_misnamed.onnx"
    onnx.save(model, str(swapped))
    assert [o.name for o in model.graph.output] == ["boxes", "labels", "scores"]
    (tmp_path / "retinanet_misnamed.onnx.json").write_text(json.dumps({"classes": DETECTION_CLASSES}))
    b = OnnxModelBackend()
    b.configure(model_path=swapped, threads=2, score_threshold=0)
    assert check_against_torch(seed, b, "retinanet", "coffee") == 50


@pytest.mark.parametrize("model", ["deeplabv3", "lraspp", "unet"])
def test_semantic_argmax_equals_torch(tmp_path: Path, seed: Path, model: str) -> None:
    card = {"family": "semantic", "classes": SEMANTIC_CLASSES, "background": 0}
    b = load(tmp_path, seed, model, card, min_area=1)  # every component, speckles included
    assert b.kind == "segment" and b.categories() == SEMANTIC_CLASSES[1:]
    for pic in PICTURES:
        image = picture(seed, pic)
        h, w = image.shape[:2]
        want = np.asarray(Image.open(seed / "reference" / f"{model}__{pic}.png"))
        got = np.zeros((h, w), np.uint8)  # background where no mask
        preds = b.predict(image)
        for p in preds:
            m = p.full_mask(h, w)
            assert not got[m].any()  # masks never overlap
            got[m] = SEMANTIC_CLASSES.index(p.category)
        assert (got == want).mean() >= 0.999, (model, pic, (got == want).mean())
        # one mask per 8-connected component of each class (counted by OpenCV apart from the backend)
        for cls in (1, 2, 3):
            n = cv2.connectedComponents((got == cls).view(np.uint8), connectivity=8)[0] - 1
            assert sum(p.category == SEMANTIC_CLASSES[cls] for p in preds) == n


def test_semantic_score_is_mean_softmax_and_per_class_mode(tmp_path: Path, seed: Path) -> None:
    """Score = mean softmax probability of the class over the mask, checked with scipy on the logits
    run apart from the backend (DeepLabV3 runs at the image size: no resize on either side)."""
    import onnxruntime as ort

    card = {"family": "semantic", "classes": SEMANTIC_CLASSES, "background": 0}
    b = load(tmp_path, seed, "deeplabv3", card, instances="class", min_area=50)
    image = picture(seed, "coffee")
    x = ((image / 255 - [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225]).astype(np.float32)
    session = ort.InferenceSession(str(seed / "deeplabv3.onnx"), providers=["CPUExecutionProvider"])
    logits = session.run(None, {"input": x.transpose(2, 0, 1)[None]})[0][0]
    probs, classes = softmax(logits, axis=0), logits.argmax(axis=0)
    preds = b.predict(image)
    ref = json.loads((seed / "reference" / "deeplabv3__coffee.json").read_text())
    big = [
        SEMANTIC_CLASSES[i] for i, n in enumerate(ref["class_pixel_counts_original_size"]) if i and n >= 50
    ]
    assert sorted(p.category for p in preds) == sorted(big)  # one per class, small classes dropped
    counts = ref["class_pixel_counts_original_size"]
    assert b.speckles_dropped == sum(1 for i, n in enumerate(counts) if i and 0 < n < 50)  # and counted
    for p in preds:
        m = p.full_mask(*image.shape[:2])
        cls = SEMANTIC_CLASSES.index(p.category)
        assert np.array_equal(m, classes == cls)
        assert p.score == pytest.approx(float(probs[cls][m].mean()), abs=1e-4)


def test_semantic_speckles_under_min_area_are_dropped_and_counted(tmp_path: Path, seed: Path) -> None:
    """By default components under 16 px are dropped and counted (``speckles_dropped``: the batch
    reports it); the others are exactly those ``min_area=1`` gives."""
    card = {"family": "semantic", "classes": SEMANTIC_CLASSES, "background": 0}
    every = load(tmp_path, seed, "unet", card, min_area=1)
    default = load(tmp_path, seed, "unet", card)
    assert default.min_area == 16
    image = picture(seed, "astronaut")
    all_preds, kept = every.predict(image), default.predict(image)
    h, w = image.shape[:2]
    areas = [int(np.count_nonzero(p.full_mask(h, w))) for p in all_preds]
    assert sum(a < 16 for a in areas) > 1000  # random weights: mostly speckles
    assert default.speckles_dropped == sum(a < 16 for a in areas) and every.speckles_dropped == 0
    want = sorted((p.category, p.bbox, p.score) for p, a in zip(all_preds, areas, strict=True) if a >= 16)
    assert sorted((p.category, p.bbox, p.score) for p in kept) == want
    for p in kept:  # the mask's pixels in its box (tiling and previews work on them) are the RLE's
        q = p.with_mask()
        x, y, bw, bh = (int(v) for v in p.bbox)
        assert q.offset == (x, y) and q.mask.shape == (bh, bw)
        assert np.array_equal(q.full_mask(h, w), mask_utils.decode(p.rle).astype(bool))
    default.predict(image)
    assert default.speckles_dropped == 2 * sum(a < 16 for a in areas)  # counted across calls


def test_semantic_model_tiled_gives_masks_as_stored(tmp_path: Path, seed: Path) -> None:
    """Tiled, a semantic model's components (RLE of the tile) become mask crops in the picture, merged
    across seams, and are stored as those pixels."""
    from pixelproof.inference.apply import to_shapes
    from pixelproof.inference.tiling import ArrayRegions, Tiling, predict_tiled

    card = {"family": "semantic", "classes": SEMANTIC_CLASSES, "background": 0}
    b = load(tmp_path, seed, "lraspp", card, min_area=64)
    image = picture(seed, "coffee")
    h, w = image.shape[:2]
    preds = predict_tiled(b, ArrayRegions(image), Tiling(256, 0.25))
    assert len(preds) > 10 and all(p.mask is not None for p in preds)
    shapes, dropped, _ = to_shapes(preds, h, w)
    assert dropped == 0 and len(shapes) == len(preds)
    for p, s in zip(preds, shapes, strict=True):
        assert np.array_equal(mask_utils.decode(s.segmentation).astype(bool), p.full_mask(h, w))


def test_family_is_detected_without_a_card_and_said(tmp_path: Path, seed: Path) -> None:
    b = load(tmp_path, seed, "ssdlite", None, score_threshold=0)
    info = b.describe()["model"]
    assert info["family"] == "torchvision-detection"
    assert "boxes=boxes, labels=labels, scores=scores" in info["layout"]
    assert any("class_<id>" in a for a in info["assumptions"])
    assert {p.category for p in b.predict(picture(seed, "coffee"))} <= {f"class_{i}" for i in range(1, 5)}
    assert b.score_threshold == 0  # given by the user: not replaced by the family default
    b = load(tmp_path, seed, "lraspp", None)
    info = b.describe()["model"]
    assert info["family"] == "semantic" and b.score_threshold == 0.0
    assert any("320x320" in a for a in info["assumptions"])
    assert b.categories() == ["class_1", "class_2", "class_3"]  # 4 logit channels, 0 = background
    b = load(tmp_path, seed, "mask_rcnn", None)
    assert b.family == "torchvision-mask-rcnn" and b.score_threshold == 0.5


def test_classes_file_and_card_errors(tmp_path: Path, seed: Path) -> None:
    names = tmp_path / "names.txt"
    names.write_text("bg\nhuman\nvehicle\nhound\n\n")
    b = load(tmp_path, seed, "unet", None, classes_file=names)
    assert (
        b.categories() == ["human", "vehicle", "hound"]
        and "names.txt" in b.describe()["model"]["classes_from"]
    )
    bad_cards = [
        ({"family": "yolo"}, "family: 'yolo' is not one of"),
        ({"input": {"mean": [0.5, 0.5]}}, r"input.mean: expected 3 numbers"),
        ({"input": {"std": [1, 0, 1]}}, r"input.std: must be > 0"),
        (
            {"input": {"size": [320, 321]}},
            r"card's input size \[320, 321\] differs from the model's \[320, 320\]",
        ),
        ({"background": -1}, "background: expected a class index"),
        ({"classes": "person"}, "classes: expected a list"),
        ({"family": "torchvision-mask-rcnn"}, "no masks"),
    ]
    for card, message in bad_cards:
        with pytest.raises(ModelLoadError, match=message):
            load(tmp_path, seed, "lraspp" if "input" in card else "faster_rcnn", card)
    (tmp_path / "lraspp.onnx.json").write_text('{"family": "semantic",')
    b = OnnxModelBackend()
    with pytest.raises(ModelLoadError, match=r"lraspp.onnx.json: model card is not JSON: line 1"):
        b.configure(model_path=tmp_path / "lraspp.onnx")
    assert b.ready()[0] is False and "not JSON" in b.ready()[1]
    with pytest.raises(BackendError, match="instances must be"):
        b.configure(instances="blobs")


def test_a_card_number_too_big_for_a_float_is_a_card_error(tmp_path: Path) -> None:
    """An input scale, mean or std of 400 digits: math.isfinite raised OverflowError out of read_card."""
    from pixelproof.inference.model_card import read_card

    for key, value in (
        ("scale", "9" * 400),
        ("mean", f"[0, {'9' * 400}, 0]"),
        ("std", f"[1, 1, {'9' * 400}]"),
    ):
        (tmp_path / "m.onnx.json").write_text(f'{{"input": {{"{key}": {value}}}}}')
        with pytest.raises(
            ModelLoadError, match=rf"m\.onnx\.json: input\.{key}(\[\d\])?: expected a finite number"
        ):
            read_card(tmp_path / "m.onnx")


def test_a_card_that_json_cannot_hold_in_python_is_a_card_error(tmp_path: Path) -> None:
    """json.loads raised ValueError (an integer of 5,000 digits, over Python's limit) or RecursionError
    (100,000 nested lists) out of read_card, past its JSONDecodeError handler."""
    from pixelproof.inference.model_card import read_card

    for text, reason in (
        ('{"input": {"scale": ' + "1" * 5000 + "}}", "Exceeds the limit"),
        ('{"classes": ' + "[" * 100_000 + "]" * 100_000 + "}", "maximum recursion depth"),
    ):
        (tmp_path / "m.onnx.json").write_text(text)
        with pytest.raises(
            ModelLoadError, match=rf"m\.onnx\.json: model card is not readable JSON: {reason}"
        ):
            read_card(tmp_path / "m.onnx")


def test_metadata_class_names_json_or_python_cannot_read_are_ignored() -> None:
    """ONNX metadata ``names`` of 100,000 nested lists raised RecursionError out of json.loads, and a
    Python literal ``{1e400: 'a'}`` raised OverflowError from int(inf); neither is a class list."""
    from pixelproof.inference.model_card import metadata_classes

    assert metadata_classes({"names": "{1e400: 'a'}"}) == (None, "")
    deep = "[" * 100_000 + "]" * 100_000
    names, key = metadata_classes({"names": deep})
    assert key == "names" and names == [deep]  # read as one name a line, as any text that is no list
    assert metadata_classes({"names": '["a", "b"]'}) == (["a", "b"], "names")


@pytest.mark.parametrize("family", ["semantic", "torchvision-detection", "torchvision-mask-rcnn"])
def test_a_graph_without_inputs_whose_card_names_a_family_is_a_load_error(
    tmp_path: Path, family: str
) -> None:
    """The card skips family detection (which wants one input): inputs[0] raised IndexError out of
    configure."""
    from tests.inference.graphs import constant_graph

    path = constant_graph(tmp_path / "noinput.onnx", {}, {"out": np.zeros((1, 4, 8, 8), np.float32)})
    (tmp_path / "noinput.onnx.json").write_text(json.dumps({"family": family}))
    with pytest.raises(ModelLoadError, match=r"noinput\.onnx: a .* takes one .*; inputs are \[\]"):
        OnnxModelBackend().configure(model_path=path)


def test_an_input_predict_cannot_feed_is_a_load_error(tmp_path: Path) -> None:
    """A uint8 or fp16 picture input, a fixed side of 0 or a 1-channel detector loaded, then every picture
    failed with onnxruntime's 'Unexpected input data type' or 'Got invalid dimensions', naming no file."""
    import onnx
    from onnx import TensorProto

    from tests.inference.graphs import constant_graph

    detection = {
        "boxes": np.zeros((0, 4), np.float32),
        "labels": np.zeros(0, np.float32),
        "scores": np.zeros(0, np.float32),
    }
    logits = {"out": np.zeros((1, 4, 8, 8), np.float32)}
    cases = [
        ("u8", "semantic", [1, 3, "h", "w"], TensorProto.UINT8, "is tensor\\(uint8\\); expected float32"),
        ("f16", "torchvision-detection", [3, "h", "w"], TensorProto.FLOAT16, "is tensor\\(float16\\)"),
        ("zero", "semantic", [1, 3, 0, 16], TensorProto.FLOAT, "has a side of 0"),
        ("gray", "torchvision-detection", [1, "h", "w"], TensorProto.FLOAT, "takes one image \\[3, H, W\\]"),
    ]
    for name, family, shape, dtype, message in cases:
        path = constant_graph(
            tmp_path / f"{name}.onnx", {"images": shape}, logits if family == "semantic" else detection
        )
        model = onnx.load(str(path))
        model.graph.input[0].type.tensor_type.elem_type = dtype
        model.graph.node.insert(
            0, onnx.helper.make_node("Cast", ["images_in"], ["images"], to=TensorProto.FLOAT)
        )
        model.graph.input[0].name = "images_in"
        onnx.save(model, str(path))
        (tmp_path / f"{name}.onnx.json").write_text(json.dumps({"family": family}))
        with pytest.raises(ModelLoadError, match=rf"{name}\.onnx: .*{message}"):
            OnnxModelBackend().configure(model_path=path)
