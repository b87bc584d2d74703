"""A model's figures beside QA's: COCO average precision (AP, mAP) of the candidate's scored objects
against the reference, as pycocotools' ``COCOeval`` computes it, and the class confusion matrix of QA's
own object matching.

AP follows ``COCOeval`` step by step, so the figures agree with it on the same two files: per image and
class (``evaluate_image``, its ``evaluateImg``) detections sorted by score (stable) and cut at 100, each
taken greedily, best score first, by the reference object of highest IoU >= t it may still take (crowd
regions any number of times, after the ordinary objects; IoU with a crowd region is intersection / the
detection's area), for t = 0.50, 0.55 ... 0.95 and the four area ranges; then per class
(``ApCollector``, its ``accumulate``) precision at the 101 recall points 0, 0.01 ... 1 of the
interpolated precision-recall curve, and the means (its ``summarize``). Box IoU is of the stored
[x, y, w, h] boxes, mask IoU of the pixels QA decodes (void pixels left out, as everywhere in QA); areas
are the stored ``area`` (COCO's), the pixel count where none is stored.

A reference image the candidate lacks counts every one of its objects as missed, as in ``COCOeval``
(whose images are the ground truth's): ``qa_unmatched``.

Keypoints (``COCOeval(iouType='keypoints')``) go through the same matching and accumulation, only the
similarity differs (``keypoint_oks``: OKS for IoU; a reference object with no labelled keypoint ignored, as
``num_keypoints == 0``; COCO's keypoint area ranges and 20 detections per image); the candidate's objects
with keypoints are the detections, the reference's objects of their class the ground truth.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from pixelproof.core import matching, metrics_overlap
from pixelproof.core.keypoint_oks import (
    KEYPOINT_AREAS,
    KEYPOINT_MAX_DETS,
    SIGMAS_TEXT,
    detection_area,
    labelled_count,
    oks_matrix,
)
from pixelproof.core.qa_objects import VECTOR_BATCH, VECTOR_PAIRS, ImageObject, box_array, coco_area
from pixelproof.core.wording import plural

IOU_THRESHOLDS = np.linspace(0.5, 0.95, 10)  # COCOeval's iouThrs
RECALL_POINTS = np.linspace(0.0, 1.0, 101)  # COCOeval's recThrs
AREA_RANGES = (
    ("all", 0.0, 1e10),
    ("small", 0.0, 32.0**2),
    ("medium", 32.0**2, 96.0**2),
    ("large", 96.0**2, 1e10),
)
MAX_DETS = (1, 10, 100)
IOU_TYPES = ("bbox", "segm")
BACKGROUND = "background"  # the confusion matrix's row of extra objects and column of missed ones
#: the figures of ``summary`` and of each class, COCOeval's ``stats`` in its order, by name
STAT_NAMES = ("AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl")
#: the IoU thresholds each class's precision-recall curve is given at (``pr_curve``): AP50's and AP75's
CURVE_IOUS = (0.5, 0.75)


@dataclass(slots=True)
class ImageEval:
    """``COCOeval.evaluateImg`` of one image, class and IoU type, for every area range at 100 detections."""

    category: str
    iou_type: str
    ref_image_id: int
    scores: np.ndarray  # (D,) the detections' scores, highest first
    matched: np.ndarray  # (areas, thresholds, D) bool
    ignored: np.ndarray  # (areas, thresholds, D) bool
    gt_counts: np.ndarray  # (areas,) reference objects not ignored


@dataclass(slots=True)
class ImageAp:
    """What one image pair adds to AP: its evaluations and how many candidate objects had a score."""

    evals: list[ImageEval]
    scored: int
    unscored: int
    boxes_only: bool  # every scored candidate object is a box: no mask AP
    #: the classes of the reference's and of the candidate's objects with keypoints on this image
    keypoint_classes: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())


def _pixel_extents(objects: Sequence[ImageObject]) -> np.ndarray:
    """[left, top, right, bottom] of each object's pixels; NaN (overlaps nothing) when it has none."""
    rows = [
        [np.nan] * 4 if o.placed.is_empty else [o.placed.x0, o.placed.y0, o.placed.x1, o.placed.y1]
        for o in objects
    ]
    return np.array(rows, dtype=np.float64).reshape(-1, 4)


