"""Checks on pairs of objects of one image: duplicates (one class, IoU at the limit), near duplicates (one
class, IoU between ``near_duplicate_iou`` and the limit), class conflicts (two classes, IoU from
``class_conflict_iou``), and countable masks that overlap or touch without a background gap."""

from __future__ import annotations

import numpy as np

from pixelproof.core.lint import fixes, shapes
from pixelproof.core.lint.facts import CheckedObject, Context, Emit
from pixelproof.core.matching import overlapping
from pixelproof.core.measure import pixel_area_text
from pixelproof.core.metrics_overlap import placed_iou
from pixelproof.core.model import ImageRecord
from pixelproof.core.object_types import nests, object_type
from pixelproof.core.qa_objects import image_spacing


def duplicates(objs: list[CheckedObject], ctx: Context, emit: Emit) -> None:
    """Pairs covering the same thing: box IoU when either is a box, pixel IoU between shapes. Pairs are
    looked for where the stored boxes and, for shapes, the pixels are: a copy whose stored bbox is stale
    (a box_mask_mismatch) is still compared by its pixels."""
    if len(objs) < 2:
        return
    boxes = np.array([o.ann.bbox for o in objs], dtype=np.float64)
    x0, y0 = boxes[:, 0], boxes[:, 1]
    x1, y1 = x0 + boxes[:, 2], y0 + boxes[:, 3]
    areas = boxes[:, 2] * boxes[:, 3]
    shaped = np.array([o.shaped for o in objs], dtype=bool)
    tight = np.array([o.tight() if o.shaped else o.ann.bbox for o in objs], dtype=np.float64)
    t0, u0 = tight[:, 0], tight[:, 1]
    t1, u1 = t0 + tight[:, 2], u0 + tight[:, 3]
    pix = np.array([o.area() if o.shaped else 0.0 for o in objs], dtype=np.float64)
    reach = np.c_[np.minimum(x0, t0), np.minimum(y0, u0), np.maximum(x1, t1), np.maximum(y1, u1)]
    # box intersections only of the pairs whose boxes overlap (not n x n matrices: 10,000 objects)
    for i, near in overlapping(reach, reach):
        js = near[near > i]
        iw = np.clip(np.minimum(x1[i], x1[js]) - np.maximum(x0[i], x0[js]), 0, None)
        ih = np.clip(np.minimum(y1[i], y1[js]) - np.maximum(y0[i], y0[js]), 0, None)
        inter = iw * ih
        union = areas[i] + areas[js] - inter
        box_iou_m = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
        # between two shapes: the intersection of their pixels' boxes bounds the pixel IoU
        tw = np.clip(np.minimum(t1[i], t1[js]) - np.maximum(t0[i], t0[js]), 0, None)
        th = np.clip(np.minimum(u1[i], u1[js]) - np.maximum(u0[i], u0[js]), 0, None)
        both = shaped[i] & shaped[js]
        inter = np.where(both, tw * th, inter)
        for k in np.flatnonzero(inter > 0).tolist():
            _duplicate_pair(objs, i, int(js[k]), float(inter[k]), float(box_iou_m[k]), pix, emit)


def _duplicate_pair(
    objs: list[CheckedObject], i: int, j: int, inter: float, box_iou: float, pix: np.ndarray, emit: Emit
) -> None:
    """One pair of objects whose boxes intersect by ``inter`` (their pixels' boxes between two shapes): of
    one class, a duplicate when their IoU (``box_iou`` when either is a box) reaches the limit, a near
    duplicate when it reaches ``near_duplicate_iou`` only; of two classes, a class conflict from
    ``class_conflict_iou`` (the higher of the two classes': a class may overlap others by design), scored
    as a near duplicate under the limit. A pair is reported once."""
    a, b = objs[i], objs[j]
    if a.ann.id > b.ann.id:
        a, b = b, a
    limit = b.rules.threshold("duplicate_iou") or 0.95
    same = a.ann.category_id == b.ann.category_id
    if same:
        near = b.rules.threshold("near_duplicate_iou") if "near_duplicate" in emit.ctx.kinds else None
        floor = limit if near is None else min(limit, near)
    else:
        if "class_conflict" not in emit.ctx.kinds:
            return
        floor = near = max(_conflict_iou(a), _conflict_iou(b))
    if not (a.shaped and b.shaped):
        iou = box_iou
    else:
        # pixel IoU <= box intersection / larger pixel count: skip pairs that cannot reach the floor
        if inter / max(pix[i], pix[j], 1.0) < floor:
            return
        iou = placed_iou(a.pixels(), b.pixels())
    if not iou >= floor:
        return
    # under the limit: the weaker finding, scored 0.5 at its floor rising to 0.95 at the limit
    score = iou if iou >= limit else 0.5 + 0.45 * (iou - floor) / max(limit - floor, 1e-9)
    if same and iou < limit:
        emit(
            "near_duplicate",
            score,
            b,
            f"{b.name} nearly duplicates annotation {a.ann.id} (IoU {iou:.3f}): one object drawn twice, or "
            "two objects no detector tells apart",
            fixes.delete(b.ann.id),
            related=a.ann.id,
            bbox=_union(a.ann.bbox, b.ann.bbox),
            figures={"iou": iou},
        )
        return
    kind = "duplicate" if same else "class_conflict"
    msg = (
        f"{b.name} duplicates annotation {a.ann.id} (IoU {iou:.3f})"
        if same
        else f"{b.name} and {a.name} (annotation {a.ann.id}) cover the same object (IoU {iou:.3f}); "
        "keep the right class"
    )
    emit(
        kind,
        score,
        b,
        msg,
        fixes.delete(b.ann.id),
        related=a.ann.id,
        bbox=_union(a.ann.bbox, b.ann.bbox),
        figures={"iou": iou},
    )


