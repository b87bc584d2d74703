"""Undoable mask edits (issue 4): brush/eraser strokes, wand clicks and fill-holes as rectangle patches, and
the conversions (box/polygon -> mask, mask -> polygon, merge, split).

A :class:`PaintMask` stores only the changed rectangle's before/after pixels (``core.mask_edit.Patch``) and
replays it on the annotation's RLE with a strip splice, so undo on an 8000x8000 image neither keeps nor
decodes whole masks. Conversions change whole shapes and reuse the workbench's ``EditAnnotations`` /
``AddAnnotations`` / ``RemoveAnnotations`` inside one undo macro.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtGui import QUndoCommand

from pixelproof.core import mask_edit, masks
from pixelproof.core.geometry import clone
from pixelproof.core.model import Annotation, utc_now
from pixelproof.ui.commands import AddAnnotations, EditAnnotations, RemoveAnnotations
from pixelproof.ui.document import Document


class PaintMask(QUndoCommand):
    """One stroke / wand click / fill-holes on a mask annotation; a new annotation when ``is_new``.

    Redo and undo splice the patch into the current RLE. When the original RLE was not in pycocotools'
    canonical form (uncompressed counts from another tool) or its bbox/area were written differently, the
    original geometry is kept too, so undo gives back exactly what was there.
    """

    def __init__(
        self,
        doc: Document,
        ann: Annotation,
        patch: mask_edit.Patch,
        text: str = "Paint mask",
        *,
        is_new: bool = False,
        after_rle: dict | None = None,
    ) -> None:
        """``after_rle``: the RLE with the patch applied, when a worker already spliced it (a wand region
        of a big image costs ~0.3 s to splice); the first redo uses it if the annotation is unchanged."""
        super().__init__(text)
        self.doc = doc
        self.ann_id = ann.id
        self.patch = patch
        self.is_new = is_new
        self.size = (doc.project.images[ann.image_id].height, doc.project.images[ann.image_id].width)
        self._selection_before = doc.selection
        self._updated_after = utc_now()
        self._updated_before = ann.updated
        self._template = clone(ann)  # metadata of a new annotation (its geometry comes from the patch)
        self._exact_before: tuple | None = None
        self._prepared = None if after_rle is None else (None if is_new else ann.segmentation, after_rle)
        if not is_new:
            rle = ann.segmentation
            if not isinstance(rle, dict):
                raise ValueError(f"annotation {ann.id} is a {ann.kind}, not a mask")
            if not _canonical(ann):
                self._exact_before = (clone(ann).segmentation, list(ann.bbox), float(ann.area))

    def _replace(self, forward: bool) -> None:
        current = self.doc.project.annotations[self.ann_id]
        out = clone(current)
        if not forward and self._exact_before is not None:
            out.set_geometry(*self._exact_before)
        else:
            rle = self._take_prepared(current.segmentation) if forward else None
            if rle is None:
                rle = mask_edit.patch_rle(current.segmentation, self.patch, forward=forward)
            out.set_geometry(*mask_edit.rle_geometry(rle))
        out.updated = self._updated_after if forward else self._updated_before
        self.doc.apply_replace_annotation(out)

    def _take_prepared(self, base: dict | None) -> dict | None:
        """The worker's RLE if it was spliced onto ``base`` (None: an empty new mask); used once."""
        prepared, self._prepared = self._prepared, None
        if prepared is not None and prepared[0] is base:
            return prepared[1]
        return None

    def redo(self) -> None:
        if self.is_new:
            ann = clone(self._template)
            rle = self._take_prepared(None)
            if rle is None:
                rle = mask_edit.patch_rle(mask_edit.empty_rle(*self.size), self.patch)
            ann.set_geometry(*mask_edit.rle_geometry(rle))
            ann.updated = self._updated_after
            self.doc.apply_add_annotation(ann)
        else:
            self._replace(True)
        self.doc.set_selection([self.ann_id])

    def undo(self) -> None:
        if self.is_new:
            self.doc.apply_remove_annotation(self.ann_id)
        else:
            self._replace(False)
        self.doc.set_selection(self._selection_before)


def _canonical(ann: Annotation) -> bool:
    """True when splicing the RLE back gives the very same segmentation, bbox and area."""
    rle = ann.segmentation
    counts = rle.get("counts")
    if not isinstance(counts, str) or mask_edit.counts_string(mask_edit.rle_counts(rle)) != counts:
        return False
    _, bbox, area = mask_edit.rle_geometry(rle)
    return bbox == list(ann.bbox) and area == float(ann.area)


def new_mask_annotation(doc: Document, image_id: int, category_id: int) -> Annotation:
    """A not-yet-added manual mask annotation (empty) for a stroke or wand click to create."""
    h, w = doc.project.images[image_id].height, doc.project.images[image_id].width
    ann = Annotation(
        id=doc.project.next_annotation_id(),
        image_id=image_id,
        category_id=category_id,
        bbox=[0.0, 0.0, 0.0, 0.0],
        segmentation=mask_edit.empty_rle(h, w),
        area=0.0,
        iscrowd=0,
        source="manual",
    )
    ann.touch()
    return ann


# -- conversions -------------------------------------------------------------------------------------


def _size(doc: Document, ann: Annotation) -> tuple[int, int]:
    img = doc.project.images[ann.image_id]
    return img.height, img.width


def as_mask(doc: Document, ann: Annotation) -> Annotation:
    """A clone of a box or polygon annotation turned into an RLE mask (pycocotools rasterization)."""
    h, w = _size(doc, ann)
    if ann.kind == "box":
        x, y, bw, bh = ann.bbox
        polygons = [[x, y, x + bw, y, x + bw, y + bh, x, y + bh]]
    elif ann.kind == "polygon":
        polygons = ann.segmentation
    else:
        raise ValueError(f"annotation {ann.id} is already a mask")
    rle = masks.compress(masks.polygons_to_rle(polygons, h, w))
    out = clone(ann)
    out.set_geometry(*mask_edit.rle_geometry(rle))
    out.iscrowd = 0
    return out


