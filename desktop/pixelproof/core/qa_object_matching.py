"""The object rows of one scored image pair (``qa.score_image``): same-class matching, then across
classes ("wrong class"), then the missed and extra objects, with COCO's crowd-region rules.

Kept apart from ``qa`` (the run and its tables) so that the matching rules can be read and changed on
their own; ``ObjectRow`` stays importable from ``pixelproof.core.qa``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from pixelproof.core import matching
from pixelproof.core.geometry import pair_box
from pixelproof.core.keypoint_oks import oks
from pixelproof.core.metrics import InstanceCounts, MaskComparison, Placed
from pixelproof.core.qa_objects import ImageObject, coco_area, crowd_covers, iou_pairs, object_bbox
from pixelproof.core.qa_tables import FIGURE_FIELDS


@dataclass(slots=True)
class ObjectRow:
    """One object or pair: ``status`` is "match", "wrong_class", "fn" (missed), "fp" (extra) or "ignored"
    (a candidate object inside a reference crowd region of its class: ``ref_id``/``ref_bbox`` name the
    region; neither TP nor FP).

    ``bbox`` ([x, y, w, h], pixels) covers both objects so a view can centre on it.
    """

    file_name: str
    image_id: int
    ref_image_id: int
    status: str
    category: str  # reference category (candidate category for "fp")
    cand_category: str | None
    ref_id: int | None
    cand_id: int | None
    bbox: list[float]
    ref_bbox: list[float] | None
    cand_bbox: list[float] | None
    kind: str  # "mask" or "box" (box IoU; boundary figures of the filled boxes, as the image rows)
    iou: float
    comparison: MaskComparison | None = None
    best_iou: float = 0.0  # best IoU with any object of the same class (for FN/FP: why unmatched)
    review: str | None = None  # the candidate annotation's decision (accepted, rejected, pending) and note
    note: str | None = None
    score: float | None = None  # the candidate object's (a model's confidence), None for a missed one
    #: for "fn": its best IoU (0 < IoU <= the threshold) with an extra ("fp") object of its class, 0 when it
    #: overlaps none: a near miss, say a 3x3 pit drawn 5x5 (``qa_near_misses`` counts them for a hint)
    near_iou: float = 0.0
    #: a pair's Object Keypoint Similarity when both objects have keypoints (``keypoint_oks``), else None
    oks: float | None = None

    def value(self, name: str) -> float:
        if name == "iou":
            return self.iou
        if name == "dice":
            i = self.iou
            return 2 * i / (1 + i) if math.isfinite(i) else i
        if name == "best_iou":
            return self.best_iou
        if name == "oks":
            return math.nan if self.oks is None else self.oks
        if name in FIGURE_FIELDS:
            return float(getattr(self.comparison, name)) if self.comparison is not None else math.nan
        raise KeyError(name)

    def reason(self, name: str) -> str | None:
        v = self.value(name)
        if math.isfinite(v):
            return None
        if name == "oks":
            return "not both objects of a pair with keypoints (of one count)"
        if self.comparison is None:
            return "not measured"
        return self.comparison.reason(name)


def by_category(objects: list[ImageObject]) -> dict[str, list[ImageObject]]:
    """The objects of each class, in their order: one pass, not one per class of the projects."""
    out: dict[str, list[ImageObject]] = {}
    for o in objects:
        out.setdefault(o.category, []).append(o)
    return out


def match_objects(
    base: dict,
    refs: list[ImageObject],
    cands: list[ImageObject],
    categories: list[str],
    counts: dict[str, InstanceCounts],
    threshold: float,
    cmp,  # type: ignore[no-untyped-def]
    crowd: bool = True,
) -> list[ObjectRow]:
    """The object rows of one image: same-class pairs matched one-to-one (best total IoU, ``matching.match``),
    then the leftovers matched across classes ("wrong class"), then the unmatched as FN / FP; ``counts``
    follows. IoUs are sparse tables of the overlapping pairs: an image of 10,000 objects is no 10**8 table.

    Crowd regions (``iscrowd``, with ``crowd``) are handled as COCO's evaluation (``COCOeval.evaluateImg``)
    handles them: neither side's take part in the matching (a reference crowd region is never FN, a
    candidate one never FP; both are counted); a candidate left unmatched by its class's pass whose share
    inside a reference crowd region of its class (intersection / its own area) is > ``threshold`` is
    "ignored" (neither TP nor FP, counted in ``ignored_in_crowd``) and left out of the wrong-class pass."""
    objects: list[ObjectRow] = []
    left_r: list[ImageObject] = []
    left_c: list[ImageObject] = []
    best_r: dict[int, float] = {}
    best_c: dict[int, float] = {}
    crowd_r: list[ImageObject] = []
    if crowd:
        crowd_r = [o for o in refs if o.ann.iscrowd]
        for side, name in (
            (crowd_r, "crowd_regions"),
            ([o for o in cands if o.ann.iscrowd], "cand_crowd_regions"),
        ):
            for o in side:
                c = counts.setdefault(o.category, InstanceCounts())
                setattr(c, name, getattr(c, name) + 1)
        refs = [o for o in refs if not o.ann.iscrowd]
        cands = [o for o in cands if not o.ann.iscrowd]
    by_r, by_c = by_category(refs), by_category(cands)
    for cat in categories:
        rs, cs = by_r.get(cat, []), by_c.get(cat, [])
        if not rs and not cs:
            continue  # a class with no object here: nothing to match (1,000 classes: most of them)
        m = iou_pairs(rs, cs)
        best_r.update(zip(map(id, rs), matching.best_ious(m, axis=1), strict=True))
        best_c.update(zip(map(id, cs), matching.best_ious(m, axis=0), strict=True))
        pairs = matching.match(m, threshold)
        mi, mj = {i for i, _ in pairs}, {j for _, j in pairs}
        for (i, j), iou in zip(pairs, matching.pair_ious(m, pairs), strict=True):
            objects.append(pair_row(base, "match", rs[i], cs[j], iou, cmp))
            counts.setdefault(cat, InstanceCounts())
            counts[cat].tp += 1
            counts[cat].iou_sum += iou
            counts[cat].dice_sum += 2 * iou / (1 + iou)
        left_r += [o for i, o in enumerate(rs) if i not in mi]
        rest = [o for j, o in enumerate(cs) if j not in mj]
        regions = [o for o in crowd_r if o.category == cat]
        for c, (cover, k) in zip(rest, crowd_covers(rest, regions), strict=True):
            if cover > threshold:  # inside a crowd region of its class: ignored, as COCO does
                counts.setdefault(cat, InstanceCounts())
                counts[cat].ignored_in_crowd += 1
                row = single_row(base, "fp", c, cmp)
                row.status, row.ref_id, row.ref_bbox = "ignored", regions[k].ann.id, object_bbox(regions[k])
                row.best_iou = best_c.get(id(c), 0.0)
                objects.append(row)
            else:
                left_c.append(c)
    # second pass: leftovers across classes -> "wrong class" (FN for one class, FP for the other)
    codes: dict[str, int] = {}
    r_cat = np.array([codes.setdefault(o.category, len(codes)) for o in left_r], dtype=np.int64)
    c_cat = np.array([codes.setdefault(o.category, len(codes)) for o in left_c], dtype=np.int64)
    left = iou_pairs(left_r, left_c).tocoo()
    across = r_cat[left.row] != c_cat[left.col]  # same-class leftovers did not match in the first pass
    m = matching.pair_table(left.row[across], left.col[across], left.data[across], left.shape)
    wrong = matching.match(m, threshold)
    wi = {i for i, _ in wrong}
    wj = {j for _, j in wrong}
    near = _near_ious(left, ~across, wi, wj)
    for (i, j), iou in zip(wrong, matching.pair_ious(m, wrong), strict=True):
        row = pair_row(base, "wrong_class", left_r[i], left_c[j], iou, cmp)
        objects.append(row)
        counts[left_r[i].category].fn += 1
        counts[left_r[i].category].wrong_class += 1
        counts[left_c[j].category].fp += 1
    for i, r in enumerate(left_r):
        if i in wi:
            continue
        counts[r.category].fn += 1
        row = single_row(base, "fn", r, cmp)
        row.best_iou = best_r.get(id(r), 0.0)
        row.near_iou = near[i]
        objects.append(row)
    for j, c in enumerate(left_c):
        if j in wj:
            continue
        counts[c.category].fp += 1
        row = single_row(base, "fp", c, cmp)
        row.best_iou = best_c.get(id(c), 0.0)
        objects.append(row)
    return objects


def _near_ious(left, same, paired_r: set[int], paired_c: set[int]) -> list[float]:  # type: ignore[no-untyped-def]
    """Each leftover reference object's best IoU with a leftover candidate of its class that stays extra
    (``same``: the same-class pairs of ``left``, the sparse pairs already measured; none is above the
    threshold, or the first pass would have paired it)."""
    keep = same.copy()
    if paired_r:
        keep &= ~np.isin(left.row, list(paired_r))
    if paired_c:
        keep &= ~np.isin(left.col, list(paired_c))
    best = np.zeros(left.shape[0])
    np.maximum.at(best, left.row[keep], left.data[keep])
    return best.tolist()


def pair_row(base: dict, status: str, r: ImageObject, c: ImageObject, iou: float, cmp) -> ObjectRow:  # type: ignore[no-untyped-def]
    is_box = r.is_box or c.is_box
    rb, cb = object_bbox(r), object_bbox(c)
    return ObjectRow(
        status=status,
        category=r.category,
        cand_category=c.category,
        ref_id=r.ann.id,
        cand_id=c.ann.id,
        bbox=pair_box(rb, cb),
        ref_bbox=rb,
        cand_bbox=cb,
        kind="box" if is_box else "mask",
        iou=iou,
        # boxes too: their pixels are the filled boxes the image row scores (a box pair said HD95 n/a while
        # its image's row, from those very pixels, said 40.0); IoU and Dice stay the boxes' own
        comparison=cmp(r.placed, c.placed, r.category),
        best_iou=iou,
        review=c.ann.review,
        note=c.ann.note,
        score=c.ann.score,
        oks=None
        if r.keypoints is None or c.keypoints is None
        else oks(r.keypoints, c.keypoints, coco_area(r), r.ann.bbox),
        **base,
    )


def single_row(base: dict, status: str, o: ImageObject, cmp) -> ObjectRow:  # type: ignore[no-untyped-def]
    bb = object_bbox(o)
    empty = Placed.empty()
    comp = cmp(o.placed, empty, o.category) if status == "fn" else cmp(empty, o.placed, o.category)
    return ObjectRow(
        status=status,
        category=o.category,
        cand_category=o.category if status == "fp" else None,
        ref_id=o.ann.id if status == "fn" else None,
        cand_id=o.ann.id if status == "fp" else None,
        bbox=bb,
        ref_bbox=bb if status == "fn" else None,
        cand_bbox=bb if status == "fp" else None,
        kind="box" if o.is_box else "mask",
        iou=0.0,
        comparison=comp,
        review=o.ann.review if status == "fp" else None,
        note=o.ann.note if status == "fp" else None,
        score=o.ann.score if status == "fp" else None,
        **base,
    )
