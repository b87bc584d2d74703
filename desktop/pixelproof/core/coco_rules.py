"""What an annotation of the project file must be (DESIGN.md §3) - each rule written once.

Every rule is one class holding its rule two ways:

- ``column_ok(column, ctx)``: the whole column at once with C-level passes (``set(map(type, ...))``,
  ``min``/``max``, numpy); True means every value passes. A valid file is checked this way only, which
  keeps loading as fast as pycocotools' own parsing (``bench/load_save.py``).
- ``check(column, ctx, report)``: value by value, reporting each problem with its JSON location.

``read_annotations`` runs ``check`` only for the columns whose ``column_ok`` failed, so a broken file is
told where, and a valid one pays the bulk cost alone. Both executions share each rule's constants and
helpers (the limits come from ``core.limits``), so they cannot drift apart.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pixelproof.core import limits
from pixelproof.core.coco_values import MISSING, NUMBER_TYPES, Missing, check_id, finite, origin_ok, typename
from pixelproof.core.coordinate_limits import check_coordinates, check_polygon_work
from pixelproof.core.limits import ID_MAX, ID_MIN, RLE_ORIGIN, short_repr
from pixelproof.core.model import REVIEW_STATES, Annotation, Category, ImageRecord
from pixelproof.core.rle_check import check_rles

APP_KEYS = ("source", "review", "note", "author", "updated")
ANN_KEYS = frozenset(
    {"id", "image_id", "category_id", "bbox", "segmentation", "area", "iscrowd", "score", "pixelproof"}
)
Report = Callable[[int, str], None]  # (row, message)


@dataclass
class Ctx:
    """What rules look at besides their own column: the other columns and each row's image."""

    images: dict[int, ImageRecord]
    categories: dict[int, Category]
    columns: dict[str, list]
    row_images: list[ImageRecord | None] = field(default_factory=list)
    index: list[int] = field(default_factory=list)  # each row's position in ``annotations``
    _sides: tuple[np.ndarray, np.ndarray] | None = None
    _types: dict[str, set] = field(default_factory=dict)
    app_columns: dict[str, list] = field(default_factory=dict)  # pixelproof.<key> per row (AppRule)
    # "images"/"categories" -> id -> location of a record present in the file but invalid
    rejected: Mapping[str, Mapping[int, str]] = field(default_factory=dict)

    def types(self, key: str) -> set:
        """The value types in a column (one C-level pass, shared by the rules and the build)."""
        found = self._types.get(key)
        if found is None:
            found = self._types[key] = set(map(type, self.columns[key]))
        return found

    def at(self, row: int) -> str:
        """The JSON location of a row: ``annotations[i]`` counts every entry, objects or not."""
        return f"annotations[{self.index[row]}]"

    def sides(self) -> tuple[np.ndarray, np.ndarray]:
        """(widths, heights) of each row's image as float arrays (0 where the image is unknown)."""
        if self._sides is None:
            w = np.array([im.width if im is not None else 0 for im in self.row_images], dtype=np.float64)
            h = np.array([im.height if im is not None else 0 for im in self.row_images], dtype=np.float64)
            self._sides = (w, h)
        return self._sides


def _in_range(x: np.ndarray, y: np.ndarray, w: np.ndarray, h: np.ndarray) -> bool:
    """Coordinates within ``coordinate_limits.coordinate_range`` of their image sides (NaN fails)."""
    mx = limits.COORD_MARGIN * np.maximum(w, limits.MIN_MARGIN_SIDE)
    my = limits.COORD_MARGIN * np.maximum(h, limits.MIN_MARGIN_SIDE)
    return bool(np.all(x >= -mx) and np.all(x <= w + mx) and np.all(y >= -my) and np.all(y <= h + my))


# ------------------------------------------------------------------------------------------------
# rules


class IdRule:
    key = "id"

    def column_ok(self, col: list, ctx: Ctx) -> bool:
        return (
            set(map(type, col)) == {int}
            and min(col) >= ID_MIN
            and max(col) <= ID_MAX
            and len(set(col)) == len(col)
        )

    def check(self, col: list, ctx: Ctx, report: Report) -> None:
        seen: dict[int, int] = {}
        for i, v in enumerate(col):
            check_id(v, ctx.at(i), seen, ctx.index[i], "annotations", lambda m, i=i: report(i, m))


