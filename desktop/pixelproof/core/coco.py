"""Read, validate and write the project file: one COCO "instances" JSON (DESIGN.md §3).

Reading checks everything and reports every problem with its JSON location through
``ProjectFormatError``; it never stops at the first one. Writing is atomic (temporary file in the same
folder, fsync, ``os.replace``) and keeps the previous version as ``<name>.json.bak``.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from pixelproof.core.model import (
    IMAGE_STATES,
    REVIEW_STATES,
    Annotation,
    Category,
    ImageRecord,
    Project,
)

_NUMBER = (int, float)
_NUMBER_TYPES = {int, float}
_ANN_APP_KEYS = ("source", "review", "note", "author", "updated")
_ANN_KEYS = {
    "id",
    "image_id",
    "category_id",
    "bbox",
    "segmentation",
    "area",
    "iscrowd",
    "score",
    "pixelproof",
}
_IMG_KEYS = {"id", "file_name", "width", "height"}
_CAT_KEYS = {"id", "name", "supercategory", "pixelproof"}
_TOP_KEYS = {"images", "annotations", "categories", "pixelproof"}


class ProjectFormatError(Exception):
    """The file is not a valid project; ``problems`` lists each one as ``location: what is wrong``."""

    def __init__(self, path: str | os.PathLike[str], problems: list[str]) -> None:
        self.path = str(path)
        self.problems = list(problems)
        n = len(self.problems)
        head = f"{self.path}: {n} problem{'s' if n != 1 else ''}"
        super().__init__(head + "".join(f"\n  {p}" for p in self.problems))


class ProjectSaveError(Exception):
    """Saving failed; the previous project file and its backup are untouched."""


# ------------------------------------------------------------------------------------------------
# reading


def read_json(path: str | os.PathLike[str]) -> Any:
    """Parse a JSON file; errors become a ``ProjectFormatError`` naming the file and the position."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except IsADirectoryError:
        raise ProjectFormatError(p, ["is a directory, not a project file"]) from None
    except FileNotFoundError:
        raise ProjectFormatError(p, ["file not found"]) from None
    except PermissionError:
        raise ProjectFormatError(p, ["cannot read the file: permission denied"]) from None
    except OSError as e:
        raise ProjectFormatError(p, [f"cannot read the file: {e.strerror or e}"]) from None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        pass
    # orjson rejects NaN/Infinity literals; the stdlib accepts them (validation then reports where) and
    # gives line/column positions for real syntax errors.
    try:
        return json.loads(raw.decode("utf-8", errors="replace"))
    except json.JSONDecodeError as e:
        if not raw.strip():
            raise ProjectFormatError(p, ["file is empty, not JSON"]) from None
        raise ProjectFormatError(
            p, [f"not valid JSON: {e.msg} at line {e.lineno} column {e.colno}"]
        ) from None


def load_project(path: str | os.PathLike[str]) -> Project:
    """Load and validate a project file; raises ``ProjectFormatError`` listing every problem."""
    p = Path(path)
    data = read_json(p)
    project = project_from_dict(data, source=p)
    project.path = p
    return project


def validate_file(path: str | os.PathLike[str]) -> list[str]:
    """Every problem in a project file (empty when valid)."""
    try:
        load_project(path)
    except ProjectFormatError as e:
        return e.problems
    return []


