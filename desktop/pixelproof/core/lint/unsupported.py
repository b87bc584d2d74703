"""``unsupported_label``: a label no prediction of any class overlaps while the model is confident elsewhere
on the image (FiftyOne's "possible spurious"). ObjectLab cannot see it: a label with no prediction of its
class over it is well located (badloc 1.0) and, far from other classes' predictions, not swapped.

It is weaker evidence than ObjectLab's kinds (the model may simply miss a small or unusual object), so it
scores at most ``CAP`` x the model's best score on the image, less as some prediction nears
``SUPPORT_IOU``; and only labels of a class the model predicts somewhere in the project are judged (a model
that does not know the class says nothing about it)."""

from __future__ import annotations

import numpy as np

from pixelproof.core.lint.facts import Context, ImageFacts
from pixelproof.core.lint.problems import Problem
from pixelproof.core.wording import plural

SUPPORT_IOU = 0.1  # a prediction of any class and any score overlapping the label this much supports it
CAP = 0.6  # the highest score: below the ObjectLab findings of a confident model (README)


def unsupported_labels(
    facts: ImageFacts, badloc_pred: np.ndarray, high: np.ndarray, ctx: Context
) -> list[Problem]:
    """The image's labels no prediction supports. ``badloc_pred``: ObjectLab's matched prediction per label
    (a matched label is ObjectLab's to judge); ``high``: the confident threshold per prediction."""
    boxes, m = facts.boxes, facts.mats
    if boxes is None or m is None or not boxes.pred_probs.size or not len(facts.label_ids):
        return []
    confident = boxes.pred_probs >= high
    if not confident.any():  # the model stands by nothing here: its silence on a label tells nothing
        return []
    best_score = float(boxes.pred_probs[confident].max())
    support = np.zeros(len(facts.label_ids))
    np.maximum.at(support, m.rows, m.iou)
    objects = {o.annotation_id: o for o in facts.objects}
    out: list[Problem] = []
    for i, aid in enumerate(facts.label_ids):
        cid = int(boxes.lab_labels[i])
        if support[i] >= SUPPORT_IOU or badloc_pred[i] >= 0 or cid not in ctx.predicted:
            continue
        score = CAP * best_score * (1 - float(support[i]) / SUPPORT_IOU)
        name = ctx.categories.get(cid, str(cid))
        seen = int(confident.sum())
        out.append(
            Problem(
                "unsupported_label",
                score,
                facts.image_id,
                facts.file_name,
                aid,
                name,
                objects[aid].bbox if aid in objects else boxes.lab_boxes[i].tolist(),
                f"no prediction of any class overlaps this {name} (best box IoU {support[i]:.2f}), while the "
                f"model sees {plural(seen, 'object')} on the image with scores up to "
                f"{best_score:.2f}: look whether "
                "anything is there",
                None,
                figures={"support_iou": float(support[i]), "best_prediction_score": best_score},
            )
        )
    return out
