"""Where the annotators of an overlap image disagree, and the layers Review > Annotators Side by Side draws,
without an image-sized array (a 16384 x 16384 image took 19 GB and a minute the naive way).

Objects are decoded as scoring decodes them (``qa_objects.annotations_placed``: crops of their boxes), a
batch of at most ``DECODE_BUDGET`` box pixels at a time, and kept packed eight pixels a byte. The image is
then walked in tiles of ``TILE`` pixels a side, only those some object's box touches. In each tile every
annotator's label per pixel (its class, objects painted in order; 0: unlabelled) gives the exact
full-resolution counts (pixels some annotator labelled, and those the annotators do not all give the same
label) and, at one pixel in ``scale`` along each axis (nearest neighbour: the top-left pixel of each
``scale`` x ``scale`` block), what the view draws. ``overlay_scale`` keeps the drawn layers' longer side
within ``OVERLAY_MAX_SIDE`` (about twice a pane on a large screen): a 16384 x 16384 image is drawn through
2048 x 2048 layers of 16 MB each (a full-size one is 1 GB); an object thinner than ``scale`` pixels may
then not show. Memory: the layers, an eighth of a byte per pixel of every object's box, one tile's labels
and the batch being decoded (one object bigger than the budget is decoded alone, as scoring would).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from pixelproof.core.agreement import Member
from pixelproof.core.qa_objects import annotations_placed, category_name, placed_or_raise, scored_annotations

OVERLAY_MAX_SIDE = 2048  # longest side of a drawn layer, in layer pixels
TILE = 1024  # image pixels a side of the tiles counted at full resolution
DECODE_BUDGET = 1 << 26  # box pixels decoded at once (64 MB), before packing
FILL_ALPHA = 120
DEFAULT_RGB = (230, 25, 75)  # a class without a colour
HEAT = np.array([[0, 158, 115, 90], [230, 159, 0, 170], [213, 94, 0, 220]], np.float32)  # agree .. disagree


def overlay_scale(height: int, width: int, max_side: int = OVERLAY_MAX_SIDE) -> int:
    """Image pixels per drawn pixel along each axis: 1 up to ``max_side``, then the least that fits."""
    return max(1, math.ceil(max(height, width) / max_side))


@dataclass
class Disagreement:
    """One overlap image's annotators compared pixel by pixel (see the module docstring)."""

    scale: int
    categories: list[str]  # label code - 1 -> class name
    labels: np.ndarray  # (n, ceil(h / scale), ceil(w / scale)): each annotator's label at the sampled pixels
    top: (
        np.ndarray
    )  # (ceil(h / scale), ceil(w / scale)) uint8: most annotators giving a sampled pixel one label
    labelled: int  # full-resolution pixels some annotator labelled
    differing: int  # of those, the pixels the annotators do not all give the same label

    @property
    def share(self) -> float | None:
        """Share of the labelled pixels the annotators differ on; None when nobody labelled the image."""
        return self.differing / self.labelled if self.labelled else None

    @property
    def values(self) -> np.ndarray:
        """Float32 at the sampled pixels: 0 where every annotator gives the same label (unlabelled too), up
        to 1 - 1/n where they all differ."""
        return (1.0 - self.top.astype(np.float32) / len(self.labels)).astype(np.float32)


