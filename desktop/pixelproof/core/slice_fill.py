"""Edit > Fill Between Slices: a volume's class painted on every few slices (3D Slicer's Segment Editor
"Fill between slices" workflow) and the slices between filled by interpolating the shapes. No Qt.

The slices of the volume that hold a mask (or polygon) of the class are the keys; a reviewer's rejected
object is no key. Each slice strictly between two neighbouring keys that has no object of the class gets
the classic shape-based interpolation (Raya & Udupa 1990) of the two keys' shapes - the union of the
class's objects on each: their signed distance maps (``scipy.ndimage.distance_transform_edt``, negative
inside, the boundary half-way between pixel centres) mixed linearly by the slice's place between the keys,
and thresholded at 0. 3D Slicer uses ITK's morphological contour interpolation (Albu et al. 2008), which
differs in detail (it also bridges keys that do not overlap, where this one leaves a gap: a pixel outside
both keys' shapes is never inside their interpolation). Slices before the first key and after the last are
not filled; a slice holding any object of the class is never touched; an interpolation of no pixel makes
no object. Distances are worked out on the two keys' joint box plus a margin only, so a 512x512x300 CT
costs a few small arrays at a time.

The new objects are one ``AddAnnotations`` (one undo takes them all back), with ``source``
``interpolation:shape-based`` and ``pixelproof.interpolated_between``: the slice indexes of the two keys,
so the Properties panel and a reviewer tell them from painted ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.ndimage import distance_transform_edt

from pixelproof.core.annotation_pixels import annotation_crop, crop_geometry
from pixelproof.core.clipboard import give_ids
from pixelproof.core.edits import AddAnnotations
from pixelproof.core.limits import RLE_ORIGIN
from pixelproof.core.mask_edit import Rect, clip_rect, rect_union
from pixelproof.core.model import Annotation, Project, is_rejected
from pixelproof.core.qa_volumes import volume_index
from pixelproof.core.volumes import parse_slice_ref
from pixelproof.core.wording import plural

SOURCE = "interpolation:shape-based"  # the objects' ``source`` (interop.provenance words it)
BETWEEN = "interpolated_between"  # pixelproof.interpolated_between: [slice index below, slice index above]
MARGIN = 2  # background pixels around the keys' joint box: the inside distances see the shapes' edges
SHAPES = ("mask", "polygon")  # the kinds a key slice's shape is made of (a box is no outline)


@dataclass(frozen=True)
class Filled:
    """What Fill Between Slices adds (``edit`` None: nothing) and why slices were passed over."""

    edit: AddAnnotations | None
    filled: int = 0  # slices given an object
    keys: int = 0  # key slices of the class(es) in the volume
    empty: int = 0  # in-between slices whose interpolation holds no pixel (keys that do not overlap)
    other_size: int = 0  # in-between slices not of their keys' size (none is filled between such keys)


@dataclass(frozen=True)
class _Key:
    position: int  # place in the volume's slice order
    image_id: int
    rect: Rect
    crop: np.ndarray  # the union of the class's shapes on the slice, inside ``rect``


def volume_slices(project: Project, image_id: int) -> list[int] | None:
    """The image ids of the volume image ``image_id`` is a slice of, in slice order; None for an image that
    is no slice of a volume (or one of a volume of one slice: nothing lies between)."""
    found = volume_index(project).get(image_id)
    return found[1] if found is not None and len(found[1]) > 1 else None


def fill_between_slices(project: Project, slice_ids: Sequence[int], category_ids: Iterable[int]) -> Filled:
    """The objects Fill Between Slices adds for each class of ``category_ids`` on the volume whose slices are
    ``slice_ids`` (in slice order), as one edit (see the module docstring). Raises IdsExhausted when their
    ids do not all fit: nothing is made."""
    made: list[Annotation] = []
    keys = empty = other_size = 0
    classes = [c for c in dict.fromkeys(category_ids) if c in project.categories]
    for category_id in classes:
        found = _fill_class(project, list(slice_ids), category_id)
        made += found[0]
        keys, empty, other_size = keys + found[1], empty + found[2], other_size + found[3]
    if not made:
        return Filled(None, 0, keys, empty, other_size)
    give_ids(project, made)
    names = ", ".join(project.categories[c].name for c in classes)
    edit = AddAnnotations(made, f"Fill Between Slices ({plural(len(made), 'slice')} of {names})")
    return Filled(edit, len(made), keys, empty, other_size)


def _fill_class(project: Project, ids: list[int], category_id: int) -> tuple[list[Annotation], int, int, int]:
    """(new objects, key slices, empty interpolations, slices of another size) for one class."""
    occupied: list[bool] = []
    shaped: list[bool] = []
    for image_id in ids:
        anns = [a for a in project.annotations_of(image_id) if a.category_id == category_id]
        occupied.append(bool(anns))
        shaped.append(any(a.kind in SHAPES and not is_rejected(a) for a in anns))
    made: list[Annotation] = []
    keys = empty = other_size = 0
    below: _Key | None = None
    run: list[int] = []  # positions since the key below that have no object of the class
    for at, image_id in enumerate(ids):
        key = _key(project, at, image_id, category_id) if shaped[at] else None
        if key is None:
            if not occupied[at]:
                run.append(at)
            continue
        keys += 1
        if below is not None and run:
            done, none, sized = _fill_run(project, ids, run, below, key, category_id)
            made += done
            empty, other_size = empty + none, other_size + sized
        below, run = key, []
    return made, keys, empty, other_size


def _key(project: Project, at: int, image_id: int, category_id: int) -> _Key | None:
    """The union of the class's shapes on one slice (None when they hold no pixel)."""
    image = project.images[image_id]
    parts = []
    for a in project.annotations_of(image_id):
        if a.category_id == category_id and a.kind in SHAPES and not is_rejected(a):
            found = annotation_crop(a, image.height, image.width, f"annotation {a.id}")
            if found is not None:
                parts.append(found)
    rect: Rect | None = None
    for r, _crop in parts:
        rect = rect_union(rect, r)
    if rect is None:
        return None
    union = np.zeros((rect[3], rect[2]), dtype=bool)
    for (x, y, w, h), crop in parts:
        union[y - rect[1] : y - rect[1] + h, x - rect[0] : x - rect[0] + w] |= crop
    return _Key(at, image_id, rect, union) if union.any() else None


