"""ExistingObjects.repeats: IoU of a prediction with what the image already has, checked against
pycocotools' own ``mask.iou`` (masks vs polygons) and box IoU when either side is a box."""

from __future__ import annotations

import numpy as np
from pycocotools import mask as mask_utils

from pixelproof.core import masks
from pixelproof.core.model import Annotation
from pixelproof.inference.existing import ExistingObjects

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
            assert objects.repeats(1, rle, masks.bbox(m), threshold) == (want > threshold), (shift, threshold)
        # the same shape under another category never counts
        assert not objects.repeats(3, rle, masks.bbox(m), 0.0)
        want_sq = pyco_iou(rle, square_rle)
        assert objects.repeats(2, rle, masks.bbox(m), 0.2) == (want_sq > 0.2)
    # a predicted box against an existing box: box IoU
    assert objects.repeats(1, None, [92.0, 10.0, 20.0, 20.0], 0.5)  # IoU 18/22
    assert not objects.repeats(1, None, [100.0, 10.0, 20.0, 20.0], 0.5)  # IoU 10/30
    # what a batch adds counts too
    objects.add(2, None, [0.0, 0.0, 10.0, 10.0])
    assert objects.repeats(2, None, [1.0, 0.0, 10.0, 10.0], 0.5)


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
    seen, _ = predict_project(project, backend, [coins])
    ((_, proposal),) = propose(project, backend, [coins], PredictionMapper(project, backend.source))
    assert len(seen[coins.id]) == len(proposal.annotations) + proposal.skipped >= 20
    assert proposal.skipped >= 18
