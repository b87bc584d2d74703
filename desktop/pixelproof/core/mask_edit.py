"""Pixel-mask editing: brush and eraser strokes, magic wand, fill holes, merge, split, conversions.

Pure numpy/OpenCV (no Qt) so every rule here is tested without a GUI. The UI keeps the mask being edited
as a dense boolean HxW array only while a tool works on it; every operation touches the changed rectangle
only and returns a :class:`Patch` (rectangle + before/after pixels), which is what an undo step stores —
never a whole mask. When the tool is done, :func:`geometry` turns the dense mask back into compressed RLE.

Brush geometry (the definition the tests pin down): a brush of radius ``r`` (integer pixels, >= 0)
centred on pixel ``(x, y)`` paints exactly the pixels ``cv2.circle(img, (x, y), r, 1, -1, cv2.LINE_8)``
sets, which is the disc ``dx**2 + dy**2 <= r**2`` (``2r + 1`` pixels across; tested for r < 80). A stroke
through pixel centres ``p0, p1, ...`` paints exactly what ``cv2.polylines(img, [pts], False, 1,
thickness=cv_thickness(r), lineType=cv2.LINE_8)`` paints (a click: ``cv2.line(img, p, p, ...)``): each
segment a thick LINE_8 line with round caps, drawn on a canvas big enough to hold the whole stroke (OpenCV
clips a line to the image it draws on, which shifts the Bresenham steps of a line that leaves the image;
a stroke must not depend on where the image ends). OpenCV's thick lines have a half-width of
``round(thickness / 2)``: thickness ``2r + 1`` would paint ``2r + 3`` pixels across (the disc of radius
``r + 1``), so radius ``r`` maps to thickness ``2r`` (``1`` for ``r = 0``: a 1-px Bresenham line).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from pycocotools import mask as mask_utils

from pixelproof.core import masks
from pixelproof.core.model import Annotation

Rect = tuple[int, int, int, int]  # x, y, w, h in pixels, origin at the image's top-left corner

_TILE = 64  # stroke backup granularity: the first touch of a tile saves its pre-stroke pixels


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


def _slices(rect: Rect) -> tuple[slice, slice]:
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
        mask[_slices(self.rect)] = self.after

    def revert(self, mask: np.ndarray) -> None:
        """Undo: write ``before`` back into ``mask`` in place."""
        mask[_slices(self.rect)] = self.before

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
    sl = _slices(rect)
    before = mask[sl].copy()
    if subtract:
        after = before & ~region
    else:
        paint = region if others is None else region & ~others[sl]
        after = before | paint
    mask[sl] = after
    return make_patch(rect, before, after)


# -- brush -------------------------------------------------------------------------------------------


def cv_thickness(radius: int) -> int:
    """OpenCV ``thickness`` whose LINE_8 line is ``2 * radius + 1`` pixels wide (see module doc)."""
    return max(1, 2 * int(radius))


def segment_footprint(p0: tuple[int, int], p1: tuple[int, int], radius: int) -> tuple[Rect, np.ndarray]:
    """Pixels a brush of ``radius`` paints from pixel ``p0`` to ``p1`` (a dab when equal).

    Drawn by OpenCV into a small local buffer that holds the whole footprint (never clipped, so the
    result is translation invariant and equal to the same line drawn on a full image); returns the
    buffer's rectangle (may reach outside the image) and the bool footprint.
    """
    r = int(radius)
    margin = r + 2
    x0, y0 = min(p0[0], p1[0]) - margin, min(p0[1], p1[1]) - margin
    w = abs(p1[0] - p0[0]) + 2 * margin + 1
    h = abs(p1[1] - p0[1]) + 2 * margin + 1
    buf = np.zeros((h, w), dtype=np.uint8)
    a = (int(p0[0] - x0), int(p0[1] - y0))
    b = (int(p1[0] - x0), int(p1[1] - y0))
    cv2.line(buf, a, b, 1, cv_thickness(r), cv2.LINE_8)
    return (x0, y0, w, h), buf.view(bool)


def dab_offsets(radius: int) -> np.ndarray:
    """The brush's own footprint (2r+1 square bool) — for drawing the ring and for tests."""
    _, foot = segment_footprint((0, 0), (0, 0), radius)
    return foot[2:-2, 2:-2].copy()


