"""One row per image: the list of images to relabel or retrain on (``pixelproof qa --images-csv`` and the
review view's "Save shown rows as CSV…").

The rows are the review view's Images table (``qa_tables.image_table_row``: Dice, IoU, distances and NSD
means over the image's classes; PQ, SQ, RQ, F1, precision and recall from the image's objects pooled over
its classes; counts summed), with ``problem`` as the printed "images with a problem" count decides it
(``qa_tables.has_problem``): one writer for both, so the file and the table never say two things.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from pixelproof.core import safe_csv
from pixelproof.core.atomic import atomic_output
from pixelproof.core.qa_tables import COUNT_FIELDS, INSTANCE_FIELDS, has_problem

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


def image_csv_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """An Images-table row (``image_table_row``) as an images-CSV row: NaN (n/a: both empty in every
    class, or no object matched) as None, an empty cell; counts as integers; ``problem`` as the summary
    counts it. JSON-ready, so a streamed run can spool it."""
    out: dict[str, Any] = {"problem": has_problem(dict(row)), "n_classes": row.get("n_rows")}
    for name in IMAGE_COLUMNS:
        if name in out or name not in row:
            continue
        v = row[name]
        if isinstance(v, float) and not math.isfinite(v):
            v = None  # a mean distance is never ∞ (the diagonal stands in): n/a
        elif name in ("tp", "fp", "fn", "wrong_class", "n_both_empty", "n_one_empty"):
            v = int(v)
        out[name] = v
    return out


def write_images_csv(
    rows: Iterable[Mapping[str, Any]],
    path: str | os.PathLike[str],
    decisions: Iterable[Mapping[str, Any]] = (),
) -> int:
    """``rows`` (``image_csv_row``'s) as CSV in ``IMAGE_COLUMNS``, each with its image's whole-image
    decision from ``decisions`` (a QA report's ``image_reviews``), if one was made. Returns the rows
    written."""
    decided = {d["image_id"]: d for d in decisions}
    n = 0
    with atomic_output(path, text=True, newline="") as fh:
        writer = safe_csv.Writer(fh)
        writer.writerow(IMAGE_COLUMNS)
        for row in rows:
            d = decided.get(row.get("image_id"), {})
            full = {**row, "image_review": d.get("review"), "image_review_note": d.get("note")}
            writer.writerow(full.get(k) for k in IMAGE_COLUMNS)
            n += 1
    return n


def result_image_rows(result: QAResult) -> Iterable[dict[str, Any]]:
    """A QA run's images-CSV rows in image order: spooled by a streamed run (``StreamedRows(images=True)``),
    else made from its Images table."""
    if result.streamed is not None:
        return result.streamed.table_rows
    return [image_csv_row(r) for r in result.image_table()]
