"""LabelMe: a folder of per-image JSON files (``shapes`` with ``label``, ``points``, ``shape_type``).

LabelMe points are used as they are (no half-pixel shift), as LabelMe's own ``labelme2coco`` does, so an
imported polygon rasterizes exactly as in LabelMe's COCO export. Shapes with the same ``label`` and
``group_id`` are one object. A turned rectangle (LabelMe 7's ``oriented_rectangle``, X-AnyLabeling's
``rotation``: its 4 corners) is a polygon; X-AnyLabeling's ``rectangle`` of 4 corners is a box. Shapes that
enclose no area (line, linestrip, point, ...) are no objects: counted as skipped, and kept with their image
(``pixelproof.labelme_shapes``) for a LabelMe export to write back, as are the file's keys LabelMe does not
know (its ``otherData``, ``pixelproof.labelme_keys``), so a LabelMe colleague gets them back.
"""

from __future__ import annotations

import base64
import io
import math
import os
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from pixelproof.core import coordinate_limits, limits, mask_edit
from pixelproof.core import masks as core_masks
from pixelproof.core.imageio import (
    ImageReadError,
    ImageTooLargeError,
    image_size,
    is_image_file,
    open_pillow,
)
from pixelproof.core.limits import LimitError, short_repr
from pixelproof.core.model import ImageRecord
from pixelproof.core.wording import plural
from pixelproof.interop._util import (
    Builder,
    ImportResult,
    ProblemCallback,
    ProgressCallback,
    Reporter,
    folder_project,
    is_file,
    listed,
    rel_name,
)
from pixelproof.interop.coco_io import json_layout, looks_like_coco
from pixelproof.interop.dataset_json import loads_json
from pixelproof.interop.each_file import read_each_file
from pixelproof.interop.formats import Format, Option, images_option
from pixelproof.interop.labelme_image_data import locate_image
from pixelproof.interop.labelme_keep import (
    LOST_ON_EXPORT,
    kept_area,
    kept_bbox,
    object_fields,
)
from pixelproof.interop.labelme_writer import IGNORE_LABEL, RESERVED_LABELS, write_labelme

CIRCLE_POINTS = 64
TURNED_RECTANGLES = ("oriented_rectangle", "rotation")
AREA_SHAPES = ("polygon", "rectangle", "circle", "mask", *TURNED_RECTANGLES)
_LABEL_FILES = ("labels.txt", "classes.txt")
# the keys LabelMe writes at a file's top level; any other is its ``otherData``, which it keeps on a save
LABELME_FILE_KEYS = frozenset(
    ["version", "flags", "shapes", "imagePath", "imageData", "imageHeight", "imageWidth", "pixelproof"]
)


def read_labelme(
    path: str | os.PathLike[str],
    *,
    on_problem: ProblemCallback | None = None,
    progress: ProgressCallback | None = None,
    extract_images: str | os.PathLike[str] | None = None,
    labels: str | os.PathLike[str] | None = None,
) -> ImportResult:
    """Import a LabelMe folder (searched recursively) or one LabelMe JSON file.

    Images that exist only as embedded ``imageData`` are written to ``extract_images`` when given;
    otherwise, like images that are missing altogether, they are reported and the image is kept with the
    size the JSON records. An ``imagePath`` outside the folder is flagged (``_util.mark_outside_root``).
    ``labels``: the category order, as ``labelme2coco --labels`` takes it (LabelMe's examples keep
    ``labels.txt`` beside the JSON folder, not in it); else ``labels.txt`` in the folder, if there.
    """
    src = Path(path)
    root = src.parent if src.is_file() else src
    files = [src] if src.is_file() else labelme_files(src)
    project = folder_project(root)
    report = Reporter(on_problem)
    build = Builder(project)
    for name in _label_list(root, report, Path(labels) if labels else None):
        build.category(name)
    extract = Path(extract_images) if extract_images else None
    read_each_file(
        files,
        lambda file: _read_file(file, root, build, report, extract),
        src=src,
        root=root,
        report=report,
        progress=progress,
    )
    return ImportResult(project, report.problems, report.skipped)


