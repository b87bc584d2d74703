"""Model predictions for lint, kept apart from the project's annotations.

Two sources: a COCO results file (the list ``pycocotools.COCO.loadRes`` reads: ``image_id``,
``category_id``, ``bbox``, ``score``, optional ``segmentation``, in the project's image and category ids),
or the project's own pending model predictions (pre-labeling output not yet accepted). Either way the
result is ``{image_id: [Annotation, ...]}`` that is never added to the project.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

from pixelproof.core.coco import ProjectFormatError, read_json
from pixelproof.core.coco_rules import read_annotations
from pixelproof.core.geometry import clip_box
from pixelproof.core.labels import SKIPPED_OVERLAPPING
from pixelproof.core.limits import RLE_ORIGIN
from pixelproof.core.lint.prediction_checks import image_names, misread
from pixelproof.core.model import Annotation, Project


class PredictionsError(Exception):
    """The predictions file cannot be used at all (unreadable, not JSON, not a list)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def parse_predictions(
    items: Any, project: Project, where: str = "predictions"
) -> tuple[dict[int, list[Annotation]], list[str]]:
    """COCO results -> predictions per image, plus one located problem per entry left out.

    Entries are validated like project annotations (same reader); an entry without a finite ``score``
    in 0..1, or with an image or category the project lacks, is left out and reported. An image may be
    given by its file name, base name or stem. A file whose boxes or class ids are written another way
    (``prediction_checks.misread``) is refused: ``PredictionsError``.
    """
    if not isinstance(items, list):
        raise PredictionsError([f"{where}: expected a list of COCO results, got {type(items).__name__}"])
    problems: list[str] = []
    usable: list[dict] = []
    positions: list[int] = []
    names: dict[str, int] | None = None
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            problems.append(f"{where}[{i}]: expected an object, got {type(item).__name__}")
            continue
        if isinstance(name := item.get("image_id"), str):  # a file name or stem (Ultralytics' on a dataset)
            names = image_names(project) if names is None else names
            if name not in names:
                problems.append(
                    f"{where}[{i}].image_id: {name!r} is neither an image id nor the file name of one "
                    "image of the project"
                )
                continue
            item = {**item, "image_id": names[name]}
        score = item.get("score")
        if isinstance(score, bool) or not isinstance(score, int | float) or not (0.0 <= float(score) <= 1.0):
            problems.append(f"{where}[{i}].score: expected a number in 0..1, got {score!r}")
            continue
        entry = {
            k: v
            for k, v in item.items()
            if k in ("image_id", "category_id", "bbox", "segmentation", "score", "area")
        }
        entry["id"] = len(usable) + 1
        entry.setdefault("iscrowd", 0)
        usable.append(entry)
        positions.append(i)
    found: list[str] = []
    anns = read_annotations(usable, project.images, project.categories, found)
    for msg in found:
        problems.append(_relocate(msg, positions, where))
    out: dict[int, list[Annotation]] = {iid: [] for iid in project.images}  # no entry = nothing predicted
    for ann in anns.values():
        if ann.segmentation == []:
            ann.segmentation = None
        if not all(math.isfinite(v) for v in ann.bbox) or ann.bbox[2] < 0 or ann.bbox[3] < 0:
            continue
        image = project.images[ann.image_id]
        if clip_box(ann.bbox, image.width, image.height) is None:  # a missing object nobody could see
            box = ", ".join(f"{v:g}" for v in ann.bbox)
            problems.append(
                f"{where}[{positions[ann.id - 1]}].bbox: [{box}] has no area inside the "
                f"{image.width}x{image.height} image"
            )
            continue
        out[ann.image_id].append(ann)
    if reason := misread(out, project, where):
        raise PredictionsError([reason])
    return out, problems


def _relocate(message: str, positions: list[int], where: str) -> str:
    """``annotations[k].x: ...`` (k in the filtered list) -> ``predictions[i].x: ...`` (i in the file)."""
    if message.startswith("annotations["):
        head, _, rest = message[len("annotations[") :].partition("]")
        if head.isdigit() and int(head) < len(positions):
            return f"{where}[{positions[int(head)]}]{rest}"
    return f"{where}: {message}"


def read_predictions(
    path: str | os.PathLike[str], project: Project
) -> tuple[dict[int, list[Annotation]], list[str]]:
    """Read a COCO results file; ``PredictionsError`` when it cannot be read at all."""
    p = Path(path)
    try:
        data = read_json(p)
    except ProjectFormatError as e:
        raise PredictionsError([f"{p}: {m}" for m in e.problems]) from None
    if isinstance(data, dict) and isinstance(data.get("annotations"), list):
        data = data["annotations"]  # a COCO file with scores works too
    return parse_predictions(data, project, where=str(p))


def none_usable(predictions: dict[int, list[Annotation]], left_out: list[str], name: str) -> str | None:
    """Why predictions none of whose entries could be used are refused (the wrong file, or another
    project's ids: not a model that saw nothing), else None; ``lint`` and the Problems panel say it alike."""
    if left_out and not any(predictions.values()):
        return f"{name}: none of the {len(left_out)} predictions can be used"
    return None


