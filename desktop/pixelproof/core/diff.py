"""What changed between two versions of a project, per image and per class (issue 16).

Images are paired by their absolute path (``split.image_key``), categories by name. On each image objects
are paired by id first (the same object, edited or not); the objects left over are matched by geometry,
whatever their class (Hungarian assignment on IoU, IoU > threshold, as QA), so an object re-created with a
new id - by a merge, a conversion, a redraw - shows as changed rather than as removed + added. What is left
then is added or removed. A changed object reports its geometry IoU (1.0 when the shape is the same), its
old and new class and review state. A mask stored whole in one version and cropped to its box in the other
(``rle_origin``, docs/format.md) with the same pixels has the same geometry. Every object is counted once:
those of a new image are added, those of a removed image removed. A class renamed (same id, a name new to
the project, its old name gone) is a rename: its objects keep their class (as the change log counts it),
though an export of them differs.

``diff_image`` is a pure function of one image's two versions; ``diff_projects`` runs it in image order.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from pycocotools import mask as mask_utils

from pixelproof.core import matching, metrics_overlap
from pixelproof.core.annotation_pixels import annotation_crop, annotation_rle
from pixelproof.core.limits import RLE_ORIGIN
from pixelproof.core.model import Annotation, ImageRecord, Project
from pixelproof.core.sparse_mask import origin_of
from pixelproof.core.split import image_key

if TYPE_CHECKING:
    from scipy.sparse import sparray

ADDED, REMOVED, CHANGED = "added", "removed", "changed"


@dataclass(slots=True)
class ObjectChange:
    file_name: str
    status: str  # added | removed | changed
    category: str  # the new class (the old one for "removed")
    old_category: str | None = None
    old_id: int | None = None
    new_id: int | None = None
    iou: float | None = None  # geometry IoU old -> new (changed only)
    old_review: str | None = None
    new_review: str | None = None
    what: list[str] = field(default_factory=list)  # geometry, class, review, other

    def to_dict(self) -> dict[str, Any]:
        d = {k: getattr(self, k) for k in self.__slots__}
        if d["iou"] is not None and not math.isfinite(d["iou"]):
            d["iou"] = None
        return d


def _same_geometry(a: Annotation, b: Annotation, old_im: ImageRecord, new_im: ImageRecord) -> bool:
    """Same box, crowd flag and shape. A mask stored whole in one version and cropped in the other
    (``rle_origin``, docs/format.md), or cropped differently, is the same shape when its pixels are."""
    if list(a.bbox) != list(b.bbox) or a.iscrowd != b.iscrowd:
        return False
    if a.segmentation == b.segmentation and origin_of(a) == origin_of(b):
        return True
    if a.kind != "mask" or b.kind != "mask" or origin_of(a) == origin_of(b):
        return False
    ca = annotation_crop(a, old_im.height, old_im.width, f"annotation {a.id}")
    cb = annotation_crop(b, new_im.height, new_im.width, f"annotation {b.id}")
    if ca is None or cb is None:
        return ca is cb
    return ca[0] == cb[0] and np.array_equal(ca[1], cb[1])


def _same_other(a: Annotation, b: Annotation) -> bool:
    """The other fields; ``rle_origin`` is part of the geometry (where a cropped mask lies)."""
    fields = ("area", "score", "source", "note", "author", "updated", "extra")
    return all(getattr(a, f) == getattr(b, f) for f in fields) and _app_extra(a) == _app_extra(b)


def _app_extra(a: Annotation) -> dict[str, Any]:
    return {k: v for k, v in a.app_extra.items() if k != RLE_ORIGIN}


def iou_pairs(
    olds: list[Annotation], news: list[Annotation], old_im: ImageRecord, new_im: ImageRecord
) -> sparray:
    """Geometry IoU of the old/new pairs with IoU > 0 (QA's conventions: box IoU when either is a box) as a
    sparse table (``matching.pair_table``), computed by pycocotools on RLEs without decoding masks;
    measured only for pairs whose extents overlap (``matching.overlapping``): 10,000 re-created objects are
    not 10**8 pairs in Python, nor an 800 MB table."""
    rows: list[int] = []
    cols: list[int] = []
    ious: list[float] = []
    if not olds or not news:
        return matching.pair_table(rows, cols, ious, (len(olds), len(news)))
    same_size = (old_im.height, old_im.width) == (new_im.height, new_im.width)
    ro = [
        annotation_rle(a, old_im.height, old_im.width) if same_size and a.kind != "box" else None
        for a in olds
    ]
    rn = [
        annotation_rle(b, new_im.height, new_im.width) if same_size and b.kind != "box" else None
        for b in news
    ]
    for i, near in matching.overlapping(_extents(olds, ro), _extents(news, rn)):
        a = olds[i]
        shaped = []
        for j in near.tolist():
            if a.kind == "box" or news[j].kind == "box":
                rows.append(i)
                cols.append(j)
                ious.append(metrics_overlap.box_iou(a.bbox, news[j].bbox))
            elif same_size:
                shaped.append(j)
        if shaped:
            measured = mask_utils.iou([rn[j] for j in shaped], [ro[i]], [0])
            rows += [i] * len(shaped)
            cols += shaped
            ious += np.asarray(measured, dtype=np.float64).reshape(len(shaped)).tolist()
    return matching.pair_table(rows, cols, ious, (len(olds), len(news)))


def _extents(anns: list[Annotation], rles: list[dict[str, Any] | None]) -> np.ndarray:
    """Each annotation's extent around its box and its RLE's pixels (``matching.extents``)."""
    return matching.extents((a.bbox for a in anns), map(_pixel_extent, rles))


def _pixel_extent(rle: dict[str, Any] | None) -> matching.Extent | None:
    if rle is None:
        return None
    x, y, w, h = (float(v) for v in mask_utils.toBbox(rle))
    return x, y, x + w, y + h


def _same_id_ious(
    pairs: list[tuple[Annotation, str, Annotation, str]], old_im: ImageRecord, new_im: ImageRecord
) -> list[float]:
    """Geometry IoU of each (old, new) version of an object (1.0 when the shape is the same), as
    ``iou_pairs`` measures a pair, but only the pairs themselves: the table of every overlapping moved pair
    an image, of which only the diagonal was read, was half of a 100,000-object diff's time."""
    ious = [1.0] * len(pairs)
    same_size = (old_im.height, old_im.width) == (new_im.height, new_im.width)
    for k, (a, _, b, _) in enumerate(pairs):
        if _same_geometry(a, b, old_im, new_im):
            continue
        if a.kind == "box" or b.kind == "box":
            ious[k] = metrics_overlap.box_iou(a.bbox, b.bbox)
        elif not same_size:
            ious[k] = 0.0  # masks of pictures of two sizes are not compared (``iou_pairs``)
        else:
            ra = annotation_rle(a, old_im.height, old_im.width)
            rb = annotation_rle(b, new_im.height, new_im.width)
            ious[k] = float(np.asarray(mask_utils.iou([rb], [ra], [0]), dtype=np.float64).reshape(1)[0])
    return ious


def _changed(
    file_name: str,
    a: Annotation,
    b: Annotation,
    ca: str,
    cb: str,
    iou: float,
    renamed: Mapping[str, str],
    old_im: ImageRecord,
    new_im: ImageRecord,
) -> ObjectChange | None:
    what = []
    if not _same_geometry(a, b, old_im, new_im):
        what.append("geometry")
    if renamed.get(ca, ca) != cb:
        what.append("class")
    if a.review != b.review:
        what.append("review")
    if not _same_other(a, b) or a.id != b.id:
        what.append("other")
    if not what:
        return None
    return ObjectChange(file_name, CHANGED, cb, ca, a.id, b.id, iou, a.review, b.review, what)


def diff_image(
    file_name: str,
    old_image: ImageRecord,
    old_objects: list[tuple[Annotation, str]],
    new_image: ImageRecord,
    new_objects: list[tuple[Annotation, str]],
    iou_threshold: float = 0.5,
    renamed: Mapping[str, str] | None = None,
) -> list[ObjectChange]:
    """Changes on one image (see the module docstring); ``renamed`` maps a renamed class's old name to its
    new one (not a class change). Pure: reads its arguments only."""
    renamed = renamed or {}
    out: list[ObjectChange] = []
    new_by_id = {a.id: (a, c) for a, c in new_objects}
    left_old: list[tuple[Annotation, str]] = []
    paired: set[int] = set()
    same_id: list[tuple[Annotation, str, Annotation, str]] = []
    for a, ca in old_objects:
        hit = new_by_id.get(a.id)
        if hit is None:
            left_old.append((a, ca))
            continue
        paired.add(a.id)
        same_id.append((a, ca, *hit))
    for (a, ca, b, cb), iou in zip(same_id, _same_id_ious(same_id, old_image, new_image), strict=True):
        change = _changed(file_name, a, b, ca, cb, iou, renamed, old_image, new_image)
        if change is not None:
            out.append(change)
    left_new = [(a, c) for a, c in new_objects if a.id not in paired]
    if left_old and left_new:
        m = iou_pairs([a for a, _ in left_old], [b for b, _ in left_new], old_image, new_image)
        matched = matching.match(m, iou_threshold)
        matched_iou = matching.pair_ious(m, matched)
    else:
        matched, matched_iou = [], []
    mi, mj = {i for i, _ in matched}, {j for _, j in matched}
    for (i, j), iou in zip(matched, matched_iou, strict=True):
        (a, ca), (b, cb) = left_old[i], left_new[j]
        change = _changed(file_name, a, b, ca, cb, iou, renamed, old_image, new_image)
        if change is not None:
            out.append(change)
    for i, (a, ca) in enumerate(left_old):
        if i not in mi:
            out.append(ObjectChange(file_name, REMOVED, ca, ca, a.id, None, None, a.review, None))
    for j, (b, cb) in enumerate(left_new):
        if j not in mj:
            out.append(ObjectChange(file_name, ADDED, cb, None, None, b.id, None, None, b.review))
    return out


@dataclass
class ProjectDiff:
    images_added: list[str]
    images_removed: list[str]
    images_compared: int
    objects: list[ObjectChange]
    categories: dict[str, list[Any]]
    unchanged: int
    relabelled: set[str] = field(default_factory=set)  # compared images holding objects of a renamed class

    def changed_files(self) -> set[str]:
        """File names (as in the new project) of images with any change, new images included, and of images
        whose objects' class was renamed (their export differs)."""
        gone = set(self.images_removed)
        touched = {c.file_name for c in self.objects if not (c.status == REMOVED and c.file_name in gone)}
        return touched | set(self.images_added) | self.relabelled

    def to_dict(self) -> dict[str, Any]:
        """The ``diff --json`` document (documented in README)."""
        per_class: dict[str, dict[str, int]] = {}
        per_image: dict[str, dict[str, int]] = {}
        for c in self.objects:
            for table, key in ((per_class, c.category), (per_image, c.file_name)):
                row = table.setdefault(key, {ADDED: 0, REMOVED: 0, CHANGED: 0})
                row[c.status] += 1
        totals = {s: sum(c.status == s for c in self.objects) for s in (ADDED, REMOVED, CHANGED)}
        return {
            "images_added": self.images_added,
            "images_removed": self.images_removed,
            "images_compared": self.images_compared,
            "categories": self.categories,
            "totals": {**totals, "unchanged": self.unchanged},
            "per_class": [{"category": k, **v} for k, v in sorted(per_class.items())],
            "per_image": [{"file_name": k, **v} for k, v in per_image.items()],
            "objects": [c.to_dict() for c in self.objects],
        }


def _category_changes(old: Project, new: Project) -> dict[str, list[Any]]:
    old_names = {c.name for c in old.categories.values()}
    new_names = {c.name for c in new.categories.values()}
    renamed = [
        {"id": cid, "old": c.name, "new": new.categories[cid].name}
        for cid, c in old.categories.items()
        if cid in new.categories and new.categories[cid].name != c.name
    ]
    moved = _renames(old, new)  # a rename is one change, not a class removed and another added
    return {
        "added": sorted(new_names - old_names - set(moved.values())),
        "removed": sorted(old_names - new_names - set(moved)),
        "renamed": renamed,
    }


def _renames(old: Project, new: Project) -> dict[str, str]:
    """Old name -> new name of the classes renamed: the same id, a name the old project lacks, and the old
    name gone from the new one (a swap of two names stays a class change of their objects)."""
    old_names = {c.name for c in old.categories.values()}
    new_names = {c.name for c in new.categories.values()}
    return {
        c.name: new.categories[cid].name
        for cid, c in old.categories.items()
        if cid in new.categories and new.categories[cid].name not in old_names and c.name not in new_names
    }


def diff_projects(
    old: Project,
    new: Project,
    iou_threshold: float = 0.5,
    *,
    progress: Callable[[Iterable[Any], int], Iterable[Any]] | None = None,
) -> ProjectDiff:
    """Compare two versions of a project (see the module docstring)."""
    old_cats = {c.id: c.name for c in old.categories.values()}
    new_cats = {c.id: c.name for c in new.categories.values()}
    old_by_key = {image_key(old, im): im for im in old.images.values()}
    pairs = []
    added = []
    seen = set()
    for im in new.images.values():
        key = image_key(new, im)
        o = old_by_key.get(key)
        if o is None:
            added.append(im)
        else:
            pairs.append((o, im))
            seen.add(key)
    gone = [im for k, im in old_by_key.items() if k not in seen]
    renamed = _renames(old, new)
    objects: list[ObjectChange] = []
    relabelled: set[str] = set()
    total_old = 0
    it: Iterable[Any] = pairs if progress is None else progress(pairs, len(pairs))
    for o, n in it:
        olds = [(a, old_cats[a.category_id]) for a in old.annotations_of(o.id)]
        news = [(a, new_cats[a.category_id]) for a in new.annotations_of(n.id)]
        total_old += len(olds)
        objects += diff_image(n.file_name, o, olds, n, news, iou_threshold, renamed)
        if renamed and any(c in renamed.values() for _, c in news):
            relabelled.add(n.file_name)
    for im in added:
        objects += [
            ObjectChange(im.file_name, ADDED, new_cats[b.category_id], None, None, b.id, None, None, b.review)
            for b in new.annotations_of(im.id)
        ]
    for im in gone:
        for a in old.annotations_of(im.id):
            total_old += 1
            c = old_cats[a.category_id]
            objects.append(ObjectChange(im.file_name, REMOVED, c, c, a.id, None, None, a.review, None))
    touched_old = sum(c.status in (REMOVED, CHANGED) for c in objects)
    return ProjectDiff(
        [im.file_name for im in added],
        [im.file_name for im in gone],
        len(pairs),
        objects,
        _category_changes(old, new),
        total_old - touched_old,
        relabelled,
    )
