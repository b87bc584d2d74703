"""Ultralytics YOLO datasets: ``data.yaml`` (or ``classes.txt``), ``images/<split>/`` + ``labels/<split>/``.

One object per line: ``class cx cy w h`` (detect) or ``class x1 y1 x2 y2 ...`` (segment), coordinates
normalised to 0..1 by the image size, class = 0-based index into ``names``. Label files sit where
Ultralytics looks for them: the image path with its last ``images`` folder replaced by ``labels``.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from pixelproof.core import limits
from pixelproof.core.imageio import ImageReadError, image_size, is_image_file
from pixelproof.core.keypoints import valid_kpt_shape
from pixelproof.core.limits import MAX_CLASSES, LimitError, is_inside, lexical_path, read_yaml, short_repr
from pixelproof.core.model import ImageRecord
from pixelproof.core.split_names import CANONICAL, canonical
from pixelproof.core.wording import plural
from pixelproof.interop._util import (
    Builder,
    ImportResult,
    ProblemCallback,
    ProgressCallback,
    Reporter,
    folder_project,
    is_file,
    linked_outside,
    rel_name,
    with_progress,
)
from pixelproof.interop.formats import Format, Option, images_option
from pixelproof.interop.yolo_writer import POSE_KEY, write_yolo

SPLITS = CANONICAL  # the keys of data.yaml that name images
_CLASS_FILES = ("classes.txt", "obj.names", "labels/classes.txt")
_LABEL_FOLDERS = ("labels", "annotations")
_SPLIT_FOLDERS = {"train": ("train",), "val": ("valid", "val"), "test": ("test",)}  # Roboflow: valid/
# Ultralytics' verify_image_label trains coordinates from -0.01 to 1.01 (1% tolerance; the boxes are
# clipped to the image as it trains): such an object is read as the file has it, reaching outside
# the image by under 1% (an export clips it, saying so), not dropped as a broken line.
_TOLERANCE = 0.01
# The most objects one label file is read with: the densest datasets hold thousands an image (crowds,
# shelves); a 100 MB file of 2.6 million lines took 9 GB and minutes before. The bytes are capped first so
# that a file of long polygon lines is never read whole either.
MAX_OBJECTS_PER_FILE = 100_000
MAX_LABEL_BYTES = 256 << 20


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
    keypoints = _kpt_shape(config, report)
    if keypoints:  # for an export to write the pose dataset back (yolo_writer.pose_of)
        project.extra[POSE_KEY] = {"kpt_shape": list(keypoints), **_flip_idx(config, keypoints, report)}
    for i, name in enumerate(names or []):
        build.category(name, i + 1)
    images = _image_list(config, root, yaml_file, report)
    used_labels: set[Path] = set()
    unrecorded: list[int] = []
    real_root = os.path.realpath(root)  # once, not per file
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
        if label_file.is_file() and (outside := linked_outside(label_file, root, real_root)):
            report.skip("files", f"{outside}; its image is imported without labels")
        elif label_file.is_file():  # none: To do (Ultralytics trains it as background; README)
            with build.record(image, report):
                _read_labels(label_file, image, names, build, report, keypoints)
        elif is_file(label_file, os.path.lexists):  # a FIFO, folder or broken link: not "no objects"
            report.skip(
                "files",
                f"{label_file}: not a regular file (a FIFO, device, socket, folder or broken link); "
                "its image is imported without labels, not marked Done",
            )
        else:
            unrecorded.append(image.id)
    if keypoints and (posed := sum("yolo" in a.extra for a in project.annotations.values())):
        report.note(
            f"{plural(posed, 'object')} of a pose dataset (kpt_shape {list(keypoints)}) read as their boxes: "
            "the keypoints are kept with each object (its extras), drawn on the canvas and moved there with "
            "the select tool; a YOLO export writes them back (task pose), a COCO export as COCO keypoints, "
            "other exports and YOLO's detect and segment the boxes without them"
        )
    for orphan in _orphan_labels(root, used_labels):
        report.skip("files", f"{orphan}: no image for this label file; skipped")
    return ImportResult(project, report.problems, report.skipped, unrecorded=unrecorded, notes=report.notes)


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
    nc = config.get("nc")
    if isinstance(names, list | dict) and nc is not None and nc != len(names):
        report(
            f"{config.get('_file', root)}: nc: {short_repr(nc)} but names has {len(names)} classes "
            "(Ultralytics refuses this data.yaml: 'names' length and 'nc' must match); the names are used"
        )
    if isinstance(names, list):
        bad = next((i for i, n in enumerate(names) if not isinstance(n, str | int | float)), None)
        if bad is not None:
            report(
                f"{where}[{bad}]: expected a class name, got {short_repr(names[bad])}; "
                "classes named class_<n>"
            )
            return None
        return [str(n) for n in names]
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


def _kpt_shape(config: dict[str, Any], report: Reporter) -> tuple[int, int] | None:
    """A pose dataset's ``kpt_shape: [keypoints, 2 or 3]``: its lines are ``class cx cy w h`` and that many
    ``x y`` (``visible``) values. None without one (a line of extra numbers is then a polygon)."""
    shape = config.get("kpt_shape")
    if shape is None:
        return None
    if valid_kpt_shape(shape):
        return shape[0], shape[1]
    report(
        f"{config['_file']}: kpt_shape: expected [keypoints, 2 or 3], got {short_repr(shape)}; "
        "lines read as boxes or polygons"
    )
    return None


def _flip_idx(config: dict[str, Any], keypoints: tuple[int, int], report: Reporter) -> dict[str, list[int]]:
    """data.yaml's ``flip_idx`` (each keypoint's mirror image, for Ultralytics' left-right flips), kept to be
    written back; ``{}`` without one or with one Ultralytics could not use (said)."""
    flip = config.get("flip_idx")
    if flip is None:
        return {}
    k = keypoints[0]
    if isinstance(flip, list) and len(flip) == k and all(type(i) is int and 0 <= i < k for i in flip):
        return {"flip_idx": flip}
    report(
        f"{config['_file']}: flip_idx: expected {k} keypoint indices 0..{k - 1} (kpt_shape), got "
        f"{short_repr(flip)}; not kept (an export writes no flip_idx)"
    )
    return {}


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
    keypoints: tuple[int, int] | None = None,
) -> None:
    w, h = image.width, image.height
    try:
        with open(file, "rb") as f:
            raw = f.read(MAX_LABEL_BYTES + 1)
    except OSError as e:
        report.skip("files", f"{file}: cannot read ({e.strerror or e}); skipped")
        return
    lines = raw.decode("utf-8", errors="replace").splitlines() if len(raw) <= MAX_LABEL_BYTES else None
    count = sum(1 for ln in lines if ln.strip()) if lines is not None else 0
    if lines is None or count > MAX_OBJECTS_PER_FILE:
        said = f"larger than {MAX_LABEL_BYTES:,} bytes" if lines is None else f"{count:,} objects"
        report.skip(
            "files",
            f"{file}: {said}, more than one image is read with (at most {MAX_OBJECTS_PER_FILE:,} objects: "
            "a generated or broken file, not labels); skipped, its image is imported without labels",
        )
        return

    def skip(message: str) -> None:  # one line a bad line, for the first few of a file (``often``)
        report.often("skipped lines", f"{message}; line skipped", "lines")

    box_lines: list[int] = []  # read as boxes, and whether a polygon came too: Ultralytics reads neither so
    polygon_read = False
    for lineno, line in enumerate(lines, 1):
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
        fields: dict[str, Any] = {}
        if keypoints is not None:  # pose: class cx cy w h, then x y (visible) of each keypoint
            want = 5 + keypoints[0] * keypoints[1]
            if len(parts) != want:
                skip(
                    f"{where}: expected {want} numbers (class cx cy w h and {keypoints[0]} keypoints of "
                    f"{keypoints[1]} values, data.yaml's kpt_shape), got {len(parts)}"
                )
                continue
            points = np.asarray(coords[4:]).reshape(keypoints)
            # the box they were read with (cx cy w h, normalised): an export moves them with an edited box
            kept = {"keypoints": coords[4:], "kpt_shape": list(keypoints), "box": coords[:4]}
            fields["extra"] = {"yolo": kept}
            coords = coords[:4] + points[:, :2].reshape(-1).tolist()  # the visibility is no coordinate
        elif len(coords) == 5:  # predictions files: class cx cy w h confidence
            score, coords = coords[4], coords[:4]
        if keypoints is None and not (len(coords) == 4 or (len(coords) >= 6 and len(coords) % 2 == 0)):
            skip(
                f"{where}: expected 5 numbers (class cx cy w h) or a class and at least 3 x y pairs, "
                f"got {len(parts)} numbers"
            )
            continue
        lo, hi = min(coords), max(coords)
        if lo < -_TOLERANCE or hi > 1 + _TOLERANCE:
            skip(
                f"{where}: coordinates must be normalised to 0..1 (Ultralytics allows 1% over), "
                f"got {hi if hi > 1 + _TOLERANCE else lo:g}"
            )
            continue
        idx = int(cls)
        if names is not None and idx >= len(names):
            skip(f"{where}: class {idx} is not in names (0..{len(names) - 1})")
            continue
        fields.update({"score": score} if score is not None else {})
        coords = coords[:4] if keypoints is not None else coords  # the object is the box
        try:
            cat = build.category(names[idx] if names is not None else f"class_{idx}", idx + 1)
            if len(coords) == 4:
                cx, cy, bw, bh = coords
                box = [(cx - bw / 2) * w, (cy - bh / 2) * h, bw * w, bh * h]
                build.annotation(image, cat.id, bbox=box, where=where, **fields)
                box_lines.append(lineno)
            else:
                xy = np.asarray(coords, dtype=np.float64).reshape(-1, 2) * (w, h)
                build.annotation(image, cat.id, polygons=[xy.reshape(-1).tolist()], where=where, **fields)
                polygon_read = True
        except LimitError as e:
            skip(str(e))
    report.summarise(file)
    if box_lines and polygon_read:
        report.note(
            f"{file}:{box_lines[0]}: {plural(len(box_lines), 'box line')} among polygon lines: Ultralytics "
            "reads a file with a polygon as polygons only, a box line as a polygon of 2 points (cx cy, w h: "
            "another object); read here as the boxes they describe, which a segment export writes as "
            "4-corner polygons"
        )


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
            "boxes (detect), polygons (segment) or boxes and keypoints (pose: a project read from a pose "
            "dataset); auto: pose for such a project, else segment when any object has a shape",
            "auto",
            choices={
                "auto": "Pose for a project read from a pose dataset, else segment when any object has a "
                "shape, else detect",
                "detect": "Detect (boxes)",
                "segment": "Segment (polygons)",
                "pose": "Pose (boxes and the keypoints of a project read from a pose dataset)",
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
        " outside the image (clipped); the crowd flag, scores, review state, notes, pose keypoints (but in"
        " task pose: a project read from a pose dataset; those of a box moved or resized since it was read"
        " are moved with it, those dragged in the app written where they were dropped); void regions (left"
        " out, a warning says how many: YOLO would train them as a class); the exact width of thin and tiny"
        " masks as Ultralytics reads them (it fills the polygons at whole pixels, taking in their outline: a"
        " 2 px scratch trains as about 3.5 px; a warning names them)"
    ),
)
