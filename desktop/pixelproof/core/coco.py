"""Read, validate and write the project file: one COCO "instances" JSON (DESIGN.md §3).

Reading checks everything and reports every problem with its JSON location through
``ProjectFormatError``; it never stops at the first one. Writing is atomic (temporary file in the same
folder, fsync, ``os.replace``) and keeps the previous version as ``<name>.json.bak``.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import itertools
import json
import math
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson

from pixelproof.core import history
from pixelproof.core.atomic import (
    FileConflictError,
    FileState,
    atomic_output,
    clean_stale_temporaries,
    same_file,
    write_target,
)
from pixelproof.core.limits import MAX_JSON_DEPTH, LimitError, open_regular
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


class ProjectConflictError(ProjectSaveError):
    """The project file changed on disk since it was loaded (another window or program saved it); it
    was not overwritten. ``path`` names it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(
            f"{path} was changed on disk since it was opened (by another window or program); not overwritten"
        )


# ------------------------------------------------------------------------------------------------
# reading


def read_json(path: str | os.PathLike[str]) -> Any:
    """Parse a JSON file; errors become a ``ProjectFormatError`` naming the file and the position."""
    p = Path(path)
    return parse_json(_read_bytes(p)[0], p)


def _read_bytes(p: Path) -> tuple[bytes, os.stat_result]:
    """The file's bytes and its stat, both of the one file opened (a concurrent rename cannot mix them).

    FIFOs, devices and folders are refused without blocking on them (``limits.open_regular``).
    """
    try:
        with open_regular(p, "") as f:
            return f.read(), os.fstat(f.fileno())
    except LimitError as e:
        raise ProjectFormatError(p, [str(e)]) from None
    except IsADirectoryError:
        raise ProjectFormatError(p, ["is a folder, not a file to read"]) from None
    except FileNotFoundError:
        raise ProjectFormatError(p, ["file not found"]) from None
    except PermissionError:
        raise ProjectFormatError(p, ["cannot read the file: permission denied"]) from None
    except OSError as e:
        raise ProjectFormatError(p, [f"cannot read the file: {e.strerror or e}"]) from None


def parse_json(raw: bytes, p: str | os.PathLike[str]) -> Any:
    """Parsed JSON of ``raw`` (read from ``p``); errors become a located ``ProjectFormatError``.

    Bytes that are not UTF-8 are an error, not characters quietly replaced; nesting too deep for the
    parser is an error, not a crash (values kept as read are checked against ``MAX_JSON_DEPTH`` later).
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # a UTF-8 byte order mark, as some Windows tools write
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return _parse_slowly(raw, p)


def _parse_slowly(raw: bytes, p: str | os.PathLike[str]) -> Any:
    """The stdlib parser: it accepts NaN/Infinity literals (validation then reports where) and gives
    line/column positions for real syntax errors."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        column = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        raise ProjectFormatError(
            p, [f"not UTF-8 text: byte 0x{raw[e.start]:02x} at line {line} column {column}"]
        ) from None
    try:
        return json.loads(text)
    except RecursionError:
        raise ProjectFormatError(p, [f"JSON nested deeper than {MAX_JSON_DEPTH} levels"]) from None
    except json.JSONDecodeError as e:
        if not raw.strip():
            raise ProjectFormatError(p, ["file is empty, not JSON"]) from None
        raise ProjectFormatError(
            p, [f"not valid JSON: {e.msg} at line {e.lineno} column {e.colno}"]
        ) from None


def load_project(path: str | os.PathLike[str]) -> Project:
    """Load and validate a project file; raises ``ProjectFormatError`` listing every problem.

    The project remembers the file as it was read (``file_state``) so a later save can refuse to
    overwrite changes another window or program made meanwhile.
    """
    p = Path(path)
    raw, st = _read_bytes(p)
    digest = _Hasher(raw)  # in a thread: hashing releases the GIL while parsing holds it
    with gc_paused():
        data = parse_json(raw, p)
        project = project_from_dict(data, source=p)
    project.path = p
    project.file_state = FileState(p, st.st_mtime_ns, st.st_size, digest.result())
    history.capture(project)
    return project


