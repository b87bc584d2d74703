"""Pixel-mask editing: patches, fill holes, merge, split, conversions, and RLE spliced without decoding
whole masks (the brush and the wand that produce patches are in ``core.paint``).

Pure numpy/OpenCV (no Qt) so every rule here is tested without a GUI. The UI keeps the mask being edited
as a dense boolean HxW array only while a tool works on it; every operation touches the changed rectangle
only and returns a :class:`Patch` (rectangle + before/after pixels), which is what an undo step stores —
never a whole mask. When the tool is done, :func:`geometry` turns the dense mask back into compressed RLE.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np
from pycocotools import mask as mask_utils

from pixelproof.core import masks
from pixelproof.core.limits import check_image_size
from pixelproof.core.rle_codec import counts_string
from pixelproof.core.rle_strings import rle_counts
from pixelproof.core.sparse_mask import check_whole_mask, replace_rect_runs
from pixelproof.core.wording import plural

if TYPE_CHECKING:
    from pixelproof.core.annotation_pixels import OthersMask

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


class Patch:
    """The pixels one edit changed: an undo step stores this instead of whole masks.

    The two crops are kept bit-packed and zlib-compressed, so a step holds bytes of the pixels it changed
    rather than of its rectangle (a diagonal stroke across an 8000x8000 image: 128 MB as two bool crops,
    ~0.1 MB packed); ``before`` / ``after`` unpack a fresh copy (a few ms per million pixels) on undo / redo.
    """

    __slots__ = ("_after", "_before", "added", "rect", "removed")

    def __init__(self, rect: Rect, before: np.ndarray, after: np.ndarray) -> None:
        before, after = np.asarray(before, dtype=bool), np.asarray(after, dtype=bool)
        if before.shape != after.shape or before.shape != (rect[3], rect[2]):
            raise ValueError(f"patch crops {before.shape} / {after.shape} do not fit rectangle {rect}")
        self.rect = rect
        self.added = int(np.count_nonzero(after & ~before))
        self.removed = int(np.count_nonzero(before & ~after))
        self._before, self._after = _pack(before), _pack(after)

    @property
    def before(self) -> np.ndarray:
        """The pixels before the edit: bool (h, w), a fresh copy."""
        return _unpack(self._before, self.rect)

    @property
    def after(self) -> np.ndarray:
        """The pixels after the edit: bool (h, w), a fresh copy."""
        return _unpack(self._after, self.rect)

    def apply(self, mask: np.ndarray) -> None:
        """Redo: write ``after`` into ``mask`` in place."""
        mask[rect_slices(self.rect)] = self.after

    def revert(self, mask: np.ndarray) -> None:
        """Undo: write ``before`` back into ``mask`` in place."""
        mask[rect_slices(self.rect)] = self.before

    def moved(self, dx: int, dy: int) -> Patch:
        """The same pixels ``(dx, dy)`` further (a patch computed on a crop, placed in the image)."""
        out = Patch.__new__(Patch)
        x, y, w, h = self.rect
        out.rect = (x + dx, y + dy, w, h)
        out.added, out.removed, out._before, out._after = self.added, self.removed, self._before, self._after
        return out

    @property
    def changed(self) -> int:
        """Number of pixels whose value differs."""
        return self.added + self.removed

    @property
    def nbytes(self) -> int:
        """Bytes the patch keeps (packed)."""
        return len(self._before) + len(self._after)


def _pack(crop: np.ndarray) -> bytes:
    return zlib.compress(np.packbits(crop, axis=None).tobytes(), 1)


def _unpack(data: bytes, rect: Rect) -> np.ndarray:
    h, w = rect[3], rect[2]
    bits = np.unpackbits(np.frombuffer(zlib.decompress(data), dtype=np.uint8), count=h * w)
    return bits.reshape(h, w).view(bool)


def make_patch(rect: Rect, before: np.ndarray, after: np.ndarray) -> Patch | None:
    """A patch trimmed to the pixels that really changed; None when nothing did."""
    diff = before != after
    tight = true_rect(diff)
    if tight is None:
        return None
    x, y, w, h = tight
    ys, xs = slice(y, y + h), slice(x, x + w)
    return Patch((rect[0] + x, rect[1] + y, w, h), before[ys, xs], after[ys, xs])


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
            problems.append(f"{plural(self.holes, 'hole')} would be filled (COCO polygons cannot hold holes)")
        if self.dropped:
            problems.append(f"{plural(self.dropped, 'thin diagonal sliver')} would be dropped")
        if self.parts > 1:
            problems.append(f"{self.parts} disjoint islands become parts of one polygon annotation")
        if self.pixels_lost or self.pixels_added:
            problems.append(
                f"{plural(self.pixels_lost, 'pixel', thousands=True)} lost, "
                f"{plural(self.pixels_added, 'pixel', thousands=True)} added"
            )
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


# -- dense mask -> geometry ----------------------------------------------------------------------------


def geometry(mask: np.ndarray) -> tuple[dict[str, Any], list[float], float]:
    """Dense mask -> (compressed RLE, bbox, area), the arguments of ``Annotation.set_geometry``."""
    return masks.encode(mask), masks.bbox(mask), float(masks.area(mask))


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


def _to_bytes_rle(rle: dict[str, Any]) -> dict[str, Any]:
    c = masks.compress(rle)
    return {"size": c["size"], "counts": c["counts"].encode("ascii")}


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
