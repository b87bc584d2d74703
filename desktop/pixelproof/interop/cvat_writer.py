"""Writing CVAT for images 1.1 XML (``annotations.xml`` and the images in ``images/``); the reader and the
format's declaration are in :mod:`pixelproof.interop.cvat`."""

from __future__ import annotations

import copy
import itertools
import os
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from pixelproof.core import annotation_pixels
from pixelproof.core.clipboard import TRACK_ID
from pixelproof.core.cvat_attributes import (
    AttributeSpec,
    declared_attributes,
    effective_attributes,
    is_occluded,
)
from pixelproof.core.limits import LimitError, short_repr
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from pixelproof.core.track_fill import untouched_fill
from pixelproof.core.tracks import exported_track, named_tracks, named_tracks_text
from pixelproof.core.wording import noted_counts, plural
from pixelproof.interop._util import (
    UNCLASSIFIED,
    ProgressCallback,
    as_dict,
    check_image_mode,
    fresh_output,
    is_file,
    listed,
    project_name,
    rel_name,
    with_progress,
)
from pixelproof.interop.cvat_skeleton import coco_skeleton_labels, skeleton_values, write_skeleton
from pixelproof.interop.cvat_video_kept import KeptOutside, task_fields
from pixelproof.interop.cvat_video_writer import (
    KEYFRAME,
    frame_numbers,
    has_tracks,
    video_meta,
    write_tracks,
)
from pixelproof.interop.image_guard import make_folders
from pixelproof.interop.image_placing import place_image
from pixelproof.interop.safe_xml import check_category_names, make_valid_xml, xml_text
from pixelproof.interop.splits import folder_name, spelled
from pixelproof.interop.stems import unique_stems

# shapes that enclose no area (and image tags): the reader keeps them in the image's extras, the writer
# writes them back, and nothing else (a made-up tag would be a way to put any element into the file)
KEPT_SHAPES = ("polyline", "points", "skeleton", "cuboid", "tag")
# what a label's <attribute> declares, in CVAT's order; kept in the category's ``cvat`` extras
# a CVAT label's ``<type>`` (skeleton apart: written with its parts) -> the shape it allows; any: every one
LABEL_TYPES = {
    "rectangle": "box",
    "polygon": "polygon",
    "polyline": "polyline",
    "points": "points",
    "ellipse": "ellipse",
    "cuboid": "cuboid",
    "mask": "mask",
    "tag": "tag",
    "any": "",
}
ATTRIBUTE_SPEC = ("name", "mutable", "input_type", "default_value", "values")
# the ``tracks`` write option: CVAT for video's <track> elements, or CVAT for images
TRACK_CHOICES = {
    "auto": "Tracks when an object has a track_id",
    "yes": "CVAT for video (tracks)",
    "no": "CVAT for images (track_id as an attribute)",
}


def encode_mask(mask: np.ndarray) -> tuple[list[int], int, int, int, int]:
    """(runs, left, top, width, height) of a mask as CVAT writes it: the box of its pixels, row-major runs
    starting with a run of 0s (width = right - left + 1)."""
    ys, xs = np.nonzero(mask)
    left, top, right, bottom = int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())
    flat = mask[top : bottom + 1, left : right + 1].reshape(-1)
    change = np.flatnonzero(np.diff(flat.astype(np.int8))) + 1
    edges = np.concatenate(([0], change, [flat.size]))
    runs = np.diff(edges).tolist()
    if flat[0]:
        runs = [0, *runs]
    return runs, left, top, right - left + 1, bottom - top + 1


