"""Pixel-mask editing: patches, fill holes, merge, split, conversions, and RLE spliced without decoding
whole masks (the brush and the wand that produce patches are in ``core.paint``).

Pure numpy/OpenCV (no Qt) so every rule here is tested without a GUI. The UI keeps the mask being edited
as a dense boolean HxW array only while a tool works on it; every operation touches the changed rectangle
only and returns a :class:`Patch` (rectangle + before/after pixels), which is what an undo step stores —
never a whole mask. When the tool is done, :func:`geometry` turns the dense mask back into compressed RLE.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from pycocotools import mask as mask_utils

from pixelproof.core import masks
from pixelproof.core.limits import check_image_size, max_pixels
from pixelproof.core.model import Annotation
from pixelproof.core.rle_codec import counts_string, region_rle
from pixelproof.core.rle_strings import rle_counts
from pixelproof.core.sparse_mask import SparseMask, check_whole_mask, is_huge, origin_of, replace_rect_runs

Rect = tuple[int, int, int, int]  # x, y, w, h in pixels, origin at the image's top-left corner
_STRIP_PIXELS = 2**22  # column strips decoded whole up to this size (4 MB); past it, the rectangle only

# -- rectangles --------------------------------------------------------------------------------------


def rect_union(a: Rect | None, b: Rect | None) -> Rect | None:
    """Smallest rectangle holding both (None is the empty rectangle)."""
    if a is None:
        return b
    if b is None:
        return a
    x0, y0 = min(a[0], b[0]), min(a[1], b[1])
    x1, y1 = max(a[0] + a[2], b[0] + b[2]), max(a[1] + a[3], b[1] + b[3])
    return (x0, y0, x1 - x0, y1 - y0)


def clip_rect(rect: Rect, height: int, width: int) -> Rect | None:
    """``rect`` cut to the image; None when nothing is left."""
    x0, y0 = max(rect[0], 0), max(rect[1], 0)
    x1, y1 = min(rect[0] + rect[2], width), min(rect[1] + rect[3], height)
    if x1 <= x0 or y1 <= y0:
        return None
    return (x0, y0, x1 - x0, y1 - y0)


def rect_slices(rect: Rect) -> tuple[slice, slice]:
    x, y, w, h = rect
    return slice(y, y + h), slice(x, x + w)


def true_rect(mask: np.ndarray) -> Rect | None:
    """Tight rectangle around the set pixels of a 2-D array, None when there are none."""
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(mask.any(axis=0))
    return (int(cols[0]), int(rows[0]), int(cols[-1] - cols[0] + 1), int(rows[-1] - rows[0] + 1))


# -- patches -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class Patch:
    """The pixels one edit changed: an undo step stores this instead of whole masks."""

    rect: Rect
    before: np.ndarray  # bool (h, w)
    after: np.ndarray  # bool (h, w)

    def apply(self, mask: np.ndarray) -> None:
        """Redo: write ``after`` into ``mask`` in place."""
        mask[rect_slices(self.rect)] = self.after

    def revert(self, mask: np.ndarray) -> None:
        """Undo: write ``before`` back into ``mask`` in place."""
        mask[rect_slices(self.rect)] = self.before

    @property
    def changed(self) -> int:
        """Number of pixels whose value differs."""
        return int(np.count_nonzero(self.before != self.after))

    @property
    def added(self) -> int:
        return int(np.count_nonzero(self.after & ~self.before))

    @property
    def removed(self) -> int:
        return int(np.count_nonzero(self.before & ~self.after))

    @property
    def nbytes(self) -> int:
        return int(self.before.nbytes + self.after.nbytes)


def make_patch(rect: Rect, before: np.ndarray, after: np.ndarray) -> Patch | None:
    """A patch trimmed to the pixels that really changed; None when nothing did."""
    diff = before != after
    tight = true_rect(diff)
    if tight is None:
        return None
    x, y, w, h = tight
    ys, xs = slice(y, y + h), slice(x, x + w)
    return Patch(
        (rect[0] + x, rect[1] + y, w, h),
        np.ascontiguousarray(before[ys, xs]),
        np.ascontiguousarray(after[ys, xs]),
    )


def patch_from_region(
    mask: np.ndarray,
    rect: Rect,
    region: np.ndarray,
    *,
    subtract: bool = False,
    others: np.ndarray | OthersMask | None = None,
) -> Patch | None:
    """Add (or subtract) ``region`` (a bool crop placed at ``rect``) to ``mask`` in place; the patch.

    ``others`` (full-size bool, the pixels of other annotations) is left alone when adding — the
    "preserve others" rule.
    """
    sl = rect_slices(rect)
    before = mask[sl].copy()
    if subtract:
        after = before & ~region
    else:
        paint = region if others is None else region & ~others[sl]
        after = before | paint
    mask[sl] = after
    return make_patch(rect, before, after)


# -- fill holes --------------------------------------------------------------------------------------


def fill_holes(mask: np.ndarray) -> Patch | None:
    """Fill the mask's holes in place (background not 4-connected to the outside); the patch."""
    rect = true_rect(mask)
    if rect is None:
        return None
    sl = rect_slices(rect)
    before = mask[sl].copy()
    after = masks.fill_holes(before)
    mask[sl] = after
    return make_patch(rect, before, after)


