"""ExistingObjects.repeats: IoU of a prediction with what the image already has, checked against
pycocotools' own ``mask.iou`` (masks vs polygons) and box IoU when either side is a box."""

from __future__ import annotations

import itertools

import numpy as np
from pycocotools import mask as mask_utils

from pixelproof.core import masks
from pixelproof.core.model import Annotation
from pixelproof.inference.existing import ExistingObjects, Repeat, _overlapping_pairs

H, W = 80, 120


def disc(cx: float, cy: float, r: float) -> np.ndarray:
    yy, xx = np.mgrid[:H, :W]
    return (xx - cx) ** 2 + (yy - cy) ** 2 <= r * r


def pyco_iou(a: dict, b: dict) -> float:
    def fix(r: dict) -> dict:
        return {
            "size": r["size"],
            "counts": r["counts"].encode() if isinstance(r["counts"], str) else r["counts"],
        }

    return float(mask_utils.iou([fix(a)], [fix(b)], [0])[0, 0])


def test_masks_and_polygons_against_pycocotools() -> None:
    square = [[30.0, 20.0, 70.0, 20.0, 70.0, 60.0, 30.0, 60.0]]
    existing = [
        Annotation(1, 1, 1, masks.bbox(disc(40, 40, 15)), segmentation=masks.encode(disc(40, 40, 15))),
        Annotation(2, 1, 2, masks.polygons_bbox(square), segmentation=square),
        Annotation(3, 1, 1, [90.0, 10.0, 20.0, 20.0]),  # a box
    ]
    objects = ExistingObjects(existing, H, W)
    square_rle = masks.compress(masks.polygons_to_rle(square, H, W))
    for shift in (0, 3, 6, 9, 12, 16):
        m = disc(40 + shift, 40, 15)
        rle = masks.encode(m)
        want = pyco_iou(rle, masks.encode(disc(40, 40, 15)))
        for threshold in (0.3, 0.5, 0.7):
            for shape in (objects.shape(rle), objects.shape(None, ((0, 0, W, H), m))):  # RLE or crop
                assert objects.repeats(1, shape, masks.bbox(m), threshold) == (want > threshold), shift
        # the same shape under another category never counts
        assert not objects.repeats(3, objects.shape(rle), masks.bbox(m), 0.0)
        want_sq = pyco_iou(rle, square_rle)
        assert objects.repeats(2, objects.shape(rle), masks.bbox(m), 0.2) == (want_sq > 0.2)
    # a predicted box against an existing box: box IoU
    box = objects.shape(None)
    assert objects.repeats(1, box, [92.0, 10.0, 20.0, 20.0], 0.5)  # IoU 18/22
    assert not objects.repeats(1, box, [100.0, 10.0, 20.0, 20.0], 0.5)  # IoU 10/30
    # what a batch adds counts too, past the first growth of the box array
    for i in range(40):
        objects.add(2, box, [200.0 + i, 0.0, 10.0, 10.0])
    objects.add(2, box, [0.0, 0.0, 10.0, 10.0])
    assert objects.repeats(2, box, [1.0, 0.0, 10.0, 10.0], 0.5)


def test_lint_sees_every_prediction_prelabel_only_the_new_ones(tmp_path) -> None:
    """What lint compares with the labels must include the predictions that agree with them; what
    pre-labeling adds must not repeat them (the demo's 24 labeled coins)."""
    from pixelproof.core.coco import load_project
    from pixelproof.core.demo import install_demo
    from pixelproof.inference.apply import PredictionMapper, predict_project, propose
    from pixelproof.inference.classical import ThresholdBackend

    project = load_project(install_demo(tmp_path / "demo"))
    coins = next(i for i in project.images.values() if i.file_name.endswith("coins.png"))
    backend = ThresholdBackend()
    backend.configure(category="coin", background_radius=60)
    seen, _, _ = predict_project(project, backend, [coins])
    ((_, proposal),) = propose(project, backend, [coins], PredictionMapper(project, backend.source))
    assert len(seen[coins.id]) == len(proposal.annotations) + proposal.skipped >= 20
    assert proposal.skipped >= 18


def test_region_rle_equals_pycocotools_encode() -> None:
    """The RLE of a crop placed in an image (what every tile/box-sized prediction becomes) is byte-equal
    to pycocotools' encoding of the full mask: full-height crops, the first and last pixel included."""
    from pixelproof.core import rle_codec

    rng = np.random.default_rng(0)
    for _ in range(400):
        height, width = (int(v) for v in rng.integers(1, 30, 2))
        w, h = int(rng.integers(0, width + 1)), int(rng.integers(0, height + 1))
        if rng.random() < 0.3:
            h = height
        x, y = int(rng.integers(0, width - w + 1)), int(rng.integers(0, height - h + 1))
        crop = rng.random((h, w)) < rng.random()
        full = np.zeros((height, width), bool)
        full[y : y + h, x : x + w] = crop
        assert rle_codec.region_rle((x, y, w, h), crop, height, width) == masks.encode(full)


