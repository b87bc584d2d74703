"""What the first pass of lint reads and writes per image, and the view of one label its checks share.

Kept apart from the checks so each family of checks (object rules, fragments, pairs, model) is a module
that imports only these types.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np
from pycocotools import mask as mask_utils

from pixelproof.core import mask_edit, masks, rle_codec, sparse_mask
from pixelproof.core.lint import shapes
from pixelproof.core.lint.objectlab import ImageBoxes, Matrices
from pixelproof.core.lint.predictions import BLIND_WHEN_SKIPPED, skipped_overlapping
from pixelproof.core.lint.problems import KINDS, Problem
from pixelproof.core.lint.rules import ClassRules, Rules
from pixelproof.core.metrics import Placed
from pixelproof.core.model import Annotation, ImageRecord
from pixelproof.core.qa_objects import annotation_placed


@dataclass(frozen=True)
class Context:
    """Read-only inputs shared by every image: category names, resolved rules, the kinds asked for."""

    categories: dict[int, str]
    rules: Rules
    kinds: frozenset[str] = frozenset(KINDS)
    class_rules: dict[int, ClassRules] = field(default_factory=dict)
    predicted: frozenset[int] = frozenset()  # categories the model predicts somewhere (``unsupported_label``)

    @classmethod
    def make(
        cls,
        categories: dict[int, str],
        rules: Rules,
        kinds: frozenset[str] | None = None,
        predicted: frozenset[int] = frozenset(),
    ) -> Context:
        resolved = {cid: rules.for_class(name) for cid, name in categories.items()}
        return cls(dict(categories), rules, frozenset(KINDS) if kinds is None else kinds, resolved, predicted)

    def wants(self, *kinds: str) -> bool:
        return any(k in self.kinds for k in kinds)

    def judging(self, predictions: list[Annotation] | None) -> Context:
        """This context for an image with these predictions: without the kinds that need a label's own
        prediction when they were pre-labeled skipping those repeating a label (that prediction is gone)."""
        if predictions and skipped_overlapping({0: predictions}) is not None:
            return replace(self, kinds=self.kinds - frozenset(BLIND_WHEN_SKIPPED))
        return self


@dataclass(slots=True)
class ImageWork:
    """One image to lint: its record, status, labels, and (with a model) its predictions."""

    image: ImageRecord
    status: str
    labels: list[Annotation]
    predictions: list[Annotation] | None = None
    listed_before: int | None = None  # an earlier image id of the same file (listed twice)
    void: list[Annotation] = field(
        default_factory=list
    )  # void regions: not labels, no prediction is missed there


@dataclass(slots=True)
class ObjectFacts:
    """Per-object figures the second pass compares with the class's distribution (NaN = not measured)."""

    annotation_id: int
    category_id: int
    bbox: list[float]
    log_area: float = math.nan
    log_aspect: float = math.nan
    log_roughness: float = math.nan
    dice: float = math.nan  # with the model's mask of the matched prediction
    dice_pred: int = -1  # index of that prediction
    kind: str = "box"  # geometry kind: box, polygon or mask
    object_type: str = ""  # QuPath's objectType ("" = none): the class's figures are per type


@dataclass(slots=True)
class ImageFacts:
    """What the first pass learnt about one image."""

    image_id: int
    file_name: str
    width: int
    height: int
    problems: list[Problem] = field(default_factory=list)
    objects: list[ObjectFacts] = field(default_factory=list)
    boxes: ImageBoxes | None = None  # ObjectLab inputs (labels = ``label_ids``), None without a model
    mats: Matrices | None = None
    label_ids: list[int] = field(default_factory=list)
    predictions: list[Annotation] = field(default_factory=list)
    min_similarity: float = 1.0
    min_prediction_score: float = 1.0
    marked: str | None = None  # its status when done or reviewed (``unlabeled_image`` counts them)
    spacing: tuple[float, float] | None = None  # pixel size (row, column) mm: areas said in µm² / mm² too


