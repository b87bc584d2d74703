"""Open Images V6/V7 CSVs written: per split the box, segmentation and image-label tables, one mask PNG per
shaped object and the images (``interop.openimages`` reads them; the columns are declared here, once)."""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import Image

from pixelproof.core import masks as core_masks
from pixelproof.core import safe_csv
from pixelproof.core.model import Annotation, ImageRecord, Project
from pixelproof.core.wording import noted_counts
from pixelproof.interop._util import ProgressCallback, as_dict, fresh_output, is_file
from pixelproof.interop.image_guard import make_folders
from pixelproof.interop.image_placing import place_image
from pixelproof.interop.per_image import draw_per_image
from pixelproof.interop.splits import folder_name, spelled
from pixelproof.interop.stems import unique_stems

BOX_COLUMNS = (
    "ImageID",
    "Source",
    "LabelName",
    "Confidence",
    "XMin",
    "XMax",
    "YMin",
    "YMax",
    "IsOccluded",
    "IsTruncated",
    "IsGroupOf",
    "IsDepiction",
    "IsInside",
)
MASK_COLUMNS = (
    "MaskPath",
    "ImageID",
    "LabelName",
    "BoxID",
    "BoxXMin",
    "BoxXMax",
    "BoxYMin",
    "BoxYMax",
    "PredictedIoU",
    "Clicks",
)
LABEL_COLUMNS = ("ImageID", "Source", "LabelName", "Confidence")
FLAGS = {
    "IsOccluded": "occluded",
    "IsTruncated": "truncated",
    "IsDepiction": "depiction",
    "IsInside": "inside",
}


def write_openimages(
    project: Project,
    out_dir: str | os.PathLike[str],
    *,
    images: str = "link",
    progress: ProgressCallback | None = None,
    executor: Any = None,
    worker_path: Callable[[str], str] | None = None,
) -> list[str]:
    """``annotations/`` (class descriptions, per-split box, segmentation and image-label CSVs),
    ``masks/<split>/`` (one PNG per shaped object, at the image's size) and ``images/<split>/``; returns
    warnings. The split is the image's (``interop.splits``: ``val`` is written ``validation``), else
    train. ``executor`` (``pixelproof.core.batch``; default: here) draws each image's masks and rows
    (``interop.per_image``; ``worker_path`` maps the output folder for a cluster); the tables are written
    here, their rows in image order."""
    if images not in ("copy", "link"):
        raise ValueError(
            f"images: Open Images needs its images/ folder: expected copy or link, got {images!r}"
        )
    out = Path(out_dir)
    make_folders(out / "annotations")
    warnings: list[str] = []
    counts: Counter[str] = Counter()
    mids = _mids(project)
    stems = unique_stems(project)
    tables: dict[str, dict[str, list[list[Any]]]] = {}
    items = []
    for image in project.images.values():
        split, replaced = _out_split(image)
        counts["split"] += replaced
        image_id = stems[image.id]
        src = project.image_path(image)
        if is_file(src):
            if (
                placed := place_image(
                    src,
                    out / "images" / split / f"{image_id}{src.suffix}",
                    images,
                    image,
                    project.applies_exif,
                )
            ) is not None:
                warnings.append(placed)
        else:
            counts["missing"] += 1
        table = tables.setdefault(split, {"bbox": [], "object-segmentation": [], "human-imagelabels": []})
        labels = as_dict(as_dict(image.extra.get("pixelproof")).get("openimages")).get("labels")
        for label in labels if isinstance(labels, list) else []:
            if isinstance(label, list) and len(label) == 3:  # as the reader keeps them
                mid, source, confidence = label
                table["human-imagelabels"].append([image_id, source, mid, _fmt(confidence)])
        objects = []
        for a in sorted(project.annotations_of(image.id), key=lambda a: a.id):
            if project.is_void(a):
                counts["void"] += 1
                continue
            objects.append(a)
            counts["shapes"] += a.kind == "polygon"
        items.append((image, objects, (image_id, split)))
    root = worker_path(str(out)) if worker_path else str(out)
    setup = (root, mids)
    drawn = draw_per_image(
        _write_objects,
        setup,
        items,
        executor=executor,
        progress=progress,
        full_size=lambda _image, objects: any(a.kind != "box" for a in objects),  # mask PNGs
    )
    for (_, _, (_, split)), rows in zip(items, drawn, strict=True):
        for name, table_rows in rows.items():
            tables[split][name] += table_rows
    _write_tables(out, project, mids, tables)
    messages = {
        "missing": ("image file", "not found; only their annotations were written"),
        "void": ("void region", "left out (Open Images has no void)"),
        "split": ("image", "whose split is no plain folder name (such as ../x) written to train"),
        "shapes": ("polygon object", "written as mask PNGs (Open Images holds masks)"),
    }
    warnings += noted_counts(counts, messages)
    return warnings


