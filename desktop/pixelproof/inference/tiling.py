"""Tiled inference for large images (aerial, whole-slide): overlapping tiles read region by region, each
run through the backend with its offset, merged across the seams.

Boxes are merged by class-aware NMS. Masks are matched across each overlap band first (two pieces are one
object when their pixels inside the band, the only place both tiles saw, overlap with IoU >= ``match_iou``)
and only then joined, so two touching instances, which share a border but few band pixels, stay two.
"""

from __future__ import annotations

import itertools
import math
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from pixelproof.inference import arena
from pixelproof.inference.base import (
    Backend,
    BackendError,
    ModelMemoryError,
    Prediction,
    predict_safely,
)
from pixelproof.inference.onnx_yolo import nms

Rect = tuple[int, int, int, int]  # x, y, w, h
DEFAULT_OVERLAP = 0.2  # ``--overlap``'s default, and the app's
AUTO_TILE_START = 1024  # a picture too big for the model's memory is tried in tiles of this size first,
AUTO_TILE_FLOOR = 256  # then halved while it still fails, down to this size


@dataclass(frozen=True, slots=True)
class Tiling:
    """``size`` px square tiles overlapping by ``overlap`` (a fraction of the size, 0 <= overlap < 1)."""

    size: int
    overlap: float = DEFAULT_OVERLAP
    match_iou: float = 0.5  # masks: band IoU for one object; boxes: NMS IoU

    def __post_init__(self) -> None:
        if not 16 <= self.size <= 65536:
            raise BackendError(f"--tile must be 16..65536 px, got {self.size}")
        if not 0.0 <= self.overlap < 0.9:
            raise BackendError(f"--overlap must be in 0..0.9 (a fraction of the tile), got {self.overlap}")

    @property
    def stride(self) -> int:
        return max(1, self.size - round(self.size * self.overlap))


class RegionReader(Protocol):
    """Pixels of an image one rectangle at a time (a whole-slide reader implements the same)."""

    width: int
    height: int

    def read(self, x: int, y: int, w: int, h: int) -> np.ndarray: ...


class ArrayRegions:
    """Regions of an image already in memory (or a numpy memmap: then only what is read is paged in)."""

    def __init__(self, pixels: np.ndarray) -> None:
        self.pixels = pixels
        self.height, self.width = (int(v) for v in pixels.shape[:2])

    def read(self, x: int, y: int, w: int, h: int) -> np.ndarray:
        return np.ascontiguousarray(self.pixels[y : y + h, x : x + w])


class LevelRegions:
    """Regions of a whole-slide pyramid's full-resolution level, decoded tile by tile (``core.pyramid``)."""

    def __init__(self, level: Any) -> None:
        self.level = level
        self.height, self.width = int(level.height), int(level.width)

    def read(self, x: int, y: int, w: int, h: int) -> np.ndarray:
        return self.level.region(y, y + h, x, x + w)


def open_regions(
    path: str | Path, apply_exif: bool = True, expect: Mapping[str, Any] | None = None
) -> RegionReader:
    """A region reader for an image file: a pyramidal TIFF (whole-slide image, or a plane of a pyramidal
    z-stack) reads only the tiles a region covers, an uncompressed TIFF is memory-mapped (no whole-image
    array), anything else is decoded once (``expect``: the record's slice identity, as
    ``imageio.read_image`` takes it)."""
    from pixelproof.core.imageio import ImageReadError, read_image
    from pixelproof.core.sources import kind_of, slice_pyramid

    p = Path(path)
    if kind_of(p) == "pyramid":
        from pixelproof.core.pyramid import PyramidError, open_pyramid

        try:
            return LevelRegions(open_pyramid(p).levels[0])
        except PyramidError as e:
            raise ImageReadError(str(e)) from None
    plane = slice_pyramid(p, expect)  # a plane of a pyramidal z-stack: its tiles, as a slide's
    if plane is not None:
        return LevelRegions(plane.levels[0])
    if p.suffix.lower() in (".tif", ".tiff"):
        try:
            from pixelproof.core.tiff_guard import import_tifffile

            tifffile = import_tifffile()

            from pixelproof.core.channels import channel_layout
            from pixelproof.core.tiff_stack import parse_stack

            with parse_stack(p) as tif:  # though a later channel page is stored otherwise than the first
                size = (tif.pages.first.imagelength, tif.pages.first.imagewidth)
                channels = channel_layout(tif) is not None  # read_image gives their composite
            mapped = None if channels else tifffile.memmap(p, page=0, mode="r")  # as read_image reads it
        except Exception:  # compressed, tiled, or not memory-mappable: decode it
            mapped = None
        plain = mapped is not None and mapped.dtype.kind in "uif"  # else read_image names what it is
        if plain and mapped.ndim in (2, 3) and mapped.shape[:2] == size:  # not planar
            return ArrayRegions(mapped)
    return ArrayRegions(read_image(p, apply_exif=apply_exif, expect=expect))


