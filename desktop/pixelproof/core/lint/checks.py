"""First pass of lint, one image at a time: the rule checks that need nothing but the image's own objects,
and the per-object figures (area, aspect, roughness, Dice with the model) the second pass compares with
the class's distribution over the whole project.

``collect(work, context)`` is a pure function of its arguments (no shared mutable state), so images can
be spread over workers and give exactly the serial result.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from pycocotools import mask as mask_utils

from pixelproof.core import mask_edit, masks
from pixelproof.core.lint import fixes, shapes
from pixelproof.core.lint.objectlab import ImageBoxes, Matrices, badloc_match, image_min_similarity, matrices
from pixelproof.core.lint.problems import KINDS, Problem, excess_score
from pixelproof.core.lint.rules import ClassRules, Rules
from pixelproof.core.metrics import Placed, box_iou, placed_iou
from pixelproof.core.model import Annotation, ImageRecord
from pixelproof.core.qa import annotation_placed


@dataclass(frozen=True)
class Context:
    """Read-only inputs shared by every image: category names, resolved rules, the kinds asked for."""

    categories: dict[int, str]
    rules: Rules
    kinds: frozenset[str] = frozenset(KINDS)
    class_rules: dict[int, ClassRules] = field(default_factory=dict)

    @classmethod
    def make(cls, categories: dict[int, str], rules: Rules, kinds: frozenset[str] | None = None) -> Context:
        resolved = {cid: rules.for_class(name) for cid, name in categories.items()}
        return cls(dict(categories), rules, frozenset(KINDS) if kinds is None else kinds, resolved)

    def wants(self, *kinds: str) -> bool:
        return any(k in self.kinds for k in kinds)


@dataclass(slots=True)
class ImageWork:
    """One image to lint: its record, status, labels, and (with a model) its predictions."""

    image: ImageRecord
    status: str
    labels: list[Annotation]
    predictions: list[Annotation] | None = None


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


class _Obj:
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
                    else mask_utils.encode(np.zeros((self.height, self.width), np.uint8, order="F"))
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
            if not self.shaped:
                self._pixels = annotation_placed(self.ann, self.height, self.width)
            else:
                found = mask_edit.crop_of(self.rle())
                self._pixels = Placed.empty() if found is None else Placed(found[1], found[0][1], found[0][0])
        return self._pixels


class _Emit:
    """Builds problems of one image, dropping kinds that were not asked for."""

    def __init__(self, ctx: Context, image: ImageRecord, out: ImageFacts) -> None:
        self.ctx, self.image, self.out = ctx, image, out

    def __call__(
        self,
        kind: str,
        score: float,
        obj: _Obj | None,
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


def collect(work: ImageWork, ctx: Context) -> ImageFacts:
    """Rule checks and per-object figures of one image."""
    image = work.image
    out = ImageFacts(image.id, image.file_name, image.width, image.height)
    emit = _Emit(ctx, image, out)
    checks = [check for kinds, check in _OBJECT_CHECKS if ctx.wants(*kinds)]
    objs = []
    for ann in work.labels:
        cr = ctx.class_rules.get(ann.category_id) or ctx.rules.for_class("")
        name = ctx.categories.get(ann.category_id, str(ann.category_id))
        objs.append(_Obj(ann, name, cr, image.height, image.width))
    for o in objs:
        out.objects.append(_object_checks(o, image, ctx, emit, checks))
    scored = [o for o in objs if not o.ann.iscrowd]
    if ctx.wants("duplicate", "class_conflict"):
        _duplicates(scored, ctx, emit)
    if ctx.wants("unseparated_overlap"):
        _overlaps(scored, image, emit)
    if work.status in ("done", "reviewed") and not work.labels:
        emit(
            "unlabeled_image",
            0.6,
            None,
            f"image is marked {work.status} but has no objects",
            fixes.set_image_status(image.id, "todo"),
        )
    if work.predictions is not None:
        _model_facts(scored, work.predictions, image, ctx, out)
    return out


# ------------------------------------------------------------------------------------------------
# one object


_OBJECT_CHECKS: list[tuple[tuple[str, ...], Callable]] = []


def _object_checks(
    o: _Obj, image: ImageRecord, ctx: Context, emit: _Emit, checks: list[Callable]
) -> ObjectFacts:
    facts = ObjectFacts(o.ann.id, o.ann.category_id, list(o.ann.bbox), kind=o.kind)
    for check in checks:
        check(o, image, emit)
    w, h = o.tight()[2:]
    area = o.area()
    if area > 0:
        facts.log_area = math.log(area)
    if w > 0 and h > 0:
        facts.log_aspect = math.log(w / h)
    if o.shaped and ctx.wants("jagged_contour"):
        facts.log_roughness = math.log(_roughness(o))
    if o.shaped and ctx.wants("fragmented_mask"):
        _fragments(o, image, emit)
    return facts


def _check(*kinds: str) -> Callable:
    def register(fn: Callable) -> Callable:
        _OBJECT_CHECKS.append((kinds, fn))
        return fn

    return register


def _roughness(o: _Obj) -> float:
    if o.kind == "polygon":
        rings = [r for r in o.rings() if len(r) >= 3]
        if not rings:
            return math.nan
        return shapes.ring_roughness(max(rings, key=shapes.polygon_area))
    return shapes.mask_roughness(o.pixels().mask, o.outline())


@_check("out_of_bounds", "touches_border")
def _bounds(o: _Obj, image: ImageRecord, emit: _Emit) -> None:
    W, H = image.width, image.height
    x, y, w, h = (float(v) for v in o.ann.bbox)
    if o.kind == "polygon":
        x0, y0, w, h = o.vertex_box()
        x1, y1 = x0 + w, y0 + h
    elif o.kind == "mask":  # an RLE has the image's size: it cannot leave it
        tx, ty, tw, th = o.tight()
        x0, y0, x1, y1 = tx, ty, tx + tw, ty + th
    else:
        x0, y0, x1, y1 = x, y, x + w, y + h
    eps = 1e-6
    if o.kind != "mask" and (x0 < -eps or y0 < -eps or x1 > W + eps or y1 > H + eps):
        inside = max(0.0, min(x1, W) - max(x0, 0)) * max(0.0, min(y1, H) - max(y0, 0))
        total = max((x1 - x0) * (y1 - y0), 1e-9)
        outside = 1 - inside / total
        emit(
            "out_of_bounds",
            0.5 + 0.5 * outside,
            o,
            f"{o.name} {o.kind} reaches outside the {W}x{H} image "
            f"(x {x0:g}..{x1:g}, y {y0:g}..{y1:g}; {outside:.0%} of its box outside)",
            _clip_fix(o, image),
            figures={"outside": outside},
        )
        return
    if not o.rules.border and (x0 <= 0.5 or y0 <= 0.5 or x1 >= W - 0.5 or y1 >= H - 0.5) and x1 > x0:
        emit("touches_border", 0.6, o, f"{o.name} touches the image border (rules: border false)", None)


def _clip_fix(o: _Obj, image: ImageRecord) -> dict:
    W, H = image.width, image.height
    if o.kind == "box":
        x, y, w, h = (float(v) for v in o.ann.bbox)
        x0, y0 = min(max(x, 0.0), W), min(max(y, 0.0), H)
        x1, y1 = min(max(x + w, 0.0), W), min(max(y + h, 0.0), H)
        if x1 - x0 <= 0 or y1 - y0 <= 0:
            return fixes.delete(o.ann.id)
        return fixes.set_bbox(o.ann.id, [x0, y0, x1 - x0, y1 - y0])
    clipped = []
    for p in o.ann.segmentation:  # type: ignore[union-attr]
        pts = np.asarray(p, dtype=np.float64).reshape(-1, 2)
        pts[:, 0] = pts[:, 0].clip(0, W)
        pts[:, 1] = pts[:, 1].clip(0, H)
        if shapes.polygon_area(shapes.polygon_points(pts.reshape(-1).tolist())) > 0:
            clipped.append([round(float(v), 2) for v in pts.reshape(-1)])
    if not clipped:
        return fixes.delete(o.ann.id)
    return fixes.set_segmentation(o.ann.id, fixes.polygon_geometry(clipped, H, W))


@_check("kind_not_allowed")
def _kind_allowed(o: _Obj, image: ImageRecord, emit: _Emit) -> None:
    if o.kind in o.rules.kinds:
        return
    target = o.rules.kinds[0]
    allowed = ", ".join(o.rules.kinds)
    emit(
        "kind_not_allowed",
        0.7,
        o,
        f"{o.name} is a {o.kind}; the rules allow only {allowed} (fix: convert to {target})",
        _convert_fix(o, target, image),
    )


def _convert_fix(o: _Obj, target: str, image: ImageRecord) -> dict | None:
    H, W = image.height, image.width
    if o.kind == "box" and target == "polygon":
        return fixes.set_segmentation(o.ann.id, fixes.polygon_geometry(fixes.box_polygon(o.ann.bbox), H, W))
    geometry = fixes.placed_geometry(target, o.pixels(), H, W)
    return fixes.set_segmentation(o.ann.id, geometry) if geometry else None


@_check("box_mask_mismatch")
def _bbox_matches(o: _Obj, image: ImageRecord, emit: _Emit) -> None:
    if o.kind == "box" or not o.ann.segmentation:
        return
    tight = o.tight() if o.kind == "mask" else o.vertex_box()
    stored = [float(v) for v in o.ann.bbox]
    worst = max(abs(a - b) for a, b in zip(stored, tight, strict=True))
    tol = o.rules.threshold("bbox_tolerance") or 0.0
    if worst <= tol:
        return
    iou = box_iou(stored, tight)
    emit(
        "box_mask_mismatch",
        0.5 + 0.5 * (1 - iou),
        o,
        f"{o.name} {o.kind}: stored bbox {_box(stored)} is not the tight box {_box(tight)} of its shape "
        f"(off by {worst:.1f} px)",
        fixes.set_bbox(o.ann.id, tight),
        figures={"offset_px": worst, "iou": iou},
    )


def _box(b: list[float]) -> str:
    return "[" + ", ".join(f"{v:g}" for v in b) + "]"


@_check("invalid_polygon")
def _polygon_valid(o: _Obj, image: ImageRecord, emit: _Emit) -> None:
    if o.kind != "polygon":
        return
    parts = o.ann.segmentation or []
    defects = [shapes.ring_defect(r) for r in o.rings()]
    bad = [(i, d) for i, d in enumerate(defects) if d is not None]
    if not bad:
        return
    kept: list[list[float]] = []
    for p, d in zip(parts, defects, strict=True):
        if d is None:
            kept.append(p)  # type: ignore[arg-type]
        elif d == "self-intersecting":
            raster = annotation_placed(Annotation(0, 0, 0, [0, 0, 0, 0], [p]), image.height, image.width)
            geometry = fixes.placed_geometry("polygon", raster, image.height, image.width)
            kept += geometry["segmentation"] if geometry else []
    fix = (
        fixes.set_segmentation(o.ann.id, fixes.polygon_geometry(kept, image.height, image.width))
        if kept
        else fixes.delete(o.ann.id)
    )
    what = "; ".join(f"part {i + 1}: {d}" for i, d in bad) if len(parts) > 1 else bad[0][1]
    degenerate = any(d != "self-intersecting" for _, d in bad)
    emit("invalid_polygon", 0.9 if degenerate else 0.8, o, f"{o.name} polygon is invalid ({what})", fix)


@_check("tiny", "box_too_large")
def _size_limits(o: _Obj, image: ImageRecord, emit: _Emit) -> None:
    if o.kind == "polygon" and all(shapes.polygon_degenerate(r) for r in o.rings()):
        return  # nothing but degenerate parts: an invalid_polygon, not a tiny object
    r = o.rules
    w, h = o.tight()[2:]
    area = o.area()
    W, H = image.width, image.height
    small, large = [], []
    for name, value, limit, extent in (
        ("width", w, r.min_width, W),
        ("height", h, r.min_height, H),
        ("area", area, r.min_area, W * H),
    ):
        if limit is not None and value < limit.pixels(extent):
            px = limit.pixels(extent)
            small.append((excess_score(value, px, above=False), f"{name} {value:g} < {px:g}"))
    for name, value, limit, extent in (
        ("width", w, r.max_width, W),
        ("height", h, r.max_height, H),
        ("area", area, r.max_area, W * H),
    ):
        if limit is not None and value > limit.pixels(extent):
            px = limit.pixels(extent)
            large.append((excess_score(value, px, above=True), f"{name} {value:g} > {px:g}"))
    unit = "px" if o.kind == "box" else "px (pixels of its shape)"
    if small:
        emit(
            "tiny",
            max(s for s, _ in small),
            o,
            f"{o.name} {o.kind} is below the class minimum: {', '.join(t for _, t in small)} {unit}",
            fixes.delete(o.ann.id),
        )
    if large:
        emit(
            "box_too_large",
            max(s for s, _ in large),
            o,
            f"{o.name} {o.kind} is above the class maximum: {', '.join(t for _, t in large)} {unit}",
            None,
        )


def _fragments(o: _Obj, image: ImageRecord, emit: _Emit) -> None:
    """Islands far from the main body, and speckle (tiny islands, tiny holes)."""
    if o.area() == 0:
        return
    speckle = o.rules.threshold("speckle_px") or 0.0
    if o.kind == "polygon":
        found = _polygon_pieces(o, image)
        if found is None:
            return
        pieces, areas, gaps, main = found
        holes: list[int] = []
    else:
        if o.outline().single:
            return
        mp = shapes.mask_pieces(o.pixels().mask)
        if len(mp.areas) < 2 and not any(a < speckle for a in mp.hole_areas):
            return
        areas, gaps, main, holes = mp.areas, mp.gaps, mp.main - 1, mp.hole_areas
        pieces = mp
    main_area = areas[main]
    far_limit = max(2.0, (o.rules.threshold("island_gap") or 0.0) * math.sqrt(main_area))
    far = [i for i in range(len(areas)) if i != main and gaps[i] > far_limit]
    specks = [i for i in range(len(areas)) if i != main and i not in far and areas[i] < speckle]
    small_holes = [a for a in holes if a < speckle]
    if not far and not specks and not small_holes:
        return
    separate = [i for i in far if areas[i] >= max(speckle, 0.1 * main_area)]
    dropped = set(specks) | (set(far) - set(separate))
    score = 0.5 + 0.5 * min(1.0, (len(specks) + len(small_holes)) / 10)
    if far:
        score = max(score, excess_score(max(gaps[i] for i in far), far_limit, above=True))
    said = []
    if far:
        said.append(f"{len(far)} island(s) up to {max(gaps[i] for i in far):.0f} px from the main body")
    if specks:
        said.append(f"{len(specks)} speck(s) < {speckle:g} px")
    if small_holes:
        said.append(f"{len(small_holes)} pinhole(s) < {speckle:g} px")
    fix = _fragment_fix(o, image, pieces, main, dropped, separate, speckle)
    emit(
        "fragmented_mask",
        score,
        o,
        f"{o.name} {o.kind} is fragmented: {'; '.join(said)}"
        + (f" (fix: split off {len(separate)} island(s) as new objects)" if separate else ""),
        fix,
        figures={"islands_far": len(far), "specks": len(specks), "pinholes": len(small_holes)},
    )


def _polygon_pieces(o: _Obj, image: ImageRecord) -> tuple[list[Placed], list[int], list[float], int] | None:
    parts = [p for p in o.ann.segmentation or [] if len(p) >= 6]  # type: ignore[union-attr]
    if len(parts) < 2:
        return None
    H, W = image.height, image.width
    pieces = [annotation_placed(Annotation(0, 0, 0, [0, 0, 0, 0], [p]), H, W) for p in parts]
    areas = [p.area for p in pieces]
    main = int(np.argmax(areas))
    gaps = [0.0 if i == main else shapes.placed_gap(pieces[main], p) for i, p in enumerate(pieces)]
    return pieces, areas, gaps, main


def _fragment_fix(
    o: _Obj,
    image: ImageRecord,
    pieces: list[Placed] | shapes.Pieces,
    main: int,
    dropped: set[int],
    separate: list[int],
    speckle: float,
) -> dict | None:
    H, W = image.height, image.width
    if o.kind == "polygon":
        parts = [p for p in o.ann.segmentation or [] if len(p) >= 6]  # type: ignore[union-attr]
        keep = [p for i, p in enumerate(parts) if i not in dropped and i not in separate]
        first = fixes.polygon_geometry(keep, H, W)
        rest = [fixes.polygon_geometry([parts[i]], H, W) for i in separate]
    else:
        assert isinstance(pieces, shapes.Pieces)
        y0, x0 = o.pixels().y0, o.pixels().x0
        labels = pieces.labels
        body = (labels > 0) & ~np.isin(labels, [i + 1 for i in (*dropped, *separate)])
        if pieces.hole_labels is not None and pieces.hole_labels.any():
            sizes = np.bincount(pieces.hole_labels.ravel())
            small = [k for k in range(1, len(sizes)) if 0 < sizes[k] < speckle]
            body |= np.isin(pieces.hole_labels, small)
        placed = Placed(body, y0, x0)
        first = fixes.placed_geometry("mask", placed, H, W)
        rest = [fixes.placed_geometry("mask", Placed(labels == i + 1, y0, x0), H, W) for i in separate]
    if first is None:
        return None
    if separate:
        return fixes.split(o.ann.id, [first, *[g for g in rest if g]])
    return fixes.set_segmentation(o.ann.id, first)


# ------------------------------------------------------------------------------------------------
# pairs


def _duplicates(objs: list[_Obj], ctx: Context, emit: _Emit) -> None:
    """Pairs covering the same thing: box IoU when either is a box, pixel IoU between shapes."""
    if len(objs) < 2:
        return
    boxes = np.array([o.ann.bbox for o in objs], dtype=np.float64)
    x0, y0 = boxes[:, 0], boxes[:, 1]
    x1, y1 = x0 + boxes[:, 2], y0 + boxes[:, 3]
    iw = np.clip(np.minimum(x1[:, None], x1[None]) - np.maximum(x0[:, None], x0[None]), 0, None)
    ih = np.clip(np.minimum(y1[:, None], y1[None]) - np.maximum(y0[:, None], y0[None]), 0, None)
    inter = iw * ih
    areas = boxes[:, 2] * boxes[:, 3]
    union = areas[:, None] + areas[None] - inter
    box_iou_m = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
    pix = np.array([o.area() if o.shaped else 0.0 for o in objs], dtype=np.float64)
    for i, j in zip(*np.nonzero(np.triu(inter > 0, 1)), strict=True):
        a, b = objs[i], objs[j]
        if a.ann.id > b.ann.id:
            a, b = b, a
        limit = b.rules.threshold("duplicate_iou") or 0.95
        if not (a.shaped and b.shaped):
            iou = float(box_iou_m[i, j])
        else:
            # pixel IoU <= box intersection / larger pixel count: skip pairs that cannot reach the limit
            if inter[i, j] / max(pix[i], pix[j], 1.0) < limit:
                continue
            iou = placed_iou(a.pixels(), b.pixels())
        if not iou >= limit:
            continue
        same = a.ann.category_id == b.ann.category_id
        kind = "duplicate" if same else "class_conflict"
        msg = (
            f"{b.name} duplicates annotation {a.ann.id} (IoU {iou:.3f})"
            if same
            else f"{b.name} and {a.name} (annotation {a.ann.id}) cover the same object (IoU {iou:.3f}); "
            "keep the right class"
        )
        emit(
            kind,
            iou,
            b,
            msg,
            fixes.delete(b.ann.id),
            related=a.ann.id,
            bbox=_union(a.ann.bbox, b.ann.bbox),
            figures={"iou": iou},
        )


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


def _overlaps(objs: list[_Obj], image: ImageRecord, emit: _Emit) -> None:
    """Countable masks must be separated: no shared pixels, no contact without a background gap."""
    shaped = sorted(
        (o for o in objs if o.shaped and o.rules.countable and o.area() > 0), key=lambda o: o.ann.id
    )
    for i, a in enumerate(shaped):
        for b in shaped[i + 1 :]:
            if not _boxes_near(a.tight(), b.tight()):
                continue
            pa, pb = a.pixels(), b.pixels()
            c = shapes.contact(pa, pb)
            smaller = max(1, min(pa.area, pb.area))
            touch_min = b.rules.threshold("touch_min_px") or 1.0
            if c.overlap > 0:
                score = 0.5 + 0.5 * min(1.0, 4 * c.overlap / smaller)
                msg = f"{b.name} overlaps {a.name} (annotation {a.ann.id}) by {c.overlap} px"
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
# with a model


def _model_facts(
    objs: list[_Obj], predictions: list[Annotation], image: ImageRecord, ctx: Context, out: ImageFacts
) -> None:
    """ObjectLab's per-image matrices and the Dice of each shape with its matched prediction's mask."""
    lab = [o.ann.bbox for o in objs]
    boxes = ImageBoxes.make(
        [[x, y, x + w, y + h] for x, y, w, h in lab],
        [o.ann.category_id for o in objs],
        [[p.bbox[0], p.bbox[1], p.bbox[0] + p.bbox[2], p.bbox[1] + p.bbox[3]] for p in predictions],
        [p.category_id for p in predictions],
        [p.score if p.score is not None else 1.0 for p in predictions],
    )
    mats = matrices(boxes)
    out.boxes, out.mats, out.predictions = boxes, mats, list(predictions)
    out.label_ids = [o.ann.id for o in objs]
    out.min_similarity = image_min_similarity(mats.similarity)
    out.min_prediction_score = float(boxes.pred_probs.min()) if len(predictions) else 1.0
    if not ctx.wants("low_mask_agreement") or not predictions:
        return
    low = ctx.rules.threshold("min_prediction_score") or 0.0
    _, matched = badloc_match(boxes, mats, low)
    facts = {f.annotation_id: f for f in out.objects}
    for o, j in zip(objs, matched, strict=True):
        if j < 0 or not o.shaped or predictions[j].kind == "box":
            continue
        pred = annotation_placed(predictions[j], image.height, image.width)
        inter_union = placed_iou(o.pixels(), pred)
        if math.isnan(inter_union):
            continue
        f = facts[o.ann.id]
        f.dice = 2 * inter_union / (1 + inter_union)
        f.dice_pred = int(j)
