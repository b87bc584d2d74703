"""Folders of PNG label masks, one per image (named after the image's stem): the one reader and writer of
mask folders, used by ``convert``, ``qa`` references and the review view.

- semantic: pixel = class value (0 background); palette PNGs read as their indexes.
- instance: pixel = instance id (0 background) + a per-file class map (see ``label_maps``); 16-bit PNGs
  when an image has more than 254 objects.
- voc: Pascal VOC's ``SegmentationObject`` (instance ids) + ``SegmentationClass`` (class values) pair.
- RGB masks are read through a colour map (``label_maps.read_color_map``: ``dataset_meta.json``,
  ``labelmap.txt``, ``label_colors.txt``; else VOC's palette for ``Segmentation*/`` and CamVid's for
  CamVid's ``<split>annot/`` folders, whose images are in ``<split>/``).

Void: 255 in 8-bit masks (65535 in 16-bit ones), unless the class map names that value, marks pixels to
ignore (VOC's border); it becomes one object per image of the void category ``void`` (DESIGN.md §3,
``pixelproof.void``). Class names come from the class map (``label_maps``). Masks are imported pixel-exact
as RLE, holes included. A mask whose image is not found is kept under its own name and size (a QA reference
needs no images).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from pixelproof.core import safe_csv
from pixelproof.core.imageio import ImageReadError, ImageTooLargeError, image_size, is_image_file, open_pillow
from pixelproof.core.limits import LimitError
from pixelproof.core.model import ImageRecord, Project
from pixelproof.core.safe_csv import read_cell
from pixelproof.core.sources import listed_file
from pixelproof.core.wording import noted_counts, plural
from pixelproof.interop._util import (
    Builder,
    ImportResult,
    ProblemCallback,
    ProgressCallback,
    Reporter,
    check_image_mode,
    folder_project,
    fresh_output,
    is_file,
    one_line,
    rel_name,
    small_int,
    with_progress,
    write_fresh,
)
from pixelproof.interop.csv_tables import csv_rows
from pixelproof.interop.formats import Format, Option, images_option
from pixelproof.interop.image_guard import make_folders
from pixelproof.interop.image_placing import image_exists, image_suffix, place_image
from pixelproof.interop.label_maps import (
    VOC_CLASSES,
    ClassMap,
    ColorMap,
    camvid_color_map,
    class_value,
    has_instance_map,
    read_class_map,
    read_color_map,
    sidecar_map,
    voc_color_map,
)
from pixelproof.interop.panoptic import IdRegions, Rect
from pixelproof.interop.stems import unique_stems

MODES = ("auto", "semantic", "instance", "voc")
VOID = 255
VOID_16 = 65535
VOID_NAME = "void"


def read_masks(
    path: str | os.PathLike[str],
    *,
    mode: str = "auto",
    image_dir: str | os.PathLike[str] | None = None,
    classes: str | os.PathLike[str] | None = None,
    class_names: Mapping[int, str] | None = None,
    on_problem: ProblemCallback | None = None,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Import a mask folder; images are found by stem in ``image_dir`` (default ``images/`` or
    ``JPEGImages/`` beside the masks, or as listed in ``images.csv``). ``class_names`` (value -> name) names
    semantic values the folder's own class map does not (QA passes the candidate's categories)."""
    if mode not in MODES:
        raise ValueError(f"mode: expected one of {', '.join(MODES)}, got {mode!r}")
    root = Path(path)
    if not root.is_dir():
        raise ValueError("expected a folder of PNG masks")
    report = Reporter(on_problem)
    project = folder_project(root)
    build = Builder(project)
    layout = _Layout(root, mode, report)
    cmap = _class_map(root, layout, classes, class_names, build, report)
    finder = _ImageFinder(root, [Path(image_dir)] if image_dir else layout.image_dirs, report)
    named = sorted(p for d in layout.mask_dirs for p in d.rglob("*") if p.suffix.lower() == ".png")
    files = [p for p in named if listed_file(p, partial(report.skip, "masks"))]  # FIFOs never opened
    if not files:
        report(f"{', '.join(map(str, layout.mask_dirs))}: no PNG masks found")
    no_image = 0
    for file in with_progress(files, len(files), progress):
        ids = _read_png(file, report, layout.colors)
        if ids is None:
            report.skipped["masks"] += 1
            continue
        try:
            image = _image_of(file, ids, finder, root, build, report)
            if image is None:
                continue
            no_image += image.file_name == rel_name(file, root)
            with build.record(image, report):
                if layout.mode == "semantic":
                    _semantic(file, ids, image, cmap, build, report)
                elif layout.mode == "voc":
                    _voc(file, ids, root, image, cmap, build, report, layout.colors)
                else:
                    _instances(file, ids, cmap, image, build, report)
        except LimitError as e:
            report.skip("masks", f"{e}; skipped")
    if no_image and not (finder.folders or finder.listed):
        report(
            f"{root}: no images/ or JPEGImages/ folder and no images.csv: "
            f"{plural(no_image, 'mask')} imported under "
            "their own name and size"
        )
    return ImportResult(project, report.problems, report.skipped, semantic=layout.mode == "semantic")


