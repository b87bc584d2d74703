"""Datumaro ``skeleton`` and ``points`` annotations as objects with keypoints (``core.keypoints``), as the
CVAT reader makes CVAT's ``<skeleton>`` (``cvat_skeleton``'s model), so a pose project exported from CVAT
as Datumaro is shown, edited and exported (COCO person_keypoints; CVAT skeletons) as keypoints.

A label's points category (``categories.points.items``: ``label_id``, ``labels`` the part names, ``joints``
pairs of 1-based indices into them, Datumaro's ``PointsCategories``) gives its category COCO's
``keypoints`` names and ``skeleton``; a skeleton label whose parts are its child labels (``parent``) gets the
CVAT skeleton label too (``cvat``: ``type`` skeleton, the parts, an ``<svg>`` drawing the joints). An
annotation of such a label is an object of triples in the category's order: a ``skeleton``'s ``elements``
(each a ``points`` of one part label, Datumaro's own JSON) or flat ``points`` x y v triples with
``points_attributes`` (the CVAT fork's), or a ``points`` annotation's ``points`` with its ``visibility``
(Datumaro's ``Points.Visibility``: 0 absent, 1 hidden, 2 visible; none given: visible). Its box is its
labelled points' extent (``BOX_OF_KEYPOINTS``); each part's attributes kept for a CVAT export."""

from __future__ import annotations

import math
from typing import Any

from pixelproof.core.keypoints import BOX_OF_KEYPOINTS
from pixelproof.core.limits import LimitError, check_keypoint_count, short_repr
from pixelproof.core.model import Category, ImageRecord
from pixelproof.interop._util import Builder, Reporter, as_dict, as_list
from pixelproof.interop.cvat_skeleton import SKELETON, keypoint_object, skeleton_svg

KEYPOINT_TYPES = ("skeleton", "points")


def declare_keypoints(
    categories: dict[str, Any], labels: list[str | None], build: Builder, where: str, report: Reporter
) -> dict[int, list[str]]:
    """Each label's part names by ``label_id`` from the points category, its category given COCO's
    ``keypoints`` and ``skeleton`` (and a CVAT skeleton label when the parts are its child labels). An
    entry of more than ``MAX_KEYPOINTS`` names is refused, said (its label's annotations kept as read).
    Categories and child labels are indexed once: 10**5 entries each scanning 10**5 labels took minutes."""
    raw = [as_dict(label) for label in as_list(as_dict(categories.get("label")).get("labels"))]
    children_of: dict[Any, list[str]] = {}
    for r in raw:
        if isinstance(parent := r.get("parent"), str):
            children_of.setdefault(parent, []).append(str(r.get("name") or "").strip())
    by_name: dict[str, Category] = {}
    for c in build.project.categories.values():
        by_name.setdefault(c.name, c)  # the first of a name, as ``category_by_name``
    found: dict[int, list[str]] = {}
    entries = as_list(as_dict(categories.get("points")).get("items"))
    for k, entry in enumerate(entries):
        entry = as_dict(entry)
        index, names = entry.get("label_id"), entry.get("labels")
        if not (isinstance(index, int) and 0 <= index < len(labels) and labels[index] is not None):
            continue
        if not (isinstance(names, list) and names):
            continue
        try:
            check_keypoint_count(len(names), f"{where}: categories.points.items[{k}] ({labels[index]!r})")
        except LimitError as e:
            report(f"{e}; its skeleton and points annotations kept as read, not as keypoints")
            continue
        if not all(isinstance(n, str) for n in names):
            continue
        if len(set(names)) != len(names) or (cat := by_name.get(labels[index] or "")) is None:
            continue
        k = len(names)
        joined: dict[tuple[int, int], None] = {}  # a dict, not a list searched: 10**5 joints, 5 x 10**9 tests
        for pair in as_list(entry.get("joints")):
            ok = (
                isinstance(pair, list)
                and len(pair) == 2
                and all(type(i) is int and 1 <= i <= k for i in pair)
            )
            if ok and pair[0] != pair[1]:
                joined.setdefault((pair[0], pair[1]))
        edges = [list(e) for e in joined]
        found[index] = names
        cat.extra["keypoints"] = list(names)
        cat.extra["skeleton"] = edges
        children = children_of.get(cat.name, [])
        if sorted(children) == sorted(names) and "cvat" not in cat.extra:
            parts = [{"name": n, "type": "points"} for n in names]
            cat.extra["cvat"] = {"type": "skeleton", "svg": skeleton_svg(names, edges), "sublabels": parts}
    return found


