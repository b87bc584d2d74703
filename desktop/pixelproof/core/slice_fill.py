"""Edit > Fill Between Slices: a volume's class painted on every few slices (3D Slicer's Segment Editor "Fill
between slices" workflow) and the slices between filled by interpolating the shapes. No Qt.

The slices of the volume that hold a mask (or polygon) of the class are the keys; a reviewer's rejected object
is no key, and neither is a mask an earlier fill made that nobody has touched since (see below). Each slice
strictly between two neighbouring keys that has no object of the class gets the classic shape-based
interpolation (Raya & Udupa 1990) of the two keys' shapes - the union of the class's objects on each: their
signed distance maps (``scipy.ndimage.distance_transform_edt``, negative inside, the boundary half-way between
pixel centres) mixed linearly by the slice's place between the keys, and thresholded at 0. The place is worked
out in mm from the slices' ``slice_position`` when the two keys and every slice filled between them have one
(a lost slice leaves a gap of twice the spacing: 0, 1, 2, 4 mm puts the slice at 2 mm half-way between the
keys at 0 and 4 mm), else from the slices' order (one slice without a position, or positions out of order, and
the slices are taken as evenly spaced). 3D Slicer uses ITK's morphological contour interpolation (Albu et al.
2008), which differs in detail (it also bridges keys that do not overlap, where this one leaves a gap: a pixel
outside both keys' shapes is never inside their interpolation). Slices before the first key and after the last
are not filled; a slice holding any object of the class is never touched, but for one whose only objects of
the class are masks an earlier fill made and nobody changed since: filling again recomputes it (a key slice
corrected since gives the slices around it their new shapes, as 3D Slicer's fill does). "Changed" is told by
the pixels, as a brush stroke keeps an object's ``source`` and marks: each fill records a digest of its mask's
pixels (``pixelproof.interpolated_digest``); a mask whose pixels no longer match it, or that a reviewer
accepted or rejected, or that is locked, is the user's now: kept, and a key like a painted one (a rejected
one is no key). An interpolation of no pixel makes no object. Distances are worked out on the two keys' joint
box plus a margin only, so a 512x512x300 CT costs a few small arrays at a time.

The new objects and the removal of the earlier ones they replace are one edit (one undo takes them all back
and puts the earlier ones back), with ``source`` ``interpolation:shape-based`` and
``pixelproof.interpolated_between``: the slice indexes of the two keys, so the Properties panel and a reviewer
tell them from painted ones.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from scipy.ndimage import distance_transform_edt

from pixelproof.core.annotation_pixels import annotation_crop, crop_geometry
from pixelproof.core.clipboard import give_ids
from pixelproof.core.edits import AddAnnotations, Compound, Edit, RemoveAnnotations
from pixelproof.core.limits import RLE_ORIGIN
from pixelproof.core.mask_edit import Rect, clip_rect, rect_union
from pixelproof.core.model import Annotation, Project, is_rejected
from pixelproof.core.object_lock import is_locked
from pixelproof.core.qa_volumes import volume_index
from pixelproof.core.track_fill import BETWEEN, DIGEST  # the keys Fill Between Frames marks its objects with
from pixelproof.core.volumes import parse_slice_ref, record_position
from pixelproof.core.wording import plural

SOURCE = "interpolation:shape-based"  # the objects' ``source`` (interop.provenance words it)
MARGIN = 2  # background pixels around the keys' joint box: the inside distances see the shapes' edges
SHAPES = ("mask", "polygon")  # the kinds a key slice's shape is made of (a box is no outline)


@dataclass(frozen=True)
class Filled:
    """What Fill Between Slices adds and replaces (``edit`` None: nothing) and why slices were passed over."""

    edit: Edit | None
    filled: int = 0  # slices given an object
    replaced: int = 0  # slices whose earlier interpolated masks were replaced (or removed: ``empty``)
    removed: tuple[int, ...] = ()  # the ids of those earlier masks
    unchanged: int = 0  # slices filled earlier whose new interpolation is the mask they hold
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
    """The objects Fill Between Slices adds (and the earlier interpolated masks they replace) for each class
    of ``category_ids`` on the volume whose slices are ``slice_ids`` (in slice order), as one edit (see the
    module docstring). Raises IdsExhausted when the new ids do not all fit: nothing is made."""
    made: list[Annotation] = []
    removed: list[int] = []
    keys = empty = other_size = replaced = unchanged = cleared = 0
    classes = [c for c in dict.fromkeys(category_ids) if c in project.categories]
    for category_id in classes:
        found = _fill_class(project, list(slice_ids), category_id)
        made += found.made
        removed += found.removed
        keys, empty, other_size = keys + found.keys, empty + found.empty, other_size + found.other_size
        replaced, unchanged = replaced + found.replaced, unchanged + found.unchanged
        cleared += found.cleared
    if not made and not removed:
        return Filled(None, 0, 0, (), unchanged, keys, empty, other_size)
    give_ids(project, made)
    names = ", ".join(project.categories[c].name for c in classes)
    label = fill_label(len(made), names, replaced - cleared, cleared)
    parts: list[Edit] = [RemoveAnnotations(removed)] if removed else []
    parts += (
        [AddAnnotations(made, owned=True)] if made else []
    )  # made here (``_object``), held by nobody else
    edit = parts[0] if len(parts) == 1 else Compound(parts, label)
    edit.label = label
    return Filled(edit, len(made), replaced, tuple(removed), unchanged, keys, empty, other_size)


def fill_label(filled: int, names: str, again: int, cleared: int) -> str:
    """The undo step's name: the new masks, and the slices whose earlier interpolated masks it replaces
    (``again``) or removes with nothing in their place (``cleared``), so Ctrl+Z's item says a refill took
    back earlier ones too: ``Fill Between Slices (3 slices of liver, 2 filled again)``."""
    words = [f"{plural(filled, 'slice')} of {names}" if filled else names]
    if again:
        words.append(f"{again} filled again")
    if cleared:
        words.append(f"{plural(cleared, 'earlier fill')} removed")
    return f"Fill Between Slices ({', '.join(words)})"


@dataclass
class _Found:
    """One class's share of a :class:`Filled`."""

    made: list[Annotation]
    removed: list[int]
    keys: int = 0
    empty: int = 0
    other_size: int = 0
    replaced: int = 0
    unchanged: int = 0
    cleared: int = 0  # of ``replaced``: slices whose earlier masks were removed, nothing in their place


