"""QA's object counts with crowd regions checked against pycocotools' own ``COCOeval.evaluateImg``.

Random scenes of crowd and non-crowd reference objects (masks, and boxes) are scored by ``run_qa`` and by
``COCOeval`` (every detection score 1.0, one IoU threshold, one area range covering everything). From
``evalImgs`` per image and category: TP = detections matched to a non-ignored ground truth, ignored =
``dtIgnore``, FP = the other detections, FN = non-crowd ground truths left unmatched. QA's counts per
image and category must be the same.

COCOeval matches greedily in score order while QA solves a one-to-one assignment (Hungarian), so the
scenes are built where both must agree: the image is a grid of cells and every object stays inside its
cell; in a cell each non-crowd reference object is overlapped by at most one candidate of any size that
could reach the threshold (the other candidates of a crowd cell are small: IoU < 0.3 with it). The
threshold 0.5512345 is a ratio no pixel or integer-box count can hit, so COCO's ``>=`` and QA's ``>``
draw the same line. Candidate crowd regions are left out: COCOeval has no such notion (it scores every
detection as an ordinary one), while QA leaves them out of matching on purpose.
"""

from __future__ import annotations

import numpy as np
import pytest
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from pixelproof.core import masks
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from pixelproof.core.qa import QAOptions, run_qa

THRESHOLD = 0.5512345
CELL, GRID = 60, 4
SIZE = CELL * GRID
CATS = ("person", "car")


def _disc(cy, cx, r):
    y, x = np.mgrid[:SIZE, :SIZE]
    return (y - cy) ** 2 + (x - cx) ** 2 <= r**2


def _rect(x0, y0, x1, y1):
    m = np.zeros((SIZE, SIZE), dtype=bool)
    m[y0:y1, x0:x1] = True
    return m


def scene(seed: int):
    """(reference objects, candidate objects) as (category, mask, iscrowd) for one image of 4 x 4 cells."""
    rng = np.random.default_rng(seed)
    refs, cands = [], []
    for gy in range(GRID):
        for gx in range(GRID):
            ox, oy = gx * CELL, gy * CELL
            cat = str(rng.choice(CATS))
            if rng.random() < 0.5:  # a pair, a miss or an extra; sometimes of another class
                r = int(rng.integers(8, 14))
                cy, cx = oy + 30, ox + 30
                kind = rng.choice(["pair", "pair", "pair", "miss", "extra"])
                if kind != "extra":
                    refs.append((cat, _disc(cy, cx, r), False))
                if kind != "miss":
                    d = float(rng.uniform(0, r))  # IoU from 1 down to ~0.3
                    other = cat if rng.random() < 0.8 else CATS[1 - CATS.index(cat)]
                    cands.append((other, _disc(cy, round(cx + d), r), False))
                continue
            # a crowd region, maybe a person drawn inside it, and small candidates in, across or beside it
            x0, y0 = ox + int(rng.integers(2, 12)), oy + int(rng.integers(2, 12))
            x1, y1 = ox + int(rng.integers(40, 50)), oy + int(rng.integers(40, 50))
            refs.append((cat, _rect(x0, y0, x1, y1), True))
            if rng.random() < 0.5:  # a non-crowd object inside, with (maybe) its candidate
                refs.append((cat, _rect(x0 + 4, y0 + 4, x0 + 16, y0 + 20), False))
                if rng.random() < 0.8:
                    dx = int(rng.integers(0, 6))
                    cands.append((cat, _rect(x0 + 4 + dx, y0 + 4, x0 + 16 + dx, y0 + 20), False))
                lo_x = x0 + 20  # the small ones stay clear of it
            else:
                lo_x = x0
            for _ in range(int(rng.integers(1, 4))):
                w, h = int(rng.integers(4, 9)), int(rng.integers(4, 9))
                x = int(rng.integers(lo_x - 2, min(x1 + 2, ox + CELL - w)))  # some cross the edge
                y = int(rng.integers(max(y0 - 4, oy), min(y1, oy + CELL - h)))
                other = cat if rng.random() < 0.8 else CATS[1 - CATS.index(cat)]
                cands.append((other, _rect(x, y, x + w, y + h), False))
    return refs, cands


