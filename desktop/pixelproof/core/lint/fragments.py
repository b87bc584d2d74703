"""``fragmented_mask``: islands far from a shape's main body, and speckle (tiny islands, tiny holes);
the fix drops the specks and splits large far islands off as objects of their own."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from pixelproof.core.lint import fixes, shapes
from pixelproof.core.lint.facts import CheckedObject, Emit
from pixelproof.core.lint.problems import excess_score
from pixelproof.core.metrics import Placed
from pixelproof.core.model import Annotation, ImageRecord
from pixelproof.core.qa_objects import annotations_placed, placed_or_raise
from pixelproof.core.wording import plural


def one_mask_per_image(image: ImageRecord) -> bool:
    """Whether ``image`` was read from a dataset that stores one mask per image and class, every defect of
    the class in it: MVTec AD (the ``mvtec`` extras its reader writes). Two scratches on one plate are then
    one object in two blobs, as the dataset has them, not an object with an island to split off."""
    app = image.extra.get("pixelproof")
    return isinstance(app, dict) and isinstance(app.get("mvtec"), dict)


def fragments(o: CheckedObject, image: ImageRecord, emit: Emit, others: Sequence[CheckedObject] = ()) -> None:
    """Islands far from the main body, and speckle (tiny islands, tiny holes). An island joined to the
    body through ``others`` of another class (the objects on the image: those in front of it) is a part
    seen past them, as COCO and LabelMe draw an occluded object, not an island; on an image with one mask
    per class (``one_mask_per_image``) a far island is another defect of that mask, neither an island nor
    a speck (specks beside the main body and pinholes are still said)."""
    if o.area() == 0:
        return
    speckle = o.rules.threshold("speckle_px") or 0.0
    if o.kind == "polygon":
        found = _polygon_pieces(o, image)
        if found is None:
            return
        pieces, areas, gaps, main = found
        holes: list[int] = []
    else:
        if o.outline().single:
            return
        mp = shapes.mask_pieces(o.pixels().mask)
        if len(mp.areas) < 2 and not any(a < speckle for a in mp.hole_areas):
            return
        areas, gaps, main, holes = mp.areas, mp.gaps, mp.main - 1, mp.hole_areas
        pieces = mp
    main_area = areas[main]
    far_limit = max(2.0, (o.rules.threshold("island_gap") or 0.0) * math.sqrt(main_area))
    far = [i for i in range(len(areas)) if i != main and gaps[i] > far_limit]
    if far:
        far = _not_occluded(o, pieces, main, far, others, far_limit)
    apart = set(far) if one_mask_per_image(image) else set()  # other defects of the image's one mask
    far = [i for i in far if i not in apart]
    specks = [
        i for i in range(len(areas)) if i != main and i not in far and i not in apart and areas[i] < speckle
    ]
    small_holes = [a for a in holes if a < speckle]
    if not far and not specks and not small_holes:
        return
    separate = [i for i in far if areas[i] >= max(speckle, 0.1 * main_area)]
    dropped = set(specks) | (set(far) - set(separate))
    score = 0.5 + 0.5 * min(1.0, (len(specks) + len(small_holes)) / 10)
    if far:
        score = max(score, excess_score(max(gaps[i] for i in far), far_limit, above=True))
    said = []
    if far:
        said.append(
            f"{plural(len(far), 'island')} up to {max(gaps[i] for i in far):.0f} px from the main body"
        )
    if specks:
        said.append(f"{plural(len(specks), 'speck')} < {speckle:g} px")
    if small_holes:
        said.append(f"{plural(len(small_holes), 'pinhole')} < {speckle:g} px")
    fix = _fragment_fix(o, image, pieces, main, dropped, separate, speckle)
    emit(
        "fragmented_mask",
        score,
        o,
        f"{o.name} {o.kind} is fragmented: {'; '.join(said)}"
        + (f" (fix: split off {plural(len(separate), 'island')} as new objects)" if separate else ""),
        fix,
        figures={"islands_far": len(far), "specks": len(specks), "pinholes": len(small_holes)},
    )


def _not_occluded(
    o: CheckedObject,
    pieces: list[Placed] | shapes.Pieces,
    main: int,
    far: list[int],
    others: Sequence[CheckedObject],
    limit: float,
) -> list[int]:
    """The far islands not joined to the main body through objects of other classes (an object of the
    same class between them is two objects drawn as one, not an occlusion; ``o`` itself is of its class).
    Only objects near ``o``'s box are rasterised: a slide tile has thousands on the image."""
    x, y, w, h = o.ann.bbox
    pad = int(limit) + 2  # ``shapes.bridged`` looks no farther than the pieces' frame grown by limit + 1
    between = [
        p.pixels()
        for p in others
        if p.ann.category_id != o.ann.category_id
        and not p.ann.iscrowd
        and p.ann.bbox[0] < x + w + pad
        and x - pad < p.ann.bbox[0] + p.ann.bbox[2]
        and p.ann.bbox[1] < y + h + pad
        and y - pad < p.ann.bbox[1] + p.ann.bbox[3]
    ]
    if not between:
        return far

    def piece(i: int) -> Placed:
        if isinstance(pieces, shapes.Pieces):
            return Placed(pieces.labels == i + 1, o.pixels().y0, o.pixels().x0)
        return pieces[i]

    body = piece(main)
    return [i for i in far if not shapes.bridged(body, piece(i), between, limit)]