def write_cvat(
    project: Project,
    out_dir: str | os.PathLike[str],
    *,
    images: str = "link",
    tracks: str = "auto",
    progress: ProgressCallback | None = None,
) -> list[str]:
    """``annotations.xml`` (CVAT for images 1.1) and the images in ``images/`` ("keep": names point at the
    originals, relative to the output); returns warnings. A category name the reader would give back
    changed (blank, blanks around it) is refused first (``CategoryNameError``): the label list holds
    every category. ``tracks``: "yes" writes CVAT for video 1.1 (``cvat_video_writer``: ``<track>``
    elements, the images as ``images/frame_000010.png``), "auto" does so when an object has a
    ``track_id`` (a video task read from CVAT, a COCO video file), "no" never; images of more than one
    size are written as CVAT for images, with a warning (a video has one frame size)."""
    check_image_mode(images)
    if tracks not in TRACK_CHOICES:
        raise ValueError(f"tracks must be one of {', '.join(TRACK_CHOICES)}, got {tracks!r}")
    check_category_names(project.categories.values(), "CVAT XML", str(Path(out_dir) / "annotations.xml"))
    out = Path(out_dir)
    make_folders(out)
    derived, warnings = coco_skeleton_labels(project)
    if derived:  # COCO keypoints categories as CVAT skeleton labels: a view of the project, not changed
        project = copy.copy(project)
        project.categories = {**project.categories, **derived}
        warnings += _skeletons_said(project, derived)
    counts: Counter[str] = Counter()
    doc = ET.Element("annotations")
    ET.SubElement(doc, "version").text = "1.1"
    _meta(doc, project, _kept_labels(project))
    frames = _video_frames(project, tracks, warnings)
    if frames is not None and images == "keep":
        warnings.append(
            "images kept in place: CVAT for video names no image files, it finds a video's frames as "
            "images/frame_000010.png (export with images link or copy to have them there)"
        )
    task = doc.find("meta/task")
    if frames is not None and task is not None:
        first = next(iter(project.images.values()), None)
        numbers = list(frames.values())
        size = (first.width, first.height) if first else (0, 0)
        video_meta(task, numbers, size, task_fields(project, numbers))
    on_frames: list[tuple[int, ET.Element]] = []
    stems = _stems_by_folder(project)
    specs = {cid: declared_attributes(cat) for cid, cat in project.categories.items()}
    named = named_tracks(project)  # a track named "car-7": one number for all its objects, said
    if said := named_tracks_text(named):
        warnings.append(said)
    for k, image in enumerate(with_progress(list(project.images.values()), len(project.images), progress)):
        src = project.image_path(image)
        subset = "" if frames is not None else _subset(image)
        # the name as XML can hold it, and the copy under that same name so the two still meet
        name = xml_text(rel_name(src, out) if images == "keep" else stems[image.id] + src.suffix)
        if frames is not None:  # named as CVAT names a video's frames, which the reader finds them by
            name = f"frame_{frames[image.id]:06d}{src.suffix.lower() or '.png'}"
        if images != "keep":
            if is_file(src):
                dst = out / "images" / _folder(subset) / name
                if (placed := place_image(src, dst, images, image, project.applies_exif)) is not None:
                    warnings.append(placed)
            else:
                counts["missing"] += 1
        # for a video, a scratch element: the image's shapes, gathered into tracks below
        node = ET.SubElement(doc, "image", id=str(k), name=name) if frames is None else ET.Element("image")
        if subset:
            node.set("subset", subset)
        if frames is None and (task_id := _task_id(image)):  # the task of a project export's image
            node.set("task_id", task_id)
        node.attrib.update(width=str(image.width), height=str(image.height))
        anns = project.annotations_of(image.id)  # the stacking, back to front (Bring to Front)
        # groups for split objects: new numbers, never one an object of the image already has
        groups = itertools.count(
            max((g for a in anns if (g := _whole(a, "group_id")) is not None), default=0) + 1
        )
        top: int | None = None  # the z_order of the object under the next one: none yet
        for a in anns:
            z = top = stacked_z(_whole(a, "z_order"), top)
            before = len(node)
            try:
                _write_annotation(node, project, a, image, counts, groups, z, specs, named)
            except LimitError as e:  # a mask whose box is over the pixel limit: its box is written
                warnings.append(f"{e}; written as its box")
                _write_annotation(node, project, a, image, counts, groups, z, specs, named, as_box=True)
            if frames is not None:  # a shape Fill Between Frames made, untouched since: CVAT's interpolated
                fill = untouched_fill(a)  # one; so is a skeleton CVAT interpolated whose points are as read
                for shape in node[before:]:
                    kept_key = shape.tag == "skeleton" and shape.get(KEYFRAME) == "0"
                    shape.set(KEYFRAME, "0" if fill or kept_key else "1")
                    for part in shape if fill and shape.tag == "skeleton" else ():  # a filled pose's
                        if part.tag == "points":  # points are CVAT's interpolated ones too
                            part.set(KEYFRAME, "0")
        app = as_dict(image.extra.get("pixelproof"))
        shapes = as_dict(app.get("cvat")).get("shapes")
        for kept in shapes if isinstance(shapes, list) else []:
            _write_kept(node, kept, counts)
        if frames is None:  # a kept track shape's keyframe="0" is CVAT for video's, not for images'
            for shape in node.iter():
                shape.attrib.pop(KEYFRAME, None)
        else:
            on_frames += [(frames[image.id], shape) for shape in node]
    kept = KeptOutside(project, frames, named)
    if frames is not None:
        write_tracks(doc, on_frames, sorted(frames.values()), counts, kept)
        warnings += kept.unused()
    elif n := kept.count():
        warnings.append(
            f"{plural(n, 'outside shape')} of CVAT for video tracks left out: CVAT for images has no tracks"
        )
    if changed := _fit_types(doc):
        warnings.append(
            f"labels whose CVAT type no longer fits their shapes written as type any: {listed(changed)}"
        )
    counts["xml"] += make_valid_xml(doc)
    ET.indent(doc)
    with fresh_output(out / "annotations.xml") as f:
        ET.ElementTree(doc).write(f, encoding="utf-8", xml_declaration=True)
    messages = {
        "missing": ("image file", "not found; only their annotations were written"),
        "void": ("void region", "written as ordinary labels (CVAT has no void)"),
        "kept": ("kept shape", "in the image extras that are not CVAT shapes left out"),
        "tags": ("tag", "(image-level label) left out: CVAT for video has no tags"),
        "split": (
            "shape",
            "written as a track of its own: its track_id's track already has another label or kind of "
            "shape, or a shape on that frame (a polygon object's other parts)",
        ),
        "xml": (
            "text",
            "with characters XML cannot hold (control characters) written with U+FFFD, or "
            "extras whose key is no XML name left out",
        ),
    }
    warnings += noted_counts(counts, messages)
    return warnings


