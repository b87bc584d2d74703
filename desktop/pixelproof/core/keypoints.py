"""An object's keypoints, whatever format they were read from: a YOLO pose line's (normalised x y [v],
kept in the object's extras ``yolo`` by ``interop.yolo``, with the box they were read with) or COCO
person_keypoints' (``keypoints``: x y v triples in pixels, kept in the annotation's extras as read; the
category's ``keypoints`` names and 1-based ``skeleton`` in its extras; a CVAT ``<skeleton>`` is read into
that same form by ``interop.cvat_skeleton``, its box the points' extent). The canvas draws them and the select
tool moves them through this one module, and a moved keypoint is written back in the representation it was
read in, so a YOLO or a COCO export writes the moved point with nothing else changed.

Visibility is COCO's: 0 not labelled, 1 labelled but occluded, 2 visible. A YOLO point of kpt_shape
``[K, 2]`` holds none: visible, unless it is 0 0 (absent, as Ultralytics marks one). A point the user sets
not labelled keeps its position (COCO only asks that v 0 points be ignored), so it can be made visible
again where it was; a v 0 point at 0 0 was never placed."""

from __future__ import annotations

import copy
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from pixelproof.core.geometry import clone
from pixelproof.core.limits import MAX_KEYPOINTS
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from pixelproof.core.precision import DECIMALS

# The COCO person skeleton (1-based, as COCO's person_keypoints and Ultralytics' plots): drawn for a YOLO
# pose dataset of 17 keypoints, which is COCO's person layout (Ultralytics draws it so too)
COCO_PERSON_SKELETON = [
    [16, 14], [14, 12], [17, 15], [15, 13], [12, 13], [6, 12], [7, 13], [6, 7], [6, 8], [7, 9],
    [8, 10], [9, 11], [2, 3], [1, 2], [1, 3], [2, 4], [3, 5], [4, 6], [5, 7],
]  # fmt: skip

# Project extras: a YOLO pose dataset's ``kpt_shape`` and ``flip_idx``, as read (``interop.yolo``)
POSE_KEY = "yolo_pose"

# An object's app extras flag: its box is its labelled points' extent (a CVAT skeleton, which has no box of
# its own), so moving a point moves the box's edge with it
BOX_OF_KEYPOINTS = "box_of_keypoints"

# How far (pixels) an object's box may lie from the one its keypoints were read with and still count as not
# edited: a saved project keeps a box to 1/1000 px (``precision.DECIMALS``), so a centre may be off by 3/4 of
# that after a save and reopen (normalised: 1.3e-6 on a 375 px image, which a bound of 1e-6 took for an edit:
# an untouched object's keypoints moved and were said moved); a nudge moves a box by whole pixels
_SAME_BOX = 2 * 10.0**-DECIMALS


@dataclass(frozen=True, slots=True)
class Keypoints:
    """One object's keypoints in image pixels: ``points`` (x, y, visibility 0/1/2), ``edges`` the skeleton as
    0-based index pairs (empty when unknown), ``names`` one per point when the category names them,
    ``source`` "yolo" or "coco" (where a moved point is written back)."""

    points: list[tuple[float, float, int]]
    edges: list[tuple[int, int]]
    names: list[str]
    source: str

    def shown(self) -> list[int]:
        """The indices of the labelled points (visibility 1 or 2)."""
        return [i for i, p in enumerate(self.points) if p[2] > 0]

    def placed(self) -> list[int]:
        """The indices of the points with a position: labelled, or set not labelled by the user (v 0, its
        position kept); a v 0 point at 0 0 was never placed."""
        return [i for i, (x, y, v) in enumerate(self.points) if v > 0 or x != 0 or y != 0]


def keypoints_summary(kp: Keypoints) -> str:
    """What the Properties panel says of an object's keypoints: ``15 of 17 labelled, 1 occluded`` (one line
    in a 1366x768 dock: the longer ``17 keypoints, 15 labelled (1 occluded)`` wrapped and was cut)."""
    labelled = kp.shown()
    occluded = sum(1 for i in labelled if kp.points[i][2] == 1)
    return f"{len(labelled)} of {len(kp.points)} labelled" + (f", {occluded} occluded" if occluded else "")


