"""Ultralytics YOLO datasets: ``data.yaml`` (or ``classes.txt``), ``images/<split>/`` + ``labels/<split>/``.

One object per line: ``class cx cy w h`` (detect) or ``class x1 y1 x2 y2 ...`` (segment), coordinates
normalised to 0..1 by the image size, class = 0-based index into ``names``. Label files sit where
Ultralytics looks for them: the image path with its last ``images`` folder replaced by ``labels``.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from pixelproof.core import annotation_pixels, limits
from pixelproof.core import masks as core_masks
from pixelproof.core.imageio import ImageReadError, image_size, is_image_file
from pixelproof.core.limits import MAX_CLASSES, LimitError, is_inside, lexical_path, read_yaml, short_repr
from pixelproof.core.model import Annotation, ImageRecord, Project
from pixelproof.core.split_names import CANONICAL, canonical
from pixelproof.core.wording import noted_counts, plural
from pixelproof.interop._util import (
    Builder,
    ImportResult,
    ProblemCallback,
    ProgressCallback,
    Reporter,
    folder_project,
    fresh,
    is_file,
    linked_outside,
    one_line,
    rel_name,
    with_progress,
    write_fresh,
)
from pixelproof.interop.formats import Format, Option, image_names, images_option
from pixelproof.interop.image_placing import image_exists, image_suffix, place_image
from pixelproof.interop.splits import names, spelled
from pixelproof.interop.stems import unique_stems
from pixelproof.interop.void_regions import without_void
from pixelproof.interop.yolo_raster import GROWTH, ultralytics_changed

SPLITS = CANONICAL  # the keys of data.yaml that name images
_CLASS_FILES = ("classes.txt", "obj.names", "labels/classes.txt")
_LABEL_FOLDERS = ("labels", "annotations")
_SPLIT_FOLDERS = {"train": ("train",), "val": ("valid", "val"), "test": ("test",)}  # Roboflow: valid/
_EPS = 1e-6  # rounding slack on normalised coordinates written with few decimals


def read_yolo(
    path: str | os.PathLike[str],
    *,
    on_problem: ProblemCallback | None = None,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Import a YOLO dataset folder or its ``data.yaml``; the split of each image is kept in its extras."""
    src = Path(path)
    yaml_file = src if src.is_file() else _find_yaml(src)
    root = src.parent if src.is_file() else src
    report = Reporter(on_problem)
    project = folder_project(root)
    build = Builder(project)
    config: dict[str, Any] = {}
    if yaml_file is not None:
        config = _load_yaml(yaml_file, report)
        if not config.get("val") and "validation" in config:  # Ultralytics reads it as val
            config["val"] = config.pop("validation")
    names = _names(config, root, report)
    for i, name in enumerate(names or []):
        build.category(name, i + 1)
    images = _image_list(config, root, yaml_file, report)
    used_labels: set[Path] = set()
    unrecorded: list[int] = []
    for image_file, split in with_progress(images, len(images), progress):
        label_file = find_label_file(image_file)
        used_labels.add(lexical_path(label_file))
        try:
            width, height = image_size(image_file)
            extra = {"pixelproof": {"split": split}} if split else {}
            image = build.image(rel_name(image_file, root), width, height, where=str(image_file), **extra)
        except (ImageReadError, LimitError) as e:
            report.skip("images", f"{e}; skipped")
            continue
        if label_file.is_file() and (outside := linked_outside(label_file, root)):
            report.skip("files", f"{outside}; its image is imported without labels")
        elif label_file.is_file():  # none: To do (Ultralytics trains it as background; README)
            with build.record(image, report):
                _read_labels(label_file, image, names, build, report)
        elif is_file(label_file, os.path.lexists):  # a FIFO, folder or broken link: not "no objects"
            report.skip(
                "files",
                f"{label_file}: not a regular file (a FIFO, device, socket, folder or broken link); "
                "its image is imported without labels, not marked Done",
            )
        else:
            unrecorded.append(image.id)
    for orphan in _orphan_labels(root, used_labels):
        report.skip("files", f"{orphan}: no image for this label file; skipped")
    return ImportResult(project, report.problems, report.skipped, unrecorded=unrecorded)


def _orphan_labels(root: Path, used: set[Path]) -> list[Path]:
    """Label files in a labels/annotations folder that no image claimed (one spelling for both sides)."""
    found = set()
    for folder in [root, *sorted(p for p in root.rglob("*") if p.is_dir())]:
        if folder.name.lower() in _LABEL_FOLDERS:
            found.update(lexical_path(p) for p in folder.rglob("*.txt") if p.is_file())
    return sorted(f for f in found - used if f.name not in ("classes.txt", "README.txt"))


