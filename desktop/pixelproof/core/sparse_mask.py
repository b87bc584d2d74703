"""Masks of very large images (whole slides) without full-size arrays.

A 100,000 x 100,000 slide has 10**10 pixels: a dense bool mask of it is 10 GB, and pycocotools counts RLE
runs in 32-bit integers, so its ``toBbox``/``area``/``frPyObjects`` overflow past 2**32 pixels. Masks on
such images stay COCO RLE (the same column-major runs and the same compressed string, only with larger
numbers, read here as int64), and what the editing tools need is done on the runs with numpy:

- :func:`runs_geometry`: bbox and area of an RLE, equal to pycocotools' ``toBbox``/``area`` where those
  work;
- :func:`polygons_rle`: polygons rasterized by pycocotools inside their own box (its rasterization does not
  change under whole-pixel shifts) and placed in the image's RLE;
- :class:`SparseMask`: what a brush stroke paints into: 256 x 256 tiles, made (and filled from the RLE)
  when first written; reads of untouched tiles come from the RLE's runs.

``is_huge`` says when the pycocotools paths must not be taken; ``check_whole_mask`` makes the code that
needs a whole mask (a decode, a merge) refuse with a clear message instead of overflowing.
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


def runs_geometry(rle: dict[str, Any]) -> tuple[list[float], float]:
    """(bbox [x, y, w, h], area) of an RLE from its runs alone, as pycocotools' ``toBbox``/``area``."""
    from pixelproof.core.mask_edit import rle_counts

    height = int(rle["size"][0])
    counts = rle_counts(rle)
    ends = np.cumsum(counts)
    starts = ends - counts
    on = (np.arange(counts.size) % 2 == 1) & (counts > 0)
    s, e = starts[on], ends[on] - 1  # first and last flat index of each run of set pixels
    if s.size == 0:
        return [0.0, 0.0, 0.0, 0.0], 0.0
    area = float((e - s + 1).sum())
    x0, x1 = int(s.min() // height), int(e.max() // height)
    if (e // height > s // height).any():  # a run wraps into the next column: rows 0 and h-1 are set
        y0, y1 = 0, height - 1
    else:
        y0, y1 = int((s % height).min()), int((e % height).max())
    return [float(x0), float(y0), float(x1 - x0 + 1), float(y1 - y0 + 1)], area


def polygons_rle(polygons: list[list[float]], height: int, width: int) -> dict[str, Any]:
    """COCO polygons -> compressed RLE of the image, rasterized inside the polygons' box only."""
    from pycocotools import mask as mask_utils

    from pixelproof.core.mask_edit import clip_rect, empty_rle, region_rle

    xs = [v for p in polygons for v in p[0::2]]
    ys = [v for p in polygons for v in p[1::2]]
    if not xs:
        return empty_rle(height, width)
    x0, y0 = int(np.floor(min(xs))) - 1, int(np.floor(min(ys))) - 1
    x1, y1 = int(np.ceil(max(xs))) + 2, int(np.ceil(max(ys))) + 2
    rect = clip_rect((x0, y0, x1 - x0, y1 - y0), height, width)
    if rect is None:
        return empty_rle(height, width)
    rx, ry, rw, rh = rect
    limits.check_image_size(rw, rh, "polygon box")
    shifted = [[v - (rx if i % 2 == 0 else ry) for i, v in enumerate(p)] for p in polygons]
    crop = mask_utils.decode(mask_utils.merge(mask_utils.frPyObjects(shifted, rh, rw))).astype(bool)
    return region_rle(rect, crop, height, width)


class SparseMask:
    """A bool ``height`` x ``width`` mask kept as the RLE it started from plus the tiles written since.

    Takes plain slices like a 2-D array (``m[y0:y1, x0:x1]`` gives a new array; assigning writes the
    tiles): enough to stand in for the dense mask in ``paint.Stroke``, ``Patch.apply`` and
    ``patch_from_region``. Memory is the tiles touched (``nbytes``), never the image.
    """

    dtype = np.dtype(bool)
    ndim = 2

    def __init__(self, height: int, width: int, rle: dict[str, Any] | None = None) -> None:
        from pixelproof.core.mask_edit import _transitions, rle_counts

        self.shape = (int(height), int(width))
        self._runs = None if rle is None else _transitions(rle_counts(rle))
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
        from pixelproof.core.mask_edit import _rect_pixels

        if self._runs is None or y1 <= y0 or x1 <= x0:
            return np.zeros((y1 - y0, x1 - x0), dtype=bool)
        return _rect_pixels(self._runs, self.shape[0], (x0, y0, x1 - x0, y1 - y0))

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