def disagreement(
    members: list[Member], scale: int = 1, check: Callable[[], None] | None = None
) -> Disagreement:
    """Compare ``members`` (one image's versions); ``check`` is called between tiles (a job's Cancel)."""
    h, w = members[0].image.height, members[0].image.width
    n = len(members)
    names: dict[str, int] = {}
    tile = scale * max(1, TILE // scale)  # whole blocks of ``scale``: each tile samples its own pixels
    tiles: dict[tuple[int, int], list[tuple[int, int, Packed]]] = {}
    for r, m in enumerate(members):
        for name, p in _packed_objects(m, h, w, check):
            code = names.setdefault(name, len(names) + 1)
            for ty in range(p.y0 // tile, (p.y1 - 1) // tile + 1):
                for tx in range(p.x0 // tile, (p.x1 - 1) // tile + 1):
                    tiles.setdefault((ty, tx), []).append((r, code, p))
    dtype = np.uint8 if len(names) < 255 else np.int32
    rh, rw = -(-h // scale), -(-w // scale)
    labels = np.zeros((n, rh, rw), dtype)
    top = np.full((rh, rw), n, np.uint8)  # unlabelled: every annotator says "background"
    labelled = differing = 0
    for (ty, tx), parts in tiles.items():
        if check is not None:
            check()
        y0, x0 = ty * tile, tx * tile
        y1, x1 = min(y0 + tile, h), min(x0 + tile, w)
        lab = np.zeros((n, y1 - y0, x1 - x0), dtype)
        for r, code, p in parts:  # in each annotator's object order: a later object paints over
            ya, yb, xa, xb = max(p.y0, y0), min(p.y1, y1), max(p.x0, x0), min(p.x1, x1)
            if ya < yb and xa < xb:
                view = lab[r, ya - y0 : yb - y0, xa - x0 : xb - x0]
                view[p.pixels(ya, yb, xa, xb)] = code
        labelled += int(np.count_nonzero((lab != 0).any(axis=0)))
        differing += int(np.count_nonzero(~(lab == lab[0]).all(axis=0)))  # differing implies labelled
        sampled = lab[:, ::scale, ::scale]
        where = (
            slice(None),
            slice(y0 // scale, y0 // scale + sampled.shape[1]),
            slice(x0 // scale, x0 // scale + sampled.shape[2]),
        )
        labels[where] = sampled
        top[where[1:]] = _top(sampled)
    categories = sorted(names, key=names.__getitem__)
    return Disagreement(scale, categories, labels, top, labelled, differing)


@dataclass(frozen=True, slots=True)
class Packed:
    """An object's crop (rows y0..y1, columns x0..x1 of the image), eight pixels a byte along its rows."""

    bits: np.ndarray
    y0: int
    x0: int
    y1: int
    x1: int

    def pixels(self, ya: int, yb: int, xa: int, xb: int) -> np.ndarray:
        """The bool pixels of image rows ya..yb, columns xa..xb (inside the crop)."""
        a, b = xa - self.x0, xb - self.x0
        row = np.unpackbits(self.bits[ya - self.y0 : yb - self.y0, a // 8 : -(-b // 8)], axis=1)
        return row[:, a % 8 : a % 8 + b - a].view(bool)


def _packed_objects(m: Member, h: int, w: int, check: Callable[[], None] | None) -> list[tuple[str, Packed]]:
    """A member's objects in drawing order, (class name, packed crop); objects without pixels left out.
    Decoded in batches of at most ``DECODE_BUDGET`` box pixels (one bigger object alone)."""
    anns = scored_annotations(m.project, m.image)
    out: list[tuple[str, Packed]] = []
    start = 0
    while start < len(anns):
        if check is not None:
            check()
        end, area = start, 0
        while end < len(anns) and (end == start or area + _box_area(anns[end]) <= DECODE_BUDGET):
            area += _box_area(anns[end])
            end += 1
        batch = anns[start:end]
        for ann, found in zip(batch, annotations_placed(batch, h, w), strict=True):
            p = placed_or_raise(found)
            if p.mask.size:
                bits = np.packbits(p.mask, axis=1)
                out.append((category_name(m.project, ann), Packed(bits, p.y0, p.x0, p.y1, p.x1)))
        start = end
    return out


def _box_area(ann) -> float:  # type: ignore[no-untyped-def]
    try:
        return max(0.0, float(ann.bbox[2])) * max(0.0, float(ann.bbox[3]))
    except (TypeError, ValueError, IndexError):  # a malformed box: the decoder says what is wrong
        return 0.0


def _top(labels: np.ndarray) -> np.ndarray:
    """Per pixel of (n, h, w) labels: the most annotators giving it one label (background counts)."""
    n = len(labels)
    counts = np.ones(labels.shape, np.uint8)
    for r in range(n):
        for s in range(r + 1, n):
            same = labels[r] == labels[s]
            counts[r] += same
            counts[s] += same
    return counts.max(axis=0)


def annotator_rgba(found: Disagreement, index: int, colors: dict[str, tuple[int, int, int]]) -> np.ndarray:
    """RGBA (at the sampled pixels) of annotator ``index``'s objects, filled in their class colour."""
    palette = np.zeros((len(found.categories) + 1, 4), np.uint8)
    for k, name in enumerate(found.categories, start=1):
        palette[k] = (*colors.get(name, DEFAULT_RGB), FILL_ALPHA)
    return palette[found.labels[index]]


def heat_rgba(found: Disagreement) -> np.ndarray:
    """RGBA heat map (at the sampled pixels): green where every annotator agrees on a labelled pixel, orange
    to red as more differ; unlabelled pixels clear."""
    n = len(found.labels)
    full = max(1.0 - 1.0 / n, 1e-9)
    palette = np.zeros((n + 1, 4), np.uint8)
    for agree in range(1, n + 1):
        t = min(max((1.0 - agree / n) / full, 0.0), 1.0)
        a, b, u = (HEAT[0], HEAT[1], t * 2) if t < 0.5 else (HEAT[1], HEAT[2], (t - 0.5) * 2)
        palette[agree] = (a + (b - a) * u).astype(np.uint8)
    out = palette[found.top]
    out[(found.labels == 0).all(axis=0)] = 0
    return out