def test_add_new_answers_as_repeats_then_add_one_by_one() -> None:
    """The batched check (pairs screened in numpy, bounded by box intersection / the larger mask) skips
    exactly what checking each new object against the image's and the earlier kept ones does."""
    rng = np.random.default_rng(5)
    one = [Annotation(1, 1, 1, masks.bbox(disc(40, 40, 12)), segmentation=masks.encode(disc(40, 40, 12)))]
    for had, threshold in itertools.product((one, []), (0.1, 0.5, 0.8)):  # [] : only new ones to repeat
        new = []
        for k in range(120):
            cat = int(rng.integers(1, 3))
            if k % 7 == 3 and new:  # a duplicate of an earlier one: repeats at any threshold
                new.append(new[int(rng.integers(0, len(new)))])
                continue
            if k % 5 == 0:  # a box
                x, y = (float(v) for v in rng.integers(0, 100, 2))
                new.append((cat, None, [x, y, float(rng.integers(2, 20)), float(rng.integers(2, 20))], 0.0))
                continue
            m = disc(
                *(float(v) for v in rng.integers(10, 110, 1)),
                float(rng.integers(10, 70)),
                1 + rng.random() * 12,
            )
            m &= rng.random(m.shape) < 0.9  # speckled, so the box is not the mask
            if not m.any():
                continue
            x, y, w, h = (int(v) for v in masks.bbox(m))
            new.append((cat, ((x, y, w, h), m[y : y + h, x : x + w]), masks.bbox(m), float(m.sum())))
        one_by_one = ExistingObjects(had, H, W)
        want = []
        for cat, crop, bbox, _ in new:
            shape = one_by_one.shape(None, crop)
            first = sum(a.category_id == cat for a in had)  # the objects the image had, of its class
            if one_by_one.repeats(cat, shape, bbox, threshold, first=first):
                want.append(Repeat.EXISTING)
            else:
                want.append(Repeat.RUN if one_by_one.repeats(cat, shape, bbox, threshold) else Repeat.NONE)
            if not want[-1]:
                one_by_one.add(cat, shape, bbox)
        batched = ExistingObjects(had, H, W)
        got = batched.add_new([(c, batched.shape(None, crop), b, a) for c, crop, b, a in new], threshold)
        assert got == want and 0 < sum(map(bool, got)) < len(got), threshold
        assert Repeat.RUN in got, threshold  # the duplicates of kept ones: said apart from repeats of `had`
        for cat, crop, bbox, _ in new:  # both hold the same objects afterwards
            shapes = one_by_one.shape(None, crop), batched.shape(None, crop)
            assert one_by_one.repeats(cat, shapes[0], bbox, 0.3) == batched.repeats(cat, shapes[1], bbox, 0.3)
        objs = [(c, batched.shape(None, crop), b, a) for c, crop, b, a in new]
        assert _overlapping_pairs(objs, threshold, batch=7) == _overlapping_pairs(objs, threshold)


def test_mask_iou_on_runs_equals_iou_on_pixels() -> None:
    """Two shapes known only by compressed RLE are compared run by run (nothing decoded): the same IoU
    as their pixels give."""
    from pixelproof.inference.existing import Shape, _mask_iou

    rng = np.random.default_rng(3)
    for _ in range(20):
        a, b = disc(*rng.uniform(10, 50, 3)), disc(*rng.uniform(10, 50, 3))
        ra, rb = (masks.encode(m) for m in (a, b))
        pixels = np.count_nonzero(a & b) / max(1, np.count_nonzero(a | b))
        sa, sb = Shape(ra), Shape(rb)
        by_runs = _mask_iou(sa, sb)
        assert sa._crop is None and sb._crop is None and abs(by_runs - pixels) < 1e-9
        crops = Shape(ra), Shape(rb)
        crops[0].crop(), crops[1].crop()
        assert abs(_mask_iou(*crops) - pixels) < 1e-9  # decoded: the crop path


def test_a_mask_stored_cropped_is_compared_where_it_is() -> None:
    """A mask stored cropped to its box (``rle_origin``, how huge images keep their masks) sits at its
    origin: the same mask predicted again repeats it (it was compared as if at (0, 0): IoU 0, a
    duplicate added), on the app's path and on a batch worker's (objects sent by category name)."""
    from pixelproof.core.coco import new_project
    from pixelproof.core.limits import RLE_ORIGIN
    from pixelproof.core.model import ImageRecord
    from pixelproof.inference.apply import existing_objects, image_objects

    labeled = disc(80, 40, 15)
    rle, origin = masks.encode_cropped(labeled)
    ann = Annotation(1, 1, 1, masks.bbox(labeled), segmentation=rle, area=float(labeled.sum()),
                     app_extra={RLE_ORIGIN: origin})  # fmt: skip
    project = new_project(["coin"])
    project.add_image(ImageRecord(1, "a.png", W, H))
    project.add_annotation(ann)
    by_id = ExistingObjects([ann], H, W)
    by_name = existing_objects(image_objects(project, 1), H, W)
    full = masks.encode(labeled)
    for shift in (0, 6, 12):
        m = disc(80 + shift, 40, 15)
        want = pyco_iou(masks.encode(m), full)
        cropped, at = masks.encode_cropped(m)
        for objects, key in ((by_id, 1), (by_name, "coin")):
            for shape in (objects.shape(masks.encode(m)), objects.shape(cropped, origin=at)):
                for threshold in (0.3, 0.5, 0.7):
                    assert objects.repeats(key, shape, masks.bbox(m), threshold) == (want > threshold), shift
    # two crops of the same size at different places do not overlap at all
    elsewhere, at = masks.encode_cropped(disc(20, 20, 15))
    assert not by_id.repeats(1, by_id.shape(elsewhere, origin=at), masks.bbox(disc(20, 20, 15)), 0.0)