def to_mask_command(doc: Document, ids: Iterable[int]) -> QUndoCommand | None:
    """Box/polygon -> mask for those of ``ids`` that are boxes or polygons; None when there are none."""
    anns = [doc.project.annotations[i] for i in ids]
    changed = [as_mask(doc, a) for a in anns if a.kind in ("box", "polygon")]
    if not changed:
        return None
    return EditAnnotations(doc, changed, f"Convert {len(changed)} to mask")


def as_polygons(ann: Annotation, conversion: mask_edit.PolygonConversion) -> Annotation:
    out = clone(ann)
    polygons = conversion.polygons
    h, w = ann.segmentation["size"]
    out.set_geometry(polygons, masks.polygons_bbox(polygons), masks.segmentation_area(polygons, [], h, w))
    return out


# What the user chose when a mask -> polygon conversion would lose something: "convert" keeps one
# multi-part polygon annotation, "split" makes one annotation per island, "cancel" keeps the mask.
Chooser = Callable[[Annotation, mask_edit.PolygonConversion], str]


def to_polygon_command(doc: Document, ids: Iterable[int], choose: Chooser) -> QUndoCommand | None:
    """Mask -> polygon(s). ``choose`` is asked for every mask whose conversion is not lossless."""
    edits: list[Annotation] = []
    adds: list[Annotation] = []
    next_id = doc.project.next_annotation_id()
    for i in ids:
        ann = doc.project.annotations[i]
        if ann.kind != "mask":
            continue
        conv = mask_edit.trace_rle(ann.segmentation)
        if not conv.polygons:
            continue
        answer = "convert" if conv.lossless and conv.parts <= 1 else choose(ann, conv)
        if answer == "cancel":
            continue
        if answer == "split" and conv.parts > 1:
            h, w = ann.segmentation["size"]
            for n, poly in enumerate(conv.polygons):
                part = clone(ann)
                part.set_geometry(
                    [poly], masks.polygons_bbox([poly]), masks.segmentation_area([poly], [], h, w)
                )
                if n == 0:
                    edits.append(part)
                else:
                    part.id = next_id
                    next_id += 1
                    adds.append(part)
        else:
            edits.append(as_polygons(ann, conv))
    if not edits:
        return None
    parts: list[QUndoCommand] = [EditAnnotations(doc, edits)]
    if adds:
        parts.append(AddAnnotations(doc, adds))
    return _macro(doc, "Convert to polygon", parts)


def merge_command(doc: Document, ids: Iterable[int]) -> QUndoCommand | None:
    """Merge masks (and polygons/boxes, rasterized) of one category and image into the first one."""
    anns = [doc.project.annotations[i] for i in ids]
    if len(anns) < 2:
        return None
    if len({(a.image_id, a.category_id) for a in anns}) != 1:
        raise ValueError("merge needs annotations of one image and one category")
    rles = [a.segmentation if a.kind == "mask" else as_mask(doc, a).segmentation for a in anns]
    keep = clone(anns[0])
    keep.set_geometry(*mask_edit.rle_geometry(mask_edit.union_rle(rles)))
    keep.iscrowd = 0
    return _macro(
        doc,
        f"Merge {len(anns)} masks",
        [RemoveAnnotations(doc, [a.id for a in anns[1:]]), EditAnnotations(doc, [keep])],
        select=[keep.id],
    )


def split_command(doc: Document, ann_id: int, connectivity: int = 8) -> QUndoCommand | None:
    """Split a mask into its connected components: the largest keeps the id, the rest are new."""
    ann = doc.project.annotations[ann_id]
    if ann.kind != "mask":
        return None
    parts = mask_edit.split_rle(ann.segmentation, connectivity)
    if len(parts) < 2:
        return None
    first = clone(ann)
    first.set_geometry(*mask_edit.rle_geometry(parts[0]))
    adds = []
    next_id = doc.project.next_annotation_id()
    for n, rle in enumerate(parts[1:]):
        a = clone(ann)
        a.id = next_id + n
        a.set_geometry(*mask_edit.rle_geometry(rle))
        adds.append(a)
    return _macro(
        doc,
        f"Split mask into {len(parts)}",
        [EditAnnotations(doc, [first]), AddAnnotations(doc, adds)],
        select=[first.id] + [a.id for a in adds],
    )


def fill_holes_command(doc: Document, ann_id: int) -> QUndoCommand | None:
    ann = doc.project.annotations[ann_id]
    if ann.kind != "mask":
        return None
    patch = mask_edit.fill_holes_rle(ann.segmentation)
    return None if patch is None else PaintMask(doc, ann, patch, "Fill holes")


class _Macro(QUndoCommand):
    """Several commands as one undo step (QUndoStack macros cannot be built before pushing)."""

    def __init__(self, text: str, parts: list[QUndoCommand], doc: Document, select: list[int] | None) -> None:
        super().__init__(text)
        self.parts = parts
        self.doc = doc
        self.select = select
        self._selection_before = doc.selection

    def redo(self) -> None:
        for p in self.parts:
            p.redo()
        if self.select is not None:
            self.doc.set_selection(self.select)

    def undo(self) -> None:
        for p in reversed(self.parts):
            p.undo()
        self.doc.set_selection(self._selection_before)


def _macro(
    doc: Document, text: str, parts: list[QUndoCommand], select: list[int] | None = None
) -> QUndoCommand:
    return parts[0] if len(parts) == 1 and select is None else _Macro(text, parts, doc, select)
