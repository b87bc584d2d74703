"""Real pictures with clean labels for the lint tests, and helpers to plant one error at a time.

- ``box_scene``: the LabelMe fixture photos (PASCAL VOC) and scikit-image's astronaut, coffee, chelsea and
  motorcycle; clean labels are ``yolo11n.onnx``'s confident detections (score >= 0.5), the model's
  predictions are all its detections (score >= 0.1).
- ``coin_scene``: scikit-image's ``coins``; clean labels are the ``threshold`` backend's masks (24 coins),
  which are also the model's predictions (a segment backend).
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import skimage.data
from PIL import Image

from pixelproof.core import masks
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from pixelproof.inference.apply import predict_project
from pixelproof.inference.registry import get_backend

LABEL_SCORE = 0.5
PREDICTION_SCORE = 0.1


def _save(pixels: np.ndarray, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels).save(path)


def _project_over(folder: Path, names: list[str], categories: list[str]) -> Project:
    p = Project()
    p.path = folder / "project.json"
    for i, name in enumerate(names, start=1):
        with Image.open(folder / name) as im:
            w, h = im.size
        p.add_image(ImageRecord(i, name, w, h))
    for i, c in enumerate(categories, start=1):
        p.add_category(Category(i, c))
    return p


def box_scene(folder: Path, labelme: Path, model: Path) -> tuple[Project, dict[int, list[Annotation]]]:
    """(project with clean box labels, the model's predictions per image)."""
    names = []
    for jpg in sorted((labelme / "bbox_detection" / "data_annotated").glob("*.jpg")):
        names.append(f"voc/{jpg.name}")
        _save(np.asarray(Image.open(jpg).convert("RGB")), folder / names[-1])
    pictures = {
        "astronaut": skimage.data.astronaut(),
        "coffee": skimage.data.coffee(),
        "chelsea": skimage.data.chelsea(),
        "motorcycle": skimage.data.stereo_motorcycle()[0],
    }
    for name, pixels in pictures.items():
        names.append(f"ski/{name}.png")
        _save(pixels, folder / names[-1])
    backend = get_backend("yolo-onnx")
    backend.configure(model_path=str(model), score_threshold=PREDICTION_SCORE)
    classes = backend.categories()
    project = _project_over(folder, names, classes)
    predictions, _, _ = predict_project(project, backend)
    next_id = 1
    for iid, preds in predictions.items():
        for pred in preds:
            if pred.score is not None and pred.score >= LABEL_SCORE:
                project.add_annotation(
                    Annotation(
                        next_id, iid, pred.category_id, list(pred.bbox), None, pred.area, source="manual"
                    )
                )
                next_id += 1
    return project, predictions


def coin_scene(folder: Path) -> tuple[Project, dict[int, list[Annotation]]]:
    """(project with the 24 coins as clean RLE masks, the threshold backend's masks as predictions)."""
    _save(skimage.data.coins(), folder / "coins.png")
    project = _project_over(folder, ["coins.png"], ["coin"])
    backend = get_backend("threshold")
    backend.configure(category="coin", background_radius=60, min_area=300)
    predictions, _, _ = predict_project(project, backend)
    for k, pred in enumerate(predictions[1], start=1):
        project.add_annotation(
            Annotation(k, 1, 1, list(pred.bbox), pred.segmentation, pred.area, source="manual")
        )
    return project, predictions


# ------------------------------------------------------------------------------------------------
# planting


def set_mask(ann: Annotation, mask: np.ndarray) -> None:
    ann.set_geometry(masks.encode(mask), masks.bbox(mask), float(mask.sum()))


def disc_like(ann: Annotation, shape: tuple[int, int], scale: float = 1.0, squash: float = 1.0) -> np.ndarray:
    """An ellipse at the object's centre: radius x ``scale``, height / ``squash``."""
    x, y, w, h = ann.bbox
    out = np.zeros(shape, np.uint8)
    r = (w + h) / 4 * scale
    cv2.ellipse(
        out,
        (round(x + w / 2), round(y + h / 2)),
        (round(r * squash**0.5), round(r / squash**0.5)),
        0,
        0,
        360,
        1,
        -1,
    )
    return out.astype(bool)


def jagged(mask: np.ndarray, amplitude: int = 4, seed: int = 0) -> np.ndarray:
    """The mask with its outline made saw-toothed: alternate sectors grown and shrunk by ``amplitude``."""
    ys, xs = np.nonzero(mask)
    cy, cx = ys.mean(), xs.mean()
    yy, xx = np.mgrid[: mask.shape[0], : mask.shape[1]]
    sector = ((np.arctan2(yy - cy, xx - cx) + np.pi) / (2 * np.pi) * 48).astype(int) % 2 == 0
    k = np.ones((2 * amplitude + 1, 2 * amplitude + 1), np.uint8)
    grown = cv2.dilate(mask.astype(np.uint8), k).astype(bool)
    shrunk = cv2.erode(mask.astype(np.uint8), k).astype(bool)
    return np.where(sector, grown, shrunk)