def _fill_run(
    project: Project, ids: list[int], run: list[int], below: _Key, above: _Key, category_id: int
) -> tuple[list[Annotation], int, int]:
    """The objects of the empty slices ``run`` between two keys; (objects, empty results, slices of another
    size than the keys)."""
    size = project.images[below.image_id].size
    if project.images[above.image_id].size != size:
        return [], 0, len(run)
    height, width = size
    x, y, w, h = rect_union(below.rect, above.rect)  # type: ignore[misc]
    rect = clip_rect((x - MARGIN, y - MARGIN, w + 2 * MARGIN, h + 2 * MARGIN), height, width)
    assert rect is not None
    lower, upper = signed_distance(_placed(below, rect)), signed_distance(_placed(above, rect))
    indexes = [_slice_index(project, ids[k.position], k.position) for k in (below, above)]
    span = above.position - below.position
    made: list[Annotation] = []
    none = sized = 0
    for at in run:
        image_id = ids[at]
        if project.images[image_id].size != size:
            sized += 1
            continue
        t = (at - below.position) / span
        inside = (1.0 - t) * lower + t * upper < 0
        if not inside.any():
            none += 1
            continue
        made.append(_object(project, image_id, category_id, rect, inside, indexes))
    return made, none, sized


def signed_distance(mask: np.ndarray) -> np.ndarray:
    """A mask's signed distance map in pixels: negative inside, positive outside, its boundary at 0
    half-way between a pixel inside and its neighbour outside."""
    inside = distance_transform_edt(mask)
    outside = distance_transform_edt(~mask)
    return np.where(mask, 0.5 - inside, outside - 0.5).astype(np.float32)


def _placed(key: _Key, rect: Rect) -> np.ndarray:
    """The key's shape inside ``rect`` (which holds its box)."""
    out = np.zeros((rect[3], rect[2]), dtype=bool)
    x, y, w, h = key.rect
    out[y - rect[1] : y - rect[1] + h, x - rect[0] : x - rect[0] + w] = key.crop
    return out


def _slice_index(project: Project, image_id: int, position: int) -> int:
    """The slice's index in its volume (``#z=012``: 12), its place in the order when its name gives none."""
    ref = parse_slice_ref(project.images[image_id].file_name)
    return ref.index if ref is not None else position


def _object(
    project: Project, image_id: int, category_id: int, rect: Rect, inside: np.ndarray, between: list[int]
) -> Annotation:
    """A new mask object (id given later) of ``inside`` at ``rect``, marked as interpolated."""
    image = project.images[image_id]
    ys, xs = np.nonzero(inside)
    y0, y1, x0, x1 = int(ys.min()), int(ys.max()) + 1, int(xs.min()), int(xs.max()) + 1
    tight = (rect[0] + x0, rect[1] + y0, x1 - x0, y1 - y0)
    rle, bbox, area, origin = crop_geometry(tight, inside[y0:y1, x0:x1], image.height, image.width)
    ann = Annotation(0, image_id, category_id, bbox, rle, area, source=SOURCE, app_extra={BETWEEN: between})
    if origin is not None:
        ann.app_extra[RLE_ORIGIN] = origin
    ann.touch()
    return ann
