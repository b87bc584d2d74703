"""Folders of PNG label masks, one per image (named after the image's stem).

- semantic: pixel = class id (0 background, 255 void in 8-bit masks); palette PNGs read as their indexes.
- instance: pixel = instance id (0 background) + a class map: ``instances.json``
  (``{"<mask>.png": {"1": "cat"}}``), ``instances.csv`` (``mask,instance,class``) or ``<stem>.json`` beside
  each mask; 16-bit PNGs when an image has more than 255 objects.
- voc: Pascal VOC's ``SegmentationObject`` (instance ids) + ``SegmentationClass`` (class ids) pair.

Class names come from ``classes.txt``/``labels.txt`` (line n = class id n, line 0 = background; LabelMe's
leading ``__ignore__`` line is dropped). Masks are imported pixel-exact as RLE, holes included.
"""

from __future__ import annotations

import csv
import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from pixelproof.core.imageio import ImageReadError, image_size, is_image_file
from pixelproof.core.model import ImageRecord, Project
from pixelproof.interop._util import (
    Builder,
    ImportResult,
    ProblemCallback,
    ProgressCallback,
    Reporter,
    check_image_mode,
    folder_project,
    place_image,
    rel_name,
    unique_stems,
    with_progress,
)

MODES = ("auto", "semantic", "instance", "voc")
VOID = 255
VOC_CLASSES = (
    "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow", "diningtable",
    "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train", "tvmonitor",
)  # fmt: skip
_CLASS_FILES = ("classes.txt", "labels.txt", "class_names.txt")