def labelme_files(folder: Path) -> list[Path]:
    """The JSON files a LabelMe folder import reads (searched recursively): what "N images" counts. Not a
    project file (COCO's ``images`` list, no LabelMe ``shapes``): the ``project.json`` an earlier import
    was saved as in the folder is no LabelMe file to skip, nor a COCO export kept beside the pictures."""
    return sorted(p for p in folder.rglob("*.json") if p.is_file() and not _project_file(p))


def _project_file(path: Path) -> bool:
    """A COCO or PixelProof project file, not a LabelMe one: LabelMe's ``shapes`` key comes in its first
    lines (4 KB read per LabelMe file, as ``json_keys`` reads its first chunk)."""
    return looks_like_coco(path)


def labels_file_near(folder: Path) -> Path | None:
    """The category list LabelMe's scripts would be given for ``folder``: its own ``labels.txt`` (or
    ``classes.txt``), else a ``labels.txt`` one level up, where LabelMe's examples keep it; else None."""
    for f in [*(folder / name for name in _LABEL_FILES), folder.parent / "labels.txt"]:
        if f.is_file():
            return f
    return None


def _label_list(root: Path, report: Reporter, given: Path | None = None) -> list[str]:
    """Category order from a ``labels.txt`` as LabelMe's scripts use it (reserved names dropped): the
    ``given`` one, else the folder's."""
    if given is not None and not given.is_file():
        report(f"{given}: no such labels file; categories come from the shapes")
        return []
    for f in [given] if given is not None else [root / name for name in _LABEL_FILES]:
        if f.is_file():
            try:
                lines = [ln.strip() for ln in f.read_text(encoding="utf-8").splitlines()]
            except (OSError, UnicodeDecodeError) as e:
                report(f"{f}: not readable UTF-8 text ({e}); categories come from the shapes")
                return []
            return [ln for ln in lines if ln and ln not in RESERVED_LABELS]
    return []


def _read_file(file: Path, root: Path, build: Builder, report: Reporter, extract: Path | None) -> None:
    try:
        data = loads_json(file.read_bytes())  # LabelMe's json.dump writes NaN; an editor adds a BOM
    except (OSError, orjson.JSONDecodeError) as e:
        report.skip("files", f"{file}: not a readable JSON file ({e}); skipped")
        return
    if not isinstance(data, dict) or not isinstance(data.get("shapes"), list):
        report.skip("files", f"{file}: not a LabelMe file (no 'shapes' list); skipped")
        return
    image_path = data.get("imagePath")
    if not isinstance(image_path, str) or not image_path:
        report.skip("files", f"{file}: no imagePath; skipped")
        return
    try:  # before it names a file to look for or extract to: open() raises on NUL
        limits.check_text(image_path, f"{file}: imagePath {short_repr(image_path)}", "file name")
    except LimitError as e:
        report.skip("files", f"{e}; skipped")
        return
    width, height = data.get("imageWidth"), data.get("imageHeight")
    embedded = data.get("imageData")
    if embedded is not None and not isinstance(embedded, str):
        report(f"{file}: imageData: expected base64 text, got {short_repr(embedded)}; ignored")
        embedded = None
    image_file, image_path, chosen = locate_image(file, image_path, embedded, extract, report)
    if not (type(width) is int and type(height) is int and width > 0 and height > 0):
        try:
            if is_file(image_file) and is_image_file(image_file):
                width, height = image_size(image_file)
            elif embedded:
                with open_pillow(
                    io.BytesIO(base64.b64decode(embedded, validate=True)), f"{file}: imageData"
                ) as im:
                    width, height = im.size
            else:
                raise ImageReadError("no size")
        except (ImageReadError, OSError, ValueError) as e:
            reason = f" ({e})" if isinstance(e, LimitError) else ""
            report.skip(
                "files", f"{file}: no imageWidth/imageHeight and the image cannot be read{reason}; skipped"
            )
            return
    extra: dict[str, Any] = {}
    app = data.get("pixelproof")
    if isinstance(app, dict) and app:
        extra["pixelproof"] = dict(app)
    if isinstance(data.get("flags"), dict) and data["flags"]:
        extra.setdefault("pixelproof", {})["flags"] = data["flags"]
    if other := {k: v for k, v in data.items() if k not in LABELME_FILE_KEYS}:
        extra.setdefault("pixelproof", {})["labelme_keys"] = other  # written back as LabelMe keeps them
    where = f"{file}: imagePath {image_path}"
    image = build.image(rel_name(image_file, root), width, height, where=where, chosen=chosen, **extra)
    with build.record(image, report):
        kept = _read_shapes(file, data["shapes"], image, build, report)
    if kept:  # no objects, but the LabelMe colleague's lines and points: written back on export
        limits.check_json_depth(kept, where)
        image.extra.setdefault("pixelproof", {})["labelme_shapes"] = kept