def find_label_file(image_file: Path) -> Path:
    """The label file of an image: Ultralytics' ``images`` -> ``labels``, then the loose layouts other
    tools write (``Images/`` + ``Annotations/``, as Datumaro's YOLO samples), then beside the image
    (LabelImg). The Ultralytics path when none exists."""
    ultralytics = label_path(image_file)
    candidates = [ultralytics]
    parts = list(image_file.parts)
    for i in range(len(parts) - 2, -1, -1):
        if parts[i].lower() == "images":
            for name in ("labels", "Labels", "annotations", "Annotations"):
                candidates.append(Path(*parts[:i], name, *parts[i + 1 :]).with_suffix(".txt"))
            break
    candidates.append(image_file.with_suffix(".txt"))
    return next((c for c in candidates if is_file(c)), ultralytics)


def label_path(image_file: Path) -> Path:
    """Where Ultralytics looks for an image's labels: last ``images`` folder -> ``labels``, ``.txt``."""
    parts = list(image_file.parts)
    for i in range(len(parts) - 2, -1, -1):
        if parts[i] == "images":
            parts[i] = "labels"
            break
    return Path(*parts).with_suffix(".txt")


def _find_yaml(root: Path) -> Path | None:
    if (root / "data.yaml").is_file():
        return root / "data.yaml"
    found = sorted(root.glob("*.yaml")) + sorted(root.glob("*.yml"))
    return found[0] if len(found) == 1 else None


def _load_yaml(file: Path, report: Reporter) -> dict[str, Any]:
    try:
        data = read_yaml(file)
    except (OSError, ValueError) as e:
        report(f"{e if isinstance(e, ValueError) else f'{file}: {e}'}; looking for classes.txt instead")
        return {}
    if not isinstance(data, dict):
        report(f"{file}: expected a mapping with 'names'; looking for classes.txt instead")
        return {}
    data["_file"] = file
    return data


def _names(config: dict[str, Any], root: Path, report: Reporter) -> list[str] | None:
    names = config.get("names")
    where = f"{config.get('_file', root)}: names"
    if isinstance(names, list | dict) and len(names) > MAX_CLASSES:
        report(f"{where}: {len(names)} classes, more than {MAX_CLASSES}; classes named class_<n>")
        return None
    if isinstance(names, dict):
        try:
            keys = sorted(int(k) for k in names)
        except (TypeError, ValueError):
            keys = []
        if keys != list(range(len(keys))):
            report(f"{where}: must be numbered 0..n-1; classes named class_<n>")
            return None
        names = [names.get(k, names.get(str(k))) for k in keys]
    if isinstance(names, list):
        bad = next((i for i, n in enumerate(names) if not isinstance(n, str | int | float)), None)
        if bad is not None:
            report(
                f"{where}[{bad}]: expected a class name, got {short_repr(names[bad])}; "
                "classes named class_<n>"
            )
            return None
        return [str(n) for n in names]
    nc = config.get("nc")
    if type(nc) is int and 0 <= nc <= MAX_CLASSES:
        return [f"class_{i}" for i in range(nc)]
    if nc is not None:
        report(f"{config.get('_file', root)}: nc: expected 0..{MAX_CLASSES} classes, got {short_repr(nc)}")
    for name in _CLASS_FILES:
        f = root / name
        if f.is_file():
            try:
                return [ln.strip() for ln in f.read_text(encoding="utf-8").splitlines() if ln.strip()]
            except (OSError, UnicodeDecodeError) as e:
                report(f"{f}: not readable UTF-8 text ({e})")
    report(f"{root}: no data.yaml or classes.txt; classes are named class_<n>")
    return None


