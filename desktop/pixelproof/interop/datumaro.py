"""Datumaro JSON (CVAT's "Datumaro 1.0" export, ``datum export -f datumaro``): ``annotations/<subset>.json``
with ``images/<subset>/<path>`` (older exports: ``images/<path>``).

A file holds the label list (``categories.label.labels``, a label with a ``parent`` being a skeleton's part),
the mask colour map (``categories.mask.colormap``: the labels' colours, black only for a background) and
``items``, each with its ``image`` (``path`` and ``size`` = [height, width]) and ``annotations``. ``bbox``
([x, y, w, h]), ``polygon`` (flat points), ``mask`` (COCO RLE of the image, ``rle.size`` = [height, width])
and ``ellipse`` (its box's corners, made a 64-point polygon) are objects; ``attributes``, ``z_order``,
``group`` and ``id`` are kept in the object's extras (``occluded`` as the CVAT reader keeps it), and an
image's objects come in drawing order (a higher ``z_order`` on top). Polygons of one label in one non-zero
``group`` are one object, as the CVAT reader joins a ``group_id``'s (``grouped_parts``). The other annotation
types (``label``, ``points``, ``polyline``, ``skeleton``, ``caption``, ``cuboid_3d``, ...) enclose no area:
each is counted, named by item and index in one line per file, and kept in the image's extras.
"""

from __future__ import annotations

import math
import os
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from pixelproof.core import masks as core_masks
from pixelproof.core.limits import LimitError, check_json_depth, short_repr
from pixelproof.core.model import ImageRecord
from pixelproof.core.split_names import subset_split
from pixelproof.core.wording import plural
from pixelproof.interop._util import (
    UNCLASSIFIED,
    Builder,
    ImportResult,
    ProblemCallback,
    ProgressCallback,
    Reporter,
    as_dict,
    as_list,
    folder_project,
    group_id,
    is_file,
    listed,
    rel_name,
    with_progress,
)
from pixelproof.interop.dataset_json import loads_json
from pixelproof.interop.datumaro_keypoints import (
    KEYPOINT_TYPES,
    declare_keypoints,
    keypoint_fields,
    read_keypoints,
)
from pixelproof.interop.formats import Format, sniff
from pixelproof.interop.grouped_parts import join_grouped_polygons
from pixelproof.interop.labelme import circle_polygon
from pixelproof.interop.splits import set_split

AREA_TYPES = ("bbox", "polygon", "mask", "ellipse")
# the names whose black in the mask colour map is meant: any other class drawn black would not be seen
BACKGROUND_NAMES = ("background", "_background_")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp")