def _read_shapes(
    file: Path, shapes: list, image: ImageRecord, build: Builder, report: Reporter
) -> list[dict]:
    """Add the objects of ``shapes``; returns the shapes that enclose no area (kept with the image)."""
    groups: dict[Any, list[tuple[int, dict]]] = {}
    kept: list[dict] = []
    not_area: dict[str, list[int]] = {}
    for i, shape in enumerate(shapes):
        if not isinstance(shape, dict) or not isinstance(shape.get("label"), str):
            _skip(report, f"{file}: shapes[{i}]: expected an object with a 'label'; skipped")
            continue
        kind = shape.get("shape_type") or "polygon"
        if kind not in AREA_SHAPES:
            not_area.setdefault(str(kind), []).append(i)
            kept.append(shape)
            continue
        gid = shape.get("group_id")
        if gid is not None and (isinstance(gid, bool) or not isinstance(gid, int | str)):
            _skip(report, f"{file}: shapes[{i}].group_id: expected a number, got {short_repr(gid)}; skipped")
            continue
        key = (shape["label"], gid) if gid is not None else ("", "#", i)
        groups.setdefault(key, []).append((i, shape))
    if not_area:
        # counted as "line shapes" (the report's "Skipped: 2 line shapes, 1 point shape"), not "2 line"
        report.skipped.update({f"{kind} shapes": len(at) for kind, at in not_area.items()})
        counts = ", ".join(
            f"{plural(len(at), f'{kind} shape')} ({listed([f'shapes[{i}]' for i in at])})"
            for kind, at in sorted(not_area.items())
        )
        report(
            f"{file}: skipped shapes that enclose no area: {counts} (no objects here; kept with the "
            "image and written back by a LabelMe export)"
        )
    for members in groups.values():
        _add_object(file, members, image, build, report)
    return kept


def _skip(report: Reporter, message: str) -> None:
    """A shape left out: said for the first few of a file, counted after (``Reporter.often``)."""
    report.often("skipped shapes", message, "invalid")


