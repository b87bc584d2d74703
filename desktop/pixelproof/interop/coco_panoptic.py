"""COCO panoptic (panopticapi; Detectron2's and Mask2Former's ``coco_panoptic``): ``annotations/
panoptic_<split>.json`` (images, one annotation per image with its ``segments_info``, categories with
``isthing``) and one RGB PNG per image in ``annotations/panoptic_<split>/`` whose pixel holds a segment id,
id = R + 256 G + 256^2 B (0: no segment); the images in ``images/<split>/`` or where COCO keeps them.

Reading: each segment is one mask object of its category, things and stuff alike (``isthing`` kept in the
category's extras, so a write gives it back), ``iscrowd`` kept, the segment id in the ``coco_panoptic``
extras. What the JSON and its PNG disagree on is said with its place and never stops the import: a segment
id no pixel holds (skipped), PNG ids no segment lists (their pixels are no object), a duplicate id (the
later skipped), an area or bbox other than the pixels' (the pixels are read), a PNG of another size than
its image (its segments skipped). Writing: one PNG per image. Segments cannot overlap, so objects are
painted in their stacking (the image's order, back to front: Bring to Front / Send to Back) and the one in
front takes the pixels it shares with one behind (said, as are the objects left no pixel); boxes and
polygons are rasterized; void regions stay unlabelled (0).
"""

from __future__ import annotations

import json
import math
import os
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from scipy import ndimage

from pixelproof.core.coco import ProjectFormatError, read_json
from pixelproof.core.limits import LimitError, is_inside, short_repr
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
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
    listed,
    rel_name,
    with_progress,
    write_fresh,
)
from pixelproof.interop.coco_io import dataset_root, image_folders, looks_like_panoptic_json
from pixelproof.interop.formats import Format, images_option
from pixelproof.interop.geojson_writer import color_rgb
from pixelproof.interop.image_guard import make_folders
from pixelproof.interop.image_placing import image_exists, image_suffix, place_image
from pixelproof.interop.mask_drawing import paint
from pixelproof.interop.panoptic import MAX_RGB_ID, IdRegions, id2rgb, read_rgb_ids
from pixelproof.interop.per_image import draw_per_image
from pixelproof.interop.splits import folder_name, set_split, spelled
from pixelproof.interop.stems import unique_stems

