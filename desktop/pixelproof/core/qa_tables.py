"""QA's tables without keeping their rows: aggregates one row at a time and rows spooled to disk.

``aggregate(rows)`` (the §6 conventions: NaN left out of means, +inf distances replaced by the image
diagonal, counts summed; distances averaged per unit, never mm with px: ``UNIT_FIELDS``) is
``RunningAggregate`` fed every row, so a job that streams its rows gets the same figures bit for bit:
means are exact sums (``math.fsum``, whatever the order of addition) over the count. ``StreamedRows`` is
what ``run_qa(stream=...)`` keeps instead of the rows (the CLI, for datasets of any size): aggregates per
class and overall, the worst images, and the rows themselves in unnamed
temporary files beside the reports (``Spool``), read back once when the reports are written.
"""

from __future__ import annotations

import heapq
import json
import math
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pixelproof.core.metrics import InstanceCounts

if TYPE_CHECKING:
    from pixelproof.core.qa import ImageClassRow, ImageScore, QAResult

DISTANCE_FIELDS = ("hd", "hd95", "hd95_pooled", "hd95_mean", "assd", "masd")
FIGURE_FIELDS = ("iou", "dice", *DISTANCE_FIELDS, "nsd", "boundary_iou", "cldice")
#: figures of the image x class rows only, not of the object rows (clDice: thinning every object costs)
CLASS_ONLY_FIELDS = ("cldice",)
COUNT_FIELDS = ("tp", "fp", "fn", "wrong_class", "ignored_in_crowd", "crowd_regions", "cand_crowd_regions")
INSTANCE_FIELDS = ("precision", "recall", "f1", "pq", "sq", "rq", "mean_matched_iou", "mean_matched_dice")
#: figures in the image's unit (mm with a pixel spacing, else px; NSD through its tolerance): a mean over
#: rows of two units would be a number in neither, so these are averaged per unit (``by_unit``)
UNIT_FIELDS = (*DISTANCE_FIELDS, "nsd")
#: the units a distance is in: mm (with a spacing), else px (an image) or voxel (a volume scored in 3D)
DISTANCE_UNITS = ("mm", "px", "voxel")
WORST_KEPT = 20  # worst images a streamed run remembers (the HTML report shows 20)


class ExactSum:
    """A float sum without rounding error until the end (Shewchuk's partials, as ``math.fsum``), so
    it does not depend on the order or grouping of the additions."""

    __slots__ = ("partials",)

    def __init__(self) -> None:
        self.partials: list[float] = []

    def add(self, x: float) -> None:
        partials, i = self.partials, 0
        for y in partials:
            if abs(x) < abs(y):
                x, y = y, x
            hi = x + y
            lo = y - (hi - x)
            if lo:
                partials[i] = lo
                i += 1
            x = hi
        partials[i:] = [x]

    @property
    def value(self) -> float:
        return math.fsum(self.partials)


class _Means:
    """Exact sums and counts of some figures (+inf distances as the image diagonal, counted)."""

    __slots__ = ("counts", "inf_replaced", "n_rows", "sums")

    def __init__(self, fields: tuple[str, ...]) -> None:
        self.n_rows = 0
        self.sums = {name: ExactSum() for name in fields}
        self.counts = dict.fromkeys(fields, 0)
        self.inf_replaced = dict.fromkeys((f for f in fields if f in DISTANCE_FIELDS), 0)

    def add(self, name: str, v: float, diagonal: float) -> None:
        if name in DISTANCE_FIELDS and math.isinf(v):
            v = diagonal
            self.inf_replaced[name] += 1
        if math.isfinite(v):
            self.sums[name].add(v)
            self.counts[name] += 1

    def put(self, out: dict[str, Any], name: str) -> None:
        """``<name>_inf_replaced`` (distances) and the mean of ``name`` (NaN without values) into ``out``."""
        if name in self.inf_replaced:
            out[f"{name}_inf_replaced"] = self.inf_replaced[name]
        n = self.counts[name]
        out[name] = self.sums[name].value / n if n else math.nan