def _skeletons_said(project: Project, derived: dict[int, Category]) -> list[str]:
    """What a COCO keypoints category written as a CVAT skeleton label does to its objects: those with its
    keypoints become ``<skeleton>``s, which hold no box (read back, a box is its labelled points' extent),
    the others stay boxes."""
    said = []
    for cid, cat in derived.items():
        anns = list(project.annotations_with_category(cid))
        posed = sum(1 for a in anns if skeleton_values(a, cat) is not None)
        if posed:
            said.append(
                f"{plural(posed, 'object')} of {cat.name} written as CVAT <skeleton>s of its COCO keypoints: "
                "CVAT keeps no box with a skeleton (read back, each box is its labelled points' extent)"
            )
        if len(anns) > posed:
            said.append(f"{plural(len(anns) - posed, 'object')} of {cat.name} without its keypoints: boxes")
    return said


def writes_video(project: Project, tracks: str = "auto") -> bool:
    """Whether the CVAT export of ``project`` is CVAT for video (``<track>`` elements): ``tracks`` asks for
    it, or ("auto") an object has a track_id, and the images have one size (a video task's frames)."""
    return _wants_video(project, tracks) and len(_sizes(project)) == 1


def _wants_video(project: Project, tracks: str) -> bool:
    return tracks != "no" and bool(project.images) and (tracks != "auto" or has_tracks(project))


def _sizes(project: Project) -> set[tuple[int, int]]:
    return {(i.width, i.height) for i in project.images.values()}


def _video_frames(project: Project, tracks: str, warnings: list[str]) -> dict[int, int] | None:
    """Image id -> frame number when the export is CVAT for video (``tracks``), else None."""
    if not _wants_video(project, tracks):
        return None
    sizes = _sizes(project)
    if len(sizes) > 1:
        warnings.append(
            f"images of {len(sizes)} sizes: written as CVAT for images with each object's track_id, not as "
            "CVAT for video tracks (a video task has one frame size)"
        )
        return None
    return frame_numbers(project)


def _task_id(image: ImageRecord) -> str | None:
    """The ``task_id`` a CVAT project export gave the image, as read (a whole number), else None."""
    value = as_dict(as_dict(image.extra.get("pixelproof")).get("cvat")).get("task_id")
    return value if isinstance(value, str) and value.isascii() and value.isdecimal() else None


def _subset(image: ImageRecord) -> str:
    """The image's CVAT subset, or "": the one it was read with (a project export's Train, a user's
    Night) while it still names the image's split, else its split as CVAT names them by default (train:
    Train, val: Validation, test: Test; ``interop.splits``), so YOLO's splits become subsets."""
    kept = as_dict(as_dict(image.extra.get("pixelproof")).get("cvat")).get("subset")
    return spelled(image, "cvat", kept) or ""


