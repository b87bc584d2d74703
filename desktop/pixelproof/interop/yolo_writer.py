"""Writing an Ultralytics YOLO dataset (``write_yolo``): ``data.yaml``, ``classes.txt``, ``images/<split>/``
and ``labels/<split>/``, one line per object, boxes (detect), polygons (segment) or boxes with keypoints
(pose, for a project read from a pose dataset) normalised to 0..1, with a warning for each thing the
format cannot hold. Reading is ``yolo.read_yolo``.
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

from pixelproof.core import annotation_pixels
from pixelproof.core import masks as core_masks
from pixelproof.core.imageio import is_image_file
from pixelproof.core.keypoints import POSE_KEY, dataset_kpt_shape, finite_numbers, follow_box, keypoint_names
from pixelproof.core.limits import LimitError
from pixelproof.core.model import Annotation, ImageRecord, Project
from pixelproof.core.split_names import CANONICAL as SPLITS
from pixelproof.core.split_names import canonical
from pixelproof.core.wording import noted_counts, plural
from pixelproof.interop._util import ProgressCallback, as_dict, fresh, one_line, with_progress, write_fresh
from pixelproof.interop.formats import image_names
from pixelproof.interop.image_guard import make_folders
from pixelproof.interop.image_placing import image_exists, image_suffix, place_image
from pixelproof.interop.splits import names, spelled
from pixelproof.interop.stems import file_folders, portable, unique_stems
from pixelproof.interop.void_regions import without_void
from pixelproof.interop.yolo_raster import GROWTH, ultralytics_changed


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

    ``task`` "detect" writes boxes, "segment" polygons, "pose" boxes and their keypoints (a project read
    from a pose dataset); "auto": pose for such a project, else segment when any object has a shape.
    Splits come from each image's split (train, val or test as any reader names them: CVAT's Validation,
    Open Images' validation, KITTI's testing; ``interop.splits``), else every n-th image goes to val when
    ``val_fraction`` > 0, else all to train. ``images`` is "link" (hard link, else symlink, else
    copy) or "copy": Ultralytics finds labels only beside an ``images`` folder.
    """
    if task not in ("auto", "detect", "segment", "pose"):
        raise ValueError(f"task: expected auto, detect, segment or pose, got {task!r}")
    if not 0.0 <= val_fraction < 1.0:  # NaN fails too; 1 would leave no training images
        raise ValueError(f"val_fraction: expected a share from 0 to below 1, got {val_fraction!r}")
    if images not in ("copy", "link"):
        raise ValueError(f"images: YOLO needs its own images/ folder: expected copy or link, got {images!r}")
    pose = pose_of(project)
    if task == "pose" and pose is None:
        pose = coco_pose(project)  # COCO person_keypoints (CVAT, Datumaro skeletons): one kpt_shape for all
    project, warnings = without_void(project, "YOLO")
    if task == "auto" and pose is not None:
        task = "pose"
    elif task == "auto":
        task = "segment" if any(a.kind != "box" for a in project.annotations.values()) else "detect"
    shape = pose["kpt_shape"] if pose is not None and task == "pose" else None
    out = Path(out_dir)
    make_folders(out)
    counts: Counter[str] = Counter()
    cats = sorted(project.categories.values(), key=lambda c: c.id)
    index = {c.id: i for i, c in enumerate(cats)}
    ordered = sorted(project.images.values(), key=lambda im: im.id)
    splits = _assign_splits(ordered, val_fraction, warnings)
    places = image_places(project, ordered, splits)
    written: set[Path] = set()
    stale: list[Path] = []
    grown_images: list[int] = []
    repeated: list[tuple[int, int]] = []  # (image id, rows Ultralytics drops as duplicates)
    for image in with_progress(ordered, len(ordered), progress):
        split = splits[image.id]
        src = project.image_path(image)
        picture, label_name = places[image.id] + image_suffix(src), f"{places[image.id]}.txt"
        written.update([out / "images" / split / picture, out / "labels" / split / label_name])
        for other in SPLITS:  # an earlier export's copy in another split: training on validation images
            if other != split:  # removed once all is written: another image may have that name there now
                stale += [out / "images" / other / picture, out / "labels" / other / label_name]
        if image_exists(src):
            make_folders((out / "images" / split / picture).parent)
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
                lines += _lines(a, index[a.category_id], image, task, counts, shape)
            except LimitError as e:  # a mask whose box is over the pixel limit: its box is written
                warnings.append(f"{e}; written as its box")
                lines += _box_line(a, index[a.category_id], image, task, counts)
        if counts["grown"] > grown_before:
            grown_images.append(image.id)
        if twice := repeated_rows(lines, task):
            repeated.append((image.id, twice))
        label = out / "labels" / split / label_name
        make_folders(label.parent)
        write_fresh(label, "".join(f"{ln}\n" for ln in lines))
    for path in stale:
        if path not in written:
            fresh(path)
    if left := _not_written(out, written):
        warnings.append(left)
    used = sorted(set(splits.values()), key=SPLITS.index)
    _write_yaml(out, used, [c.name for c in cats], warnings, val_fraction, pose if shape else None)
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
        "shapes": ("polygon/mask object", f"written as their bounding boxes ({task} task)"),
        "clipped": ("object", "reaching outside the image clipped to it (YOLO coordinates are 0..1)"),
        "keypoints": (
            "object",
            f"of a pose dataset written without their keypoints (task {task}; task pose writes them; the "
            "keypoints stay in the project)",
        ),
        "absent": (
            "object",
            f"without keypoints of kpt_shape {shape} written with {shape[0] if shape else 0} absent ones "
            "(0 0, visibility 0 where kpt_shape has one: Ultralytics' and COCO's 'not labelled')",
        ),
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
    if moved := counts["moved"]:
        whose = (
            "1 object's keypoints moved with its edited box"
            if moved == 1
            else f"{moved:,} objects' keypoints moved with their edited boxes"
        )
        warnings.append(
            f"{whose} (moved or resized since the pose dataset was read: each keypoint mapped as the box "
            "was, visibility kept, absent ones absent)"
        )
    if repeated:
        warnings.append(repeated_warning(project, repeated))
    return warnings