def _image_list(
    config: dict[str, Any], root: Path, yaml_file: Path | None, report: Reporter
) -> list[tuple[Path, str | None]]:
    """(image file, split) pairs, from data.yaml's splits or from the folder layout."""
    out: list[tuple[Path, str | None]] = []
    seen: set[Path] = set()

    def add(files: list[Path], split: str | None) -> None:
        for f in files:
            if f not in seen:
                seen.add(f)
                out.append((f, split))

    if yaml_file is not None and any(config.get(s) for s in SPLITS):
        path = config.get("path")
        base = Path(path) if isinstance(path, str) and path else Path()
        base = base if base.is_absolute() else yaml_file.parent / base
        if not is_file(base, Path.is_dir):
            base = yaml_file.parent  # a moved dataset: its 'path' points where it used to be
        for split in SPLITS:
            entries = config.get(split)
            entries = [entries] if isinstance(entries, str) else entries or []
            if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
                report(f"{yaml_file}: {split}: expected a folder, a .txt list or a list of them; ignored")
                continue
            for entry in entries:
                target = _split_target(base, entry, split, yaml_file, report)
                if target is None:
                    continue
                if target.is_dir() and not (is_inside(target, root) or limits.outside_root_allowed()):
                    # its images would all be outside the dataset (flagged, never exported): a 'path: /'
                    # would walk the whole file system first
                    report(
                        f"{yaml_file}: {split}: {target} is outside the dataset folder {root}; not read "
                        "(--allow-outside-root reads it)"
                    )
                    continue
                if target.is_dir():
                    add(_images_under(target), split)
                else:
                    add(_listed_images(target, report), split)
        return out
    images_dir = root / "images"
    if images_dir.is_dir():
        for f in _images_under(images_dir):
            rel = f.relative_to(images_dir).parts
            split = canonical(rel[0]) if len(rel) > 1 else None  # images/valid/ (Roboflow) is val
            add([f], split if split in SPLITS else None)
        return out
    add([f for f in _images_under(root) if "labels" not in f.relative_to(root).parts], None)
    return out


def _split_target(base: Path, entry: str, split: str, yaml_file: Path, report: Reporter) -> Path | None:
    """The folder or .txt list a data.yaml split names. As Ultralytics does, a ``../x`` that does not
    exist is also tried as ``x``; Roboflow exports name ``../train/images`` beside ``train/images``, and
    their val folder may be ``valid/`` or ``val/``. Where it looked is reported when it had to look."""
    tried = [base / entry]
    if entry.startswith("../"):
        tried.append(base / entry[3:])
    tried += [yaml_file.parent / name / "images" for name in _SPLIT_FOLDERS[split]]
    for n, target in enumerate(tried):
        if is_file(target, Path.is_dir) or (is_file(target) and target.suffix == ".txt"):
            if n:
                report(f"{yaml_file}: {split}: {entry} not found at {tried[0]}; read {target}")
            return target
    report(f"{yaml_file}: {split}: {entry} not found (looked at {', '.join(map(str, tried))})")
    return None


def _listed_images(listing: Path, report: Reporter) -> list[Path]:
    """Image paths listed one per line in a split's .txt file (relative to the file's folder)."""
    try:
        lines = listing.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        report(f"{listing}: not readable UTF-8 text ({e}); ignored")
        return []
    files = [listing.parent / ln.strip() for ln in lines if ln.strip()]
    return [lexical_path(f) for f in files]


def _images_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if is_image_file(p) and p.is_file())


def _read_labels(
    file: Path,
    image: ImageRecord,
    names: list[str] | None,
    build: Builder,
    report: Reporter,
) -> None:
    w, h = image.width, image.height
    try:
        text = file.read_text(encoding="utf-8", errors="replace")
    except OSError as e:
        report.skip("files", f"{file}: cannot read ({e.strerror or e}); skipped")
        return

    def skip(message: str) -> None:  # one line a bad line, for the first few of a file (``often``)
        report.often("skipped lines", f"{message}; line skipped", "lines")

    for lineno, line in enumerate(text.splitlines(), 1):
        parts = line.split()
        if not parts:
            continue
        where = f"{file}:{lineno}"
        try:
            nums = [float(p) for p in parts]
        except ValueError:
            skip(f"{where}: expected numbers, got {short_repr(line.strip())}")
            continue
        bad = next((p for p, v in zip(parts, nums, strict=True) if not math.isfinite(v)), None)
        if bad is not None:
            skip(f"{where}: expected finite numbers, got {short_repr(bad)}")
            continue
        cls, coords = nums[0], nums[1:]
        if cls != int(cls) or not 0 <= cls < MAX_CLASSES:
            skip(f"{where}: class must be a non-negative integer, got {short_repr(parts[0])}")
            continue
        score = None
        if len(coords) == 5:  # predictions files: class cx cy w h confidence
            score, coords = coords[4], coords[:4]
        if not (len(coords) == 4 or (len(coords) >= 6 and len(coords) % 2 == 0)):
            skip(
                f"{where}: expected 5 numbers (class cx cy w h) or a class and at least 3 x y pairs, "
                f"got {len(parts)} numbers"
            )
            continue
        lo, hi = min(coords), max(coords)
        if lo < -_EPS or hi > 1 + _EPS:
            skip(f"{where}: coordinates must be normalised to 0..1, got {hi if hi > 1 + _EPS else lo:g}")
            continue
        idx = int(cls)
        if names is not None and idx >= len(names):
            skip(f"{where}: class {idx} is not in names (0..{len(names) - 1})")
            continue
        fields: dict[str, Any] = {"score": score} if score is not None else {}
        try:
            cat = build.category(names[idx] if names is not None else f"class_{idx}", idx + 1)
            if len(coords) == 4:
                cx, cy, bw, bh = coords
                box = [(cx - bw / 2) * w, (cy - bh / 2) * h, bw * w, bh * h]
                build.annotation(image, cat.id, bbox=box, where=where, **fields)
            else:
                xy = np.asarray(coords, dtype=np.float64).reshape(-1, 2) * (w, h)
                build.annotation(image, cat.id, polygons=[xy.reshape(-1).tolist()], where=where, **fields)
        except LimitError as e:
            skip(str(e))
    report.summarise(file)


