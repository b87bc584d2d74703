"""Open Images V6/V7 CSVs: boxes (``*-annotations-bbox.csv``), instance masks
(``*-annotations-object-segmentation.csv`` + ``masks/<split>/*.png``), class names
(``*class-descriptions*.csv``, MID -> display name) and image-level labels, with the photos in
``images/<split>/<ImageID>.jpg``.

Box coordinates are normalised (XMin, XMax, YMin, YMax in 0..1). A mask PNG has its own size and is scaled
to the image (nearest neighbour, as Open Images' own tools and Datumaro do). A mask whose box (image, label,
coordinates) equals a box row becomes that object's shape, so an object is not counted twice. ``IsGroupOf``
boxes are crowds (``iscrowd: 1``); ``IsOccluded``, ``IsTruncated``, ``IsDepiction``, ``IsInside``, the
source, confidence, box id and predicted IoU are kept in the ``openimages`` extras and written back.
Image-level labels are not objects: they are kept in the image's extras and written back.
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pixelproof.core import mask_edit
from pixelproof.core.imageio import IMAGE_SUFFIXES, ImageReadError, image_size
from pixelproof.core.limits import LimitError, open_regular
from pixelproof.core.model import Annotation, ImageRecord
from pixelproof.core.safe_csv import read_cell
from pixelproof.core.wording import plural
from pixelproof.interop._util import (
    Builder,
    ImportResult,
    ProblemCallback,
    ProgressCallback,
    Reporter,
    folder_project,
    is_file,
    rel_name,
    small_int,
    with_progress,
)
from pixelproof.interop.formats import Format, images_option
from pixelproof.interop.openimages_masks import mask_rle
from pixelproof.interop.openimages_writer import (
    BOX_COLUMNS,
    FLAGS,
    LABEL_COLUMNS,
    MASK_COLUMNS,
    write_openimages,
)
from pixelproof.interop.splits import set_split

_EPS = 1e-6
_MAX_FLAG = 2**31 - 1
_GLOB_CHARS = frozenset("*?[]")


def _split_of(csv_name: str) -> str:
    """``oidv6-train-annotations-bbox.csv`` -> ``train``; ``validation-...`` -> ``validation``."""
    return csv_name.split("-annotations")[0].split("-")[-1]


class _Images:
    """ImageID -> image record, created on first use from ``images/<split>/`` or ``images.meta`` sizes."""

    def __init__(self, root: Path, build: Builder, report: Reporter) -> None:
        self.root, self.build, self.report = root, build, report
        self.files: dict[str, Path] = {}
        for p in sorted((root / "images").rglob("*")) if (root / "images").is_dir() else []:
            if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file():
                self.files.setdefault(p.stem, p)
        self.meta: dict[str, tuple[int, int]] = {}
        for meta in sorted(root.rglob("images.meta")):
            try:
                with open_regular(meta) as fh:  # a FIFO named images.meta blocked the import
                    text = fh.read().decode("utf-8", errors="replace")
            except LimitError as e:
                report(f"{e}; its image sizes are not read")
                continue
            except OSError as e:
                report(f"{meta}: cannot be read ({e.strerror or e}); its image sizes are not read")
                continue
            bad: list[int] = []
            for number, line in enumerate(text.splitlines(), 1):
                parts = line.split()
                if not parts or line.startswith("#"):
                    continue
                sides = [small_int(v) for v in parts[1:]]  # "²" is a digit to isdigit, not to int
                if len(parts) == 3 and None not in sides:
                    self.meta[parts[0]] = (sides[1], sides[0])  # "<id> <height> <width>"
                else:  # said here: its image would later be "not in images.meta"
                    bad.append(number)
            if bad:
                report(
                    f"{meta}: line {bad[0]}: not '<image id> <height> <width>' in whole numbers; "
                    f"{plural(len(bad), 'such line')} ignored"
                )
        self.records: dict[str, ImageRecord | None] = {}

    def get(self, image_id: str, split: str, where: str) -> ImageRecord | None:
        if image_id in self.records:
            return self.records[image_id]
        file = self.files.get(image_id)
        size = None
        if file is not None:
            try:
                size = image_size(file)
            except ImageReadError as e:
                self.report.often("unreadable images", f"{where}: {e}")
        if size is None and image_id in self.meta:
            size = self.meta[image_id]
        record = None
        if size is None:
            self.report.often(
                "images not found",
                f"{where}: image {image_id} not found in {self.root / 'images'} and "
                "not in images.meta (no size); its annotations skipped",
                "images",
            )
        else:
            if file is None:
                file = self.root / "images" / split / f"{image_id}.jpg"
                self.report.often(
                    "images only in images.meta",
                    f"{where}: image {image_id} not found; imported with the size in images.meta",
                )
            split = file.parent.name if file.parent.parent == self.root / "images" else split
            try:
                record = self.build.image(
                    rel_name(file, self.root), size[0], size[1], pixelproof=set_split({}, split)
                )
            except LimitError as e:  # a size no image may declare (images.meta: 0, or over 2**31 - 1)
                self.report.often("images refused", f"{where}: {e}; its annotations skipped", "images")
        self.records[image_id] = record
        return record


def read_openimages(
    path: str | os.PathLike[str],
    *,
    on_problem: ProblemCallback | None = None,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Import an Open Images folder (``annotations/`` or the CSVs themselves, ``images/``, ``masks/``)."""
    root = Path(path)
    if not root.is_dir():
        raise ValueError("expected an Open Images folder (with annotations/ and images/)")
    ann_dir = root / "annotations" if (root / "annotations").is_dir() else root
    report = Reporter(on_problem)
    project = folder_project(root)
    build = Builder(project)
    names = _class_names(ann_dir, report)
    images = _Images(root, build, report)
    box_files = sorted(f for f in ann_dir.glob("*-annotations-bbox.csv") if f.is_file())
    mask_files = sorted(f for f in ann_dir.glob("*-annotations-object-segmentation.csv") if f.is_file())
    label_files = sorted(f for f in ann_dir.glob("*-annotations-human-imagelabels*.csv") if f.is_file())
    if not (box_files or mask_files or label_files):
        report(f"{ann_dir}: no *-annotations-bbox.csv or *-annotations-object-segmentation.csv found")
    work = (
        [(f, "box") for f in box_files]
        + [(f, "mask") for f in mask_files]
        + [(f, "label") for f in label_files]
    )
    boxes: dict[tuple, Annotation] = {}
    unknown: set[str] = set()
    mask_index: dict[str, Path] = {}  # file name -> first mask of that name under masks/, found once
    if mask_files and (root / "masks").is_dir():
        for p in sorted((root / "masks").rglob("*")):
            mask_index.setdefault(p.name, p)
    for file, kind in with_progress(work, len(work), progress):
        rows = _rows(
            file, {"box": BOX_COLUMNS[:8], "mask": MASK_COLUMNS[:4], "label": LABEL_COLUMNS}[kind], report
        )
        for lineno, row in rows:
            where = f"{file}:{lineno}"
            image = images.get(row["ImageID"], _split_of(file.name), where)
            if image is None:
                continue
            mid = row["LabelName"]
            if mid not in names and mid not in unknown:
                unknown.add(mid)
                report.often(
                    "labels not in the class descriptions",
                    f"{where}: label {mid} is not in the class descriptions; named by its MID",
                )
            name = names.get(mid, mid)
            if kind == "box":
                _add_box(where, row, image, name, mid, build, boxes, report)
            elif kind == "mask":
                _add_mask(where, row, file, root, mask_index, image, name, mid, build, boxes, report)
            else:
                app = image.extra.setdefault("pixelproof", {}).setdefault("openimages", {})
                app.setdefault("labels", []).append(
                    [mid, row.get("Source", ""), _number(row.get("Confidence"))]
                )
        report.summarise(file)  # a million bad rows are 5 lines each and a count, not a million lines
    for image_id in sorted(set(images.files) - set(images.records)):  # images without annotations
        images.get(image_id, "", str(images.files[image_id]))
    report.summarise(root / "images")
    return ImportResult(project, report.problems, report.skipped)


