"""The pixel tools' geometry: brush and eraser strokes and the magic wand, each producing a
``mask_edit.Patch`` (the changed rectangle's before/after pixels).

Brush geometry (the definition the tests pin down). The brush size is a width ``w`` in pixels (>= 1, even
ones too), as CVAT's and Photoshop's brush size is the diameter: a dot and a stroke paint exactly ``w``
pixels across, horizontally and vertically.

- Odd ``w = 2r + 1``: centred on the pixel under the pointer, a dot paints exactly the pixels
  ``cv2.circle(img, (x, y), r, 1, -1, cv2.LINE_8)`` sets, the disc ``dx**2 + dy**2 <= r**2``. A stroke
  through pixels ``p0, p1, ...`` paints exactly what ``cv2.polylines(img, [pts], False, 1,
  thickness=cv_thickness(w), lineType=cv2.LINE_8)`` paints (a click: ``cv2.line(img, p, p, ...)``): each
  segment a thick LINE_8 line with round caps, drawn on a canvas big enough to hold the whole stroke (OpenCV
  clips a line to the image it draws on, which shifts the Bresenham steps of a line that leaves the image;
  a stroke must not depend on where the image ends). OpenCV's thick lines have a half-width of
  ``round(thickness / 2)``: thickness ``2r + 1`` would paint ``2r + 3`` pixels across, so width ``w`` maps
  to thickness ``w - 1`` (``1`` for ``w = 1``: a 1-px Bresenham line).
- Even ``w``: centred on the pixel corner nearest the pointer (where Photoshop centres an even brush),
  named by the pixel right of and below it. A dot or stroke paints what the ``w - 1``
  brush paints through the four pixels around each corner, or-ed: the odd stroke through the pixels up and
  left of the corners, grown by one pixel right and down (a Minkowski sum with a 2x2 square). So it is
  ``w`` across, symmetric about the corner, between the ``w - 1`` and ``w + 1`` brushes in area, and as
  exactly OpenCV's as the odd widths. (OpenCV's own sub-pixel circle at a corner is lopsided: 3 pixels for
  diameter 2.)
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import cv2
import numpy as np

from pixelproof.core.limits import max_pixels
from pixelproof.core.mask_edit import (
    Patch,
    Rect,
    clip_rect,
    decode_rect,
    make_patch,
    patch_from_region,
    rect_slices,
    rect_union,
)

if TYPE_CHECKING:
    from pixelproof.core.annotation_pixels import OthersMask

WAND_WINDOW = 4096  # the wand's reach on a whole slide (a 4096^2 window of its full resolution)
_TILE = 64  # stroke backup granularity: the first touch of a tile saves its pre-stroke pixels


# -- brush ---------------------------------------------------------------------------------------------

MAX_WIDTH = 1000
# [ / ] and Shift+wheel: 1 px steps up to 10 px, then about 15 % a step on round numbers (as Photoshop)
WIDTH_STEPS = (
    *range(1, 11),
    *(12, 14, 16, 18, 20, 23, 26, 30, 35, 40, 45, 50, 55, 60, 70, 80, 90, 100),
    *(115, 130, 150, 175, 200, 230, 260, 300, 350, 400, 450, 500, 550, 600, 700, 800, 900, MAX_WIDTH),
)


def clamp_width(width: int) -> int:
    """A brush width the tools accept: a whole number of pixels from 1 to ``MAX_WIDTH``."""
    return max(1, min(MAX_WIDTH, int(width)))


def step_width(width: int, direction: int) -> int:
    """The next width on ``WIDTH_STEPS`` above (``direction > 0``) or below ``width``; a typed width between
    two steps goes to the neighbouring one, so ``[`` then ``]`` comes back to a step."""
    w = clamp_width(width)
    if direction > 0:
        return next((s for s in WIDTH_STEPS if s > w), w)
    return next((s for s in reversed(WIDTH_STEPS) if s < w), w)


MAX_TOLERANCE = 255  # the wand's: display levels across the shown window
# [ / ] and Shift+wheel with the wand in hand: 1 level a step up to 10, then about 15-25 % on round numbers
TOLERANCE_STEPS = (
    *range(0, 11),
    *(12, 14, 16, 20, 24, 28, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, MAX_TOLERANCE),
)


def step_tolerance(tolerance: float, direction: int) -> int:
    """The next wand tolerance on ``TOLERANCE_STEPS`` above (``direction > 0``) or below ``tolerance``
    (clamped to 0..255 first); one between two steps (typed, kept from a setting) goes to the neighbouring
    one, as ``step_width`` does."""
    t = min(max(float(tolerance), 0.0), float(MAX_TOLERANCE))
    if direction > 0:
        return next((s for s in TOLERANCE_STEPS if s > t), MAX_TOLERANCE)
    return next((s for s in reversed(TOLERANCE_STEPS) if s < t), 0)


def brush_centre(x: float, y: float, width: int) -> tuple[int, int]:
    """Where a brush of ``width`` is centred with the pointer at image point ``(x, y)``: the pixel under it
    (odd widths) or the pixel corner nearest it (even widths), the corner named by the pixel right of and
    below it. Strokes are made of these points."""
    if int(width) % 2:
        return math.floor(x), math.floor(y)
    return math.floor(x + 0.5), math.floor(y + 0.5)


def cv_thickness(width: int) -> int:
    """OpenCV ``thickness`` whose LINE_8 line is ``width`` pixels wide, for an odd width (see module doc)."""
    return max(1, int(width) - 1)


def segment_footprint(p0: tuple[int, int], p1: tuple[int, int], *, width: int) -> tuple[Rect, np.ndarray]:
    """Pixels a brush of ``width`` paints from centre ``p0`` to ``p1`` (a dot when equal; see
    ``brush_centre``).

    Drawn by OpenCV into a small local buffer that holds the whole footprint (never clipped, so the
    result is translation invariant and equal to the same line drawn on a full image); returns the
    buffer's rectangle (may reach outside the image) and the bool footprint.
    """
    w = clamp_width(width)
    even = w % 2 == 0
    margin = w // 2 + 2
    x0, y0 = min(p0[0], p1[0]) - margin, min(p0[1], p1[1]) - margin
    bw = abs(p1[0] - p0[0]) + 2 * margin + 1
    bh = abs(p1[1] - p0[1]) + 2 * margin + 1
    buf = np.zeros((bh, bw), dtype=np.uint8)
    a = (int(p0[0] - x0 - even), int(p0[1] - y0 - even))  # even: the odd stroke up and left of the corners
    b = (int(p1[0] - x0 - even), int(p1[1] - y0 - even))
    cv2.line(buf, a, b, 1, cv_thickness(w - even), cv2.LINE_8)
    if even:  # grown one pixel right and down: the four pixels around each corner
        buf[:, 1:] |= buf[:, :-1]
        buf[1:, :] |= buf[:-1, :]
    return (x0, y0, bw, bh), buf.view(bool)


def footprint(width: int) -> np.ndarray:
    """The brush's own ``width`` x ``width`` footprint (bool): its top-left pixel is ``width // 2`` pixels up
    and left of the centre ``brush_centre`` gives. For the ring, the toolbar and tests."""
    w = clamp_width(width)
    _, foot = segment_footprint((0, 0), (0, 0), width=w)
    start = w // 2 + 2 - w // 2  # the margin (``segment_footprint``) less the half-width
    return foot[start : start + w, start : start + w].copy()


def footprint_outline(width: int) -> list[tuple[int, int]]:
    """The footprint's outline, along pixel edges, as a closed polygon's corners relative to the brush's
    centre point (the pixel's top-left corner for odd widths, the corner itself for even ones): what the
    ring around the pointer draws, so it shows the pixels a click paints. Every row of the footprint is one
    run of pixels, so the outline is its right ends going down and its left ends going up."""
    foot = footprint(width)
    half = foot.shape[0] // 2
    right: list[tuple[int, int]] = []
    left: list[tuple[int, int]] = []
    for row, line in enumerate(foot):
        xs = np.flatnonzero(line)
        y = row - half
        lo, hi = int(xs[0]) - half, int(xs[-1]) + 1 - half
        right += [(hi, y), (hi, y + 1)]
        left += [(lo, y), (lo, y + 1)]
    return right + left[::-1]


def touches(rle: dict, rect: Rect, region: np.ndarray, origin: list[int] | None = None) -> bool:
    """Whether ``region`` (a bool crop placed at ``rect``; it may reach outside the image) overlaps or
    borders (8 neighbours) the mask ``rle`` (a crop at ``origin`` when given, as on a slide): a brush dab or
    a wand region that touches the selected object continues it, one that does not starts another object
    (a separate part is a deliberate Ctrl+click)."""
    height, width = rle["size"]
    x, y, w, h = rect
    if origin is not None:  # in the crop's own coordinates
        x, y = x - int(origin[0]), y - int(origin[1])
    grown = cv2.dilate(np.pad(region.view(np.uint8), 1), np.ones((3, 3), np.uint8)).view(bool)
    clipped = clip_rect((x - 1, y - 1, w + 2, h + 2), height, width)
    if clipped is None:
        return False
    cx, cy, cw, ch = clipped
    ox, oy = cx - (x - 1), cy - (y - 1)
    return bool((grown[oy : oy + ch, ox : ox + cw] & decode_rect(rle, clipped)).any())


class Stroke:
    """One brush or eraser stroke on a dense mask, from press to release.

    Paints in place into ``mask`` (a writable bool HxW array, or a ``SparseMask`` on a whole slide).
    Each :meth:`move_to` draws the segment from the previous point, so the stroke is continuous however
    far apart the mouse events are, and returns the rectangle it changed (for the display). The first
    time the stroke touches a 64x64 tile it saves that tile's pixels, so :meth:`finish` can build the
    before/after patch of the stroke's rectangle without a copy of the whole mask.
    """

    def __init__(
        self,
        mask: np.ndarray,
        *,
        width: int,
        erase: bool = False,
        others: np.ndarray | OthersMask | None = None,
    ) -> None:
        if mask.dtype != bool or mask.ndim != 2:
            raise ValueError("mask must be a 2-D bool array")
        if getattr(mask, "flags", None) is not None and not mask.flags.writeable:
            raise ValueError("mask must be writable (copy the annotation's cached mask first)")
        if others is not None and others.shape != mask.shape:
            raise ValueError(f"others has shape {others.shape}, mask {mask.shape}")
        self.mask = mask
        self.width = clamp_width(width)
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
        """Paint (or erase) from the last point to centre ``(x, y)`` (``brush_centre``); the image rectangle
        it covered."""
        p = (int(x), int(y))
        start = self.points[-1] if self.points else p
        self.points.append(p)
        rect, foot = segment_footprint(start, p, width=self.width)
        h_img, w_img = self.mask.shape
        clipped = clip_rect(rect, h_img, w_img)
        if clipped is None:
            return None
        cx, cy, cw, ch = clipped
        foot = foot[cy - rect[1] : cy - rect[1] + ch, cx - rect[0] : cx - rect[0] + cw]
        self._backup(clipped)
        sl = rect_slices(clipped)
        target = self.mask[sl]  # a view of an array, a copy from a SparseMask: written back below
        if self.erase:
            target &= ~foot
        elif self.others is None:
            target |= foot
        else:
            target |= foot & ~self.others[sl]
        self.mask[sl] = target
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
    image's units (0-255 for 8-bit, raw values for 16-bit). On an image past ``limits.max_pixels()``
    (a whole slide, read lazily) the region stays within ``WAND_WINDOW`` px around the seed. Returns the
    region's rectangle and bool crop, None when the seed is outside the image. The image is not modified.
    """
    if connectivity not in (4, 8):
        raise ValueError("connectivity must be 4 or 8")
    h, w = image.shape[:2]
    x, y = int(seed[0]), int(seed[1])
    if not (0 <= x < w and 0 <= y < h):
        return None
    ox = oy = 0
    if not isinstance(image, np.ndarray) or h * w > max_pixels():  # a whole slide: a window around the seed
        ox, oy = (
            max(0, min(x - WAND_WINDOW // 2, w - WAND_WINDOW)),
            max(0, min(y - WAND_WINDOW // 2, h - WAND_WINDOW)),
        )
        image = np.asarray(image[oy : min(h, oy + WAND_WINDOW), ox : min(w, ox + WAND_WINDOW)])
        x, y = x - ox, y - oy
        h, w = image.shape[:2]
    img = _wand_image(image)
    flood = np.zeros((h + 2, w + 2), dtype=np.uint8)
    tol = float(tolerance)
    diff = (tol, tol, tol, tol)
    flags = connectivity | (1 << 8) | cv2.FLOODFILL_MASK_ONLY
    if fixed_range:
        flags |= cv2.FLOODFILL_FIXED_RANGE
    _, _, _, (rx, ry, rw, rh) = cv2.floodFill(img, flood, (x, y), 0, diff, diff, flags)
    crop = flood[1 + ry : 1 + ry + rh, 1 + rx : 1 + rx + rw].view(bool)
    return (int(rx) + ox, int(ry) + oy, int(rw), int(rh)), crop.copy()


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
