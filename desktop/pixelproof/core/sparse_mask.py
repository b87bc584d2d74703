"""Masks of very large images (whole slides) without full-size arrays.

A 100,000 x 100,000 slide has 10**10 pixels: a dense bool mask of it is 10 GB, and pycocotools counts RLE
runs in 32-bit integers, so no RLE of the whole image can exist. Such masks are stored cropped to their box
(``pixelproof.rle_origin``, docs/format.md). What the editing tools need works on those crops:

- :class:`SparseMask`: what a brush stroke paints into: 256 x 256 tiles, made (and filled from the stored
  crop) when first written; reads of untouched tiles come from the crop's runs;
- :func:`patch_cropped`: an edit's patch applied to a cropped mask, giving the new crop (the object's box
  and the patch's, trimmed to the set pixels), its origin, bbox and area;
- :func:`decode_at`: the pixels of any rectangle of a mask, whole-image or cropped;
- :func:`replace_rect_runs`: splicing a rectangle into a whole-image RLE in O(its area + runs), for tall
  images still under 2**32 pixels.

``is_huge`` says when an image needs cropped masks; ``check_whole_mask`` makes code that needs a whole mask
of such an image (a merge, a dense union) refuse with a clear message instead of overflowing.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pixelproof.core import limits

TILE = 256


def is_huge(height: int, width: int) -> bool:
    """True when an RLE of ``height`` x ``width`` is past pycocotools' 32-bit run counts."""
    return int(height) * int(width) >= limits.RLE_MAX_PIXELS


def check_whole_mask(height: int, width: int, what: str) -> None:
    """Refuse an operation that would need the whole mask of a huge image (LimitError)."""
    if is_huge(height, width):
        raise limits.LimitError(
            what,
            f"a whole mask of {width} x {height} = {int(width) * int(height):,} pixels is too large; "
            "masks on images over 2**32 pixels are edited and measured within their box only",
        )


Origin = tuple[int, int] | list[int] | None  # [x, y] of a cropped RLE's top-left pixel; None: whole image


def origin_of(annotation: Any) -> list[int] | None:
    """The ``rle_origin`` of an annotation stored cropped, else None."""
    origin = annotation.app_extra.get(limits.RLE_ORIGIN) if annotation is not None else None
    return [int(origin[0]), int(origin[1])] if origin is not None else None


def crop_rect(rle: dict[str, Any], origin: Origin) -> tuple[int, int, int, int]:
    """(x, y, w, h) the RLE covers in the image."""
    h, w = (int(v) for v in rle["size"])
    x, y = (int(v) for v in origin) if origin is not None else (0, 0)
    return x, y, w, h


def decode_at(rle: dict[str, Any], origin: Origin, rect: tuple[int, int, int, int]) -> np.ndarray:
    """The mask's pixels inside ``rect`` (bool (h, w)), zero outside its crop; decodes that part only."""
    from pixelproof.core.mask_edit import clip_rect, decode_rect

    x, y, w, h = rect
    out = np.zeros((h, w), dtype=bool)
    cx, cy, cw, ch = crop_rect(rle, origin)
    inner = clip_rect((x - cx, y - cy, w, h), ch, cw)
    if inner is not None:
        ix, iy, iw, ih = inner
        out[iy + cy - y : iy + cy - y + ih, ix + cx - x : ix + cx - x + iw] = decode_rect(rle, inner)
    return out


def patch_cropped(
    rle: dict[str, Any] | None, origin: Origin, rect: tuple[int, int, int, int], values: np.ndarray
) -> tuple[dict[str, Any], list[int], list[float], float]:
    """``values`` written at ``rect`` into a cropped mask (None: an empty one): the new crop RLE (trimmed
    to its set pixels; a 1 x 1 empty crop when none are left), its origin, the bbox and area in the image.
    Memory: the old crop's box joined with the rectangle, never the image."""
    from pixelproof.core import masks
    from pixelproof.core.mask_edit import rect_union

    old = None if rle is None else crop_rect(rle, origin)
    x, y, w, h = rect_union(old, rect)  # type: ignore[misc]
    canvas = np.zeros((h, w), dtype=bool)
    if rle is not None and old is not None and old[2] * old[3] > 0:
        ox, oy, ow, oh = old
        canvas[oy - y : oy - y + oh, ox - x : ox - x + ow] = masks.decode(rle)
    rx, ry, rw, rh = rect
    canvas[ry - y : ry - y + rh, rx - x : rx - x + rw] = values
    found = masks.encode_cropped(canvas)
    if found is None:
        return {"size": [1, 1], "counts": "1"}, [x, y], [0.0, 0.0, 0.0, 0.0], 0.0
    crop, (dx, dy) = found
    ch, cw = crop["size"]
    return crop, [x + dx, y + dy], [float(x + dx), float(y + dy), float(cw), float(ch)], float(canvas.sum())