def read_datumaro(
    path: str | os.PathLike[str],
    *,
    on_problem: ProblemCallback | None = None,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Import a Datumaro export folder (every ``annotations/*.json``, one subset each) or one such file."""
    src = Path(path)
    if src.is_file():
        files, root = [src], (src.parent.parent if src.parent.name == "annotations" else src.parent)
    else:
        root = src
        files = sorted((src / "annotations").glob("*.json")) or sorted(src.glob("*.json"))
        if not files:
            raise ValueError("no annotations/*.json (a Datumaro export's subsets) in this folder")
    report = Reporter(on_problem)
    build = Builder(folder_project(root))
    for file in files:
        _read_file(file, root, build, report, progress)
    return ImportResult(build.project, report.problems, report.skipped)


def _read_file(
    file: Path, root: Path, build: Builder, report: Reporter, progress: ProgressCallback | None
) -> None:
    try:
        doc = loads_json(file.read_bytes())
    except (OSError, ValueError) as e:
        report.skip("files", f"{file}: not readable JSON ({e}); skipped")
        return
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
        report.skip("files", f"{file}: no Datumaro 'items' list; skipped")
        return
    subset = file.stem
    labels = _labels(as_dict(doc.get("categories")), build)
    parts = declare_keypoints(as_dict(doc.get("categories")), labels, build, str(file), report)
    items = doc["items"]
    kept: dict[str, list[str]] = {}
    seen: dict[str, tuple[str, ImageRecord]] = {}  # an item id -> the first item of it and its image
    for k, item in enumerate(with_progress(items, len(items), progress)):
        if not isinstance(item, dict):
            report.skip("images", f"{file}: items[{k}]: not an object; skipped")
            continue
        item_id = item.get("id")
        key = str(item_id) if isinstance(item_id, str | int) and not isinstance(item_id, bool) else None
        place = f"items[{k}] ({short_repr(item_id)})"
        first = seen.get(key) if key is not None else None
        image = _read_item(file, place, item, subset, root, labels, build, report, kept, first, parts)
        if key is not None and first is None and image is not None:
            seen[key] = (f"items[{k}]", image)
    if kept:
        counts = Counter({t: len(v) for t, v in kept.items()})
        said = ", ".join(f"{plural(n, f'{t} annotation')}" for t, n in sorted(counts.items()))
        places = [p for v in kept.values() for p in v]
        report(  # "1 skeleton annotation", as LabelMe's "1 line shape"
            f"{file}: kept in the image extras, not as objects (they enclose no area): {said} "
            f"({listed(places)})"
        )


def _labels(categories: dict[str, Any], build: Builder) -> list[str | None]:
    """The label names by ``label_id``, each a category (with its colour from the mask colour map; black,
    which Datumaro gives label 0 whatever it is, only for a background; else, and with none, its default
    palette colour) but a skeleton's parts (a label with a ``parent``), which are no objects of their own."""
    names: list[str | None] = []
    for label in as_list(as_dict(categories.get("label")).get("labels")):
        label = as_dict(label)
        name = str(label.get("name") or "").strip()
        if not name or label.get("parent"):
            names.append(name or None)
            continue
        names.append(name)
        build.category(name)
    for entry in as_list(as_dict(categories.get("mask")).get("colormap")):
        entry = as_dict(entry)
        index = entry.get("label_id")
        rgb = [entry.get(c) for c in "rgb"]
        if not (isinstance(index, int) and 0 <= index < len(names) and all(isinstance(v, int) for v in rgb)):
            continue
        cat = build.project.category_by_name(names[index] or "")
        if cat is None or not all(0 <= v <= 255 for v in rgb):
            continue
        if rgb == [0, 0, 0] and cat.name.strip().casefold() not in BACKGROUND_NAMES:
            continue  # Datumaro gives label 0 black, background's colour: a class keeps its palette one
        cat.color = "#{:02x}{:02x}{:02x}".format(*rgb)
    return names


def _image_file(root: Path, subset: str, item: dict[str, Any]) -> Path | None:
    """The item's image: its ``path`` (else its id with a usual image suffix) under ``images/<subset>/``,
    ``images/`` or the export folder."""
    folders = [root / "images" / subset, root / "images", root]
    path = str(as_dict(item.get("image")).get("path") or "")
    names = [path] if path else [f"{item.get('id')}{s}" for s in IMAGE_SUFFIXES]
    for folder in folders:
        for name in names:
            if is_file(folder / name):
                return folder / name
    return folders[0] / path if path else None


def _read_item(
    file: Path,
    place: str,
    item: dict[str, Any],
    subset: str,
    root: Path,
    labels: list[str | None],
    build: Builder,
    report: Reporter,
    kept: dict[str, list[str]],
    first: tuple[str, ImageRecord] | None = None,
    parts: dict[int, list[str]] | None = None,
) -> ImageRecord | None:
    """The item's image with its annotations. ``first``: an earlier item of the same id in this subset
    (where, its image): Datumaro keeps only the last of them; here the annotations of both are kept, on one
    image when both name the same image file, size and ``attr``, else on a second image, said either way."""
    where = f"{file}: {place}"
    given = item.get("annotations")
    if given is not None and not isinstance(given, list):
        report.skip("invalid", f"{where}: annotations is {short_repr(given)}, not a list; skipped")
    anns = [a for a in as_list(given) if isinstance(a, dict)]
    image_file = _image_file(root, subset, item)
    size = as_dict(item.get("image")).get("size")
    try:
        height, width = (int(v) for v in size)  # Datumaro's size is [height, width]
    except (TypeError, ValueError):
        from pixelproof.core.imageio import ImageReadError, image_size

        try:
            if image_file is None:
                raise ImageReadError("no image")
            width, height = image_size(image_file)
        except ImageReadError:
            report.skip(
                "images",
                f"{where}: no image size and no image file found; skipped with its "
                f"{plural(len(anns), 'annotation')}",
            )
            return None
    name = rel_name(image_file, root) if image_file is not None else f"{item.get('id')}"
    if image_file is None or not is_file(image_file):
        report(f"{where}: image file {name} not found; imported with the size in the JSON")
    extra: dict[str, Any] = {"datumaro": {"id": item.get("id"), "subset": subset}}
    if item.get("attr"):
        extra["datumaro"]["attr"] = item["attr"]
    set_split(extra, subset_split(subset))  # annotations/default.json: items in no subset, so no split
    shift = 0  # added to the groups of an item merged into an earlier one's image: its own groups
    differs = _differs(first[1], name, width, height, extra) if first is not None else ""
    if first is not None and not differs:
        image = first[1]
        shift = max(
            [0, *(g for a in build.project.annotations_of(image.id) if isinstance(g := group_id(a), int))]
        )
        report(
            f"{where}: the same id as {first[0]} in subset {subset!r} (Datumaro keeps only the last); "
            f"one image {name}, with the annotations of both"
        )
    else:
        try:
            image = build.image(name, width, height, where=where, pixelproof=extra)
        except LimitError as e:
            report.skip("images", f"{e}; skipped")
            return None
        if first is not None:
            report(
                f"{where}: the same id as {first[0]} in subset {subset!r} (Datumaro keeps only the last), "
                f"but {differs}; imported as an image of its own"
            )
    with build.record(image, report):
        order = sorted(range(len(anns)), key=lambda n: _z(anns[n]))
        for n in order:
            at = f"{place}: annotations[{n}]"
            _read_annotation(file, at, anns[n], image, labels, build, report, kept, shift, parts or {})
    join_grouped_polygons(build.project, image, own=("datumaro_id",))  # CVAT's one object of parts
    return image


def _differs(image: ImageRecord, name: str, width: int, height: int, extra: dict[str, Any]) -> str:
    """How an item's image is not ``image`` (another file, size or item ``attr``); "" when it is."""
    if image.file_name != name:
        return f"another image ({name}, not {image.file_name})"
    if (image.width, image.height) != (width, height):
        return f"another size ({width}x{height}, not {image.width}x{image.height})"
    if as_dict(image.extra.get("pixelproof")).get("datumaro", {}).get("attr") != extra["datumaro"].get(
        "attr"
    ):
        return "another attr"
    return ""


def _z(ann: dict[str, Any]) -> int:
    z = ann.get("z_order")
    return z if isinstance(z, int) and not isinstance(z, bool) else 0


def _read_annotation(
    file: Path,
    at: str,
    ann: dict[str, Any],
    image: Any,
    labels: list[str | None],
    build: Builder,
    report: Reporter,
    kept: dict[str, list[str]],
    shift: int = 0,
    parts: dict[int, list[str]] | None = None,
) -> None:
    kind = str(ann.get("type") or "?")
    label_id = ann.get("label_id")
    label: str | None = None
    if label_id is not None:
        if not (isinstance(label_id, int) and 0 <= label_id < len(labels)) or labels[label_id] is None:
            report.skip(
                "invalid",
                f"{file}: {at} ({kind}): label_id {short_repr(label_id)} is not in the label list "
                f"({len(labels)} labels); skipped",
            )
            return
        label = labels[label_id]
    found = None
    if kind in KEYPOINT_TYPES and isinstance(label_id, int) and label_id in (parts or {}):
        try:
            found = read_keypoints(ann, (parts or {})[label_id], labels, image)
        except (ValueError, LimitError) as e:  # kept as it is, as before, and said
            report.often("keypoints not read", f"{file}: {at} ({kind}, {label}): not read as keypoints: {e}")
    if kind not in AREA_TYPES and found is None:
        try:
            check_json_depth(ann, f"{file}: {at} ({kind})")  # kept, it must save again
        except LimitError as e:
            report.skip("invalid", f"{e}; skipped")
            return
        image.extra.setdefault("pixelproof", {}).setdefault("datumaro", {}).setdefault(
            "annotations", []
        ).append(ann)
        kept.setdefault(kind, []).append(at)
        return
    try:
        geometry = {"bbox": found["bbox"]} if found else _geometry(kind, ann, image.height, image.width)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as e:  # RLE counts of 1e308
        report.skip("invalid", f"{file}: {at} ({kind}): {e}; skipped")
        return
    extra, app_extra = keypoint_fields(found) if found else ({}, {})
    attrs = dict(as_dict(ann.get("attributes")))
    if isinstance(attrs.get("occluded"), bool):
        app_extra["occluded"] = int(attrs.pop("occluded"))
    if attrs:
        app_extra["attributes"] = attrs
    if "z_order" in ann and _z(ann) == ann["z_order"]:
        app_extra["z_order"] = ann["z_order"]
    if isinstance(ann.get("group"), int) and ann["group"]:
        app_extra["group_id"] = ann["group"] + shift
    if ann.get("id") is not None:
        app_extra["datumaro_id"] = ann["id"]
    try:
        category = build.category(label or UNCLASSIFIED)
        fields = {"extra": extra} if extra else {}
        build.annotation(image, category.id, app_extra=app_extra, where=f"{file}: {at}", **geometry, **fields)
    except LimitError as e:
        report.skip("invalid", f"{e}; skipped")
        return
    if label is None:
        report(f"{file}: {at} ({kind}): no label; imported into the category {UNCLASSIFIED!r}")


def _numbers(value: Any, what: str) -> list[float]:
    if not isinstance(value, list) or not all(
        isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in value
    ):
        raise ValueError(f"{what} must be a list of finite numbers, got {short_repr(value)}")
    return [float(v) for v in value]


def _geometry(kind: str, ann: dict[str, Any], height: int, width: int) -> dict[str, Any]:
    if kind == "bbox":
        box = _numbers(ann.get("bbox"), "bbox")
        if len(box) != 4:
            raise ValueError(f"bbox must be x, y, width, height, got {short_repr(box)}")
        return {"bbox": box}
    if kind == "polygon":
        pts = _numbers(ann.get("points"), "points")
        if len(pts) < 6 or len(pts) % 2:
            raise ValueError("a polygon needs at least 3 x, y points")
        return {"polygons": [pts]}
    if kind == "ellipse":
        x1, y1, x2, y2 = _numbers(ann.get("points"), "points")
        unit = np.asarray(circle_polygon(np.array([0.0, 0.0]), np.array([1.0, 0.0]))).reshape(-1, 2)
        xy = unit * ((x2 - x1) / 2, (y2 - y1) / 2) + ((x1 + x2) / 2, (y1 + y2) / 2)
        return {"polygons": [[round(float(v), 3) for v in xy.reshape(-1)]]}
    rle = as_dict(ann.get("rle"))
    h, w = (int(v) for v in rle["size"])
    pixels = core_masks.decode({"size": [h, w], "counts": rle["counts"]})
    if (h, w) == (height, width):
        return {"mask": pixels}
    cut = pixels[:height, :width]  # a mask of another size than its image: from its top-left corner
    if not cut.any():
        raise ValueError(f"the mask ({w} x {h}) has no pixel inside the {width} x {height} image")
    return {"crop": ((0, 0, cut.shape[1], cut.shape[0]), cut)}


def looks_like_datumaro(path: Path) -> bool:
    """A folder with ``annotations/*.json`` (or such a file) holding Datumaro's ``items`` and
    ``categories``."""
    files = sorted((path / "annotations").glob("*.json"))[:1] if path.is_dir() else [path]
    return any(
        f.suffix.lower() == ".json" and b'"items"' in (head := sniff(f, 8192)) and b'"categories"' in head
        for f in files
    )


FORMAT = Format(
    name="datumaro",
    title="Datumaro JSON",
    reader=read_datumaro,
    writer=None,
    detect=looks_like_datumaro,
    suffixes=(".json",),
    lost_on_export="—",
)
