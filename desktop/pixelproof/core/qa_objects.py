"""What QA, agreement, consensus and lint compare: images paired across two projects and their objects
decoded straight into crops (``Placed``) from RLE or polygons, never as whole images per object."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

import numpy as np
from pycocotools import mask as mask_utils

from pixelproof.core import limits, matching, metrics, rle_codec
from pixelproof.core.mask_edit import rle_counts
from pixelproof.core.metrics import Placed
from pixelproof.core.model import Annotation, ImageRecord, Project
from pixelproof.core.volumes import parse_slice_ref, volume_stem

if TYPE_CHECKING:
    from scipy.sparse import sparray


@dataclass(slots=True)
class ImagePair:
    """A reference image and the candidate image with the same file name."""

    file_name: str
    ref: ImageRecord
    cand: ImageRecord

    @property
    def shape(self) -> tuple[int, int]:
        return (self.cand.height, self.cand.width)


# ------------------------------------------------------------------------------------------------
# decoding straight into crops


def rle_placed(rle: dict[str, Any], where: str = "mask") -> Placed:
    """COCO RLE -> tight crop, touching only the columns the object spans (``LimitError`` naming
    ``where`` when those columns are over ``limits.max_pixels()``: a crafted mask spread over a slide)."""
    h, w = (int(v) for v in rle["size"])
    cnts = rle_counts(rle)
    ends = np.cumsum(cnts)
    s1, e1 = ends[:-1][0::2], ends[1::2]  # runs of ones start where a run of zeros ends
    keep = e1 > s1
    s1, e1 = s1[keep], e1[keep]
    if s1.size == 0 or h == 0:
        return Placed.empty()
    c0, c1 = int(s1[0] // h), int((e1[-1] - 1) // h) + 1
    limits.check_image_size(c1 - c0, h, where, "mask box")
    off = c0 * h
    diff = np.zeros((c1 - c0) * h + 1, dtype=np.int32)
    np.add.at(diff, s1 - off, 1)
    np.add.at(diff, np.minimum(e1, h * w) - off, -1)
    block = np.cumsum(diff[:-1]).astype(bool).reshape(c1 - c0, h).T
    tight = metrics.tighten(Placed(block, 0, c0))
    # its own pixels: a view would keep the object's columns x the image's height alive (10,000 nuclei
    # on a tile held 120 MB a project that way)
    return Placed(tight.mask.copy(), tight.y0, tight.x0)


def annotation_placed(ann: Annotation, height: int, width: int) -> Placed:
    """Pixels of an annotation as a crop: RLE decoded, polygons rasterized (pycocotools), boxes filled."""
    seg = ann.segmentation
    if isinstance(seg, dict):
        if isinstance(seg.get("counts"), list):
            seg = rle_codec.compressed(seg)
        return rle_placed(seg, f"annotation {ann.id}")
    if ann.kind == "box":
        x, y, w, h = ann.bbox
        polys = [[x, y, x + w, y, x + w, y + h, x, y + h]]
    else:
        polys = [list(map(float, p)) for p in seg or [] if len(p) >= 6]
    if not polys:
        return Placed.empty()
    rle = mask_utils.merge(mask_utils.frPyObjects(polys, height, width))
    return rle_placed(rle, f"annotation {ann.id}")


# ------------------------------------------------------------------------------------------------
# pairing


def _stem(name: str) -> str:
    """The bare file stem; for a slice, the volume's stem (``.nii.gz`` is one suffix) + its fragment."""
    ref = parse_slice_ref(name)
    if ref is not None:
        return volume_stem(ref.source) + name[len(ref.source) :]
    return PurePath(name.replace("\\", "/")).stem


_CHANNEL_SUFFIX = re.compile(r"_\d{4}(?=#|$)")


def _channel_free(stem: str) -> str:
    """nnU-Net names a case's image volumes ``case_0000.nii.gz`` and its labels ``case.nii.gz``."""
    return _CHANNEL_SUFFIX.sub("", stem, count=1)


