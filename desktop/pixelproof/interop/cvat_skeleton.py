"""CVAT ``<skeleton>`` shapes as objects with keypoints, so a pose team's CVAT task is shown and edited as
keypoints (``core.keypoints``) and written back as the same skeletons.

A skeleton label (``<type>skeleton</type>``) lists its points as labels with a ``<parent>`` and its edges
in ``<svg>``: ``<circle data-node-id data-label-name>`` names a node, ``<line data-node-from data-node-to>``
joins two. The category gets COCO person_keypoints' ``keypoints`` (the part names, in the label list's
order) and 1-based ``skeleton`` in its extras, so the canvas names and joins the points and a COCO export
writes them. A ``<skeleton>`` of an image becomes an object of that category holding COCO ``keypoints``
triples (visibility 0 for ``outside="1"``, 1 for ``occluded="1"``, else 2; a part the shape lacks 0 0 0),
its box the extent of its labelled points, and ``cvat_skeleton`` in its app extras: each part's own XML
attributes and ``<attribute>`` values, which the export writes back around the points as they are now
(a pose Fill Between Frames makes carries the earlier key's, as CVAT's interpolation copies them:
``core.keypoint_fill``).
A skeleton that does not fit its label's parts (a part named twice or not a part, no ``x,y``) stays kept
as it is, as before. A video's skeleton track (``cvat_tracks``) is such an object on each frame it is on,
with its ``track_id``; CVAT's ``keyframe="0"`` on its shapes is kept while their points are as read (one
between two keyframes is a fill, ``cvat_tracks``, written ``keyframe="0"`` until edited)."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from dataclasses import replace
from typing import Any
from xml.sax.saxutils import escape

from pixelproof.core.coordinate_limits import check_coordinates
from pixelproof.core.keypoint_fill import CVAT_PARTS as SKELETON  # the parts' kept XML attributes
from pixelproof.core.keypoint_fill import POINT_AS_READ as _READ  # a part's point as read (interpolated)
from pixelproof.core.keypoints import skeleton_edges
from pixelproof.core.limits import MAX_KEYPOINTS, LimitError, check_keypoint_count, short_repr
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from pixelproof.core.track_fill import SOURCE as FILLED  # a fill's source, CVAT's interpolated ones' too
from pixelproof.interop._util import Reporter, as_dict
from pixelproof.interop.cvat_video_writer import KEYFRAME  # "0": a track's shape CVAT interpolated

_PART_OWN = ("label", "points", "outside", "occluded")  # written from the keypoints, not kept


def part_names(category: Category | None) -> list[str] | None:
    """A CVAT skeleton category's part names in its label list's order, None for any other category."""
    cvat = as_dict(category.extra.get("cvat")) if category is not None else {}
    parts = cvat.get("sublabels")
    if (
        cvat.get("type") != "skeleton"
        or not isinstance(parts, list)
        or not parts
        or len(parts) > MAX_KEYPOINTS
    ):
        return None  # past MAX_KEYPOINTS: no skeleton (``declare_keypoints`` says so), its shapes kept
    names = [str(as_dict(p).get("name", "")) for p in parts]
    return names if len(set(names)) == len(names) else None


def svg_edges(svg: str, names: list[str]) -> list[list[int]]:
    """The edges a skeleton label's ``<svg>`` draws, as COCO's 1-based index pairs into ``names``; an edge
    naming a node that is none of them is left out, and an svg that is no XML gives none (it is kept and
    written back as read all the same)."""
    try:
        root = ET.fromstring(f"<svg>{svg}</svg>")  # a fragment: no DOCTYPE can come first, no entities
    except ET.ParseError:
        return []
    index = {name: i + 1 for i, name in enumerate(names)}
    nodes = {
        el.get("data-node-id"): index[el.get("data-label-name", "")]
        for el in root.iter("circle")
        if el.get("data-label-name", "") in index
    }
    edges: dict[tuple[int, int], None] = {}  # a dict, not a list searched: 10**5 lines were 5 x 10**9 tests
    for line in root.iter("line"):
        a, b = nodes.get(line.get("data-node-from")), nodes.get(line.get("data-node-to"))
        if a is not None and b is not None and a != b:
            edges.setdefault((a, b))
    return [list(e) for e in edges]


def declare_keypoints(project: Project, where: str, report: Reporter) -> None:
    """Give each CVAT skeleton category COCO's ``keypoints`` names and ``skeleton`` edges (see the module);
    a skeleton label of more than ``MAX_KEYPOINTS`` parts gets none, said (its shapes kept as read)."""
    for cat in project.categories.values():
        cvat = as_dict(cat.extra.get("cvat"))
        if cvat.get("type") == "skeleton" and isinstance(parts := cvat.get("sublabels"), list):
            try:
                check_keypoint_count(len(parts), f"{where}: label {short_repr(cat.name)}")
            except LimitError as e:
                report(f"{e}; its skeletons kept as read, not as keypoints")
        names = part_names(cat)
        if names is not None:
            cat.extra["keypoints"] = names
            cat.extra["skeleton"] = svg_edges(str(as_dict(cat.extra.get("cvat")).get("svg", "")), names)


def _pair(text: str) -> tuple[float, float]:
    try:
        x, y = (float(v) for v in text.split(","))
    except ValueError:
        raise ValueError(f"points {short_repr(text)} is not one x,y pair") from None
    if not (math.isfinite(x) and math.isfinite(y)):
        raise ValueError(f"points {short_repr(text)} is not finite")
    return x, y


def read_skeleton(shape: ET.Element, category: Category, image: ImageRecord) -> dict[str, Any]:
    """The object a ``<skeleton>`` of ``category`` makes: ``bbox`` (its labelled points' extent, all its
    points' when none is labelled), ``extra`` (COCO ``keypoints`` and ``num_keypoints``) and the parts'
    kept attributes (``parts``). ValueError (said, the shape then kept as it is) when it does not fit."""
    names = part_names(category)
    if names is None:
        raise ValueError("its label declares no skeleton parts")
    values: list[float] = [0, 0, 0] * len(names)
    parts: list[dict[str, Any]] = [{} for _ in names]
    seen: set[int] = set()
    index = {name: i for i, name in enumerate(names)}  # not ``names.index``: parts x children tests
    for child in shape:
        if child.tag == "attribute":
            continue
        label = child.get("label", "").strip()
        if child.tag != "points" or (i := index.get(label)) is None:
            raise ValueError(f"<{child.tag}> {short_repr(label)} is no part of {category.name!r}")
        if i in seen:
            raise ValueError(f"part {label!r} given twice")
        seen.add(i)
        x, y = _pair(child.get("points", "").strip())
        v = 0 if child.get("outside") == "1" else 1 if child.get("occluded") == "1" else 2
        values[3 * i : 3 * i + 3] = [x, y, v]
        kept: dict[str, Any] = {"attrib": {k: s for k, s in child.attrib.items() if k not in _PART_OWN}}
        if KEYFRAME in (child.attrib | shape.attrib):  # CVAT's interpolated: its point as read tells a move
            kept[_READ] = [x, y, v]
        if attrs := {a.get("name", ""): a.text or "" for a in child.findall("attribute")}:
            kept["attributes"] = attrs
        parts[i] = kept
    if KEYFRAME in shape.attrib:  # a part the shape lacks (a track's part not begun or gone) is 0 0 0
        parts = [part if i in seen else {_READ: [0, 0, 0]} for i, part in enumerate(parts)]
    return {**keypoint_object(values, sorted(seen), image), "parts": parts}


def keypoint_object(values: list[float], placed: list[int], image: ImageRecord) -> dict[str, Any]:
    """The ``bbox`` and ``extra`` (COCO ``keypoints``, ``num_keypoints``) of an object of keypoint triples
    ``values`` whose points ``placed`` were given: its box their labelled ones' extent (all of them when none
    is labelled), as a CVAT or Datumaro skeleton, which has no box of its own. ValueError: no point, or one
    far outside the image."""
    xy = [values[3 * i : 3 * i + 2] for i in placed]
    check_coordinates([c for p in xy for c in p], image.width, image.height, "")
    shown = [values[3 * i : 3 * i + 2] for i in placed if values[3 * i + 2] > 0] or xy
    if not shown:
        raise ValueError("it has no points")
    xs, ys = [p[0] for p in shown], [p[1] for p in shown]
    return {
        "bbox": [min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)],
        "extra": {"keypoints": values, "num_keypoints": sum(1 for v in values[2::3] if v > 0)},
    }


def skeleton_svg(names: list[str], edges: list[list[int]]) -> str:
    """A CVAT skeleton label's ``<svg>`` for parts ``names`` joined by COCO's 1-based ``edges`` (what
    ``svg_edges`` reads back), the nodes on a circle in CVAT's 0-100 drawing box: for a skeleton read from a
    format that has no drawing of it (Datumaro), so a CVAT export writes a skeleton label CVAT draws."""
    at = [
        (50 + 40 * math.cos(2 * math.pi * i / len(names)), 50 + 40 * math.sin(2 * math.pi * i / len(names)))
        for i in range(len(names))
    ]
    lines = [
        f'<line x1="{at[a - 1][0]:.3f}" y1="{at[a - 1][1]:.3f}" '
        f'x2="{at[b - 1][0]:.3f}" y2="{at[b - 1][1]:.3f}" '
        f'stroke="black" data-type="edge" data-node-from="{a}" stroke-width="0.5" data-node-to="{b}"></line>'
        for a, b in edges
    ]
    circles = [
        f'<circle r="1.5" stroke="black" fill="#b3b3b3" cx="{x:.3f}" cy="{y:.3f}" stroke-width="0.1" '
        f'data-type="element node" data-element-id="{i + 1}" data-node-id="{i + 1}" '
        f'data-label-name="{escape(name, {chr(34): "&quot;"})}"></circle>'
        for i, (name, (x, y)) in enumerate(zip(names, at, strict=True))
    ]
    return "".join(lines + circles)


def skeleton_values(a: Annotation, category: Category | None) -> list[float] | None:
    """The COCO triples the export writes ``a`` as a ``<skeleton>`` with: an object of a CVAT skeleton
    category holding one triple per part (read from CVAT, or given its points in the app)."""
    names = part_names(category)
    values = a.extra.get("keypoints")
    if names is None or not isinstance(values, list) or len(values) != 3 * len(names):
        return None
    if not all(type(v) in (int, float) and math.isfinite(v) for v in values):
        return None
    return values


def write_skeleton(
    node: ET.Element, attrib: dict[str, str], a: Annotation, category: Category, values: list[float]
) -> ET.Element:
    """``a`` as CVAT writes a skeleton: the shape's ``label source z_order [group_id]`` (no ``occluded``:
    its parts hold it), one ``<points>`` a part with ``label source outside occluded points`` (an
    unlabelled point ``outside="1"`` where it lies) and the attributes kept with it; returns the shape,
    whose own ``<attribute>`` values the caller adds after its parts, as CVAT orders them. A video track's
    skeleton and parts read with CVAT's ``keyframe="0"`` keep it while their points are the ones read: a
    moved point, and its skeleton, are keyframes (CVAT then keeps them where they were put), as is a copy
    made in PixelProof (its ``source`` set)."""
    shape = ET.SubElement(
        node, "skeleton", {k: v for k, v in attrib.items() if k not in ("occluded", KEYFRAME)}
    )
    kept = a.app_extra.get(SKELETON)
    kept = kept if isinstance(kept, list) and len(kept) == len(values) // 3 else []
    # made in PixelProof (a pasted or propagated copy): a keyframe; CVAT's interpolated frame read as a
    # fill (source ``interpolation:linear``) and edited keeps ``keyframe="0"`` on the parts not moved
    moved = a.source not in (None, FILLED)
    for i, name in enumerate(part_names(category) or []):
        x, y, v = values[3 * i : 3 * i + 3]
        part = as_dict(kept[i]) if kept else {}
        own = {str(k): str(s) for k, s in as_dict(part.get("attrib")).items()}
        unmoved = _same_point(part.get(_READ), [x, y, v])
        moved |= not unmoved
        if own.pop(KEYFRAME, None) == "0" and unmoved and a.source in (None, FILLED):
            own[KEYFRAME] = "0"
        el = ET.SubElement(
            shape,
            "points",
            {
                "label": name,
                "source": own.pop("source", attrib.get("source", "manual")),
                "outside": "0" if v > 0 else "1",
                "occluded": "1" if v == 1 else "0",
                "points": f"{float(x):.2f},{float(y):.2f}",
                **own,
            },
        )
        for key, text in as_dict(part.get("attributes")).items():
            ET.SubElement(el, "attribute", name=str(key)).text = str(text)
    if attrib.get(KEYFRAME) == "0" and not moved:
        shape.set(KEYFRAME, "0")
    return shape


def _same_point(read: Any, now: list[float]) -> bool:
    """Whether a part's point is the one read (``read``: x, y, visibility; to CVAT's 2 decimals); False
    when none was kept (a part read as a keyframe: written as one whatever it is)."""
    if not isinstance(read, list) or len(read) != 3:
        return False
    try:
        return [round(float(r), 2) for r in read] == [round(float(n), 2) for n in now]
    except (TypeError, ValueError):
        return False


def coco_skeleton_labels(project: Project) -> tuple[dict[int, Category], list[str]]:
    """CVAT skeleton labels for the categories that name COCO ``keypoints`` but are no CVAT label of a type
    (a COCO person_keypoints file's, or one given its names in the app): a copy of each with the skeleton
    label CVAT reads (its parts the names, its ``<svg>`` drawn from the COCO ``skeleton``), so a CVAT export
    writes their objects' keypoints as ``<skeleton>``s rather than dropping them. Left out, and said: a
    category whose names repeat or are another label's name (CVAT's label list holds each name once).
    Returns the copies by id and the warnings."""
    taken = {c.name for c in project.categories.values()}
    out: dict[int, Category] = {}
    said: list[str] = []
    for cat in project.categories.values():
        names = cat.extra.get("keypoints")
        if (
            as_dict(cat.extra.get("cvat")).get("type") == "skeleton"
            or not isinstance(names, list)
            or not names
        ):
            continue
        try:
            check_keypoint_count(len(names), cat.name)
        except LimitError as e:
            said.append(f"{e}: written as no CVAT skeleton, its objects as boxes")
            continue
        names = [str(n) for n in names]
        if len(set(names)) != len(names) or taken & set(names) or not all(n.strip() for n in names):
            said.append(
                f"{cat.name}: its keypoints written as no CVAT skeleton (a name repeats, is blank or is "
                f"another label's): its objects are written as boxes"
            )
            continue
        edges = [[a + 1, b + 1] for a, b in skeleton_edges(cat.extra.get("skeleton"), len(names)) if a != b]
        copy = replace(cat, extra=dict(cat.extra))
        cvat = {**as_dict(cat.extra.get("cvat")), "type": "skeleton", "svg": skeleton_svg(names, edges)}
        copy.extra["cvat"] = {**cvat, "sublabels": [{"name": n, "type": "points"} for n in names]}
        out[cat.id] = copy
        taken |= set(names)
    return out, said
