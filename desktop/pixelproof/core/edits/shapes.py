"""Edits of mask pixels and shape kinds: brush / eraser strokes, wand clicks and fill-holes as rectangle
patches (:class:`PaintMask`), and the conversions (box / polygon -> mask, mask -> polygons, merge, split).

A :class:`PaintMask` stores only the changed rectangle's before/after pixels (``core.mask_edit.Patch``) and
replays it on the annotation's RLE with a strip splice, so undo on an 8000x8000 image neither keeps nor
decodes whole masks. On an image too big for one RLE (a slide) the mask is stored cropped to its box
(``rle_origin``) and the patch is applied to the crop (``sparse_mask.patch_cropped``). Conversions change
whole shapes and are built from the annotation edits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from pixelproof.core import annotation_pixels, limits, mask_edit, masks
from pixelproof.core.edits.annotations import AddAnnotations, RemoveAnnotations, ReplaceAnnotations
from pixelproof.core.edits.base import (
    ANNOTATION_ADDED,
    ANNOTATION_CHANGED,
    ANNOTATION_REMOVED,
    Changes,
    Compound,
    Edit,
    applied,
    require,
)
from pixelproof.core.geometry import clone
from pixelproof.core.limits import RLE_ORIGIN
from pixelproof.core.model import LAST_ANNOTATION_ID, Annotation, Project, utc_now
from pixelproof.core.object_lock import require_unlocked
from pixelproof.core.sparse_mask import is_huge, origin_of, patch_cropped


class PaintMask(Edit):
    """One stroke / wand click / fill-holes on a mask annotation; a new annotation when ``is_new``.

    Apply and revert splice the patch into the current RLE. When the original RLE was not in pycocotools'
    canonical form (uncompressed counts from another tool) or its bbox/area were written differently, the
    original geometry is kept too, so revert gives back exactly what was there. ``after_rle`` is the RLE
    with the patch applied when a worker already spliced it (a wand region of a big image costs ~0.3 s to
    splice); the first apply uses it if the annotation is still the one it was spliced onto.
    """

    def __init__(
        self,
        ann: Annotation,
        patch: mask_edit.Patch,
        label: str = "Paint mask",
        *,
        is_new: bool = False,
        after_rle: dict | None = None,
    ) -> None:
        self.annotation_id = ann.id
        self.patch = patch
        self.is_new = is_new
        self.label = label
        self.focus = [ann.id]
        self._updated_after = utc_now()
        self._updated_before = ann.updated
        self._template = clone(ann)  # the object's metadata: its pixels come from the patch and the project
        self._template.set_geometry(None, [0.0, 0.0, 0.0, 0.0], 0.0)  # not a copy of the mask per stroke
        self._exact_before: tuple | None = None
        self._prepared = None if after_rle is None else (None if is_new else ann.segmentation, after_rle)
        self._done: bool | None = None
        self._origin_before = origin_of(ann)  # a mask stored cropped (rle_origin): its crop's place
        if not is_new:
            if not isinstance(ann.segmentation, dict):
                raise ValueError(f"annotation {ann.id} is a {ann.kind}, not a mask")
            if self._origin_before is not None or not _canonical(ann):
                self._exact_before = (clone(ann).segmentation, list(ann.bbox), float(ann.area))

    def apply(self, project: Project) -> Changes:
        ann = self._template
        changes = Changes()
        if self.is_new:
            require(ann.id not in project.annotations, f"annotation id {ann.id} already exists")
            image = project.images[ann.image_id]
            new = clone(ann)
            if is_huge(image.height, image.width):  # no RLE of the whole image: stored cropped
                seg, origin, bbox, area = patch_cropped(None, None, self.patch.rect, self.patch.after)
                new.set_geometry(seg, bbox, area)
                new.app_extra[RLE_ORIGIN] = origin
            else:
                rle = self._take_prepared(None)
                if rle is None:
                    rle = mask_edit.patch_rle(mask_edit.empty_rle(image.height, image.width), self.patch)
                new.set_geometry(*mask_edit.rle_geometry(rle))
            new.updated = self._updated_after
            project.add_annotation(new)
            changes.annotation(ANNOTATION_ADDED, ann.image_id, ann.id)
        else:
            require(ann.id in project.annotations, f"annotation {ann.id} does not exist")
            require_unlocked(project, [ann.id], "paint")
            self._replace(project, forward=True)
            changes.annotation(ANNOTATION_CHANGED, ann.image_id, ann.id)
        self._done = True
        return changes

    def revert(self, project: Project) -> Changes:
        applied(self._done)
        changes = Changes()
        if self.is_new:
            project.remove_annotation(self.annotation_id)
            changes.annotation(ANNOTATION_REMOVED, self._template.image_id, self.annotation_id)
        else:
            self._replace(project, forward=False)
            changes.annotation(ANNOTATION_CHANGED, self._template.image_id, self.annotation_id)
        return changes

    def _replace(self, project: Project, forward: bool) -> None:
        current = project.annotations[self.annotation_id]
        out = clone(current)
        image = project.images[current.image_id]
        if not forward and self._exact_before is not None:
            out.set_geometry(*self._exact_before)
            out.app_extra.pop(RLE_ORIGIN, None)
            if self._origin_before is not None:
                out.app_extra[RLE_ORIGIN] = self._origin_before
        elif origin_of(current) is not None or is_huge(image.height, image.width):
            seg, origin, bbox, area = patch_cropped(
                current.segmentation, origin_of(current), self.patch.rect, self.patch.after
            )
            out.set_geometry(seg, bbox, area)
            out.app_extra[RLE_ORIGIN] = origin
        else:
            rle = self._take_prepared(current.segmentation) if forward else None
            if rle is None:
                rle = mask_edit.patch_rle(current.segmentation, self.patch, forward=forward)
            out.set_geometry(*mask_edit.rle_geometry(rle))
        out.updated = self._updated_after if forward else self._updated_before
        project.replace_annotation(out)

    def _take_prepared(self, base: dict | None) -> dict | None:
        """The worker's RLE if it was spliced onto ``base`` (None: an empty new mask); used once."""
        prepared, self._prepared = self._prepared, None
        if prepared is not None and prepared[0] is base:
            return prepared[1]
        return None