def _folder(subset: str) -> str:
    """The folder under ``images/`` a subset's images go to, as CVAT lays out a project export: the
    subset's name when it is one plain folder name, else none (``../x``, ``/abs`` must never lead
    outside the output; the subset is still written as the image's attribute)."""
    return subset if folder_name(subset) else ""


def _stems_by_folder(project: Project) -> dict[int, str]:
    """Image id -> file stem, unique among the images of one folder (``img0.jpg`` of Train and of
    Validation keep their name, which CVAT matches frames by); folders compared ignoring case."""
    folders: dict[str, list[ImageRecord]] = {}
    for image in project.images.values():
        folders.setdefault(_folder(_subset(image)).casefold(), []).append(image)
    stems: dict[int, str] = {}
    for members in folders.values():
        stems.update(unique_stems(project, members))
    return stems


def _kept_label(kept: dict[str, Any]) -> str:
    """The label a kept shape (a polyline, points, a tag...) is written with: its own, trimmed, or
    ``Unclassified`` when it has none, as the reader files a polygon without one."""
    return str(as_dict(kept.get("attrib")).get("label", "")).strip() or UNCLASSIFIED


def kept_shapes(extra: Any, longest: int = 200) -> list[str]:
    """An image's shapes kept from CVAT (polylines, points, skeletons not read as objects, cuboids, tags),
    one ``kind label`` line each with its attributes, for the app to show on that image: they are no
    objects, but a CVAT team who drew them must see they came in (they go back on export to CVAT)."""
    shapes = as_dict(as_dict(as_dict(extra).get("pixelproof")).get("cvat")).get("shapes")
    lines = []
    for kept in shapes if isinstance(shapes, list) else []:
        if not isinstance(kept, dict) or (kind := kept.get("tag", "points")) not in KEPT_SHAPES:
            continue
        values = ", ".join(f"{k}={v}" for k, v in as_dict(kept.get("attributes")).items())
        line = f"{kind} {_kept_label(kept)}" + (f" ({values})" if values else "")
        lines.append(line if len(line) <= longest else line[: longest - 1] + "…")
    return lines


def _kept_labels(project: Project) -> list[str]:
    """The labels kept shapes are written with that no category is named (``Unclassified`` for a shape
    without a label, a class renamed since): declared in the label list too, so every shape's label is."""
    names = {cat.name for cat in project.categories.values()}
    out: dict[str, None] = {}
    for image in project.images.values():
        shapes = as_dict(as_dict(image.extra.get("pixelproof")).get("cvat")).get("shapes")
        for kept in shapes if isinstance(shapes, list) else []:
            if isinstance(kept, dict) and (label := _kept_label(kept)) not in names:
                out[label] = None
    return list(out)


def _meta(doc: ET.Element, project: Project, extra_labels: list[str]) -> None:
    task = ET.SubElement(ET.SubElement(doc, "meta"), "task")
    ET.SubElement(task, "name").text = project_name(project) or "pixelproof"
    ET.SubElement(task, "size").text = str(len(project.images))
    ET.SubElement(task, "mode").text = "annotation"
    labels = ET.SubElement(task, "labels")
    seen_attrs: dict[int, dict[str, None]] = {}
    for a in project.annotations.values():
        seen_attrs.setdefault(a.category_id, {}).update(
            dict.fromkeys(map(str, as_dict(a.app_extra.get("attributes"))))
        )
    for cat in project.categories.values():
        label = ET.SubElement(labels, "label")
        ET.SubElement(label, "name").text = cat.name
        if cat.color:
            ET.SubElement(label, "color").text = cat.color
        cvat = as_dict(cat.extra.get("cvat"))
        kind = cvat.get("type")  # a hand-edited project's list or object there is no type: not written
        if isinstance(kind, str) and (kind == "skeleton" or kind in LABEL_TYPES):  # as read (``_fit_types``)
            ET.SubElement(label, "type").text = str(kind)
        _attributes(ET.SubElement(label, "attributes"), cvat.get("attributes"), seen_attrs.get(cat.id, {}))
        if cvat.get("type") != "skeleton":
            continue
        ET.SubElement(label, "svg").text = str(cvat.get("svg", ""))
        parts = cvat.get("sublabels")
        for part in (as_dict(p) for p in (parts if isinstance(parts, list) else [])):
            sub = ET.SubElement(labels, "label")
            ET.SubElement(sub, "name").text = str(part.get("name", ""))
            if part.get("color"):
                ET.SubElement(sub, "color").text = str(part["color"])
            ET.SubElement(sub, "type").text = str(part.get("type") or "points")
            ET.SubElement(sub, "attributes")
            ET.SubElement(sub, "parent").text = cat.name
    for name in extra_labels:
        label = ET.SubElement(labels, "label")
        ET.SubElement(label, "name").text = name
        ET.SubElement(label, "attributes")