def _fill_class(project: Project, ids: list[int], category_id: int) -> _Found:
    """What Fill Between Slices does for one class."""
    occupied: list[bool] = []
    shaped: list[bool] = []
    earlier: dict[int, list[Annotation]] = {}  # position -> the untouched masks of an earlier fill there
    for at, image_id in enumerate(ids):
        anns = [a for a in project.annotations_of(image_id) if a.category_id == category_id]
        if anns and all(untouched_fill(project, a) for a in anns):
            earlier[at] = anns  # filled again: no key, as if empty
            anns = []
        occupied.append(bool(anns))
        shaped.append(any(a.kind in SHAPES and not is_rejected(a) for a in anns))
    out = _Found([], [])
    below: _Key | None = None
    run: list[
        int
    ] = []  # positions since the key below that have no object of the class (or an earlier fill's)
    for at, image_id in enumerate(ids):
        key = _key(project, at, image_id, category_id) if shaped[at] else None
        if key is None:
            if not occupied[at]:
                run.append(at)
            continue
        out.keys += 1
        if below is not None and run:
            for place, new in _fill_run(project, ids, run, below, key, category_id).items():
                _settle(project, out, earlier.get(place, []), new)
        below, run = key, []
    return out


def _settle(project: Project, out: _Found, old: list[Annotation], new: Annotation | str) -> None:
    """Count one in-between slice's result (a new object, "empty" or "other size") against the earlier
    fill's masks ``old`` it holds: replaced, removed (nothing left there) or kept (the same pixels)."""
    if (
        isinstance(new, str) and new == "other size"
    ):  # an earlier fill's mask there is kept: nothing is worked out for it
        out.other_size += 1
        return
    if (
        isinstance(new, Annotation)
        and len(old) == 1
        and old[0].app_extra.get(DIGEST) == new.app_extra[DIGEST]
        and old[0].app_extra.get(BETWEEN) == new.app_extra[BETWEEN]
    ):
        out.unchanged += 1  # up to date: not replaced by the same mask
        return
    if old:
        out.replaced += 1
        out.removed += [a.id for a in old]
    if isinstance(new, Annotation):
        out.made.append(new)
    else:
        out.empty += 1
        out.cleared += bool(old)