def _polygon_pieces(
    o: CheckedObject, image: ImageRecord
) -> tuple[list[Placed], list[int], list[float], int] | None:
    parts = [p for p in o.ann.segmentation or [] if len(p) >= 6]  # type: ignore[union-attr]
    if len(parts) < 2:
        return None
    H, W = image.height, image.width
    parted = [Annotation(0, 0, 0, [0, 0, 0, 0], [p]) for p in parts]
    pieces = [placed_or_raise(found) for found in annotations_placed(parted, H, W)]  # one batch
    areas = [p.area for p in pieces]
    main = int(np.argmax(areas))
    gaps = [0.0 if i == main else shapes.placed_gap(pieces[main], p) for i, p in enumerate(pieces)]
    return pieces, areas, gaps, main


def _fragment_fix(
    o: CheckedObject,
    image: ImageRecord,
    pieces: list[Placed] | shapes.Pieces,
    main: int,
    dropped: set[int],
    separate: list[int],
    speckle: float,
) -> dict | None:
    H, W = image.height, image.width
    if o.kind == "polygon":
        parts = [p for p in o.ann.segmentation or [] if len(p) >= 6]  # type: ignore[union-attr]
        keep = [p for i, p in enumerate(parts) if i not in dropped and i not in separate]
        first = fixes.polygon_geometry(keep, H, W)
        rest = [fixes.polygon_geometry([parts[i]], H, W) for i in separate]
    else:
        assert isinstance(pieces, shapes.Pieces)
        y0, x0 = o.pixels().y0, o.pixels().x0
        labels = pieces.labels
        body = (labels > 0) & ~np.isin(labels, [i + 1 for i in (*dropped, *separate)])
        if pieces.hole_labels is not None and pieces.hole_labels.any():
            sizes = np.bincount(pieces.hole_labels.ravel())
            small = [k for k in range(1, len(sizes)) if 0 < sizes[k] < speckle]
            body |= np.isin(pieces.hole_labels, small)
        placed = Placed(body, y0, x0)
        first = fixes.placed_geometry("mask", placed, H, W)
        rest = [fixes.placed_geometry("mask", Placed(labels == i + 1, y0, x0), H, W) for i in separate]
    if first is None:
        return None
    if separate:
        return fixes.split(o.ann.id, [first, *[g for g in rest if g]])
    return fixes.set_segmentation(o.ann.id, first)