def _class_map(
    root: Path,
    layout: _Layout,
    classes: str | os.PathLike[str] | None,
    class_names: Mapping[int, str] | None,
    build: Builder,
    report: Reporter,
) -> ClassMap:
    """The folder's class names, first found of: ``classes`` (or a class file in the folder), the colour
    map's names, VOC's classes for a VOC layout, ``class_names``; each named class becomes a category
    with its value as id."""
    cmap = read_class_map(root, Path(classes) if classes else None, report)
    if cmap.names is None and layout.colors is not None and layout.colors.names:
        cmap.names = dict(layout.colors.names)
    if cmap.names is None and layout.mode == "voc":
        cmap.names = dict(enumerate(["_background_", *VOC_CLASSES]))
    if cmap.names is None and class_names:
        cmap.names = {int(k): str(v) for k, v in class_names.items()}
    for value, name in sorted((cmap.names or {}).items()):
        if value > 0 and cmap.name(value) is not None and (value != VOID or layout.mode == "instance"):
            build.category(name, value)
    return cmap


class _Layout:
    """Where a folder keeps its masks and images, what kind they are, and the colour map of RGB masks."""

    def __init__(self, root: Path, mode: str, report: Reporter) -> None:
        is_voc = (root / "SegmentationObject").is_dir() and (root / "SegmentationClass").is_dir()
        camvid = sorted(
            d for d in root.glob("*annot") if d.is_dir() and (root / d.name[: -len("annot")]).is_dir()
        )
        self.image_dirs = [root / "images", root / "JPEGImages"]
        self.colors = read_color_map(root, report)
        if mode == "voc" or (mode == "auto" and is_voc):
            mode, self.mask_dirs = "voc", [root / "SegmentationObject"]
        elif (root / "masks").is_dir():
            self.mask_dirs = [root / "masks"]
        elif mode in ("auto", "semantic") and (root / "SegmentationClass").is_dir():
            self.mask_dirs = [root / "SegmentationClass"]
        elif camvid:  # CamVid: train/ + trainannot/, val/ + valannot/ ...
            self.mask_dirs = camvid
            self.image_dirs = [root / d.name[: -len("annot")] for d in camvid]
            self.colors = self.colors or camvid_color_map()
        else:
            self.mask_dirs = [root]
        if self.colors is None and any(d.name.startswith("Segmentation") for d in self.mask_dirs):
            self.colors = voc_color_map()  # VOC masks saved as RGB (Datumaro's VOC export)
        self.mode = (
            mode
            if mode != "auto"
            else "instance"
            if has_instance_map(root, self.mask_dirs[0])
            else "semantic"
        )


def _image_of(
    file: Path, ids: np.ndarray, finder: _ImageFinder, root: Path, build: Builder, report: Reporter
) -> ImageRecord | None:
    """The image record of a mask: its image's name and size, or (no image found) the mask's own."""
    image_file = finder.find(file)
    width, height = ids.shape[1], ids.shape[0]
    if image_file is None:
        if finder.folders or finder.listed:
            report(f"{file}: no image with this name in {finder.describe()}; kept under the mask's name")
        image_file = file
    else:
        try:
            width, height = image_size(image_file)
        except ImageReadError as e:
            report.skip("masks", f"{file}: {e}; skipped")
            return None
    if ids.shape != (height, width):
        report.skip(
            "masks",
            f"{file}: mask is {ids.shape[1]}x{ids.shape[0]} but image {image_file.name} is {width}x{height}; "
            "skipped",
        )
        return None
    return build.image(rel_name(image_file, root), width, height, where=str(file))


