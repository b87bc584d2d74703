"""KITTI: object detection labels (``training/label_2/<frame>.txt`` beside ``training/image_2/``) and the
semantic / instance segmentation PNGs of KITTI's semantics benchmark (``semantic/``, ``instance/``).

A detection line holds 15 values (16 with a score): type, truncated (0..1), occluded (0..3), alpha, the 2D box
``left top right bottom`` in pixels, the 3D dimensions (h w l, m), location (x y z, m) and rotation_y. COCO
has no field for all but the type and the box: they are kept in the annotation's ``pixelproof.kitti`` extras
and written back. ``DontCare`` boxes are void regions (DESIGN.md §3). The segmentation PNGs use the
Cityscapes label ids: ``semantic/`` one 8-bit id per pixel, ``instance/`` 16-bit class x 256 + instance.
"""

from __future__ import annotations

import math
import os
from collections import Counter
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from pixelproof.core.imageio import IMAGE_SUFFIXES, ImageReadError, image_size
from pixelproof.core.limits import LimitError
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from pixelproof.core.sources import listed_file
from pixelproof.core.wording import noted_counts, plural
from pixelproof.interop._util import (
    Builder,
    ImportResult,
    ProblemCallback,
    ProgressCallback,
    Reporter,
    folder_project,
    fresh_output,
    is_file,
    rel_name,
    with_progress,
    write_fresh,
)
from pixelproof.interop.cityscapes import class_category
from pixelproof.interop.cityscapes_labels import LABELS, PNG_ID_NOTES, has_instances
from pixelproof.interop.formats import Format, Option, images_option
from pixelproof.interop.image_guard import make_folders
from pixelproof.interop.image_placing import place_image
from pixelproof.interop.mask_drawing import paint_ids
from pixelproof.interop.panoptic import add_id_objects, read_id_png, table_ids
from pixelproof.interop.per_image import draw_per_image
from pixelproof.interop.splits import names, set_split, spelled
from pixelproof.interop.stems import unique_stems

DONT_CARE = "DontCare"
TYPES = ("Car", "Van", "Truck", "Pedestrian", "Person_sitting", "Cyclist", "Tram", "Misc", DONT_CARE)
SPLIT_DIRS = ("training", "testing")
# what KITTI writes where a 2D-only label has no 3D value (the devkit's "don't care" numbers)
_NO_3D = {
    "alpha": -10.0,
    "dimensions": [-1.0, -1.0, -1.0],
    "location": [-1000.0, -1000.0, -1000.0],
    "rotation_y": -10.0,
}


