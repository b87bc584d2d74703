"""The one-line hint for near misses: a missed object overlapping an extra object of its class, their IoU
above 0 but not above the matching threshold. A 3x3 pit another inspector drew 5x5 has IoU 9/25 = 0.36, so
at the default 0.5 it counts as one missed and one extra with nothing to say they are the same defect.

The IoUs come from the object rows (``ObjectRow.near_iou``, taken from the sparse pairs the matching
measured already): no pass over all pairs of objects is added.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable

from pixelproof.core.wording import plural

STEP = 0.05  # a suggested threshold is a multiple of this, below the median near-miss IoU
FLOOR = 0.1  # never suggested lower: objects barely touching would pair


def near_ious(rows: Iterable) -> list[float]:  # type: ignore[type-arg]
    """The near-miss IoUs of a scored image's object rows (``ObjectRow``), one per missed object; IoUs under
    ``FLOOR`` are left out (objects that barely touch, in a dense field of defects, are no near miss)."""
    return [r.near_iou for r in rows if r.status == "fn" and r.near_iou >= FLOOR]


def suggested_threshold(ious: list[float]) -> float | None:
    """The largest multiple of ``STEP`` strictly below the median near-miss IoU (matching needs IoU > T, so
    at least half of them would pair), not under ``FLOOR`` (then fewer may pair); None when it pairs none."""
    if not ious:
        return None
    median = statistics.median(ious)
    steps = math.floor(median / STEP + 1e-9)
    if steps * STEP >= median - 1e-9:
        steps -= 1
    t = max(round(steps * STEP, 2), FLOOR)
    return t if any(v > t for v in ious) else None


def near_miss_note(
    ious: list[float], threshold: float, command: str | None, missed: tuple[str, str] = ("missed object", "")
) -> str:
    """One line for a run (empty without near misses): how many, their IoUs, and a threshold that would pair
    them (``command`` names where to give it: ``pixelproof qa``; None, as the app's review view, which has
    no such setting, says the threshold alone); ``missed``: one such object and, where ``plural`` does not
    make it, many."""
    if not ious:
        return ""
    n = len(ious)
    lo, hi = min(ious), max(ious)
    span = (
        f"IoU {hi:.2f}"
        if f"{lo:.2f}" == f"{hi:.2f}"
        else f"IoU {lo:.2f}-{hi:.2f}, median {statistics.median(ious):.2f}"
    )
    verb, its = ("overlaps", "its") if n == 1 else ("overlap", "their")
    text = (
        f"{plural(n, missed[0], missed[1] or None)} {verb} an extra one of {its} "
        f"class below the IoU threshold {threshold:g} ({span}; small objects drawn a pixel larger lose IoU "
        "fast: a 3x3 drawn 5x5 is 0.36)"
    )
    t = suggested_threshold(ious)
    if t is None:
        return f"{text}; a threshold of {FLOOR:g} or more would not pair {'it' if n == 1 else 'them'}"
    paired = sum(v > t for v in ious)
    them = "it" if n == 1 else f"up to {paired} of them"  # one-to-one: an extra object pairs once
    given = f"`{command} --iou-threshold {t:g}`" if command else f"an IoU threshold of {t:g}"
    return f"{text}: {given} would pair {them}"