def _class_names(ann_dir: Path, report: Reporter) -> dict[str, str]:
    out: dict[str, str] = {}
    for f in sorted(p for p in ann_dir.glob("*class-descriptions*.csv") if p.is_file()):
        try:
            with f.open(newline="", encoding="utf-8-sig", errors="replace") as fh:
                reader = csv.reader(fh)
                try:
                    for row in reader:
                        if len(row) >= 2 and row[0] != "LabelName":
                            out[read_cell(row[0])] = read_cell(row[1])
                except csv.Error as e:  # a cell over the csv module's field limit (128 KB)
                    report(f"{f}:{reader.line_num}: {_csv_error(e)}")
        except OSError as e:  # no permission, an I/O error: that file alone
            report(f"{f}: cannot be read ({e.strerror or e}); its class names are not read")
    if not out:
        report(f"{ann_dir}: no class-descriptions CSV; categories are named by their MID")
    return out


def _rows(file: Path, needed: tuple[str, ...], report: Reporter) -> Iterator[tuple[int, dict[str, str]]]:
    """The rows of a CSV one at a time (an Open Images CSV has millions of rows), each with its line number
    (blank lines counted); a leading BOM (what Excel writes) is not part of the first column's name. A row
    cut short, or without an ImageID or LabelName, is reported and skipped (an empty LabelName made a
    category named "")."""
    try:
        yield from _checked_rows(file, needed, report)
    except OSError as e:  # no permission, an I/O error: the rows read so far are kept
        report.skip("files", f"{file}: cannot be read ({e.strerror or e}); the rest of the file skipped")


