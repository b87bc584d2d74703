"""Agreement per annotator: how well each annotator agrees with the others, to find the one who needs
training (Label Studio's "agreement per annotator": the mean of that annotator's pairwise scores over the
tasks it shares).

Two figures, from what ``pixelproof agreement`` already measured (no image is read again):

- the pairs' own means pooled over the annotator's pairs: Dice and IoU are the mean of every per-image row
  (image x class, one row of 1 for an image a pair both left empty) of every pair it is in, so they equal
  the pair means weighted by each pair's ``rows``; F1 is pooled over the pairs' ``tp``/``fp``/``fn``. An
  annotator's figure is thus derivable from the ``pairs`` table alone;
- agreement with the majority of the others (leave-one-out, on images three or more annotators labelled):
  per image and class, Dice and IoU of the annotator's class mask against the pixels more than half of the
  *other* annotators of the image drew; pixels where the others tie (one of two) are left out, as neither
  majority. A class row exists where the annotator or that majority has pixels; an image where neither has
  any is one row of 1 (both say "nothing here"), as for the pairs. Taken from the STAPLE decision patterns
  ``image_agreement`` keeps per class (``ImageAgreement.patterns``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from pixelproof.core.agreement import ImageAgreement, PairRow


def pair_rows(rows: list[PairRow]) -> int:
    """Rows in a Dice mean (those with a Dice): the weight of a pair in its annotators' means."""
    return sum(math.isfinite(r.dice) for r in rows)


def per_annotator(names: list[str], images: list[ImageAgreement]) -> list[dict[str, Any]]:
    """One row per annotator who shares an image with another, worst first (lowest mean Dice over its
    pairs, then lowest Dice with the others' majority, then name)."""
    from pixelproof.core.agreement import _means

    out = []
    for r, name in enumerate(names):
        mine = [im for im in images if r in im.raters]
        if not mine:
            continue
        rows = [row for im in mine for row in im.rows if r in (row.a, row.b)]
        others = {x for im in mine for x in im.raters if x != r}
        dice, iou, n = _majority_rows(r, mine)
        out.append(
            {
                "annotator": name,
                "images": len(mine),
                "others": len(others),
                "rows": pair_rows(rows),
                **_means(rows),
                "consensus_images": n,
                "consensus_dice": _mean(dice),
                "consensus_iou": _mean(iou),
            }
        )
    out.sort(key=lambda a: (_worst(a["dice"]), _worst(a["consensus_dice"]), a["annotator"]))
    return out


def _worst(v: float | None) -> float:
    return math.inf if v is None else v


def _mean(values: list[float]) -> float | None:
    return float(np.mean(values)) if values else None


def _majority_rows(rater: int, images: list[ImageAgreement]) -> tuple[list[float], list[float], int]:
    """Dice and IoU rows of ``rater`` against the pixel majority of the other annotators of each image it
    shares with two or more others, and the number of such images."""
    dice: list[float] = []
    iou: list[float] = []
    n = 0
    for im in images:
        if len(im.raters) < 3:
            continue
        n += 1
        me = im.raters.index(rater)
        rest = [k for k in range(len(im.raters)) if k != me]
        found = False
        for counts in im.patterns.values():
            tp = fp = fn = 0.0
            for pattern, pixels in counts.items():
                votes = 2 * sum(pattern[k] for k in rest)
                if votes == len(rest):  # the others tie here: no majority to agree with
                    continue
                said, truth = pattern[me], votes > len(rest)
                tp += pixels * (said and truth)
                fp += pixels * (said and not truth)
                fn += pixels * (truth and not said)
            if tp + fp + fn:
                found = True
                dice.append(2 * tp / (2 * tp + fp + fn))
                iou.append(tp / (tp + fp + fn))
        if not found:  # neither it nor the others' majority drew anything here: agreement, as for the pairs
            dice.append(1.0)
            iou.append(1.0)
    return dice, iou, n


COLUMNS = ["annotator", "images", "others", "dice", "iou", "f1"]
COLUMNS += ["consensus_images", "consensus_dice", "consensus_iou"]


def per_annotator_html(data: dict[str, Any]) -> list[str]:
    """The per-annotator table and its bar chart for the agreement page."""
    from pixelproof.core.report_html import html_table, svg_bars

    rows = data.get("per_annotator") or []
    if not rows:
        return []
    return [
        "<h2>Per annotator (worst first)</h2><p>Dice, IoU: the mean of every image and class row of the "
        "annotator's pairs (the pair means weighted by their rows); F1 pooled over its pairs' objects; "
        "consensus: Dice and IoU with the pixels more than half of the other annotators of an image drew "
        "(ties left out), on images three or more annotators labelled.</p>",
        html_table(rows, COLUMNS),
        svg_bars("Mean Dice per annotator", [a["annotator"] for a in rows], [a["dice"] for a in rows], 1.0),
    ]