def project_from_dict(data: Any, source: str | os.PathLike[str] = "<memory>") -> Project:
    """Validate parsed JSON and build the Project; raises ``ProjectFormatError`` with every problem."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise ProjectFormatError(source, [f"top level: expected a JSON object, got {_typename(data)}"])
    err = problems.append
    lists = {}
    for key in ("images", "annotations", "categories"):
        value = data.get(key, [])
        if not isinstance(value, list):
            err(f"{key}: expected a list, got {_typename(value)}")
            value = []
        lists[key] = value
    images = _read_images(lists["images"], err)
    categories = _read_categories(lists["categories"], err)
    app = _read_app(data.get("pixelproof"), err)
    annotations = _read_annotations(lists["annotations"], images, categories, problems)
    if problems:
        raise ProjectFormatError(source, problems)
    extra = {k: v for k, v in data.items() if k not in _TOP_KEYS}
    return Project(images=images, categories=categories, annotations=annotations, extra=extra, app=app)


def _typename(v: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(v), "a number" if isinstance(v, _NUMBER) else type(v).__name__
    )


def _is_int(v: Any) -> bool:
    return type(v) is int


def _is_number(v: Any) -> bool:
    return type(v) in _NUMBER_TYPES and math.isfinite(v)


def _check_id(
    obj: dict, where: str, seen: dict[int, int], index: int, table: str, err: Callable
) -> int | None:
    v = obj.get("id")
    if v is None:
        err(f"{where}.id: missing")
        return None
    if not _is_int(v):
        err(f"{where}.id: expected an integer, got {_typename(v)} {v!r}")
        return None
    if v in seen:
        err(f"{where}.id: duplicate id {v} (also {table}[{seen[v]}])")
        return None
    seen[v] = index
    return v


def _read_images(items: list, err: Callable) -> dict[int, ImageRecord]:
    out: dict[int, ImageRecord] = {}
    seen: dict[int, int] = {}
    for i, obj in enumerate(items):
        where = f"images[{i}]"
        if not isinstance(obj, dict):
            err(f"{where}: expected an object, got {_typename(obj)}")
            continue
        ok = True
        iid = _check_id(obj, where, seen, i, "images", err)
        fn = obj.get("file_name")
        if not isinstance(fn, str) or not fn:
            err(f"{where}.file_name: expected a non-empty string, got {_typename(fn)}")
            ok = False
        dims = []
        for key in ("width", "height"):
            v = obj.get(key)
            if not _is_int(v) or v <= 0:
                err(f"{where}.{key}: expected a positive integer, got {v!r}")
                ok = False
            dims.append(v)
        if iid is None or not ok:
            continue
        extra = {k: v for k, v in obj.items() if k not in _IMG_KEYS}
        out[iid] = ImageRecord(iid, fn, dims[0], dims[1], extra)
    return out


def _read_categories(items: list, err: Callable) -> dict[int, Category]:
    out: dict[int, Category] = {}
    seen: dict[int, int] = {}
    for i, obj in enumerate(items):
        where = f"categories[{i}]"
        if not isinstance(obj, dict):
            err(f"{where}: expected an object, got {_typename(obj)}")
            continue
        cid = _check_id(obj, where, seen, i, "categories", err)
        name = obj.get("name")
        ok = True
        if not isinstance(name, str):
            err(f"{where}.name: expected a string, got {_typename(name)}")
            ok = False
        sup = obj.get("supercategory")
        if sup is not None and not isinstance(sup, str):
            err(f"{where}.supercategory: expected a string, got {_typename(sup)}")
            ok = False
        app = obj.get("pixelproof", {})
        color = shortcut = None
        app_extra: dict[str, Any] = {}
        if not isinstance(app, dict):
            err(f"{where}.pixelproof: expected an object, got {_typename(app)}")
            ok = False
        else:
            color = app.get("color")
            if color is not None and not _is_color(color):
                err(f"{where}.pixelproof.color: expected '#rrggbb', got {color!r}")
                ok = False
            shortcut = app.get("shortcut")
            if shortcut is not None and not isinstance(shortcut, str):
                err(f"{where}.pixelproof.shortcut: expected a string, got {_typename(shortcut)}")
                ok = False
            app_extra = {k: v for k, v in app.items() if k not in ("color", "shortcut")}
        if cid is None or not ok:
            continue
        extra = {k: v for k, v in obj.items() if k not in _CAT_KEYS}
        out[cid] = Category(cid, name, sup, color, shortcut, extra, app_extra)
    return out


def _is_color(v: Any) -> bool:
    if not isinstance(v, str) or len(v) != 7 or v[0] != "#":
        return False
    try:
        int(v[1:], 16)
    except ValueError:
        return False
    return True


def _read_app(app: Any, err: Callable) -> dict[str, Any]:
    if app is None:
        return {"format": 1}
    if not isinstance(app, dict):
        err(f"pixelproof: expected an object, got {_typename(app)}")
        return {}
    fmt = app.get("format", 1)
    if not _is_int(fmt):
        err(f"pixelproof.format: expected an integer, got {fmt!r}")
    elif fmt > 1:
        err(f"pixelproof.format: version {fmt} is newer than this PixelProof understands (1)")
    status = app.get("image_status", {})
    if not isinstance(status, dict):
        err(f"pixelproof.image_status: expected an object, got {_typename(status)}")
    else:
        for k, v in status.items():
            if v not in IMAGE_STATES:
                err(f"pixelproof.image_status.{k}: expected one of {', '.join(IMAGE_STATES)}, got {v!r}")
    ref = app.get("reference")
    if ref is not None and not isinstance(ref, str):
        err(f"pixelproof.reference: expected a string, got {_typename(ref)}")
    return dict(app)


def _read_annotations(
    items: list, images: dict[int, ImageRecord], categories: dict[int, Category], problems: list[str]
) -> dict[int, Annotation]:
    err = problems.append
    out: dict[int, Annotation] = {}
    seen: dict[int, int] = {}
    for i, obj in enumerate(items):
        where = f"annotations[{i}]"
        if not isinstance(obj, dict):
            err(f"{where}: expected an object, got {_typename(obj)}")
            continue
        n_before = len(problems)
        aid = _check_id(obj, where, seen, i, "annotations", err)
        image = None
        image_id = obj.get("image_id")
        if not _is_int(image_id):
            err(f"{where}.image_id: expected an integer, got {_typename(image_id)} {image_id!r}")
        elif image_id not in images:
            err(f"{where}.image_id: image {image_id} does not exist")
        else:
            image = images[image_id]
        category_id = obj.get("category_id")
        if not _is_int(category_id):
            err(f"{where}.category_id: expected an integer, got {_typename(category_id)} {category_id!r}")
        elif category_id not in categories:
            err(f"{where}.category_id: category {category_id} does not exist")
        seg = obj.get("segmentation")
        if "segmentation" in obj:
            _check_segmentation(seg, f"{where}.segmentation", image, err)
        bbox = obj.get("bbox")
        if bbox is None and seg is None:
            err(f"{where}.bbox: missing (an annotation without segmentation needs a bbox)")
        elif bbox is not None:
            _check_bbox(bbox, f"{where}.bbox", err)
        area = obj.get("area")
        if area is not None and (not _is_number(area) or area < 0):
            err(f"{where}.area: expected a non-negative finite number, got {area!r}")
        iscrowd = obj.get("iscrowd", 0)
        if iscrowd not in (0, 1) or type(iscrowd) is bool:
            err(f"{where}.iscrowd: expected 0 or 1, got {iscrowd!r}")
        score = obj.get("score")
        if score is not None and not _is_number(score):
            err(f"{where}.score: expected a finite number, got {score!r}")
        app = obj.get("pixelproof", {})
        if not isinstance(app, dict):
            err(f"{where}.pixelproof: expected an object, got {_typename(app)}")
            app = {}
        review = app.get("review")
        if review is not None and review not in REVIEW_STATES:
            err(f"{where}.pixelproof.review: expected one of {', '.join(REVIEW_STATES)}, got {review!r}")
        for key in ("source", "note", "author", "updated"):
            v = app.get(key)
            if v is not None and not isinstance(v, str):
                err(f"{where}.pixelproof.{key}: expected a string, got {_typename(v)}")
        if len(problems) != n_before or aid is None:
            continue
        if bbox is None or area is None:
            from pixelproof.core import masks

            if bbox is None:
                bbox = masks.segmentation_bbox(seg, image.height, image.width)
            if area is None:
                area = masks.segmentation_area(seg, bbox, image.height, image.width)
        extra = {k: v for k, v in obj.items() if k not in _ANN_KEYS}
        out[aid] = Annotation(
            id=aid,
            image_id=image_id,
            category_id=category_id,
            bbox=bbox,
            segmentation=seg,
            area=area,
            iscrowd=iscrowd,
            score=score,
            source=app.get("source"),
            review=review,
            note=app.get("note"),
            author=app.get("author"),
            updated=app.get("updated"),
            extra=extra,
            app_extra={k: v for k, v in app.items() if k not in _ANN_APP_KEYS},
        )
    return out


def _check_bbox(bbox: Any, where: str, err: Callable) -> None:
    if not isinstance(bbox, list):
        err(f"{where}: expected a list of 4 numbers, got {_typename(bbox)}")
        return
    if len(bbox) != 4:
        err(f"{where}: expected 4 numbers, got {len(bbox)}")
        return
    for j, v in enumerate(bbox):
        if type(v) not in _NUMBER_TYPES:
            err(f"{where}[{j}]: expected a number, got {_typename(v)} {v!r}")
            return
        if not math.isfinite(v):
            err(f"{where}[{j}]: expected a finite number, got {v!r}")
            return
    if bbox[2] < 0 or bbox[3] < 0:
        err(f"{where}: width and height must be >= 0, got {bbox[2]!r} x {bbox[3]!r}")


def _check_segmentation(seg: Any, where: str, image: ImageRecord | None, err: Callable) -> None:
    if isinstance(seg, list):
        for j, poly in enumerate(seg):
            _check_polygon(poly, f"{where}[{j}]", err)
    elif isinstance(seg, dict):
        size = seg.get("size")
        counts = seg.get("counts")
        if not (isinstance(size, list) and len(size) == 2 and all(_is_int(v) and v >= 0 for v in size)):
            err(f"{where}.size: expected [height, width] as 2 non-negative integers, got {size!r}")
        elif image is not None and size != [image.height, image.width]:
            err(
                f"{where}.size: RLE size {size} differs from image {image.id} size "
                f"[{image.height}, {image.width}] (height, width)"
            )
        if isinstance(counts, str):
            pass
        elif isinstance(counts, list):
            if not all(_is_int(v) and v >= 0 for v in counts):
                err(f"{where}.counts: uncompressed RLE counts must be non-negative integers")
            elif isinstance(size, list) and len(size) == 2 and sum(counts) != size[0] * size[1]:
                err(f"{where}.counts: uncompressed RLE counts sum to {sum(counts)}, expected height*width")
        else:
            err(
                f"{where}.counts: expected a string (compressed RLE) or a list of integers, "
                f"got {_typename(counts)}"
            )
    else:
        err(f"{where}: expected a list of polygons or an RLE object, got {_typename(seg)}")


def _check_polygon(poly: Any, where: str, err: Callable) -> None:
    if not isinstance(poly, list):
        err(f"{where}: expected a polygon (list of numbers), got {_typename(poly)}")
        return
    if not set(map(type, poly)) <= _NUMBER_TYPES:
        bad = next(v for v in poly if type(v) not in _NUMBER_TYPES)
        err(f"{where}: expected numbers, got {_typename(bad)} {bad!r}")
        return
    if len(poly) % 2:
        err(f"{where}: expected an even count of numbers (x, y pairs), got {len(poly)}")
        return
    if len(poly) < 6:
        err(f"{where}: a polygon needs at least 3 points, got {len(poly) // 2}")
        return
    if not math.isfinite(sum(poly)) and not all(math.isfinite(v) for v in poly):
        bad = next(v for v in poly if not math.isfinite(v))
        err(f"{where}: expected finite coordinates, got {bad!r}")


# ------------------------------------------------------------------------------------------------
# writing


def project_to_dict(project: Project) -> dict[str, Any]:
    """The JSON document of a project (unknown keys included, in COCO's usual key order)."""
    extra = project.extra
    doc: dict[str, Any] = {}
    for key in ("info", "licenses"):
        if key in extra:
            doc[key] = extra[key]
    doc["images"] = [_image_dict(im) for im in project.images.values()]
    doc["annotations"] = [annotation_to_dict(a) for a in project.annotations.values()]
    doc["categories"] = [_category_dict(c) for c in project.categories.values()]
    for key, value in extra.items():
        if key not in doc:
            doc[key] = value
    doc["pixelproof"] = project.app
    return doc


def _image_dict(im: ImageRecord) -> dict[str, Any]:
    d = {"id": im.id, "file_name": im.file_name, "width": im.width, "height": im.height}
    d.update(im.extra)
    return d


def _category_dict(c: Category) -> dict[str, Any]:
    d: dict[str, Any] = {"id": c.id, "name": c.name}
    if c.supercategory is not None:
        d["supercategory"] = c.supercategory
    d.update(c.extra)
    app = dict(c.app_extra)
    if c.color is not None:
        app["color"] = c.color
    if c.shortcut is not None:
        app["shortcut"] = c.shortcut
    if app:
        d["pixelproof"] = app
    return d


def annotation_to_dict(a: Annotation) -> dict[str, Any]:
    d: dict[str, Any] = {
        "id": a.id,
        "image_id": a.image_id,
        "category_id": a.category_id,
        "bbox": a.bbox,
        "area": a.area,
        "iscrowd": a.iscrowd,
    }
    if a.segmentation is not None:
        d["segmentation"] = a.segmentation
    if a.score is not None:
        d["score"] = a.score
    d.update(a.extra)
    app = {k: getattr(a, k) for k in _ANN_APP_KEYS if getattr(a, k) is not None}
    app.update(a.app_extra)
    if app:
        d["pixelproof"] = app
    return d


def dumps_project(project: Project) -> bytes:
    """Serialize with one image / annotation / category per line: compact, yet diffable."""
    doc = project_to_dict(project)
    opt = orjson.OPT_SERIALIZE_NUMPY
    parts = [b"{"]
    keys = list(doc)
    for n, key in enumerate(keys):
        value = doc[key]
        sep = b"," if n < len(keys) - 1 else b""
        head = orjson.dumps(key) + b": "
        if isinstance(value, list) and key in ("images", "annotations", "categories"):
            if not value:
                parts.append(b"\n" + head + b"[]" + sep)
                continue
            body = b",\n  ".join(orjson.dumps(v, option=opt, default=_json_default) for v in value)
            parts.append(b"\n" + head + b"[\n  " + body + b"\n]" + sep)
        else:
            parts.append(b"\n" + head + orjson.dumps(value, option=opt, default=_json_default) + sep)
    parts.append(b"\n}\n")
    return b"".join(parts)


def _json_default(v: Any) -> Any:
    if hasattr(v, "item"):  # numpy scalar
        return v.item()
    if isinstance(v, os.PathLike):
        return os.fspath(v)
    raise TypeError(f"cannot write {type(v).__name__} to JSON")


def save_project(project: Project, path: str | os.PathLike[str] | None = None) -> Path:
    """Write atomically to ``path`` (default: where it was loaded from); keep ``<name>.bak``.

    When saving to another folder, relative image paths are rewritten so they still point at the same
    files. Raises ``ProjectSaveError``; on failure the previous file and its backup are untouched.
    """
    target = Path(path) if path is not None else project.path
    if target is None:
        raise ProjectSaveError("the project has never been saved: choose a file name")
    target = Path(os.path.abspath(target))
    old_folder = Path(os.path.abspath(project.path)).parent if project.path is not None else None
    renamed = _rebase_file_names(project, old_folder, target.parent)
    try:
        data = dumps_project(project)
        atomic_write(target, data, backup=True)
    except ProjectSaveError:
        for image, old in renamed:
            image.file_name = old
        raise
    project.path = target
    return target


def _rebase_file_names(project: Project, old: Path | None, new: Path) -> list[tuple[ImageRecord, str]]:
    if old is None or old == new:
        return []
    changed = []
    for image in project.images.values():
        if os.path.isabs(image.file_name):
            continue
        absolute = old / image.file_name
        try:
            rel = os.path.relpath(absolute, new)
        except ValueError:  # other drive on Windows
            rel = str(absolute)
        rel = rel.replace(os.sep, "/")
        if rel != image.file_name:
            changed.append((image, image.file_name))
            image.file_name = rel
    return changed


def atomic_write(target: Path, data: bytes, backup: bool = False) -> None:
    """Write ``data`` to ``target`` so a reader sees the old file or the new one, never a torn one."""
    folder = target.parent
    tmp_name = None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if backup and target.exists():
            _make_backup(target)
        os.replace(tmp_name, target)
        tmp_name = None
        _fsync_dir(folder)
    except OSError as e:
        reason = e.strerror or str(e)
        raise ProjectSaveError(f"could not save {target}: {reason}; the previous file is unchanged") from e
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)


def _make_backup(target: Path) -> None:
    """Point ``<name>.bak`` at the current file; a hard link costs nothing, a copy is the fallback."""
    bak = target.with_name(target.name + ".bak")
    tmp = target.with_name(f".{target.name}.bak.tmp")
    try:
        if tmp.exists():
            tmp.unlink()
        os.link(target, tmp)
    except OSError:
        import shutil

        shutil.copy2(target, tmp)
    os.replace(tmp, bak)


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def new_project(categories: list[str] | None = None) -> Project:
    """An empty project with categories numbered from 1."""
    project = Project()
    for i, name in enumerate(categories or [], start=1):
        project.add_category(Category(i, name, color=default_color(i), shortcut=str(i) if i <= 9 else None))
    return project


_PALETTE = (
    "#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#bfef45",
    "#fabed4", "#469990", "#dcbeff", "#9a6324", "#800000", "#aaffc3", "#808000", "#000075",
)  # fmt: skip


def default_color(index: int) -> str:
    """A distinct colour for the index-th category (Sasha Trubetskoy's palette, cycled)."""
    return _PALETTE[(index - 1) % len(_PALETTE)]