def image_places(project: Project, images: list[ImageRecord], splits: dict[int, str]) -> dict[int, str]:
    """Image id -> its path under ``images/<split>/`` without suffix (``a/img1``), the same under
    ``labels/<split>/`` with ``.txt``: the image's folders kept (Ultralytics finds the labels of
    ``images/train/a/img1.jpg`` at ``labels/train/a/img1.txt``) below the folders all images share (a
    project of ``photos/*.jpg`` is written flat), less a leading ``images/<split>`` or Roboflow's
    ``<split>/images`` (a YOLO dataset exported again keeps its layout); images outside the project folder
    likewise below the folders they share. No two images get one name in a folder, ignoring case and
    suffix (``x.png`` beside ``x.jpg`` share ``x.txt``): ``unique_stems`` per folder. A folder called
    ``images`` is ``images_`` (Ultralytics takes the last ``/images/`` of a path for the one to swap for
    ``/labels/``), one named like a file written beside it gets a ``_`` too."""
    inside, outside = {}, {}
    for im in images:
        raw = file_folders(im.file_name)
        if _is_outside(im.file_name, raw):  # its folders on disk, less the anchor
            outside[im.id] = list(Path(os.path.abspath(project.image_path(im))).parent.parts[1:])
        else:
            inside[im.id] = _without_split_folders(raw)
    below = {i: f[_shared(inside) :] for i, f in inside.items()}
    below.update({i: f[_shared(outside) :] for i, f in outside.items()})
    groups: dict[tuple[str, str], list[ImageRecord]] = {}
    spelled: dict[tuple[str, str], str] = {}
    for image in images:
        folders = [_folder_name(p) for p in below[image.id]]
        key = (splits[image.id], "/".join(folders).casefold())
        spelled.setdefault(key, "/".join(folders))
        groups.setdefault(key, []).append(image)
    out = {}
    for key, members in groups.items():
        stems = unique_stems(project, members)
        for image in members:
            out[image.id] = f"{spelled[key]}/{stems[image.id]}" if spelled[key] else stems[image.id]
    return out