class RunningAggregate:
    """``aggregate`` one row at a time, in constant memory."""

    def __init__(self) -> None:
        self.n_rows = self.n_both_empty = self.n_one_empty = 0
        self.plain = _Means(tuple(f for f in FIGURE_FIELDS if f not in UNIT_FIELDS))
        self.by_unit: dict[str, _Means] = {}  # a DISTANCE_UNITS -> the UNIT_FIELDS of the rows in that unit
        self.tp_px = self.fp_px = self.fn_px = 0
        self.instances = InstanceCounts()

    def add(self, row: ImageClassRow) -> None:
        c = row.comparison
        self.n_rows += 1
        self.n_both_empty += int(c.both_empty)
        self.n_one_empty += int(c.one_empty)
        unit = self.by_unit.get(c.unit)
        if unit is None:
            unit = self.by_unit[c.unit] = _Means(UNIT_FIELDS)
        unit.n_rows += 1
        diagonal = float(c.diagonal)
        for name in FIGURE_FIELDS:
            (unit if name in UNIT_FIELDS else self.plain).add(name, float(row.value(name)), diagonal)
        self.tp_px += c.tp
        self.fp_px += c.fp
        self.fn_px += c.fn
        self.instances.add(row.instances)

    def units(self) -> list[str]:
        """The units of the rows that gave a distance (of all rows when none did), sorted."""
        given = [u for u, m in self.by_unit.items() if any(m.counts.values())]
        return sorted(given or self.by_unit)

    def result(self, instance_scored: bool = True, missed: InstanceCounts | None = None) -> dict[str, Any]:
        """The figures; ``missed``: object counts of reference images the candidate lacks
        (``qa_unmatched``), added to the rows' (they have no pixel figures)."""
        units = self.units()
        out: dict[str, Any] = {
            "n_rows": self.n_rows,
            "n_both_empty": self.n_both_empty,
            "n_one_empty": self.n_one_empty,
            # one of DISTANCE_UNITS, "mixed" (the distances per unit in by_unit only), None without rows
            "unit": units[0] if len(units) == 1 else ("mixed" if units else None),
        }
        for name in FIGURE_FIELDS:
            if name not in UNIT_FIELDS:
                self.plain.put(out, name)
            elif len(units) == 1:
                self.by_unit[units[0]].put(out, name)
            else:  # no rows, or rows in two units: no mean of both; the inf count is still the total
                if name in DISTANCE_FIELDS:
                    out[f"{name}_inf_replaced"] = sum(m.inf_replaced[name] for m in self.by_unit.values())
                out[name] = math.nan
        if len(units) > 1:
            out["by_unit"] = {}
            for u in units:
                group = out["by_unit"][u] = {"n_rows": self.by_unit[u].n_rows}
                for name in UNIT_FIELDS:
                    self.by_unit[u].put(group, name)
        out.update(tp_px=self.tp_px, fp_px=self.fp_px, fn_px=self.fn_px)
        counts = self.instances
        if missed is not None:
            counts = InstanceCounts()
            counts.add(self.instances)
            counts.add(missed)
        if instance_scored:
            out.update({name: getattr(counts, name) for name in COUNT_FIELDS})
            out.update(
                precision=counts.precision,
                recall=counts.recall,
                f1=counts.f1,
                sq=counts.sq,
                rq=counts.rq,
                pq=counts.pq,
                mean_matched_iou=counts.mean_iou,
                mean_matched_dice=counts.mean_dice,
            )
        else:
            out.update({k: math.nan for k in (*COUNT_FIELDS, *INSTANCE_FIELDS)})
        return out


def aggregate(
    rows: Iterable[ImageClassRow], instance_scored: bool = True, missed: InstanceCounts | None = None
) -> dict[str, Any]:
    """Means of figures over rows with the §6 conventions, and summed counts (plus ``missed``'s)."""
    running = RunningAggregate()
    for row in rows:
        running.add(row)
    return running.result(instance_scored, missed)


def image_table_row(rows: list[ImageClassRow], instance_scored: bool = True) -> dict[str, Any]:
    """One image's line of a sortable table: means over its categories, its ``diagonal`` (in its
    ``unit``) and per distance how many of its classes have one (``<field>_n_values``), so a view can
    tell an ∞ (one mask empty, ``<field>_inf_replaced`` of them, counted as the diagonal) from a measure."""
    agg = aggregate(rows, instance_scored)
    agg["diagonal"] = float(rows[0].comparison.diagonal)
    for name in DISTANCE_FIELDS:
        agg[f"{name}_n_values"] = sum(not math.isnan(r.value(name)) for r in rows)
    return {"file_name": rows[0].file_name, "image_id": rows[0].image_id, **agg}


def worst_key(row: dict[str, Any], key: str = "dice") -> tuple[int, float]:
    """Sort key of an image-table row, worst first (NaN last): low Dice/IoU, high distances and counts."""
    v = row[key]
    if not math.isfinite(v):
        return (1, 0.0)
    return (0, -v if higher_is_worse(key) else v)


def higher_is_worse(key: str) -> bool:
    """Whether a higher value of an image-table column is worse (distances, object counts), so worst
    first sorts it descending; Dice, IoU and the other overlaps sort ascending."""
    return key in DISTANCE_FIELDS or key in ("fp", "fn", "wrong_class")