def coco_ious(dts: Sequence[ImageObject], gts: Sequence[ImageObject], iou_type: str) -> np.ndarray:
    """Detections x reference objects IoU, as ``COCOeval.computeIoU``: with a crowd region,
    intersection / the detection's area. Measured only where extents overlap (``matching``)."""
    out = np.zeros((len(dts), len(gts)))
    if not dts or not gts:
        return out
    if iou_type == "bbox":
        ed = matching.extents([d.ann.bbox for d in dts], [])
        eg = matching.extents([g.ann.bbox for g in gts], [])
    else:
        ed, eg = _pixel_extents(dts), _pixel_extents(gts)
    rows, cols = matching.overlapping_pairs(ed, eg)
    if iou_type == "bbox" and rows.size >= VECTOR_PAIRS:  # boxes at once: 3,000 stacked are 9,000,000 pairs
        crowd = np.array([bool(g.ann.iscrowd) for g in gts])[cols]
        dt_boxes, gt_boxes = box_array(dts), box_array(gts)
        for k in range(0, rows.size, VECTOR_BATCH):
            r, c, cr = rows[k : k + VECTOR_BATCH], cols[k : k + VECTOR_BATCH], crowd[k : k + VECTOR_BATCH]
            out[r[~cr], c[~cr]] = metrics_overlap.box_ious(dt_boxes[r[~cr]], gt_boxes[c[~cr]])
            out[r[cr], c[cr]] = metrics_overlap.box_covers(dt_boxes[r[cr]], gt_boxes[c[cr]])
        return out
    for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
        d, g = dts[i], gts[j]
        if iou_type == "bbox":
            f = metrics_overlap.box_cover if g.ann.iscrowd else metrics_overlap.box_iou
            out[i, j] = f(d.ann.bbox, g.ann.bbox)
        elif g.ann.iscrowd:
            out[i, j] = metrics_overlap.placed_cover(d.placed, g.placed)
        else:
            v = metrics_overlap.placed_iou(d.placed, g.placed)
            out[i, j] = 0.0 if np.isnan(v) else v
    return out


def _greedy(
    candidates: list[tuple[list[tuple[float, int]], list[tuple[float, int]]]], crowd: list[bool], least: float
) -> tuple[list[bool], list[bool]]:
    """COCOeval's greedy matching at one threshold: each detection in turn (best score first) takes the
    reference object of highest IoU >= ``least`` it may still take (a crowd region any number of times),
    an ordinary one before any ignored, the last of equals in COCOeval's order of the objects.
    ``candidates``: per detection, its (IoU, object) pairs with ordinary objects, then with ignored ones,
    each list in the order of preference, so the first one allowed is taken; past the taken ones (at most
    one per detection) that is a step or two, even for a stack of 10,000 equal objects. Returns (matched,
    matched to an ignored object) per detection. Plain Python: numpy's call overhead on arrays of a few
    objects made AP cost more than the rest of QA."""
    taken = [False] * len(crowd)
    matched, ignored = [False] * len(candidates), [False] * len(candidates)
    for d, groups in enumerate(candidates):
        for is_ignored, row in enumerate(groups):
            m = -1
            for v, g in row:
                if v < least:
                    break
                if not taken[g] or crowd[g]:
                    m = g
                    break
            if m >= 0:
                matched[d], ignored[d], taken[m] = True, bool(is_ignored), True
                break
    return matched, ignored


