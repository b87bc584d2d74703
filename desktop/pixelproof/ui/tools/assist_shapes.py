"""The assist tool's answers, computed in the model worker (no Qt): a backend's predictions as preview
shapes, cut there to the pixels no other object has when *Preserve other annotations* is on (the preview is
what Enter adds); and the result as polygons when the tool options bar says *Polygon*, traced in the worker
for the preview too (``outlined``), so the preview shows the polygon Enter adds, not the mask."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np

from pixelproof.core import masks
from pixelproof.core.annotation_pixels import others_mask
from pixelproof.core.edits.shapes import traced_polygon
from pixelproof.core.geometry import snap_box
from pixelproof.core.model import Annotation
from pixelproof.inference.base import Backend, Prompt, predict_safely

PREVIEW_RGBA = (255, 200, 0, 110)  # amber: not a category colour, so a preview is never taken for a label


@dataclass(slots=True)
class Shape:
    """One predicted object, encoded in the worker: COCO geometry plus a tinted crop for the preview."""

    category: str
    score: float
    segmentation: dict | list | None
    bbox: list[float]
    area: float
    rgba: np.ndarray | None  # premultiplied BGRA crop of the mask, or None for a box
    origin: tuple[int, int]
    outline: list[list[float]] | None = None  # *Result: Polygon*: the mask traced as Enter adds it


def prepare_shown(backend: Backend, image: np.ndarray, window: tuple[float, float] | None) -> None:
    """Run in the worker: ``prepare`` the picture as the view shows it (``window``: its window/level, None
    for an 8-bit picture), as the backend contract asks of an interactive caller."""
    backend.display_window = window
    backend.prepare(image)


def predict_shapes(
    backend: Backend,
    image: np.ndarray,
    prompt: Prompt,
    prepare: bool,
    window: tuple[float, float] | None = None,
) -> list[Shape]:
    """Run in the worker: (prepare,) predict and encode, so the UI thread only wraps arrays; the backend
    sees the picture through the view's ``window`` (a 16-bit or float picture as it is on screen)."""
    backend.display_window = window
    if prepare:
        backend.prepare(image)
    h, w = image.shape[:2]
    out = []
    for p in predict_safely(backend, image, prompt):
        if p.mask is not None:
            m = p.full_mask(h, w)
            if not m.any():
                continue
            x, y, bw, bh = (int(v) for v in masks.bbox(m))
            rgba = _tinted(m[y : y + bh, x : x + bw])
            out.append(
                Shape(
                    p.category,
                    float(p.score),
                    masks.encode(m),
                    [x, y, bw, bh],
                    float(masks.area(m)),
                    rgba,
                    (x, y),
                )
            )
        elif p.polygon:
            seg = [[float(v) for v in poly] for poly in p.polygon if len(poly) >= 6]
            if seg:
                area = masks.segmentation_area(seg, [0, 0, 0, 0], h, w)
                out.append(
                    Shape(p.category, float(p.score), seg, masks.polygons_bbox(seg), area, None, (0, 0))
                )
        else:
            box = snap_box(list(p.bbox), w, h)
            if box[2] > 0 and box[3] > 0:
                out.append(Shape(p.category, float(p.score), None, box, box[2] * box[3], None, (0, 0)))
    return out


@dataclass(slots=True)
class Answer:
    """A prompt's preview as Enter adds it."""

    shapes: list[Shape]
    found: int  # shapes the model gave before Preserve others cut them (found, but all another object's)
    cut: list[Annotation] | None  # the image's objects (the project's own) the shapes were cut off, or None


def predict_preview(
    backend: Backend,
    image: np.ndarray,
    prompt: Prompt,
    prepare: bool,
    window: tuple[float, float] | None,
    others: tuple[list[Annotation], list[Annotation]] | None,
    polygon: bool = False,
) -> Answer:
    """Run in the worker: ``predict_shapes``, then with Preserve others on (``others``: the image's
    objects, and copies of them made in the UI thread for this thread to read) the shapes cut off them,
    and with *Result: Polygon* (``polygon``) each mask traced, so the amber preview is what Enter adds and
    the UI thread does not decode the others' masks."""
    shapes = predict_shapes(backend, image, prompt, prepare, window)
    found = len(shapes)
    h, w = image.shape[:2]
    originals = None
    if others is not None:
        originals, copies = others
        shapes = preserving_others(shapes, copies, h, w)
    return Answer(outlined(shapes, h, w) if polygon else shapes, found, originals)


def outlined(shapes: list[Shape], height: int, width: int) -> list[Shape]:
    """Each mask shape with ``outline``: the polygon ``as_polygons`` will make of it at Enter (the same
    ``traced_polygon``: islands as parts, holes filled), for the preview to draw."""
    out = []
    for s in shapes:
        if isinstance(s.segmentation, dict):
            ann = Annotation(0, 0, 0, list(s.bbox), s.segmentation, s.area)
            traced = traced_polygon(ann, height, width)
            if traced is not None and isinstance(traced[0].segmentation, list):
                s = replace(s, outline=traced[0].segmentation)
        out.append(s)
    return out


def as_polygons(anns: list[Annotation], height: int, width: int) -> tuple[list[Annotation], list[str]]:
    """The *Polygon* result: each mask traced as Masks > Mask -> polygon traces it (``traced_polygon``),
    and for each one the polygon cannot hold exactly, that menu's words for what it loses."""
    out, losses = [], []
    for ann in anns:
        traced = traced_polygon(ann, height, width) if ann.kind == "mask" else None
        if traced is None:
            out.append(ann)
            continue
        polygon, conv = traced
        out.append(polygon)
        if not conv.lossless or conv.parts > 1:
            losses.append(f"annotation {ann.id}: {conv.warning()}")
    return out, losses


def preserving_others(shapes: list[Shape], others: Iterable[Annotation], h: int, w: int) -> list[Shape]:
    """*Preserve other annotations* (Shift+P, as the brush and the wand keep it): each mask shape without
    the pixels of ``others``; one left with no pixel is dropped. Boxes and polygons are kept as they are
    (their outline is the model's, not pixels to cut)."""
    if not any(isinstance(s.segmentation, dict) for s in shapes):
        return shapes
    taken = others_mask(others, h, w)
    if not taken.any():
        return shapes
    out = []
    for s in shapes:
        if not isinstance(s.segmentation, dict):
            out.append(s)
            continue
        m = masks.decode(s.segmentation).astype(bool) & ~taken
        if m.any():
            x, y, bw, bh = (int(v) for v in masks.bbox(m))
            rgba = _tinted(m[y : y + bh, x : x + bw])
            seg, area = masks.encode(m), float(masks.area(m))
            out.append(replace(s, segmentation=seg, bbox=[x, y, bw, bh], area=area, rgba=rgba, origin=(x, y)))
    return out


def _tinted(crop: np.ndarray) -> np.ndarray:
    """The preview of a mask's crop: premultiplied BGRA in the preview amber."""
    rgba = np.zeros((*crop.shape, 4), np.uint8)
    r, g, b, a = PREVIEW_RGBA
    rgba[crop] = (b * a // 255, g * a // 255, r * a // 255, a)
    return rgba