class SparseMask:
    """A bool ``height`` x ``width`` mask kept as the mask it started from plus the tiles written since.

    ``rle`` is the stored mask (whole-image, or a crop at ``origin``). Takes plain slices like a 2-D array
    (``m[y0:y1, x0:x1]`` gives a new array; assigning writes the tiles): enough to stand in for the dense
    mask in ``paint.Stroke``, ``Patch.apply`` and ``patch_from_region``. Memory is the tiles touched
    (``nbytes``), never the image.
    """

    dtype = np.dtype(bool)
    ndim = 2

    def __init__(
        self, height: int, width: int, rle: dict[str, Any] | None = None, origin: Origin = None
    ) -> None:
        self.shape = (int(height), int(width))
        self._source = None if rle is None else (rle, origin)
        self._tiles: dict[tuple[int, int], np.ndarray] = {}

    @property
    def nbytes(self) -> int:
        return sum(t.nbytes for t in self._tiles.values())

    def _bounds(self, key: Any) -> tuple[int, int, int, int]:
        if not (isinstance(key, tuple) and len(key) == 2 and all(isinstance(k, slice) for k in key)):
            raise IndexError("SparseMask takes two plain slices")
        y0, y1, ys = key[0].indices(self.shape[0])
        x0, x1, xs = key[1].indices(self.shape[1])
        if ys != 1 or xs != 1:
            raise IndexError("SparseMask takes plain slices only")
        return y0, max(y0, y1), x0, max(x0, x1)

    def _from_runs(self, y0: int, y1: int, x0: int, x1: int) -> np.ndarray:
        if self._source is None or y1 <= y0 or x1 <= x0:
            return np.zeros((max(0, y1 - y0), max(0, x1 - x0)), dtype=bool)
        return decode_at(*self._source, (x0, y0, x1 - x0, y1 - y0))

    def _tiles_over(self, y0: int, y1: int, x0: int, x1: int) -> list[tuple[int, int]]:
        if y1 <= y0 or x1 <= x0:
            return []
        return [
            (ty, tx)
            for ty in range(y0 // TILE, (y1 - 1) // TILE + 1)
            for tx in range(x0 // TILE, (x1 - 1) // TILE + 1)
        ]

    def _tile_box(self, ty: int, tx: int) -> tuple[int, int, int, int]:
        return ty * TILE, min((ty + 1) * TILE, self.shape[0]), tx * TILE, min((tx + 1) * TILE, self.shape[1])

    def __getitem__(self, key: Any) -> np.ndarray:
        y0, y1, x0, x1 = self._bounds(key)
        out = self._from_runs(y0, y1, x0, x1)
        for ty, tx in self._tiles_over(y0, y1, x0, x1):
            tile = self._tiles.get((ty, tx))
            if tile is None:
                continue
            a0, a1, b0, b1 = self._tile_box(ty, tx)
            iy0, iy1, ix0, ix1 = max(a0, y0), min(a1, y1), max(b0, x0), min(b1, x1)
            out[iy0 - y0 : iy1 - y0, ix0 - x0 : ix1 - x0] = tile[iy0 - a0 : iy1 - a0, ix0 - b0 : ix1 - b0]
        return out

    def __setitem__(self, key: Any, values: Any) -> None:
        y0, y1, x0, x1 = self._bounds(key)
        vals = np.broadcast_to(np.asarray(values, dtype=bool), (y1 - y0, x1 - x0))
        for ty, tx in self._tiles_over(y0, y1, x0, x1):
            a0, a1, b0, b1 = self._tile_box(ty, tx)
            tile = self._tiles.get((ty, tx))
            if tile is None:
                tile = self._tiles[ty, tx] = self._from_runs(a0, a1, b0, b1)
            iy0, iy1, ix0, ix1 = max(a0, y0), min(a1, y1), max(b0, x0), min(b1, x1)
            tile[iy0 - a0 : iy1 - a0, ix0 - b0 : ix1 - b0] = vals[iy0 - y0 : iy1 - y0, ix0 - x0 : ix1 - x0]


def replace_rect_runs(
    rle: dict[str, Any], rect: tuple[int, int, int, int], values: np.ndarray
) -> dict[str, Any]:
    """``mask_edit.replace_rect`` in O(rect area + runs): only the rectangle's own pixels are built.

    (``replace_rect`` decodes whole columns: a 4096-px-wide wand region on a 100,000-row slide would be
    400 MB.) The new runs are the old transitions outside the rectangle's column segments (each taken
    with the pixel after it) plus the transitions computed inside them.
    """
    from pixelproof.core.mask_edit import _transitions, _transpose, counts_string, rle_counts

    height, width = (int(v) for v in rle["size"])
    total = height * width
    x, y, w, h = (int(v) for v in rect)
    t = _transitions(rle_counts(rle))
    cols = _transpose(np.asarray(values, dtype=bool))  # (w, h): the new pixels, column by column
    starts = np.arange(x, x + w, dtype=np.int64) * height + y  # flat index of each column segment

    def new_value(i: np.ndarray) -> np.ndarray:
        out = np.searchsorted(t, i, side="right") % 2 == 1
        out &= (i >= 0) & (i < total)
        c, r = i // height, i % height
        inside = (i >= 0) & (i < total) & (c >= x) & (c < x + w) & (r >= y) & (r < y + h)
        out[inside] = cols[c[inside] - x, r[inside] - y]
        return out

    seq = np.concatenate([new_value(starts - 1)[:, None], cols, new_value(starts + h)[:, None]], axis=1)
    col, k = np.nonzero(seq[:, 1:] != seq[:, :-1])
    fresh = starts[col] + k  # a toggle at flat index i: pixel i differs from pixel i - 1
    fresh = fresh[fresh < total]
    covered = np.zeros(t.shape, dtype=bool)
    seg = (t - y) // height  # the column segment starting at or before t (or the one before it, when a
    for k in (seg, seg - 1):  # full-height segment ends on the next column's first pixel)
        covered |= (k >= x) & (k < x + w) & (t >= k * height + y) & (t - (k * height + y) <= h)
    new_t = np.union1d(t[~covered], fresh).astype(np.int64)
    counts = np.diff(np.concatenate(([0], new_t, [total])))
    return {"size": [height, width], "counts": counts_string(counts)}