class CheckedObject:
    """One label and what the checks ask of it; pixels are decoded only when a check needs them."""

    __slots__ = (
        "_area",
        "_outline",
        "_pixels",
        "_rings",
        "_rle",
        "_tight",
        "ann",
        "height",
        "kind",
        "name",
        "rules",
        "shaped",
        "width",
    )

    def __init__(self, ann: Annotation, name: str, rules: ClassRules, height: int, width: int) -> None:
        self.ann, self.name, self.rules = ann, name, rules
        self.height, self.width = height, width
        self._rle: dict | None = None
        self._tight: list[float] | None = None
        self._pixels: Placed | None = None
        self._rings: list[np.ndarray] | None = None
        self._outline: shapes.Outline | None = None
        self._area: float | None = None
        self.kind = ann.kind  # "box", "polygon" or "mask"
        self.shaped = self.kind != "box"

    def rle(self) -> dict:
        """pycocotools' compressed RLE of a polygon or mask (polygons rasterized as pycocotools does)."""
        if self._rle is None:
            seg = self.ann.segmentation
            if isinstance(seg, dict):
                rle = masks.compress(seg)
                self._rle = {"size": rle["size"], "counts": rle["counts"].encode("ascii")}
            else:
                parts = [list(map(float, p)) for p in seg or [] if len(p) >= 6]  # type: ignore[union-attr]
                self._rle = (
                    mask_utils.merge(mask_utils.frPyObjects(parts, self.height, self.width))
                    if parts
                    else rle_codec.compressed(mask_edit.empty_rle(self.height, self.width))
                )
        return self._rle

    def rings(self) -> list[np.ndarray]:
        """A polygon's parts as (n, 2) points without repeats (empty for other kinds)."""
        if self._rings is None:
            seg = self.ann.segmentation if self.kind == "polygon" else []
            self._rings = [shapes.polygon_points(p) for p in seg or []]  # type: ignore[union-attr]
        return self._rings

    def outline(self) -> shapes.Outline:
        """Contours of a mask's pixels (computed once for roughness and fragments)."""
        if self._outline is None:
            self._outline = shapes.outline(self.pixels().mask)
        return self._outline

    def vertex_box(self) -> list[float]:
        """[x, y, w, h] around a polygon's vertices (COCO's bbox of a polygon)."""
        pts = np.concatenate([r for r in self.rings() if len(r)] or [np.zeros((1, 2))])
        (x0, y0), (x1, y1) = pts.min(axis=0), pts.max(axis=0)
        return [float(x0), float(y0), float(x1 - x0), float(y1 - y0)]

    def tight(self) -> list[float]:
        """The box of the pixels (the stored box for box-only objects)."""
        if not self.shaped:
            return [float(v) for v in self.ann.bbox]
        if self._tight is None:
            if sparse_mask.origin_of(self.ann) is not None:  # the crop's frame is not the image's
                pixels = self.pixels()
                self._tight = pixels.bbox_xywh() if pixels.mask.size else [0.0, 0.0, 0.0, 0.0]
            else:
                self._tight = [float(v) for v in mask_utils.toBbox(self.rle())]
        return self._tight

    def area(self) -> float:
        """Pixel count of a shape (pycocotools, no decoding), w x h of a box."""
        if self._area is None:
            if self.shaped:
                self._area = float(mask_utils.area(self.rle()))
            else:
                self._area = float(self.ann.bbox[2]) * float(self.ann.bbox[3])
        return self._area

    def pixels(self) -> Placed:
        """The object's pixels as a crop (boxes rasterized too)."""
        if self._pixels is None:
            if not self.shaped or sparse_mask.origin_of(self.ann) is not None:  # a box; a crop at its origin
                self._pixels = annotation_placed(self.ann, self.height, self.width)
            else:
                found = mask_edit.crop_of(self.rle(), where=f"annotation {self.ann.id}")
                self._pixels = Placed.empty() if found is None else Placed(found[1], found[0][1], found[0][0])
        return self._pixels


class Emit:
    """Builds problems of one image, dropping kinds that were not asked for."""

    def __init__(self, ctx: Context, image: ImageRecord, out: ImageFacts) -> None:
        self.ctx, self.image, self.out = ctx, image, out

    def __call__(
        self,
        kind: str,
        score: float,
        obj: CheckedObject | None,
        message: str,
        fix: dict | None,
        *,
        related: int | None = None,
        bbox: list[float] | None = None,
        figures: dict[str, float] | None = None,
    ) -> None:
        if kind not in self.ctx.kinds:
            return
        look = (
            bbox
            if bbox is not None
            else (list(obj.ann.bbox) if obj else [0, 0, self.image.width, self.image.height])
        )
        self.out.problems.append(
            Problem(
                kind,
                float(min(1.0, max(0.0, score))),
                self.image.id,
                self.image.file_name,
                obj.ann.id if obj else None,
                obj.name if obj else None,
                [float(v) for v in look],
                message,
                fix,
                related,
                figures or {},
            )
        )