def _out_split(image: ImageRecord) -> tuple[str, bool]:
    """The image's split as a plain folder name, else train (and True: replaced): it names
    ``images/<split>/``, ``masks/<split>/`` and ``annotations/<split>-...csv``, so ``../../x`` or an
    absolute path wrote outside the output."""
    split = spelled(image, "openimages") or "train"
    if not folder_name(split):
        return "train", True
    return split, False


def _plain_name(name: str, max_bytes: int = 240) -> bool:
    """A file name that stays in its folder and that the reader takes back (``MaskPath``): no folders,
    not hidden, no glob or control characters, short enough for the file system."""
    size = len(name.encode("utf-8", "surrogatepass"))
    return 0 < size <= max_bytes and not _PLAIN_OUT.search(name) and not name.startswith(".")


_PLAIN_OUT = re.compile(r"[/\\*?\[\]\x00-\x1f\x7f]")


def _mids(project: Project) -> dict[int, str]:
    """Category id -> MID: the one read from Open Images, else a made-up ``/m/pixelproof_<id>``."""
    out = {}
    for cat in project.categories.values():
        known = as_dict(cat.app_extra.get("openimages")).get("mid")
        out[cat.id] = str(known) if known else f"/m/pixelproof_{cat.id}"
    return out


def _fmt(v: Any) -> str:
    return "" if v is None else f"{v:.10g}" if isinstance(v, float) else str(v)


def _write_objects(
    setup: tuple[str, dict[int, str]], image: ImageRecord, objects: list[Annotation], where: tuple[str, str]
) -> dict[str, list[list[Any]]]:
    """An image's mask PNGs and its table rows (a batch task's work: see ``interop.per_image``)."""
    root, mids = setup
    image_id, split = where
    table: dict[str, Any] = {"bbox": [], "object-segmentation": [], "masks": set()}
    for a in objects:
        _write_object(Path(root), a, image, image_id, split, mids[a.category_id], table)
    del table["masks"]
    return table


def _write_object(
    out: Path, a: Annotation, image: ImageRecord, image_id: str, split: str, mid: str, table: dict
) -> None:
    oi = as_dict(a.app_extra.get("openimages"))
    x, y, w, h = a.bbox
    box = oi.get("box")
    if not _box_ok(box):  # kept from the file read, else (or when not a box) the object's own
        box = [x / image.width, (x + w) / image.width, y / image.height, (y + h) / image.height]
        box = [min(max(v, 0.0), 1.0) for v in box]  # Open Images boxes lie in the image (0..1)
    flags = [_fmt(oi.get(key, -1)) for key in FLAGS.values()]
    table["bbox"].append(
        [
            image_id,
            oi.get("source") or "pixelproof",
            mid,
            _fmt(oi.get("confidence", 1)),
            *(_fmt(float(v)) for v in box),
            flags[0],
            flags[1],
            int(a.iscrowd),
            flags[2],
            flags[3],
        ]
    )
    if a.kind == "box":
        return
    box_id = str(oi.get("box_id") or f"{a.id:08x}")
    mask_name = f"{image_id}_{mid.strip('/').replace('/', '')}_{box_id}.png"
    if not _plain_name(mask_name) or mask_name in table["masks"]:
        # a name from the extras (``box_id`` ``../../x``), the image's or a MID's that the reader would
        # refuse or that another object of this image has: one made of the object's own (unique) id
        box_id = f"{a.id:08x}"
        mask_name = f"{_PLAIN_OUT.sub('_', image_id).lstrip('.')}_{box_id}.png"
    table["masks"].add(mask_name)
    make_folders(out / "masks" / split)
    pixels = core_masks.annotation_mask(a, image.height, image.width)  # not kept on the object
    with fresh_output(out / "masks" / split / mask_name) as f:
        Image.fromarray(pixels).save(f, format="PNG")
    table["object-segmentation"].append(
        [
            mask_name,
            image_id,
            mid,
            box_id,
            *(_fmt(float(v)) for v in box),
            _fmt(oi.get("predicted_iou")),
            oi.get("clicks", ""),
        ]
    )


def _box_ok(box: Any) -> bool:
    """XMin, XMax, YMin, YMax as the reader keeps them: 4 numbers in 0..1, min <= max."""
    if not isinstance(box, list) or len(box) != 4:
        return False
    if not all(isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= 1 for v in box):
        return False
    return box[0] <= box[1] and box[2] <= box[3]


def _write_tables(out: Path, project: Project, mids: dict[int, str], tables: dict) -> None:
    with fresh_output(out / "annotations" / "class-descriptions.csv", text=True, newline="") as f:
        rows = ([mids[c.id], c.name] for c in project.categories.values() if not c.void)
        safe_csv.write_table(f, ["LabelName", "DisplayName"], rows)
    header = {"bbox": BOX_COLUMNS, "object-segmentation": MASK_COLUMNS, "human-imagelabels": LABEL_COLUMNS}
    for split, by_kind in tables.items():
        for kind, rows in by_kind.items():
            if rows or kind == "bbox":
                table = out / "annotations" / f"{split}-annotations-{kind}.csv"
                with fresh_output(table, text=True, newline="") as f:
                    safe_csv.write_table(f, header[kind], rows)