class RefRule:
    """``image_id`` / ``category_id``: an integer naming an existing image / category."""

    def __init__(self, key: str, table: str, noun: str) -> None:
        self.key, self.table, self.noun = key, table, noun

    def column_ok(self, col: list, ctx: Ctx) -> bool:
        return ctx.types(self.key) == {int} and set(col) <= getattr(ctx, self.table).keys()

    def check(self, col: list, ctx: Ctx, report: Report) -> None:
        table = getattr(ctx, self.table)
        for i, v in enumerate(col):
            where = f"{ctx.at(i)}.{self.key}"
            if type(v) is not int:
                shown = "null None" if v is MISSING else f"{typename(v)} {short_repr(v)}"
                report(i, f"{where}: expected an integer, got {shown}")
            elif v in ctx.rejected.get(self.table, {}):  # in the file, but not loaded: say why
                record = ctx.rejected[self.table][v]
                report(i, f"{where}: {self.noun} {v} is not loaded: its record {record} is invalid")
            elif v not in table:
                report(i, f"{where}: {self.noun} {v} does not exist")


class SegmentationRule:
    """Polygons (>= 3 finite points within 4 image sides, an outline pycocotools can walk) or an RLE
    whose runs cover its size (the image's, or a crop of it at ``pixelproof.rle_origin``)."""

    key = "segmentation"

    def column_ok(self, col: list, ctx: Ctx) -> bool:
        types = ctx.types(self.key)
        if not types <= {list, dict, Missing}:
            return False
        if list in types and not self._polygons_ok(col, ctx):
            return False
        if dict in types:
            problems: list[str] = []
            check_rles(self._rles(col, ctx), problems.append)
            return not problems
        return True

    @staticmethod
    def _polygons_ok(col: list, ctx: Ctx) -> bool:
        rows = [i for i, v in enumerate(col) if type(v) is list]
        per_row = [col[i] for i in rows]
        polygons = list(itertools.chain.from_iterable(per_row))
        if not polygons:
            return True
        if set(map(type, polygons)) != {list}:
            return False
        lengths = np.fromiter(map(len, polygons), dtype=np.int64, count=len(polygons))
        if lengths.min() < 6 or (lengths & 1).any():
            return False
        flat = _numbers(polygons, lengths)
        if flat is None:
            return False
        x, y = flat[0::2], flat[1::2]  # polygons have even lengths: x and y alternate throughout
        if not (
            np.isfinite(x.min()) and np.isfinite(x.max()) and np.isfinite(y.min()) and np.isfinite(y.max())
        ):
            return False  # NaN makes min/max NaN
        w, h = ctx.sides()
        rows_w, rows_h = w[rows], h[rows]
        if not _in_range(
            np.array([x.min(), x.max()]), np.array([y.min(), y.max()]), rows_w.min(), rows_h.min()
        ):
            # not within the smallest image's range: each point against its own image
            owner = np.repeat(np.repeat(np.asarray(rows), [len(v) for v in per_row]), lengths // 2)
            if not _in_range(x, y, w[owner], h[owner]):
                return False
        span = max(x.max() - x.min(), y.max() - y.min())
        if (lengths.max() // 2) * span <= limits.MAX_OUTLINE:
            return True  # no outline can be longer than its points times the widest span
        return _outlines(x, y, lengths // 2).max() <= limits.MAX_OUTLINE

    @staticmethod
    def _rles(col: list, ctx: Ctx) -> list[tuple[int, str, dict, ImageRecord | None, Any]]:
        apps = ctx.columns["pixelproof"]
        return [
            (i, f"{ctx.at(i)}.segmentation", v, ctx.row_images[i], _origin(apps[i]))
            for i, v in enumerate(col)
            if type(v) is dict
        ]

    def check(self, col: list, ctx: Ctx, report: Report) -> None:
        for i, seg in enumerate(col):
            where = f"{ctx.at(i)}.segmentation"
            if seg is MISSING or type(seg) is dict:
                continue
            if type(seg) is not list:
                report(i, f"{where}: expected a list of polygons or an RLE object, got {typename(seg)}")
                continue
            image = ctx.row_images[i]
            for j, poly in enumerate(seg):
                ok = _check_polygon(poly, f"{where}[{j}]", lambda m, i=i: report(i, m))
                if ok and image is not None:
                    at, size = f"{where}[{j}]", (image.width, image.height)
                    _limit(report, i, check_coordinates, poly, *size, at)
                    _limit(report, i, check_polygon_work, [poly], at)
        rles = self._rles(col, ctx)
        for row, where, seg, image, origin in rles:
            check_rles([(row, where, seg, image, origin)], lambda m, row=row: report(row, m))


def _numbers(lists: list[list], lengths: np.ndarray) -> np.ndarray | None:
    """Every value of ``lists`` (of ``lengths``) in one float array; None when any is not an int or a
    float (bools included) or is too large for a float.

    Two C-level passes instead of a type test per value: Python's ``sum`` raises for strings, null, lists
    and objects (and for ints past float range), which are all the other types a JSON parser makes but
    bools; True and False convert to 1.0 and 0.0, so only values equal to those are looked at again.
    """
    try:
        sum(map(sum, lists), 0.0)
        flat = np.fromiter(itertools.chain.from_iterable(lists), dtype=np.float64, count=int(lengths.sum()))
    except (TypeError, OverflowError):
        return None
    maybe_bool = np.flatnonzero((flat == 0) | (flat == 1))
    if len(maybe_bool):
        starts = np.cumsum(lengths) - lengths
        owner = np.searchsorted(starts, maybe_bool, side="right") - 1
        offsets = maybe_bool - starts[owner]
        if any(type(lists[row][k]) is bool for row, k in zip(owner.tolist(), offsets.tolist(), strict=True)):
            return None
    return flat


def _limit(report: Report, row: int, check: Callable[..., Any], *args: Any) -> None:
    """Run a ``core.limits`` check; its refusal becomes the row's problem."""
    try:
        check(*args)
    except limits.LimitError as e:
        report(row, str(e))


def _outlines(x: np.ndarray, y: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Per polygon, the length pycocotools walks: sum over edges (closing one included) of max(|dx|, |dy|)."""
    starts = np.concatenate([[0], np.cumsum(points)[:-1]])
    nxt = np.arange(1, len(x) + 1)
    nxt[np.cumsum(points) - 1] = starts  # each polygon's last point joins its first
    steps = np.maximum(np.abs(x[nxt] - x), np.abs(y[nxt] - y))
    return np.add.reduceat(steps, starts)


def _origin(app: Any) -> Any:
    return app.get(RLE_ORIGIN, MISSING) if type(app) is dict else MISSING


class BboxRule:
    """4 finite numbers, width and height >= 0, corners within 4 image sides; may be left out only when a
    segmentation gives it."""

    key = "bbox"

    def column_ok(self, col: list, ctx: Ctx) -> bool:
        types = ctx.types(self.key)
        if not types <= {list, Missing, type(None)}:
            return False
        if types != {list}:
            segs = ctx.columns["segmentation"]
            if any(type(segs[i]) not in (list, dict) for i, b in enumerate(col) if type(b) is not list):
                return False
        boxes = [b for b in col if type(b) is list]
        if not boxes:
            return True
        if set(map(len, boxes)) != {4}:
            return False
        flat = _numbers(boxes, np.full(len(boxes), 4))
        if flat is None:
            return False
        bb = flat.reshape(-1, 4)
        if not np.isfinite(bb).all() or (bb[:, 2:] < 0).any():
            return False
        w, h = ctx.sides()
        rows = [i for i, b in enumerate(col) if type(b) is list] if len(boxes) < len(col) else slice(None)
        w, h = w[rows], h[rows]
        return _in_range(bb[:, 0], bb[:, 1], w, h) and _in_range(
            bb[:, 0] + bb[:, 2], bb[:, 1] + bb[:, 3], w, h
        )

    def check(self, col: list, ctx: Ctx, report: Report) -> None:
        segs = ctx.columns["segmentation"]
        for i, bbox in enumerate(col):
            where = f"{ctx.at(i)}.bbox"
            if bbox is MISSING or bbox is None:
                if segs[i] is MISSING or segs[i] is None:
                    report(i, f"{where}: missing (an annotation without segmentation needs a bbox)")
                continue
            if _check_bbox(bbox, where, lambda m, i=i: report(i, m)) and ctx.row_images[i] is not None:
                im = ctx.row_images[i]
                x, y, bw, bh = bbox
                _limit(report, i, check_coordinates, [x, y, x + bw, y + bh], im.width, im.height, where)


class NumberRule:
    """``area`` (>= 0) and ``score``: a finite number, or left out / null."""

    def __init__(self, key: str, message: str, nonnegative: bool) -> None:
        self.key, self.message, self.nonnegative = key, message, nonnegative

    def ok(self, v: Any) -> bool:
        return (
            v is MISSING
            or v is None
            or (type(v) in NUMBER_TYPES and finite(v) and (not self.nonnegative or v >= 0))
        )

    def column_ok(self, col: list, ctx: Ctx) -> bool:
        types = ctx.types(self.key)
        if not types <= {int, float, Missing, type(None)}:
            return False
        values = col if types <= NUMBER_TYPES else [v for v in col if type(v) in NUMBER_TYPES]
        if not values:
            return True
        try:
            return finite(sum(values)) and (not self.nonnegative or min(values) >= 0)
        except OverflowError:
            return False

    def check(self, col: list, ctx: Ctx, report: Report) -> None:
        for i, v in enumerate(col):
            if not self.ok(v):
                report(i, f"{ctx.at(i)}.{self.key}: expected {self.message}, got {short_repr(v)}")


class IscrowdRule:
    key = "iscrowd"

    def column_ok(self, col: list, ctx: Ctx) -> bool:
        return ctx.types(self.key) <= {int, Missing} and set(col) <= {0, 1, MISSING}

    def check(self, col: list, ctx: Ctx, report: Report) -> None:
        for i, v in enumerate(col):
            if v is not MISSING and (type(v) is not int or v not in (0, 1)):
                report(i, f"{ctx.at(i)}.iscrowd: expected 0 or 1, got {short_repr(v)}")


class AppRule:
    """``pixelproof``: an object; ``review`` one of the states; the text fields text; other keys kept
    (nested at most ``limits.MAX_JSON_DEPTH``); ``rle_origin`` two non-negative integers."""

    key = "pixelproof"

    def column_ok(self, col: list, ctx: Ctx) -> bool:
        if not ctx.types(self.key) <= {dict, Missing, type(None)}:
            return False
        apps = [v for v in col if type(v) is dict]
        if not apps:
            return True
        keys = set().union(*map(dict.keys, apps))
        whole = len(apps) == len(col)
        for key in keys.intersection(APP_KEYS):
            values = (
                list(map(dict.get, col, itertools.repeat(key)))
                if whole
                else [v.get(key) if type(v) is dict else None for v in col]
            )
            if not set(map(type, values)) <= {str, type(None)}:
                return False
            if key == "review" and not set(values) <= {*REVIEW_STATES, None}:
                return False
            ctx.app_columns[key] = values  # the build takes them from here
        ctx.app_columns["*"] = keys  # type: ignore[assignment]
        if keys - set(APP_KEYS):  # extras: rare, checked one by one
            problems: list[str] = []
            self.check(col, ctx, lambda _row, m: problems.append(m))
            return not problems
        return True

    def check(self, col: list, ctx: Ctx, report: Report) -> None:
        for i, app in enumerate(col):
            where = f"{ctx.at(i)}.pixelproof"
            if app is MISSING or app is None:
                continue
            if type(app) is not dict:
                report(i, f"{where}: expected an object, got {typename(app)}")
                continue
            review = app.get("review")
            if review is not None and review not in REVIEW_STATES:
                report(
                    i, f"{where}.review: expected one of {', '.join(REVIEW_STATES)}, got {short_repr(review)}"
                )
            for key in ("source", "note", "author", "updated"):
                v = app.get(key)
                if v is not None and type(v) is not str:
                    report(i, f"{where}.{key}: expected a string, got {typename(v)}")
            origin = app.get(RLE_ORIGIN, MISSING)
            if origin is not MISSING and not origin_ok(origin):
                report(
                    i,
                    f"{where}.{RLE_ORIGIN}: expected [x, y] as 2 non-negative integers, "
                    f"got {short_repr(origin)}",
                )
            for key, v in app.items():
                if key not in APP_KEYS:
                    _limit(report, i, limits.check_json_depth, v, f"{where}.{key}")


class ExtraRule:
    """Keys PixelProof does not know: kept as they are, nested at most ``limits.MAX_JSON_DEPTH``."""

    key = "*"

    def column_ok(self, col: list, ctx: Ctx) -> bool:
        return True  # the driver runs ``check`` when any annotation has such keys

    def check(self, rows: list, ctx: Ctx, report: Report) -> None:
        for i, obj in enumerate(rows):
            for key in obj.keys() - ANN_KEYS:
                _limit(report, i, limits.check_json_depth, obj[key], f"{ctx.at(i)}.{key}")


RULES = (
    IdRule(),
    RefRule("image_id", "images", "image"),
    RefRule("category_id", "categories", "category"),
    SegmentationRule(),
    BboxRule(),
    NumberRule("area", "a non-negative finite number", nonnegative=True),
    IscrowdRule(),
    NumberRule("score", "a finite number", nonnegative=False),
    AppRule(),
)


# ------------------------------------------------------------------------------------------------
# the driver


def read_annotations(
    items: list,
    images: dict[int, ImageRecord],
    categories: dict[int, Category],
    problems: list[str],
    rejected: Mapping[str, Mapping[int, str]] | None = None,
) -> dict[int, Annotation]:
    """Check every annotation against ``RULES`` (in bulk, then one by one where bulk fails) and build
    the ones without problems; problems are appended in file order with their JSON location.
    ``rejected``: the ids of image and category records that are in the file but invalid, by table, with
    their location: an annotation naming one is reported with that reason, not as naming a missing one."""
    located: list[tuple[int, int, int, str]] = []  # (position, rule, n, message): sorted into file order
    rows = []
    index = []  # position of each object row in ``items``
    for i, obj in enumerate(items):
        if type(obj) is dict:
            rows.append(obj)
            index.append(i)
        else:
            located.append((i, -1, 0, f"annotations[{i}]: expected an object, got {typename(obj)}"))
    get = dict.get
    every = itertools.repeat
    columns = {rule.key: list(map(get, rows, every(rule.key), every(MISSING))) for rule in RULES}  # C-level
    image_ids = columns["image_id"]
    ctx = Ctx(images, categories, columns, index=index, rejected=rejected or {})
    if ctx.types("image_id") == {int}:
        ctx.row_images = list(map(images.get, image_ids))
    else:  # a list or an object is not a key
        ctx.row_images = [images.get(v) if type(v) is int else None for v in image_ids]
    unknown = bool(rows) and not set().union(*map(dict.keys, rows)) <= ANN_KEYS
    bad_rows: set[int] = set()
    for r, rule in enumerate([*RULES, ExtraRule()] if unknown else RULES):
        col = rows if rule.key == "*" else columns[rule.key]
        if rule.key != "*" and (not col or rule.column_ok(col, ctx)):
            continue
        count = itertools.count()

        def report(row: int, message: str, r: int = r, count: itertools.count = count) -> None:
            located.append((index[row], r, next(count), message))
            bad_rows.add(row)

        rule.check(col, ctx, report)
    problems.extend(m for *_, m in sorted(located))
    if bad_rows:  # build the others (a predictions file keeps its good entries)
        keep = [i for i in range(len(rows)) if i not in bad_rows]
        rows = [rows[i] for i in keep]
        ctx = Ctx(images, categories, {k: [c[i] for i in keep] for k, c in columns.items()},
                  [ctx.row_images[i] for i in keep], [index[i] for i in keep])  # fmt: skip
        columns = ctx.columns
    return _build(rows, columns, ctx, unknown)


def _build(rows: list[dict], columns: dict[str, list], ctx: Ctx, unknown: bool) -> dict[int, Annotation]:
    """Annotations of checked rows; missing bbox/area are derived from the (checked) segmentation."""
    ids = columns["id"]
    segs, bboxes, areas = columns["segmentation"], columns["bbox"], columns["area"]
    if Missing in ctx.types("segmentation"):
        segs = [None if v is MISSING else v for v in segs]
    if ctx.types("bbox") != {list} or not ctx.types("area") <= NUMBER_TYPES:
        bboxes, areas = _derived(segs, bboxes, areas, ctx)
    iscrowd, scores = columns["iscrowd"], columns["score"]
    if Missing in ctx.types("iscrowd"):
        iscrowd = [0 if v is MISSING else v for v in iscrowd]
    if Missing in ctx.types("score"):
        scores = [None if v is MISSING else v for v in scores]
    apps = columns["pixelproof"]
    app_types = ctx.types("pixelproof")
    if app_types <= {Missing, type(None)}:
        app_cols: list[Any] = [itertools.repeat(None)] * len(APP_KEYS)
        app_keys: set = set()
    else:
        if "*" not in ctx.app_columns:  # AppRule's bulk check did not run on these rows
            AppRule().column_ok(apps, ctx)
        app_keys = ctx.app_columns.get("*", set())  # type: ignore[assignment]
        app_cols = [ctx.app_columns.get(key) or itertools.repeat(None) for key in APP_KEYS]
    app_extra: Any = map(dict, itertools.repeat(()))
    if app_keys - set(APP_KEYS):
        app_extra = [
            {k: x for k, x in v.items() if k not in APP_KEYS} if type(v) is dict else {} for v in apps
        ]
    extra: Any = map(dict, itertools.repeat(()))
    if unknown or type(None) in ctx.types("score"):
        extra = [
            {k: v for k, v in a.items() if k not in ANN_KEYS}
            | ({"score": None} if a.get("score", 0) is None else {})
            for a in rows
        ]
    anns = map(
        Annotation,
        ids,
        columns["image_id"],
        columns["category_id"],
        bboxes,
        segs,
        areas,
        iscrowd,
        scores,
        *app_cols,
        extra,
        app_extra,
    )
    return dict(zip(ids, anns, strict=True))


def _derived(segs: list, bboxes: list, areas: list, ctx: Ctx) -> tuple[list, list]:
    from pixelproof.core import masks

    out_b, out_a = list(bboxes), list(areas)
    apps = ctx.columns["pixelproof"]
    for i, seg in enumerate(segs):
        image = ctx.row_images[i]
        if out_b[i] is MISSING or out_b[i] is None:
            out_b[i] = masks.segmentation_bbox(seg, image.height, image.width, _origin(apps[i]))
        if out_a[i] is MISSING or out_a[i] is None:
            out_a[i] = masks.segmentation_area(seg, out_b[i], image.height, image.width)
    return out_b, out_a


# ------------------------------------------------------------------------------------------------
# value checks shared by both executions


def _check_bbox(bbox: Any, where: str, err: Callable[[str], None]) -> bool:
    if not isinstance(bbox, list):
        err(f"{where}: expected a list of 4 numbers, got {typename(bbox)}")
        return False
    if len(bbox) != 4:
        err(f"{where}: expected 4 numbers, got {len(bbox)}")
        return False
    for j, v in enumerate(bbox):
        if type(v) not in NUMBER_TYPES:
            err(f"{where}[{j}]: expected a number, got {typename(v)} {short_repr(v)}")
            return False
        if not finite(v):
            err(f"{where}[{j}]: expected a finite number, got {short_repr(v)}")
            return False
    if bbox[2] < 0 or bbox[3] < 0:
        err(f"{where}: width and height must be >= 0, got {bbox[2]!r} x {bbox[3]!r}")
        return False
    return True


def _check_polygon(poly: Any, where: str, err: Callable[[str], None]) -> bool:
    if not isinstance(poly, list):
        err(f"{where}: expected a polygon (list of numbers), got {typename(poly)}")
        return False
    if not set(map(type, poly)) <= NUMBER_TYPES:
        bad = next(v for v in poly if type(v) not in NUMBER_TYPES)
        err(f"{where}: expected numbers, got {typename(bad)} {short_repr(bad)}")
        return False
    if len(poly) % 2:
        err(f"{where}: expected an even count of numbers (x, y pairs), got {len(poly)}")
        return False
    if len(poly) < 6:
        err(f"{where}: a polygon needs at least 3 points, got {len(poly) // 2}")
        return False
    bad = next((v for v in poly if not finite(v)), None)
    if bad is not None:
        err(f"{where}: expected finite coordinates, got {short_repr(bad)}")
        return False
    return True
