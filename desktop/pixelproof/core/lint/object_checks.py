"""Rules on one object at a time: bounds and border, allowed kinds, the stored box against the shape,
polygon validity, the class's size limits; and the roughness figure the class distribution compares."""

from __future__ import annotations

import math

from pixelproof.core import masks
from pixelproof.core.geometry import clamp_polygons, clip_box
from pixelproof.core.lint import fixes, shapes
from pixelproof.core.lint.facts import CheckedObject, Emit
from pixelproof.core.lint.problems import excess_score
from pixelproof.core.lint.rules import Size
from pixelproof.core.measure import area_text
from pixelproof.core.metrics_overlap import box_iou
from pixelproof.core.model import Annotation, ImageRecord
from pixelproof.core.qa_objects import annotation_placed, image_spacing


def roughness(o: CheckedObject) -> float:
    """Perimeter against the convex hull's: the figure jagged_contour compares within the class."""
    if o.kind == "polygon":
        rings = [r for r in o.rings() if len(r) >= 3]
        if not rings:
            return math.nan
        return shapes.ring_roughness(max(rings, key=shapes.polygon_area))
    return shapes.mask_roughness(o.pixels().mask, o.outline())


def bounds(o: CheckedObject, image: ImageRecord, emit: Emit) -> None:
    """A box or polygon reaching outside the image (a mask cannot), or touching a border the class forbids."""
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
            f"(x {x0:g}..{x1:g}, y {y0:g}..{y1:g}; {_how_far(x0, y0, x1, y1, W, H, outside)})",
            _clip_fix(o, image),
            figures={"outside": outside},
        )
        return
    if (
        not o.rules.border
        and not o.ann.iscrowd
        and (x0 <= 0.5 or y0 <= 0.5 or x1 >= W - 0.5 or y1 >= H - 0.5)
        and x1 > x0
    ):
        emit("touches_border", 0.6, o, f"{o.name} touches the image border (rules: border false)", None)


def _clip_fix(o: CheckedObject, image: ImageRecord) -> dict:
    W, H = image.width, image.height
    if o.kind == "box":
        box = clip_box(o.ann.bbox, W, H)
        return fixes.delete(o.ann.id) if box is None else fixes.set_bbox(o.ann.id, box)
    clipped = [[round(v, 2) for v in p] for p in clamp_polygons(o.ann.segmentation, W, H)]  # type: ignore[arg-type]
    if not clipped:
        return fixes.delete(o.ann.id)
    return fixes.set_segmentation(o.ann.id, fixes.polygon_geometry(clipped, H, W))


def kind_allowed(o: CheckedObject, image: ImageRecord, emit: Emit) -> None:
    """A box / polygon / mask the class's rules do not allow; the fix converts to the first allowed kind."""
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


def _convert_fix(o: CheckedObject, target: str, image: ImageRecord) -> dict | None:
    H, W = image.height, image.width
    if o.kind == "box" and target == "polygon":
        return fixes.set_segmentation(
            o.ann.id, fixes.polygon_geometry(masks.box_polygon([float(v) for v in o.ann.bbox]), H, W)
        )
    geometry = fixes.placed_geometry(target, o.pixels(), H, W)
    return fixes.set_segmentation(o.ann.id, geometry) if geometry else None


def bbox_matches(o: CheckedObject, image: ImageRecord, emit: Emit) -> None:
    """A stored bbox that is not its shape's tight box misleads every box-based tool and metric."""
    if o.kind == "box" or not o.ann.segmentation:
        return
    tight = o.tight() if o.kind == "mask" else o.vertex_box()
    stored = [float(v) for v in o.ann.bbox]
    worst = edge_offset(stored, tight)
    tol = (o.rules.threshold("bbox_tolerance") or 0.0) + 1e-6  # float noise is no offset
    if worst <= tol:
        return
    if o.kind == "polygon" and edge_offset(stored, o.tight()) <= tol:
        return  # the box of its pixels, as pycocotools (and so labelme2coco) gives a polygon
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


def edge_offset(a: list[float], b: list[float]) -> float:
    """How far the farthest edge of box ``a`` lies from ``b``'s ([x, y, w, h] each): the width alone
    differs by up to twice that, a whole pixel for a polygon's pixel box, so it is no measure."""
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return max(abs(ax - bx), abs(ay - by), abs(ax + aw - bx - bw), abs(ay + ah - by - bh))


def _box(b: list[float]) -> str:
    return "[" + ", ".join(f"{v:g}" for v in b) + "]"


def polygon_valid(o: CheckedObject, image: ImageRecord, emit: Emit) -> None:
    """Self-intersecting or degenerate rings rasterize unpredictably; the fix retraces or drops them."""
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