class _ImageFinder:
    """Image files by stem: ``images.csv`` (mask,image) first, then the image folders."""

    def __init__(self, root: Path, folders: list[Path], report: Reporter) -> None:
        self.root = root
        self.listed: dict[str, Path] = {}
        if (root / "images.csv").is_file():
            for _, row in csv_rows(root / "images.csv", report):
                if row.get("mask") and row.get("image"):
                    self.listed[read_cell(row["mask"])] = root / read_cell(row["image"])
        self.folders = [d for d in folders if d.is_dir()]
        self.by_stem: dict[str, Path] = {}
        for d in self.folders:
            for p in sorted(d.rglob("*")):
                if is_image_file(p) and p.stem not in self.by_stem:
                    self.by_stem[p.stem] = p

    def find(self, mask: Path) -> Path | None:
        if mask.name in self.listed:
            return self.listed[mask.name]
        return self.by_stem.get(mask.stem)

    def describe(self) -> str:
        return ", ".join(str(d) for d in self.folders) or f"{self.root / 'images.csv'}"


def _read_png(file: Path, report: Reporter, colors: ColorMap | None = None) -> np.ndarray | None:
    """Mask values: palette indexes, gray values, or RGB colours through the folder's colour map."""
    try:
        with open_pillow(file, str(file)) as im:  # size checked from the header: no bomb decoded
            if im.mode in ("P", "L", "I;16", "I;16B", "I", "1"):
                arr = np.asarray(im)  # palette PNGs: the indexes are the ids
                arr = arr.astype(np.uint8) if arr.dtype == bool else arr
                photo = looks_like_photo(arr)
                if photo:
                    report(f"{file}: looks like a photo, not a label mask ({photo}); skipped")
                    return None
                return arr
            if im.mode in ("RGB", "RGBA") and colors is not None:
                ids, unknown = colors.to_ids(np.asarray(im.convert("RGB")))
                if unknown * 2 > ids.size:
                    share = f"{unknown / ids.size:.0%} of pixels of colours not in {colors.source}"
                    report(f"{file}: looks like a photo, not a label mask ({share}); skipped")
                    return None
                if unknown:
                    report(
                        f"{file}: {plural(unknown, 'pixel', thousands=True)} of colours not in "
                        f"{colors.source}; read as background"
                    )
                return ids.astype(np.uint8) if ids.max(initial=0) <= 255 else ids.astype(np.uint16)
            if im.mode in ("RGB", "RGBA"):
                report(
                    f"{file}: RGB mask and no colour map (dataset_meta.json, labelmap.txt or "
                    "label_colors.txt) beside it; skipped"
                )
            else:
                report(
                    f"{file}: {im.mode} mask: expected class/instance ids (gray, 16-bit, palette or RGB "
                    "with a colour map); skipped"
                )
    except ImageTooLargeError as e:
        report(f"{e}; skipped")
    except (OSError, ValueError) as e:
        report(f"{file}: not a readable PNG ({e}); skipped")
    return None