def pair_images(reference: Project, candidate: Project) -> tuple[list[ImagePair], list[str], list[str]]:
    """Pair images by ``file_name``, then by the file stem when unique on both sides.

    Returns the pairs and the reference / candidate file names left unmatched (never silently dropped).
    """
    cand_by_name = {img.file_name: img for img in candidate.images.values()}
    pairs: list[ImagePair] = []
    ref_left: list[ImageRecord] = []
    used: set[int] = set()
    for img in reference.images.values():
        c = cand_by_name.get(img.file_name)
        if c is not None and c.id not in used:
            pairs.append(ImagePair(c.file_name, img, c))
            used.add(c.id)
        else:
            ref_left.append(img)
    cand_left = [c for c in candidate.images.values() if c.id not in used]
    cand_by_stem: dict[str, list[ImageRecord]] = {}
    for c in cand_left:
        cand_by_stem.setdefault(_stem(c.file_name), []).append(c)
    ref_stems: dict[str, int] = {}
    for r in ref_left:
        ref_stems[_stem(r.file_name)] = ref_stems.get(_stem(r.file_name), 0) + 1
    unmatched_ref = []
    for r in ref_left:
        stem = _stem(r.file_name)
        cands = cand_by_stem.get(stem, [])
        if len(cands) == 1 and ref_stems[stem] == 1:
            pairs.append(ImagePair(cands[0].file_name, r, cands[0]))
            used.add(cands[0].id)
        else:
            unmatched_ref.append(r)
    # nnU-Net: imagesTr/case_0000.nii.gz#z=012 pairs with labelsTr/case.nii.gz#z=012
    left = [c for c in cand_left if c.id not in used]
    by_free: dict[str, list[ImageRecord]] = {}
    for c in left:
        by_free.setdefault(_channel_free(_stem(c.file_name)), []).append(c)
    still: list[str] = []
    for r in unmatched_ref:
        stem = _stem(r.file_name)
        cands = by_free.get(stem, []) if parse_slice_ref(r.file_name) is not None else []
        if len(cands) == 1 and cands[0].id not in used:
            pairs.append(ImagePair(cands[0].file_name, r, cands[0]))
            used.add(cands[0].id)
        else:
            still.append(r.file_name)
    unmatched_cand = [c.file_name for c in candidate.images.values() if c.id not in used]
    return pairs, still, unmatched_cand


def image_spacing(image: ImageRecord) -> tuple[float, float] | None:
    """Pixel spacing (row, column) in mm from the image's ``pixel_spacing`` key, if it has one."""
    sp = image.extra.get("pixel_spacing")
    if sp is None:
        return None
    if isinstance(sp, int | float):
        return (float(sp), float(sp))
    if isinstance(sp, list | tuple) and len(sp) == 2 and all(isinstance(v, int | float) for v in sp):
        return (float(sp[0]), float(sp[1]))
    return None


# ------------------------------------------------------------------------------------------------
# scoring


@dataclass(slots=True)
class ImageObject:
    """An annotation decoded for scoring: its category name and pixels as a crop (boxes filled)."""

    ann: Annotation
    category: str
    placed: Placed
    is_box: bool


def image_objects(
    project: Project, image: ImageRecord, shape: tuple[int, int], void: np.ndarray | None = None
) -> list[ImageObject]:
    """The scored objects of one image, decoded once, void pixels removed; void regions themselves are
    not objects, and neither is an object that lies wholly in void (QA, agreement and consensus share
    this)."""
    out = []
    for ann in project.annotations_of(image.id):
        cat = project.categories.get(ann.category_id)
        if cat is not None and cat.void:
            continue
        name = cat.name if cat is not None else f"category {ann.category_id}"
        drawn = annotation_placed(ann, *shape)
        placed = metrics.subtract(drawn, void)
        if placed.is_empty and not drawn.is_empty:
            continue  # wholly inside void (e.g. a detection in a KITTI DontCare box): not scored
        out.append(ImageObject(ann, name, placed, ann.kind == "box"))
    return out


def pair_iou(a: ImageObject, b: ImageObject) -> float:
    """Mask IoU, or box IoU when either object is a box (DESIGN.md §6)."""
    if a.is_box or b.is_box:
        return metrics.box_iou(a.ann.bbox, b.ann.bbox)
    if a.placed.mask.size == 0 or b.placed.mask.size == 0:
        return 0.0
    if a.placed.x1 <= b.placed.x0 or b.placed.x1 <= a.placed.x0:
        return 0.0
    if a.placed.y1 <= b.placed.y0 or b.placed.y1 <= a.placed.y0:
        return 0.0
    v = metrics.placed_iou(a.placed, b.placed)
    return 0.0 if math.isnan(v) else v


def iou_pairs(refs: list[ImageObject], cands: list[ImageObject]) -> sparray:
    """``pair_iou`` of the reference x candidate pairs with IoU > 0 as a sparse table
    (``matching.pair_table``, what ``matching.match`` reads): measured only for pairs whose extents
    overlap, and never laid out densely, so an image of 10,000 objects is neither 10**8 measurements
    (minutes per image) nor an 800 MB table."""
    rows: list[int] = []
    cols: list[int] = []
    ious: list[float] = []
    if refs and cands:
        for i, near in matching.overlapping(_extents(refs), _extents(cands)):
            for j in near.tolist():
                v = pair_iou(refs[i], cands[j])
                if v > 0:
                    rows.append(i)
                    cols.append(j)
                    ious.append(v)
    return matching.pair_table(rows, cols, ious, (len(refs), len(cands)))


def _extents(objects: list[ImageObject]) -> np.ndarray:
    """Each object's extent around its stored box and its pixels (``matching.extents``)."""
    pixels = [
        (o.placed.x0, o.placed.y0, o.placed.x1, o.placed.y1) if o.placed.mask.size else None for o in objects
    ]
    return matching.extents((o.ann.bbox for o in objects), pixels)