# -- merge, split ----------------------------------------------------------------------------------


def merge(parts: Iterable[np.ndarray]) -> np.ndarray:
    """Union of masks of one image (the caller checks they share a category)."""
    out: np.ndarray | None = None
    for m in parts:
        out = m.astype(bool, copy=True) if out is None else np.logical_or(out, m, out=out)
    if out is None:
        raise ValueError("nothing to merge")
    return out


@dataclass(frozen=True, slots=True, eq=False)
class Region:
    """One connected component: its rectangle and bool crop (full masks of big images are 64 MB each)."""

    rect: Rect
    crop: np.ndarray

    @property
    def area(self) -> int:
        return int(np.count_nonzero(self.crop))

    def full(self, height: int, width: int) -> np.ndarray:
        out = np.zeros((height, width), dtype=bool)
        out[rect_slices(self.rect)] = self.crop
        return out


def split(mask: np.ndarray, connectivity: int = 8) -> list[Region]:
    """Connected components of a mask, largest first (ties: top-left first)."""
    if connectivity not in (4, 8):
        raise ValueError("connectivity must be 4 or 8")
    rect = true_rect(mask)
    if rect is None:
        return []
    crop = np.ascontiguousarray(mask[rect_slices(rect)], dtype=np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(crop, connectivity=connectivity)
    regions = []
    for label in range(1, n):
        x, y, w, h, _area = (int(v) for v in stats[label])
        sub = labels[y : y + h, x : x + w] == label
        regions.append(Region((rect[0] + x, rect[1] + y, w, h), sub))
    regions.sort(key=lambda r: (-r.area, r.rect[1], r.rect[0]))
    return regions


# -- conversions ---------------------------------------------------------------------------------------


def box_to_mask(bbox: list[float], height: int, width: int) -> np.ndarray:
    """Box -> mask, rasterized by pycocotools like every polygon."""
    return masks.box_to_mask(bbox, height, width)


def polygons_to_mask(polygons: masks.Polygons, height: int, width: int) -> np.ndarray:
    """Polygon(s) -> mask, exactly as ``COCO.annToMask`` rasterizes them."""
    return masks.polygons_to_mask(polygons, height, width)


@dataclass(frozen=True, slots=True)
class PolygonConversion:
    """Mask -> polygons, with what the polygons lose, measured by rasterizing them back."""

    polygons: masks.Polygons
    holes: int
    parts: int
    dropped: int
    pixels_lost: int  # mask pixels the polygons do not cover
    pixels_added: int  # pixels the polygons cover that the mask does not

    @property
    def lossless(self) -> bool:
        return self.pixels_lost == 0 and self.pixels_added == 0 and self.holes == 0 and self.dropped == 0

    def warning(self) -> str | None:
        """What the user should hear before converting; None when nothing is lost."""
        problems = []
        if self.holes:
            problems.append(f"{self.holes} hole(s) would be filled (COCO polygons cannot hold holes)")
        if self.dropped:
            problems.append(f"{self.dropped} thin diagonal sliver(s) would be dropped")
        if self.parts > 1:
            problems.append(f"{self.parts} disjoint islands become parts of one polygon annotation")
        if self.pixels_lost or self.pixels_added:
            problems.append(f"{self.pixels_lost} pixel(s) lost, {self.pixels_added} pixel(s) added")
        if not problems and self.lossless:
            return None
        return "; ".join(problems)


def mask_to_polygons(mask: np.ndarray, epsilon: float = 0.0) -> PolygonConversion:
    """Trace a mask (OpenCV contours) and measure the loss so the UI can warn and let the user choose."""
    traced = masks.mask_to_polygons(mask, epsilon)
    h, w = mask.shape
    back = masks.polygons_to_mask(traced.polygons, h, w)
    lost = int(np.count_nonzero(mask & ~back))
    added = int(np.count_nonzero(back & ~mask))
    return PolygonConversion(traced.polygons, traced.holes, traced.parts, traced.dropped, lost, added)


# -- dense mask <-> annotation ---------------------------------------------------------------------------


def editable_mask(ann: Annotation | None, height: int, width: int) -> np.ndarray:
    """A writable dense copy of an annotation's pixels (empty for None) to edit while a tool works.

    RLE masks are decoded inside their box only, into zeroed memory the OS maps lazily, so opening a
    small mask on an 8000x8000 image for editing costs milliseconds and little memory. Past
    ``limits.max_pixels()`` (a whole slide) it is a ``SparseMask``: tiles, never the full size.
    """
    if height * width > max_pixels():  # a whole slide: tiles made as the tool writes them
        placed = None if ann is None else placed_rle(ann, height, width)
        return SparseMask(height, width, *(placed or (None, None)))  # type: ignore[return-value]
    out = np.zeros((height, width), dtype=bool)
    if ann is None:
        return out
    if ann.kind == "mask" and isinstance(ann.segmentation, dict):
        rle = ann.segmentation
        if [int(v) for v in rle["size"]] == [height, width]:
            rect = rle_rect(rle)
            if rect is not None:
                out[rect_slices(rect)] = decode_rect(rle, rect)
            return out
    out[:] = ann.mask(height, width)
    return out


def geometry(mask: np.ndarray) -> tuple[dict[str, Any], list[float], float]:
    """Dense mask -> (compressed RLE, bbox, area), the arguments of ``Annotation.set_geometry``."""
    return masks.encode(mask), masks.bbox(mask), float(masks.area(mask))


def patched_geometry(
    ann: Annotation, patch: Patch, height: int, width: int, *, forward: bool = True
) -> tuple[dict[str, Any], list[float], float]:
    """The annotation's geometry after applying (or reverting) a patch: what an undo command sets."""
    mask = editable_mask(ann, height, width)
    if forward:
        patch.apply(mask)
    else:
        patch.revert(mask)
    return geometry(mask)


# -- RLE without whole masks ---------------------------------------------------------------------------
#
# Decoding or encoding an 8000x8000 mask costs ~0.2-0.3 s each; an edit only changes a rectangle. COCO RLE
# is column-major, so the pixels of the columns a rectangle spans form one contiguous run of the flat
# index: the functions below decode just that strip and splice it back, producing the same compressed
# string pycocotools would (its format: counts delta-coded from the count two before, 5-bit chunks + 48;
# ``core.rle_codec`` encodes and decodes the counts and makes the RLE of crops).


def _transitions(counts: np.ndarray) -> np.ndarray:
    """Flat indices where the value toggles (zero-length runs cancel out)."""
    t = np.cumsum(counts)[:-1]
    if counts.size > 1 and not (counts[1:-1] > 0).all():
        values, mult = np.unique(t, return_counts=True)
        t = values[mult % 2 == 1]
    return t


def _strip(t: np.ndarray, s0: int, s1: int) -> np.ndarray:
    """Values of flat indices [s0, s1) from the transitions ``t`` (runs repeated, no per-pixel loop)."""
    i0 = int(np.searchsorted(t, s0, side="right"))
    i1 = int(np.searchsorted(t, s1, side="left"))
    bounds = np.concatenate(([s0], t[i0:i1], [s1]))
    values = (np.arange(i0, i1 + 1) % 2).astype(bool)
    return np.repeat(values, np.diff(bounds))


def _rect_pixels(t: np.ndarray, height: int, rect: Rect) -> np.ndarray:
    """Pixels of ``rect`` (bool (h, w)) from an RLE's transitions ``t`` (image ``height`` rows).

    Costs O(rect area + transitions inside it), not O(rect width x image height) like
    :func:`decode_rect`'s column strip: a brush dab on an 8000-row image asks for a few hundred pixels.
    """
    x, y, w, h = rect
    if w <= 0 or h <= 0:
        return np.zeros((max(h, 0), max(w, 0)), dtype=bool)
    starts = np.arange(x, x + w, dtype=np.int64) * height + y
    i0 = np.searchsorted(t, starts, side="right")  # transitions <= start: the start pixel's value
    i1 = np.searchsorted(t, starts + h, side="left")  # transitions inside the column's rows toggle
    toggles = np.zeros((w, h), dtype=np.uint8)
    n = i1 - i0
    if n.any():
        cols = np.repeat(np.arange(w), n)
        first = np.cumsum(n) - n
        idx = np.arange(int(n.sum())) + np.repeat(i0 - first, n)
        toggles[cols, t[idx] - starts[cols]] = 1
    toggles[:, 0] ^= (i0 % 2).astype(np.uint8)
    return _transpose(np.bitwise_xor.accumulate(toggles, axis=1).view(bool))


def decode_rect(rle: dict[str, Any], rect: Rect, where: str = "mask") -> np.ndarray:
    """The pixels of ``rect`` only (bool (h, w)), without decoding the whole mask; ``LimitError`` (naming
    ``where``) when the rectangle is over ``limits.max_pixels()``: a mask spread over a whole slide."""
    height, _ = rle["size"]
    x, y, w, h = rect
    check_image_size(w, h, where, "mask box")
    t = _transitions(rle_counts(rle))
    if w * height > _STRIP_PIXELS:  # whole columns of a tall slide: the rectangle's pixels only
        return _rect_pixels(t, height, rect)
    strip = _strip(t, x * height, (x + w) * height).reshape(w, height)[:, y : y + h]
    return _transpose(strip)


def _transpose(a: np.ndarray) -> np.ndarray:
    """Contiguous transpose of a 2-D bool array (OpenCV's blocked transpose: ~7x numpy's)."""
    if a.size == 0:
        return np.zeros(a.shape[::-1], dtype=bool)
    return cv2.transpose(np.ascontiguousarray(a).view(np.uint8)).view(bool)


def rle_rect(rle: dict[str, Any]) -> Rect | None:
    """Integer rectangle around the set pixels of an RLE (pycocotools ``toBbox``), None when empty."""
    box = mask_utils.toBbox(_to_bytes_rle(rle))
    x, y, w, h = (round(float(v)) for v in box)
    return (x, y, w, h) if w > 0 and h > 0 else None


def replace_rect(rle: dict[str, Any], rect: Rect, values: np.ndarray) -> dict[str, Any]:
    """A new compressed RLE equal to ``rle`` with the pixels of ``rect`` set to ``values``.

    Costs O(rect width x image height), not O(image): only the strip of columns is decoded and spliced.
    """
    height, width = (int(v) for v in rle["size"])
    x, y, w, h = rect
    if w * height > _STRIP_PIXELS:
        return replace_rect_runs(rle, rect, values)
    total = height * width
    t = _transitions(rle_counts(rle))
    s0, s1 = x * height, (x + w) * height
    strip = _strip(t, s0, s1).reshape(w, height)
    strip[:, y : y + h] = _transpose(values)
    flat = strip.reshape(-1)
    left = t[t < s0]
    prev = np.empty_like(flat)
    prev[0] = len(left) % 2 == 1
    prev[1:] = flat[:-1]
    mid = np.flatnonzero(flat != prev) + s0
    parts = [left, mid]
    if s1 < total:
        if (int(np.searchsorted(t, s1, side="right")) % 2 == 1) != bool(flat[-1]):
            parts.append(np.array([s1], dtype=np.int64))
        parts.append(t[t > s1])
    new_t = np.concatenate(parts).astype(np.int64)
    counts = np.diff(np.concatenate(([0], new_t, [total])))
    return {"size": [height, width], "counts": counts_string(counts)}


def patch_rle(rle: dict[str, Any], patch: Patch, *, forward: bool = True) -> dict[str, Any]:
    """Apply (or revert) a patch to an RLE directly: how an undo step replays on big images."""
    return replace_rect(rle, patch.rect, patch.after if forward else patch.before)


def rle_geometry(rle: dict[str, Any]) -> tuple[dict[str, Any], list[float], float]:
    """(RLE, bbox, area) from an RLE alone, through pycocotools (no decoding)."""
    pyco = _to_bytes_rle(rle)
    bbox = [float(v) for v in mask_utils.toBbox(pyco)]
    return rle, bbox, float(mask_utils.area(pyco))


def empty_rle(height: int, width: int) -> dict[str, Any]:
    """The compressed RLE of an all-background mask."""
    return {"size": [int(height), int(width)], "counts": counts_string(np.array([height * width]))}


def union_rle(rles: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Union of RLEs of one image (pycocotools merge: no decoding), as compressed str RLE."""
    pyco = [_to_bytes_rle(r) for r in rles]
    if pyco:
        check_whole_mask(*pyco[0]["size"], "merging masks")
    if not pyco:
        raise ValueError("nothing to merge")
    merged = mask_utils.merge(pyco, intersect=0) if len(pyco) > 1 else pyco[0]
    return masks.compress(merged)


def crop_of(rle: dict[str, Any], pad: int = 0, where: str = "mask") -> tuple[Rect, np.ndarray] | None:
    """The mask's box (grown by ``pad`` inside the image) and its pixels; None when empty. ``LimitError``
    naming ``where`` when the box is over the pixel limit."""
    rect = rle_rect(rle)
    if rect is None:
        return None
    height, width = (int(v) for v in rle["size"])
    x, y, w, h = rect
    grown = clip_rect((x - pad, y - pad, w + 2 * pad, h + 2 * pad), height, width)
    assert grown is not None
    return grown, decode_rect(rle, grown, where)


def fill_holes_rle(rle: dict[str, Any], where: str = "mask") -> Patch | None:
    """The patch that fills a mask's holes, computed on its box only (``LimitError`` naming ``where``
    over the pixel limit, as for the other box operations)."""
    return _fill_holes_crop(crop_of(rle, where=where))


def fill_holes_annotation(ann: Annotation, height: int, width: int) -> Patch | None:
    """:func:`fill_holes_rle` of an annotation's pixels where they lie (a mask stored cropped at its
    ``rle_origin``): the patch in image coordinates."""
    return _fill_holes_crop(annotation_crop(ann, height, width, f"annotation {ann.id}"))


def _fill_holes_crop(found: tuple[Rect, np.ndarray] | None) -> Patch | None:
    if found is None:
        return None
    rect, crop = found
    patch = fill_holes(crop.copy())
    if patch is None:
        return None
    px, py, pw, ph = patch.rect
    return Patch((rect[0] + px, rect[1] + py, pw, ph), patch.before, patch.after)


def trace_rle(rle: dict[str, Any], epsilon: float = 0.0, where: str = "mask") -> PolygonConversion:
    """:func:`mask_to_polygons` on the mask's box only, polygons in image coordinates."""
    return _trace_crop(crop_of(rle, pad=1, where=where), epsilon)