# ------------------------------------------------------------------------------------------------
# writing


def write_yolo(
    project: Project,
    out_dir: str | os.PathLike[str],
    *,
    task: str = "auto",
    images: str = "link",
    val_fraction: float = 0.0,
    progress: ProgressCallback | None = None,
) -> list[str]:
    """Write an Ultralytics dataset (``data.yaml``, ``images/<split>``, ``labels/<split>``); returns warnings.

    ``task`` "detect" writes boxes, "segment" polygons ("auto": segment when any object has a shape).
    Splits come from each image's split (train, val or test as any reader names them: CVAT's Validation,
    Open Images' validation, KITTI's testing; ``interop.splits``), else every n-th image goes to val when
    ``val_fraction`` > 0, else all to train. ``images`` is "link" (hard link, else symlink, else
    copy) or "copy": Ultralytics finds labels only beside an ``images`` folder.
    """
    if task not in ("auto", "detect", "segment"):
        raise ValueError(f"task: expected auto, detect or segment, got {task!r}")
    if not 0.0 <= val_fraction < 1.0:  # NaN fails too; 1 would leave no training images
        raise ValueError(f"val_fraction: expected a share from 0 to below 1, got {val_fraction!r}")
    if images not in ("copy", "link"):
        raise ValueError(f"images: YOLO needs its own images/ folder: expected copy or link, got {images!r}")
    project, warnings = without_void(project, "YOLO")
    if task == "auto":
        task = "segment" if any(a.kind != "box" for a in project.annotations.values()) else "detect"
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    counts: Counter[str] = Counter()
    cats = sorted(project.categories.values(), key=lambda c: c.id)
    index = {c.id: i for i, c in enumerate(cats)}
    stems = unique_stems(project)
    ordered = sorted(project.images.values(), key=lambda im: im.id)
    splits = _assign_splits(ordered, val_fraction, warnings)
    grown_images: list[int] = []
    for image in with_progress(ordered, len(ordered), progress):
        split = splits[image.id]
        src = project.image_path(image)
        picture, label_name = stems[image.id] + image_suffix(src), f"{stems[image.id]}.txt"
        for other in SPLITS:  # an earlier export's copy in another split: training on validation images
            if other != split:
                fresh(out / "images" / other / picture)
                fresh(out / "labels" / other / label_name)
        if image_exists(src):
            placed = place_image(
                src,
                out / "images" / split / picture,
                images,
                image,
                project.applies_exif,
            )
            if placed is not None:
                warnings.append(placed)
        else:
            counts["missing"] += 1
        lines, grown_before = [], counts["grown"]
        for a in sorted(project.annotations_of(image.id), key=lambda a: a.id):
            try:
                lines += _lines(a, index[a.category_id], image, task, counts)
            except LimitError as e:  # a mask whose box is over the pixel limit: its box is written
                warnings.append(f"{e}; written as its box")
                lines += _box_line(a, index[a.category_id], image, task, counts)
        if counts["grown"] > grown_before:
            grown_images.append(image.id)
        label = out / "labels" / split / label_name
        label.parent.mkdir(parents=True, exist_ok=True)
        write_fresh(label, "".join(f"{ln}\n" for ln in lines))
    used = sorted(set(splits.values()), key=SPLITS.index)
    _write_yaml(out, used, [c.name for c in cats], warnings, val_fraction)
    write_fresh(out / "classes.txt", "".join(f"{one_line(c.name)}\n" for c in cats))
    if odd := [c for c in cats if one_line(c.name) != c.name]:
        warnings.append(
            f"{plural(len(odd), 'category name')} with line breaks, blanks around them or empty "
            "written to classes.txt as one "
            "line (breaks as spaces, trimmed, empty as _); data.yaml has them exactly"
        )
    messages = {
        "missing": ("image file", "not found; only their labels were written"),
        "holes": ("mask", "with holes: YOLO polygons cannot hold holes, so the holes are filled"),
        "parts": ("object", "in several parts written as one line per part (YOLO has one polygon per line)"),
        "dropped": ("thin diagonal mask sliver", "dropped (no polygon can represent one)"),
        "boxes": ("box-only object", "written as 4-corner polygons (task segment; task detect writes boxes)"),
        "shapes": ("polygon/mask object", "written as their bounding boxes (detect task)"),
        "clipped": ("object", "reaching outside the image clipped to it (YOLO coordinates are 0..1)"),
    }
    warnings += noted_counts(counts, messages)
    if counts["grown"]:
        warnings.append(
            f"{plural(counts['grown'], 'mask')} on {plural(len(grown_images), 'image')} change by more "
            f"than {GROWTH:.0%} of their pixels when Ultralytics reads them: "
            f"{image_names(project, grown_images)}; its polygon2mask fills each polygon at whole pixels "
            "with cv2.fillPoly, which adds the pixels on the outline (a column to the right, a row below), "
            "so a thin or tiny defect trains wider (a 2 px scratch as about 3.5 px); the polygons are exact "
            "as pycocotools reads them (COCO, pixelproof qa). For exact pixels export COCO (RLE masks) or "
            "masks"
        )
    return warnings