class _Hasher:
    """SHA-256 of ``data``, computed in a thread when the data is big enough for that to pay."""

    def __init__(self, data: bytes) -> None:
        self._hash = hashlib.sha256()
        self._thread: threading.Thread | None = None
        if len(data) < 1 << 20:
            self._hash.update(data)
        else:
            self._thread = threading.Thread(target=self._hash.update, args=(data,), daemon=True)
            self._thread.start()

    def result(self) -> bytes:
        if self._thread is not None:
            self._thread.join()
        return self._hash.digest()


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building or serializing a big project.

    Parsing creates millions of acyclic objects; each few hundred allocations trigger a collection and
    the older generations rescan the whole growing heap, which more than doubles load and save time.
    Nothing created here forms cycles, so nothing is lost by collecting later.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


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
    return type(v) in _NUMBER_TYPES and _finite(v)


def _finite(v: float) -> bool:
    try:
        return math.isfinite(v)
    except OverflowError:  # an int too large for a float
        return False


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
        if sup is None and "supercategory" in obj:
            extra["supercategory"] = None  # written back as null (many exporters write it)
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
    """Check and build annotations. Geometry of valid files is checked in bulk (one C-level pass over all
    coordinates); when that finds anything, a second pass checks each value to say where."""
    out = _annotations_columns(items, images, categories)
    if out is not None:
        return out
    n_before = len(problems)
    out = _annotations_pass(items, images, categories, problems, detailed=False)
    if out is None:
        del problems[n_before:]
        out = _annotations_pass(items, images, categories, problems, detailed=True)
    return out or {}


_MISSING = object()


def _annotations_columns(
    items: list, images: dict[int, ImageRecord], categories: dict[int, Category]
) -> dict[int, Annotation] | None:
    """Fast path for the common case, a file without problems: every rule of ``_annotations_pass``
    checked column by column with C-level passes (set(map(type, ...)), numpy). Returns None when any
    column looks doubtful; the per-annotation pass then decides and says where."""
    import numpy as np

    if not items:
        return {}
    if set(map(type, items)) != {dict}:
        return None
    if not set().union(*map(dict.keys, items)) <= _ANN_KEYS:
        return None  # unknown keys: the per-annotation pass keeps them in ``extra``
    get = dict.get
    ids = [get(a, "id") for a in items]
    image_ids = [get(a, "image_id") for a in items]
    category_ids = [get(a, "category_id") for a in items]
    if set(map(type, ids)) | set(map(type, image_ids)) | set(map(type, category_ids)) != {int}:
        return None
    if len(set(ids)) != len(ids):
        return None
    if not set(image_ids) <= images.keys() or not set(category_ids) <= categories.keys():
        return None
    bboxes = [get(a, "bbox") for a in items]
    areas = [get(a, "area") for a in items]
    if set(map(type, bboxes)) != {list} or set(map(len, bboxes)) != {4} or not _numbers_ok(bboxes):
        return None  # missing bboxes / areas are derived in the per-annotation pass
    if not set(map(type, areas)) <= _NUMBER_TYPES or not _numbers_ok([areas]):
        return None
    bb = np.array(bboxes, dtype=np.float64)
    ar = np.array(areas, dtype=np.float64)
    if (bb[:, 2:] < 0).any() or (ar < 0).any():
        return None
    iscrowd = [get(a, "iscrowd", 0) for a in items]
    if set(map(type, iscrowd)) != {int} or not set(iscrowd) <= {0, 1}:
        return None
    scores = [get(a, "score", _MISSING) for a in items]
    score_types = set(map(type, scores))
    if not score_types <= {int, float, object}:
        return None  # a null score is kept as written: the per-annotation pass handles it
    if object in score_types:
        scores = [None if v is _MISSING else v for v in scores]
        score_types.discard(object)
    if score_types and not _numbers_ok([[v for v in scores if v is not None]]):
        return None
    segs = [get(a, "segmentation", _MISSING) for a in items]
    seg_types = set(map(type, segs))
    if not seg_types <= {list, dict, object}:
        return None
    if object in seg_types:
        if any(v is not _MISSING for v in segs if type(v) is object):
            return None
        segs = [None if v is _MISSING else v for v in segs]
    poly_lists = [v for v in segs if type(v) is list]
    polygons = list(itertools.chain.from_iterable(poly_lists))
    if polygons:
        if set(map(type, polygons)) != {list}:
            return None
        lengths = np.fromiter(map(len, polygons), dtype=np.int64, count=len(polygons))
        if lengths.min() < 6 or (lengths & 1).any() or not _numbers_ok(polygons):
            return None
    if dict in seg_types:
        rle_problems: list[str] = []
        _check_rles(
            [("", seg, images[iid]) for seg, iid in zip(segs, image_ids, strict=True) if type(seg) is dict],
            rle_problems.append,
        )
        if rle_problems:
            return None
    apps = [get(a, "pixelproof") for a in items]
    app_types = set(map(type, apps))
    if not app_types <= {dict, type(None)}:
        return None
    app_dicts = [v for v in apps if v is not None]
    if app_dicts and not set().union(*map(dict.keys, app_dicts)) <= set(_ANN_APP_KEYS):
        return None  # extras under "pixelproof": the per-annotation pass keeps them
    columns = []
    for key in _ANN_APP_KEYS:
        col = [None if v is None else get(v, key) for v in apps]
        if not set(map(type, col)) <= {str, type(None)}:
            return None
        columns.append(col)
    if not set(columns[1]) <= {*REVIEW_STATES, None}:
        return None
    anns = list(
        map(
            Annotation,
            ids,
            image_ids,
            category_ids,
            bboxes,
            segs,
            areas,
            iscrowd,
            scores,
            *columns,
            map(dict, itertools.repeat(())),  # extra
            map(dict, itertools.repeat(())),  # app_extra
        )
    )
    return dict(zip(ids, anns, strict=True))