def trace_annotation(ann: Annotation, height: int, width: int, epsilon: float = 0.0) -> PolygonConversion:
    """:func:`trace_rle` of an annotation's pixels where they lie (a mask stored cropped at its
    ``rle_origin``), its box grown by 1 px inside the image as ``trace_rle`` grows it."""
    found = annotation_crop(ann, height, width, f"annotation {ann.id}")
    if found is not None:
        (x, y, w, h), crop = found
        left, top, right, bottom = min(1, x), min(1, y), min(1, width - x - w), min(1, height - y - h)
        crop = np.pad(crop, ((top, bottom), (left, right)))
        found = (x - left, y - top, w + left + right, h + top + bottom), crop
    return _trace_crop(found, epsilon)


def _trace_crop(found: tuple[Rect, np.ndarray] | None, epsilon: float) -> PolygonConversion:
    if found is None:
        return PolygonConversion([], 0, 0, 0, 0, 0)
    (x, y, _, _), crop = found
    conv = mask_to_polygons(crop, epsilon)
    polygons = [[round(v + (x if i % 2 == 0 else y), 2) for i, v in enumerate(p)] for p in conv.polygons]
    return PolygonConversion(
        polygons, conv.holes, conv.parts, conv.dropped, conv.pixels_lost, conv.pixels_added
    )


