"""Step 3's problems from a model's predictions (ObjectLab's scores, ``engine.finish``): missing objects
(ObjectLab's, and those among other classes' labels), partial, oversized and badly located boxes, wrong
classes, each with the fix that takes the model's box, shape or class."""

from __future__ import annotations

import math

import numpy as np

from pixelproof.core.geometry import clip_box
from pixelproof.core.limits import RLE_ORIGIN
from pixelproof.core.lint import fixes
from pixelproof.core.lint import objectlab as ol
from pixelproof.core.lint.checks import Context, ImageFacts, ObjectFacts
from pixelproof.core.lint.model_facts import other_overlap
from pixelproof.core.lint.problems import Problem
from pixelproof.core.model import Annotation
from pixelproof.core.qa_objects import annotation_placed
from pixelproof.core.sparse_mask import origin_of

# a confident prediction among other classes' labels (``unlabelled_in_clutter``) is a missing_object too (one
# concept, one kind, one fix) when its box IoU is under OWN_IOU with every label of its class and under
# ANY_IOU with every label; it scores CLUTTER_WEIGHT x its score, so under every ObjectLab missing_object
# (1 - the quality of a box overlapping no label: >= 0.9) and rankings stay comparable with cleanlab's
OWN_IOU, ANY_IOU, CLUTTER_WEIGHT = 0.1, 0.5, 0.85


def model_problems(facts: ImageFacts, s: ol.ImageScores, ctx: Context, high: np.ndarray) -> list[Problem]:
    """``high``: the ``confident`` score per prediction (its class's), as ObjectLab was scored with."""
    out: list[Problem] = []
    boxes, preds = facts.boxes, facts.predictions
    assert boxes is not None
    objects = {o.annotation_id: o for o in facts.objects}
    names = ctx.categories

    def problem(
        kind: str,
        quality: float,
        aid: int | None,
        cid: int,
        bbox: list[float],
        msg: str,
        fix: dict | None,
        model_box: list[float] | None = None,
        **fig: float,
    ) -> None:
        if kind in ctx.kinds:
            out.append(
                Problem(
                    kind,
                    1.0 - float(quality),
                    facts.image_id,
                    facts.file_name,
                    aid,
                    names.get(cid, str(cid)),
                    bbox,
                    msg,
                    fix,
                    figures={"quality": float(quality), **fig},
                    model_bbox=model_box,
                )
            )

    listed = missing_objects(boxes, s.overlooked, ctx)
    for j in listed:  # ObjectLab's: overlapping no label
        q, p = s.overlooked[j], preds[j]
        x0, y0, x1, y1 = (round(float(v)) for v in boxes.pred_boxes[j])
        problem(
            "missing_object",
            q,
            None,
            p.category_id,
            [float(v) for v in p.bbox],
            f"the model sees a {names.get(p.category_id)} at x {x0}..{x1}, y {y0}..{y1} "
            f"(score {p.score:.2f}) that no label covers",
            fixes.add(p, facts.width, facts.height),
            prediction_score=float(p.score or 0.0),
        )
    for j, own, other in unlabelled_in_clutter(boxes, facts.mats, high, listed, ctx):
        p = preds[j]
        x0, y0, x1, y1 = (round(float(v)) for v in boxes.pred_boxes[j])
        problem(
            "missing_object",
            1.0 - CLUTTER_WEIGHT * float(boxes.pred_probs[j]),
            None,
            p.category_id,
            [float(v) for v in p.bbox],
            f"the model sees a {names.get(p.category_id)} at x {x0}..{x1}, y {y0}..{y1} "
            f"(score {boxes.pred_probs[j]:.2f}) that no {names.get(p.category_id)} label covers (box IoU "
            f"{own:.2f}); it overlaps labels of other classes (box IoU up to {other:.2f}), so ObjectLab "
            "does not count it",
            fixes.add(p, facts.width, facts.height),
            prediction_score=float(p.score or 0.0),
            own_class_iou=own,
            other_class_iou=other,
        )
    for i, aid in enumerate(facts.label_ids):
        cid = int(boxes.lab_labels[i])
        bbox = objects[aid].bbox if aid in objects else boxes.lab_boxes[i].tolist()
        j = int(s.badloc_pred[i])
        if j >= 0 and s.badloc[i] < 1.0:
            cover = (ctx.class_rules.get(cid) or ctx.rules.for_class("")).threshold("cover") or 0.9
            kind, msg = box_location(boxes.lab_boxes[i], boxes.pred_boxes[j], cover)
            p = preds[j]
            msg = f"{names.get(cid)} {msg} (model score {p.score:.2f})"
            fix = location_fix(facts, objects.get(aid), aid, p)
            held = labelled_already(facts, i, j)
            if held is not None:  # the model's object has its own label: moving this one onto it doubles it
                own = float(ol.box_iou(boxes.lab_boxes[i], boxes.pred_boxes[j]))
                msg = (
                    f"{names.get(cid)} is matched to a {names.get(cid)} the model sees (box IoU {own:.2f}, "
                    f"model score {p.score:.2f}) that #{facts.label_ids[held[0]]} labels already (box IoU "
                    f"{held[1]:.2f}): "
                )
                if (other := other_overlap(facts, i, j, ctx)) >= 0.1:  # its own object may be that one
                    msg += f"it also overlaps another {names.get(cid)} the model sees (box IoU {other:.2f}): "
                    msg += "drawn off that one?"
                else:
                    msg += f"another {names.get(cid)} the model scores low, or a stray box?"
                fix = None
            elif kind != "bad_location" and (other := other_overlap(facts, i, j, ctx)) >= 0.1:  # a shift
                msg += f"; it also overlaps another {names.get(cid)} the model sees (box IoU {other:.2f}): "
                msg += "shifted?"
                fix = None  # which object is its own is unknown: the matched box may be a neighbour's
            problem(
                kind,
                s.badloc[i],
                aid,
                cid,
                bbox,
                msg,
                fix,
                list(p.bbox),
                prediction_score=float(p.score or 0),
            )
        j = int(s.swap_pred[i])
        if j >= 0 and s.swap[i] < 1.0:
            p = preds[j]
            other = names.get(p.category_id, str(p.category_id))
            problem(
                "wrong_class",
                s.swap[i],
                aid,
                cid,
                bbox,
                f"labelled {names.get(cid)}, the model sees a {other} here (score {p.score:.2f})",
                fixes.set_category(aid, p.category_id, other),
                list(p.bbox),
                prediction_score=float(p.score or 0.0),
            )
    return out