def _assign_splits(images: list[ImageRecord], val_fraction: float, warnings: list[str]) -> dict[int, str]:
    """Image id -> train, val or test: the image's own split (a CVAT Validation, a KITTI testing...: see
    ``interop.splits``), else every n-th to val by ``val_fraction``, else train. A split data.yaml cannot
    name (a user's CVAT subset) is said, and its images go where images without a split go."""
    out = {}
    others: Counter[str] = Counter()
    for i, image in enumerate(images):
        split = spelled(image, "yolo")
        if split not in SPLITS:
            others.update([split] if split else [])
            to_val = val_fraction > 0 and int((i + 1) * val_fraction) > int(i * val_fraction)
            split = "val" if to_val else "train"
        out[image.id] = split
    if others:
        warnings.append(
            f"{plural(others.total(), 'image')} of {plural(len(others), 'split')} {names(others)} "
            "written to train (or val, by the "
            "Validation share) as images without a split: data.yaml names train, val and test only"
        )
    return out


def _write_yaml(out: Path, splits: list[str], names: list[str], warnings: list[str], share: float) -> None:
    """data.yaml without ``path:``: Ultralytics then takes the dataset root from the YAML file's own
    folder, so the dataset can be moved or shared as it is (a relative ``path:`` would be read against
    Ultralytics' datasets folder instead)."""
    lines = ["# Ultralytics YOLO dataset written by PixelProof (root: this file's folder)"]
    lines += [f"{split}: images/{split}" for split in splits]
    if "train" not in splits:
        lines.append(f"train: images/{splits[0] if splits else 'train'}")
        warnings.append("no training split: data.yaml's train points at the validation images")
    if "val" not in splits:
        lines.append("val: images/train")
        why = (  # README's `--val-fraction 0.2` on 3 images was told to use --val-fraction
            f"a Validation share (--val-fraction) of {share:g} needs at least {math.ceil(1 / share)} images"
            " without a split of their own to hold one out"
            if share
            else "a Validation share above 0, --val-fraction on the command line, holds some images out"
        )
        warnings.append(f"no validation split: data.yaml's val points at the training images ({why})")
    lines += ["names:", *(f"  {i}: {_yaml_str(n)}" for i, n in enumerate(names))]
    write_fresh(out / "data.yaml", "\n".join(lines) + "\n")


def _yaml_str(text: str) -> str:
    """A YAML double-quoted scalar in ASCII: JSON's escapes, characters beyond U+FFFF as ``\\U`` (YAML
    reads no surrogate pairs: ``json.dumps``'s ``\\ud83d\\ude00`` for an emoji made the whole data.yaml
    unreadable, so the classes fell back to classes.txt)."""
    return re.sub(
        r"[^\x20-\x7e]",
        lambda m: f"\\u{ord(m[0]):04x}" if ord(m[0]) < 0x10000 else f"\\U{ord(m[0]):08x}",
        json.dumps(text, ensure_ascii=False),
    )