def _evaluate(
    category: str, iou_type: str, ref_image_id: int, gts: list[ImageObject], dts: list[ImageObject]
) -> ImageEval:
    """``COCOeval.evaluateImg`` of one class in one image, for all area ranges (``dts`` sorted, cut);
    ``keypoints``: OKS for IoU, a reference with no labelled keypoint ignored, detections' areas their
    points' extent (``loadRes``'s)."""
    crowd = np.array([bool(g.ann.iscrowd) for g in gts], dtype=bool)
    g_area = np.array([coco_area(g) for g in gts], dtype=np.float64)
    areas = KEYPOINT_AREAS if iou_type == "keypoints" else AREA_RANGES
    if iou_type == "keypoints":
        ious = oks_matrix(dts, gts, g_area.tolist())
        d_area = np.array([detection_area(d.keypoints) for d in dts], dtype=np.float64)  # type: ignore[arg-type]
        unlabelled = np.array([labelled_count(g.keypoints) == 0 for g in gts], dtype=bool)
    else:
        ious = coco_ious(dts, gts, iou_type)
        d_area = np.array([coco_area(d) for d in dts], dtype=np.float64)
        unlabelled = np.zeros(len(gts), dtype=bool)
    n_a, n_t, n_d = len(areas), len(IOU_THRESHOLDS), len(dts)
    matched = np.zeros((n_a, n_t, n_d), dtype=bool)
    ignored = np.zeros((n_a, n_t, n_d), dtype=bool)
    counts = np.zeros(n_a, dtype=np.int64)
    lowest = min(float(IOU_THRESHOLDS[0]), 1 - 1e-10)
    rows, cols = np.nonzero(ious >= lowest)  # the pairs any threshold may match
    pairs: list[list[tuple[int, float]]] = [[] for _ in range(n_d)]
    for d, g, v in zip(rows.tolist(), cols.tolist(), ious[rows, cols].tolist(), strict=True):
        pairs[d].append((g, v))
    crowd_list = crowd.tolist()
    for a, (_, lo, hi) in enumerate(areas):
        g_ig = crowd | unlabelled | (g_area < lo) | (g_area > hi)
        rank = np.empty(len(gts), dtype=np.int64)
        rank[np.argsort(g_ig, kind="mergesort")] = np.arange(len(gts))  # COCOeval's order: ordinary first
        rank_list, ig_list = rank.tolist(), g_ig.tolist()
        candidates = []
        for row in pairs:  # highest IoU first, of equals the last in COCOeval's order
            ordered = sorted(row, key=lambda p: (-p[1], -rank_list[p[0]]))
            candidates.append(
                ([(v, g) for g, v in ordered if not ig_list[g]], [(v, g) for g, v in ordered if ig_list[g]])
            )
        counts[a] = int(np.count_nonzero(~g_ig))
        for t, thr in enumerate(IOU_THRESHOLDS):
            m, i = _greedy(candidates, crowd_list, min(float(thr), 1 - 1e-10))
            matched[a, t], ignored[a, t] = m, i
        outside = (d_area < lo) | (d_area > hi)
        ignored[a] |= ~matched[a] & outside[None, :]
    scores = np.array([float(d.ann.score) for d in dts], dtype=np.float64)  # type: ignore[arg-type]
    return ImageEval(category, iou_type, ref_image_id, scores, matched, ignored, counts)