def pending_predictions(project: Project) -> tuple[dict[int, list[Annotation]], list[str]]:
    """The project's pending model predictions, per image (score 1.0 when a prediction has none), and
    one located message per prediction left out: a project's score may be any finite number (raw logits
    imported), a prediction's must be a probability; a box with no area inside the image (a point, a
    zero-width box) would be a missing object nobody can see, and leave the label under it unsupported."""
    out: dict[int, list[Annotation]] = {iid: [] for iid in project.images}
    left_out: list[str] = []
    for ann in project.annotations.values():
        if ann.review == "pending" and (ann.source or "").startswith("model:"):
            if ann.score is not None and not 0.0 <= ann.score <= 1.0:
                name = project.images[ann.image_id].file_name
                left_out.append(f"annotation {ann.id} ({name}): score {ann.score!r} is not in 0..1")
                continue
            image = project.images[ann.image_id]
            if clip_box(ann.bbox, image.width, image.height) is None:  # as a results file's: seen nowhere
                box = ", ".join(f"{v:g}" for v in ann.bbox)
                left_out.append(
                    f"annotation {ann.id} ({image.file_name}): box [{box}] has no area inside the "
                    f"{image.width}x{image.height} image"
                )
                continue
            if ann.score is None:
                ann = Annotation(
                    ann.id,
                    ann.image_id,
                    ann.category_id,
                    list(ann.bbox),
                    ann.segmentation,
                    ann.area,
                    score=1.0,
                    source=ann.source,
                    review=ann.review,
                    app_extra={
                        k: v for k, v in ann.app_extra.items() if k in (RLE_ORIGIN, SKIPPED_OVERLAPPING)
                    },
                )
            out[ann.image_id].append(ann)
    for preds in out.values():
        preds.sort(key=lambda a: a.id)
    return out, sorted(left_out, key=lambda m: int(m.split()[1]))


# the kinds that judge a label by its own prediction: with predictions pre-labeled skipping those repeating
# a label, that prediction is gone and the label meets only the leftovers (a bus "shifted, box IoU 0.03")
BLIND_WHEN_SKIPPED = (
    "partial_box",
    "oversized_box",
    "bad_location",
    "low_mask_agreement",
    "unsupported_label",
)


def skipped_overlapping(predictions: dict[int, list[Annotation]] | None) -> float | None:
    """The IoU above which the predictions' pre-labeling skipped those repeating an object (the highest
    recorded), None when none was skipped so (``--keep-overlapping``, a model run, a results file). A value
    that is no IoU (a hand edit: text, a list, -1, 7) is not taken for one."""
    found = [
        float(v)
        for preds in (predictions or {}).values()
        for p in preds
        if isinstance(v := p.app_extra.get(SKIPPED_OVERLAPPING), int | float)
        and not isinstance(v, bool)
        and 0.0 <= v <= 1.0
    ]
    return max(found) if found else None


def skipped_note(iou: float, images: int) -> str:
    """What lint says of such predictions on ``images`` images (the CLI and the app add how to judge the
    rest); the images of a run that kept them all are judged in full."""
    where = "1 image" if images == 1 else f"{images} images"
    return (
        f"on {where} the pending predictions were pre-labeled skipping those that repeat a label (IoU > "
        f"{iou:g}), so a label's own prediction is not among them: {', '.join(BLIND_WHEN_SKIPPED)} were not "
        "judged there"
    )


# the kinds that need a confident prediction (ObjectLab's overlooked and swap scores)
NEED_CONFIDENT = ("missing_object", "wrong_class")


def unconfident(
    predictions: dict[int, list[Annotation]] | None, rules: Any, kinds: Any
) -> dict[str, Any] | None:
    """``{"predictions", "highest", "confident"}`` when no prediction reaches the lowest ``confident`` score
    of the rules (the dataset's, a class's own): ``NEED_CONFIDENT`` then find nothing, whatever the labels
    (ObjectLab's 0.95 is rarely reached by a small model such as yolo11n). None when one does, without a
    model, or when those kinds are not asked for. A model that gave no prediction at all (an empty results
    file, another split's) is said the same way: ``{"predictions": 0, "highest": None, ...}``."""
    if predictions is None or not any(k in kinds for k in NEED_CONFIDENT):
        return None
    scores = [p.score for preds in predictions.values() for p in preds if p.score is not None]
    if not scores and any(predictions.values()):  # predictions without scores: nothing to say of them
        return None
    entries = [rules.default, *rules.classes.values()]
    own = [e["confident"] for e in entries if isinstance(e.get("confident"), int | float)]
    confident = min([rules.threshold("confident"), *own])
    if scores and max(scores) >= confident:
        return None
    highest = round(max(scores), 4) if scores else None
    return {"predictions": len(scores), "highest": highest, "confident": confident}


def unconfident_note(
    options: dict[str, Any],
    how: str,
    *,
    pending: bool = False,
    other: str = "give a model (--backend and --model) or a results file",
) -> str | None:
    """What ``unconfident`` found, said; ``how``: where the threshold is set (``--confident``, the Rules
    dialog's "confident"); ``pending``: the predictions are the project's own pending ones, so none means
    nothing was pre-labeled (or all was decided), not a model run on other images; ``other``: how to give
    predictions another way (the command's options, the app's sources)."""
    info = options.get("unconfident")
    if not info:
        return None
    if not info["predictions"] and pending:
        return (
            f"the project has no pending model predictions: {' and '.join(NEED_CONFIDENT)} can find nothing; "
            f"pre-label it first, or {other}"
        )
    if not info["predictions"]:  # an empty results file runs as if there were no model: said, not silent
        return (
            f"the model gave no prediction on any image: {' and '.join(NEED_CONFIDENT)} can find nothing; "
            "was it run on these images (not another split), with a score threshold low enough?"
        )
    return (
        f"no prediction reaches the confident score {info['confident']:g} (the highest of "
        f"{info['predictions']} is {info['highest']:.3g}): {' and '.join(NEED_CONFIDENT)} can find nothing; "
        f"lower {how} (0.5 suits a small model such as yolo11n)"
    )