def looks_like_photo(ids: np.ndarray) -> str | None:
    """Why a gray "mask" is really a picture (None when it looks like labels): label masks hold few
    values in flat regions, or mostly background around many small objects; photos many values that
    change from one pixel to the next, none of them covering half the picture."""
    sample = ids[:: max(1, ids.shape[0] // 512), :: max(1, ids.shape[1] // 512)]
    values, counts = np.unique(sample, return_counts=True)
    if len(values) <= 64 or sample.shape[1] < 2 or counts.max() * 2 >= sample.size:
        return None
    changing = float(np.mean(sample[:, 1:] != sample[:, :-1]))
    if changing < 0.35:
        return None
    return f"{len(values)} values, {changing:.0%} of neighbouring pixels differ"


def _void_value(ids: np.ndarray) -> int:
    return VOID if ids.dtype == np.uint8 else VOID_16


def _add_void(image: ImageRecord, crop: tuple[Rect, np.ndarray], build: Builder) -> None:
    build.annotation(image, build.category(VOID_NAME, void=True).id, crop=crop)


def _class_name(cmap: ClassMap, value: int) -> str:
    return cmap.name(value) or f"class_{value}"


def _semantic(
    file: Path, ids: np.ndarray, image: ImageRecord, cmap: ClassMap, build: Builder, report: Reporter
) -> None:
    void = _void_value(ids)
    for value, crop in IdRegions(ids, str(file)):
        if value == 0:
            continue
        if value == void and cmap.name(value) is None:
            _add_void(image, crop, build)
            continue
        if cmap.names is not None and cmap.name(value) is None:
            report(f"{file}: class value {value} is not in the class map {cmap.source}; named class_{value}")
        cat = build.category(_class_name(cmap, value), value)
        build.annotation(image, cat.id, crop=crop)


def _voc(
    file: Path,
    ids: np.ndarray,
    root: Path,
    image: ImageRecord,
    cmap: ClassMap,
    build: Builder,
    report: Reporter,
    colors: ColorMap | None,
) -> None:
    cls_file = root / "SegmentationClass" / file.relative_to(root / "SegmentationObject")
    cls = _read_png(cls_file, report, colors) if cls_file.is_file() else None
    if cls is None or cls.shape != ids.shape:
        report.skip("masks", f"{file}: no SegmentationClass mask of the same size at {cls_file}; skipped")
        return
    regions = IdRegions(ids, str(file))
    if VOID in regions:
        _add_void(image, regions.crop(VOID), build)
    for value, crop in regions:
        if value == 0 or value == VOID:
            continue
        (x, y, w, h), region = crop
        classes = cls[y : y + h, x : x + w][region]
        classes = classes[(classes != 0) & (classes != VOID)]
        if classes.size == 0:
            report.skip("instances", f"{file}: instance {value} has no class in SegmentationClass; skipped")
            continue
        class_id = int(np.bincount(classes.astype(np.int64)).argmax())
        cat = build.category(_class_name(cmap, class_id), class_id)
        build.annotation(image, cat.id, crop=crop)


def _instances(
    file: Path,
    ids: np.ndarray,
    cmap: ClassMap,
    image: ImageRecord,
    build: Builder,
    report: Reporter,
) -> None:
    classes = cmap.instances.get(file.name) or cmap.instances.get(file.stem)
    if classes is None:
        classes = sidecar_map(file, report)
    classes = classes or {}
    void = _void_value(ids)
    regions = IdRegions(ids, str(file))
    if absent := [k for k in classes if small_int(k) not in regions]:
        report(
            f"{file}: {plural(len(absent), 'instance')} of the class map ({', '.join(absent)}) "
            "without a pixel in the mask"
        )
    for value, crop in regions:
        if value == 0:
            continue
        cls = classes.get(str(value))
        if cls is None and value == void:
            _add_void(image, crop, build)
            continue
        if cls is None:
            report.skip("instances", f"{file}: instance {value} has no class in the class map; skipped")
            continue
        if (number := class_value(cls)) is not None:
            cat = build.category(_class_name(cmap, number), number)
        else:
            cat = build.category(str(cls))
        build.annotation(image, cat.id, crop=crop)


# ------------------------------------------------------------------------------------------------
# writing


def write_masks(
    project: Project,
    out_dir: str | os.PathLike[str],
    *,
    mode: str = "instance",
    images: str = "link",
    progress: ProgressCallback | None = None,
    executor: Any = None,
    worker_path: Callable[[str], str] | None = None,
) -> list[str]:
    """``out_dir/masks/<stem>.png`` per image plus ``classes.txt`` (and ``instances.json``); returns warnings.

    instance: pixel = object number in the image (1..n in annotation id order; 8-bit palette PNG, 16-bit
    gray when n > 254). semantic: pixel = class number (line in classes.txt). Void regions are 255 (65535
    in 16-bit masks), painted first so objects keep their pixels. Boxes are filled; where objects overlap,
    the one in front wins (the stacking: Bring to Front; counted in the warnings). ``images``:
    "copy"/"link" into ``out_dir/images``; "keep" lists the original files in ``images.csv``.

    ``executor`` (``pixelproof.core.batch``; default: here) draws and encodes the masks, one task per chunk
    of images, each writing its own files (``worker_path`` maps the output folder for a cluster); the
    listing, class maps and warnings are gathered here in image order, so the output is the same.
    """
    from pixelproof.interop.mask_drawing import SECONDS_PER_MASK, MaskContext, draw_mask
    from pixelproof.interop.per_image import draw_per_image

    if mode not in ("instance", "semantic"):
        raise ValueError(f"mode: expected instance or semantic, got {mode!r}")
    check_image_mode(images)
    out = Path(out_dir)
    make_folders(out / "masks")
    warnings: list[str] = []
    counts: Counter[str] = Counter()
    cats = sorted((c for c in project.categories.values() if not c.void), key=lambda c: c.id)
    class_index = {c.id: i for i, c in enumerate(cats, start=1)}
    stems = unique_stems(project)
    instance_map: dict[str, dict[str, str]] = {}
    listing: list[tuple[str, str]] = []
    todo = list(project.images.values())
    for image in todo:
        src = project.image_path(image)
        if images == "keep":
            listing.append((f"{stems[image.id]}.png", rel_name(src, out)))
        elif is_file(src, image_exists):
            placed = place_image(
                src,
                out / "images" / (stems[image.id] + image_suffix(src)),
                images,
                image,
                project.applies_exif,
            )
            if placed is not None:
                warnings.append(placed)
        else:
            counts["missing"] += 1
    masks_dir = str(out / "masks")
    remote_dir = worker_path(masks_dir) if worker_path else masks_dir
    context = MaskContext(mode, class_index, dict(project.categories), remote_dir)
    items = [(image, project.annotations_of(image.id), f"{stems[image.id]}.png") for image in todo]
    drawn = draw_per_image(
        draw_mask, context, items, executor=executor, progress=progress, seconds_per_item=SECONDS_PER_MASK
    )
    for (_, _, mask_name), (names, image_counts) in zip(items, drawn, strict=True):
        counts.update(image_counts)
        if mode == "instance":
            instance_map[mask_name] = names
    write_fresh(out / "classes.txt", "\n".join(["_background_", *[one_line(c.name) for c in cats]]) + "\n")
    if odd := [c for c in cats if one_line(c.name) != c.name]:
        exact = "; instances.json has them exactly" if mode == "instance" else ""
        warnings.append(
            f"{plural(len(odd), 'category name')} with line breaks, blanks around them or empty "
            "written to classes.txt as one "
            f"line (breaks as spaces, trimmed, empty as _){exact}"
        )
    if mode == "instance":
        write_fresh(out / "instances.json", json.dumps(instance_map, indent=1))
    if listing:
        with fresh_output(out / "images.csv", text=True, newline="") as f:
            safe_csv.write_table(f, ["mask", "image"], listing)
    messages = {
        "missing": ("image file", "not found; only their masks were written"),
        "boxes": ("box-only object", "written as filled boxes"),
        "overlap": ("pixel", "where objects overlap: each pixel keeps the object in front"),
        "merged": ("object", "merged into another of the same class (semantic masks hold no instances)"),
        "16bit": ("mask", "written as 16-bit PNGs (more than 254 ids)"),
    }
    warnings += noted_counts(counts, messages)
    return warnings


def looks_like_masks(path: Path) -> bool:
    """A folder holding PNG masks: in ``masks/``, ``SegmentationClass/``, CamVid's ``*annot/`` or itself."""
    if not path.is_dir():
        return False
    folders = [path / "masks", path / "SegmentationClass", path, *path.glob("*annot")]
    return any(any(d.glob("*.png")) for d in folders if d.is_dir())


FORMAT = Format(
    name="masks",
    title="PNG mask folder",
    reader=read_masks,
    writer=write_masks,
    parallel_writer=True,
    read_options=(
        Option(
            "mode",
            "choice",
            "kind of mask folder (auto: voc with SegmentationObject/ + SegmentationClass/, instance with a "
            "per-file class map, else semantic)",
            "auto",
            choices={
                "auto": "Detect",
                "semantic": "Semantic (pixel = class value)",
                "instance": "Instance (pixel = instance id + class map)",
                "voc": "VOC SegmentationObject + SegmentationClass",
            },
            label="Kind of masks",
        ),
        Option(
            "image_dir",
            "folder",
            "folder of the images (default: images/ or JPEGImages/ beside the masks, or images.csv)",
            None,
            label="Images folder",
        ),
        Option(
            "classes",
            "file",
            "class map: one name per line (line n = class value n), or a value,class CSV / JSON",
            None,
            label="Class list",
        ),
    ),
    write_options=(
        Option(
            "mode",
            "choice",
            "instance: pixel = object number, classes in instances.json; semantic: pixel = class number",
            "instance",
            choices={
                "instance": "Instance (pixel = object number, classes in instances.json)",
                "semantic": "Semantic (pixel = class number)",
            },
            label="Kind of masks",
        ),
        images_option("into images/", "list the originals in images.csv"),
    ),
    detect=looks_like_masks,
    lost_on_export=(
        "pixels where objects overlap (the one in front wins), instances in semantic mode; boxes become "
        "filled boxes; the crowd flag, scores, review state, notes"
    ),
)