PROBLEM_COUNTS = ("fn", "fp", "wrong_class")  # objects missed, extra, of the wrong class


def has_problem(row: dict[str, Any]) -> bool:
    """Whether an image-table row differs from the reference: a mean Dice under 1 or an object missed,
    extra or of the wrong class. A perfect image (Dice 1, every object matched) and an n/a one (no object
    on either side) have none: the worst-image lists (``pixelproof qa``, its HTML page, the review view's
    W key) leave them out. A count that is NaN (objects not matched: semantic labels, where a perfect
    image is Dice 1 alone) is none."""
    dice = row.get("dice")
    low = isinstance(dice, float | int) and math.isfinite(dice) and dice < 1.0
    return low or any(_finite(row.get(k)) >= 1 for k in PROBLEM_COUNTS)


def _finite(value: Any) -> float:
    """A count of a row, 0 when it has none: NaN where objects were not matched (a semantic label volume,
    a DICOM SEG), which int() refused, stopping qa."""
    return float(value) if isinstance(value, float | int) and math.isfinite(value) else 0.0


def tie_key(row: dict[str, Any]) -> tuple[int, str, int]:
    """What orders image-table rows of one value, worst first: the most objects missed, extra or of the
    wrong class, then file name, then image id. The one rule of W's walk (``worst_order``) and the review
    view's Images table (``tie_before``): before, the table fell back to its row order (image id) and W to
    file name, so rows tied on both went in two orders."""
    return -problem_objects(row), str(row.get("file_name", "")), int(row.get("image_id", 0))


def worst_order(row: dict[str, Any], key: str = "dice") -> tuple[int, float, int, str, int]:
    """Sort key of the images with a problem, worst first: ``worst_key``, then ``tie_key`` (an image of
    Dice 1 with an extra object before an n/a one). The one order of W's walk, ``pixelproof qa``'s printed
    list and its HTML page's cards (``QAResult.worst_images``): those went by pair order on a tie."""
    return (*worst_key(row, key), *tie_key(row))


def tie_before(key: str, a: dict[str, Any], b: dict[str, Any]) -> bool | None:
    """For two rows of one value in column ``key``: whether ``a`` sorts before ``b`` ascending, by
    ``tie_key`` in the column's worst-first direction (first where worst first is ascending, as for Dice;
    last where a higher value is worse, as for HD95), so the Images table sorted worst first lists the
    images in W's order; None when the rows tie there too (one image) or ``key`` is no metric."""
    if not key:
        return None
    ka, kb = tie_key(a), tie_key(b)
    if ka == kb:
        return None
    return ka > kb if higher_is_worse(key) else ka < kb


def problem_objects(row: dict[str, Any]) -> int:
    """The objects of an image-table row missed, extra or of the wrong class: what breaks a tie of its
    worst-first sort (``tie_key``; the review view's Images table too, so its order is W's)."""
    return sum(int(_finite(row.get(k))) for k in PROBLEM_COUNTS)


def objects_text(row: dict[str, Any]) -> str | None:
    """An image-table row's objects as ``pixelproof qa`` lists them and the review view's FN, FP and WC
    cells' tooltip says them: a wrong-class object once (its FN and FP count it too, COCO's way), "1 missed,
    1 wrong class"; None where objects were not matched (NaN counts: semantic labels)."""
    counts = [row.get(k) for k in PROBLEM_COUNTS]
    if not all(isinstance(n, int | float) and math.isfinite(n) for n in counts):
        return None
    fn, fp, wrong = (int(n) for n in counts)  # type: ignore[arg-type]
    said = [(fn - wrong, "missed"), (fp - wrong, "extra"), (wrong, "wrong class")]
    return ", ".join(f"{n} {word}" for n, word in said if n) or "objects matched"


def image_counts(result: QAResult) -> tuple[int, int]:
    """(images scored, images with a problem) of a QA run, streamed or not: what the worst-image lists
    (``QAResult.worst_images``) left out as fine."""
    if result.streamed is not None:
        return result.streamed.images, result.streamed.problem_images
    table = result.image_table()
    return len(table), sum(map(has_problem, table))


class Spool:
    """A list that lives in an unnamed temporary file (JSON lines) as it grows and is read back in order:
    rows of any number in constant memory. The file disappears when closed or when the process dies."""

    def __init__(self, folder: str | Path) -> None:
        # unnamed, so it goes with the process whatever happens; closed by close()
        self._file = tempfile.TemporaryFile("w+", encoding="utf-8", dir=folder, prefix=".pixelproof-rows-")  # noqa: SIM115
        self._count = 0

    def append(self, item: Any) -> None:
        self._file.write(json.dumps(item, allow_nan=False))
        self._file.write("\n")
        self._count += 1

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Any]:
        """The items in order (do not append while iterating)."""
        self._file.flush()
        self._file.seek(0)
        try:
            for _ in range(self._count):
                yield json.loads(self._file.readline())
        finally:
            self._file.seek(0, 2)

    def close(self) -> None:
        self._file.close()