def finite_numbers(values: Any, n: int) -> bool:
    return (
        isinstance(values, list)
        and len(values) == n
        and all(type(v) in (int, float) and math.isfinite(v) for v in values)
    )


def _visibility(v: float) -> int:
    """A stored visibility as COCO's 0/1/2 (a tool writing 0.5 or 3 means labelled, seen or not)."""
    return int(v) if v in (0, 1, 2) else (2 if v > 0 else 0)


def current_box(a: Annotation, image: ImageRecord) -> np.ndarray | None:
    """The object's box as a YOLO line holds it (cx cy w h, normalised), None when it is not finite."""
    if not finite_numbers(list(a.bbox), 4) or image.width <= 0 or image.height <= 0:
        return None
    x, y, bw, bh = (float(v) for v in a.bbox)
    w, h = image.width, image.height
    return np.array([(x + bw / 2) / w, (y + bh / 2) / h, bw / w, bh / h])


def follow_box(points: np.ndarray, read_box: Any, a: Annotation, image: ImageRecord) -> bool:
    """Move ``points`` (K x 2 or 3, normalised) with the object's box when it changed since they were read
    (``read_box``: cx cy w h, normalised, kept by the reader): the affine map of the read box onto the
    current one, per axis; visibility and never placed ones (0 0) unchanged. A box moved or resized
    carries its keypoints along. True: moved. A project saved before the read box was kept: False, the
    keypoints as read."""
    now = current_box(a, image)
    if not finite_numbers(read_box, 4) or now is None:
        return False
    old = np.asarray(read_box, dtype=np.float64)
    size = np.array([image.width, image.height] * 2, dtype=np.float64)
    if (np.abs(now - old) * size).max() <= _SAME_BOX:
        return False
    present = ~(points[:, :2] == 0).all(axis=1)  # a point set not labelled keeps its place on the object
    with np.errstate(all="ignore"):
        scale = np.where(old[2:] > 0, now[2:] / np.where(old[2:] > 0, old[2:], 1.0), 1.0)
        moved = now[:2] + (points[present, :2] - old[:2]) * scale
    if not np.isfinite(moved).all():  # a read box of 1e-300 or 1e300: as read, never infinity written back
        return False
    points[present, :2] = moved
    return True


def _absent(points: np.ndarray) -> np.ndarray:
    absent = (points[:, :2] == 0).all(axis=1)
    if points.shape[1] == 3:
        absent |= points[:, 2] == 0
    return absent


def _yolo_points(a: Annotation, image: ImageRecord) -> np.ndarray | None:
    """The YOLO keypoints kept with ``a`` (K x 2 or 3, normalised, moved with an edited box), or None."""
    kept = a.extra.get("yolo")
    if not isinstance(kept, dict):
        return None
    shape = kept.get("kpt_shape")
    if not (isinstance(shape, list) and len(shape) == 2 and all(type(v) is int for v in shape)):
        return None
    k, d = shape
    if not 1 <= k <= MAX_KEYPOINTS or d not in (2, 3) or not finite_numbers(kept.get("keypoints"), k * d):
        return None
    points = np.asarray(kept["keypoints"], dtype=np.float64).reshape(k, d)
    follow_box(points, kept.get("box"), a, image)
    return points


def coco_values(a: Annotation) -> list | None:
    """``a``'s COCO keypoints (x y v triples, pixels) when it holds readable ones, else None."""
    values = a.extra.get("keypoints")
    if isinstance(values, list) and values and len(values) % 3 == 0 and finite_numbers(values, len(values)):
        return values
    return None


