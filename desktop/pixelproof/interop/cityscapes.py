"""Cityscapes: ``gtFine/<split>/<city>/<frame>_gtFine_polygons.json`` (+ ``_labelIds.png``,
``_instanceIds.png``) with the photos in ``leftImg8bit/<split>/<city>/<frame>_leftImg8bit.png``.

The label table is the official one (cityscapesscripts ``labels.py``): 34 labels with ids 0..33 plus
``license plate`` (-1); labels with ``ignoreInEval`` become void categories (DESIGN.md §3), so QA leaves
them out. ``*group`` labels (``cargroup``, ``persongroup`` ...) are crowd regions of their base label:
``iscrowd: 1``, the group label kept in the extras and written back.

Polygons overlap and are drawn back to front (file order), as cityscapesscripts' ``json2labelImg`` does:
an object that a later one covers keeps only its visible part (a mask); an object nobody covers stays the
polygon it was drawn as (rasterized as COCO does, so an edge pixel may differ from the official PNGs,
which PIL draws). ``--mode instance`` / ``semantic`` reads the official ``_instanceIds.png`` (class x 1000 +
instance, or the class id alone for regions without instances) / ``_labelIds.png`` instead.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from pixelproof.core.coordinate_limits import check_coordinates, check_polygon_work
from pixelproof.core.limits import LimitError, check_image_size
from pixelproof.core.model import ImageRecord
from pixelproof.core.wording import plural
from pixelproof.interop._util import (
    Builder,
    ImportResult,
    ProblemCallback,
    ProgressCallback,
    Reporter,
    folder_project,
    rel_name,
    with_progress,
)
from pixelproof.interop.cityscapes_labels import BY_ID, BY_NAME, BY_TRAIN_ID, Label, split_group
from pixelproof.interop.cityscapes_writer import write_cityscapes
from pixelproof.interop.dataset_json import loads_json
from pixelproof.interop.formats import Format, Option, images_option
from pixelproof.interop.panoptic import MAX_BOX_COVER, IdRegions, add_id_objects, crop_raster, read_id_png
from pixelproof.interop.splits import set_split

GT_SUFFIXES = {
    "polygons": "_polygons.json",
    "instance": "_instanceIds.png",
    "semantic": "_labelIds.png",
    "train": "_labelTrainIds.png",
}
MODES = ("auto", "polygons", "instance", "semantic")


def label_category(build: Builder, name: str, table: dict[str, Label] = BY_NAME) -> int:
    """The category of a Cityscapes label: official id, colour and void flag; any other name as it is."""
    label = table.get(name)
    if label is None:
        return build.category(name).id
    cat = build.category(label.name, label.id if label.id >= 0 else None, void=label.ignore_in_eval)
    if cat.color is None or "cityscapes" not in cat.app_extra:
        cat.color = "#{:02x}{:02x}{:02x}".format(*label.color)
        cat.app_extra["cityscapes"] = {"id": label.id, "trainId": label.train_id, "category": label.category}
    return cat.id


class _Frame:
    """One frame's ground-truth files and where its photo should be."""

    def __init__(self, split: str, city: str, prefix: str) -> None:
        self.split, self.city, self.prefix = split, city, prefix
        self.files: dict[str, Path] = {}