def _annotations_pass(
    items: list,
    images: dict[int, ImageRecord],
    categories: dict[int, Category],
    problems: list[str],
    detailed: bool,
) -> dict[int, Annotation] | None:
    """One pass over ``annotations``; in bulk mode returns None as soon as geometry needs a closer look."""
    err = problems.append
    out: dict[int, Annotation] = {}
    seen: dict[int, int] = {}
    polygons: list[list] = []  # bulk mode: every polygon, checked together after the loop
    bboxes: list[list] = []
    rles: list[tuple[str, dict, ImageRecord | None]] = []
    ann_keys = _ANN_KEYS
    review_states = REVIEW_STATES
    for i, obj in enumerate(items):
        if type(obj) is not dict:
            err(f"annotations[{i}]: expected an object, got {_typename(obj)}")
            continue
        n_before = len(problems)
        aid = obj.get("id")
        if type(aid) is not int or aid in seen:
            aid = _check_id(obj, f"annotations[{i}]", seen, i, "annotations", err)
        else:
            seen[aid] = i
        image = None
        image_id = obj.get("image_id")
        if type(image_id) is not int:
            err(f"annotations[{i}].image_id: expected an integer, got {_typename(image_id)} {image_id!r}")
        else:
            image = images.get(image_id)
            if image is None:
                err(f"annotations[{i}].image_id: image {image_id} does not exist")
        category_id = obj.get("category_id")
        if type(category_id) is not int:
            err(
                f"annotations[{i}].category_id: expected an integer, got "
                f"{_typename(category_id)} {category_id!r}"
            )
        elif category_id not in categories:
            err(f"annotations[{i}].category_id: category {category_id} does not exist")
        seg = obj.get("segmentation")
        has_seg = "segmentation" in obj
        bbox = obj.get("bbox")
        if detailed:
            if has_seg:
                _check_segmentation(seg, f"annotations[{i}].segmentation", image, err)
            if bbox is not None:
                _check_bbox(bbox, f"annotations[{i}].bbox", err)
        else:
            if has_seg:
                if type(seg) is list:
                    for poly in seg:
                        if type(poly) is not list or len(poly) < 6 or len(poly) & 1:
                            return None
                    polygons.extend(seg)
                elif type(seg) is dict:
                    rles.append((f"annotations[{i}].segmentation", seg, image))
                else:
                    return None
            if bbox is not None:
                if type(bbox) is not list or len(bbox) != 4:
                    return None
                bboxes.append(bbox)
        if bbox is None and seg is None:
            err(f"annotations[{i}].bbox: missing (an annotation without segmentation needs a bbox)")
        area = obj.get("area")
        if area is not None and (type(area) not in _NUMBER_TYPES or not 0 <= area < math.inf):
            err(f"annotations[{i}].area: expected a non-negative finite number, got {area!r}")
        iscrowd = obj.get("iscrowd", 0)
        if iscrowd not in (0, 1) or type(iscrowd) is bool:
            err(f"annotations[{i}].iscrowd: expected 0 or 1, got {iscrowd!r}")
        score = obj.get("score")
        if score is not None and not _is_number(score):
            err(f"annotations[{i}].score: expected a finite number, got {score!r}")
        app = obj.get("pixelproof")
        review = None
        if app is None:
            app = {}
        elif type(app) is not dict:
            err(f"annotations[{i}].pixelproof: expected an object, got {_typename(app)}")
            app = {}
        else:
            review = app.get("review")
            if review is not None and review not in review_states:
                err(
                    f"annotations[{i}].pixelproof.review: expected one of {', '.join(review_states)}, "
                    f"got {review!r}"
                )
            for key in ("source", "note", "author", "updated"):
                v = app.get(key)
                if v is not None and type(v) is not str:
                    err(f"annotations[{i}].pixelproof.{key}: expected a string, got {_typename(v)}")
        if len(problems) != n_before or aid is None:
            continue
        if bbox is None or area is None:
            if not detailed:
                return None  # derived values need checked geometry first
            from pixelproof.core import masks

            if bbox is None:
                bbox = masks.segmentation_bbox(seg, image.height, image.width)
            if area is None:
                area = masks.segmentation_area(seg, bbox, image.height, image.width)
        extra = {k: v for k, v in obj.items() if k not in ann_keys} if obj.keys() - ann_keys else {}
        if score is None and "score" in obj:
            extra["score"] = None  # written back as null
        out[aid] = Annotation(
            aid,
            image_id,
            category_id,
            bbox,
            seg,
            area,
            iscrowd,
            score,
            app.get("source"),
            review,
            app.get("note"),
            app.get("author"),
            app.get("updated"),
            extra,
            {k: v for k, v in app.items() if k not in _ANN_APP_KEYS} if app else {},
        )
    if not detailed:
        if not (_numbers_ok(polygons) and _numbers_ok(bboxes)):
            return None
        if bboxes and min(min(b[2], b[3]) for b in bboxes) < 0:
            return None
        _check_rles(rles, err)
    return out