def _fit_types(doc: ET.Element) -> list[str]:
    """The labels whose declared ``<type>`` a shape written with them no longer fits (a polygon label
    whose object was painted into a mask): made ``any``, which CVAT takes every shape of; each named
    with its type and the shapes it now has."""
    used: dict[str, set[str]] = {}
    for holder in [*doc.iterfind("image"), *doc.iterfind("track")]:  # a track's shapes: its label's
        for shape in holder:
            label = holder.get("label") if holder.tag == "track" else shape.get("label")
            if label is not None:
                used.setdefault(label, set()).add(shape.tag)
    changed = []
    for label in doc.iterfind("meta/task/labels/label"):
        node = label.find("type")
        kind = node.text if node is not None else None
        if kind not in LABEL_TYPES or kind == "any":
            continue
        other = sorted(used.get(label.findtext("name") or "", set()) - {LABEL_TYPES[kind]})
        if other:
            changed.append(f"{short_repr(label.findtext('name'))} ({kind}; now {', '.join(other)} too)")
            node.text = "any"
    return changed


def _attributes(node: ET.Element, declared: Any, seen: dict[str, None]) -> None:
    """A label's attributes: those it declared when read (type, values, default), then any other an
    object has, as free text."""
    specs = [as_dict(spec) for spec in (declared if isinstance(declared, list) else [])]
    specs = [spec for spec in specs if str(spec.get("name", "")).strip()]
    names = {str(spec["name"]) for spec in specs}
    specs += [
        {"name": name, "input_type": "text", "default_value": "", "values": ""}
        for name in seen
        if name not in names
    ]
    for spec in specs:
        attr = ET.SubElement(node, "attribute")
        for key in ATTRIBUTE_SPEC:
            if key in spec:
                ET.SubElement(attr, key).text = str(spec[key])


def _write_annotation(
    node: ET.Element,
    project: Project,
    a: Annotation,
    image: ImageRecord,
    counts: Counter[str],
    groups: Iterator[int],
    z_order: int,
    specs: dict[int, list[AttributeSpec]],
    named: dict[str, int],
    as_box: bool = False,
) -> None:
    counts["void"] += project.is_void(a) and not as_box
    occluded = a.app_extra.get("occluded", 0)  # the reader keeps an integer; anything else: yes or no
    occluded = occluded if type(occluded) is int else int(is_occluded(a))
    attrib = {
        "label": project.categories[a.category_id].name,
        "source": cvat_source(a),
        "occluded": str(occluded),
        "z_order": str(z_order),
    }
    group = _whole(a, "group_id")
    parts: list[tuple[str, dict[str, str]]] = []
    if a.kind == "box" or as_box:
        x, y, w, h = a.bbox
        parts.append(("box", {"xtl": _f(x), "ytl": _f(y), "xbr": _f(x + w), "ybr": _f(y + h)}))
    elif a.kind == "polygon":
        polys = [p for p in a.segmentation if len(p) >= 6]
        for p in polys:
            parts.append(
                (
                    "polygon",
                    {"points": ";".join(f"{_f(x)},{_f(y)}" for x, y in zip(p[0::2], p[1::2], strict=True))},
                )
            )
        if len(polys) > 1 and group is None:
            group = next(groups)  # the parts of one object share a group, as CVAT groups shapes
    else:
        where = f"{image.file_name}: annotation {a.id}"
        found = annotation_pixels.annotation_crop(a, image.height, image.width, where)  # its box only
        if found is not None and found[1].any():
            (x, y, _, _), crop = found
            runs, left, top, w, h = encode_mask(crop)
            parts.append(
                (
                    "mask",
                    {
                        "rle": ", ".join(map(str, runs)),
                        "left": str(left + x),
                        "top": str(top + y),
                        "width": str(w),
                        "height": str(h),
                    },
                )
            )
    if group is not None:
        attrib["group_id"] = str(group)
    # a video's track (CVAT for video, a COCO video file): read back here; "03", " 3" and 3 are track 3
    if (track := exported_track(a.extra.get(TRACK_ID), named)) is not None:
        attrib[TRACK_ID] = str(track)
    # extra attributes add to the shape, never replace its label or geometry
    attrib.update(
        {str(k): str(v) for k, v in as_dict(a.app_extra.get("cvat_attrib")).items() if k not in attrib}
    )
    # every attribute the label declares (the object's value or the default, as CVAT holds them), then
    # those it holds undeclared
    values = effective_attributes(a, specs[a.category_id])
    category = project.categories[a.category_id]
    if not as_box and (keypoints := skeleton_values(a, category)) is not None:
        shape = write_skeleton(node, attrib, a, category, keypoints)  # its box is its points' extent
        for name, value in values.items():
            ET.SubElement(shape, "attribute", name=name).text = value
        return
    for tag, geometry in parts:
        shape = ET.SubElement(node, tag, {**attrib, **geometry})
        for name, value in values.items():
            ET.SubElement(shape, "attribute", name=name).text = value


