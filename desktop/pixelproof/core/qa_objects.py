"""What QA, agreement, consensus and lint compare: images paired across two projects and their objects
decoded straight into crops (``Placed``) from RLE or polygons, never as whole images per object."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from pycocotools import mask as mask_utils

from pixelproof.core import limits, matching, metrics, metrics_overlap, rle_codec, rle_strings, sparse_mask
from pixelproof.core.image_pairing import ImagePair as ImagePair
from pixelproof.core.image_pairing import pair_images as pair_images
from pixelproof.core.keypoints import Keypoints, keypoints_of
from pixelproof.core.measure import kept_alike
from pixelproof.core.metrics import Placed
from pixelproof.core.model import Annotation, ImageRecord, Project

if TYPE_CHECKING:
    from scipy.sparse import sparray


# ------------------------------------------------------------------------------------------------
# decoding straight into crops


def rle_placed(rle: dict[str, Any], where: str = "mask") -> Placed:
    """COCO RLE -> tight crop (the one-RLE case of ``rles_placed``; raises its ``LimitError``)."""
    return placed_or_raise(rles_placed([rle], [where])[0])


def annotation_placed(ann: Annotation, height: int, width: int) -> Placed:
    """Pixels of an annotation as a crop (the one-annotation case of ``annotations_placed``)."""
    return placed_or_raise(annotations_placed([ann], height, width)[0])


def placed_or_raise(found: Placed | Exception) -> Placed:
    """An ``annotations_placed`` result: the crop, or its exception raised where the caller meets it."""
    if isinstance(found, Exception):
        raise found
    return found


def annotations_placed(anns: Sequence[Annotation], height: int, width: int) -> list[Placed | Exception]:
    """Pixels of each annotation of a height x width image as a crop: RLE decoded, polygons rasterized
    (pycocotools, all in one call, on the full frame: moved polygons would round differently), boxes
    filled; a mask stored cropped is placed at its ``rle_origin`` and cut at the image's edge, as
    ``Annotation.mask`` places it. An annotation that cannot be decoded (a crafted mask box over the
    pixel limit: ``LimitError`` naming ``annotation <id>``) gets its exception in its place, so it stops
    none of the others."""
    out: list[Placed | Exception | None] = [None] * len(anns)
    rles: list[dict[str, Any] | None] = [None] * len(anns)
    polys: list[list[float]] = []
    owners: list[int] = []
    for i, ann in enumerate(anns):
        seg = ann.segmentation
        try:
            if isinstance(seg, dict):
                rles[i] = rle_codec.compressed(seg) if isinstance(seg.get("counts"), list) else seg
                continue
            if ann.kind == "box":
                x, y, w, h = ann.bbox
                mine = [[x, y, x + w, y, x + w, y + h, x, y + h]]
            else:
                mine = [list(map(float, p)) for p in seg or [] if len(p) >= 6]
        except (ValueError, TypeError) as e:
            out[i] = e
            continue
        polys += mine
        owners += [i] * len(mine)
    if polys:
        drawn = mask_utils.frPyObjects(polys, height, width)
        for i, group in _grouped(owners, drawn):
            rles[i] = group[0] if len(group) == 1 else mask_utils.merge(group)  # merge copies a lone RLE
    todo = [i for i, r in enumerate(rles) if r is not None]
    found = rles_placed([rles[i] for i in todo], [f"annotation {anns[i].id}" for i in todo])  # type: ignore[misc]
    for i, placed in zip(todo, found, strict=True):
        origin = sparse_mask.origin_of(anns[i])
        out[i] = (
            placed
            if origin is None or isinstance(placed, Exception)
            else _moved(placed, origin, height, width)
        )
    return [Placed.empty() if o is None else o for o in out]


def _moved(placed: Placed, origin: list[int], height: int, width: int) -> Placed:
    """A crop decoded in its own RLE's frame, moved to its ``rle_origin`` [x, y], cut at the image's edge."""
    moved = Placed(placed.mask, placed.y0 + origin[1], placed.x0 + origin[0])
    if moved.y1 <= height and moved.x1 <= width:
        return moved
    return metrics.tighten(
        Placed(moved.mask[: max(0, height - moved.y0), : max(0, width - moved.x0)], moved.y0, moved.x0)
    )


def _grouped(owners: list[int], items: list[Any]) -> list[tuple[int, list[Any]]]:
    """Consecutive items of one owner together."""
    groups: list[tuple[int, list[Any]]] = []
    for owner, item in zip(owners, items, strict=True):
        if groups and groups[-1][0] == owner:
            groups[-1][1].append(item)
        else:
            groups.append((owner, [item]))
    return groups


FILL_CHUNK = 1 << 24  # crop pixels filled in one pass: the pass holds ~2 bytes a pixel besides the crops


def rles_placed(rles: Sequence[dict[str, Any]], wheres: Sequence[str]) -> list[Placed | Exception]:
    """COCO RLEs -> tight crops (each of its own RLE's size), in a few numpy passes for all of them: one
    image's 10,000 nuclei decoded one by one were ~100 us each, nearly all numpy call overhead on tiny
    arrays. Only the columns an object spans count: ``LimitError`` naming ``wheres[k]`` in the object's
    place when those columns x the height are over ``limits.max_pixels()`` (a crafted mask spread over a
    slide). Runs past the RLE's end are cut at it; each crop owns its pixels (a view would keep the
    pass's buffer alive)."""
    n = len(rles)
    out: list[Placed | Exception | None] = [None] * n
    sizes = np.array([[int(v) for v in r["size"]] for r in rles], dtype=np.int64).reshape(n, 2)
    height, width = sizes[:, 0], sizes[:, 1]
    values, offsets, broken = rle_strings.counts_batch(rles)
    for k in np.flatnonzero(broken).tolist():
        out[k] = ValueError(f"{wheres[k]}: not a pycocotools compressed RLE (stops inside a number)")
    n_values = offsets[1:] - offsets[:-1]
    owner = np.repeat(np.arange(n), n_values)
    if values.size and int(values.min()) < 0:  # refused on loading: they break the runs' order
        for k in np.unique(owner[values < 0]).tolist():
            out[k] = ValueError(f"{wheres[k]}: negative RLE run lengths")
    ends = np.cumsum(values)  # int64 wraps alike here and in each RLE's own cumsum
    ends -= np.concatenate(([0], ends))[offsets[:-1]][owner]
    m = np.arange(values.size) - offsets[:-1][owner]
    pair = np.flatnonzero((m % 2 == 0) & (m + 1 < n_values[owner]))  # a run of ones: zeros end, ones end
    s, e, own = ends[pair], ends[pair + 1], owner[pair]
    good = np.array([o is None for o in out], dtype=bool)
    keep = (e > s) & (height[own] > 0) & good[own]
    s, e, own = s[keep], e[keep], own[keep]
    if s.size:
        s, e, own = _checked_runs(s, e, own, height, width, wheres, out)
    if s.size:
        _fill(s, e, own, height, out)
    return [Placed.empty() if o is None else o for o in out]


def _checked_runs(
    s: np.ndarray,
    e: np.ndarray,
    own: np.ndarray,
    height: np.ndarray,
    width: np.ndarray,
    wheres: Sequence[str],
    out: list[Placed | Exception | None],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The runs of the objects whose columns are within the pixel limit (the others get its
    ``LimitError``), cut at their RLE's end: a run that starts past it is dropped, and the pixels from
    the end (or the object's first column) to the start of its last run are set, as the running sum of
    +1 at each start and -1 at each cut end always made them."""
    first = _group_starts(own)
    last = np.append(first[1:], own.size) - 1
    who = own[first]
    h = height[who]
    c0, c1 = s[first] // h, (e[last] - 1) // h + 1
    cols = c1 - c0
    limit = limits.max_pixels()
    over = (cols < 1) | (cols > limits.MAX_SIDE) | (h > limits.MAX_SIDE) | (cols * h > limit)
    refused = np.zeros(height.size, dtype=bool)
    for j in np.flatnonzero(over).tolist():
        k = int(who[j])
        try:
            limits.check_image_size(int(cols[j]), int(h[j]), wheres[k], "mask box")
        except limits.LimitError as err:
            out[k] = err
            refused[k] = True
    hw = (height * width)[own]
    past = s >= hw
    if refused.any() or past.any():
        kept = ~refused[own] & ~past
        tail = np.flatnonzero(past[last] & ~refused[who])  # objects with runs past their end
        tail_start = np.maximum(hw[last[tail]], c0[tail] * h[tail])
        tail_end = s[last[tail]]
        some = tail_end > tail_start
        s = np.concatenate((s[kept], tail_start[some]))
        e = np.concatenate((np.minimum(e[kept], hw[kept]), tail_end[some]))
        own = np.concatenate((own[kept], who[tail[some]]))
        order = np.argsort(own, kind="stable")  # a tail after its object's runs: it starts past them
        return s[order], e[order], own[order]
    return s, np.minimum(e, hw), own


def _group_starts(a: np.ndarray) -> np.ndarray:
    """Where each run of equal values of a non-empty ``a`` starts (``np.r_`` costs ~10 us a call)."""
    new = np.empty(a.size, dtype=bool)
    new[0] = True
    np.not_equal(a[1:], a[:-1], out=new[1:])
    return np.flatnonzero(new)


def _fill(s: np.ndarray, e: np.ndarray, own: np.ndarray, height: np.ndarray, out: list[Any]) -> None:
    """Each object's tight crop from its runs (sorted, disjoint, non-empty): the runs split at column
    ends give each column's rows; one +1 at each piece's first pixel and -1 past its last in all crops
    laid out column-major in one buffer, then one cumsum."""
    h = height[own]
    cs, ce = s // h, (e - 1) // h
    pieces = ce - cs + 1
    if int(pieces.max()) == 1:
        col, r0, r1, who = cs, s - cs * h, e - cs * h, own
    else:
        run = np.repeat(np.arange(s.size), pieces)
        j = np.arange(run.size) - np.repeat(np.cumsum(pieces) - pieces, pieces)
        col, hh = cs[run] + j, h[run]
        r0 = np.where(j == 0, s[run] - col * hh, 0)
        r1 = np.where(j == pieces[run] - 1, e[run] - col * hh, hh)
        who = own[run]
    first = _group_starts(who)
    stop = np.append(first[1:], who.size)
    objects = who[first]
    x0, x1 = col[first], col[stop - 1] + 1
    y0, y1 = np.minimum.reduceat(r0, first), np.maximum.reduceat(r1, first)
    rows, area = y1 - y0, (y1 - y0) * (x1 - x0)
    index = np.repeat(np.arange(objects.size), stop - first)
    local = (col - x0[index]) * rows[index] - y0[index]
    before = np.cumsum(area) - area
    chunk = before // FILL_CHUNK  # a few big crops at a time, not one buffer of all
    bounds = np.append(_group_starts(chunk), chunk.size)
    for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        base = before - before[a]
        p0, p1 = int(first[a]), int(first[b]) if b < first.size else who.size
        at = base[index[p0:p1]] + local[p0:p1]
        diff = np.zeros(int(base[b - 1] + area[b - 1]) + 1, dtype=np.int8)
        diff[at + r0[p0:p1]] = 1  # pieces of one crop never overlap: every index once
        diff[at + r1[p0:p1]] -= 1
        flat = np.cumsum(diff[:-1], dtype=np.int8).view(bool)
        for q, k in enumerate(objects[a:b].tolist(), start=a):
            crop = flat[int(base[q]) : int(base[q] + area[q])].reshape(int(x1[q] - x0[q]), int(rows[q]))
            out[k] = Placed(crop.T.copy(), int(y0[q]), int(x0[q]))


# ------------------------------------------------------------------------------------------------
# spacing


def image_spacing(image: ImageRecord) -> tuple[float, float] | None:
    """Pixel spacing (row, column) in mm from the image's ``pixel_spacing`` key, if it has one of positive
    finite lengths (a zero spacing made every distance 0 mm: no spacing, distances in px)."""
    return spacing_value(image.extra.get("pixel_spacing"))


def spacing_value(sp: Any) -> tuple[float, float] | None:
    """A ``pixel_spacing`` value as ``image_spacing`` reads it (one number for both axes), else None."""
    if isinstance(sp, int | float):
        sp = [sp, sp]
    if not (isinstance(sp, list | tuple) and len(sp) == 2 and all(isinstance(v, int | float) for v in sp)):
        return None
    rows, cols = float(sp[0]), float(sp[1])
    return (rows, cols) if 0 < rows < math.inf and 0 < cols < math.inf else None


def pair_spacing(pair: ImagePair) -> tuple[float, float] | None:
    """The pixel spacing a pair's distances are in: the reference's, else the candidate's. The reference
    is the ground truth QA scores against, its spacing too: when both have one and they disagree (one
    NIfTI header says 0.5 mm, the other 0.8 mm) its own is taken, and ``unit_warning`` says so."""
    return image_spacing(pair.ref) or image_spacing(pair.cand)


def finest_pixel_mm(pairs: Iterable[ImagePair]) -> float | None:
    """The smallest pixel size (mm) of the pairs scored in mm, None when none has a spacing: what picks
    µm (a slide's) or mm (a CT's) for their distances and their means (``measure.length_text``)."""
    sizes = [min(sp) for p in pairs if (sp := pair_spacing(p)) is not None]
    return min(sizes) if sizes else None


def mm_text(value: Any) -> str:
    """A length or lengths as the warnings write them: '2.5 mm', '[0.8, 0.8] mm'; text passes as it is."""
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        return "[" + ", ".join(f"{v:g}" for v in value) + "] mm"
    return f"{value:g} mm"


def unit_warning(pairs: list[ImagePair], named: int = 3) -> list[str]:
    """A line when some images have a pixel spacing and some not: their distances are in mm and px, and
    the reports average them apart (``by_unit``), so a reader knows which images are left out of the mm
    means. A line per two spacings the reference and candidate give one image (``pair_spacing``), naming
    the images: distances in the wrong one would be off by their ratio, unseen. Nothing when all agree."""
    lines = []
    no_spacing = [p.file_name for p in pairs if pair_spacing(p) is None]
    n, total = len(no_spacing), len(pairs)
    if no_spacing and n < total:
        names = ", ".join(no_spacing[:named]) + (f" and {n - named} more" if n > named else "")
        lines.append(
            f"{n} of {total} images have no pixel_spacing: their distances (HD, HD95, ASSD, MASD, NSD) are "
            f"in px, the others' in mm, and are averaged apart (by_unit): {names}"
        )
    return lines + spacing_warning(pairs, named, volumes=True) + one_sided_warning(pairs, named)


def one_sided_warning(
    pairs: list[ImagePair],
    named: int = 3,
    sides: tuple[str, str] = ("reference", "candidate"),
    taken: str = "distances use the candidate's",
) -> list[str]:
    """A line per key (pixel_spacing; a volume's slice_position, slice_offset) only the candidate gives
    some images or volumes, naming them: QA takes the reference's, else the candidate's (``pair_spacing``,
    ``qa_volumes.slice_geometry``), so their distances are in a geometry the ground truth never said (an
    old reference may predate slice_offset). ``sides`` and ``taken`` as ``spacing_warning``'s (the
    honeypot scorecards name the annotator)."""
    from pixelproof.core.qa_volumes import SLICE_KEYS, slice_geometry_one_sided

    lines = []
    images = [
        p.file_name for p in pairs if image_spacing(p.ref) is None and image_spacing(p.cand) is not None
    ]
    if images:
        lines.append(spacing_line(None, None, images, sides, taken, named))
    volumes: dict[str, list[str]] = {}
    for key, volume in slice_geometry_one_sided(pairs):
        volumes.setdefault(key, []).append(volume)
    lines += [
        spacing_line(None, None, v, sides, taken, named, SLICE_KEYS[k], "volume") for k, v in volumes.items()
    ]
    return lines


def spacing_warning(
    pairs: Iterable[ImagePair],
    named: int = 3,
    sides: tuple[str, str] = ("reference", "candidate"),
    taken: str = "distances use the reference's",
    volumes: bool = False,
) -> list[str]:
    """A line per two spacings the two sides of the pairs (``sides``: what to call ``ref`` and ``cand``,
    two raters' names in ``agreement``) give one image, naming the images and ending with ``taken``
    (which one the figures use); float32 rounding is no disagreement. One wording for qa and agreement.
    With ``volumes`` (qa, which scores the slices of a volume in 3D), also a line per two spacings along z
    (``slice_position``) or two shifts per slice (``slice_offset``) the sides give a volume's slices."""
    pairs = list(pairs)
    differ: dict[tuple[tuple[float, float], tuple[float, float]], list[str]] = {}
    for p in pairs:
        r, c = image_spacing(p.ref), image_spacing(p.cand)
        if r is not None and c is not None and not same_spacing(r, c):
            differ.setdefault((r, c), []).append(p.file_name)
    lines = [spacing_line(r, c, files, sides, taken, named) for (r, c), files in differ.items()]
    if volumes:
        from pixelproof.core.qa_volumes import SLICE_KEYS, slice_geometry_differs

        by_values: dict[tuple[str, str, str], list[str]] = {}
        for key, r_text, c_text, volume in slice_geometry_differs(pairs):
            by_values.setdefault((key, r_text, c_text), []).append(volume)
        lines += [
            spacing_line(r_text, c_text, vols, sides, taken, named, SLICE_KEYS[key], "volume")
            for (key, r_text, c_text), vols in by_values.items()
        ]
    return lines


def spacing_line(
    first: Any,
    second: Any,
    files: list[str],
    sides: tuple[str, str],
    taken: str,
    named: int = 3,
    key: str = "pixel_spacing",
    noun: str = "image",
) -> str:
    """``spacing_warning``'s line for the images (``noun``: or volumes) ``files`` two sides give these two
    values of ``key`` (lengths, or their text: ``mm_text``); merge says it too, of a shard against the
    base. With ``first`` None, that only the second side gives one."""
    k = len(files)
    names = ", ".join(files[:named]) + (f" and {k - named} more" if k > named else "")
    if first is None:  # only the second side gives one (``one_sided_warning``)
        return f"{key} only in the {sides[1]} on {k} {noun}{'' if k == 1 else 's'} ({names}); {taken}"
    return (
        f"{key} differs: {sides[0]} {mm_text(first)}, {sides[1]} {mm_text(second)} on "
        f"{k} {noun}{'' if k == 1 else 's'} ({names}); {taken}"
    )


def same_spacing(a: tuple[float, float], b: tuple[float, float]) -> bool:
    """Two spacings equal but for float32 rounding (a NIfTI header beside a DICOM decimal string) or the
    6 decimals records kept before (``measure.kept_alike``: a project saved then beside one made now)."""
    return all(math.isclose(x, y, rel_tol=1e-5) or kept_alike(x, y) for x, y in zip(a, b, strict=True))


# ------------------------------------------------------------------------------------------------
# scoring


#: objects one side may have on an image (a frame) for QA to match them: a tracker's or detector's output
#: not cut by a score can hold a million on a frame, whose matching took minutes and then ran out of memory;
#: a real frame holds hundreds (MOT20's crowds about 250)
MAX_IMAGE_OBJECTS = 10_000


def too_many_objects(reference: int, candidate: int) -> str | None:
    """Why an image's objects are not matched (None when both sides are within ``MAX_IMAGE_OBJECTS``)."""
    for side, n in (("reference", reference), ("candidate", candidate)):
        if n > MAX_IMAGE_OBJECTS:
            return (
                f"the {side} has {n:,} objects on this image, more than the {MAX_IMAGE_OBJECTS:,} an image "
                "is matched with (an output not cut by a score? see --score-threshold)"
            )
    return None


@dataclass(slots=True)
class ImageObject:
    """An annotation decoded for scoring: its category name and pixels as a crop (boxes filled), and its
    keypoints when it has any (``keypoints.keypoints_of``: OKS, keypoint AP)."""

    ann: Annotation
    category: str
    placed: Placed
    is_box: bool
    keypoints: Keypoints | None = None


def image_objects(
    project: Project,
    image: ImageRecord,
    shape: tuple[int, int],
    void: np.ndarray | None = None,
    void_regions: bool = False,
) -> list[ImageObject]:
    """The scored objects of one image, decoded once, void pixels removed; void regions themselves are
    not objects, and neither is an object that lies wholly in void (QA, agreement and consensus share
    this). ``void_regions``: the image's void regions instead (consensus keeps those most annotators drew)."""
    out = []
    anns = scored_annotations(project, image, void_regions)
    for ann, found in zip(anns, annotations_placed(anns, *shape), strict=True):
        name = category_name(project, ann)
        drawn = placed_or_raise(found)  # the first object that cannot be decoded stops the image, as before
        placed = metrics.subtract(drawn, void)
        if placed.is_empty and not drawn.is_empty:
            continue  # wholly inside void (e.g. a detection in a KITTI DontCare box): not scored
        points = keypoints_of(ann, image, project.categories.get(ann.category_id))
        out.append(ImageObject(ann, name, placed, ann.kind == "box", points))
    return out


def scored_annotations(project: Project, image: ImageRecord, void_regions: bool = False) -> list[Annotation]:
    """The annotations ``image_objects`` decodes: those of ordinary classes (void regions with
    ``void_regions``)."""
    out = []
    for ann in project.annotations_of(image.id):
        cat = project.categories.get(ann.category_id)
        if (cat is not None and cat.void) == void_regions:
            out.append(ann)
    return out


def category_name(project: Project, ann: Annotation) -> str:
    """An object's class name as scoring names it (a category missing from the file by its id)."""
    cat = project.categories.get(ann.category_id)
    return cat.name if cat is not None else f"category {ann.category_id}"


def pair_iou(a: ImageObject, b: ImageObject) -> float:
    """Mask IoU, or box IoU when either object is a box (DESIGN.md §6)."""
    if a.is_box or b.is_box:
        return metrics_overlap.box_iou(a.ann.bbox, b.ann.bbox)
    if a.placed.mask.size == 0 or b.placed.mask.size == 0:
        return 0.0
    if a.placed.x1 <= b.placed.x0 or b.placed.x1 <= a.placed.x0:
        return 0.0
    if a.placed.y1 <= b.placed.y0 or b.placed.y1 <= a.placed.y0:
        return 0.0
    v = metrics_overlap.placed_iou(a.placed, b.placed)
    return 0.0 if math.isnan(v) else v


def crowd_cover(cand: ImageObject, region: ImageObject) -> float:
    """How much of ``cand`` lies in the crowd ``region``: intersection / the candidate's own area (COCO's
    IoU with a crowd object); boxes when either is a box, as ``pair_iou``."""
    if cand.is_box or region.is_box:
        return metrics_overlap.box_cover(cand.ann.bbox, region.ann.bbox)
    return metrics_overlap.placed_cover(cand.placed, region.placed)


def crowd_covers(cands: list[ImageObject], regions: list[ImageObject]) -> list[tuple[float, int]]:
    """Each candidate's largest ``crowd_cover`` by any of ``regions`` and that region's index (-1 when
    none overlaps), measured only where extents overlap (``matching.overlapping``)."""
    best = [(0.0, -1)] * len(cands)
    if cands and regions:
        for j, near in matching.overlapping(_extents(cands), _extents(regions)):
            for k in near.tolist():
                v = crowd_cover(cands[j], regions[k])
                if v > best[j][0]:
                    best[j] = (v, k)
    return best


def iou_pairs(refs: list[ImageObject], cands: list[ImageObject]) -> sparray:
    """``pair_iou`` of the reference x candidate pairs with IoU > 0 as a sparse table
    (``matching.pair_table``, what ``matching.match`` reads): measured only for pairs whose extents
    overlap, and never laid out densely, so an image of 10,000 objects is neither 10**8 measurements
    (minutes per image) nor an 800 MB table. Box pairs are measured ``metrics_overlap.box_ious`` at a
    time, the same values (a stack of 3,000 equal boxes, 9,000,000 pairs, took 90 s one Python call
    each)."""
    rows = cols = np.zeros(0, dtype=np.int64)
    if refs and cands:
        rows, cols = matching.overlapping_pairs(_extents(refs), _extents(cands))
    ious = np.zeros(rows.size)
    boxed = np.zeros(rows.size, dtype=bool)
    if rows.size:
        boxed = np.array([o.is_box for o in refs])[rows] | np.array([o.is_box for o in cands])[cols]
    if np.count_nonzero(boxed) >= VECTOR_PAIRS:
        ref_boxes, cand_boxes = box_array(refs), box_array(cands)
        at = np.flatnonzero(boxed)
        for k in range(0, at.size, VECTOR_BATCH):  # a batch at a time: 9,000,000 pairs are no 1 GB
            part = at[k : k + VECTOR_BATCH]
            ious[part] = metrics_overlap.box_ious(ref_boxes[rows[part]], cand_boxes[cols[part]])
    else:
        boxed[:] = False  # few: measured one by one below
    for k in np.flatnonzero(~boxed).tolist():
        ious[k] = pair_iou(refs[rows[k]], cands[cols[k]])
    return matching.pair_table(rows, cols, ious, (len(refs), len(cands)))


#: box pairs measured with ``metrics_overlap.box_ious`` from this many on (fewer: numpy's call overhead on a
#: handful of pairs costs more than the Python calls, as in COCO AP's matching)
VECTOR_PAIRS = 64
VECTOR_BATCH = 1 << 20


def box_array(objects: Sequence[ImageObject]) -> np.ndarray:
    """The stored [x, y, w, h] boxes as a float [n, 4] array, each value ``float``-ed as ``box_iou`` does."""
    return np.array([[float(v) for v in o.ann.bbox] for o in objects], dtype=np.float64).reshape(-1, 4)


def _extents(objects: list[ImageObject]) -> np.ndarray:
    """Each object's extent around its stored box and its pixels (``matching.extents``)."""
    pixels = [
        (o.placed.x0, o.placed.y0, o.placed.x1, o.placed.y1) if o.placed.mask.size else None for o in objects
    ]
    return matching.extents((o.ann.bbox for o in objects), pixels)


def coco_area(o: ImageObject) -> float:
    """An object's area as COCOeval reads it: the stored ``area``, else its pixels (a box: w x h); the
    area ranges of AP and the scale of OKS."""
    if o.ann.area > 0:
        return float(o.ann.area)
    return float(o.ann.bbox[2] * o.ann.bbox[3]) if o.is_box else float(o.placed.area)


def object_bbox(o: ImageObject) -> list[float]:
    """An object's box [x, y, w, h]: a box's own, else its pixels'."""
    if o.is_box or o.placed.mask.size == 0:
        return [float(v) for v in o.ann.bbox]
    return o.placed.bbox_xywh()