def paint_edit(
    ann: Annotation,
    patch: mask_edit.Patch,
    label: str,
    *,
    is_new: bool = False,
    after_rle: dict | None = None,
) -> Edit:
    """The undo step of a stroke or wand click: a :class:`PaintMask`, or the object's removal when the edit
    leaves its mask without a pixel (an empty mask can be neither seen nor clicked, yet would be saved and
    counted as an object)."""
    if not is_new and isinstance(ann.segmentation, dict):
        left = mask_edit.rle_geometry(ann.segmentation)[2] - patch.removed + patch.added
        if left <= 0:
            return RemoveAnnotations([ann.id], label)
    return PaintMask(ann, patch, label, is_new=is_new, after_rle=after_rle)


def _canonical(ann: Annotation) -> bool:
    """True when splicing the RLE back gives the very same segmentation, bbox and area."""
    rle = ann.segmentation
    counts = rle.get("counts")
    if not isinstance(counts, str) or mask_edit.counts_string(mask_edit.rle_counts(rle)) != counts:
        return False
    _, bbox, area = mask_edit.rle_geometry(rle)
    return bbox == list(ann.bbox) and area == float(ann.area)


def new_mask_annotation(project: Project, image_id: int, category_id: int) -> Annotation:
    """A not-yet-added manual mask annotation (empty) for a stroke or wand click to create."""
    image = project.images[image_id]
    ann = Annotation(
        id=project.next_annotation_id(),
        image_id=image_id,
        category_id=category_id,
        bbox=[0.0, 0.0, 0.0, 0.0],
        segmentation=mask_edit.empty_rle(image.height, image.width),
        area=0.0,
        iscrowd=0,
        source="manual",
    )
    ann.touch()
    return ann