def cvat_source(a: Annotation) -> str:
    """CVAT's ``source`` from the object's own provenance: a model's prediction is "auto", an object a
    person made in PixelProof (drawn, pasted, edited into being) "manual". The source read from CVAT
    (``cvat_source``) is kept only for an object PixelProof gave none (one read from a file): it tells
    what PixelProof cannot, e.g. "semi-auto". A copy of an "auto" object is so a person's, as CVAT has it."""
    if a.source is None:
        return str(a.app_extra.get("cvat_source") or "manual")
    return "auto" if a.source.startswith("model:") else "manual"


Z_LIMIT = 2**31  # CVAT keeps z_order in a 32-bit integer column (PostgreSQL's integer)


def stacked_z(kept: int | None, top: int | None) -> int:
    """The ``z_order`` of the next object up the stacking, ``top`` that of the one under it (None: the
    first): its own as read from CVAT while that keeps it over the ones before (a round trip writes the
    values back), the same as the one under it for an object without one (made in PixelProof: CVAT draws
    the later of equal ones on top), and one more when it was brought over objects of a higher ``z_order``
    (Bring to Front). Within CVAT's 32-bit integer column (``Shape.z_order``): a kept value outside it (a
    hand-edited file's 10**17) counts as none, and an object brought over one at the top stays at the top
    (equal values: the later is drawn on top) - CVAT refused the whole task's import over one such value."""
    if kept is not None and not -Z_LIMIT <= kept < Z_LIMIT:
        kept = None
    if top is None:
        return 0 if kept is None else kept
    if kept is None:
        return top
    return kept if kept >= top else min(top + 1, Z_LIMIT - 1)


def _whole(a: Annotation, key: str) -> int | None:
    """An integer extra (``z_order``, ``group_id``) as CVAT's and Datumaro's loaders parse it (``int()``:
    anything else there makes them refuse the whole file); None when it is no whole number."""
    value = a.app_extra.get(key)
    return value if type(value) is int else None


def _write_kept(node: ET.Element, kept: Any, counts: Counter[str], part: bool = False) -> None:
    """A shape kept from a CVAT file, written back (a whole shape with the label ``_kept_label`` names,
    a skeleton's ``part`` with its own); one that is not a CVAT shape (a made-up tag would be a way to put
    any element into the file) is counted and left out."""
    if not isinstance(kept, dict) or kept.get("tag", "points") not in KEPT_SHAPES:
        counts["kept"] += 1
        return
    attrib = {str(k): str(v) for k, v in as_dict(kept.get("attrib")).items()}
    if not part:
        attrib["label"] = _kept_label(kept)
    shape = ET.SubElement(node, kept.get("tag", "points"), attrib)
    for name, value in as_dict(kept.get("attributes")).items():
        ET.SubElement(shape, "attribute", name=str(name)).text = str(value)
    children = kept.get("children")
    for child in children if isinstance(children, list) else []:
        _write_kept(shape, child, counts, part=True)


def _f(v: float) -> str:
    return f"{float(v):.2f}"