def read_cityscapes(
    path: str | os.PathLike[str],
    *,
    mode: str = "auto",
    on_problem: ProblemCallback | None = None,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Import a Cityscapes folder (the one holding ``gtFine/`` and ``leftImg8bit/``, or ``gtFine/`` itself).
    ``mode``: which ground truth to read when a frame has several (auto: polygons, else instanceIds,
    else labelIds, else labelTrainIds)."""
    if mode not in MODES:
        raise ValueError(f"mode: expected one of {', '.join(MODES)}, got {mode!r}")
    root, gt_dir = _dataset_dirs(Path(path))
    report = Reporter(on_problem)
    project = folder_project(root)
    build = Builder(project)
    frames = _frames(gt_dir)
    if not frames:
        report(f"{gt_dir}: no *_gtFine_polygons.json, *_instanceIds.png or *_labelIds.png files found")
    semantic_only = True
    for frame in with_progress(frames, len(frames), progress):
        kind = _pick(frame, mode)
        if kind is None:
            report.skip("frames", f"{frame.files[next(iter(frame.files))]}: no {mode} ground truth; skipped")
            continue
        semantic_only &= kind in ("semantic", "train")
        _read_frame(frame, kind, root, gt_dir, build, report)
    return ImportResult(project, report.problems, report.skipped, semantic=bool(frames) and semantic_only)


def _dataset_dirs(src: Path) -> tuple[Path, Path]:
    if src.is_file():
        raise ValueError("expected the Cityscapes folder (with gtFine/ and leftImg8bit/), not a file")
    for name in ("gtFine", "gtCoarse"):
        if (src / name).is_dir():
            return src, src / name
    if src.name in ("gtFine", "gtCoarse"):
        return src.parent, src
    return src, src


def _frames(gt_dir: Path) -> list[_Frame]:
    frames: dict[tuple[str, ...], _Frame] = {}
    for file in sorted(gt_dir.rglob("*_gt*")):
        for kind, suffix in GT_SUFFIXES.items():
            if file.name.endswith(suffix) and file.is_file():
                stem = file.name[: -len(suffix)]
                prefix = stem.rsplit("_gt", 1)[0]
                rel = file.parent.relative_to(gt_dir).parts
                split = rel[0] if len(rel) >= 2 else ""
                city = rel[-1] if rel else ""
                key = (*rel, prefix)
                frames.setdefault(key, _Frame(split, city, prefix)).files[kind] = file
    return list(frames.values())


def _pick(frame: _Frame, mode: str) -> str | None:
    order = {
        "auto": ("polygons", "instance", "semantic", "train"),
        "polygons": ("polygons",),
        "instance": ("instance",),
        "semantic": ("semantic", "train"),
    }[mode]
    return next((k for k in order if k in frame.files), None)


def _photo(frame: _Frame, root: Path) -> Path | None:
    folder = root / "leftImg8bit" / frame.split / frame.city
    for suffix in (".png", ".jpg", ".jpeg"):
        p = folder / f"{frame.prefix}_leftImg8bit{suffix}"
        if p.is_file():
            return p
    return None


def _read_frame(frame: _Frame, kind: str, root: Path, gt_dir: Path, build: Builder, report: Reporter) -> None:
    gt = frame.files[kind]
    photo = _photo(frame, root)
    doc: dict[str, Any] | None = None
    ids: np.ndarray | None = None
    try:
        if kind == "polygons":
            doc = loads_json(gt.read_bytes())
            if not isinstance(doc, dict) or not isinstance(doc.get("objects"), list):
                raise ValueError("expected an object with an 'objects' list")
            size = (doc["imgWidth"], doc["imgHeight"])
            check_image_size(size[0], size[1], f"{gt}: imgWidth x imgHeight")
        else:
            ids = read_id_png(gt, str(gt))
            size = (ids.shape[1], ids.shape[0])
    except (OSError, ValueError, KeyError, TypeError, orjson.JSONDecodeError) as e:
        report.skip("frames", f"{gt}: not readable Cityscapes ground truth ({e}); skipped")
        return
    if photo is None:  # a photo of another size is said after reading (Format.declares_sizes)
        photo = root / "leftImg8bit" / frame.split / frame.city / f"{frame.prefix}_leftImg8bit.png"
        report(f"{gt}: image {photo} not found; imported with the ground truth's size")
    app = set_split({"city": frame.city} if frame.city else {}, frame.split)
    try:
        image = build.image(rel_name(photo, root), size[0], size[1], **({"pixelproof": app} if app else {}))
    except LimitError as e:  # a file name that is not UTF-8
        report.skip("frames", f"{e}; skipped")
        return
    try:
        with build.record(image, report):
            if doc is not None:
                _polygon_objects(gt, doc["objects"], image, build, report)
            elif kind == "train":
                _train_id_objects(gt, ids, image, build, report)
            else:
                add_id_objects(
                    ids,
                    image,
                    build,
                    split=_split_instance if kind == "instance" else None,
                    category=lambda cls: class_category(build, cls, gt, report),
                    extra_key="cityscapes",
                )
    except LimitError as e:  # ids scattered over the picture: not a label map
        report.skip("frames", f"{gt}: {e.message}; skipped")
        build.project.remove_image(image.id)  # not an empty frame: QA would take it for one without objects
    report.summarise(gt)  # 100,000 bad objects are 5 lines and a count


def _split_instance(value: int) -> tuple[int, int | None]:
    """instanceIds: class x 1000 + instance (json2instanceImg numbers from 0: 26000 is the first car), or
    the class id alone (no instance: crowd or stuff)."""
    return (value // 1000, value % 1000) if value >= 1000 else (value, None)


def class_category(build: Builder, class_id: int, file: Path, report: Reporter) -> tuple[int, bool] | None:
    """(category id, has instances) of a label id in a PNG; an id outside the table is imported as
    ``label_<id>`` (as the writers number unknown categories from 34) and reported."""
    label = BY_ID.get(class_id)
    if label is None:
        report.often(  # a 16-bit PNG may hold thousands: the reader summarises the rest per file
            "label ids not in the Cityscapes table",
            f"{file}: label id {class_id} is not in the Cityscapes table; imported as label_{class_id}",
        )
        return build.category(f"label_{class_id}").id, True
    return label_category(build, label.name), label.has_instances


def _train_id_objects(
    gt: Path, ids: np.ndarray, image: ImageRecord, build: Builder, report: Reporter
) -> None:
    for value, crop in IdRegions(ids, str(gt)):
        label = BY_TRAIN_ID.get(value)
        if label is None:
            if value != 255:
                report.often(
                    "regions skipped",
                    f"{gt}: train id {value} is not in the Cityscapes table; pixels skipped",
                    "regions",
                )
            else:
                build.annotation(image, build.category("unlabeled", 0, void=True).id, crop=crop)
            continue
        build.annotation(image, label_category(build, label.name), crop=crop)


def _polygon_objects(gt: Path, objects: list, image: ImageRecord, build: Builder, report: Reporter) -> None:
    """Objects drawn back to front: each keeps the pixels no later object covers."""
    h, w = image.height, image.width
    drawn: list[tuple[int, dict, list[float], Any] | None] = []
    deleted: list[int] = []
    cover = 0  # pixels of the objects' boxes: each is rasterized and drawn over its box (as IdRegions)
    for k, obj in enumerate(objects):
        where = f"{gt}: objects[{k}]"
        if not isinstance(obj, dict) or not isinstance(obj.get("label"), str):
            report.often("objects skipped", f"{where}: expected an object with a 'label'; skipped", "objects")
            drawn.append(None)
            continue
        if obj.get("deleted"):
            deleted.append(k)
            drawn.append(None)
            continue
        try:
            pts = np.asarray(obj.get("polygon"), dtype=np.float64)
        except (TypeError, ValueError):
            pts = np.zeros((0,))
        if pts.ndim != 2 or pts.shape[1] != 2 or len(pts) < 3 or not np.isfinite(pts).all():
            report.often(
                "objects skipped",
                f"{where} ({obj['label']}): 'polygon' needs at least 3 [x, y] points of finite numbers; "
                "skipped",
                "objects",
            )
            drawn.append(None)
            continue
        flat = pts.reshape(-1).tolist()
        try:  # before pycocotools rasterizes it: a corner at 1e9 crashed it (a segmentation fault)
            check_coordinates(flat, w, h, f"{where} ({obj['label']})")
            check_polygon_work([flat], f"{where} ({obj['label']})")
        except LimitError as e:
            report.often("objects skipped", f"{e}; skipped", "objects")
            drawn.append(None)
            continue
        cover += _box_pixels(flat, h, w)
        drawn.append((k, obj, flat, None))
    if cover > MAX_BOX_COVER * h * w:  # before any is drawn; caught by _read_frame: the frame skipped
        raise LimitError(
            str(gt),
            f"{len(objects):,} objects whose boxes cover the {w} x {h} picture {cover / (h * w):,.0f} times "
            f"(at most {MAX_BOX_COVER}): not ground truth to draw",
        )
    owner = np.full((h, w), -1, dtype=np.int32)
    for i, item in enumerate(drawn):
        if item is not None:
            k, obj, flat, _ = item
            crop = crop_raster(flat, h, w)
            if crop is not None:
                y0, x0, m = crop
                owner[y0 : y0 + m.shape[0], x0 : x0 + m.shape[1]][m] = k
            drawn[i] = (k, obj, flat, crop)
    if deleted:
        report.skipped["deleted"] += len(deleted)
        at = ", ".join(f"objects[{k}]" for k in deleted)
        report(f"{gt}: {plural(len(deleted), 'object')} marked deleted skipped ({at})")
    for item in drawn:
        if item is not None:
            _add_polygon_object(gt, item, owner, image, build, report)


def _box_pixels(flat: list[float], height: int, width: int) -> int:
    """Pixels of the box ``crop_raster`` rasterizes a polygon over (its bounds clipped to the image)."""
    xs, ys = flat[0::2], flat[1::2]
    bw = min(width, math.ceil(max(xs)) + 1) - max(0, math.floor(min(xs)))
    bh = min(height, math.ceil(max(ys)) + 1) - max(0, math.floor(min(ys)))
    return max(0, bw) * max(0, bh)


def _add_polygon_object(
    gt: Path,
    item: tuple[int, dict, list[float], Any],
    owner: np.ndarray,
    image: ImageRecord,
    build: Builder,
    report: Reporter,
) -> None:
    k, obj, flat, crop = item
    name, crowd = split_group(obj["label"])
    extra = {key: obj[key] for key in ("id", "date", "user", "verified") if key in obj}
    if crowd:
        extra["label"] = obj["label"]
    app_extra: dict[str, Any] = {"cityscapes": extra} if extra else {}
    fields: dict[str, Any] = {"iscrowd": int(crowd)}
    ours = obj.get("pixelproof")
    void = False  # a void category outside the table, as written here (``__ignore__``; its PNG id is 0)
    if isinstance(ours, dict):
        for key, value in ours.items():
            if key in ("score", "source", "review", "note", "author", "updated", "iscrowd"):
                fields[key] = value
            elif key == "void":
                void = value is True
            else:
                app_extra.setdefault(key, value)
    try:  # a label that is not UTF-8 (an unpaired surrogate Python's json reads): that object alone
        cat_id = label_category(build, name)
        if void:
            build.category(name, void=True)
    except LimitError as e:  # its message quotes the label escaped: it cannot be printed as it is
        report.often("objects skipped", f"{gt}: objects[{k}]: label {e.message}; skipped", "objects")
        return
    where = f"{gt}: objects[{k}] ({obj['label']})"
    if crop is None:
        report.often(
            "objects skipped", f"{gt}: objects[{k}] ({obj['label']}): outside the image; skipped", "objects"
        )
        return
    y0, x0, m = crop
    visible = owner[y0 : y0 + m.shape[0], x0 : x0 + m.shape[1]] == k
    n_visible = int(np.count_nonzero(visible))
    try:  # the fields refused here: a score that is no number, a review state not ours, extras too deep
        if n_visible == 0:
            report.often("objects skipped", f"{where}: hidden by later objects; skipped", "objects")
        elif n_visible == int(np.count_nonzero(m)):
            build.annotation(image, cat_id, polygons=[flat], app_extra=app_extra, where=where, **fields)
        else:
            app_extra["hidden_px"] = int(np.count_nonzero(m)) - n_visible
            rect = (x0, y0, m.shape[1], m.shape[0])
            build.annotation(image, cat_id, crop=(rect, visible), app_extra=app_extra, where=where, **fields)
    except LimitError as e:
        report.often("objects skipped", f"{e}; skipped", "objects")


def looks_like_cityscapes(path: Path) -> bool:
    gt = path / "gtFine" if (path / "gtFine").is_dir() else path if path.name == "gtFine" else None
    if gt is None or not gt.is_dir():
        return False
    return any(True for _ in gt.glob("*/*/*_gtFine_*"))


FORMAT = Format(
    name="cityscapes",
    title="Cityscapes (gtFine)",
    reader=read_cityscapes,
    declares_sizes=True,
    writer=write_cityscapes,
    read_options=(
        Option(
            "mode",
            "choice",
            "which ground truth to read (auto: polygons JSON, else instanceIds, else labelIds, else "
            "labelTrainIds)",
            "auto",
            choices={
                "auto": "Detect",
                "polygons": "Polygons (*_gtFine_polygons.json)",
                "instance": "Instance ids (*_instanceIds.png)",
                "semantic": "Label ids (*_labelIds.png)",
            },
            label="Ground truth",
        ),
    ),
    write_options=(images_option("leftImg8bit/<split>/<city>/"),),
    detect=looks_like_cityscapes,
    parallel_writer=True,
    lost_on_export=(
        "holes (filled, unless later objects cover them), several parts (one object each), boxes "
        "(become polygons), pixels of objects hidden by later ones; in the PNGs, categories "
        "outside the table get ids from 34 (read back from the PNGs as `label_<id>`), and void categories "
        "that are not ignore labels of the table (`__ignore__`) id 0, `unlabeled` (ignored in training and "
        "evaluation; a warning says how many; the JSON keeps their names and marks them void, so "
        "the polygons read back as void `__ignore__` objects, the PNGs as `unlabeled`)"
    ),
)