def tile_rects(width: int, height: int, tiling: Tiling) -> list[Rect]:
    """Tiles covering the image row by row; the last row/column sits against the far edge, so every
    tile is full size when the image is larger than a tile."""

    def starts(length: int) -> list[int]:
        if length <= tiling.size:
            return [0]
        n = math.ceil((length - tiling.size) / tiling.stride) + 1
        return sorted({min(i * tiling.stride, length - tiling.size) for i in range(n)})

    return [
        (x, y, min(tiling.size, width - x), min(tiling.size, height - y))
        for y in starts(height)
        for x in starts(width)
    ]


def predict_tiled(
    backend: Backend,
    regions: RegionReader,
    tiling: Tiling,
    cancel: threading.Event | None = None,
    on_tile: Callable[[int, int], None] | None = None,
) -> list[Prediction]:
    """Run ``backend`` tile by tile (each sees only its tile; predictions come back in image
    coordinates) and merge across the seams."""
    per_tile: list[tuple[Rect, list[Prediction]]] = []
    rects = tile_rects(regions.width, regions.height, tiling)
    cores = tile_cores(rects)
    for i, rect in enumerate(rects):
        if cancel is not None and cancel.is_set():
            break
        x, y, w, h = rect
        before, backend.speckle_sites = backend.speckles_dropped, []
        try:
            found = predict_safely(backend, regions.read(x, y, w, h), offset=(x, y))
        finally:
            sites, backend.speckle_sites = backend.speckle_sites, None
        if sites and len(sites) == backend.speckles_dropped - before:  # it said where each was: count once
            cx0, cy0, cx1, cy1 = cores[i]
            backend.speckles_dropped -= sum(
                not (cx0 <= x + sx < cx1 and cy0 <= y + sy < cy1) for sx, sy in sites
            )
        per_tile.append((rect, [tight_mask(p.with_mask()) for p in found]))  # merging works on the pixels
        if on_tile is not None:
            on_tile(i + 1, len(rects))
    return merge_tiles(per_tile, tiling.match_iou)