def _fmt(values: Any) -> str:
    return " ".join(f"{min(max(float(v), 0.0), 1.0):.6f}" for v in values)


def _box_line(a: Annotation, cls: int, image: ImageRecord, task: str, counts: Counter[str]) -> list[str]:
    """The object's box: 4 corners in a segment dataset, ``cx cy w h`` in a detect one."""
    w, h = image.width, image.height
    x, y, bw, bh = a.bbox
    # the part inside the image: clamping cx, cy, w and h one by one moved a box whose centre is outside
    x0, y0, x1, y1 = max(x, 0.0), max(y, 0.0), min(x + bw, w), min(y + bh, h)
    counts["clipped"] += (x0, y0, x1, y1) != (x, y, x + bw, y + bh)
    if task == "segment":
        counts["boxes"] += 1
        return [f"{cls} {_fmt(np.array([x0, y0, x1, y0, x1, y1, x0, y1]) / ([w, h] * 4))}"]
    if a.kind != "box":
        counts["shapes"] += 1
    return [f"{cls} {_fmt([(x0 + x1) / 2 / w, (y0 + y1) / 2 / h, (x1 - x0) / w, (y1 - y0) / h])}"]


def _lines(a: Annotation, cls: int, image: ImageRecord, task: str, counts: Counter[str]) -> list[str]:
    w, h = image.width, image.height
    if task == "detect" or a.kind == "box":
        return _box_line(a, cls, image, task, counts)
    if a.kind == "polygon":
        polygons = [p for p in a.segmentation if len(p) >= 6]
    else:
        where = f"{image.file_name}: annotation {a.id}"
        found = annotation_pixels.annotation_crop(a, h, w, where)  # its box only, never an image-sized array
        traced = core_masks.mask_to_polygons(found[1] if found else np.zeros((1, 1), bool))
        x0, y0 = found[0][:2] if found else (0, 0)
        polygons = [[v + (x0 if i % 2 == 0 else y0) for i, v in enumerate(p)] for p in traced.polygons]
        counts["holes"] += traced.holes > 0
        counts["dropped"] += traced.dropped > 0
        if found and ultralytics_changed(polygons, found[1], x0, y0, w, h) > GROWTH:
            counts["grown"] += 1
    counts["parts"] += len(polygons) > 1
    scaled = [np.asarray(p, dtype=np.float64) / ([w, h] * (len(p) // 2)) for p in polygons]
    counts["clipped"] += any(((s < 0) | (s > 1)).any() for s in scaled)  # _fmt clamps each point
    return [f"{cls} {_fmt(s)}" for s in scaled]


def looks_like_yolo(path: Path) -> bool:
    """A YAML file, or a folder with a data.yaml, or with ``labels/`` beside ``images/``."""
    if path.is_file():
        return path.suffix.lower() in (".yaml", ".yml")
    return path.is_dir() and (
        (path / "data.yaml").is_file() or ((path / "labels").is_dir() and (path / "images").is_dir())
    )


FORMAT = Format(
    name="yolo",
    title="YOLO dataset (Ultralytics)",
    reader=read_yolo,
    writer=write_yolo,
    write_options=(
        Option(
            "task",
            "choice",
            "boxes (detect) or polygons (segment); auto: segment when any object has a shape",
            "auto",
            choices={
                "auto": "Segment when any object has a shape, else detect",
                "detect": "Detect (boxes)",
                "segment": "Segment (polygons)",
            },
        ),
        images_option("images/<split> (Ultralytics finds labels only beside an images folder)"),
        Option(
            "val_fraction",
            "float",
            "share of the images without a split of their own that go to val (every n-th; 0: all train)",
            0.0,
            label="Validation share",
            minimum=0.0,
            maximum=0.9,
        ),
    ),
    detect=looks_like_yolo,
    suffixes=(".yaml", ".yml"),
    lost_on_export=(
        "holes (filled, with a warning), several parts (one line each), everything but boxes in detect; parts"
        " outside the image (clipped); the crowd flag, scores, review state, notes; void regions (left out, a"
        " warning says how many: YOLO would train them as a class); the exact width of thin and tiny masks as"
        " Ultralytics reads them (it fills the polygons at whole pixels, taking in their outline: a 2 px"
        " scratch trains as about 3.5 px; a warning names them)"
    ),
)