def evaluate_image(refs: list[ImageObject], cands: list[ImageObject], ref_image_id: int) -> ImageAp:
    """One image pair's part of AP (``COCOeval.evaluateImg`` per class and IoU type). Candidate crowd
    flags are not read (COCOeval reads only the reference's); nothing is evaluated when candidate objects
    exist but none has a score. A candidate image with no object at all misses every reference object
    (COCOeval counts them: leaving them out raised recall and AP)."""
    scored = [c for c in cands if c.ann.score is not None]
    out = ImageAp([], len(scored), len(cands) - len(scored), all(c.is_box for c in scored))
    out.keypoint_classes = (
        frozenset(o.category for o in refs if o.keypoints is not None),
        frozenset(o.category for o in cands if o.keypoints is not None),
    )
    if cands and not scored:
        return out
    by_r: dict[str, list[ImageObject]] = {}
    by_c: dict[str, list[ImageObject]] = {}
    for o in refs:
        by_r.setdefault(o.category, []).append(o)
    for o in scored:
        by_c.setdefault(o.category, []).append(o)
    for cat in sorted(set(by_r) | set(by_c)):
        dts = by_c.get(cat, [])
        order = np.argsort([-float(d.ann.score) for d in dts], kind="mergesort")[: MAX_DETS[-1]]  # type: ignore[arg-type]
        dts = [dts[i] for i in order]
        for iou_type in IOU_TYPES:
            out.evals.append(_evaluate(cat, iou_type, ref_image_id, by_r.get(cat, []), dts))
        if cat in out.keypoint_classes[0] or cat in out.keypoint_classes[1]:
            kps = [d for d in by_c.get(cat, []) if d.keypoints is not None]  # the keypoint results
            order = np.argsort([-float(d.ann.score) for d in kps], kind="mergesort")[: KEYPOINT_MAX_DETS[-1]]  # type: ignore[arg-type]
            kps = [kps[i] for i in order]
            out.evals.append(_evaluate(cat, "keypoints", ref_image_id, by_r.get(cat, []), kps))
    return out


