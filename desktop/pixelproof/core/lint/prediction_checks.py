"""Whether a results file was written the way lint reads it, judged against the project's labels.

Two slips give a file every entry of which is valid yet every finding of which is wrong: boxes written as
corners ``[x1, y1, x2, y2]`` (torchvision's and many detectors' own layout) read as COCO's ``[x, y, width,
height]`` (hundreds of ``partial_box``), and class indices counted from 0 where the project's ids start at 1
(every other prediction a ``wrong_class``). Where a model's confident boxes lie on the labels far more
often read the other way, the file is refused with what to change, rather than linted into noise.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pixelproof.core import matching, metrics_overlap
from pixelproof.core.model import Annotation, Project

SCORE = 0.5  # predictions this confident are expected to lie on a label when the file is read right
MATCH_IOU = 0.5
MIN_EVIDENCE = 5  # fewer matches than this tell nothing
MAX_PREDICTIONS = 5000  # plenty to tell; keeps a huge file or a crowded image cheap


def _best_ious(preds: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(best IoU, index of that label: the first of equal ones, 0 when none overlaps) of each [x, y, w, h]
    prediction among the labels. Measured only where boxes overlap (``matching.overlapping_pairs``): a
    crowded image's 5,000 predictions against 10,000 labels were 50 million IoUs, twice (1.3 s of a
    3.8 s lint); the values are ``box_ious``', bit for bit those of every pair."""
    best = np.zeros(len(preds))
    arg = np.zeros(len(preds), dtype=int)
    if not len(preds) or not len(labels):
        return best, arg
    rows, cols = matching.overlapping_pairs(_extents(preds), _extents(labels))
    ious = metrics_overlap.box_ious(preds[rows], labels[cols])
    first = np.lexsort((cols, -ious, rows))  # per prediction: highest IoU first, then lowest label index
    head = first[np.r_[True, rows[first][1:] != rows[first][:-1]]] if first.size else first
    keep = ious[head] > 0
    best[rows[head[keep]]] = ious[head[keep]]
    arg[rows[head[keep]]] = cols[head[keep]]
    return best, arg


def _extents(boxes: np.ndarray) -> np.ndarray:
    """[x, y, w, h] rows as extents [left, top, right, bottom] (``matching.overlapping_pairs``)."""
    return np.c_[boxes[:, :2], boxes[:, :2] + boxes[:, 2:]]


def _labels_by_image(project: Project) -> dict[int, list[Annotation]]:
    out: dict[int, list[Annotation]] = {}
    void = project.void_category_ids()
    for a in project.annotations.values():
        if a.review in ("pending", "rejected") or a.category_id in void or a.iscrowd:
            continue
        if len(a.bbox) == 4 and a.bbox[2] > 0 and a.bbox[3] > 0:
            out.setdefault(a.image_id, []).append(a)
    return out


def misread(predictions: dict[int, list[Annotation]], project: Project, where: str) -> str | None:
    """Why the file looks written in another layout (corner boxes, class ids shifted by one), else None."""
    labels = _labels_by_image(project)
    counts = {"n": 0, "as_is": 0, "corners": 0, "same": 0, "plus": 0, "minus": 0}
    for iid, preds in predictions.items():
        own = labels.get(iid)
        confident = [p for p in preds if (p.score or 0.0) >= SCORE]
        if not own or not confident:
            continue
        confident = confident[: MAX_PREDICTIONS - counts["n"]]
        boxes = np.array([p.bbox for p in confident], dtype=float)
        lab = np.array([a.bbox for a in own], dtype=float)
        corners = boxes.copy()
        corners[:, 2:] -= corners[:, :2]
        ok = (corners[:, 2] > 0) & (corners[:, 3] > 0)
        best, arg = _best_ious(boxes, lab)
        best_c, _ = _best_ious(np.where(ok[:, None], corners, 0.0), lab)
        counts["n"] += len(confident)
        counts["as_is"] += int(np.count_nonzero(best >= MATCH_IOU))
        counts["corners"] += int(np.count_nonzero(ok & (best_c >= MATCH_IOU)))
        for p, iou, k in zip(confident, best, arg, strict=True):
            if iou >= MATCH_IOU:
                c = own[int(k)].category_id
                counts["same"] += p.category_id == c
                counts["plus"] += p.category_id + 1 == c
                counts["minus"] += p.category_id - 1 == c
        if counts["n"] >= MAX_PREDICTIONS:
            break
    return _verdict(counts, project, where)


def _verdict(c: dict[str, int], project: Project, where: str) -> str | None:
    if c["corners"] >= MIN_EVIDENCE and c["corners"] >= c["n"] / 2 and c["corners"] >= 3 * c["as_is"]:
        return (
            f"{where}: the boxes look like corners [x1, y1, x2, y2], not COCO's [x, y, width, height]: of "
            f"{c['n']} predictions scoring {SCORE:g} or more on labelled images, {c['corners']} lie on a "
            f"label (box IoU >= {MATCH_IOU:g}) read as corners and {c['as_is']} read as [x, y, width, "
            "height]; write width = x2 - x1 and height = y2 - y1"
        )
    matched = c["as_is"]
    for key, step, word in (("plus", 1, "counted from 0?"), ("minus", -1, "counted from 1?")):
        if c[key] >= MIN_EVIDENCE and c[key] >= matched / 2 and c[key] >= 3 * c["same"]:
            ids = ", ".join(f"{cat.id} {cat.name}" for cat in list(project.categories.values())[:6])
            more = ", ..." if len(project.categories) > 6 else ""
            return (
                f"{where}: the category ids look shifted by one ({word}): of {matched} predictions on a "
                f"label (box IoU >= {MATCH_IOU:g}), {c[key]} name its class with {step:+d} added to "
                f"category_id and {c['same']} as written; write the project's ids ({ids}{more})"
            )
    return None


def image_names(project: Project) -> dict[str, Any]:
    """An image id for each file name, base name and stem that names one image only: a results file may
    give the image by name (Ultralytics writes the file's stem when it is not a number)."""
    seen: dict[str, set[int]] = {}
    for image in project.images.values():
        name = image.file_name.replace("\\", "/")
        base = name.rsplit("/", 1)[-1]
        stem = base.rsplit(".", 1)[0] if "." in base else base
        for key in {name, base, stem}:
            seen.setdefault(key, set()).add(image.id)
    return {k: next(iter(v)) for k, v in seen.items() if len(v) == 1}