def skeleton_edges(skeleton: Any, k: int) -> list[tuple[int, int]]:
    """A 1-based skeleton's edges between existing points, 0-based, each once (others left out). ``k``
    points have at most k (k + 1) / 2 distinct pairs, so no more entries are looked at: a skeleton of a
    million repeated edges took seconds an object, and a repaint as long."""
    if not isinstance(skeleton, list):
        return []
    out: dict[tuple[int, int], None] = {}
    for pair in skeleton[: k * (k + 1) // 2]:
        if isinstance(pair, list) and len(pair) == 2 and all(type(i) is int and 1 <= i <= k for i in pair):
            out[(pair[0] - 1, pair[1] - 1)] = None
    return list(out)


def keypoints_of(a: Annotation, image: ImageRecord, category: Category | None = None) -> Keypoints | None:
    """``a``'s keypoints in image pixels (COCO's when it has both), None when it has none readable or more
    than ``MAX_KEYPOINTS`` (kept as read)."""
    cat = category.extra if category is not None else {}
    names = cat.get("keypoints")
    if isinstance(kept := a.extra.get("keypoints"), list) and len(kept) > 3 * MAX_KEYPOINTS:
        return None  # kept as read, never shown: each repaint made a million points
    values = coco_values(a)
    if values is not None:
        k = len(values) // 3
        points = [
            (float(values[3 * i]), float(values[3 * i + 1]), _visibility(values[3 * i + 2])) for i in range(k)
        ]
        source = "coco"
    else:
        found = _yolo_points(a, image)
        if found is None:
            return None
        k = len(found)
        absent = _absent(found)
        vis = [2 if found.shape[1] == 2 else _visibility(float(v)) for v in found[:, -1]]
        points = [
            (float(x) * image.width, float(y) * image.height, 0 if gone else v)
            for (x, y), gone, v in zip(found[:, :2], absent, vis, strict=True)
        ]
        source = "yolo"
    skeleton = cat.get("skeleton")
    if skeleton is None and source == "yolo" and k == 17:
        skeleton = COCO_PERSON_SKELETON
    named = [str(n) for n in names] if isinstance(names, list) and len(names) == k else []
    return Keypoints(points, skeleton_edges(skeleton, k), named, source)


def carry_keypoints(before: Annotation, out: Annotation) -> None:
    """Move ``out``'s COCO keypoints (a clone of ``before`` with another box) with its box: the map of the
    box before onto the box now, per axis, placed points only (one never placed stays at 0 0). A move or a
    resize in the app carries them along, as a YOLO object's follow its box (``follow_box``, where they are
    read).
    Nothing for an object without COCO keypoints or without a finite box."""
    values = coco_values(out)
    old, new = before.bbox, out.bbox
    if values is None or not finite_numbers(list(old), 4) or not finite_numbers(list(new), 4):
        return
    scale = [n / o if o > 0 else 1.0 for o, n in ((old[2], new[2]), (old[3], new[3]))]
    moved = list(values)
    for i in range(0, len(moved), 3):
        if moved[i + 2] > 0 or moved[i] != 0 or moved[i + 1] != 0:
            for axis in (0, 1):
                moved[i + axis] = round(new[axis] + (moved[i + axis] - old[axis]) * scale[axis], 2)
    if finite_numbers(moved, len(moved)):  # a point at 1e308 scaled up: left as it was, not infinity
        out.extra["keypoints"] = moved


def placed_keypoints(
    ann: Annotation, out: Annotation, source: tuple[int, int], target: tuple[int, int]
) -> None:
    """Give ``out`` (``ann`` of a ``source`` (h, w) image put on a ``target`` one by ``geometry.placed_on``,
    its box perhaps cut to it) ``ann``'s keypoints at the same pixels, not squeezed into the cut box: a
    point outside the target image is set not labelled (v 0) at the nearest place on its border, as a point
    the user sets not labelled keeps a position (a YOLO ``[K, 2]`` line, holding no visibility, marks it
    absent: 0 0). A YOLO line's values are written for the target image with the box they now go with."""
    if source == target and list(out.bbox) == list(ann.bbox):
        return  # the same place on an image of the same size: nothing moves
    height, width = target
    values = coco_values(ann)
    if values is not None:
        new = list(values)
        for i in range(0, len(new), 3):
            x, y = new[i], new[i + 1]
            if (new[i + 2] > 0 or x != 0 or y != 0) and not _inside(x, y, width, height):
                new[i : i + 3] = [*_clamped(x, y, width, height), 0]
        out.extra["keypoints"] = new
        out.extra["num_keypoints"] = sum(1 for i in range(2, len(new), 3) if new[i] > 0)
        if out.app_extra.get(BOX_OF_KEYPOINTS) is True:
            box_of_points(out, new)
        return
    points = _yolo_points(ann, ImageRecord(0, "", source[1], source[0]))
    now = current_box(out, ImageRecord(0, "", width, height))
    if points is None or now is None:
        return
    d = points.shape[1]
    flat: list[float] = []
    for row in points:
        x, y = float(row[0]) * source[1], float(row[1]) * source[0]
        v = [float(row[2])] if d == 3 else []
        if (x != 0 or y != 0) and not _inside(x, y, width, height):
            x, y = _clamped(x, y, width, height) if d == 3 else (0.0, 0.0)
            v = [0.0] if d == 3 else []
        flat += [x / width, y / height, *v]
    out.extra["yolo"] = {**ann.extra["yolo"], "keypoints": flat, "box": now.tolist()}


def _inside(x: float, y: float, width: int, height: int) -> bool:
    return 0 <= x <= width and 0 <= y <= height


def _clamped(x: float, y: float, width: int, height: int) -> tuple[float, float]:
    return min(max(x, 0.0), float(width)), min(max(y, 0.0), float(height))


def with_keypoint(
    a: Annotation,
    image: ImageRecord,
    index: int,
    x: float | None = None,
    y: float | None = None,
    visibility: int | None = None,
) -> Annotation:
    """A clone of ``a`` with keypoint ``index`` at (x, y) image pixels and/or of another ``visibility``
    (1 or 2; 0 marks it not labelled, its position kept), written where it was read: a COCO ``keypoints``
    triple (and ``num_keypoints``), or the YOLO line's normalised values, its other points moved with an
    edited box and that box kept as the one they were read with, so an export writes them where shown.
    Raises ValueError for an object without keypoints, an index out of range, or a visibility a YOLO
    ``[K, 2]`` line cannot hold."""
    out = clone(a)
    values = coco_values(a)
    if values is not None:
        k = len(values) // 3
        _check(index, k)
        new = list(values)
        if x is not None and y is not None:
            new[3 * index : 3 * index + 2] = [round(float(x), 2), round(float(y), 2)]
        if visibility is not None:
            new[3 * index + 2] = int(visibility)
        out.extra["keypoints"] = new
        out.extra["num_keypoints"] = sum(1 for i in range(k) if new[3 * i + 2] > 0)
        if out.app_extra.get(BOX_OF_KEYPOINTS) is True:
            box_of_points(out, new)
        return out
    points = _yolo_points(a, image)
    if points is None:
        raise ValueError(f"annotation {a.id} has no keypoints")
    _check(index, len(points))
    if x is not None and y is not None:
        points[index, :2] = (float(x) / image.width, float(y) / image.height)
    if visibility is not None:
        if points.shape[1] != 3:
            raise ValueError("its keypoints hold no visibility (kpt_shape [K, 2])")
        points[index, 2] = int(visibility)
    kept = dict(a.extra["yolo"])
    kept["keypoints"] = points.reshape(-1).tolist()
    box = current_box(a, image)
    if box is not None:
        kept["box"] = box.tolist()  # the points are where this box puts them now
    out.extra["yolo"] = kept
    return out


def box_of_points(a: Annotation, values: list) -> None:
    """Give ``a`` the extent of its labelled points as box (and area); unchanged when none is labelled."""
    shown = [(values[i], values[i + 1]) for i in range(0, len(values), 3) if values[i + 2] > 0]
    if shown:
        xs, ys = [p[0] for p in shown], [p[1] for p in shown]
        w, h = float(max(xs) - min(xs)), float(max(ys) - min(ys))
        a.set_geometry(a.segmentation, [float(min(xs)), float(min(ys)), w, h], w * h)


def _check(index: int, k: int) -> None:
    if not 0 <= index < k:
        raise ValueError(f"keypoint {index + 1} out of range (the object has {k})")


def names_to_place(a: Annotation, category: Category | None, pose: Any) -> list[str] | None:
    """The keypoints ``a`` may be given, one name each, when it has none: its category's COCO
    ``keypoints`` names, else a YOLO pose dataset's ``kpt_shape`` (``pose``: the project's kept
    ``kpt_shape``; points named ``keypoint 1`` ...). None: it has keypoints, or nothing defines them."""
    if coco_values(a) is not None or isinstance(a.extra.get("yolo"), dict):
        return None
    names = (category.extra if category is not None else {}).get("keypoints")
    if isinstance(names, list) and len(names) > MAX_KEYPOINTS:
        return None
    if isinstance(names, list) and names and all(isinstance(n, str) for n in names):
        return list(names)
    shape = _pose_shape(pose)
    return [f"keypoint {i + 1}" for i in range(shape[0])] if shape is not None else None


def valid_kpt_shape(shape: Any) -> bool:
    """Whether ``shape`` is a YOLO ``kpt_shape``: ``[K, 2 or 3]``, 0 < K <= ``MAX_KEYPOINTS`` (a pose export
    pads each object to K points: a project file's ``[10**9, 3]`` made it allocate 24 GB)."""
    return (
        isinstance(shape, list)
        and len(shape) == 2
        and all(type(n) is int for n in shape)
        and 0 < shape[0] <= MAX_KEYPOINTS
        and shape[1] in (2, 3)
    )


def dataset_kpt_shape(project: Project) -> list[int] | None:
    """The ``kpt_shape`` of the YOLO pose dataset ``project`` was read from (kept in its extras,
    ``POSE_KEY``); a project saved before it was kept has its objects' (the most common one). None: no
    pose dataset. A YOLO pose export writes every object's keypoints in it; a paste of another's is refused
    (``core.clipboard``)."""
    kept = project.extra.get(POSE_KEY)
    shape = kept.get("kpt_shape") if isinstance(kept, dict) else None
    if valid_kpt_shape(shape):
        return list(shape)
    found = Counter(
        tuple(s)
        for a in project.annotations.values()
        if isinstance(y := a.extra.get("yolo"), dict) and valid_kpt_shape(s := y.get("kpt_shape"))
    )
    return list(found.most_common(1)[0][0]) if found else None


def _pose_shape(pose: Any) -> tuple[int, int] | None:
    shape = pose.get("kpt_shape") if isinstance(pose, dict) else None
    ok = isinstance(shape, list) and len(shape) == 2 and all(type(v) is int for v in shape)
    return (shape[0], shape[1]) if ok and 1 <= shape[0] <= MAX_KEYPOINTS and shape[1] in (2, 3) else None


def with_new_keypoints(
    a: Annotation,
    image: ImageRecord,
    category: Category | None,
    pose: Any,
    points: list[tuple[float, float] | None],
) -> Annotation:
    """A clone of ``a`` given keypoints ``points`` (image pixels, one per name of ``names_to_place``; None:
    skipped, not labelled at 0 0), written as its keypoints are defined: COCO triples (visible, or
    ``0 0 0``) and ``num_keypoints`` for a category naming them, else a YOLO pose line's normalised values
    with the box they were placed on (``[K, 2]``: a skipped point ``0 0``, as Ultralytics marks one).
    Raises ValueError when ``a`` cannot be given keypoints or ``points`` is not one per name."""
    names = names_to_place(a, category, pose)
    if names is None or len(points) != len(names):
        raise ValueError(f"annotation {a.id}: expected {len(names or [])} keypoints, got {len(points)}")
    out = clone(a)
    cat = category.extra if category is not None else {}
    if isinstance(cat.get("keypoints"), list) and cat["keypoints"] == names:
        values: list[float] = []
        for p in points:
            values += [round(float(p[0]), 2), round(float(p[1]), 2), 2] if p is not None else [0, 0, 0]
        out.extra["keypoints"] = values
        out.extra["num_keypoints"] = sum(1 for p in points if p is not None)
        return out
    k, d = _pose_shape(pose)  # type: ignore[misc]
    box = current_box(a, image)
    if box is None:
        raise ValueError(f"annotation {a.id} has no box to place keypoints on")
    flat: list[float] = []
    for p in points:
        xy = [float(p[0]) / image.width, float(p[1]) / image.height] if p is not None else [0.0, 0.0]
        flat += xy + ([2.0 if p is not None else 0.0] if d == 3 else [])
    out.extra["yolo"] = {"keypoints": flat, "kpt_shape": [k, d], "box": box.tolist()}
    return out


class KeypointsRefused(ValueError):
    """A change of class refused because the object's keypoints are named by its category and the new one
    names other points (or none): they would be read as other body parts, or lose their names and
    skeleton. ``annotation_id`` names the object; the message says both categories' keypoints."""

    def __init__(self, annotation_id: int, message: str) -> None:
        super().__init__(message)
        self.annotation_id = annotation_id


def keypoint_names(category: Category | None) -> list[str] | None:
    """A category's COCO ``keypoints`` names, None when it names none."""
    names = category.extra.get("keypoints") if category is not None else None
    return [str(n) for n in names] if isinstance(names, list) and names else None


def names_text(category: Category, names: list[str] | None) -> str:
    """What ``category``'s keypoints are, said in a refusal: ``dog names other keypoints (2: nose, tail)``."""
    if names is None:
        return f"{category.name} names no keypoints"
    shown = ", ".join(names[:4]) + (", ..." if len(names) > 4 else "")
    return f"{category.name} names other keypoints ({len(names)}: {shown})"


def require_same_keypoints(project: Project, ids: Iterable[int], category_id: int) -> None:
    """Refuse (``KeypointsRefused``) giving category ``category_id`` to an object holding COCO keypoints
    (COCO, CVAT, Datumaro, Label Studio, or placed in the app) when it names other keypoints than the
    object's category: a 17-point person made a 2-point ``dog`` would have its nose read as a tail, and a
    COCO or CVAT export write points its category does not declare. A YOLO pose object's points are the
    dataset's (every class has its ``kpt_shape``): it changes class freely."""
    target = project.categories.get(category_id)
    want = keypoint_names(target)
    anns = project.annotations
    for i in ids:
        a = anns.get(i)
        if a is None or a.category_id == category_id or target is None or coco_values(a) is None:
            continue
        own = project.categories.get(a.category_id)
        have = keypoint_names(own)
        if have != want:
            k = len(coco_values(a) or []) // 3
            name = own.name if own is not None else "its category"
            raise KeypointsRefused(
                a.id,
                f"#{a.id} stays {name}: its {k} keypoints are {name}'s, and {names_text(target, want)}",
            )


def taking_keypoints(project: Project, category: Category, source: Category) -> Category | None:
    """``category`` given ``source``'s keypoint names and skeleton (COCO ``keypoints`` and ``skeleton``)
    when it names none and none of its objects holds keypoints: a merge of ``source`` into it, a paste of
    ``source``'s posed objects from another project, so their points keep names and lines. None: it cannot
    take them (it names some, holds unnamed ones, or ``source`` names none)."""
    if keypoint_names(source) is None or keypoint_names(category) is not None:
        return None
    if any("keypoints" in a.extra for a in project.annotations_with_category(category.id)):
        return None
    after = copy.deepcopy(category)
    after.extra["keypoints"] = copy.deepcopy(source.extra["keypoints"])
    if "skeleton" in source.extra:
        after.extra["skeleton"] = copy.deepcopy(source.extra["skeleton"])
    return after


def yolo_keypoints_as_coco(project: Project) -> int:
    """Give each object holding only a YOLO pose line's keypoints COCO's ``keypoints`` triples (pixels, where
    the canvas shows them: moved with an edited box) and ``num_keypoints`` in place of the line's values
    (the project's ``kpt_shape`` and ``flip_idx`` stay), and its category, when it names
    none, the names and skeleton the canvas shows (``keypoint 1`` ..., COCO's person skeleton for 17), so
    a COCO export of a pose dataset is a person_keypoints file (it wrote the boxes only). For the copy of a
    project an export writes; returns how many objects were given them."""
    n = 0
    for a in project.annotations.values():
        image = project.images.get(a.image_id)
        if coco_values(a) is not None or not isinstance(a.extra.get("yolo"), dict) or image is None:
            continue
        kp = keypoints_of(a, image)
        if kp is None:
            continue
        a.extra["keypoints"] = [v for x, y, s in kp.points for v in (round(x, 2), round(y, 2), s)]
        a.extra["num_keypoints"] = len(kp.shown())
        del a.extra[
            "yolo"
        ]  # one form of them: read back and edited, the COCO ones are what a YOLO export writes
        cat = project.categories.get(a.category_id)
        if cat is not None and keypoint_names(cat) is None:
            cat.extra["keypoints"] = [f"keypoint {i + 1}" for i in range(len(kp.points))]
            cat.extra["skeleton"] = [[i + 1, j + 1] for i, j in kp.edges]
        n += 1
    return n