class SpoolView:
    """A ``Spool``'s items each passed through ``fn`` as they are read back: rows on disk given a field
    or two at report time (the JSON's ``images`` with their decisions), never all in memory."""

    def __init__(self, spool: Spool, fn: Callable[[Any], Any]) -> None:
        self._spool, self._fn = spool, fn

    def __len__(self) -> int:
        return len(self._spool)

    def __iter__(self) -> Iterator[Any]:
        return map(self._fn, self._spool)


class _Kept:
    """One of the worst images a streamed run keeps, on a heap whose top is the least bad
    (``worst_order`` the greatest): its key holds a file name, which no negation turns round."""

    __slots__ = ("order", "row")

    def __init__(self, order: tuple[int, float, int, str, int], row: dict[str, Any]) -> None:
        self.order, self.row = order, row

    def __lt__(self, other: _Kept) -> bool:
        return self.order > other.order


class StreamedRows:
    """What a streamed QA run keeps: per-class and overall ``RunningAggregate``, the worst images, and
    (with a ``folder``) the report rows in ``Spool`` files there; without one the rows are dropped.
    ``images``: the Images table's rows too (``report_images.image_csv_row``), for ``--images-csv`` and
    the JSON's ``images``."""

    def __init__(self, folder: str | Path | None = None, objects: bool = True, images: bool = True) -> None:
        self.by_class: dict[str, RunningAggregate] = {}
        self.overall = RunningAggregate()
        self._worst: list[_Kept] = []  # the heap's top is the best of the worst kept
        self._images = 0
        self.problem_images = 0  # images with a problem (``has_problem``); the worst kept are of these
        self.image_rows: Spool | list = Spool(folder) if folder is not None else []
        self.object_rows: Spool | list = Spool(folder) if folder is not None and objects else []
        self.table_rows: Spool | list = Spool(folder) if folder is not None and images else []

    def add(self, score: ImageScore, instance_scored: bool) -> None:
        """One image pair's rows, in image order."""
        from pixelproof.core.report import image_row_dict, object_row_dict
        from pixelproof.core.report_images import image_csv_row

        for row in score.rows:
            self.overall.add(row)
            self.by_class.setdefault(row.category, RunningAggregate()).add(row)
            if isinstance(self.image_rows, Spool):
                self.image_rows.append(image_row_dict(row))
        if isinstance(self.object_rows, Spool):
            for obj in score.objects:
                self.object_rows.append(object_row_dict(obj))
        if score.rows:
            table_row = image_table_row(score.rows, instance_scored)
            if isinstance(self.table_rows, Spool):
                self.table_rows.append(image_csv_row(table_row))
            self._keep_if_worst(table_row)

    @property
    def images(self) -> int:
        """Images that gave rows (scored)."""
        return self._images

    def _keep_if_worst(self, row: dict[str, Any]) -> None:
        self._images += 1
        if not has_problem(row):
            return
        self.problem_images += 1
        entry = _Kept(worst_order(row), row)
        if len(self._worst) < WORST_KEPT:
            heapq.heappush(self._worst, entry)
        elif entry.order < self._worst[0].order:
            heapq.heapreplace(self._worst, entry)

    def per_class(
        self, categories: list[str], instance_scored: bool, missed: dict[str, InstanceCounts] | None = None
    ) -> list[dict[str, Any]]:
        empty, missed = RunningAggregate(), missed or {}
        return [
            {"category": c, **self.by_class.get(c, empty).result(instance_scored, missed.get(c))}
            for c in categories
        ]

    def worst_images(self, n: int = WORST_KEPT, key: str = "dice") -> list[dict[str, Any]]:
        """The ``n`` worst images with a problem by mean Dice, as ``QAResult.worst_images`` (only Dice is
        kept)."""
        if key != "dice" or n > WORST_KEPT:
            raise ValueError(f"a streamed QA run keeps the {WORST_KEPT} worst images by dice only")
        ordered = sorted(self._worst, key=lambda kept: kept.order)
        return [kept.row for kept in ordered[:n]]

    def close(self) -> None:
        """Remove the spooled rows (write the reports first)."""
        for rows in (self.image_rows, self.object_rows, self.table_rows):
            if isinstance(rows, Spool):
                rows.close()

    def __enter__(self) -> StreamedRows:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