def _shared(folders: dict[int, list[str]]) -> int:
    """How many outer folders all of ``folders`` share."""
    n, first = 0, next(iter(folders.values()), [])
    while n < len(first) and all(f[n : n + 1] == [first[n]] for f in folders.values()):
        n += 1
    return n


def _is_outside(file_name: str, folders: list[str]) -> bool:
    """An image outside the project folder: an absolute name (``/data/x.png``, ``C:\\x.png``) or ``../``."""
    name = file_name.replace("\\", "/")
    return name.startswith("/") or bool(re.match(r"[A-Za-z]:", name)) or ".." in folders


def _without_split_folders(folders: list[str]) -> list[str]:
    """``folders`` less a leading ``images``/``images/<split>`` (Ultralytics) or ``<split>/images``
    (Roboflow): the folders a YOLO reader came in with, which the export writes anew."""
    if folders and folders[0].casefold() == "images":
        return folders[2:] if len(folders) > 1 and canonical(folders[1]) in SPLITS else folders[1:]
    if len(folders) > 1 and canonical(folders[0]) in SPLITS and folders[1].casefold() == "images":
        return folders[2:]
    return folders


def _folder_name(folder: str) -> str:
    """A folder's name under ``images/<split>/``: portable (``stems.portable``), never ``images`` nor a
    name an image or label file beside it could have (``x.txt``, ``x.png``)."""
    name = portable(folder)
    suffix = Path(name).suffix.lower()
    if name.casefold() == "images" or suffix == ".txt" or is_image_file(name):
        name += "_"
    return name


def _not_written(out: Path, written: set[Path]) -> str | None:
    """A warning for images under ``images/`` this export did not write (an earlier export's, one of a
    version that wrote ``a_img1.jpg`` for ``a/img1.jpg``, or a user's): Ultralytics trains on every image
    there, so they would train twice or as background."""
    folder = out / "images"
    left = sorted(p for p in folder.rglob("*") if p not in written and is_image_file(p) and p.is_file())
    if not left:
        return None
    named = ", ".join(str(p.relative_to(out)) for p in left[:5])
    more = f" and {len(left) - 5} more" if len(left) > 5 else ""
    return (
        f"{plural(len(left), 'image')} under {folder} not written by this export (an earlier export's or "
        f"added by hand): {named}{more}; Ultralytics trains on every image there: remove them, or export "
        "into an empty folder"
    )


def repeated_rows(lines: list[str], task: str) -> int:
    """How many of an image's label rows Ultralytics drops as "duplicate labels removed": rows equal to an
    earlier one in class and box (``np.unique`` over its label array; for polygons that array holds each
    polygon's bounding box, so two outlines with one box count too)."""
    keys = set()
    for line in lines:
        values = [float(v) for v in line.split()]
        if task == "segment":
            xs, ys = values[1::2], values[2::2]
            keys.add((values[0], min(xs), min(ys), max(xs), max(ys)))
        else:
            keys.add(tuple(values))
    return len(lines) - len(keys)


def repeated_warning(project: Project, repeated: list[tuple[int, int]], most: int = 5) -> str:
    """The export's word on rows written twice into an image's label file (a model's prediction accepted
    on top of the same hand-drawn box): Ultralytics keeps one of each without saying which object."""
    total = sum(n for _, n in repeated)
    named = ", ".join(f"{project.images[i].file_name} ({n})" for i, n in repeated[:most])
    more = f" and {len(repeated) - most} more" if len(repeated) > most else ""
    return (
        f"{plural(total, 'label row')} repeating another of the same class and box, on "
        f"{plural(len(repeated), 'image')}: {named}{more}; Ultralytics drops them "
        '("duplicate labels removed"), so each object drawn twice trains as one. `pixelproof lint` (the '
        "Problems panel) lists an object drawn twice as duplicate (delete the later one)"
    )


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


