"""Label Studio ``keypointlabels`` results grouped under a region (``parentID``) as that object's keypoints
(``core.keypoints``), and written back so.

Label Studio stores each keypoint as a result of its own (``x``, ``y`` in percent, ``keypointlabels`` its
name); one nested under a region (its ``parentID`` the region's ``id``) is a point of that object. The
object's category gets COCO's ``keypoints`` names (its points' labels in the order first read, no
``skeleton``: Label Studio has none) and each object the triples of them all (visible, 2; a name it lacks
0 0 0), so the canvas shows and moves them and a COCO export writes person_keypoints. The points' own result
fields (``id``, ``from_name``, ``width``...) are kept in the object's app extras (``KEPT``), and the Label
Studio export writes each labelled point back as a ``keypointlabels`` result under the object's region, where
it is now. A point under no region (or under one not read, a second of one name, or one naming a category's
``MAX_KEYPOINTS`` + 1st name) stays a kept result."""

from __future__ import annotations

import math
from typing import Any

from pixelproof.core.coordinate_limits import check_coordinates
from pixelproof.core.keypoints import keypoints_of
from pixelproof.core.limits import check_keypoint_count, short_repr
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from pixelproof.interop._util import Reporter, as_dict

KIND = "keypointlabels"
KEPT = "labelstudio_keypoints"  # the object's app extras: point name -> its result's other fields
_OWN = (
    "type",
    "value",
    "parentID",
    "to_name",
    "original_width",
    "original_height",
    "image_rotation",
    "origin",
)


def _point(result: dict[str, Any], image: ImageRecord) -> tuple[str, float, float]:
    value = as_dict(result.get("value"))
    names, x, y = value.get(KIND), value.get("x"), value.get("y")
    if not (isinstance(names, list) and len(names) == 1 and isinstance(names[0], str) and names[0]):
        raise ValueError(f"value.{KIND} must name one keypoint")
    if not all(type(v) in (int, float) and math.isfinite(v) for v in (x, y)):
        raise ValueError("value x, y must be finite numbers")
    px, py = float(x) * image.width / 100.0, float(y) * image.height / 100.0
    check_coordinates([px, py], image.width, image.height, "")
    return names[0], px, py


def group_keypoints(
    where: str,
    kept: list[Any],
    regions: dict[str, Annotation],
    image: ImageRecord,
    report: Reporter,
    names: dict[int, dict[str, None]],
) -> list[Any]:
    """Move each ``keypointlabels`` result of ``kept`` nested under one of ``regions`` (region id -> its
    object) into that object (``points`` by name, finished by ``finish_keypoints``); returns the results
    left kept. One that cannot be read is said and stays kept, as does one whose name would give its
    category more than ``MAX_KEYPOINTS`` (``names``: the file's names so far by category, filled here):
    each object of a category gets a triple per name, so 10**5 names made objects x names slots."""
    left = []
    for r in kept:
        pid = as_dict(r).get("parentID")  # a list or an object names no region (and hashes not)
        parent = regions.get(pid) if as_dict(r).get("type") == KIND and isinstance(pid, str) else None
        if parent is None:
            left.append(r)
            continue
        points = parent.app_extra.setdefault(KEPT, {})
        try:
            name, x, y = _point(r, image)
            if name in points:
                raise ValueError(f"a second {name!r} under region {r['parentID']!r}")
            if name not in (known := names.setdefault(parent.category_id, {})):
                check_keypoint_count(len(known) + 1, f"a new name {short_repr(name)} for its category")
                known[name] = None
        except ValueError as e:
            report.often("keypoints kept", f"{where}: keypoint {r.get('id')!r}: {e}; kept as a result")
            left.append(r)
            continue
        rest = {k: v for k, v in as_dict(r.get("value")).items() if k not in ("x", "y", KIND)}
        points[name] = {"xy": [x, y], "result": {k: v for k, v in r.items() if k not in _OWN}, "value": rest}
    return left


def group_versions(
    where: str,
    results: list[tuple[Any, Any]],
    made: dict[Any, dict[str, Annotation]],
    image: ImageRecord,
    report: Reporter,
    names: dict[int, dict[str, None]],
) -> tuple[int, int]:
    """The other annotators' versions' results that are no regions (each with its annotator): those nested
    under that annotator's regions (``made``: annotator -> region id -> object) become the objects'
    keypoints, as the kept version's do; the rest are not imported (an image keeps one version's choices).
    Returns how many were grouped and how many are left."""
    by_who: dict[Any, list] = {}
    for r, who in results:
        by_who.setdefault(who, []).append(r)
    left = sum(
        len(group_keypoints(where, rs, made.get(w, {}), image, report, names)) for w, rs in by_who.items()
    )
    return len(results) - left, left


def finish_keypoints(project: Project) -> None:
    """Give each category whose objects got points their names (first read first) and each such object
    its COCO triples, ``num_keypoints`` and the points' kept fields."""
    names: dict[int, dict[str, None]] = {}  # a dict: a list searched was quadratic in the names
    for a in project.annotations.values():
        if isinstance(points := a.app_extra.get(KEPT), dict):
            names.setdefault(a.category_id, {}).update(dict.fromkeys(points))
    for cid, known in names.items():
        project.categories[cid].extra.update(keypoints=list(known), skeleton=[])
    for a in project.annotations.values():
        points = a.app_extra.get(KEPT)
        if not isinstance(points, dict) or a.category_id not in names:
            continue
        values: list[float] = []
        for name in names[a.category_id]:
            got = as_dict(points.get(name))
            values += [*got["xy"], 2] if got else [0, 0, 0]
        a.extra["keypoints"] = values
        a.extra["num_keypoints"] = sum(1 for v in values[2::3] if v > 0)
        a.app_extra[KEPT] = {
            n: {k: as_dict(p).get(k, {}) for k in ("result", "value")} for n, p in points.items()
        }


def keypoint_results(
    a: Annotation, image: ImageRecord, category: Category, region_id: str, used: set[str], to_name: str
) -> list[dict[str, Any]]:
    """``a``'s labelled keypoints as Label Studio ``keypointlabels`` results nested under its region
    ``region_id`` on the image tag ``to_name``, each with the fields read with it (its ``id``,
    ``from_name``, ``width``), where it is now; a point made in the app gets ``from_name`` ``keypoint``.
    None for an object without named ones (a point set not labelled is left out: Label Studio has no
    visibility)."""
    kp = keypoints_of(a, image, category)
    if kp is None or not kp.names or kp.source != "coco":
        return []
    kept = as_dict(a.app_extra.get(KEPT))
    out = []
    for name, (x, y, v) in zip(kp.names, kp.points, strict=True):
        if v == 0:
            continue
        fields = dict(as_dict(as_dict(kept.get(name)).get("result")))
        rid = str(fields.pop("id", "") or f"pp{a.id}_{len(out) + 1}")
        while rid in used:
            rid += "_"
        used.add(rid)
        value = {"x": x * 100.0 / image.width, "y": y * 100.0 / image.height, "width": 1.0}
        value.update(as_dict(as_dict(kept.get(name)).get("value")))
        out.append(
            {
                "from_name": "keypoint",
                **fields,
                "id": rid,
                "type": KIND,
                "to_name": to_name,
                "parentID": region_id,
                "original_width": image.width,
                "original_height": image.height,
                "image_rotation": 0,
                "value": {**value, KIND: [name]},
            }
        )
    return out
