"""An annotation's pixels where they lie, whatever its kind (box, polygons, RLE) and storage (an RLE of
the whole image, or of a crop at its ``rle_origin``: docs/format.md), read inside its box only; and the
mask operations on annotations built on that one reader (edit, trace, split, fill holes, "preserve
others"). Every consumer of an object's pixels goes through here, so none places a cropped mask at the
image's corner. The pixel and RLE arithmetic they use is ``core.mask_edit``'s.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
from pycocotools import mask as mask_utils

from pixelproof.core import masks
from pixelproof.core.limits import max_pixels
from pixelproof.core.mask_edit import (
    Patch,
    PolygonConversion,
    Rect,
    Region,
    _rect_pixels,
    _to_bytes_rle,
    _transitions,
    clip_rect,
    crop_of,
    decode_rect,
    empty_rle,
    fill_holes,
    geometry,
    mask_to_polygons,
    rect_slices,
    rle_geometry,
    rle_rect,
    split,
)
from pixelproof.core.model import Annotation
from pixelproof.core.rle_codec import region_rle
from pixelproof.core.rle_strings import rle_counts
from pixelproof.core.sparse_mask import SparseMask, check_whole_mask, is_huge, origin_of


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


def fill_holes_annotation(ann: Annotation, height: int, width: int) -> Patch | None:
    """The patch (image coordinates) that fills the holes of an annotation's pixels where they lie (a mask
    stored cropped: at its ``rle_origin``), computed on its box only (``LimitError`` naming the annotation
    over the pixel limit, as for the other box operations)."""
    found = annotation_crop(ann, height, width, f"annotation {ann.id}")
    if found is None:
        return None
    rect, crop = found
    patch = fill_holes(crop.copy())
    if patch is None:
        return None
    return patch.moved(rect[0], rect[1])


def trace_annotation(ann: Annotation, height: int, width: int, epsilon: float = 0.0) -> PolygonConversion:
    """:func:`mask_to_polygons` of an annotation's pixels where they lie (a mask stored cropped at its
    ``rle_origin``) on its box only, grown by 1 px inside the image; polygons in image coordinates."""
    found = annotation_crop(ann, height, width, f"annotation {ann.id}")
    if found is not None:
        (x, y, w, h), crop = found
        left, top, right, bottom = min(1, x), min(1, y), min(1, width - x - w), min(1, height - y - h)
        crop = np.pad(crop, ((top, bottom), (left, right)))
        found = (x - left, y - top, w + left + right, h + top + bottom), crop
    if found is None:
        return PolygonConversion([], 0, 0, 0, 0, 0)
    (x, y, _, _), crop = found
    conv = mask_to_polygons(crop, epsilon)
    polygons = [[round(v + (x if i % 2 == 0 else y), 2) for i, v in enumerate(p)] for p in conv.polygons]
    return PolygonConversion(
        polygons, conv.holes, conv.parts, conv.dropped, conv.pixels_lost, conv.pixels_added
    )


def split_annotation(ann: Annotation, height: int, width: int, connectivity: int = 8) -> list[Region]:
    """An annotation's connected components where they lie (a mask stored cropped at its ``rle_origin``),
    largest first, in image coordinates."""
    found = annotation_crop(ann, height, width, f"annotation {ann.id}")
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