EXTRA = "coco_panoptic"  # an object's segment id, written again while it stays unique in its image
NO_SPLIT = "default"  # the split of images that have none (Datumaro's panoptic_default.json)
IMAGE_KEYS = ("id", "file_name", "width", "height", "pixelproof")  # not kept as image extras


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def read_coco_panoptic(
    path: str | os.PathLike[str],
    *,
    on_problem: ProblemCallback | None = None,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Import COCO panoptic: a ``panoptic*.json`` file, or a folder holding them (itself or its
    ``annotations/``: every split); each file's PNGs lie in the folder named by its stem beside it."""
    src = Path(path)
    report = Reporter(on_problem)
    files = panoptic_files(src)
    root = dataset_root(files[0]) if files else src if src.is_dir() else src.parent
    project = folder_project(root)
    build = Builder(project)
    if not files:
        report.skip("files", f"{src}: no panoptic*.json here or in annotations/ (COCO panoptic)")
    work: list[tuple[_File, int, Any]] = []
    for f in files:
        doc = _file(f, root, build, report)
        if doc is not None:
            work += [(doc, k, ann) for k, ann in enumerate(doc.annotations)]
    for doc, k, ann in with_progress(work, len(work), progress):
        _read_annotation(doc, k, ann, build, report)
    return ImportResult(project, report.problems, report.skipped)


def panoptic_files(src: Path) -> list[Path]:
    """The panoptic JSON files ``src`` names: itself, else the ``panoptic*.json`` of its ``annotations/``,
    else its own."""
    if src.is_file():
        return [src]
    for folder in (src / "annotations", src):
        if folder.is_dir():
            found = sorted(p for p in folder.glob("panoptic*.json") if p.is_file())
            if found:
                return found
    return []


class _File:
    """One panoptic JSON as read: its file id -> project category id and image, its annotations."""

    def __init__(self, path: Path, annotations: list, categories: dict[int, int]) -> None:
        self.path = path
        self.png_dir = path.parent / path.stem
        self.annotations = annotations
        self.categories = categories
        self.images: dict[int, ImageRecord] = {}
        self.done: dict[int, int] = {}  # project image id -> annotations[k] that read it


def _file(f: Path, root: Path, build: Builder, report: Reporter) -> _File | None:
    try:
        data = read_json(f)
    except ProjectFormatError as e:
        report.skip("files", f"{f}: " + "; ".join(e.problems) + "; skipped")
        return None
    lists = ("images", "annotations", "categories")
    if not isinstance(data, dict) or not all(isinstance(data.get(k), list) for k in lists):
        report.skip(
            "files", f"{f}: expected a JSON object with images, annotations and categories lists; skipped"
        )
        return None
    split = f.stem.removeprefix("panoptic").removeprefix("_")
    doc = _File(f, data["annotations"], _categories(data["categories"], f, build, report))
    if not doc.png_dir.is_dir():
        zipped = doc.png_dir.with_suffix(".zip")  # COCO ships panoptic_val2017/ as panoptic_val2017.zip
        hint = f" ({zipped.name} beside it: unzip it there)" if zipped.is_file() else ""
        report(f"{f}: folder {doc.png_dir} of its PNGs not found{hint}")
    _images(data["images"], doc, root, None if split in ("", NO_SPLIT) else split, build, report)
    return doc


def _categories(cats: list, f: Path, build: Builder, report: Reporter) -> dict[int, int]:
    out: dict[int, int] = {}
    by_name: dict[str, int] = {}
    for i, c in enumerate(cats):
        where = f"{f}: categories[{i}]"
        if not isinstance(c, dict) or not _is_int(c.get("id")) or not isinstance(c.get("name"), str):
            report.skip("categories", f"{where}: expected an object with an integer id and a name; skipped")
            continue
        if c["id"] in out:
            report.skip("categories", f"{where}: duplicate id {c['id']}; skipped")
            continue
        try:
            cat = build.category(c["name"], c["id"])
        except LimitError as e:
            report.skip("categories", f"{e}; skipped")
            continue
        if c["name"] in by_name:
            report(f"{where}: name {c['name']!r} also categories[{by_name[c['name']]}]: one category")
        by_name.setdefault(c["name"], i)
        out[c["id"]] = cat.id
        if isinstance(c.get("supercategory"), str) and c["supercategory"] and not cat.supercategory:
            cat.supercategory = c["supercategory"]
        rgb = c.get("color")
        if isinstance(rgb, list) and len(rgb) == 3 and all(_is_int(v) and 0 <= v <= 255 for v in rgb):
            cat.color = "#{:02x}{:02x}{:02x}".format(*rgb)
        if c.get("isthing") in (0, 1) and _is_int(c.get("isthing")):
            cat.extra.setdefault("isthing", c["isthing"])
    return out


def _images(
    images: list, doc: _File, root: Path, split: str | None, build: Builder, report: Reporter
) -> None:
    f = doc.path
    folders = [f.parent, *([root / "images" / split, root / split] if split else []), *image_folders(f)]
    folders = list(dict.fromkeys(folders))
    for i, im in enumerate(images):
        where = f"{f}: images[{i}]"
        size = (im.get("width"), im.get("height")) if isinstance(im, dict) else (None, None)
        if not (
            isinstance(im, dict) and _is_int(im.get("id")) and isinstance(im.get("file_name"), str)
        ) or not (_is_int(size[0]) and _is_int(size[1])):
            report.skip(
                "images",
                f"{where}: expected an object with an integer id, file_name, width and height; skipped",
            )
            continue
        if im["id"] in doc.images:
            report.skip("images", f"{where}: duplicate id {im['id']}; skipped")
            continue
        name = im["file_name"]
        found = (
            Path(name)
            if os.path.isabs(name)
            else next((d / name for d in folders if is_file(d / name)), None)
        )
        if found is None:
            report(f"{where}: file {name} not found (looked in {', '.join(str(d) for d in folders)})")
            found = f.parent / name
        extra = {k: v for k, v in im.items() if k not in IMAGE_KEYS}
        app = set_split({}, split)
        try:
            file_name = name if os.path.isabs(name) else rel_name(found, root)
            extra |= {"pixelproof": app} if app else {}
            doc.images[im["id"]] = build.image(file_name, size[0], size[1], where=where, **extra)
        except LimitError as e:
            report.skip("images", f"{e}; skipped")


def _read_annotation(doc: _File, k: int, ann: Any, build: Builder, report: Reporter) -> None:
    where = f"{doc.path}: annotations[{k}]"
    if not (
        isinstance(ann, dict)
        and isinstance(ann.get("segments_info"), list)
        and isinstance(ann.get("file_name"), str)
    ):
        report.skip(
            "annotations",
            f"{where}: expected an object with image_id, file_name and a segments_info list; skipped",
        )
        return
    image_id = ann.get("image_id")
    image = doc.images.get(image_id) if _is_int(image_id) else None
    if image is None:
        report.skip("annotations", f"{where}: image_id {short_repr(image_id)} is not in images; skipped")
        return
    if image.id in doc.done:
        report.skip(
            "annotations",
            f"{where}: a second annotation of image {image_id} (also annotations[{doc.done[image.id]}]); "
            "skipped",
        )
        return
    doc.done[image.id] = k
    png = doc.png_dir / ann["file_name"]
    if not is_inside(png, doc.png_dir):
        report.skip(
            "annotations", f"{where}: file_name {ann['file_name']!r} leads out of {doc.png_dir}; skipped"
        )
        return
    with build.record(image, report):
        _segments(
            png, ann["segments_info"], image, doc.categories, f"{where} ({ann['file_name']})", build, report
        )


def _segments(
    png: Path,
    infos: list,
    image: ImageRecord,
    cats: dict[int, int],
    where: str,
    build: Builder,
    report: Reporter,
) -> None:
    """The segments of one PNG, each the mask of its id; what the JSON and the pixels disagree on, said."""
    n = f"its {plural(len(infos), 'segment')} skipped"
    try:
        ids = read_rgb_ids(png, str(png))
    except (OSError, ValueError) as e:
        report.skip("annotations", f"{where}: {png} not readable ({e}); {n}")
        return
    if ids.shape != (image.height, image.width):
        report.skip(
            "annotations",
            f"{where}: the PNG is {ids.shape[1]} x {ids.shape[0]} but image {image.file_name} is "
            f"{image.width} x {image.height}; {n}",
        )
        return
    try:
        regions = IdRegions(ids, str(png))  # refuses ids scattered over the picture (boxes' cover)
    except LimitError as e:
        report.skip("annotations", f"{where}: {e.message}; {n}")
        return
    del ids
    seen: dict[int, int] = {}
    disagree: list[str] = []
    for j, seg in enumerate(infos):
        place = f"{where}: segments_info[{j}]"
        seg_id = seg.get("id") if isinstance(seg, dict) else None
        if not _is_int(seg_id) or not 0 < seg_id <= MAX_RGB_ID:
            report.skip(
                "segments",
                f"{place}: id {short_repr(seg_id)} is no segment id (1 to {MAX_RGB_ID}; 0 is unlabelled); "
                "skipped",
            )
            continue
        place += f" (id {seg_id})"
        if seg_id in seen:
            report.skip("segments", f"{place}: duplicate id (also segments_info[{seen[seg_id]}]); skipped")
            continue
        seen[seg_id] = j
        cat_id = cats.get(seg.get("category_id")) if _is_int(seg.get("category_id")) else None
        if cat_id is None:
            report.skip(
                "segments",
                f"{place}: category_id {short_repr(seg.get('category_id'))} is not in categories; skipped",
            )
            continue
        if seg_id not in regions:
            rgb = tuple((seg_id >> s) & 255 for s in (0, 8, 16))
            report.skip("segments", f"{place}: no pixel of the PNG holds this id (RGB {rgb}); skipped")
            continue
        rect, crop = regions.crop(seg_id)
        if (said := _disagreement(seg, rect, crop)) is not None:
            disagree.append(f"segments_info[{j}] (id {seg_id}): {said}")
        try:
            extra = {EXTRA: {"id": seg_id}}
            build.annotation(
                image, cat_id, crop=(rect, crop), iscrowd=seg.get("iscrowd", 0), app_extra=extra, where=place
            )
        except LimitError as e:
            report.skip("segments", f"{e}; skipped")
    unlisted = [v for v in regions.values() if v and v not in seen]
    if unlisted:
        report(
            f"{where}: {plural(len(unlisted), 'id')} in the PNG that no segments_info lists: "
            f"{listed([str(v) for v in unlisted])}; their pixels are no object"
        )
        report.skipped["regions"] += len(unlisted)
    if disagree:
        report(f"{where}: area or bbox other than the PNG's pixels: {listed(disagree)}; the pixels are read")


def _disagreement(seg: dict, rect: tuple[int, int, int, int], crop: np.ndarray) -> str | None:
    """How a segment's area and bbox differ from its pixels (None: they agree, or are not given)."""
    said = []
    area, bbox = seg.get("area"), seg.get("bbox")
    pixels = int(np.count_nonzero(crop))
    if area is not None and not (_is_number(area) and abs(area - pixels) < 0.5):
        said.append(f"area {short_repr(area)} (pixels {pixels})")
    good = isinstance(bbox, list) and len(bbox) == 4 and all(_is_number(v) for v in bbox)
    if bbox is not None and not (good and all(abs(a - b) < 0.5 for a, b in zip(bbox, rect, strict=True))):
        said.append(f"bbox {short_repr(bbox)} (pixels {list(rect)})")
    return " and ".join(said) or None


# ------------------------------------------------------------------------------------------------
# writing


def write_coco_panoptic(
    project: Project,
    out_dir: str | os.PathLike[str],
    *,
    images: str = "link",
    progress: ProgressCallback | None = None,
    executor: Any = None,
    worker_path: Callable[[str], str] | None = None,
) -> list[str]:
    """``annotations/panoptic_<split>.json`` and ``annotations/panoptic_<split>/<stem>.png`` per split
    (``default`` for images without one), the images linked or copied into ``images/<split>/`` under the
    PNG's stem (Detectron2 finds an image by its PNG's name), or ``keep``: the JSON names the originals
    relative to it. ``executor`` (``pixelproof.core.batch``; default: here) draws each image's PNG
    (``interop.per_image``; ``worker_path`` maps the output folder for a cluster)."""
    check_image_mode(images)
    out = Path(out_dir)
    ann_dir = out / "annotations"
    counts: Counter[str] = Counter()
    warnings: list[str] = []
    splits: dict[str, list[ImageRecord]] = {}
    for image in project.images.values():
        split = spelled(image, "coco-panoptic") or NO_SPLIT
        if not folder_name(split):  # a split is a folder and a file name: ../x never leads out
            counts["split"] += 1
            split = NO_SPLIT
        splits.setdefault(split, []).append(image)
    entries: dict[str, list[dict]] = {}
    items = []
    for split, records in splits.items():
        stems = unique_stems(project, records)
        for image in records:
            src = project.image_path(image)
            if images == "keep":
                name = image.file_name if os.path.isabs(image.file_name) else rel_name(src, ann_dir)
            else:
                dst = out / "images" / split / (stems[image.id] + image_suffix(src))
                name = dst.name
                if not image_exists(src):
                    counts["missing"] += 1
                elif (placed := place_image(src, dst, images, image, project.applies_exif)) is not None:
                    warnings.append(placed)
            kept = {k: v for k, v in image.extra.items() if k not in IMAGE_KEYS}
            entries.setdefault(split, []).append(
                {"id": image.id, "file_name": name, "width": image.width, "height": image.height, **kept}
            )
            where = (f"panoptic_{split}", stems[image.id] + ".png")
            items.append((image, project.annotations_of(image.id), where))
    root = str(ann_dir)
    setup = (dict(project.categories), worker_path(root) if worker_path else root)
    annotations: dict[str, list[dict]] = {}
    for (image, _, (folder, png)), (segments, image_counts) in zip(
        items, draw_per_image(_draw_png, setup, items, executor=executor, progress=progress), strict=True
    ):
        counts.update(image_counts)
        annotations.setdefault(folder, []).append(
            {"image_id": image.id, "file_name": png, "segments_info": segments}
        )
    categories = [_category(c) for c in sorted(project.categories.values(), key=lambda c: c.id) if not c.void]
    make_folders(ann_dir)
    for split, listed_images in entries.items():
        doc = {
            "images": listed_images,
            "annotations": annotations.get(f"panoptic_{split}", []),
            "categories": categories,
        }
        write_fresh(ann_dir / f"panoptic_{split}.json", json.dumps(doc, indent=1))
    return warnings + _warnings(counts)


def _category(cat: Category) -> dict[str, Any]:
    """A category as panopticapi lists it; ``isthing`` as read (1, a thing with instances, otherwise)."""
    isthing = cat.extra.get("isthing")
    out: dict[str, Any] = {
        "id": cat.id,
        "name": cat.name,
        "supercategory": cat.supercategory or "",
        "isthing": isthing if isthing in (0, 1) and _is_int(isthing) else 1,
    }
    rgb = color_rgb(cat.color)
    if rgb is not None:
        out["color"] = rgb
    return out


def _warnings(counts: Counter[str]) -> list[str]:
    messages = {
        "covered": (
            "object",
            "partly covered by ones in front: panoptic segments cannot overlap, so "
            f"{plural(counts['covered_px'], 'shared pixel', thousands=True)} went to the object in front "
            "(Bring to Front / Send to Back set which)",
        ),
        "hidden": ("object", "wholly covered by ones in front: not written (a segment needs a pixel)"),
        "empty": ("object", "with no pixel inside their image: not written"),
        "boxes": ("box-only object", "written as filled boxes"),
        "void": ("void region", "left unlabelled (id 0): a panoptic PNG holds no void class"),
        "missing": ("image file", "not found; only their PNG and entries were written"),
        "split": ("image", f"whose split is no plain folder name (such as ../x) written to {NO_SPLIT}"),
    }
    return noted_counts(counts, messages)


def _draw_png(
    setup: tuple[dict[int, Category], str], image: ImageRecord, anns: list[Annotation], where: tuple[str, str]
) -> tuple[list[dict], dict[str, int]]:
    """One image's PNG (a batch task's work: see ``interop.per_image``): objects painted back to front,
    each id's pixels then taken from the picture itself, so area and bbox are what the PNG holds."""
    categories, ann_root = setup
    folder, png_name = where
    counts: Counter[str] = Counter()
    objects = [a for a in anns if not categories[a.category_id].void]  # the stacking, back to front
    counts["void"] += len(anns) - len(objects)
    if len(objects) > MAX_RGB_ID:
        raise ValueError(f"{len(objects):,} objects: a panoptic PNG holds at most {MAX_RGB_ID:,} segments")
    owner = np.zeros((image.height, image.width), dtype=np.int32)
    painted = [0]
    for k, a in enumerate(objects, start=1):
        counts["boxes"] += a.kind == "box"
        found = paint(owner, a, k)
        painted.append(0 if found is None else int(np.count_nonzero(found[1])))
    visible = np.bincount(owner.ravel(), minlength=len(objects) + 1)
    boxes = ndimage.find_objects(owner, len(objects)) if objects else []
    lut = np.zeros(len(objects) + 1, dtype=np.uint32)
    lut[1:] = _segment_ids(objects)
    segments = []
    for k, a in enumerate(objects, start=1):
        if visible[k] == 0:
            counts["hidden" if painted[k] else "empty"] += 1
            continue
        if visible[k] < painted[k]:
            counts["covered"] += 1
            counts["covered_px"] += painted[k] - int(visible[k])
        rows, cols = boxes[k - 1]
        box = [cols.start, rows.start, cols.stop - cols.start, rows.stop - rows.start]
        segments.append(
            {
                "id": int(lut[k]),
                "category_id": a.category_id,
                "area": int(visible[k]),
                "bbox": box,
                "iscrowd": int(a.iscrowd),
            }
        )
    target = Path(ann_root) / folder
    make_folders(target)
    with fresh_output(target / png_name) as f:
        Image.fromarray(id2rgb(lut[owner]), "RGB").save(f, format="PNG")
    return segments, dict(counts)


def _segment_ids(objects: list[Annotation]) -> list[int]:
    """Each object's segment id: the one it was read with while valid and first in its image, else the
    smallest free one."""
    kept: list[int | None] = []
    taken: set[int] = set()
    for a in objects:
        mine = a.app_extra.get(EXTRA)
        sid = mine.get("id") if isinstance(mine, dict) else None
        ok = _is_int(sid) and 0 < sid <= MAX_RGB_ID and sid not in taken
        kept.append(sid if ok else None)
        if ok:
            taken.add(sid)
    out, free = [], 1
    for sid in kept:
        if sid is None:
            while free in taken:
                free += 1
            sid = free
            taken.add(sid)
        out.append(sid)
    return out


def looks_like_coco_panoptic(path: Path) -> bool:
    """A panoptic JSON, or a folder holding one (itself or its ``annotations/``)."""
    if path.is_file():
        return looks_like_panoptic_json(path)
    return any(looks_like_panoptic_json(f) for f in panoptic_files(path))


FORMAT = Format(
    name="coco-panoptic",
    title="COCO panoptic (PNG segments)",
    reader=read_coco_panoptic,
    declares_sizes=True,
    writer=write_coco_panoptic,
    write_options=(images_option("into images/<split>/", "the JSON names the originals"),),
    detect=looks_like_coco_panoptic,
    suffixes=(".json",),
    parallel_writer=True,
    lost_on_export=(
        "pixels where objects overlap (the one in front wins; an object left no pixel is not written), "
        "boxes and polygons (become masks of the same pixels), void regions (unlabelled pixels, id 0); "
        "scores, review state, notes; an image's status beyond labelled or not (come back as Done)"
    ),
)