def split_rle(rle: dict[str, Any], connectivity: int = 8, where: str = "mask") -> list[dict[str, Any]]:
    """One RLE per connected component, largest first."""
    height, width = (int(v) for v in rle["size"])
    return [
        region_rle(r.rect, r.crop, height, width)
        for r in _split_crop(crop_of(rle, where=where), connectivity)
    ]


def split_annotation(ann: Annotation, height: int, width: int, connectivity: int = 8) -> list[Region]:
    """An annotation's connected components where they lie (a mask stored cropped at its ``rle_origin``),
    largest first, in image coordinates."""
    return _split_crop(annotation_crop(ann, height, width, f"annotation {ann.id}"), connectivity)


def _split_crop(found: tuple[Rect, np.ndarray] | None, connectivity: int) -> list[Region]:
    if found is None:
        return []
    (x, y, _, _), crop = found
    return [
        Region((x + r.rect[0], y + r.rect[1], r.rect[2], r.rect[3]), r.crop)
        for r in split(crop, connectivity)
    ]


def crop_geometry(
    rect: Rect, crop: np.ndarray, height: int, width: int
) -> tuple[dict[str, Any], list[float], float, list[int] | None]:
    """A mask that is ``crop`` at ``rect`` (inside the image) as the project stores it: (RLE, bbox, area,
    ``rle_origin``). A whole-image RLE and None; on an image too big for one RLE the RLE of the crop's
    set pixels and their top-left [x, y] (docs/format.md)."""
    if is_huge(height, width):
        found = masks.encode_cropped(crop)
        if found is None:
            return {"size": [1, 1], "counts": "1"}, [0.0, 0.0, 0.0, 0.0], 0.0, [int(rect[0]), int(rect[1])]
        rle, (dx, dy) = found
        h, w = rle["size"]
        x0, y0 = int(rect[0]) + dx, int(rect[1]) + dy
        return rle, [float(x0), float(y0), float(w), float(h)], float(np.count_nonzero(crop)), [x0, y0]
    return (*rle_geometry(region_rle(rect, crop, height, width)), None)