def _numbers_ok(lists: list[list]) -> bool:
    """True when every value of every list is an int or float and finite (two C-level passes)."""
    if not lists:
        return True
    if not set(map(type, itertools.chain.from_iterable(lists))) <= _NUMBER_TYPES:
        return False
    try:
        return math.isfinite(sum(itertools.chain.from_iterable(lists)))
    except OverflowError:  # an integer too large for a float: let the detailed pass say where
        return False


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
        if not _finite(v):
            err(f"{where}[{j}]: expected a finite number, got {v!r}")
            return
    if bbox[2] < 0 or bbox[3] < 0:
        err(f"{where}: width and height must be >= 0, got {bbox[2]!r} x {bbox[3]!r}")


def _check_segmentation(seg: Any, where: str, image: ImageRecord | None, err: Callable) -> None:
    if isinstance(seg, list):
        for j, poly in enumerate(seg):
            _check_polygon(poly, f"{where}[{j}]", err)
    elif isinstance(seg, dict):
        _check_rles([(where, seg, image)], err)
    else:
        err(f"{where}: expected a list of polygons or an RLE object, got {_typename(seg)}")


def _check_rles(rles: list[tuple[str, dict, ImageRecord | None]], err: Callable) -> None:
    """Size, counts type and - for every RLE - that the runs cover exactly height x width pixels.

    pycocotools trusts the counts: runs that sum past h*w make ``decode`` write past its buffer, so a
    broken RLE must be caught here, not when the user opens the image.
    """
    compressed: list[tuple[str, str, int]] = []
    for where, seg, image in rles:
        size = seg.get("size")
        counts = seg.get("counts")
        size_ok = type(size) is list and len(size) == 2 and all(_is_int(v) and v >= 0 for v in size)
        if not size_ok:
            err(f"{where}.size: expected [height, width] as 2 non-negative integers, got {size!r}")
        elif image is not None and size != [image.height, image.width]:
            err(
                f"{where}.size: RLE size {size} differs from image {image.id} size "
                f"[{image.height}, {image.width}] (height, width)"
            )
            size_ok = False
        if type(counts) is str:
            if size_ok:
                compressed.append((where, counts, size[0] * size[1]))
        elif type(counts) is list:
            if not all(_is_int(v) and v >= 0 for v in counts):
                err(f"{where}.counts: uncompressed RLE counts must be non-negative integers")
            elif size_ok and sum(counts) != size[0] * size[1]:
                err(
                    f"{where}.counts: uncompressed RLE counts sum to {sum(counts)}, "
                    f"expected height*width = {size[0] * size[1]}"
                )
        else:
            err(
                f"{where}.counts: expected a string (compressed RLE) or a list of integers, "
                f"got {_typename(counts)}"
            )
    if compressed:
        _check_compressed_counts(compressed, err)