def untouched_fill(project: Project, ann: Annotation) -> bool:
    """Whether ``ann`` is a mask a fill made that nobody changed since (its pixels still those the fill
    recorded, no review decision, not locked): the next fill may recompute it. A brush stroke keeps an
    object's ``source`` and marks, so the pixels tell."""
    recorded = ann.app_extra.get(DIGEST) if ann.app_extra else None
    if ann.source != SOURCE or not isinstance(recorded, str) or ann.kind != "mask":
        return False
    if ann.review in ("accepted", "rejected") or is_locked(ann):
        return False
    image = project.images.get(ann.image_id)
    return image is not None and shape_digest(ann, image.height, image.width) == recorded


def shape_digest(ann: Annotation, height: int, width: int) -> str | None:
    """A short digest of an object's pixels and where they lie (None when it has none): the same for the
    same pixels however the RLE is written."""
    found = annotation_crop(ann, height, width, f"annotation {ann.id}")
    if found is None:
        return None
    rect, crop = found
    h = hashlib.blake2b(repr(tuple(int(v) for v in rect)).encode(), digest_size=12)
    h.update(np.packbits(np.ascontiguousarray(crop, dtype=bool)).tobytes())
    return h.hexdigest()


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
) -> dict[int, Annotation | str]:
    """Each slice of ``run`` (positions between two keys) -> its new object, or "empty" (the interpolation
    holds no pixel) or "other size" (not of the keys' size: none is worked out)."""
    size = project.images[below.image_id].size
    if project.images[above.image_id].size != size:
        return dict.fromkeys(run, "other size")
    height, width = size
    x, y, w, h = rect_union(below.rect, above.rect)  # type: ignore[misc]
    rect = clip_rect((x - MARGIN, y - MARGIN, w + 2 * MARGIN, h + 2 * MARGIN), height, width)
    assert rect is not None
    lower, upper = signed_distance(_placed(below, rect)), signed_distance(_placed(above, rect))
    indexes = [_slice_index(project, ids[k.position], k.position) for k in (below, above)]
    out: dict[int, Annotation | str] = {}
    for at, t in zip(run, slice_weights(project, ids, run, below.position, above.position), strict=True):
        image_id = ids[at]
        if project.images[image_id].size != size:
            out[at] = "other size"
            continue
        inside = (1.0 - t) * lower + t * upper < 0
        out[at] = _object(project, image_id, category_id, rect, inside, indexes) if inside.any() else "empty"
    return out


def slice_weights(project: Project, ids: list[int], run: list[int], below: int, above: int) -> list[float]:
    """How far each slice of ``run`` lies from the key at position ``below`` towards the one at ``above``
    (0..1): by ``slice_position`` (mm) when both keys and every slice of ``run`` have one and they lie in
    order (a lost slice makes a gap twice as wide), else by the slices' order."""
    mm = [record_position(project.images[ids[k]]) for k in (below, *run, above)]
    if all(v is not None for v in mm):
        start, span = mm[0], mm[-1] - mm[0]  # type: ignore[operator]
        if span:
            found = [(v - start) / span for v in mm[1:-1]]  # type: ignore[operator]
            steps = [0.0, *found, 1.0]
            if all(a < b for a, b in pairwise(steps)):
                return found
    return [(at - below) / (above - below) for at in run]


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
    ann = Annotation(
        0, image_id, category_id, bbox, rle, area, source=SOURCE, app_extra={BETWEEN: list(between)}
    )
    if origin is not None:
        ann.app_extra[RLE_ORIGIN] = origin
    ann.app_extra[DIGEST] = shape_digest(ann, image.height, image.width)
    ann.touch()
    return ann