def _points(shape: dict) -> np.ndarray | None:
    pts = shape.get("points")
    try:
        arr = np.asarray(pts, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    if arr.ndim != 2 or arr.shape[1] != 2 or not np.isfinite(arr).all():
        return None
    return arr


def _add_object(
    file: Path,
    members: list[tuple[int, dict]],
    image: ImageRecord,
    build: Builder,
    report: Reporter,
) -> None:
    h, w = image.height, image.width
    polygons: list[list[float]] = []
    boxes: list[list[float]] = []
    pieces: list[tuple[mask_edit.Rect, np.ndarray]] = []
    for i, shape in members:
        kind = shape.get("shape_type") or "polygon"
        where = f"{file}: shapes[{i}] ({shape['label']}, {kind})"
        pts = _points(shape)
        if pts is None:
            _skip(report, f"{where}: 'points' must be a list of [x, y] pairs; skipped")
            continue
        if kind == "polygon":
            if len(pts) < 3:
                _skip(report, f"{where}: a polygon needs at least 3 points, got {len(pts)}; skipped")
                continue
            polygons.append(pts.reshape(-1).tolist())
        elif kind in TURNED_RECTANGLES:
            if len(pts) != 4:
                _skip(report, f"{where}: expected 4 points, got {len(pts)}; skipped")
                continue
            polygons.append(pts.reshape(-1).tolist())
        elif kind == "rectangle" and len(pts) == 4:  # X-AnyLabeling writes a rectangle's 4 corners
            box = _corner_box(pts)
            if box is None:  # not an upright box: the 4 points are its outline, as a turned rectangle's
                polygons.append(pts.reshape(-1).tolist())
            else:
                boxes.append(box)
        elif kind == "rectangle" or kind == "circle":
            if len(pts) != 2:
                _skip(report, f"{where}: expected 2 points, got {len(pts)}; skipped")
                continue
            if kind == "circle" and (pts[0] == pts[1]).all():
                _skip(report, f"{where}: its centre and rim are one point (a circle of radius 0); skipped")
            elif kind == "circle":
                polygons.append(circle_polygon(pts[0], pts[1]))
            else:
                (x1, y1), (x2, y2) = np.sort(pts, axis=0)
                boxes.append([float(x1), float(y1), float(x2 - x1), float(y2 - y1)])
        else:  # mask
            try:
                piece = _mask_piece(shape, pts, h, w, where)
            except LimitError as e:
                _skip(report, f"{e}; skipped")
                continue
            if piece is None:
                _skip(report, f"{where}: 'mask' is not a base64 PNG inside its 2 points; skipped")
                continue
            pieces.append(piece)
    if not (polygons or boxes or pieces):
        return
    label = members[0][1]["label"]
    where = f"{file}: shapes[{members[0][0]}] ({label})"
    try:
        fields = object_fields(members)
        box_kept, area_in_file = fields.pop("bbox", None), fields.pop("area", None)
        void = label == IGNORE_LABEL or fields["app_extra"].pop("void", None) is True
        cat = build.category(label, void=void)
        if pieces:
            crop = _union_crop(pieces, polygons, boxes, h, w, where)
            ann = build.annotation(image, cat.id, crop=crop, where=where, **fields)
        elif polygons or len(boxes) > 1:
            for x, y, bw, bh in boxes:
                polygons.append([x, y, x + bw, y, x + bw, y + bh, x, y + bh])
            ann = build.annotation(image, cat.id, polygons=polygons, where=where, **fields)
            ann.bbox = kept_bbox(box_kept, ann) or ann.bbox  # the source file's, kept by the writer
        else:
            ann = build.annotation(image, cat.id, bbox=boxes[0], where=where, **fields)
        ann.area = kept_area(area_in_file, ann)
    except LimitError as e:
        _skip(report, f"{e}; skipped")


def _corner_box(pts: np.ndarray) -> list[float] | None:
    """[x, y, w, h] of 4 points that are the corners of an upright box (in any order, as X-AnyLabeling
    saves a rectangle: clockwise from the corner drawn first), else None."""
    (x0, y0), (x1, y1) = pts.min(axis=0), pts.max(axis=0)
    corners = {(x0, y0), (x1, y0), (x1, y1), (x0, y1)}
    if {(x, y) for x, y in pts.tolist()} != corners or len(corners) != 4:
        return None
    return [float(x0), float(y0), float(x1 - x0), float(y1 - y0)]


def circle_polygon(center: np.ndarray, rim: np.ndarray, n: int = CIRCLE_POINTS) -> list[float]:
    """A circle given by its centre and a point on it, as an n-gon through the rim."""
    r = math.hypot(rim[0] - center[0], rim[1] - center[1])
    t = np.arange(n) * (2 * math.pi / n)
    xy = np.stack([center[0] + r * np.cos(t), center[1] + r * np.sin(t)], axis=1)
    return [round(float(v), 3) for v in xy.reshape(-1)]


def _mask_piece(
    shape: dict, pts: np.ndarray, h: int, w: int, where: str
) -> tuple[mask_edit.Rect, np.ndarray] | None:
    """A LabelMe mask shape (PNG of the box from points[0] to points[1], inclusive) as (rect, its pixels),
    the box cut to the h x w image (a 0 x 0 rect when it lies wholly outside); None when it is not one.
    Placed as LabelMe's ``shapes_to_label`` does: at the rounded corner, the PNG cut to the points box
    when both corners are whole pixels (a moved shape's fractional corners keep the PNG's own size).
    Raises ``LimitError`` for PNGs too big to decode."""
    b64 = shape.get("mask")
    if not isinstance(b64, str) or len(pts) != 2:
        return None
    coordinate_limits.check_coordinates(pts.reshape(-1), w, h, where)
    try:
        with open_pillow(io.BytesIO(base64.b64decode(b64, validate=True)), f"{where}: mask") as im:
            sub = np.asarray(im.convert("L")) != 0
    except ImageTooLargeError:
        raise
    except (OSError, ValueError):
        return None
    x0, y0 = (int(v) for v in pts.min(axis=0).round())
    if np.array_equal(pts, np.trunc(pts)):
        box_w, box_h = (int(v) + 1 for v in pts.max(axis=0) - pts.min(axis=0))
        sub = sub[:box_h, :box_w]
    rect = mask_edit.clip_rect((x0, y0, sub.shape[1], sub.shape[0]), h, w)
    if rect is None:
        return (0, 0, 0, 0), np.zeros((0, 0), dtype=bool)
    x, y, cw, ch = rect
    return rect, sub[y - y0 : y - y0 + ch, x - x0 : x - x0 + cw]


def _union_crop(
    pieces: list[tuple[mask_edit.Rect, np.ndarray]],
    polygons: list[list[float]],
    boxes: list[list[float]],
    h: int,
    w: int,
    where: str,
) -> tuple[mask_edit.Rect, np.ndarray]:
    """The union of mask pieces, polygons and boxes (pycocotools rasterization, as ``polygons_to_mask``
    and ``box_to_mask`` make them) as (rect, pixels) around it, without an image-sized array; an empty
    1 x 1 crop when nothing lies inside the image."""
    outlines = list(polygons)
    if polygons:
        coordinate_limits.check_polygon_work(polygons, where)
    outlines += [[x, y, x + bw, y, x + bw, y + bh, x, y + bh] for x, y, bw, bh in boxes]
    rle, drawn = None, None
    if outlines:
        limits.check_rle_size(h, w, where)
        rle = core_masks.polygons_to_rle(outlines, h, w)
        drawn = mask_edit.rle_rect(rle)
    rects = [r for r, _ in pieces if r[2] > 0 and r[3] > 0] + ([drawn] if drawn is not None else [])
    if not rects:
        return (0, 0, 1, 1), np.zeros((1, 1), dtype=bool)
    union: mask_edit.Rect = rects[0]
    for r in rects[1:]:
        union = mask_edit.rect_union(union, r) or union
    ux, uy, uw, uh = union
    limits.check_image_size(uw, uh, where, "mask box")  # the union's box is made at once
    out = np.zeros((uh, uw), dtype=bool)
    for (x, y, cw, ch), sub in pieces:
        if cw > 0 and ch > 0:
            out[y - uy : y - uy + ch, x - ux : x - ux + cw] |= sub
    if rle is not None and drawn is not None:
        x, y, cw, ch = drawn
        out[y - uy : y - uy + ch, x - ux : x - ux + cw] |= mask_edit.decode_rect(rle, drawn, where)
    return union, out


def looks_like_labelme(path: Path) -> bool:
    """A JSON file with LabelMe's ``shapes``, or a folder whose first JSON files (two levels deep) have it."""
    if path.is_file():
        return path.suffix.lower() == ".json" and _shapes_first(path)
    if not path.is_dir():
        return False
    # the first three not a project saved there, each file opened only until they are found (a folder of
    # 100,000 LabelMe files read 4 KB of every one to look at three)
    own = list(islice((f for f in sorted(path.glob("*.json")) if not _project_file(f)), 3))
    files = own or sorted(path.glob("*/*.json"))[:3]
    return any(_shapes_first(f) for f in files)


def _shapes_first(path: Path) -> bool:
    """LabelMe's ``shapes`` as a top-level key, not inside a project's images (a project read from CVAT)."""
    return json_layout(path) == "labelme"


FORMAT = Format(
    name="labelme",
    title="LabelMe folder",
    reader=read_labelme,
    declares_sizes=True,
    writer=write_labelme,
    read_options=(
        Option(
            "extract_images",
            "folder",
            "write images stored only as imageData in the JSON files into this folder",
            None,
            label="Extract embedded images to",
        ),
        Option(
            "labels",
            "file",
            "category order, one name a line, as labelme2coco --labels takes it (__ignore__ and "
            "_background_ lines make no category, so ids match labelme2coco's)",
            None,
            label="Labels file",
            empty="labels.txt in the folder, if there",
        ),
    ),
    write_options=(
        images_option(),
        Option(
            "image_data",
            "bool",
            "embed each image as imageData (bigger files, but each JSON opens in LabelMe on its own)",
            False,
            label="Embed the images (imageData)",
        ),
    ),
    detect=looks_like_labelme,
    suffixes=(".json",),
    lost_on_export=LOST_ON_EXPORT,
)