def size_limits(o: CheckedObject, image: ImageRecord, emit: Emit) -> None:
    """The class's hard limits on width, height and area (pixels or a share of the image).

    A box's sides are the object: one 1 px wide is a click or a stray drag. A polygon's or mask's box is
    not: a 1-px scratch run along a row has a box 1 px high, the same scratch run diagonally a large one.
    So a shape is judged by its area and its length (longest extent, any direction), both the same
    whichever way it lies; its thinness never makes it tiny, and a long thin one is never offered for
    deletion."""
    if o.kind == "polygon" and all(shapes.polygon_degenerate(r) for r in o.rings()):
        return  # nothing but degenerate parts: an invalid_polygon, not a tiny object
    W, H = image.width, image.height
    if o.kind == "polygon":
        vx, vy, vw, vh = o.vertex_box()
        if vx >= W or vy >= H or vx + vw <= 0 or vy + vh <= 0:
            return  # wholly off the image (another slide's export): out_of_bounds says it, not "tiny"
    r = o.rules
    w, h = o.tight()[2:]
    area = o.area()
    fix: dict | None = fixes.delete(o.ann.id)
    if o.kind == "box":
        small = _below([("width", w, r.min_width, W), ("height", h, r.min_height, H)])
    else:
        small, fix = _shape_below(o, max(w, h), area, W, H, fix)
    small += _below([("area", area, r.min_area, W * H)])
    large = []
    for name, value, limit, extent in (
        ("width", w, r.max_width, W),
        ("height", h, r.max_height, H),
        ("area", area, r.max_area, W * H),
    ):
        if limit is not None and value > limit.pixels(extent):
            px = limit.pixels(extent)
            large.append((excess_score(value, px, above=True), f"{name} {value:g} > {px:g}"))
    unit = "px" if o.kind == "box" else "px (pixels of its shape)"
    spacing = image_spacing(image)
    if small:
        thin = "" if fix else "; long and thin, not a speck: no delete offered"
        said = (
            f"{', '.join(t for _, t in small)} {unit}{_area_in_units(area, r.min_area, W * H, '<', spacing)}"
        )
        emit(
            "tiny",
            max(s for s, _ in small),
            o,
            f"{o.name} {o.kind} is below the class minimum: {said}{thin}",
            fix,
        )
    if large:
        said = (
            f"{', '.join(t for _, t in large)} {unit}{_area_in_units(area, r.max_area, W * H, '>', spacing)}"
        )
        emit(
            "box_too_large",
            max(s for s, _ in large),
            o,
            f"{o.name} {o.kind} is above the class maximum: {said}",
            None,
        )


def _area_in_units(
    area: float, limit: Size | None, extent: float, sign: str, spacing: tuple[float, float] | None
) -> str:
    """``; area 21.3 µm² < 62.5 µm²`` when the image's pixel size is known and the area passes ``limit``
    (a slide's object said in px only: 12546485 px is how large?), else ""."""
    if spacing is None or limit is None:
        return ""
    px = limit.pixels(extent)
    if not (area < px if sign == "<" else area > px):
        return ""
    mm2 = spacing[0] * spacing[1]
    return f"; area {area_text(area * mm2)} {sign} {area_text(px * mm2)}"


def _below(limits: list[tuple[str, float, Size | None, float]]) -> list[tuple[float, str]]:
    """(score, "name value < limit") for each value under its set limit."""
    out = []
    for name, value, limit, extent in limits:
        if limit is not None and value < limit.pixels(extent):
            px = limit.pixels(extent)
            out.append((excess_score(value, px, above=False), f"{name} {value:g} < {px:g}"))
    return out


def _shape_below(
    o: CheckedObject, side: float, area: float, W: int, H: int, fix: dict | None
) -> tuple[list[tuple[float, str]], dict | None]:
    """A shape's length (longest extent in any direction) against min_width and min_height: only a shape
    short every way is under them. ``side`` (its box's longer side) is a lower bound of the length, so
    most shapes are passed without measuring. The delete fix is dropped for a thin shape the area limit
    alone flags: at least twice as long as the side of a square of that area, it is a line, not a speck."""
    r = o.rules
    limits = [("width", r.min_width, W), ("height", r.min_height, H), ("area", r.min_area, W * H)]
    px = {name: limit.pixels(extent) for name, limit, extent in limits if limit is not None}
    least = max((px[n] for n in ("width", "height") if n in px), default=None)
    thin_from = 2 * math.sqrt(px["area"]) if "area" in px and area < px["area"] else 0.0
    measure = side < (least or 0.0) or side < thin_from
    length = shapes.pixel_length(o.pixels().mask) if measure else side
    small = _below([("length", length, None if least is None else Size(least), 0.0)])
    if not small and thin_from and length >= thin_from:
        fix = None
    return small, fix


def _how_far(x0: float, y0: float, x1: float, y1: float, W: int, H: int, outside: float) -> str:
    """The share of the box outside, or under 1% (a sub-pixel overshoot read "0% outside") how far past
    which edge."""
    if outside >= 0.01:
        return f"{outside:.0%} of its box outside"
    past, edge = max((-x0, "left"), (-y0, "top"), (x1 - W, "right"), (y1 - H, "bottom"))
    return f"{past:.2g} px past the {edge} edge"