def _project(objects, as_boxes: bool) -> Project:
    p = Project()
    p.add_image(ImageRecord(1, "a.png", SIZE, SIZE))
    for i, c in enumerate(CATS, start=1):
        p.add_category(Category(i, c))
    for k, (cat, m, crowd) in enumerate(objects, start=1):
        cid = CATS.index(cat) + 1
        bbox = masks.bbox(m)
        seg = None if as_boxes else masks.encode(m)
        p.add_annotation(Annotation(k, 1, cid, bbox, seg, float(m.sum()), int(crowd)))
    return p


def _cocoeval_counts(refs, cands, iou_type: str) -> dict[str, dict[str, int]]:
    """Per category: tp, fp, fn, ignored from ``COCOeval.evalImgs`` at ``THRESHOLD``."""
    gt = COCO()
    anns = []
    for k, (cat, m, crowd) in enumerate(refs, start=1):
        rle = mask_utils.encode(np.asfortranarray(m.astype(np.uint8)))
        bbox = [float(v) for v in masks.bbox(m)]
        area = float(m.sum()) if iou_type == "segm" else bbox[2] * bbox[3]
        anns.append(
            {"id": k, "image_id": 1, "category_id": CATS.index(cat) + 1, "iscrowd": int(crowd),
             "segmentation": rle, "bbox": bbox, "area": area}
        )  # fmt: skip
    gt.dataset = {
        "images": [{"id": 1, "width": SIZE, "height": SIZE}],
        "categories": [{"id": i, "name": c} for i, c in enumerate(CATS, start=1)],
        "annotations": anns,
    }
    gt.createIndex()
    dets = []
    for cat, m, _ in cands:
        d = {"image_id": 1, "category_id": CATS.index(cat) + 1, "score": 1.0}
        if iou_type == "segm":
            d["segmentation"] = mask_utils.encode(np.asfortranarray(m.astype(np.uint8)))
        else:
            d["bbox"] = [float(v) for v in masks.bbox(m)]
        dets.append(d)
    dt = gt.loadRes(dets)
    ev = COCOeval(gt, dt, iou_type)
    ev.params.iouThrs = np.array([THRESHOLD])
    ev.params.areaRng = [[0, 1e10]]
    ev.params.areaRngLbl = ["all"]
    ev.evaluate()
    out = {c: {"tp": 0, "fp": 0, "fn": 0, "ignored": 0} for c in CATS}
    for e in ev.evalImgs:
        if e is None:
            continue
        c = out[CATS[e["category_id"] - 1]]
        matched, dt_ig = e["dtMatches"][0] > 0, e["dtIgnore"][0].astype(bool)
        gt_ig = np.asarray(e["gtIgnore"], dtype=bool)
        c["tp"] += int((matched & ~dt_ig).sum())
        c["ignored"] += int(dt_ig.sum())
        c["fp"] += int((~matched & ~dt_ig).sum())
        c["fn"] += int(((e["gtMatches"][0] == 0) & ~gt_ig).sum())
    return out


def _qa_counts(refs, cands, as_boxes: bool) -> dict[str, dict[str, int]]:
    res = run_qa(_project(refs, as_boxes), _project(cands, as_boxes), QAOptions(iou_threshold=THRESHOLD))
    out = {c: {"tp": 0, "fp": 0, "fn": 0, "ignored": 0} for c in CATS}
    for row in res.per_image:
        out[row.category] = {
            "tp": int(row.value("tp")),
            "fp": int(row.value("fp")),
            "fn": int(row.value("fn")),
            "ignored": getattr(row.instances, "ignored_in_crowd", 0),
        }
    return out


@pytest.mark.parametrize("iou_type", ["segm", "bbox"])
def test_qa_counts_with_crowd_regions_equal_cocoeval(iou_type):
    totals = {"tp": 0, "fp": 0, "fn": 0, "ignored": 0}
    for seed in range(6):
        refs, cands = scene(seed)
        coco = _cocoeval_counts(refs, cands, iou_type)
        ours = _qa_counts(refs, cands, as_boxes=iou_type == "bbox")
        assert ours == coco, f"seed {seed}"
        for per_class in coco.values():
            for k, v in per_class.items():
                totals[k] += v
    # the scenes exercise every outcome: matches, extras (some across a crowd edge), misses, ignored
    assert all(v >= 5 for v in totals.values()), totals