def _write_yaml(
    out: Path,
    splits: list[str],
    names: list[str],
    warnings: list[str],
    share: float,
    pose: dict[str, Any] | None = None,
) -> None:
    """data.yaml without ``path:``: Ultralytics then takes the dataset root from the YAML file's own
    folder, so the dataset can be moved or shared as it is (a relative ``path:`` would be read against
    Ultralytics' datasets folder instead). A pose dataset's ``kpt_shape`` (and ``flip_idx``) as read."""
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
            else "a Validation share (--val-fraction) above 0 holds some images out"
        )
        warnings.append(f"no validation split: data.yaml's val points at the training images ({why})")
    for key in ("kpt_shape", "flip_idx") if pose else ():
        if key in pose:
            lines.append(f"{key}: [{', '.join(str(v) for v in pose[key])}]")
    lines += ["names:", *(f"  {i}: {_yaml_str(n)}" for i, n in enumerate(names))]
    if (shifted := _shifted_classes(out / "data.yaml", names)) is not None:
        warnings.append(shifted)
    write_fresh(out / "data.yaml", "\n".join(lines) + "\n")


def _shifted_classes(path: Path, names: list[str]) -> str | None:
    """What an export over an earlier one changes in the class indices (None: nothing, or no readable
    data.yaml there): indices are the categories' in id order, so a class deleted or merged since shifts
    every later one, and a model trained on the earlier export, or its data.yaml kept elsewhere, reads
    the new labels as other classes without a word."""
    from pixelproof.core.limits import read_yaml

    try:
        before = read_yaml(path).get("names") if path.is_file() else None
    except (OSError, ValueError, AttributeError):  # not ours to judge: it is replaced all the same
        return None
    if isinstance(before, dict):
        before = (
            [before[k] for k in sorted(before) if isinstance(k, int)]
            if all(isinstance(k, int) for k in before)
            else None
        )
    if not isinstance(before, list):
        return None
    now = {n: i for i, n in reversed(list(enumerate(names)))}
    moved = [(i, str(n), now[str(n)]) for i, n in enumerate(before) if now.get(str(n), i) != i]
    if not moved:  # a class added at the end, or renamed in place: no label means another class
        return None
    said = "; ".join(f"{one_line(n)!r} {i} -> {j}" for i, n, j in moved[:5])
    more = f" and {len(moved) - 5} more" if len(moved) > 5 else ""
    return (
        f"{path}: class indices moved since the export it replaces ({said}{more}; a class deleted or "
        "merged since shifts every later one): a model trained on the earlier export reads these labels "
        "as other classes; retrain it, or map its class indices by name"
    )


# Characters data.yaml escapes although UTF-8 holds them: YAML's non-printable ones (C1 controls,
# U+FFFE/F, lone surrogates; Ultralytics deletes them before parsing), the ones YAML takes as line breaks
# in a quoted name (U+0085, U+2028, U+2029: folded to a space), a BOM, and bidi controls that reorder
# what an editor shows.
_YAML_ESCAPED = re.compile(
    "[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff\ud800-\udfff]"
)


def _yaml_str(text: str) -> str:
    """A YAML double-quoted scalar in UTF-8, as Ultralytics writes its own data.yaml (``allow_unicode``):
    ``猫`` and ``חתול`` stay readable, and quoting keeps ``a: b``, ``#x``, ``- x``, ``yes`` or ``null``
    names. JSON's escapes cover quotes, backslashes and C0 controls; ``_YAML_ESCAPED`` the rest."""
    return _YAML_ESCAPED.sub(lambda m: f"\\u{ord(m[0]):04x}", json.dumps(text, ensure_ascii=False))


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


def pose_of(project: Project) -> dict[str, Any] | None:
    """``kpt_shape`` (and ``flip_idx``) of the pose dataset the project was read from: kept in the project's
    extras (``POSE_KEY``); a project saved before they were has its objects' ``kpt_shape`` (the most
    common one). None: no pose dataset."""
    shape = dataset_kpt_shape(project)
    if shape is None:
        return None
    kept = as_dict(project.extra.get(POSE_KEY))
    if kept.get("kpt_shape") != shape:
        kept = {}  # (its objects' kpt_shape: no flip_idx kept)
    flip = kept.get("flip_idx")
    k = shape[0]
    valid = isinstance(flip, list) and len(flip) == k and all(type(i) is int and 0 <= i < k for i in flip)
    return {"kpt_shape": list(shape), **({"flip_idx": flip} if valid else {})}