def tile_cores(rects: list[Rect]) -> list[tuple[int, int, int, int]]:
    """(x0, y0, x1, y1) of each tile's own part: the tiles are a grid, and two neighbours split their overlap
    at its middle, so every pixel is in one tile's part. What a tiled run counts per object (a speckle
    dropped under ``min_area``) is counted by the tile whose part it begins in: once, though two tiles
    saw it (one cut by a tile's edge begins in the next tile's part, which saw it whole)."""

    def splits(spans: set[tuple[int, int]]) -> dict[int, tuple[int, int]]:
        ordered = sorted(spans)
        mids = [(b[0] + a[1]) // 2 for a, b in itertools.pairwise(ordered)]  # middle of each overlap
        lows, highs = [0, *mids], [*mids, ordered[-1][1]]
        return {start: (lo, hi) for (start, _), lo, hi in zip(ordered, lows, highs, strict=True)}

    columns = splits({(x, x + w) for x, _, w, _ in rects})
    rows = splits({(y, y + h) for _, y, _, h in rects})
    return [(columns[x][0], rows[y][0], columns[x][1], rows[y][1]) for x, y, _, _ in rects]


def tight_mask(p: Prediction) -> Prediction:
    """``p`` with its mask cut to the box of its pixels (``offset`` moved to match): a backend's mask of
    one object may be tile-sized (a plugin's), and a slide's tiles were all kept for the merge, 4 MB an
    object at 2048 px: a slide's 3,000 nuclei held 12 GB."""
    m = p.mask
    if m is None or m.ndim != 2:
        return p
    rows, cols = np.flatnonzero(m.any(axis=1)), np.flatnonzero(m.any(axis=0))
    if not rows.size:
        rows = cols = np.zeros(1, np.intp)  # an empty mask: one pixel of nothing, where it began
    y0, y1, x0, x1 = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
    if (y0, x0, y1, x1) == (0, 0, *m.shape):
        return p
    crop = np.ascontiguousarray(m[y0:y1, x0:x1], dtype=bool)
    return replace(p, mask=crop, offset=(p.offset[0] + x0, p.offset[1] + y0))


def cut_extent(bboxes: Iterable[Sequence[float]], width: int, height: int, tiling: Tiling) -> float:
    """The largest size (px), across the edge that cut them, of the objects no tile of ``tiling`` held
    whole (clear of its inner edges, as ``merge_tiles`` judges a box): each tile saw a piece of them,
    joined across the seams or kept as a piece (0.0 when every object fitted in a tile). An object no
    larger than the overlap always fits in one: a cut one says the overlap is too small for it."""
    rects = tile_rects(width, height, tiling)
    columns = {(tx, tx + tw) for tx, _, tw, _ in rects}  # the tiles are a grid: columns x rows
    rows = {(ty, ty + th) for _, ty, _, th in rects}
    worst = 0.0

    def inside(lo: float, hi: float, a: int, b: int, end: int) -> bool:  # clear of the inner edges
        return (a == 0 or lo > a + 1) and (b == end or hi < b - 1)

    for x, y, w, h in bboxes:
        if not any(inside(x, x + w, a, b, width) for a, b in columns):  # cut by a vertical edge
            worst = max(worst, float(w))
        if not any(inside(y, y + h, a, b, height) for a, b in rows):  # by a horizontal one
            worst = max(worst, float(h))
    return worst


def boxes_cut(annotations: Iterable[Any], width: int, height: int, tiling: Tiling) -> float:
    """``cut_extent`` of a run's kept objects on one ``width`` x ``height`` picture, boxes only: a mask is
    joined across the seams by its pixels in the band, whatever its size (the CLI and the app alike)."""
    return cut_extent((a.bbox for a in annotations if a.kind == "box"), width, height, tiling)


@dataclass(frozen=True, slots=True)
class CutFixWords:
    """How a run's warnings (a cut, a shrink, a flood of specks) name the settings to change: the CLI's
    flags, or the app's Model panel fields."""

    overlap: str = "--overlap {}"
    tile: str = "--tile {}"
    tile_and_overlap: str = "--tile {} --overlap {}"  # a tile size, then the overlap it needs
    keep_specks: str = "--keep-specks"  # the override of ``prelabel_checks.speck_flood``'s refusal


CLI_WORDS = CutFixWords()
APP_WORDS = CutFixWords(
    "overlap {}", "Tiles {} px", "Tiles {} px with overlap {}", "“Keep specks” in the Model panel's Run box"
)


def cut_warning(extent: float, tiling: Tiling, words: CutFixWords = CLI_WORDS) -> str:
    """What to change when objects up to ``extent`` px were cut by tile edges ("" when the overlap band
    is no smaller than them): a larger overlap when one under 0.9 fits them, else a larger tile."""
    band = round(tiling.size * tiling.overlap)
    if extent <= band:
        return ""
    what = f"objects up to {extent:.0f} px wide were cut by tile edges; an overlap of "
    what += f"{tiling.overlap:g}*{tiling.size}"
    need = math.ceil(100 * extent / tiling.size) / 100
    fix = words.overlap.format(f"{need:g}") if need < 0.9 else ""
    overlap = tiling.overlap or DEFAULT_OVERLAP  # no overlap at all: a larger tile needs one too
    size = math.ceil(extent / overlap)
    bigger = (
        words.tile.format(size) if tiling.overlap else words.tile_and_overlap.format(size, f"{overlap:g}")
    )
    fix = f"{fix} or {bigger}" if fix else bigger
    return f"{what} = {band} px is smaller: use {fix}"


@dataclass(frozen=True, slots=True)
class AutoTiled:
    """A picture too big for the model's memory that was pre-labeled in ``size``-px tiles instead
    (``predict_fitting``): reported per picture, since the user did not ask for tiles."""

    size: int
    memory_mb: int  # the model's budget it did not fit in

    def line(self, file_name: str, done: str = "pre-labeled") -> str:
        """The warning for ``file_name``, as the CLI prints it and the app lists it (lint: "predicted")."""
        return f"{file_name}: too big for the model's {self.memory_mb:,} MB; {done} in {self.size}-px tiles"


def auto_tile_sizes(width: int, height: int) -> list[int]:
    """Tile sizes to try, largest first: ``AUTO_TILE_START`` halved down to ``AUTO_TILE_FLOOR``, only
    those smaller than the picture's longer side (a tile as big as the picture is the picture again)."""
    sizes, size = [], AUTO_TILE_START
    while size >= AUTO_TILE_FLOOR:
        if size < max(width, height):
            sizes.append(size)
        size //= 2
    return sizes


def predict_fitting(
    backend: Backend, pixels: np.ndarray, overlap: float = DEFAULT_OVERLAP
) -> tuple[list[Prediction], AutoTiled | None]:
    """``predict_safely`` on the whole picture; when the model's arena cannot hold it (``ModelMemoryError``,
    no other failure), the picture again in tiles (``auto_tile_sizes``, each as ``predict_tiled`` with
    ``overlap``), so a slide or an aerial picture is pre-labeled without asking for tiles. Returns the
    predictions and how it was tiled (None: whole). When the smallest tile fails too, the whole picture's
    ``ModelMemoryError`` is raised. A failure while another lane shared the arena is judged again alone
    (``arena.gate``), so the outcome is the one a serial run gets."""
    with arena.gate.shared() as hold:
        try:
            return predict_safely(backend, pixels), None
        except ModelMemoryError as e:
            failure, crowded = e, hold.crowded
    with arena.gate.alone():
        if crowded:
            try:
                return predict_safely(backend, pixels), None
            except ModelMemoryError as e:
                failure = e
        regions = ArrayRegions(pixels)
        for size in auto_tile_sizes(regions.width, regions.height):
            try:
                found = predict_tiled(backend, regions, Tiling(size, overlap))
            except ModelMemoryError:
                continue
            return found, AutoTiled(size, failure.memory_mb)
    raise failure


# -- merging -----------------------------------------------------------------------------------------


def _intersect(a: Rect, b: Rect) -> Rect | None:
    x0, y0 = max(a[0], b[0]), max(a[1], b[1])
    x1, y1 = min(a[0] + a[2], b[0] + b[2]), min(a[1] + a[3], b[1] + b[3])
    return (x0, y0, x1 - x0, y1 - y0) if x1 > x0 and y1 > y0 else None


def _piece_of_another(
    k: int,
    keep: list[int],
    boxes: np.ndarray,
    cls: np.ndarray,
    tile: Rect,
    match_iou: float,
    share: float = 0.9,
) -> bool:
    """A cut box that is a piece of a larger kept box of its class: it lies (``share`` of its area)
    inside it, or it matches (IoU >= ``match_iou``) the part of it that its own tile saw. A detector
    shown half a cup draws a box for the half, often taller or wider than the cup's (it guesses the rest):
    compared with the whole cup its IoU is low and it sticks out, yet it is the cup as that tile saw it."""
    x1, y1, x2, y2 = boxes[k]
    area = max((x2 - x1) * (y2 - y1), 1e-9)
    tx1, ty1, tx2, ty2 = tile[0], tile[1], tile[0] + tile[2], tile[1] + tile[3]
    for j in keep:
        if j == k or cls[j] != cls[k]:
            continue
        a1, b1, a2, b2 = boxes[j]
        if (a2 - a1) * (b2 - b1) <= area:
            continue
        inter = max(0.0, min(x2, a2) - max(x1, a1)) * max(0.0, min(y2, b2) - max(y1, b1))
        if inter / area >= share:
            return True
        c1, d1, c2, d2 = max(a1, tx1), max(b1, ty1), min(a2, tx2), min(b2, ty2)  # j as k's tile saw it
        seen = max(0.0, c2 - c1) * max(0.0, d2 - d1)
        if seen > 0 and inter / (area + seen - inter) >= match_iou:
            return True
    return False


def _touches_inner_edge(bbox: list[float], tile: Rect, width: int, height: int) -> bool:
    """True when a box reaches a side of its tile that is not the image's border (it may be cut)."""
    x, y, w, h = bbox
    tx, ty, tw, th = tile
    return (
        (tx > 0 and x <= tx + 1)
        or (ty > 0 and y <= ty + 1)
        or (tx + tw < width and x + w >= tx + tw - 1)
        or (ty + th < height and y + h >= ty + th - 1)
    )


def _mask_rect(p: Prediction) -> Rect:
    assert p.mask is not None
    return (p.offset[0], p.offset[1], p.mask.shape[1], p.mask.shape[0])


def _crop(p: Prediction, rect: Rect) -> np.ndarray:
    """``p``'s mask pixels inside ``rect`` (image coordinates; zeros where the mask does not reach)."""
    assert p.mask is not None
    x, y, w, h = rect
    out = np.zeros((h, w), bool)
    inter = _intersect(rect, _mask_rect(p))
    if inter is not None:
        ix, iy, iw, ih = inter
        ox, oy = p.offset
        out[iy - y : iy - y + ih, ix - x : ix - x + iw] = p.mask[
            iy - oy : iy - oy + ih, ix - ox : ix - ox + iw
        ]
    return out


def _band_iou(a: Prediction, b: Prediction, band: Rect) -> float:
    """IoU of two masks counted inside ``band`` only."""
    region = _intersect(_intersect(band, _mask_rect(a)) or band, _mask_rect(b))
    if region is None:
        return 0.0
    ma, mb = _crop(a, region), _crop(b, region)
    union = np.count_nonzero(ma | mb)
    return np.count_nonzero(ma & mb) / union if union else 0.0


def _join(parts: list[Prediction]) -> Prediction:
    """One prediction from pieces of the same object: the union of their masks, the best score."""
    if len(parts) == 1:
        return parts[0]
    rects = [_mask_rect(p) for p in parts]
    x0, y0 = min(r[0] for r in rects), min(r[1] for r in rects)
    x1, y1 = max(r[0] + r[2] for r in rects), max(r[1] + r[3] for r in rects)
    box = (x0, y0, x1 - x0, y1 - y0)
    mask = np.zeros((box[3], box[2]), bool)
    for p in parts:
        mask |= _crop(p, box)
    ys, xs = np.nonzero(mask.any(axis=1))[0], np.nonzero(mask.any(axis=0))[0]
    mask = mask[ys[0] : ys[-1] + 1, xs[0] : xs[-1] + 1]
    ox, oy = x0 + int(xs[0]), y0 + int(ys[0])
    best = max(parts, key=lambda p: p.score)
    bbox = [float(ox), float(oy), float(mask.shape[1]), float(mask.shape[0])]
    return Prediction(best.category, best.score, bbox, mask=mask, offset=(ox, oy))


def merge_tiles(
    per_tile: list[tuple[Rect, list[Prediction]]], match_iou: float = 0.5, piece_share: float = 0.9
) -> list[Prediction]:
    """Masks: pieces of the same class from overlapping tiles whose band IoU >= ``match_iou`` are one
    object (transitively), joined into one mask; so is a piece cut by an inner edge of its tile that lies
    (``piece_share`` of its pixels) inside a larger mask of its class from another tile (a model may
    split the sliver it sees at a tile's edge in several, each under the band IoU). Boxes (no mask):
    class-aware NMS at ``match_iou``, boxes seen whole (not touching an inner tile edge) ranked before cut
    ones; a cut box lying inside a larger kept box of its class, or matching (IoU >= ``match_iou``) the
    part of it its own tile saw, is a piece of that object and is dropped."""
    masked: list[Prediction] = []
    by_tile: list[list[int]] = []  # indices into ``masked`` per tile
    boxed: list[Prediction] = []
    boxed_tile: list[Rect] = []  # the tile each box came from
    whole: list[bool] = []  # a box that does not touch its tile's inner edges: the object was seen whole
    width = max((r[0] + r[2] for r, _ in per_tile), default=0)
    height = max((r[1] + r[3] for r, _ in per_tile), default=0)
    for rect, preds in per_tile:
        by_tile.append([])
        for p in preds:
            if p.mask is None:
                boxed.append(p)
                boxed_tile.append(rect)
                whole.append(not _touches_inner_edge(p.bbox, rect, width, height))
            else:
                by_tile[-1].append(len(masked))
                masked.append(p)
    parent = list(range(len(masked)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    pixels = [int(np.count_nonzero(p.mask)) for p in masked]

    def piece_of(i: int, ti: int, j: int, tj: int) -> bool:
        """The smaller of two masks is cut by an inner edge of its tile and lies inside the other."""
        (k, tk), big = ((i, ti), j) if pixels[i] <= pixels[j] else ((j, tj), i)
        small = masked[k]
        if not pixels[k] or not _touches_inner_edge(small.bbox, per_tile[tk][0], width, height):
            return False
        rect = _mask_rect(small)
        return np.count_nonzero(_crop(masked[big], rect) & small.mask) >= piece_share * pixels[k]

    for ti in range(len(per_tile)):
        for tj in range(ti + 1, len(per_tile)):
            band = _intersect(per_tile[ti][0], per_tile[tj][0])
            if band is None:
                continue
            for i in by_tile[ti]:
                a = masked[i]
                if _intersect(_mask_rect(a), band) is None:
                    continue
                for j in by_tile[tj]:
                    b = masked[j]
                    if a.category != b.category or _intersect(_mask_rect(a), _mask_rect(b)) is None:
                        continue
                    if _band_iou(a, b, band) >= match_iou or piece_of(i, ti, j, tj):
                        parent[root(j)] = root(i)
    groups: dict[int, list[Prediction]] = {}
    for i, p in enumerate(masked):
        groups.setdefault(root(i), []).append(p)
    out = [_join(parts) for parts in groups.values()]
    if boxed:
        boxes = np.array(
            [[p.bbox[0], p.bbox[1], p.bbox[0] + p.bbox[2], p.bbox[1] + p.bbox[3]] for p in boxed]
        )
        names = sorted({p.category for p in boxed})
        cls = np.array([names.index(p.category) for p in boxed], np.float64)
        span = float(boxes.max()) + 1.0  # class offset: boxes of different classes never overlap
        # whole boxes first, then by score, then the larger (a copy cut by a tile edge is smaller)
        order = sorted(
            range(len(boxed)), key=lambda i: (whole[i], boxed[i].score, boxed[i].bbox[2] * boxed[i].bbox[3])
        )
        priority = np.empty(len(boxed))
        priority[order] = np.arange(len(boxed))
        keep = [int(k) for k in nms(boxes + cls[:, None] * span, priority, match_iou)]
        out += [
            boxed[k]
            for k in keep
            if whole[k] or not _piece_of_another(k, keep, boxes, cls, boxed_tile[k], match_iou)
        ]
    return out