def read_kitti(
    path: str | os.PathLike[str],
    *,
    on_problem: ProblemCallback | None = None,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Import a KITTI folder: the dataset root (with ``training/`` / ``testing/``) or one of those folders.
    Every layer found is read: detection boxes, and instance PNGs (else semantic PNGs)."""
    root = Path(path)
    if not root.is_dir():
        raise ValueError("expected a KITTI folder (with label_2/, instance/ or semantic/)")
    report = Reporter(on_problem)
    project = folder_project(root)
    build = Builder(project)
    work: list[tuple[Path, str, Path]] = []  # (split folder, layer, file)
    for split_dir in _split_dirs(root):
        for layer, pattern in (("label_2", "*.txt"), ("instance", "*.png"), ("semantic", "*.png")):
            if layer == "semantic" and (split_dir / "instance").is_dir():
                continue  # instance PNGs hold the same classes and the instances too
            found = sorted((split_dir / layer).glob(pattern))  # a FIFO is said, never opened
            work += [(split_dir, layer, f) for f in found if listed_file(f, partial(report.skip, "files"))]
    if not work:
        report(f"{root}: no label_2/*.txt, instance/*.png or semantic/*.png found")
    images: dict[tuple[Path, str], ImageRecord] = {}
    semantic_only = bool(work)
    for split_dir, layer, file in with_progress(work, len(work), progress):
        semantic_only &= layer == "semantic"
        try:
            ids = read_id_png(file, str(file)) if layer != "label_2" else None
            if layer == "instance" and ids is not None and ids.dtype == np.uint8 and ids.any():
                raise ValueError(
                    "8-bit, but instance PNGs are 16-bit (class x 256 + instance): all of it would be class 0"
                )
        except (OSError, ValueError) as e:
            report.skip("files", f"{file}: not a readable id PNG ({e}); skipped")
            continue
        image = images.get((split_dir, file.stem))
        made_here = image is None
        if image is None:
            try:
                image = _image(split_dir, file, root, ids, build, report)
            except LimitError as e:  # a file name that is not UTF-8
                report.skip("files", f"{e}; skipped")
                continue
            if image is None:
                continue
            images[(split_dir, file.stem)] = image
        with build.record(image, report):
            if ids is None:
                _read_labels(file, image, build, report)
            elif ids.shape != (image.height, image.width):
                report.skip(
                    "files",
                    f"{file}: {ids.shape[1]}x{ids.shape[0]} but the image is {image.width}x"
                    f"{image.height}; skipped",
                )
            else:
                try:
                    add_id_objects(
                        ids,
                        image,
                        build,
                        split=_split_instance if layer == "instance" else None,
                        category=lambda cls, f=file: class_category(build, cls, f, report),
                        extra_key="kitti",
                    )
                except LimitError as e:  # ids scattered over the picture: not a label map
                    report.skip("files", f"{file}: {e.message}; skipped")
                    if made_here:  # not an empty image: QA would take it for one without objects
                        build.project.remove_image(images.pop((split_dir, file.stem)).id)
                report.summarise(file)  # thousands of unknown ids are 5 lines and a count
    return ImportResult(project, report.problems, report.skipped, semantic=semantic_only)


def _split_dirs(root: Path) -> list[Path]:
    found = [root / d for d in SPLIT_DIRS if (root / d).is_dir()]
    return found or [root]


def _split_instance(value: int) -> tuple[int, int | None]:
    """class x 256 + instance; KITTI's instances count from 1, 0 is none (stuff or crowd)."""
    return value // 256, value % 256 or None


def _image(
    split_dir: Path, file: Path, root: Path, ids: np.ndarray | None, build: Builder, report: Reporter
) -> ImageRecord | None:
    folder = split_dir / "image_2"
    photo = next(
        (folder / (file.stem + s) for s in IMAGE_SUFFIXES if (folder / (file.stem + s)).is_file()), None
    )
    extra = {"pixelproof": set_split({}, split_dir.name)} if split_dir.name in SPLIT_DIRS else {}
    if photo is not None:
        try:
            width, height = image_size(photo)
            return build.image(rel_name(photo, root), width, height, **extra)
        except ImageReadError as e:
            report(f"{file}: {e}")
    if ids is not None:
        report(f"{file}: no image {file.stem}.png in {folder}; imported with the mask's size")
        return build.image(rel_name(folder / f"{file.stem}.png", root), ids.shape[1], ids.shape[0], **extra)
    report.skip(
        "files", f"{file}: no readable image {file.stem}.png in {folder} (KITTI labels hold no size); skipped"
    )
    return None


def _read_labels(file: Path, image: ImageRecord, build: Builder, report: Reporter) -> None:
    try:
        text = file.read_text(encoding="utf-8-sig", errors="replace")  # a BOM is not part of the first line
    except OSError as e:  # no permission, an I/O error: that file alone (its image is not marked Done)
        report.skip("files", f"{file}: cannot be read ({e.strerror or e}); skipped")
        return
    for lineno, line in enumerate(text.splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        where = f"{file}:{lineno}"
        if len(parts) not in (15, 16):
            report.often(
                "lines skipped",
                f"{where}: expected 15 values (16 with a score), got {len(parts)}; line skipped",
                "lines",
            )
            continue
        try:
            nums = [float(p) for p in parts[1:]]
        except ValueError:
            report.often(
                "lines skipped", f"{where}: values after the type must be numbers; line skipped", "lines"
            )
            continue
        if not all(math.isfinite(v) for v in nums):
            report.often("lines skipped", f"{where}: NaN or infinite value; line skipped", "lines")
            continue
        if not abs(nums[1]) < 2**63:  # kept as an integer: one past 64 bits made the project unsavable
            report.often(
                "lines skipped",
                f"{where}: occluded {parts[2]} is no small integer (0..3); line skipped",
                "lines",
            )
            continue
        x1, y1, x2, y2 = nums[3:7]
        if x2 < x1 or y2 < y1:
            report.often(
                "lines skipped", f"{where}: box right/bottom smaller than left/top; line skipped", "lines"
            )
            continue
        kitti: dict[str, Any] = {
            "truncated": nums[0],
            "occluded": int(nums[1]),
            "alpha": nums[2],
            "dimensions": nums[7:10],
            "location": nums[10:13],
            "rotation_y": nums[13],
        }
        fields: dict[str, Any] = {"score": nums[14]} if len(nums) == 15 else {}
        cat = build.category(parts[0], void=parts[0] == DONT_CARE)
        try:
            build.annotation(
                image,
                cat.id,
                bbox=[x1, y1, x2 - x1, y2 - y1],
                app_extra={"kitti": kitti},
                where=where,
                **fields,
            )
        except LimitError as e:  # a box far outside the image
            report.often("lines skipped", f"{e}; line skipped", "lines")
    report.summarise(file)  # a million bad lines are 5 lines and a count


# ------------------------------------------------------------------------------------------------
# writing


def write_kitti(
    project: Project,
    out_dir: str | os.PathLike[str],
    *,
    task: str = "auto",
    images: str = "link",
    progress: ProgressCallback | None = None,
    executor: Any = None,
    worker_path: Callable[[str], str] | None = None,
) -> list[str]:
    """``training/image_2/`` plus ``training/label_2/<frame>.txt`` (detect) or ``training/semantic/`` +
    ``training/instance/`` PNGs (segment; auto: segment when any object has a shape); returns warnings.
    Images of the test split go to ``testing/`` (with their labels, which the reader takes back); KITTI
    has no other split, so val and any other split go to ``training/``, with a warning.
    ``executor`` (``pixelproof.core.batch``; default: here) writes each image's labels
    (``interop.per_image``; ``worker_path`` maps the output folder for a cluster); the images are linked or
    copied here."""
    if task not in ("auto", "detect", "segment"):
        raise ValueError(f"task: expected auto, detect or segment, got {task!r}")
    if images not in ("copy", "link"):
        raise ValueError(f"images: KITTI needs its image_2/ folder: expected copy or link, got {images!r}")
    if task == "auto":
        task = "segment" if any(a.kind != "box" for a in project.annotations.values()) else "detect"
    out = Path(out_dir)
    warnings: list[str] = []
    counts: Counter[str] = Counter()
    stems = unique_stems(project)
    class_ids = (
        table_ids(project, {lb.name: lb.id for lb in LABELS if lb.id >= 0}, counts)
        if task == "segment"
        else {}
    )
    folders = {image.id: spelled(image, "kitti") for image in project.images.values()}
    others = Counter(s for s in folders.values() if s not in (None, *SPLIT_DIRS))
    for folder in {"training", *(s for s in folders.values() if s == "testing")}:
        for sub in ("image_2", "label_2") if task == "detect" else ("image_2", "semantic", "instance"):
            make_folders(out / folder / sub)
    items = []
    for image in project.images.values():
        folder = "testing" if folders[image.id] == "testing" else "training"
        base = out / folder
        src = project.image_path(image)
        if is_file(src):
            if (
                placed := place_image(
                    src,
                    base / "image_2" / (stems[image.id] + src.suffix),
                    images,
                    image,
                    project.applies_exif,
                )
            ) is not None:
                warnings.append(placed)
        else:
            counts["missing"] += 1
        anns = project.annotations_of(image.id)  # the stacking: the front object keeps a shared pixel
        items.append((image, anns, f"{folder}/{stems[image.id]}"))
    root = worker_path(str(out)) if worker_path else str(out)
    setup = (task, dict(project.categories), class_ids, root)
    drawn = draw_per_image(
        _write_labels,
        setup,
        items,
        executor=executor,
        progress=progress,
        full_size=lambda _image, _objects: task != "detect",  # detect writes text lines only
    )
    for image_counts in drawn:
        counts.update(image_counts)
    messages = {
        "missing": ("image file", "not found; only their labels were written"),
        "shapes": ("polygon/mask object", "written as their bounding boxes (KITTI detection holds boxes)"),
        "unknown": ("category", "not in the Cityscapes table: given label ids from 34 on in the PNGs"),
        **PNG_ID_NOTES,
        "no_instance": (
            "object",
            "written to instance/ as their class alone (class x 256): a class id of "
            "255 or more, or more than 255 objects of a class in an image",
        ),
        "spaces": ("category name", "with spaces written with underscores (KITTI types are one word)"),
        "dontcare": ("void region", "written as DontCare (KITTI's regions to ignore; read back as DontCare)"),
    }
    warnings += noted_counts(counts, messages)
    if others:
        warnings.append(
            f"{plural(others.total(), 'image')} of {plural(len(others), 'split')} {names(others)} "
            "written to training/ (KITTI has training "
            "and testing only)"
        )
    return warnings


def _write_labels(
    setup: tuple[str, dict[int, Category], dict[int, int], str],
    image: ImageRecord,
    anns: list[Annotation],
    where: str,
) -> dict[str, int]:
    """One image's label file (detect) or its two PNGs (segment) in ``where`` (``training/<stem>``): a
    batch task's work (see ``interop.per_image``); returns the counts for the warnings."""
    task, categories, class_ids, root = setup
    folder, stem = where.split("/", 1)
    base = Path(root) / folder
    counts: Counter[str] = Counter()
    if task == "detect":
        lines = [_label_line(categories, a, counts) for a in anns]
        write_fresh(base / "label_2" / f"{stem}.txt", "".join(lines))
    else:
        semantic, instance = paint_ids(
            anns, image, class_ids, has_instances, counts, multiplier=256, stuff_multiplied=True
        )
        with fresh_output(base / "semantic" / f"{stem}.png") as f:
            Image.fromarray(semantic).save(f, format="PNG")
        with fresh_output(base / "instance" / f"{stem}.png") as f:
            Image.fromarray(instance).save(f, format="PNG")
    return dict(counts)


def _label_line(categories: dict[int, Category], a: Annotation, counts: Counter[str]) -> str:
    counts["shapes"] += a.kind != "box"
    cat = categories[a.category_id]
    name = cat.name
    if cat.void and name != DONT_CARE:  # KITTI's regions to ignore; any other name is a class of objects
        counts["dontcare"] += 1
        name = DONT_CARE
    if any(c.isspace() for c in name):
        counts["spaces"] += 1
        name = "_".join(name.split())
    kitti = {**_NO_3D, "truncated": 0.0, "occluded": 0, **(a.app_extra.get("kitti") or {})}
    x, y, w, h = a.bbox
    values = [
        kitti["truncated"],
        kitti["occluded"],
        kitti["alpha"],
        x,
        y,
        x + w,
        y + h,
        *kitti["dimensions"],
        *kitti["location"],
        kitti["rotation_y"],
    ]
    if a.score is not None:
        values.append(a.score)
    return name + "".join(f" {v:.2f}" if isinstance(v, float) else f" {v}" for v in values) + "\n"


def looks_like_kitti(path: Path) -> bool:
    if not path.is_dir():
        return False
    return any((d / sub).is_dir() for d in _split_dirs(path) for sub in ("label_2", "instance", "semantic"))


FORMAT = Format(
    name="kitti",
    title="KITTI (detection, semantics)",
    reader=read_kitti,
    writer=write_kitti,
    write_options=(
        Option(
            "task",
            "choice",
            "detect: label_2 boxes; segment: semantic/ + instance/ PNGs; auto: segment when any object has "
            "a shape",
            "auto",
            choices={
                "auto": "Segment when any object has a shape, else detect",
                "detect": "Detect (label_2 boxes)",
                "segment": "Segment (semantic/ + instance/ PNGs)",
            },
        ),
        images_option("training/image_2/"),
    ),
    detect=looks_like_kitti,
    parallel_writer=True,
    lost_on_export=(
        "detect: shapes (written as their boxes), box corners and scores beyond 2 decimals, the crowd flag, "
        "names of void categories (written as `DontCare`); segment: overlapping pixels (the one in front "
        "wins), names of categories outside the Cityscapes table (read back as `label_<id>`), scores; both: "
        "review state, notes"
    ),
)