def _checked_rows(
    file: Path, needed: tuple[str, ...], report: Reporter
) -> Iterator[tuple[int, dict[str, str]]]:
    """``_rows`` but for the errors of the file system."""
    with file.open(newline="", encoding="utf-8-sig", errors="replace") as fh:
        reader = csv.DictReader(fh)
        try:
            missing = [c for c in needed if c not in (reader.fieldnames or [])]
            if missing:
                report.skip(
                    "files",
                    f"{file}: {plural(len(missing), 'missing column')} ({', '.join(missing)}); file skipped",
                )
                return
            for row in reader:
                where = f"{file}:{reader.line_num}"
                if short := [c for c in needed if row.get(c) is None]:
                    report.often(
                        "rows cut short", f"{where}: cut short, no {', '.join(short)}; row skipped", "rows"
                    )
                elif empty := [c for c in ("ImageID", "LabelName") if not row[c].strip()]:
                    report.often(
                        "rows without ids", f"{where}: empty {' and '.join(empty)}; row skipped", "rows"
                    )
                else:
                    yield (
                        reader.line_num,
                        {k: read_cell(v) if isinstance(v, str) else v for k, v in row.items()},
                    )
        except csv.Error as e:  # a cell over the csv module's field limit (128 KB)
            report.skip("files", f"{file}:{reader.reader.line_num}: {_csv_error(e)}")


def _csv_error(e: csv.Error) -> str:
    return f"not a readable CSV row ({e}); the rest of the file skipped"


def _number(text: str | None) -> float | None:
    try:
        v = float(text) if text not in (None, "") else None
    except ValueError:
        return None
    return v if v is not None and math.isfinite(v) else None


def _coords(row: dict[str, str], keys: tuple[str, ...]) -> list[float] | None:
    vals = [_number(row.get(k)) for k in keys]
    if any(v is None or v < -_EPS or v > 1 + _EPS for v in vals):
        return None
    return [float(v) for v in vals]  # type: ignore[arg-type]


def _key(image: ImageRecord, mid: str, coords: list[float]) -> tuple:
    return (image.id, mid, *(round(c, 5) for c in coords))


def _add_box(
    where: str,
    row: dict[str, str],
    image: ImageRecord,
    name: str,
    mid: str,
    build: Builder,
    boxes: dict[tuple, Annotation],
    report: Reporter,
) -> None:
    coords = _coords(row, ("XMin", "XMax", "YMin", "YMax"))
    if coords is None or coords[1] < coords[0] or coords[3] < coords[2]:
        report.often(
            "boxes skipped",
            f"{where}: XMin/XMax/YMin/YMax must be numbers in 0..1, min <= max; row skipped",
            "boxes",
        )
        return
    x0, x1, y0, y1 = coords
    extra: dict[str, Any] = {"source": row.get("Source", ""), "confidence": _number(row.get("Confidence"))}
    for column, key in FLAGS.items():
        v = _number(row.get(column))
        if v is not None and abs(v) <= _MAX_FLAG:  # Open Images writes -1, 0 or 1
            extra[key] = int(v)
    crowd = _number(row.get("IsGroupOf")) == 1
    cat = _category(build, name, mid)
    box = [x0 * image.width, y0 * image.height, (x1 - x0) * image.width, (y1 - y0) * image.height]
    ann = build.annotation(image, cat, bbox=box, iscrowd=int(crowd), app_extra={"openimages": extra})
    boxes.setdefault(_key(image, mid, coords), ann)