def _check_compressed_counts(items: list[tuple[str, str, int]], err: Callable) -> None:
    """Decode pycocotools' compressed counts (all strings at once, numpy) and check each run total.

    Format (pycocotools ``rleToString``): each count is written in 5-bit groups, low first, as
    ``chr(48 + group)`` with 0x20 = "more groups follow" and 0x10 in the last group = negative; counts
    from index 3 on are stored as the difference to the count two places before.
    """
    import numpy as np

    try:
        buf = "".join(c for _, c, _ in items).encode("ascii")
    except UnicodeEncodeError:
        buf = b""
    lengths = np.fromiter((len(c) for _, c, _ in items), dtype=np.int64, count=len(items))
    if len(buf) != int(lengths.sum()):  # some string is not ASCII: find which, one by one
        for where, counts, total in items:
            if counts.isascii():
                _check_compressed_counts([(where, counts, total)], err)
            else:
                err(f"{where}.counts: not a pycocotools compressed RLE (non-ASCII characters)")
        return
    if not buf:
        buf = b"0"  # one dummy zero run so the arrays below are never empty; owned by nobody
        lengths = np.append(lengths, 1)
    n = len(lengths)
    c = np.frombuffer(buf, dtype=np.uint8) - np.uint8(48)  # wraps below "0": one range test
    owner = np.repeat(np.arange(n, dtype=np.int32), lengths)
    out_of_range = c > 63
    n_bad = np.zeros(n, dtype=np.int64)
    if out_of_range.any():
        n_bad += np.bincount(owner[out_of_range], minlength=n)
        c = c & np.uint8(0x3F)
    end = (c & 0x20) == 0  # last group of a value
    ends_at = np.cumsum(lengths)[lengths > 0] - 1
    n_bad[owner[ends_at[~end[ends_at]]]] += 1  # a string must not stop inside a value
    end[ends_at] = True  # values never run on into the next string
    value_end = np.flatnonzero(end)
    value_start = np.empty_like(value_end)
    value_start[0] = 0
    value_start[1:] = value_end[:-1] + 1
    n_groups = value_end - value_start + 1
    v_owner = owner[value_end]
    n_bad += np.bincount(v_owner[n_groups > 7], minlength=n)  # > 35 bits: more pixels than any image
    shift = (np.arange(len(c)) - np.repeat(value_start, n_groups)).clip(max=7) * 5
    x = np.add.reduceat((c & 0x1F).astype(np.int64) << shift, value_start)
    negative = (c[value_end] & 0x10) != 0
    x[negative] -= np.int64(1) << (5 * n_groups[negative].clip(max=7))
    # undo the delta coding: within each string, chains {0}, {1, 3, 5, ...}, {2, 4, 6, ...}
    first = np.flatnonzero(np.diff(v_owner, prepend=-1))
    m = np.arange(len(x)) - np.repeat(first, np.diff(first, append=len(x)))
    counts = x.copy()
    for sel in (m % 2 == 1, (m % 2 == 0) & (m > 0)):
        xs, own = x[sel], v_owner[sel]
        csum = np.cumsum(xs)
        starts = np.flatnonzero(np.diff(own, prepend=-1))
        offset = np.repeat(csum[starts] - xs[starts], np.diff(starts, append=len(xs)))
        counts[sel] = csum - offset
    n_bad += np.bincount(v_owner[counts < 0], minlength=n)
    totals = np.bincount(v_owner, weights=counts, minlength=n)
    bad = n_bad > 0
    for k, (where, _, expected) in enumerate(items):
        if bad[k]:
            err(f"{where}.counts: not a valid pycocotools compressed RLE string")
        elif totals[k] != expected:
            err(f"{where}.counts: runs cover {int(totals[k])} pixels, expected height*width = {expected}")


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
    bad = next((v for v in poly if not _finite(v)), None)
    if bad is not None:
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
    d.update(c.extra)  # first, so a null supercategory kept there yields to a real one
    if c.supercategory is not None:
        d["supercategory"] = c.supercategory
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
    d.update(a.extra)  # first, so a null score kept there yields to a real one
    if a.score is not None:
        d["score"] = a.score
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


