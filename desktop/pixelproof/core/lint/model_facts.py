"""With a model, the first pass's part per image: ObjectLab's matrices (scored in the second pass with
dataset-wide figures) and the Dice of each shape with the mask of the prediction it matches."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from pixelproof.core.lint.facts import CheckedObject, Context, ImageFacts
from pixelproof.core.lint.objectlab import ImageBoxes, badloc_match, box_iou, image_min_similarity, matrices
from pixelproof.core.metrics import subtract
from pixelproof.core.metrics_overlap import placed_iou
from pixelproof.core.model import Annotation, ImageRecord
from pixelproof.core.overlap_versions import ANNOTATOR_KEY
from pixelproof.core.qa_objects import annotations_placed, placed_or_raise


def model_facts(
    objs: list[CheckedObject],
    predictions: list[Annotation],
    image: ImageRecord,
    ctx: Context,
    out: ImageFacts,
    crowd: Sequence[CheckedObject] = (),
    void: Sequence[Annotation] = (),
) -> None:
    """ObjectLab's per-image matrices and the Dice of each shape with its matched prediction's mask.
    ``objs`` are the labels ObjectLab scores; ``crowd`` the image's crowd regions, labels too: a
    prediction overlapping one is not overlooked (it is not scored as a label itself); nor is one lying
    wholly in ``void`` regions (as QA does not score it)."""
    lab = [o.ann.bbox for o in objs]
    pred_xyxy = [[p.bbox[0], p.bbox[1], p.bbox[0] + p.bbox[2], p.bbox[1] + p.bbox[3]] for p in predictions]
    covered = None
    if crowd and predictions:
        crowd_xyxy = np.array([[x, y, x + w, y + h] for x, y, w, h in (o.ann.bbox for o in crowd)], float)
        covered = (box_iou(np.array(pred_xyxy, float)[:, None, :], crowd_xyxy[None]) > 0).any(axis=1)
    if void and predictions:
        in_void = _wholly_in_void(predictions, void, image)
        covered = in_void if covered is None else covered | in_void
    boxes = ImageBoxes.make(
        [[x, y, x + w, y + h] for x, y, w, h in lab],
        [o.ann.category_id for o in objs],
        pred_xyxy,
        [p.category_id for p in predictions],
        [p.score if p.score is not None else 1.0 for p in predictions],
        [str(o.ann.app_extra.get(ANNOTATOR_KEY, "")) for o in objs],  # versions of an overlap image
        covered,
    )
    mats = matrices(boxes)
    out.boxes, out.mats, out.predictions = boxes, mats, list(predictions)
    out.label_ids = [o.ann.id for o in objs]
    out.min_similarity = image_min_similarity(mats)
    out.min_prediction_score = float(boxes.pred_probs.min()) if len(predictions) else 1.0
    if not ctx.wants("low_mask_agreement") or not predictions:
        return
    from pixelproof.core.lint.engine import per_prediction

    _, matched = badloc_match(boxes, mats, per_prediction(boxes, ctx, "min_prediction_score"))
    facts = {f.annotation_id: f for f in out.objects}
    pairs = [
        (o, int(j))
        for o, j in zip(objs, matched, strict=True)
        if j >= 0 and o.shaped and predictions[j].kind != "box"
    ]
    wanted = sorted({j for _, j in pairs})  # every matched prediction decoded in one batch
    found = annotations_placed([predictions[j] for j in wanted], image.height, image.width)
    decoded = dict(zip(wanted, found, strict=True))
    for o, j in pairs:
        pred = placed_or_raise(decoded[j])  # a prediction over the pixel limit stops the image, as before
        inter_union = placed_iou(o.pixels(), pred)
        if math.isnan(inter_union):
            continue
        f = facts[o.ann.id]
        f.dice = 2 * inter_union / (1 + inter_union)
        f.dice_pred = int(j)


def _wholly_in_void(
    predictions: list[Annotation], void: Sequence[Annotation], image: ImageRecord
) -> np.ndarray:
    """Per prediction: every pixel of it lies in the image's void regions (QA's rule for ignoring an
    object); only predictions whose box meets a void region's are decoded."""
    out = np.zeros(len(predictions), dtype=bool)
    boxes = np.array([[x, y, x + w, y + h] for x, y, w, h in (p.bbox for p in predictions)], float)
    regions = np.array([[x, y, x + w, y + h] for x, y, w, h in (a.bbox for a in void)], float)
    near = np.flatnonzero((box_iou(boxes[:, None, :], regions[None]) > 0).any(axis=1))
    if not near.size:
        return out
    mask = np.zeros((image.height, image.width), dtype=bool)
    for region in annotations_placed(list(void), image.height, image.width):
        placed = placed_or_raise(region)
        mask[placed.y0 : placed.y1, placed.x0 : placed.x1] |= placed.mask
    found = annotations_placed([predictions[j] for j in near], image.height, image.width)
    for j, pixels in zip(near.tolist(), found, strict=True):
        drawn = placed_or_raise(pixels)
        out[j] = not drawn.is_empty and subtract(drawn, mask).is_empty
    return out


def other_overlap(facts: ImageFacts, label: int, matched: int, ctx: Context) -> float:
    """The highest box IoU of ``label`` with a prediction of its class other than the ``matched`` one that
    judges locations (above ``min_prediction_score``): a label nesting with one object while overlapping
    another is likely shifted (matched to a neighbour), not merely too large or too small."""
    from pixelproof.core.lint.engine import per_prediction

    boxes, m = facts.boxes, facts.mats
    assert boxes is not None and m is not None
    pick = (m.rows == label) & (m.cols != matched)
    cols = m.cols[pick]
    low = per_prediction(boxes, ctx, "min_prediction_score", cols)
    ok = (boxes.pred_labels[cols] == boxes.lab_labels[label]) & (boxes.pred_probs[cols] > low)
    return float(m.iou[pick][ok].max()) if ok.any() else 0.0