def missing_objects(boxes: ol.ImageBoxes, overlooked: np.ndarray, ctx: Context) -> list[int]:
    """The overlooked predictions to list, one per object: of two of one class overlapping at the class's
    ``near_duplicate_iou`` or more (a results file without NMS, a model seeing one person twice), only the
    stronger is listed, or one missing person is two problems and two identical fixes."""
    order = sorted(
        (j for j, q in enumerate(overlooked) if not math.isnan(q)),
        key=lambda j: (overlooked[j], -boxes.pred_probs[j], j),
    )
    kept: list[int] = []
    for j in order:
        cid = int(boxes.pred_labels[j])
        limit = (ctx.class_rules.get(cid) or ctx.rules.for_class("")).threshold("near_duplicate_iou") or 1.0
        same = [k for k in kept if int(boxes.pred_labels[k]) == cid]
        if same and ol.box_iou(boxes.pred_boxes[same], boxes.pred_boxes[j]).max() >= limit:
            continue
        kept.append(j)
    return sorted(kept)


def unlabelled_in_clutter(
    boxes: ol.ImageBoxes, m: ol.Matrices | None, high: np.ndarray, listed: list[int], ctx: Context
) -> list[tuple[int, float, float]]:
    """Confident predictions ObjectLab does not call overlooked because their box touches a label of
    another class (a person seated at a labelled table among bottles and bowls), yet no label is
    theirs: box IoU under ``OWN_IOU`` with every label of their class and under ``ANY_IOU`` with every
    label (FiftyOne's unmatched detection). (index, best own-class IoU, best IoU with any label), one
    per object: a prediction of a class overlapping an already ``listed`` one, or a stronger one of
    these, at the class's ``near_duplicate_iou`` is left out, as ``missing_objects`` leaves it."""
    if m is None or not len(m.cols):
        return []
    own = np.zeros(len(boxes.pred_labels))
    anyc = np.zeros(len(boxes.pred_labels))
    np.maximum.at(anyc, m.cols, m.iou)
    same = boxes.lab_labels[m.rows] == boxes.pred_labels[m.cols]
    np.maximum.at(own, m.cols[same], m.iou[same])
    touched = np.zeros(len(boxes.pred_labels), dtype=bool)
    touched[m.cols] = True  # overlapping no label: ObjectLab's own candidates (listed or not)
    if boxes.pred_covered is not None:
        touched &= ~boxes.pred_covered  # on a crowd region or wholly in void: not missing
    wanted = touched & (boxes.pred_probs >= high) & (own < OWN_IOU) & (anyc < ANY_IOU)
    order = sorted(np.flatnonzero(wanted).tolist(), key=lambda j: (-boxes.pred_probs[j], j))
    kept = list(listed)
    out: list[tuple[int, float, float]] = []
    for j in order:
        cid = int(boxes.pred_labels[j])
        limit = (ctx.class_rules.get(cid) or ctx.rules.for_class("")).threshold("near_duplicate_iou") or 1.0
        same_class = [k for k in kept if int(boxes.pred_labels[k]) == cid]
        if same_class and ol.box_iou(boxes.pred_boxes[same_class], boxes.pred_boxes[j]).max() >= limit:
            continue
        kept.append(j)
        out.append((j, float(own[j]), float(anyc[j])))
    return out