def save_project(
    project: Project, path: str | os.PathLike[str] | None = None, *, overwrite: bool = False
) -> Path:
    """Write atomically to ``path`` (default: where it was loaded from); keep ``<name>.bak``.

    Saving over the file the project was loaded from (or last saved to) refuses, with
    ``ProjectConflictError``, when that file changed on disk meanwhile - unless ``overwrite``. A symlink
    is saved through (the link stays), the file keeps its permissions, and temporaries that killed saves
    left beside it are removed. When saving to another folder, relative image paths are rewritten so
    they still point at the same files. Raises ``ProjectSaveError``; on failure the previous file and
    its backup are untouched.
    """
    target = Path(path) if path is not None else project.path
    if target is None:
        raise ProjectSaveError("the project has never been saved: choose a file name")
    target = Path(os.path.abspath(target))
    state = project.file_state
    unchanged = state if state is not None and not overwrite and same_file(state.path, target) else None
    old_folder = Path(os.path.abspath(project.path)).parent if project.path is not None else None
    renamed = _rebase_file_names(project, old_folder, target.parent)
    clean_stale_temporaries(target)
    if unchanged is not None and _size_changed(unchanged):  # before the change log line is written
        for image, old in renamed:
            image.file_name = old
        raise ProjectConflictError(target)
    entry = history.prepare(project, target)  # the change log line, appended before the file is replaced
    try:
        with gc_paused():
            data = dumps_project(project)
        if entry is not None:
            _append_history(entry)
        written = atomic_write(target, data, backup=True, unchanged=unchanged)
    except ProjectSaveError:
        for image, old in renamed:
            image.file_name = old
        if entry is not None:
            history.abort(project, entry)
        raise
    project.path = target
    with contextlib.suppress(OSError):
        st = os.stat(written)
        project.file_state = FileState(target, st.st_mtime_ns, st.st_size, hashlib.sha256(data).digest())
    history.committed(project)
    return target


def _size_changed(state: FileState) -> bool:
    """A cheap early look for the two-writer conflict (the full check, hash included, is atomic_write's)."""
    try:
        return os.stat(state.path).st_size != state.size
    except OSError:
        return True


def _append_history(entry: history.Pending) -> None:
    try:
        history.append(entry)
    except OSError as e:
        raise ProjectSaveError(
            f"could not write the change log {entry.path}: {e.strerror or e}; the project is unchanged"
        ) from e


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


def atomic_write(
    target: str | os.PathLike[str], data: bytes, backup: bool = False, unchanged: FileState | None = None
) -> Path:
    """Write ``data`` to ``target`` so a reader sees the old file or the new one, never a torn one
    (``pixelproof.core.atomic``: symlinks written through, file mode kept; with ``unchanged``, refused
    with ``ProjectConflictError`` when the file changed since that state). Returns the file written;
    ``ProjectSaveError`` names the file and says the old one is unchanged."""
    real = write_target(target)
    try:
        with atomic_output(real, backup=backup, unchanged=unchanged) as f:
            f.write(data)
    except FileConflictError:
        raise ProjectConflictError(Path(target)) from None
    except OSError as e:
        reason = e.strerror or str(e)
        raise ProjectSaveError(f"could not save {target}: {reason}; the previous file is unchanged") from e
    return real


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