def coco_pose(project: Project) -> dict[str, Any]:
    """``kpt_shape`` ``[K, 3]`` (and ``flip_idx``) for a pose export of a project whose categories name COCO
    ``keypoints`` (a person_keypoints file, a CVAT or Datumaro skeleton): the K every such category names,
    as a YOLO pose dataset has one ``kpt_shape``; ``flip_idx`` pairs ``left``/``right`` names (Ultralytics
    turns off flip augmentation without one). ValueError when no category names keypoints, or two name
    different counts."""
    counts = {len(n) for c in project.categories.values() if (n := keypoint_names(c))}
    if len(counts) != 1:
        why = (
            "no category names COCO keypoints"
            if not counts
            else f"categories name {sorted(counts)} keypoints"
        )
        raise ValueError(
            f"task pose: the project was not read from a pose dataset (data.yaml's kpt_shape) and {why}: "
            "a YOLO pose dataset has one kpt_shape"
        )
    k = counts.pop()
    named = next(n for c in project.categories.values() if (n := keypoint_names(c)) and len(n) == k)
    flip = _flip_idx(named)
    return {"kpt_shape": [k, 3], **({"flip_idx": flip} if flip is not None else {})}


def _flip_idx(names: list[str]) -> list[int] | None:
    """Each point's mirror image by name (``left_eye`` <-> ``right_eye``, a name without a side itself),
    None when a side's name has no counterpart."""
    index = {n.lower(): i for i, n in enumerate(names)}
    if not any("left" in n or "right" in n for n in index):
        return None  # no side named (``keypoint 1`` ...): which point mirrors which is unknown
    out = []
    for n in (n.lower() for n in names):
        other = n.replace("left", "\0").replace("right", "left").replace("\0", "right")
        if other not in index:
            return None
        out.append(index[other])
    return out


def _coco_points(a: Annotation, k: int, image: ImageRecord) -> np.ndarray | None:
    """The object's COCO keypoint triples (pixels) as a YOLO pose line's (normalised, visibility as read;
    the caller drops it for ``[K, 2]``), None when it holds no K of them."""
    values = a.extra.get("keypoints")
    if not finite_numbers(values, 3 * k) or image.width <= 0 or image.height <= 0:
        return None
    points = np.asarray(values, dtype=np.float64).reshape(k, 3)
    points[:, 0] /= image.width
    points[:, 1] /= image.height
    return points


def _keypoints(a: Annotation, shape: list[int], counts: Counter[str], image: ImageRecord) -> str:
    """The object's keypoints as read (normalised x y, visibility as it was), moved with its box when that
    was edited since (``core.keypoints.follow_box``) and as moved in the app, K absent ones (0 0 0) when it
    has none of this ``kpt_shape``; x y clamped to 0..1 as the box is (Ultralytics refuses a file beyond)."""
    kept = as_dict(a.extra.get("yolo"))
    values = kept.get("keypoints")
    k, d = shape
    if kept.get("kpt_shape") == shape and finite_numbers(values, k * d):
        points = np.asarray(values, dtype=np.float64).reshape(k, d)
        counts["moved"] += follow_box(points, kept.get("box"), a, image)
    elif (coco := _coco_points(a, k, image)) is not None:
        points = coco if d == 3 else np.where(coco[:, 2:] > 0, coco[:, :2], 0.0)  # [K, 2]: absent 0 0
    else:
        counts["absent"] += 1
        points = np.zeros((k, d))
    counts["clipped"] += bool(((points[:, :2] < 0) | (points[:, :2] > 1)).any())
    return " ".join(_fmt(p[:2]) + (f" {p[2]:g}" if d == 3 else "") for p in points)


def _lines(
    a: Annotation,
    cls: int,
    image: ImageRecord,
    task: str,
    counts: Counter[str],
    shape: list[int] | None = None,
) -> list[str]:
    w, h = image.width, image.height
    if shape is not None:  # pose: the box, then the keypoints
        clipped = counts["clipped"]
        (box,) = _box_line(a, cls, image, "pose", counts)
        line = f"{box} {_keypoints(a, shape, counts, image)}"
        counts["clipped"] = min(counts["clipped"], clipped + 1)  # once an object, box or keypoints
        return [line]
    counts["keypoints"] += isinstance(a.extra.get("yolo"), dict) and "keypoints" in a.extra["yolo"]
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