def read_masks(
    path: str | os.PathLike[str],
    *,
    mode: str = "auto",
    images: str | os.PathLike[str] | None = None,
    classes: str | os.PathLike[str] | None = None,
    on_problem: ProblemCallback | None = None,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Import a mask folder; images are found by stem in ``images`` (default ``images/`` or
    ``JPEGImages/`` beside the masks, or as listed in ``images.csv``)."""
    if mode not in MODES:
        raise ValueError(f"mode: expected one of {', '.join(MODES)}, got {mode!r}")
    root = Path(path)
    report = Reporter(on_problem)
    project = folder_project(root)
    build = Builder(project)
    is_voc = (root / "SegmentationObject").is_dir() and (root / "SegmentationClass").is_dir()
    if mode == "auto":
        mode = "voc" if is_voc else "instance" if _has_instance_map(root) else "semantic"
    if mode == "voc":
        mask_dir = root / "SegmentationObject"
    elif (root / "masks").is_dir():
        mask_dir = root / "masks"
    elif mode == "semantic" and (root / "SegmentationClass").is_dir():
        mask_dir = root / "SegmentationClass"
    else:
        mask_dir = root
    names = _class_names(Path(classes) if classes else root, report)
    if names is None and mode == "voc":
        names = ["_background_", *VOC_CLASSES]
    if names is not None:
        for i, name in enumerate(names[1:], start=1):
            if name not in ("", "__ignore__"):
                build.category(name, i)
    instance_map = _instance_map(root, report) if mode == "instance" else {}
    finder = _ImageFinder(root, Path(images) if images else None)
    files = sorted(p for p in mask_dir.rglob("*.png") if p.is_file())
    for file in with_progress(files, len(files), progress):
        ids = _read_png(file, report)
        if ids is None:
            report.skipped["masks"] += 1
            continue
        image_file = finder.find(file)
        if image_file is None:
            report.skip("masks", f"{file}: no image with this name in {finder.describe()}; skipped")
            continue
        try:
            width, height = image_size(image_file)
        except ImageReadError as e:
            report.skip("masks", f"{file}: {e}; skipped")
            continue
        if ids.shape != (height, width):
            report.skip(
                "masks",
                f"{file}: mask is {ids.shape[1]}x{ids.shape[0]} but image {image_file.name} is "
                f"{width}x{height}; skipped",
            )
            continue
        image = build.image(rel_name(image_file, root), width, height)
        if mode == "semantic":
            _semantic(ids, image, names, build)
        elif mode == "voc":
            _voc(file, ids, root, image, names, build, report)
        else:
            _instances(file, ids, instance_map, image, names, build, report)
    return ImportResult(project, report.problems, report.skipped)


def _has_instance_map(root: Path) -> bool:
    if (root / "instances.json").is_file() or (root / "instances.csv").is_file():
        return True
    mask_dir = root / "masks" if (root / "masks").is_dir() else root
    return any(p.with_suffix(".png").is_file() for p in mask_dir.glob("*.json"))


def _class_names(where: Path, report: Reporter) -> list[str] | None:
    files = [where] if where.is_file() else [where / n for n in _CLASS_FILES]
    for f in files:
        if f.is_file():
            lines = [ln.strip() for ln in f.read_text(encoding="utf-8").splitlines()]
            while lines and not lines[-1]:
                lines.pop()
            if lines and lines[0] == "__ignore__":
                lines = lines[1:]
            return lines
    return None


def _instance_map(root: Path, report: Reporter) -> dict[str, dict[str, Any]]:
    """mask file name -> {instance id (str) -> class name or id}."""
    out: dict[str, dict[str, Any]] = {}
    if (root / "instances.json").is_file():
        try:
            data = json.loads((root / "instances.json").read_text(encoding="utf-8"))
            out = {str(k): {str(i): c for i, c in v.items()} for k, v in data.items()}
        except (ValueError, AttributeError) as e:
            report(f"{root / 'instances.json'}: expected {{mask: {{instance: class}}}} ({e})")
    if (root / "instances.csv").is_file():
        with open(root / "instances.csv", newline="", encoding="utf-8") as f:
            for lineno, row in enumerate(csv.DictReader(f), start=2):
                try:
                    out.setdefault(row["mask"], {})[str(int(row["instance"]))] = row["class"]
                except (KeyError, ValueError, TypeError):
                    report(f"{root / 'instances.csv'}:{lineno}: expected columns mask,instance,class")
    return out


class _ImageFinder:
    """Image files by stem: ``images.csv`` (mask,image) first, then the image folders."""

    def __init__(self, root: Path, images: Path | None) -> None:
        self.root = root
        self.listed: dict[str, Path] = {}
        if (root / "images.csv").is_file():
            with open(root / "images.csv", newline="", encoding="utf-8") as f:
                for row in csv.DictReader(f):
                    if row.get("mask") and row.get("image"):
                        self.listed[row["mask"]] = root / row["image"]
        folders = [images] if images else [root / "images", root / "JPEGImages"]
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
        return ", ".join(str(d) for d in self.folders) or f"{self.root} (no images/ or JPEGImages/ folder)"


def _read_png(file: Path, report: Reporter) -> np.ndarray | None:
    try:
        with Image.open(file) as im:
            if im.mode in ("P", "L", "I;16", "I;16B", "I", "1"):
                arr = np.asarray(im)  # palette PNGs: the indexes are the ids
                return arr.astype(np.uint8) if arr.dtype == bool else arr
            report(f"{file}: {im.mode} mask: expected one channel of ids (gray, 16-bit or palette); skipped")
    except OSError as e:
        report(f"{file}: not a readable PNG ({e}); skipped")
    return None


def _name(names: list[str] | None, value: int) -> str:
    if names is not None and 0 < value < len(names) and names[value] not in ("", "__ignore__"):
        return names[value]
    return f"class_{value}"


def _semantic(ids: np.ndarray, image: ImageRecord, names: list[str] | None, build: Builder) -> None:
    void = VOID if ids.dtype == np.uint8 else None  # 16-bit masks use every value for classes
    for value in np.unique(ids):
        if value == 0 or value == void:
            continue
        cat = build.category(_name(names, int(value)), int(value))
        build.annotation(image, cat.id, mask=ids == value)


def _voc(
    file: Path,
    ids: np.ndarray,
    root: Path,
    image: ImageRecord,
    names: list[str] | None,
    build: Builder,
    report: Reporter,
) -> None:
    cls_file = root / "SegmentationClass" / file.relative_to(root / "SegmentationObject")
    cls = _read_png(cls_file, report) if cls_file.is_file() else None
    if cls is None or cls.shape != ids.shape:
        report.skip("masks", f"{file}: no SegmentationClass mask of the same size at {cls_file}; skipped")
        return
    for value in np.unique(ids):
        if value == 0 or value == VOID:
            continue
        region = ids == value
        classes = cls[region]
        classes = classes[(classes != 0) & (classes != VOID)]
        if classes.size == 0:
            report.skip("instances", f"{file}: instance {value} has no class in SegmentationClass; skipped")
            continue
        class_id = int(np.bincount(classes.astype(np.int64)).argmax())
        cat = build.category(_name(names, class_id), class_id)
        build.annotation(image, cat.id, mask=region)


def _instances(
    file: Path,
    ids: np.ndarray,
    instance_map: dict[str, dict[str, Any]],
    image: ImageRecord,
    names: list[str] | None,
    build: Builder,
    report: Reporter,
) -> None:
    classes = instance_map.get(file.name)
    sidecar = file.with_suffix(".json")
    if classes is None and sidecar.is_file():
        try:
            classes = {str(k): v for k, v in json.loads(sidecar.read_text(encoding="utf-8")).items()}
        except (ValueError, AttributeError):
            report(f"{sidecar}: expected {{instance: class}}")
    classes = classes or {}
    for value in np.unique(ids):
        if value == 0:
            continue
        cls = classes.get(str(int(value)))
        if cls is None:
            report.skip("instances", f"{file}: instance {value} has no class in the class map; skipped")
            continue
        if isinstance(cls, int) or (isinstance(cls, str) and cls.isdigit()):
            cat = build.category(_name(names, int(cls)), int(cls))
        else:
            cat = build.category(str(cls))
        build.annotation(image, cat.id, mask=ids == value)


# ------------------------------------------------------------------------------------------------
# writing


def voc_colormap(n: int = 256) -> np.ndarray:
    """Pascal VOC's colour map (also LabelMe's), so written palette PNGs look as in those tools."""
    cmap = np.zeros((n, 3), dtype=np.uint8)
    for i in range(n):
        r = g = b = 0
        c = i
        for j in range(8):
            r |= ((c >> 0) & 1) << (7 - j)
            g |= ((c >> 1) & 1) << (7 - j)
            b |= ((c >> 2) & 1) << (7 - j)
            c >>= 3
        cmap[i] = (r, g, b)
    return cmap


def write_masks(
    project: Project,
    out_dir: str | os.PathLike[str],
    *,
    mode: str = "instance",
    images: str = "link",
    progress: ProgressCallback | None = None,
) -> list[str]:
    """``out_dir/masks/<stem>.png`` per image plus ``classes.txt`` (and ``instances.json``); returns warnings.

    instance: pixel = object number in the image (1..n in annotation id order; 8-bit palette PNG, 16-bit
    gray when n > 255). semantic: pixel = class number (line in classes.txt). Boxes are filled; where
    objects overlap, the later one wins (counted in the warnings). ``images``: "copy"/"link" into
    ``out_dir/images``; "keep" lists the original files in ``images.csv``.
    """
    if mode not in ("instance", "semantic"):
        raise ValueError(f"mode: expected instance or semantic, got {mode!r}")
    check_image_mode(images)
    out = Path(out_dir)
    (out / "masks").mkdir(parents=True, exist_ok=True)
    warnings: list[str] = []
    counts: Counter[str] = Counter()
    cats = sorted(project.categories.values(), key=lambda c: c.id)
    class_index = {c.id: i for i, c in enumerate(cats, start=1)}
    stems = unique_stems(project)
    palette = voc_colormap().reshape(-1).tolist()
    instance_map: dict[str, dict[str, str]] = {}
    listing: list[tuple[str, str]] = []
    for image in with_progress(list(project.images.values()), len(project.images), progress):
        src = project.image_path(image)
        mask_name = f"{stems[image.id]}.png"
        if images == "keep":
            listing.append((mask_name, rel_name(src, out)))
        elif src.is_file():
            placed = place_image(src, out / "images" / (stems[image.id] + src.suffix), images)
            if placed is not None:
                warnings.append(placed)
        else:
            counts["missing"] += 1
        anns = sorted(project.annotations_of(image.id), key=lambda a: a.id)
        h, w = image.height, image.width
        n = len(anns) if mode == "instance" else len(cats)
        ids = np.zeros((h, w), dtype=np.uint8 if n <= (255 if mode == "instance" else 254) else np.uint16)
        covered = np.zeros((h, w), dtype=bool)
        names: dict[str, str] = {}
        seen_classes: set[int] = set()
        for k, a in enumerate(anns, start=1):
            m = a.mask(h, w)
            counts["boxes"] += a.kind == "box"
            counts["overlap"] += int(np.count_nonzero(covered & m))
            covered |= m
            if mode == "instance":
                ids[m] = k
                names[str(k)] = project.categories[a.category_id].name
            else:
                counts["merged"] += a.category_id in seen_classes
                seen_classes.add(a.category_id)
                ids[m] = class_index[a.category_id]
        if mode == "instance":
            instance_map[mask_name] = names
        counts["16bit"] += ids.dtype == np.uint16
        if ids.dtype == np.uint8:
            png = Image.frombytes("P", (w, h), ids.tobytes())
            png.putpalette(palette)
        else:
            png = Image.fromarray(ids)
        png.save(out / "masks" / mask_name)
    (out / "classes.txt").write_text("\n".join(["_background_", *[c.name for c in cats]]) + "\n", "utf-8")
    if mode == "instance":
        (out / "instances.json").write_text(json.dumps(instance_map, indent=1), encoding="utf-8")
    if listing:
        with open(out / "images.csv", "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(["mask", "image"])
            writer.writerows(listing)
    messages = {
        "missing": "image file(s) not found; only their masks were written",
        "boxes": "box-only object(s) written as filled boxes",
        "overlap": "pixel(s) where objects overlap: each pixel keeps the later object",
        "merged": "object(s) merged into another of the same class (semantic masks hold no instances)",
        "16bit": "mask(s) written as 16-bit PNGs (more than 255 ids)",
    }
    warnings += [f"{counts[k]} {msg}" for k, msg in messages.items() if counts[k]]
    return warnings
