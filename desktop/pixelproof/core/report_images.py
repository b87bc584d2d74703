"""One row per image: the list of images to relabel or retrain on (``pixelproof qa --images-csv`` and the
review view's "Save shown rows as CSV…").

The rows are the review view's Images table (``qa_tables.image_table_row``: Dice, IoU, distances and NSD
means over the image's classes; PQ, SQ, RQ, F1, precision and recall from the image's objects pooled over
its classes; counts summed), with ``problem`` as the printed "images with a problem" count decides it
(``qa_tables.has_problem``): one writer for both, so the file and the table never say two things. The
same rows are ``pixelproof qa --json``'s ``images`` (``json_image_rows``): one way to make them.

An n/a figure says why, as ``--csv`` does: in the CSV, every figure that can be null is followed by its
``<field>_reason`` column (``report_columns``), empty where measured; in the JSON a null has its
``<field>_reason`` beside it.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from pixelproof.core import safe_csv
from pixelproof.core.atomic import atomic_output
from pixelproof.core.qa_tables import COUNT_FIELDS, INSTANCE_FIELDS, Spool, SpoolView, has_problem
from pixelproof.core.report_columns import NULLABLE, REASON, with_reasons

if TYPE_CHECKING:
    from pixelproof.core.qa import QAResult

#: the columns of an images CSV, in order: who, whether it has a problem, the figures, the counts
IMAGE_COLUMNS = (
    "file_name",
    "image_id",
    "problem",
    "dice",
    "iou",
    "pq",
    "sq",
    "rq",
    "f1",
    "precision",
    "recall",
    "mean_matched_iou",
    "mean_matched_dice",
    "hd",
    "hd95",
    "assd",
    "masd",
    "nsd",
    "boundary_iou",
    "cldice",
    "unit",
    "tp",
    "fp",
    "fn",
    "wrong_class",
    "n_classes",
    "n_both_empty",
    "n_one_empty",
    "image_review",
    "image_review_note",
)
#: the columns of the images CSV: ``IMAGE_COLUMNS``, each figure that can be null followed by its reason
IMAGE_CSV_COLUMNS = tuple(with_reasons(IMAGE_COLUMNS))
_COUNTS = ("tp", "fp", "fn", "wrong_class", "n_both_empty", "n_one_empty")


def how_averaged(name: str) -> str:
    """How an image's figure comes from its classes, for the Images table's header tooltips: a mean Dice
    beside a pooled PQ read as contradictory (one class of few pixels at Dice 0: a mean Dice near 0.5, a PQ
    near 0.8) while every header said "mean over the image's classes", PQ's too."""
    if name in COUNT_FIELDS:
        return "summed over the image's classes"
    if name in INSTANCE_FIELDS:
        return (
            "from the image's objects of every class pooled (TP, FP, FN and matched IoU summed), not a mean "
            "over its classes as Dice is: a class of few objects weighs little"
        )
    return (
        "mean over the image's classes, each counting once whatever its size (a class empty on both sides "
        "left out): one class at 0 halves a mean of two. PQ, F1, precision and recall pool the image's "
        "objects instead"
    )


def image_reason(row: Mapping[str, Any], name: str) -> str:
    """Why an Images-table row's figure ``name`` is n/a (NaN), from the row's own counts: the image's
    objects for an object figure, its classes for a pixel one (a mean leaves an n/a class out, so it is
    n/a only when every class is)."""
    if name in COUNT_FIELDS or name in INSTANCE_FIELDS:
        tp, fp, fn = (_finite_or_none(row.get(k)) for k in ("tp", "fp", "fn"))
        if tp is None or fp is None or fn is None:
            return "semantic reference"  # objects are not paired one to one: no count
        if name == "precision" and not tp + fp:
            return "no candidate object"
        if name == "recall" and not tp + fn:
            return "no reference object"
        if name in ("sq", "mean_matched_iou", "mean_matched_dice") and not tp:
            return "no object matched"
        return "no objects"
    n, both = row.get("n_rows"), row.get("n_both_empty")
    if n and both == n:
        return "both empty in every class"
    return "n/a in every class (why: --csv, one row per image and class)"


def _finite_or_none(v: Any) -> float | None:
    return float(v) if isinstance(v, float | int) and math.isfinite(v) else None


def image_csv_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """An Images-table row (``image_table_row``) as an images-CSV row, in ``IMAGE_COLUMNS`` order: NaN
    (n/a: both empty in every class, or no object matched) as None with its ``<field>_reason``; counts as
    integers; ``problem`` as the summary counts it. JSON-ready, so a streamed run can spool it."""
    out: dict[str, Any] = {}
    for name in IMAGE_COLUMNS:
        if name == "problem":
            v: Any = has_problem(dict(row))
        elif name == "n_classes":
            v = row.get("n_rows")
        elif name not in row:
            continue
        else:
            v = row[name]
            if isinstance(v, float) and not math.isfinite(v):
                v = None  # a mean distance is never ∞ (the diagonal stands in): n/a
            elif name in _COUNTS:
                v = int(v)
        out[name] = v
        if v is None and name in NULLABLE:
            out[name + REASON] = image_reason(row, name)
    return out


def with_decision(row: Mapping[str, Any], decided: Mapping[Any, Mapping[str, Any]]) -> dict[str, Any]:
    """``row`` with its image's whole-image decision (``image_review``, ``image_review_note``), if one
    was made, from ``decided`` (image id -> a QA report's ``image_reviews`` entry)."""
    d = decided.get(row.get("image_id"), {})
    return {**row, "image_review": d.get("review"), "image_review_note": d.get("note")}


def write_images_csv(
    rows: Iterable[Mapping[str, Any]],
    path: str | os.PathLike[str],
    decisions: Iterable[Mapping[str, Any]] = (),
) -> int:
    """``rows`` (``image_csv_row``'s) as CSV in ``IMAGE_CSV_COLUMNS``, each with its image's whole-image
    decision from ``decisions`` (a QA report's ``image_reviews``), if one was made. Returns the rows
    written."""
    decided = {d["image_id"]: d for d in decisions}
    n = 0
    with atomic_output(path, text=True, newline="") as fh:
        writer = safe_csv.Writer(fh, bom=True)
        writer.writerow(IMAGE_CSV_COLUMNS)
        for row in rows:
            full = with_decision(row, decided)
            writer.writerow(full.get(k) for k in IMAGE_CSV_COLUMNS)
            n += 1
    return n


def json_image_rows(
    result: QAResult, decisions: Iterable[Mapping[str, Any]]
) -> list[dict[str, Any]] | SpoolView:
    """The JSON's ``images``: the images-CSV rows (``result_image_rows``) with their decisions; read
    from disk as the JSON is written when the run streamed its rows, so they are never all in memory."""
    decided = {d["image_id"]: d for d in decisions}
    rows = result_image_rows(result)
    if isinstance(rows, Spool):
        return SpoolView(rows, lambda row: with_decision(row, decided))
    return [with_decision(row, decided) for row in rows]


def result_image_rows(result: QAResult) -> Iterable[dict[str, Any]]:
    """A QA run's images-CSV rows in image order: spooled by a streamed run (``StreamedRows(images=True)``),
    else made from its Images table."""
    if result.streamed is not None:
        return result.streamed.table_rows
    return [image_csv_row(r) for r in result.image_table()]