def labelled_already(facts: ImageFacts, label: int, matched: int) -> tuple[int, float] | None:
    """Another label of ``label``'s class (and annotator's version) that matches prediction ``matched``
    (box IoU >= 0.5, as COCO matches, and closer than ``label``): (its index, IoU), else None. ObjectLab
    judges each label against its class's best prediction, so a second bowl whose own prediction scores
    under ``min_prediction_score`` is "shifted" onto the first bowl's box, and that fix drew a duplicate."""
    boxes = facts.boxes
    assert boxes is not None
    same = boxes.lab_labels == boxes.lab_labels[label]
    if boxes.lab_versions is not None:
        same &= boxes.lab_versions == boxes.lab_versions[label]
    same[label] = False
    if not same.any():
        return None
    others = np.flatnonzero(same)
    ious = ol.box_iou(boxes.lab_boxes[others], boxes.pred_boxes[matched])
    own = float(ol.box_iou(boxes.lab_boxes[label], boxes.pred_boxes[matched]))
    k = int(np.argmax(ious))
    return (int(others[k]), float(ious[k])) if ious[k] >= 0.5 and ious[k] > own else None


def box_location(label: np.ndarray, pred: np.ndarray, cover: float) -> tuple[str, str]:
    """partial_box / oversized_box / bad_location from how the label box and the prediction nest."""
    iw = max(0.0, min(label[2], pred[2]) - max(label[0], pred[0]))
    ih = max(0.0, min(label[3], pred[3]) - max(label[1], pred[1]))
    inter = iw * ih
    la = max((label[2] - label[0]) * (label[3] - label[1]), 1e-12)
    pa = max((pred[2] - pred[0]) * (pred[3] - pred[1]), 1e-12)
    if inter / la >= cover and la < pa:
        share = f"{la / pa:.0%}" if la / pa >= 0.005 else "under 1%"  # not "0%" for a speck on the object
        return "partial_box", f"covers only {share} of the object the model sees"
    if inter / pa >= cover and pa < la:
        return "oversized_box", f"box is {la / pa:.1f}x the object the model sees inside it"
    return (
        "bad_location",
        f"is shifted from the object the model sees (box IoU {inter / (la + pa - inter):.2f})",
    )


def location_fix(facts: ImageFacts, o: ObjectFacts | None, aid: int, pred: Annotation) -> dict | None:
    """A box takes the prediction's box; a shape takes the prediction's shape (in its own kind), or, when
    the model gives only a box, no automatic fix (the outline must be redrawn; the box is shown)."""
    if o is None or o.kind == "box":
        clipped = clip_box(pred.bbox, facts.width, facts.height)
        return None if clipped is None else fixes.set_bbox(aid, clipped)
    return shape_fix(facts, o, pred)


def shape_fix(facts: ImageFacts, o: ObjectFacts, pred: Annotation) -> dict | None:
    """Replace a polygon or mask by the prediction's shape, converted to the label's kind."""
    if pred.kind == "box":
        return None
    if pred.kind == o.kind:
        geometry = {
            "segmentation": pred.segmentation,
            "bbox": [float(v) for v in pred.bbox],
            "area": float(pred.area),
        }
        if origin_of(pred) is not None:  # a mask stored cropped: the fix places it where the model put it
            geometry[RLE_ORIGIN] = origin_of(pred)
    else:
        pixels = annotation_placed(pred, facts.height, facts.width)
        geometry = fixes.placed_geometry(o.kind, pixels, facts.height, facts.width)  # type: ignore[assignment]
    return fixes.set_segmentation(o.annotation_id, geometry) if geometry else None