def _accumulate(
    evals: list[ImageEval], a: int, max_det: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """``COCOeval.accumulate`` of one class, area range and detection cap: precision (thresholds x recall
    points), recall (thresholds) and the score of the detection each recall point is read at (its
    ``scores``, 0 past the last recall reached); None without reference objects (COCOeval's -1)."""
    n_gt = int(sum(int(e.gt_counts[a]) for e in evals))
    if n_gt == 0:
        return None
    scores = np.concatenate([e.scores[:max_det] for e in evals])
    order = np.argsort(-scores, kind="mergesort")
    dtm = np.concatenate([e.matched[a][:, :max_det] for e in evals], axis=1)[:, order]
    dtig = np.concatenate([e.ignored[a][:, :max_det] for e in evals], axis=1)[:, order]
    tp_sum = np.cumsum(dtm & ~dtig, axis=1).astype(np.float64)
    fp_sum = np.cumsum(~dtm & ~dtig, axis=1).astype(np.float64)
    precision = np.zeros((len(IOU_THRESHOLDS), len(RECALL_POINTS)))
    at_score = np.zeros_like(precision)
    recall = np.zeros(len(IOU_THRESHOLDS))
    sorted_scores = scores[order]
    for t in range(len(IOU_THRESHOLDS)):
        tp, fp = tp_sum[t], fp_sum[t]
        nd = tp.size
        rc = tp / n_gt
        pr = tp / (fp + tp + np.spacing(1))
        recall[t] = rc[-1] if nd else 0.0
        pr = np.maximum.accumulate(pr[::-1])[::-1]  # the interpolated (non-increasing) curve
        at = np.searchsorted(rc, RECALL_POINTS, side="left")
        inside = at < nd
        precision[t, inside] = pr[at[inside]]
        at_score[t, inside] = sorted_scores[at[inside]]
    return precision, recall, at_score


def _curve(precision: np.ndarray, at_score: np.ndarray) -> dict[str, Any] | None:
    """A class's precision-recall curves at ``CURVE_IOUS`` (all areas, 100 detections): COCOeval's
    interpolated ``precision`` at the 101 ``recall_points`` and its ``scores`` (the score of the detection
    each point is read at: keeping detections of at least that score reaches that recall), so a user can
    pick a score threshold; None for a class without reference objects."""
    if (precision == -1).all():
        return None
    rows = [int(np.argmin(np.abs(IOU_THRESHOLDS - v))) for v in CURVE_IOUS]
    return {
        "iou": list(CURVE_IOUS),
        "precision": [precision[t].tolist() for t in rows],
        "score": [at_score[t].tolist() for t in rows],
    }


def _mean(values: np.ndarray) -> float | None:
    """COCOeval's mean of the defined entries (-1 marks undefined); None when there are none."""
    kept = values[values > -1]
    return float(np.mean(kept)) if kept.size else None


def _stats(precision: np.ndarray, recall: np.ndarray, iou_type: str = "bbox") -> dict[str, float | None]:
    """COCOeval's ``stats`` by name from precision [T, R, K, A, M] and recall [T, K, A, M] (its
    ``summarizeKps`` for ``keypoints``: all, medium, large areas at 20 detections)."""
    t50, t75 = (int(np.argmin(np.abs(IOU_THRESHOLDS - v))) for v in (0.5, 0.75))
    if iou_type == "keypoints":  # one detection cap (20), areas all, medium, large
        p, r = precision[..., 0], recall[..., 0]
        return {
            "AP": _mean(p[..., 0]), "AP50": _mean(p[t50, ..., 0]), "AP75": _mean(p[t75, ..., 0]),
            "APm": _mean(p[..., 1]), "APl": _mean(p[..., 2]),
            "AR": _mean(r[..., 0]), "AR50": _mean(r[t50, ..., 0]), "AR75": _mean(r[t75, ..., 0]),
            "ARm": _mean(r[..., 1]), "ARl": _mean(r[..., 2]),
        }  # fmt: skip
    last = len(MAX_DETS) - 1
    out: dict[str, float | None] = {
        "AP": _mean(precision[..., 0, last]),
        "AP50": _mean(precision[t50, ..., 0, last]),
        "AP75": _mean(precision[t75, ..., 0, last]),
    }
    for name, a in (("APs", 1), ("APm", 2), ("APl", 3)):
        out[name] = _mean(precision[..., a, last])
    for m, cap in enumerate(MAX_DETS):
        out[f"AR{cap}"] = _mean(recall[:, :, 0, m])
    for name, a in (("ARs", 1), ("ARm", 2), ("ARl", 3)):
        out[name] = _mean(recall[:, :, a, last])
    return out


class ApCollector:
    """Gathers the image pairs' ``ImageAp`` and the object rows' class pairs while ``run_qa`` goes; then
    AP per class and overall (``ap``) and the confusion matrix (``confusion``)."""

    def __init__(self, categories: list[str]) -> None:
        self.categories = list(categories)
        self.evals: dict[tuple[str, str], list[ImageEval]] = {}
        self.scored = self.unscored = self.unscored_images = 0
        self.unscorable = 0  # image pairs that could not be scored: their objects are counted nowhere
        self.boxes_only = True
        self.cells: dict[tuple[str | None, str | None], int] = {}  # None: background
        self.cell_images: dict[tuple[str | None, str | None], set[int]] = {}  # candidate image ids
        self.keypoint_classes: tuple[set[str], set[str]] = (set(), set())  # reference's, candidate's
        self.oks: dict[str, list[float]] = {}  # per class, the OKS of its matched pairs with keypoints

    def add(self, score: Any) -> None:
        """One ``qa.ImageScore``: its ``ap`` (if any) and its object rows' class pairs."""
        for row in score.objects:
            pair = confusion_pair(row.status, row.category, row.cand_category)
            if pair is not None:
                self.cells[pair] = self.cells.get(pair, 0) + 1
                self.cell_images.setdefault(pair, set()).add(row.image_id)
            if row.status == "match" and row.oks is not None:
                self.oks.setdefault(row.category, []).append(row.oks)
        ap: ImageAp | None = getattr(score, "ap", None)
        if ap is None:
            return
        for mine, found in zip(self.keypoint_classes, ap.keypoint_classes, strict=True):
            mine.update(found)
        self.scored += ap.scored
        self.unscored += ap.unscored
        self.unscored_images += ap.unscored > 0
        if ap.scored:
            self.boxes_only &= ap.boxes_only
        for e in ap.evals:
            self.evals.setdefault((e.iou_type, e.category), []).append(e)

    def add_missed(self, ap: ImageAp, categories: list[str]) -> None:
        """A reference image the candidate lacks: its evaluations (no detection) and, per reference object
        (crowd regions aside), a missed one in the confusion matrix (``categories``, one per object)."""
        for cat in categories:
            self.cells[(cat, None)] = self.cells.get((cat, None), 0) + 1
        self.keypoint_classes[0].update(ap.keypoint_classes[0])
        for e in ap.evals:
            self.evals.setdefault((e.iou_type, e.category), []).append(e)

    def ap(self, instance_scored: bool = True) -> dict[str, Any]:
        """The ``ap`` section of the report: ``computed`` and ``reason``; when computed, ``note`` (the
        candidate had no objects: AP 0 where the reference has objects, as FiftyOne says), per IoU type its
        ``summary`` (``STAT_NAMES``) and ``per_class`` rows (the class's own figures, ``n_reference``
        objects not crowd), None where COCOeval says -1 (no reference objects in the range)."""
        if not instance_scored:
            return {"computed": False, "reason": "the reference has no objects (semantic masks)"}
        note = None
        if not self.scored and not self.unscored:  # no candidate object at all: every reference one missed
            left = (
                f" on the images scored ({plural(self.unscorable, 'image')} could not be scored)"
                if self.unscorable
                else ""
            )  # the candidate may well have objects there: do not say it has none
            if not any(int(e.gt_counts[0]) for (t, _), es in self.evals.items() if t == "bbox" for e in es):
                return {
                    "computed": False,
                    "reason": f"neither the reference nor the candidate has objects{left}",
                }
            note = f"the candidate has no objects{left}: every reference object there is missed"
            if not left:
                note = "the candidate has no objects: every reference object is missed"
        elif self._unscored() is not None:
            return {"computed": False, "reason": self._unscored()}
        types = ("bbox",) if self.boxes_only and note is None else IOU_TYPES
        out: dict[str, Any] = {
            "computed": True,
            "reason": None,
            "note": note,
            "max_dets": list(MAX_DETS),
            "recall_points": RECALL_POINTS.tolist(),
        }
        for iou_type in types:
            out[iou_type] = self._one_type(iou_type)
        if types == ("bbox",):
            out["segm"] = None
            out["segm_reason"] = "every scored candidate object is a box"
        return out

    def _unscored(self) -> str | None:
        """Why the candidate's scores allow no AP (none, or some objects without one); None: they do."""
        if not self.scored:
            return "the candidate's objects carry no scores"
        if self.unscored:
            return (
                f"{plural(self.unscored, 'candidate object')} in "
                f"{plural(self.unscored_images, 'image')} without a score; "
                "AP needs a score on every candidate object"
            )
        return None

    def keypoints(self) -> dict[str, Any] | None:
        """The ``keypoints`` section of the report, None unless both sides have objects with keypoints:
        ``sigmas`` (how OKS was measured), ``summary`` and ``per_class`` (the classes with keypoints on
        either side): ``pairs`` (QA's matched pairs both with keypoints), their ``mean_oks``, and COCO
        keypoint AP (``KEYPOINT_STATS``, with ``n_reference`` objects with labelled keypoints, not crowd)
        when ``computed`` (``reason`` says why not: AP needs scores, as for boxes)."""
        ref, cand = self.keypoint_classes
        if not ref or not cand:
            return None
        classes = [c for c in self.categories if c in ref or c in cand]
        reason = self._unscored()
        figures = self._one_type("keypoints") if reason is None else None

        def oks_of(values: list[float]) -> dict[str, Any]:
            return {"pairs": len(values), "mean_oks": float(np.mean(values)) if values else None}

        per_class = []
        for row in figures["per_class"] if figures else [{"category": c} for c in self.categories]:
            if row["category"] in classes:
                row.pop("pr_curve", None)
                per_class.append({**row, **oks_of(self.oks.get(row["category"], []))})
        every = [v for c in classes for v in self.oks.get(c, [])]
        return {
            "sigmas": SIGMAS_TEXT,
            "computed": reason is None,
            "reason": reason,
            "summary": {**(figures["summary"] if figures else {}), **oks_of(every)},
            "per_class": per_class,
        }

    def _one_type(self, iou_type: str) -> dict[str, Any]:
        keypoints = iou_type == "keypoints"
        n_t, n_r, n_k = len(IOU_THRESHOLDS), len(RECALL_POINTS), len(self.categories)
        n_a = len(KEYPOINT_AREAS if keypoints else AREA_RANGES)
        caps = KEYPOINT_MAX_DETS if keypoints else MAX_DETS
        n_m = len(caps)
        precision = -np.ones((n_t, n_r, n_k, n_a, n_m))
        recall = -np.ones((n_t, n_k, n_a, n_m))
        at_score = -np.ones((n_t, n_r, n_k))  # all areas, the largest cap: the curves' scores
        n_ref = []
        for k, cat in enumerate(self.categories):
            evals = sorted(
                self.evals.get((iou_type, cat), []), key=lambda e: e.ref_image_id
            )  # COCOeval's order
            n_ref.append(int(sum(int(e.gt_counts[0]) for e in evals)))
            for a in range(n_a):
                for m, cap in enumerate(caps):
                    found = _accumulate(evals, a, cap)
                    if found is not None:
                        precision[:, :, k, a, m], recall[:, k, a, m], scores = found
                        if a == 0 and m == n_m - 1:
                            at_score[:, :, k] = scores
        per_class = [
            {
                "category": cat,
                "n_reference": n_ref[k],
                **_stats(precision[:, :, k : k + 1], recall[:, k : k + 1], iou_type),
                "pr_curve": _curve(precision[:, :, k, 0, -1], at_score[:, :, k]),
            }
            for k, cat in enumerate(self.categories)
        ]
        return {"summary": _stats(precision, recall, iou_type), "per_class": per_class}

    def _labels(self) -> tuple[list[str], dict[str | None, int]]:
        """The matrix's labels (the classes, then the background's name) and each class's index (None:
        the background's), one order for the counts and their images."""
        classes = list(self.categories)
        classes += sorted({n for pair in self.cells for n in pair if n is not None} - set(classes))
        background = BACKGROUND
        while background in classes:  # a class's name: "(background)", "((background))"...
            background = f"({background})"
        index: dict[str | None, int] = {name: i for i, name in enumerate(classes)}
        index[None] = len(classes)
        return [*classes, background], index

    def confusion(self) -> dict[str, Any]:
        """The ``confusion`` section: ``labels`` (the classes, then ``background``) and ``matrix``
        [reference label][candidate label] of object counts: matched and wrong-class pairs, reference
        objects missed (background column), candidate objects extra (background row)."""
        labels, index = self._labels()
        matrix = [[0] * len(index) for _ in index]
        for (r, c), n in self.cells.items():
            matrix[index[r]][index[c]] += n
        return {"labels": labels, "matrix": matrix}

    def confusion_images(self) -> dict[tuple[int, int], list[int]]:
        """(reference label, candidate label) index, as ``confusion``'s matrix, -> the candidate image ids
        (sorted) of that cell's objects, for the cells that count any, so a view can list the images behind
        a count. Sparse: a k x k table of lists was ~60 MB at 1,000 classes. Not in the report (as many ids
        as objects)."""
        _, index = self._labels()
        return {(index[r], index[c]): sorted(ids) for (r, c), ids in self.cell_images.items()}


def confusion_pair(
    status: str, category: str, cand_category: str | None
) -> tuple[str | None, str | None] | None:
    """(reference class, candidate class) of a QA object row, None standing for the background: a pair's
    two classes, a missed object's class and None, an extra one's None and class; None for a candidate
    object ignored inside a crowd region (neither)."""
    if status in ("match", "wrong_class"):
        return category, cand_category or category
    if status == "fn":
        return category, None
    if status == "fp":
        return None, category
    return None