class Stroke:
    """One brush or eraser stroke on a dense mask, from press to release.

    Paints in place into ``mask`` (a writable bool HxW array). Each :meth:`move_to` draws the segment from
    the previous point, so the stroke is continuous however far apart the mouse events are, and returns
    the rectangle it changed (for the display). The first time the stroke touches a 64x64 tile it saves
    that tile's pixels, so :meth:`finish` can build the before/after patch of the stroke's rectangle
    without a copy of the whole mask.
    """

    def __init__(
        self,
        mask: np.ndarray,
        radius: int,
        *,
        erase: bool = False,
        others: np.ndarray | OthersMask | None = None,
    ) -> None:
        if mask.dtype != bool or mask.ndim != 2:
            raise ValueError("mask must be a 2-D bool array")
        if not mask.flags.writeable:
            raise ValueError("mask must be writable (copy the annotation's cached mask first)")
        if others is not None and others.shape != mask.shape:
            raise ValueError(f"others has shape {others.shape}, mask {mask.shape}")
        self.mask = mask
        self.radius = max(0, int(radius))
        self.erase = erase
        self.others = None if erase else others  # erasing only removes own pixels; nothing to preserve
        self.points: list[tuple[int, int]] = []
        self.rect: Rect | None = None  # union of the rectangles touched so far (clipped to the image)
        self._saved: dict[tuple[int, int], np.ndarray] = {}

    def _backup(self, rect: Rect) -> None:
        x, y, w, h = rect
        for ty in range(y // _TILE, (y + h - 1) // _TILE + 1):
            for tx in range(x // _TILE, (x + w - 1) // _TILE + 1):
                if (ty, tx) not in self._saved:
                    tile = self.mask[ty * _TILE : (ty + 1) * _TILE, tx * _TILE : (tx + 1) * _TILE]
                    self._saved[ty, tx] = tile.copy()

    def move_to(self, x: int, y: int) -> Rect | None:
        """Paint (or erase) from the last point to pixel ``(x, y)``; the image rectangle it covered."""
        p = (int(x), int(y))
        start = self.points[-1] if self.points else p
        self.points.append(p)
        rect, foot = segment_footprint(start, p, self.radius)
        h_img, w_img = self.mask.shape
        clipped = clip_rect(rect, h_img, w_img)
        if clipped is None:
            return None
        cx, cy, cw, ch = clipped
        foot = foot[cy - rect[1] : cy - rect[1] + ch, cx - rect[0] : cx - rect[0] + cw]
        self._backup(clipped)
        sl = _slices(clipped)
        target = self.mask[sl]
        if self.erase:
            target &= ~foot
        elif self.others is None:
            target |= foot
        else:
            target |= foot & ~self.others[sl]
        self.rect = rect_union(self.rect, clipped)
        return clipped

    def finish(self) -> Patch | None:
        """The stroke's patch (trimmed to the changed pixels), None when it changed nothing."""
        if self.rect is None:
            return None
        x, y, w, h = self.rect
        after = self.mask[y : y + h, x : x + w].copy()
        before = after.copy()
        for (ty, tx), tile in self._saved.items():
            ty0, tx0 = ty * _TILE, tx * _TILE
            th, tw = tile.shape
            # intersection of the tile with the stroke rectangle, in before's coordinates
            iy0, ix0 = max(ty0, y), max(tx0, x)
            iy1, ix1 = min(ty0 + th, y + h), min(tx0 + tw, x + w)
            if iy1 > iy0 and ix1 > ix0:
                src = tile[iy0 - ty0 : iy1 - ty0, ix0 - tx0 : ix1 - tx0]
                before[iy0 - y : iy1 - y, ix0 - x : ix1 - x] = src
        self._saved.clear()
        return make_patch(self.rect, before, after)


# -- magic wand, fill holes ----------------------------------------------------------------------------


def _wand_image(image: np.ndarray) -> np.ndarray:
    """An array cv2.floodFill accepts: 8-bit or float32, 1 or 3 channels, writable and contiguous."""
    img = image
    if img.ndim == 3 and img.shape[2] == 4:
        img = img[:, :, :3]
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[:, :, 0]
    if img.dtype != np.uint8 and img.dtype != np.float32:
        img = img.astype(np.float32)
    if not (img.flags.c_contiguous and img.flags.writeable):
        img = np.array(img, order="C", copy=True)
    return img


def wand_region(
    image: np.ndarray,
    seed: tuple[int, int],
    tolerance: float,
    *,
    connectivity: int = 4,
    fixed_range: bool = True,
) -> tuple[Rect, np.ndarray] | None:
    """Pixels connected to ``seed`` (x, y) whose colour is within ``tolerance`` of it.

    ``fixed_range`` compares every pixel with the seed's colour; otherwise with its already-filled
    neighbour (OpenCV's floating range: follows gradients). ``tolerance`` applies to each channel, in the
    image's units (0-255 for 8-bit, raw values for 16-bit). Returns the region's rectangle and bool crop,
    None when the seed is outside the image. The image is not modified.
    """
    if connectivity not in (4, 8):
        raise ValueError("connectivity must be 4 or 8")
    img = _wand_image(image)
    h, w = img.shape[:2]
    x, y = int(seed[0]), int(seed[1])
    if not (0 <= x < w and 0 <= y < h):
        return None
    flood = np.zeros((h + 2, w + 2), dtype=np.uint8)
    tol = float(tolerance)
    diff = (tol, tol, tol, tol)
    flags = connectivity | (1 << 8) | cv2.FLOODFILL_MASK_ONLY
    if fixed_range:
        flags |= cv2.FLOODFILL_FIXED_RANGE
    _, _, _, (rx, ry, rw, rh) = cv2.floodFill(img, flood, (x, y), 0, diff, diff, flags)
    crop = flood[1 + ry : 1 + ry + rh, 1 + rx : 1 + rx + rw].view(bool)
    return (int(rx), int(ry), int(rw), int(rh)), crop.copy()


def wand(
    mask: np.ndarray,
    image: np.ndarray,
    seed: tuple[int, int],
    tolerance: float,
    *,
    subtract: bool = False,
    connectivity: int = 4,
    fixed_range: bool = True,
    others: np.ndarray | OthersMask | None = None,
) -> Patch | None:
    """Magic wand into ``mask`` in place: add the similar-colour region at ``seed`` (or subtract it)."""
    found = wand_region(image, seed, tolerance, connectivity=connectivity, fixed_range=fixed_range)
    if found is None:
        return None
    rect, region = found
    return patch_from_region(mask, rect, region, subtract=subtract, others=others)


def fill_holes(mask: np.ndarray) -> Patch | None:
    """Fill the mask's holes in place (background not 4-connected to the outside); the patch."""
    rect = true_rect(mask)
    if rect is None:
        return None
    sl = _slices(rect)
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
        out[_slices(self.rect)] = self.crop
        return out


def split(mask: np.ndarray, connectivity: int = 8) -> list[Region]:
    """Connected components of a mask, largest first (ties: top-left first)."""
    if connectivity not in (4, 8):
        raise ValueError("connectivity must be 4 or 8")
    rect = true_rect(mask)
    if rect is None:
        return []
    crop = np.ascontiguousarray(mask[_slices(rect)], dtype=np.uint8)
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
    small mask on an 8000x8000 image for editing costs milliseconds and little memory.
    """
    out = np.zeros((height, width), dtype=bool)
    if ann is None:
        return out
    if ann.kind == "mask" and isinstance(ann.segmentation, dict):
        rle = ann.segmentation
        if [int(v) for v in rle["size"]] == [height, width]:
            rect = rle_rect(rle)
            if rect is not None:
                out[_slices(rect)] = decode_rect(rle, rect)
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
# string pycocotools would (its format: counts delta-coded from the count two before, 5-bit chunks + 48).


def rle_counts(rle: dict[str, Any]) -> np.ndarray:
    """Run lengths (int64, zeros first) of a compressed (str/bytes) or uncompressed (list) RLE."""
    counts = rle["counts"]
    if isinstance(counts, list):
        return np.asarray(counts, dtype=np.int64)
    raw = counts.encode("ascii") if isinstance(counts, str) else bytes(counts)
    c = np.frombuffer(raw, dtype=np.uint8).astype(np.int64) - 48
    if c.size == 0:
        return np.zeros(0, dtype=np.int64)
    ends = np.flatnonzero((c & 0x20) == 0)  # the last chunk of each number has no continuation bit
    starts = np.concatenate(([0], ends[:-1] + 1))
    k = np.arange(c.size) - np.repeat(starts, ends - starts + 1)
    vals = np.add.reduceat((c & 0x1F) << (5 * k), starts)
    negative = (c[ends] & 0x10) != 0
    vals[negative] -= np.int64(1) << (5 * (k[ends[negative]] + 1))
    out = vals.copy()
    if out.size > 3:  # undo the delta coding: stored x[i] = counts[i] - counts[i - 2] for i > 2
        out[3::2] = np.cumsum(vals[3::2]) + vals[1]
        out[4::2] = np.cumsum(vals[4::2]) + vals[2]
    return out


def counts_string(counts: np.ndarray) -> str:
    """Run lengths -> pycocotools' compressed counts string (byte-identical to ``mask.encode``)."""
    cnts = np.asarray(counts, dtype=np.int64)
    x = cnts.copy()
    if x.size > 3:
        x[3:] = cnts[3:] - cnts[1:-2]
    n = x.size
    active = np.ones(n, dtype=bool)
    nchunks = np.zeros(n, dtype=np.int64)
    steps = []
    while active.any():
        c = x & 0x1F
        x = x >> 5  # arithmetic shift: negative deltas end in -1
        more = np.where((c & 0x10) != 0, x != -1, x != 0)
        steps.append((active.copy(), (c | np.where(more, 0x20, 0)) + 48))
        nchunks += active
        active &= more
    offsets = np.concatenate(([0], np.cumsum(nchunks)))
    out = np.zeros(int(offsets[-1]), dtype=np.uint8)
    for k, (act, ch) in enumerate(steps):
        idx = np.flatnonzero(act)
        out[offsets[idx] + k] = ch[idx]
    return out.tobytes().decode("ascii")


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


def decode_rect(rle: dict[str, Any], rect: Rect) -> np.ndarray:
    """The pixels of ``rect`` only (bool (h, w)), without decoding the whole mask."""
    height, _ = rle["size"]
    x, y, w, h = rect
    t = _transitions(rle_counts(rle))
    strip = _strip(t, x * height, (x + w) * height).reshape(w, height)[:, y : y + h]
    return _transpose(strip)


def _transpose(a: np.ndarray) -> np.ndarray:
    """Contiguous transpose of a 2-D bool array (OpenCV's blocked transpose: ~7x numpy's)."""
    if a.size == 0:
        return np.zeros(a.shape[::-1], dtype=bool)
    return cv2.transpose(np.ascontiguousarray(a).view(np.uint8)).view(bool)


def rle_rect(rle: dict[str, Any]) -> Rect | None:
    """Integer rectangle around the set pixels of an RLE (pycocotools ``toBbox``), None when empty."""
    pyco = _to_bytes_rle(rle)
    x, y, w, h = (round(float(v)) for v in mask_utils.toBbox(pyco))
    return (x, y, w, h) if w > 0 and h > 0 else None


def replace_rect(rle: dict[str, Any], rect: Rect, values: np.ndarray) -> dict[str, Any]:
    """A new compressed RLE equal to ``rle`` with the pixels of ``rect`` set to ``values``.

    Costs O(rect width x image height), not O(image): only the strip of columns is decoded and spliced.
    """
    height, width = (int(v) for v in rle["size"])
    x, y, w, h = rect
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


def region_rle(rect: Rect, crop: np.ndarray, height: int, width: int) -> dict[str, Any]:
    """RLE of a mask that is ``crop`` at ``rect`` and empty elsewhere, without a full-size array: the
    toggles of each crop column (column-major, as COCO RLE runs) placed at their image offsets."""
    x, y, w, h = rect
    cols = np.zeros((w, h + 2), dtype=np.int8)
    cols[:, 1:-1] = _transpose(np.asarray(crop, dtype=bool)).view(np.int8)
    c, r = np.nonzero(np.diff(cols, axis=1))  # row r toggles in crop column c (r = h: after the end)
    t = (x + c.astype(np.int64)) * height + y + r
    same = np.flatnonzero(t[1:] == t[:-1])  # a run going on into the next column (full-height crop)
    if same.size:
        t = np.delete(t, np.concatenate((same, same + 1)))
    t = t[t < height * width]  # a toggle after the last pixel ends no run
    counts = np.diff(np.concatenate(([0], t, [height * width])))
    return {"size": [int(height), int(width)], "counts": counts_string(counts)}


def union_rle(rles: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Union of RLEs of one image (pycocotools merge: no decoding), as compressed str RLE."""
    pyco = [_to_bytes_rle(r) for r in rles]
    if not pyco:
        raise ValueError("nothing to merge")
    merged = mask_utils.merge(pyco, intersect=0) if len(pyco) > 1 else pyco[0]
    return masks.compress(merged)


def crop_of(rle: dict[str, Any], pad: int = 0) -> tuple[Rect, np.ndarray] | None:
    """The mask's box (grown by ``pad`` inside the image) and its pixels; None when empty."""
    rect = rle_rect(rle)
    if rect is None:
        return None
    height, width = (int(v) for v in rle["size"])
    x, y, w, h = rect
    grown = clip_rect((x - pad, y - pad, w + 2 * pad, h + 2 * pad), height, width)
    assert grown is not None
    return grown, decode_rect(rle, grown)


def fill_holes_rle(rle: dict[str, Any]) -> Patch | None:
    """The patch that fills a mask's holes, computed on its box only."""
    found = crop_of(rle)
    if found is None:
        return None
    rect, crop = found
    patch = fill_holes(crop)
    if patch is None:
        return None
    px, py, pw, ph = patch.rect
    return Patch((rect[0] + px, rect[1] + py, pw, ph), patch.before, patch.after)


def trace_rle(rle: dict[str, Any], epsilon: float = 0.0) -> PolygonConversion:
    """:func:`mask_to_polygons` on the mask's box only, polygons in image coordinates."""
    found = crop_of(rle, pad=1)
    if found is None:
        return PolygonConversion([], 0, 0, 0, 0, 0)
    (x, y, _, _), crop = found
    conv = mask_to_polygons(crop, epsilon)
    polygons = [[round(v + (x if i % 2 == 0 else y), 2) for i, v in enumerate(p)] for p in conv.polygons]
    return PolygonConversion(
        polygons, conv.holes, conv.parts, conv.dropped, conv.pixels_lost, conv.pixels_added
    )


def split_rle(rle: dict[str, Any], connectivity: int = 8) -> list[dict[str, Any]]:
    """One RLE per connected component, largest first."""
    found = crop_of(rle)
    if found is None:
        return []
    (x, y, _, _), crop = found
    height, width = (int(v) for v in rle["size"])
    out = []
    for region in split(crop, connectivity):
        rx, ry, rw, rh = region.rect
        out.append(region_rle((x + rx, y + ry, rw, rh), region.crop, height, width))
    return out


def _to_bytes_rle(rle: dict[str, Any]) -> dict[str, Any]:
    c = masks.compress(rle)
    return {"size": c["size"], "counts": c["counts"].encode("ascii")}


def annotation_rle(ann: Annotation, height: int, width: int) -> dict[str, Any] | None:
    """An annotation's pixels as a pycocotools RLE (boxes filled); None when it has none."""
    seg = ann.segmentation
    if ann.kind == "box":
        x, y, w, h = ann.bbox
        return masks.polygons_to_rle([[x, y, x + w, y, x + w, y + h, x, y + h]], height, width)
    if isinstance(seg, dict):
        return _to_bytes_rle(seg)
    if seg:
        return masks.polygons_to_rle(seg, height, width)
    return None


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
        self._rles: list[dict[str, Any]] = []
        rects = []
        for a in annotations:
            rle = annotation_rle(a, height, width)
            if rle is None or [int(v) for v in rle["size"]] != [height, width]:
                continue
            x, y, w, h = (round(float(v)) for v in mask_utils.toBbox(rle))
            if w > 0 and h > 0:
                self._rles.append(rle)
                rects.append((x, y, x + w, y + h))
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
            t = self._transitions.get(int(i))
            if t is None:
                t = self._transitions[int(i)] = _transitions(rle_counts(self._rles[i]))
            out[y0 - y : y1 - y, x0 - x : x1 - x] |= _rect_pixels(
                t, self.shape[0], (x0, y0, x1 - x0, y1 - y0)
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
    rles = [r for a in annotations if (r := annotation_rle(a, height, width)) is not None]
    if not rles:
        return np.zeros((height, width), dtype=bool)
    merged = mask_utils.merge(rles, intersect=0) if len(rles) > 1 else rles[0]
    return mask_utils.decode(merged).astype(bool)
