"""Object Keypoint Similarity (OKS), COCO's measure of two objects' keypoints, as pycocotools'
``COCOeval.computeOks`` computes it, so QA's keypoint AP (``qa_ap``, its ``keypoints`` IoU type) and each
matched pair's OKS agree with ``COCOeval(iouType='keypoints')`` on the same files.

For a reference object of area ``s`` and a candidate: ``mean over the reference's labelled keypoints (v > 0)
of exp(-d² / (2 s (2 σ)²))``, d the distance of the candidate's point to the reference's. A reference with
no labelled keypoint is measured by how far the candidate's points lie outside its box doubled (COCO's
rule for such objects, which its evaluation then ignores). ``s`` is the reference's stored ``area``
(COCO's segment area), else its mask's pixels or its box's w x h.

Sigmas (σ, per keypoint): COCO's 17 person sigmas for 17 keypoints; for any other count K, 1/K for every
point, as Ultralytics' pose validation does for a dataset that is not COCO's person layout (its
``np.ones(nkpt) / nkpt``), so the figures read like those a pose team gets from ``yolo val``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from pixelproof.core.keypoints import Keypoints
    from pixelproof.core.qa_objects import ImageObject

#: pycocotools' ``Params.kpt_oks_sigmas`` (COCO person keypoints, nose first)
COCO_PERSON_SIGMAS = (
    np.array(
        [0.26, 0.25, 0.25, 0.35, 0.35, 0.79, 0.79, 0.72, 0.72, 0.62, 0.62, 1.07, 1.07, 0.87, 0.87, 0.89, 0.89]
    )
    / 10.0
)
#: how the reports name the choice of sigmas
SIGMAS_TEXT = "COCO's person sigmas for 17 keypoints, 1/K for K keypoints otherwise (as Ultralytics)"
#: COCOeval's keypoint parameters (``setKpParams``): area ranges, detections per image, figures by name
KEYPOINT_AREAS = (("all", 0.0, 1e10), ("medium", 32.0**2, 96.0**2), ("large", 96.0**2, 1e10))
KEYPOINT_MAX_DETS = (20,)
KEYPOINT_STATS = ("AP", "AP50", "AP75", "APm", "APl", "AR", "AR50", "AR75", "ARm", "ARl")


def sigmas_for(k: int) -> np.ndarray:
    """The per-keypoint sigmas of an object of ``k`` keypoints (see the module's note)."""
    return COCO_PERSON_SIGMAS.copy() if k == 17 else np.full(k, 1.0 / k)


def oks(ref: Keypoints, cand: Keypoints, area: float, ref_bbox: Sequence[float]) -> float | None:
    """OKS of ``cand``'s keypoints against ``ref``'s (``computeOks``'s value for one pair); ``area`` the
    reference's, ``ref_bbox`` its [x, y, w, h] (used only when it has no labelled keypoint). None when
    the two have not the same number of keypoints: not one layout, nothing to compare."""
    k = len(ref.points)
    if k == 0 or len(cand.points) != k:
        return None
    g = np.array(ref.points, dtype=np.float64).reshape(k, 3)
    d = np.array(cand.points, dtype=np.float64).reshape(k, 3)
    return float(_oks_rows(g, d[None], area, ref_bbox)[0])


def _oks_rows(g: np.ndarray, d: np.ndarray, area: float, bbox: Sequence[float]) -> np.ndarray:
    """``computeOks`` of one reference (K x 3) against detections (D x K x 3): D values."""
    k = g.shape[0]
    variances = (sigmas_for(k) * 2) ** 2
    labelled = g[:, 2] > 0
    xd, yd = d[:, :, 0], d[:, :, 1]
    if labelled.any():
        dx, dy = xd - g[:, 0], yd - g[:, 1]
    else:  # how far outside the reference's box doubled
        bx, by, bw, bh = (float(v) for v in bbox)
        x0, x1, y0, y1 = bx - bw, bx + bw * 2, by - bh, by + bh * 2
        dx = np.maximum(0, x0 - xd) + np.maximum(0, xd - x1)
        dy = np.maximum(0, y0 - yd) + np.maximum(0, yd - y1)
    # pycocotools' ``area + eps`` (an area of 0: only points exactly in place count); an area negative,
    # NaN or infinite (a broken file) is taken as 0, where COCOeval gave values above 1 or NaN
    scale = float(area) if np.isfinite(area) and area > 0 else 0.0
    with np.errstate(all="ignore"):  # 1e200 px apart: e is infinite, its exp 0
        e = (dx**2 + dy**2) / variances / (scale + np.spacing(1)) / 2
        if labelled.any():
            e = e[:, labelled]
        out = np.exp(-e).sum(axis=1) / e.shape[1]
    return np.clip(np.nan_to_num(out, nan=0.0), 0.0, 1.0)  # a box of NaN: 0, never NaN in a report


def oks_matrix(dts: Sequence[ImageObject], gts: Sequence[ImageObject], areas: Sequence[float]) -> np.ndarray:
    """Detections x reference objects OKS (``COCOeval.computeOks``), ``areas`` the references'. A reference
    without keypoints counts as one with none labelled; a pair of unlike keypoint counts is 0."""
    out = np.zeros((len(dts), len(gts)))
    if not dts or not gts:
        return out
    by_count: dict[int, list[int]] = {}  # the detections by keypoint count, their arrays made once
    points = [d.keypoints.points if d.keypoints is not None else None for d in dts]
    for i, p in enumerate(points):
        if p:  # no points: nothing to compare (0)
            by_count.setdefault(len(p), []).append(i)
    dets = {
        k: (rows, np.array([points[i] for i in rows], dtype=np.float64).reshape(len(rows), k, 3))
        for k, rows in by_count.items()
    }
    for j, (g, area) in enumerate(zip(gts, areas, strict=True)):
        kp = g.keypoints
        for k, (rows, det) in dets.items():
            if kp is not None and len(kp.points) != k:
                continue
            ref = np.zeros((k, 3)) if kp is None else np.array(kp.points, dtype=np.float64).reshape(k, 3)
            out[rows, j] = _oks_rows(ref, det, area, g.ann.bbox)
    return out


def detection_area(kp: Keypoints) -> float:
    """A keypoint detection's area as pycocotools' ``loadRes`` gives it: its points' extent (all of them,
    whatever their visibility), what the area ranges (APm, APl) read."""
    if not kp.points:
        return 0.0
    xs, ys = [p[0] for p in kp.points], [p[1] for p in kp.points]
    return float((max(xs) - min(xs)) * (max(ys) - min(ys)))


def labelled_count(kp: Keypoints | None) -> int:
    """COCO's ``num_keypoints``: the labelled points (v > 0); a reference with none is ignored by AP."""
    return 0 if kp is None else sum(1 for p in kp.points if p[2] > 0)
