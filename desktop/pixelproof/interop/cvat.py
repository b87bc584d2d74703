"""CVAT 1.1 XML, for images and for video (``annotations.xml`` of a task or project export, images in
``images/`` or ``images/<subset>/``).

Shapes: ``box`` (``rotation`` turns it into a 4-corner polygon), ``polygon``, ``ellipse`` (a 64-point
polygon), ``mask`` (``rle`` = comma-separated run lengths starting with a run of 0s, row-major inside the box
``left top width height``, as CVAT's writer makes them). ``polyline``, ``points``, ``skeleton`` and ``cuboid``
enclose no area: they are not objects, so each is reported and kept in the image's extras, and written back
on export to CVAT; ``tag`` (image-level labels) likewise. ``occluded``, ``z_order``, ``group_id``, the CVAT
``source`` and the ``<attribute>`` values are kept in the annotation's extras; polygons of one label
sharing a ``group_id`` are the parts of one object. A shape with no label (``label=""``, Datumaro's way to
write an annotation without one) is an object of ``Unclassified``, as the GeoJSON reader names objects
without a class. ``<track>`` (CVAT for video): each shape on its frame (:mod:`cvat_tracks`).
"""

from __future__ import annotations

import math
import os
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from pixelproof.core.clipboard import track_value
from pixelproof.core.coordinate_limits import check_coordinates
from pixelproof.core.imageio import ImageReadError, image_size
from pixelproof.core.keypoints import BOX_OF_KEYPOINTS
from pixelproof.core.limits import LimitError, check_image_size, short_repr
from pixelproof.core.model import Annotation, ImageRecord, Project
from pixelproof.core.split_names import subset_split
from pixelproof.core.track_fill import mark_interpolated
from pixelproof.core.wording import plural
from pixelproof.interop._util import (
    UNCLASSIFIED,
    Builder,
    ImportResult,
    ProblemCallback,
    ProgressCallback,
    Reporter,
    as_dict,
    folder_project,
    is_file,
    listed,
    rel_name,
    small_int,
    with_progress,
)
from pixelproof.interop.cvat_skeleton import SKELETON, declare_keypoints, part_names, read_skeleton
from pixelproof.interop.cvat_tracks import TRACK_ID, frames_of_tracks
from pixelproof.interop.cvat_video_kept import keep_task, name_sequence
from pixelproof.interop.cvat_writer import (
    ATTRIBUTE_SPEC,
    KEPT_SHAPES,
    LABEL_TYPES,
    TRACK_CHOICES,
    write_cvat,
    writes_video,
)
from pixelproof.interop.formats import Format, Option, images_option, sniff
from pixelproof.interop.grouped_parts import join_grouped_polygons
from pixelproof.interop.labelme import circle_polygon
from pixelproof.interop.splits import set_split

AREA_SHAPES = ("box", "polygon", "ellipse", "mask")
_COMMON = ("label", "source", "occluded", "z_order", "group_id")
# A skeleton holds its points (2 levels); each level is 2 of the kept JSON, which must stay far below
# limits.MAX_JSON_DEPTH (deeper nesting made the project unsavable, thousands a RecursionError).
MAX_KEPT_NESTING = 32