def _to_bytes_rle(rle: dict[str, Any]) -> dict[str, Any]:
    c = masks.compress(rle)
    return {"size": c["size"], "counts": c["counts"].encode("ascii")}


def annotation_rle(ann: Annotation, height: int, width: int) -> dict[str, Any] | None:
    """An annotation's pixels as a pycocotools RLE of the whole image (boxes filled; a mask stored cropped
    placed at its ``rle_origin``); None when it has none."""
    seg = ann.segmentation
    if ann.kind == "box":
        x, y, w, h = ann.bbox
        seg = [[x, y, x + w, y, x + w, y + h, x, y + h]]
    elif isinstance(seg, dict):
        if origin_of(ann) is None:
            return _to_bytes_rle(seg)
        check_whole_mask(height, width, f"annotation {ann.id}")
        found = annotation_crop(ann, height, width, f"annotation {ann.id}")
        return _to_bytes_rle(region_rle(*found, height, width) if found else empty_rle(height, width))
    if seg:
        return masks.polygons_to_rle(seg, height, width)
    return None


def placed_rle(ann: Annotation, height: int, width: int) -> tuple[dict[str, Any], list[int] | None] | None:
    """An annotation's pixels as a pycocotools RLE and where it lies: (whole-image RLE, None), or on an
    image too big for one RLE (and for masks stored cropped) (RLE of a crop, its ``[x, y]``)."""
    origin = origin_of(ann)
    if ann.kind == "mask" and isinstance(ann.segmentation, dict):
        return _to_bytes_rle(ann.segmentation), origin
    if not is_huge(height, width):
        rle = annotation_rle(ann, height, width)
        return None if rle is None else (rle, None)
    x, y, w, h = ann.bbox
    polygons = [[x, y, x + w, y, x + w, y + h, x, y + h]] if ann.kind == "box" else ann.segmentation
    bbox = list(ann.bbox) if ann.kind == "box" else masks.polygons_bbox(polygons)
    return masks.polygons_cropped(polygons, bbox, height, width) if polygons else None


