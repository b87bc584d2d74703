"""QA as a CI gate: ``qa --fail-under dice=0.9`` fails the run (exit 3) when a figure of the summary, the
``(all)`` row every report shows, is under its bound.

Only figures where higher is better and 1 is perfect are gated (Dice, IoU, NSD, Boundary IoU, clDice and
the object figures): a bound on a distance would read the other way round, and a distance's unit (mm or
px) differs between datasets. A figure that is n/a (no row measured it, or a semantic reference has no
objects) fails its bound: a gate that passes on nothing measured would pass a broken pipeline.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

#: the summary figures a bound may be put on: ratios in [0, 1], higher better
GATED = (
    "dice",
    "iou",
    "nsd",
    "boundary_iou",
    "cldice",
    "precision",
    "recall",
    "f1",
    "pq",
    "sq",
    "rq",
    "mean_matched_iou",
    "mean_matched_dice",
)


@dataclass(frozen=True, slots=True)
class Bound:
    """The least value ``metric`` of the summary may have, as given (``dice=0.9``)."""

    metric: str
    least: float
    given: str  # the bound as typed, said back as typed

    def check(self, summary: dict[str, Any]) -> str | None:
        """Why the summary (a report's ``summary`` dict: null and ``<field>_reason`` for n/a) misses this
        bound, or None when it meets it."""
        value = summary.get(self.metric)
        if not isinstance(value, int | float) or not math.isfinite(value):
            reason = summary.get(f"{self.metric}_reason") or "n/a"
            return f"{self.metric} is n/a ({reason}), so not at least {self.given} (--fail-under)"
        if value >= self.least:
            return None
        shown = f"{value:.4f}"
        if float(shown) >= self.least:  # rounded up to the bound: the digits that miss it
            shown = repr(float(value))
        return f"{self.metric} {shown} is under {self.given} (--fail-under)"

    def met_text(self, summary: dict[str, Any]) -> str:
        return f"{self.metric} {summary[self.metric]:.4f} >= {self.given}"


def parse_bound(text: str) -> Bound:
    """``METRIC=VALUE`` as a ``Bound``; ValueError with a message naming what is wrong."""
    name, sep, value = text.partition("=")
    metric = name.strip().lower()
    if not sep or not metric:
        raise ValueError(f"--fail-under takes METRIC=VALUE (e.g. dice=0.9), got {text!r}")
    if metric not in GATED:
        raise ValueError(
            f"--fail-under: {metric!r} cannot be gated; one of: {', '.join(GATED)} (figures where 1 is "
            "perfect; distances such as hd95 are not: their unit differs between datasets)"
        )
    try:
        least = float(value)
    except ValueError:
        raise ValueError(f"--fail-under {text}: {value!r} is not a number") from None
    if not 0 <= least <= 1:  # also NaN
        raise ValueError(f"--fail-under {text}: {metric} is between 0 and 1, got {value}")
    return Bound(metric, least, value.strip())


def unmet(bounds: list[Bound], summary: dict[str, Any]) -> list[str]:
    """One message per bound the summary misses, in the order given."""
    return [m for b in bounds if (m := b.check(summary)) is not None]