def read_cvat(
    path: str | os.PathLike[str],
    *,
    on_problem: ProblemCallback | None = None,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Import a CVAT 1.1 XML file (for images or for video), or the export folder holding
    ``annotations.xml``; the result's ``kind`` says which (``file_kind``)."""
    src = Path(path)
    xml = src if src.is_file() else src / "annotations.xml"
    if not xml.is_file():
        found = sorted(f for f in src.glob("*.xml") if b"<annotations" in sniff(f, 4096))
        if len(found) != 1:
            raise ValueError("no annotations.xml (or one CVAT XML file) in this folder")
        xml = found[0]
    root = xml.parent
    report = Reporter(on_problem)
    project = folder_project(root)
    build = Builder(project)
    try:
        doc = ET.parse(xml).getroot()
    except (ET.ParseError, LookupError, ValueError) as e:  # also an encoding Python lacks or cannot use
        report.skip("files", f"{xml}: not readable XML ({e}); skipped")
        return ImportResult(project, report.problems, report.skipped)
    if doc.tag != "annotations":
        report.skip("files", f"{xml}: not CVAT XML (root element <{doc.tag}>); skipped")
        return ImportResult(project, report.problems, report.skipped)
    _labels(doc, build)
    declare_keypoints(project, str(xml), report)
    tracks = doc.findall("track")
    notes = _Notes()
    outside: list[dict[str, Any]] = []
    frames, n_shapes = (
        frames_of_tracks(doc, root, xml, report, notes.interpolated, outside) if tracks else ([], 0)
    )
    if tracks and frames:
        keep_task(project, doc, [int(f.get("id", "0")) for f in frames], outside)
        report(
            f"{xml}: {plural(len(tracks), '<track> element')} (CVAT for video) read as "
            f"{plural(n_shapes, 'shape')} on {plural(len(frames), 'frame')} (images named by frame number, "
            'frame_000000..., the shapes with outside="1" kept apart for the CVAT export, the frames in '
            "images/ without any as empty images); each object keeps its track's id as track_id (written "
            "to COCO and LabelMe, and as tracks again by the CVAT export)"
        )
    elif tracks:
        report.skipped["tracks"] += len(tracks)
        ids = ", ".join(f"id {t.get('id', '?')} ({t.get('label', '?')})" for t in tracks[:20])
        more = f" and {len(tracks) - 20} more" if len(tracks) > 20 else ""
        report(
            f"{xml}: {plural(len(tracks), '<track> element')} (CVAT for video) skipped: {ids}{more}; "
            "the file gives no frame size (original_size): export as CVAT for images"
        )
    images = doc.findall("image") + frames
    for k, node in enumerate(with_progress(images, len(images), progress)):
        _read_image(xml, k, node, root, build, report, notes)
    if outside and frames:  # the marks name their video: the folder its frames were read into
        name_sequence(project, frames[0].get("name", ""), outside)
    report.summarise(xml)
    notes.report(xml, report)
    return ImportResult(project, report.problems, report.skipped, kind=file_kind(doc))


class _Notes:
    """What one file's images share: the rotated boxes and ellipses made polygons and the shapes without a
    label (one line per file, not one per shape) and the image that named each file first."""

    def __init__(self) -> None:
        self.turned: dict[str, list[str]] = {"box": [], "ellipse": []}
        self.unlabeled: list[str] = []
        self.first_image: dict[str, str] = {}  # an image's file name -> the <image> that named it first
        # a track's shape CVAT interpolated (keyframe="0") -> the frames of the keyframes it lies between
        self.interpolated: dict[ET.Element, list[int]] = {}
        self.fills: list[tuple[Annotation, list[int]]] = []  # the image's shapes to mark as fills

    def second_record(self, file_name: str, place: str) -> str | None:
        """The ``<image>`` that named ``file_name`` before ``place`` did (``image 3 (a.png)``), if one did."""
        first = self.first_image.get(file_name)
        if first is None:
            self.first_image[file_name] = place
        return first

    def report(self, xml: Path, report: Reporter) -> None:
        boxes, ellipses = self.turned["box"], self.turned["ellipse"]
        if boxes or ellipses:
            counts = [plural(len(boxes), "rotated box")] if boxes else []
            counts += [plural(len(ellipses), "ellipse")] if ellipses else []
            report(
                f"{xml}: {' and '.join(counts)} imported as polygons "
                "(PixelProof's boxes are upright and it draws no ellipses; written back to CVAT as "
                f"polygons): {listed(boxes + ellipses)}"
            )
        if self.unlabeled:
            report(
                f"{xml}: {plural(len(self.unlabeled), 'shape')} with no label imported into the category "
                f"{UNCLASSIFIED!r}: {listed(self.unlabeled)}"
            )


def _labels(doc: ET.Element, build: Builder) -> None:
    """Categories from the label list of the task or project, in their order, with their colours. The
    parts of a skeleton (labels with a ``<parent>``) are no categories: they stay in the skeleton's
    category extras (``cvat``, with its ``type`` and ``svg``), so the export writes the skeleton whole."""
    for label in doc.iterfind("meta/*/labels/label"):
        name = (label.findtext("name") or "").strip()
        if not name:
            continue
        color = (label.findtext("color") or "").strip().lower()
        if not (
            len(color) == 7 and color.startswith("#") and all(c in "0123456789abcdef" for c in color[1:])
        ):
            color = ""
        kind = (label.findtext("type") or "").strip()
        parent = build.project.category_by_name((label.findtext("parent") or "").strip())
        if parent is not None and as_dict(parent.extra.get("cvat")).get("type") == "skeleton":
            parent.extra["cvat"]["sublabels"].append({"name": name, "type": kind, "color": color})
            continue
        cat = build.category(name)
        cat.color = color or cat.color
        if kind == "skeleton":
            cat.extra["cvat"] = {"type": kind, "svg": label.findtext("svg") or "", "sublabels": []}
        elif kind in LABEL_TYPES:  # written back while its shapes still fit it
            cat.extra.setdefault("cvat", {})["type"] = kind
        if specs := _attribute_specs(label):
            cat.extra.setdefault("cvat", {})["attributes"] = specs


def _attribute_specs(label: ET.Element) -> list[dict[str, str]]:
    """The attributes a label declares (type, values, default, mutable), as the export writes them back:
    a CVAT select or number attribute must not come back as free text."""
    return [
        {child.tag: child.text or "" for child in attr if child.tag in ATTRIBUTE_SPEC}
        for attr in label.iterfind("attributes/attribute")
        if (attr.findtext("name") or "").strip()
    ]


def _image_file(root: Path, node: ET.Element) -> Path:
    name = node.get("name", "")
    subset = node.get("subset")
    candidates = [root / "images" / subset / name] if subset else []
    candidates += [root / "images" / name, root / name]
    return next((c for c in candidates if is_file(c)), candidates[0])


def _read_image(
    xml: Path,
    k: int,
    node: ET.Element,
    root: Path,
    build: Builder,
    report: Reporter,
    notes: _Notes,
) -> None:
    """One ``<image>`` and its shapes; a second record of one file and each rotated box and ellipse made
    a polygon go to ``notes``."""
    # in the file (a notes line names it); a project export numbers each subset's images from 0 again and
    # names img0.jpg in each, so the subset tells them apart: image 0 (Train/img0.jpg)
    subset = f"{node.get('subset')}/" if node.get("subset") else ""
    place = f"image {node.get('id', k)} ({subset}{node.get('name', '?')})"
    where = f"{xml}: {place}"
    name = node.get("name", "")
    file = _image_file(root, node)
    if not name:
        report.skip("images", f"{where}: the image has no name; skipped")
        return
    try:
        width, height = int(node.get("width", "")), int(node.get("height", ""))
        if width <= 0 or height <= 0:
            raise ValueError
    except ValueError:
        try:
            width, height = image_size(file)
        except ImageReadError:
            given = node.get("width"), node.get("height")
            size = (
                "no width/height"
                if None in given
                else "width/height {} x {} is no size".format(*(short_repr(v) for v in given))
            )
            report.skip("images", f"{where}: {size} and the image cannot be read; skipped")
            return
    if not is_file(file):
        # an annotations-only export of a video task: one line a frame was thousands
        report.often(
            "images without their file", f"{where}: image file not found; imported with the size in the XML"
        )
    extra: dict[str, Any] = {}
    cvat = {key: node.get(key) for key in ("id", "subset", "task_id") if node.get(key) is not None}
    if cvat:
        extra["cvat"] = cvat
    # Train, Validation... as train, val: the split other formats write; "default" (no subset) as none
    set_split(extra, subset_split(node.get("subset")))
    try:
        image = build.image(
            rel_name(file, root), width, height, where=where, **({"pixelproof": extra} if extra else {})
        )
    except LimitError as e:  # a side over the limit
        report.skip("images", f"{e}; skipped")
        return
    if (first := notes.second_record(image.file_name, place)) is not None:
        report(
            f"{where}: {image.file_name} is also the file of {first}; imported as a "
            "second record of that file, its objects apart"
        )
    # in CVAT's drawing order (a higher z_order on top, else the file's order), which is PixelProof's
    # annotation order: the canvas and mask exports paint later objects over earlier ones
    shapes = sorted(enumerate(node), key=lambda n_shape: small_int(n_shape[1].get("z_order")) or 0)
    for n, shape in shapes:
        _read_shape(xml, f"{place}: <{shape.tag}> {n + 1}", shape, image, build, report, notes)
    join_grouped_polygons(build.project, image)
    # CVAT's interpolated shapes: fills, as Fill Between Frames makes (a group's parts joined first: each
    # part's own digest would have kept them apart)
    for ann, between in notes.fills:
        if build.project.annotations.get(ann.id) is ann:  # not joined into another part
            mark_interpolated(ann, between)
    notes.fills.clear()


def _attributes(shape: ET.Element) -> dict[str, str]:
    return {a.get("name", ""): (a.text or "") for a in shape.findall("attribute")}


def _nesting(shape: ET.Element) -> int:
    """Levels of elements in ``shape`` (1: no children), counted without recursion up to one past
    ``MAX_KEPT_NESTING``."""
    depth, level = 0, [shape]
    while level and depth <= MAX_KEPT_NESTING:
        depth += 1
        level = [child for el in level for child in el]
    return depth


def _kept(shape: ET.Element) -> dict[str, Any]:
    """A shape PixelProof does not edit, as data to write back."""
    out: dict[str, Any] = {"tag": shape.tag, "attrib": dict(shape.attrib)}
    if (attrs := _attributes(shape)) or shape.tag != "skeleton":
        out["attributes"] = attrs
    if shape.tag == "skeleton":
        out["children"] = [_kept(child) for child in shape if child.tag != "attribute"]
    return out


def _read_shape(
    xml: Path, at: str, shape: ET.Element, image: ImageRecord, build: Builder, report: Reporter, notes: _Notes
) -> None:
    """Import one shape (an object, or kept in the image's extras); a rotated box or an ellipse imported
    as a polygon, and a shape without a label, go to ``notes`` (said once per file)."""
    where = f"{xml}: {at}"
    label = shape.get("label", "").strip()  # as the label list's names are read: one category, not two
    shown = label or "no label"
    skeleton = _skeleton(where, shape, image, build, report) if shape.tag == "skeleton" else None
    if shape.tag in KEPT_SHAPES and skeleton is None:
        if _nesting(shape) > MAX_KEPT_NESTING:
            report.often(
                "skipped shapes",
                f"{where} ({shown}): nested more than {MAX_KEPT_NESTING} elements deep; skipped",
                shape.tag,
            )
            return
        app = image.extra.setdefault("pixelproof", {}).setdefault("cvat", {})
        app.setdefault("shapes", []).append(_kept(shape))
        if shape.tag != "tag":
            report.often(
                "shapes without area",
                f"{where} ({shown}): encloses no area; kept in the image extras, not an object",
                shape.tag,
            )
        return
    if shape.tag not in AREA_SHAPES and skeleton is None:
        report.often("skipped shapes", f"{where}: unknown element; skipped", shape.tag)
        return
    try:
        geometry = {"bbox": skeleton["bbox"]} if skeleton is not None else _geometry(shape, image)
    except (ValueError, TypeError) as e:
        report.often("skipped shapes", f"{where} ({shown}): {e}; skipped", "invalid")
        return
    app_extra: dict[str, Any] = {SKELETON: skeleton["parts"], BOX_OF_KEYPOINTS: True} if skeleton else {}
    for key in ("occluded", "z_order", "group_id"):
        value = small_int(shape.get(key))
        if value is not None:
            app_extra[key] = value
    if shape.get("source"):
        app_extra["cvat_source"] = shape.get("source")
    extra_attrib = {k: v for k, v in shape.attrib.items() if k not in _COMMON and k not in _GEOMETRY_KEYS}
    fields: dict[str, Any] = {"extra": skeleton["extra"]} if skeleton else {}  # COCO's keypoints
    written = extra_attrib.pop(TRACK_ID, "")
    if written.strip() and (track := track_value(written)) is not None:  # as the app reads one: " 03" is 3,
        fields.setdefault("extra", {})[TRACK_ID] = track  # "car-7" a track named so (the exports number it)
    if extra_attrib:
        app_extra["cvat_attrib"] = extra_attrib
    if attrs := _attributes(shape):
        app_extra["attributes"] = attrs
    try:
        category = build.category(label or UNCLASSIFIED)
        ann = build.annotation(
            image, category.id, app_extra=app_extra, where=f"{where} ({shown})", **fields, **geometry
        )
    except LimitError as e:  # coordinates far outside the image
        report.often("skipped shapes", f"{e}; skipped", "invalid")
        return
    # a skeleton's too: its digest holds its keypoints, so moving one point makes it a key
    if (between := notes.interpolated.get(shape)) is not None and ann.kind != "mask":
        notes.fills.append((ann, between))  # marked once the image's grouped parts are joined
    if shape.tag == "ellipse" or (shape.tag == "box" and "polygons" in geometry):
        notes.turned[shape.tag].append(at)
    if not label:
        notes.unlabeled.append(at)


_GEOMETRY_KEYS = (
    "xtl",
    "ytl",
    "xbr",
    "ybr",
    "points",
    "rotation",
    "cx",
    "cy",
    "rx",
    "ry",
    "rle",
    "left",
    "top",
    "width",
    "height",
)


def _num(shape: ET.Element, key: str) -> float:
    """A finite number; how far outside the image a position may lie is ``check_coordinates``' to say."""
    try:
        v = float(shape.get(key, "nan"))
    except ValueError:
        raise ValueError(f"{key} must be a number, got {short_repr(shape.get(key))}") from None
    if not math.isfinite(v):
        raise ValueError(f"{key} must be a finite number, got {short_repr(shape.get(key))}")
    return v


def _skeleton(
    where: str, shape: ET.Element, image: ImageRecord, build: Builder, report: Reporter
) -> dict[str, Any] | None:
    """A ``<skeleton>`` of an image or of a video's frame (a track's, with its ``track_id``) as an object
    with keypoints (``cvat_skeleton.read_skeleton``), None when it stays kept as it is: a label that is no
    skeleton, or one that does not fit its label's parts (said)."""
    category = build.project.category_by_name(shape.get("label", "").strip())
    if category is None or part_names(category) is None:
        return None
    try:
        return read_skeleton(shape, category, image)
    except (ValueError, LimitError) as e:  # the shape is kept as it is, and said so next
        report.often(
            "skeletons not read as keypoints", f"{where} ({category.name}): not read as keypoints: {e}"
        )
        return None


def _geometry(shape: ET.Element, image: ImageRecord) -> dict[str, Any]:
    if shape.tag == "box":
        x1, y1, x2, y2 = (_num(shape, k) for k in ("xtl", "ytl", "xbr", "ybr"))
        if x2 < x1 or y2 < y1:
            raise ValueError("xbr/ybr smaller than xtl/ytl")
        check_coordinates((x1, y1, x2, y2), image.width, image.height, "")  # before turning them
        rotation = _num(shape, "rotation") if shape.get("rotation") else 0.0
        if rotation % 360 == 0:
            return {"bbox": [x1, y1, x2 - x1, y2 - y1]}
        return {"polygons": [_rotated_box(x1, y1, x2, y2, rotation)]}
    if shape.tag == "polygon":
        pts = _points(shape.get("points", ""))
        if len(pts) < 6:
            raise ValueError("a polygon needs at least 3 points")
        return {"polygons": [pts]}
    if shape.tag == "ellipse":
        cx, cy, rx, ry = (_num(shape, k) for k in ("cx", "cy", "rx", "ry"))
        check_coordinates((cx, cy), image.width, image.height, "")  # the outline's are checked once made
        circle = np.asarray(circle_polygon(np.array([0.0, 0.0]), np.array([1.0, 0.0]))).reshape(-1, 2)
        angle = math.radians(_num(shape, "rotation") if shape.get("rotation") else 0.0)
        rot = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
        xy = (circle * (rx, ry)) @ rot.T + (cx, cy)
        return {"polygons": [[round(float(v), 3) for v in xy.reshape(-1)]]}
    return {"crop": mask_crop(shape, image.height, image.width)}


def _rotated_box(x1: float, y1: float, x2: float, y2: float, degrees: float) -> list[float]:
    """The 4 corners of a box turned clockwise by ``degrees`` about its centre (CVAT's rotation)."""
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    a = math.radians(degrees)
    corners = np.array([[x1, y1], [x2, y1], [x2, y2], [x1, y2]]) - (cx, cy)
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    return [round(float(v), 4) for v in (corners @ rot.T + (cx, cy)).reshape(-1)]


def _points(text: str) -> list[float]:
    out: list[float] = []
    for pair in filter(None, text.split(";")):
        try:
            fx, fy = (float(v) for v in pair.split(","))
        except ValueError:
            raise ValueError(f"points: {short_repr(pair)} is not an x,y pair of numbers") from None
        if not (math.isfinite(fx) and math.isfinite(fy)):
            raise ValueError("points must be finite numbers")
        out += [fx, fy]
    return out


def mask_crop(shape: ET.Element, height: int, width: int) -> tuple[tuple[int, int, int, int], np.ndarray]:
    """A CVAT ``<mask>`` (run lengths from 0s, row-major in the box at ``left, top`` of ``width x height``)
    as ((x, y, w, h), its pixels): the box cut to the height x width image, no image-sized array made.
    ``ValueError`` when no pixel of it lies inside the image."""
    left, top, w, h = (int(_num(shape, k)) for k in ("left", "top", "width", "height"))
    check_image_size(w, h, "the mask's box")  # the box is decoded at once
    try:
        runs = [int(v) for v in shape.get("rle", "").replace(" ", "").split(",") if v]
    except ValueError:
        raise ValueError(
            f"rle must be whole numbers separated by commas, got {short_repr(shape.get('rle'))}"
        ) from None
    if w <= 0 or h <= 0 or any(r < 0 for r in runs) or sum(runs) != w * h:
        raise ValueError(
            f"rle must hold width x height = {w * h} pixels in non-negative runs, got {sum(runs)}"
        )
    values = np.zeros(len(runs), dtype=bool)
    values[1::2] = True
    crop = np.repeat(values, runs).reshape(h, w)
    y0, x0 = max(top, 0), max(left, 0)
    y1, x1 = min(top + h, height), min(left + w, width)
    if y1 <= y0 or x1 <= x0 or not (inside := crop[y0 - top : y1 - top, x0 - left : x1 - left]).any():
        raise ValueError("the mask has no pixel inside the image")
    return (x0, y0, x1 - x0, y1 - y0), inside


def looks_like_cvat(path: Path) -> bool:
    xml = path / "annotations.xml" if path.is_dir() else path
    head = sniff(xml, 4096)
    return b"<annotations" in head and b"<version>" in head


# the format list's title names both kinds CVAT exports, as CVAT names them: a video task's user is not sent
# to "for images"; an import's Source and the export's summary name the kind (``Format.title_of``)
TITLE = "CVAT 1.1 XML (for images or for video)"
KINDS = (("images", "CVAT for images 1.1 XML"), ("video", "CVAT for video 1.1 XML"))


def file_kind(doc: ET.Element) -> str:
    """ "video" for a CVAT for video file (``<track>`` elements, or a video task's ``interpolation`` mode and
    no ``<image>``: an empty video task), else "images" (a video task exported as CVAT for images has
    ``<image>`` elements: that file is for images)."""
    if doc.find("track") is not None:
        return "video"
    modes = {(m.text or "").strip() for m in doc.iterfind("meta//mode")}
    return "video" if "interpolation" in modes and doc.find("image") is None else "images"


def _written_kind(project: Project, options: Mapping[str, Any]) -> str:
    """What the export writes: CVAT for video when an object has a track_id (``tracks``), else for images."""
    return "video" if writes_video(project, options.get("tracks", "auto")) else "images"


FORMAT = Format(
    name="cvat",
    title=TITLE,
    kinds=KINDS,
    written_kind=_written_kind,
    reader=read_cvat,
    declares_sizes=True,
    writer=write_cvat,
    write_options=(
        images_option("into images/", "names point at the originals"),
        Option(
            "tracks",
            "choice",
            "yes: CVAT for video (<track> elements); no: CVAT for images; auto: video when an object has a "
            "track_id (a video task read from CVAT, a COCO video file)",
            "auto",
            choices=TRACK_CHOICES,
            label="Tracks",
        ),
    ),
    detect=looks_like_cvat,
    suffixes=(".xml",),
    lost_on_export=(
        "box and polygon coordinates beyond 2 decimals (keypoints too), the void flag, the crowd flag; a "
        "skeleton's own `occluded` (CVAT's export writes none: its points hold it); ellipses and rotated "
        "boxes stay polygons; a label's `<type>` one of its shapes no longer fits (written `any`, said); "
        "scores, review state, notes"
    ),
)