def _conflict_iou(o: CheckedObject) -> float:
    value = o.rules.threshold("class_conflict_iou")
    return 0.85 if value is None else value


def _union(a: list[float], b: list[float]) -> list[float]:
    x0, y0 = min(a[0], b[0]), min(a[1], b[1])
    x1, y1 = max(a[0] + a[2], b[0] + b[2]), max(a[1] + a[3], b[1] + b[3])
    return [x0, y0, x1 - x0, y1 - y0]


def _boxes_near(a: list[float], b: list[float]) -> bool:
    """Boxes overlap or lie within a pixel of each other."""
    return (
        a[0] <= b[0] + b[2] + 1
        and b[0] <= a[0] + a[2] + 1
        and a[1] <= b[1] + b[3] + 1
        and b[1] <= a[1] + a[3] + 1
    )


def overlaps(objs: list[CheckedObject], image: ImageRecord, emit: Emit) -> None:
    """Countable masks must be separated: no shared pixels, no contact without a background gap. A QuPath
    region and the detections inside it are nested by design (``object_types.nests``), not an overlap."""
    shaped = sorted(
        (o for o in objs if o.shaped and o.rules.countable and o.area() > 0), key=lambda o: o.ann.id
    )
    if len(shaped) < 2:
        return
    # only pairs whose boxes, grown by 2 px (a superset of "within a pixel"), overlap: not every pair
    x, y, w, h = np.array([o.tight() for o in shaped], dtype=np.float64).T
    grown = np.c_[x - 2, y - 2, x + w + 2, y + h + 2]
    types = [object_type(o.ann.app_extra) for o in shaped]
    for i, near in overlapping(grown, grown):
        a = shaped[i]
        for j in near[near > i].tolist():
            b = shaped[j]
            if nests(types[i], types[j]) or not _boxes_near(a.tight(), b.tight()):
                continue
            pa, pb = a.pixels(), b.pixels()
            c = shapes.contact(pa, pb)
            smaller = max(1, min(pa.area, pb.area))
            touch_min = b.rules.threshold("touch_min_px") or 1.0
            if c.overlap > 0:
                score = 0.5 + 0.5 * min(1.0, 4 * c.overlap / smaller)
                by = pixel_area_text(c.overlap, image_spacing(image))
                msg = f"{b.name} overlaps {a.name} (annotation {a.ann.id}) by {by}"
                cut = shapes.without(pb, pa, border=True)
            elif c.touch >= touch_min:
                score = 0.5 + 0.25 * min(1.0, c.touch / (5 * touch_min))
                msg = f"{b.name} touches {a.name} (annotation {a.ann.id}) along {c.touch} px with no gap"
                cut = shapes.without(pb, pa, border=True)
            else:
                continue
            geometry = fixes.placed_geometry(b.kind, cut, image.height, image.width)
            emit(
                "unseparated_overlap",
                score,
                b,
                msg,
                fixes.set_segmentation(b.ann.id, geometry) if geometry else None,
                related=a.ann.id,
                bbox=_union(a.ann.bbox, b.ann.bbox),
                figures={"overlap_px": c.overlap, "touch_px": c.touch},
            )


# ------------------------------------------------------------------------------------------------