def _category(build: Builder, name: str, mid: str) -> int:
    cat = build.category(name)
    cat.app_extra.setdefault("openimages", {"mid": mid})
    return cat.id


def _add_mask(
    where: str,
    row: dict[str, str],
    file: Path,
    root: Path,
    mask_index: dict[str, Path],
    image: ImageRecord,
    name: str,
    mid: str,
    build: Builder,
    boxes: dict[tuple, Annotation],
    report: Reporter,
) -> None:
    mask_path = row["MaskPath"]
    if (
        not mask_path
        or "/" in mask_path
        or "\\" in mask_path
        or mask_path.startswith(".")
        or _GLOB_CHARS.intersection(mask_path)
    ):
        report.often(
            "masks skipped",
            f"{where}: MaskPath {mask_path!r} must be a plain file name; row skipped",
            "masks",
        )
        return
    split = _split_of(file.name)
    found = next(
        (
            p
            for p in (root / "masks" / split / mask_path, root / "masks" / mask_path)
            if is_file(p, Path.exists)
        ),
        None,
    )
    if found is None:
        found = mask_index.get(mask_path)
    if found is None:
        report.often(
            "masks skipped",
            f"{where}: mask {mask_path} not found under {root / 'masks'}; row skipped",
            "masks",
        )
        return
    try:
        rle = mask_rle(found, image)
    except LimitError as e:
        report.often("masks skipped", f"{where}: {e}; row skipped", "masks")
        return
    except (OSError, ValueError) as e:
        report.often("masks skipped", f"{where}: {found} is not a readable PNG ({e}); row skipped", "masks")
        return
    geometry = mask_edit.rle_geometry(rle)
    if not geometry[2]:  # all black (a palette mask whose object colour is black reads so, as in OpenCV)
        report.often(
            "masks skipped", f"{where}: mask {found} has no pixel set (all black); row skipped", "masks"
        )
        return
    extra = {"box_id": row.get("BoxID", ""), "mask_path": mask_path}
    if (iou := _number(row.get("PredictedIoU"))) is not None:
        extra["predicted_iou"] = iou
    if row.get("Clicks"):
        extra["clicks"] = row["Clicks"]
    coords = _coords(row, ("BoxXMin", "BoxXMax", "BoxYMin", "BoxYMax"))
    ann = boxes.pop(_key(image, mid, coords), None) if coords is not None else None
    if ann is not None:  # the mask of a box row: one object
        ann.app_extra["openimages"].update(extra, box=coords)
        ann.set_geometry(*geometry)
        return
    if coords is not None:
        extra["box"] = coords
    cat = _category(build, name, mid)
    build.annotation(image, cat, rle=rle, where=where, app_extra={"openimages": extra})


# ------------------------------------------------------------------------------------------------
def looks_like_openimages(path: Path) -> bool:
    ann = path / "annotations" if (path / "annotations").is_dir() else path
    return path.is_dir() and any(
        True
        for pattern in ("*-annotations-bbox.csv", "*-annotations-object-segmentation.csv")
        for _ in ann.glob(pattern)
    )


FORMAT = Format(
    name="openimages",
    title="Open Images (V6/V7 CSV)",
    reader=read_openimages,
    writer=write_openimages,
    write_options=(images_option("images/<split>/"),),
    detect=looks_like_openimages,
    parallel_writer=True,
    lost_on_export=(
        "void regions; polygons become mask PNGs (same pixels); box parts outside the image (clipped); "
        "categories without a MID get `/m/pixelproof_<id>`; scores, review state, notes"
    ),
)