def _visibility(value: Any) -> int:
    if type(value) is not int or value not in (0, 1, 2):
        raise ValueError(f"visibility {short_repr(value)} is none of 0 (absent), 1 (hidden), 2 (visible)")
    return value


def _xy(value: Any, what: str) -> list[float]:
    if not isinstance(value, list) or not all(type(v) in (int, float) and math.isfinite(v) for v in value):
        raise ValueError(f"{what} must be a list of finite numbers, got {short_repr(value)}")
    return [float(v) for v in value]


def _part_kept(attributes: Any) -> dict[str, Any]:
    """A part's Datumaro attributes as the CVAT skeleton reader keeps a part's (``<attribute>`` texts)."""
    attrs = {
        str(k): str(v).lower() if isinstance(v, bool) else str(v) for k, v in as_dict(attributes).items()
    }
    return {"attributes": attrs} if attrs else {}


def read_keypoints(
    ann: dict[str, Any], names: list[str], labels: list[str | None], image: ImageRecord
) -> dict[str, Any]:
    """The object a ``skeleton`` or ``points`` annotation of a label with part ``names`` makes: ``bbox``,
    ``extra`` (COCO ``keypoints``, ``num_keypoints``) and ``parts`` (each part's kept attributes).
    ValueError (said; the annotation then kept as it is) when it does not fit the parts."""
    k = len(names)
    values: list[float] = [0, 0, 0] * k
    parts: list[dict[str, Any]] = [{} for _ in names]
    placed: set[int] = set()
    index = {name: i for i, name in enumerate(names)}  # not ``names.index``: parts x elements tests
    if ann.get("type") == "skeleton" and "elements" in ann:
        for n, element in enumerate(as_list(ann.get("elements"))):
            element = as_dict(element)
            part = element.get("label_id")
            name = labels[part] if type(part) is int and 0 <= part < len(labels) else None
            if name is None or (i := index.get(name)) is None:
                raise ValueError(f"elements[{n}]: label_id {short_repr(part)} is no part of it")
            if i in placed:
                raise ValueError(f"part {name!r} given twice")
            xy = _xy(element.get("points"), f"elements[{n}] points")
            if len(xy) != 2:
                raise ValueError(f"elements[{n}] points must be one x, y pair, got {short_repr(xy)}")
            vis = as_list(element.get("visibility")) or [2]
            values[3 * i : 3 * i + 3] = [*xy, _visibility(vis[0])]
            parts[i] = _part_kept(element.get("attributes"))
            placed.add(i)
    else:
        flat = _xy(ann.get("points"), "points")
        if ann.get("type") == "skeleton":  # the CVAT fork's: x y v triples in the parts' order
            if len(flat) != 3 * k:
                raise ValueError(f"{len(flat)} numbers in points, not x, y, v for its {k} parts")
            values = [
                v for i in range(k) for v in (*flat[3 * i : 3 * i + 2], _visibility(int(flat[3 * i + 2])))
            ]
            kept = as_list(ann.get("points_attributes"))
            parts = [_part_kept(kept[i]) if i < len(kept) else {} for i in range(k)]
        else:
            if len(flat) != 2 * k:
                raise ValueError(f"{len(flat) // 2} points, not one per part of its label ({k})")
            vis = ann.get("visibility")
            vis = [2] * k if vis is None else as_list(vis)
            if len(vis) != k:
                raise ValueError(f"{len(vis)} visibility values for {k} points")
            values = [v for i in range(k) for v in (*flat[2 * i : 2 * i + 2], _visibility(vis[i]))]
        placed = {i for i in range(k) if values[3 * i + 2] > 0 or values[3 * i] or values[3 * i + 1]}
    return {**keypoint_object(values, sorted(placed), image), "parts": parts}


def keypoint_fields(found: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The object's ``extra`` and ``app_extra`` for what ``read_keypoints`` found."""
    return found["extra"], {SKELETON: found["parts"], BOX_OF_KEYPOINTS: True}