# -- conversions -------------------------------------------------------------------------------------


def as_mask(project: Project, ann: Annotation) -> Annotation:
    """A clone of a box or polygon annotation turned into an RLE mask (pycocotools rasterization)."""
    image = project.images[ann.image_id]
    if ann.kind == "box":
        x, y, bw, bh = ann.bbox
        polygons = [[x, y, x + bw, y, x + bw, y + bh, x, y + bh]]
    elif ann.kind == "polygon":
        polygons = ann.segmentation
    else:
        raise ValueError(f"annotation {ann.id} is already a mask")
    rle = masks.compress(masks.polygons_to_rle(polygons, image.height, image.width))
    out = clone(ann)
    out.set_geometry(*mask_edit.rle_geometry(rle))
    out.iscrowd = 0
    return out


def to_mask(project: Project, ids: Iterable[int]) -> Edit | None:
    """Box/polygon -> mask for those of ``ids`` that are boxes or polygons; None when there are none."""
    anns = [project.annotations[i] for i in ids]
    changed = [as_mask(project, a) for a in anns if a.kind in ("box", "polygon")]
    if not changed:
        return None
    return ReplaceAnnotations(changed, f"Convert {len(changed)} to mask")


def _with_polygons(ann: Annotation, polygons: list[list[float]], height: int, width: int) -> Annotation:
    """A clone of ``ann`` whose shape is ``polygons`` (image coordinates)."""
    out = clone(ann)
    h, w = height, width
    out.set_geometry(polygons, masks.polygons_bbox(polygons), masks.segmentation_area(polygons, [], h, w))
    out.app_extra.pop(RLE_ORIGIN, None)  # polygons are in the image's frame
    return out


def _with_mask(ann: Annotation, rect: mask_edit.Rect, crop, height: int, width: int) -> Annotation:  # type: ignore[no-untyped-def]
    """A clone of ``ann`` whose pixels are ``crop`` at ``rect``, stored as the image needs: a whole-image
    RLE, or on an image too big for one the crop at its ``rle_origin`` (docs/format.md)."""
    rle, bbox, area, origin = annotation_pixels.crop_geometry(rect, crop, height, width)
    out = clone(ann)
    out.set_geometry(rle, bbox, area)
    out.app_extra.pop(RLE_ORIGIN, None)
    if origin is not None:
        out.app_extra[RLE_ORIGIN] = origin
    return out


# What the user chose when a mask -> polygon conversion would lose something: "convert" keeps one
# multi-part polygon annotation, "split" makes one annotation per island, "cancel" keeps the mask.
Chooser = Callable[[Annotation, mask_edit.PolygonConversion], str]


def traced_polygon(
    ann: Annotation, height: int, width: int
) -> tuple[Annotation, mask_edit.PolygonConversion] | None:
    """Mask -> polygon of one mask annotation as Masks > Mask -> polygon's "Convert Anyway" makes it (its
    islands parts of one polygon, holes filled): a clone with the polygons, and what they lose for the
    caller to say; None when the mask has no pixel. The assist tool's *Polygon* result uses it too."""
    conv = annotation_pixels.trace_annotation(ann, height, width)  # a crop where it lies
    if not conv.polygons:
        return None
    return _with_polygons(ann, conv.polygons, height, width), conv