def annotation_crop(
    ann: Annotation, height: int, width: int, where: str = "mask"
) -> tuple[Rect, np.ndarray] | None:
    """An annotation's pixels inside its box: (box in the image, bool crop), None when it has none. The
    pixels of ``Annotation.mask`` without an image-sized array per object (an export of a thousand objects
    on a slide held one each); ``LimitError`` naming ``where`` when the box is over the pixel limit."""
    placed = placed_rle(ann, height, width)
    if placed is None:
        return None
    rle, origin = placed
    found = crop_of(rle, where=where)
    if found is None:
        return None
    (x, y, w, h), crop = found
    ox, oy = (int(v) for v in origin) if origin is not None else (0, 0)
    x0, y0 = x + ox, y + oy
    rect = clip_rect((x0, y0, w, h), height, width)  # a stored crop may cross the edge
    if rect is None:
        return None
    cx, cy, cw, ch = rect
    return rect, crop[cy - y0 : cy - y0 + ch, cx - x0 : cx - x0 + cw]


class OthersMask:
    """The union of other annotations' pixels ("preserve others"), decoded only where it is asked for.

    The dense union of 300 masks on an 8000x8000 image costs ~0.2 s to build; a brush dab or a wand
    region needs only its own rectangle of it. Building this indexes each annotation's box (pycocotools,
    no decoding); ``others[ys, xs]`` (plain slices, as on the array :func:`others_mask` returns, with the
    same pixels) decodes only the annotations whose box meets that rectangle, inside it. So it stands in
    for that array in :class:`Stroke`, :func:`patch_from_region` and :func:`wand`. Annotations whose RLE
    is sized for another image are skipped (they cannot cover this image's pixels).
    """

    def __init__(self, annotations: Iterable[Annotation], height: int, width: int) -> None:
        self.shape = (int(height), int(width))
        self._rles: list[tuple[dict[str, Any], tuple[int, int]]] = []  # RLE and the origin of its frame
        rects = []
        for a in annotations:
            placed = placed_rle(a, height, width)
            if placed is None:
                continue
            rle, origin = placed
            ox, oy = origin if origin is not None else (0, 0)
            if origin is None and [int(v) for v in rle["size"]] != [height, width]:
                continue
            box = rle_rect(rle)
            if box is not None:
                x, y, w, h = box
                self._rles.append((rle, (int(ox), int(oy))))
                rects.append((x + ox, y + oy, x + ox + w, y + oy + h))
        self._boxes = np.array(rects, dtype=np.int64).reshape(-1, 4)  # x0, y0, x1, y1
        self._transitions: dict[int, np.ndarray] = {}  # decoded lazily, kept for later dabs

    def crop(self, rect: Rect) -> np.ndarray:
        """The union's pixels inside ``rect`` (which must lie inside the image), bool (h, w)."""
        x, y, w, h = rect
        out = np.zeros((h, w), dtype=bool)
        if out.size == 0:
            return out
        b = self._boxes
        hit = (b[:, 0] < x + w) & (b[:, 2] > x) & (b[:, 1] < y + h) & (b[:, 3] > y)
        for i in np.flatnonzero(hit):
            x0, y0 = max(x, int(b[i, 0])), max(y, int(b[i, 1]))
            x1, y1 = min(x + w, int(b[i, 2])), min(y + h, int(b[i, 3]))
            rle, (ox, oy) = self._rles[i]
            t = self._transitions.get(int(i))
            if t is None:
                t = self._transitions[int(i)] = _transitions(rle_counts(rle))
            out[y0 - y : y1 - y, x0 - x : x1 - x] |= _rect_pixels(
                t, int(rle["size"][0]), (x0 - ox, y0 - oy, x1 - x0, y1 - y0)
            )
        return out

    def __getitem__(self, key: tuple[slice, slice]) -> np.ndarray:
        ys, xs = key
        y0, y1, ystep = ys.indices(self.shape[0])
        x0, x1, xstep = xs.indices(self.shape[1])
        if ystep != 1 or xstep != 1:
            raise IndexError("OthersMask takes plain slices only")
        return self.crop((x0, y0, max(0, x1 - x0), max(0, y1 - y0)))


def others_mask(annotations: Iterable[Annotation], height: int, width: int) -> np.ndarray:
    """Union of the pixels of ``annotations`` (merged as RLE, decoded once): what "preserve others" keeps."""
    check_whole_mask(height, width, "preserve others")
    rles = [r for a in annotations if (r := annotation_rle(a, height, width)) is not None]
    if not rles:
        return np.zeros((height, width), dtype=bool)
    merged = mask_utils.merge(rles, intersect=0) if len(rles) > 1 else rles[0]
    return mask_utils.decode(merged).astype(bool)