def to_polygons(project: Project, ids: Iterable[int], choose: Chooser) -> Edit | None:
    """Mask -> polygon(s). ``choose`` is asked for every mask whose conversion is not lossless. The focus
    is the new annotations of split masks, if any, else the converted ones."""
    edits: list[Annotation] = []
    adds: list[Annotation] = []
    new_ids = project.id_counter(LAST_ANNOTATION_ID)
    for i in ids:
        ann = project.annotations[i]
        if ann.kind != "mask":
            continue
        image = project.images[ann.image_id]
        traced = traced_polygon(ann, image.height, image.width)
        if traced is None:
            continue
        converted, conv = traced
        answer = "convert" if conv.lossless and conv.parts <= 1 else choose(ann, conv)
        if answer == "cancel":
            continue
        if answer != "split" or conv.parts <= 1:
            edits.append(converted)
            continue
        for n, poly in enumerate(conv.polygons):
            part = _with_polygons(ann, [poly], image.height, image.width)
            if n == 0:
                edits.append(part)
            else:
                part.id = new_ids.take()
                adds.append(part)
    if not edits:
        return None
    parts: list[Edit] = [ReplaceAnnotations(edits)]
    if adds:
        parts.append(AddAnnotations(adds))
    return Compound(parts, "Convert to polygon", focus=[a.id for a in (adds or edits)])


def merge_masks(project: Project, ids: Iterable[int]) -> Edit | None:
    """Merge masks (and polygons/boxes, rasterized) of one category and image into the first one."""
    anns = [project.annotations[i] for i in ids]
    if len(anns) < 2:
        return None
    require(
        len({(a.image_id, a.category_id) for a in anns}) == 1,
        "merge needs annotations of one image and one category",
    )
    image = project.images[anns[0].image_id]
    found = [
        c
        for a in anns
        if (c := annotation_pixels.annotation_crop(a, image.height, image.width, f"annotation {a.id}"))
    ]
    keep = clone(anns[0])
    if found:  # every shape's pixels where they lie (masks stored cropped at their rle_origin), in their box
        x0, y0 = min(r[0] for r, _ in found), min(r[1] for r, _ in found)
        x1, y1 = max(r[0] + r[2] for r, _ in found), max(r[1] + r[3] for r, _ in found)
        limits.check_image_size(x1 - x0, y1 - y0, "merging masks")
        union = np.zeros((y1 - y0, x1 - x0), dtype=bool)
        for (x, y, w, h), crop in found:
            union[y - y0 : y - y0 + h, x - x0 : x - x0 + w] |= crop
        keep = _with_mask(keep, (x0, y0, x1 - x0, y1 - y0), union, image.height, image.width)
    else:
        keep = _with_mask(keep, (0, 0, 0, 0), np.zeros((0, 0), bool), image.height, image.width)
    keep.iscrowd = 0
    parts = [RemoveAnnotations([a.id for a in anns[1:]]), ReplaceAnnotations([keep])]
    return Compound(parts, f"Merge {len(anns)} masks", focus=[keep.id])


def split_mask(project: Project, ann_id: int, connectivity: int = 8) -> Edit | None:
    """Split a mask into its connected components: the largest keeps the id, the rest are new."""
    ann = project.annotations[ann_id]
    if ann.kind != "mask":
        return None
    image = project.images[ann.image_id]
    pieces = annotation_pixels.split_annotation(
        ann, image.height, image.width, connectivity
    )  # where they lie
    if len(pieces) < 2:
        return None
    first = _with_mask(ann, pieces[0].rect, pieces[0].crop, image.height, image.width)
    adds = []
    next_id = project.next_annotation_id(len(pieces) - 1)
    for n, piece in enumerate(pieces[1:]):
        a = _with_mask(ann, piece.rect, piece.crop, image.height, image.width)
        a.id = next_id + n
        adds.append(a)
    parts = [ReplaceAnnotations([first]), AddAnnotations(adds)]
    return Compound(parts, f"Split mask into {len(pieces)}", focus=[first.id] + [a.id for a in adds])


def fill_holes(project: Project, ann_id: int) -> PaintMask | None:
    """Fill the holes of a mask as one patch; None when it has none (or is no mask)."""
    ann = project.annotations[ann_id]
    if ann.kind != "mask":
        return None
    image = project.images[ann.image_id]
    patch = annotation_pixels.fill_holes_annotation(ann, image.height, image.width)  # in the image's frame
    return None if patch is None else PaintMask(ann, patch, "Fill holes")
