"""QA as a CI gate: ``qa --fail-under dice=0.9`` fails the run (exit 3) when a figure is under its bound,
``--fail-over hd95=5`` when a figure is over it; ``dice:nucleus=0.8`` bounds one class's figure instead of
the summary's (the ``(all)`` row every report shows).

Each figure reads one way only: a lower bound on a figure where higher is better (Dice, IoU, NSD, Boundary
IoU, clDice, the object figures), an upper bound on one where lower is better (the distances, and the
counts of missed, extra and wrong-class objects). A bound the wrong way round would pass the worst runs, so
it is refused, naming the option that fits. A distance is in its rows' unit (mm, px); ``hd95=5mm`` also
asks that unit, so a dataset that lost its pixel spacing does not pass a bound meant in mm.

A figure that is n/a (no row measured it, a semantic reference has no objects, a class has no objects on
either side, units mixed) fails its bound with the reason: a gate that passes on nothing measured would pass
a broken pipeline. The keypoint figures (``KEYPOINT_GATED``: mean OKS, keypoint AP) are read from the
report's ``keypoints`` section (``with_keypoints``), n/a without keypoints on both sides. ``BOUND`` splits on
the last ``=`` (a number never holds one) and the first ``:`` (no metric name does), so a class name may hold
``=``, ``:`` and spaces (quoted for the shell).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pixelproof.core.model import Project
from pixelproof.core.qa_categories import category_pairing, name_key
from pixelproof.core.report_ap import keypoint_row

#: the figures a lower bound (``--fail-under``) may be put on: ratios in [0, 1], higher better
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
    "oks",
    "kp_ap",
    "kp_ap50",
    "kp_ap75",
    "kp_ar",
)
#: the keypoint figures a bound may name, by their names in the ``keypoints`` section (``qa_ap``)
KEYPOINT_GATED = {"oks": "mean_oks", "kp_ap": "AP", "kp_ap50": "AP50", "kp_ap75": "AP75", "kp_ar": "AR"}
#: distances (in their rows' unit), lower better: ``--fail-over``; qa_tables.DISTANCE_FIELDS
DISTANCES = ("hd", "hd95", "hd95_pooled", "hd95_mean", "assd", "masd")
#: the figures an upper bound (``--fail-over``) may be put on: distances and object error counts
GATED_OVER = (*DISTANCES, "fp", "fn", "wrong_class")
UNITS = ("mm", "px", "voxel")  # qa_tables.DISTANCE_UNITS
OPTION = {True: "--fail-under", False: "--fail-over"}  # by Bound.under
LISTED_CLASSES = 40  # class names an unknown-class error lists; the rest are counted


@dataclass(frozen=True, slots=True)
class Bound:
    """A bound on ``metric`` of the summary, or of class ``category``'s row: the least value it may have
    (``under``, ``--fail-under``) or the most (``--fail-over``); ``given`` is the bound as typed (said back
    as typed), ``unit`` the unit a distance bound asks (None: the rows' own)."""

    metric: str
    limit: float
    given: str
    under: bool = True
    category: str | None = None
    unit: str | None = None

    def _what(self, row: dict[str, Any] | None) -> str:
        """The figure's name, with its class's as the report spells it (as typed when it has no row)."""
        if self.category is None:
            return self.metric
        return f"class {(row or {}).get('category', self.category)!r}: {self.metric}"

    def check(self, summary: dict[str, Any], per_class: Iterable[dict[str, Any]] = ()) -> str | None:
        """Why the figure misses this bound, or None when it meets it. ``summary`` and ``per_class`` are a
        report's (null and ``<field>_reason`` for n/a; ``category`` names a class's row)."""
        option = OPTION[self.under]
        row, why = (summary, None) if self.category is None else class_row(self.category, per_class)
        value = None if row is None else row.get(self.metric)
        if row is None or not isinstance(value, int | float) or not math.isfinite(value):
            reason = why or (row or {}).get(f"{self.metric}_reason") or "n/a"
            least = "at least" if self.under else "at most"
            return f"{self._what(row)} is n/a ({reason}), so not {least} {self.given} ({option})"
        unit = row.get("unit")
        if self.unit is not None and unit != self.unit:
            return (
                f"{self._what(row)} is in {unit or 'no unit'}, the bound {self.given} in {self.unit}: not "
                f"comparable ({option})"
            )
        if value >= self.limit if self.under else value <= self.limit:
            return None
        unit = unit if self.metric in DISTANCES else None
        rounded = round(value, 4)
        onto = rounded >= self.limit if self.under else rounded <= self.limit  # printed, it would meet it
        shown = _figure(value, unit, exact=onto)  # then every digit
        return f"{self._what(row)} {shown} is {'under' if self.under else 'over'} {self.given} ({option})"

    def met_text(self, summary: dict[str, Any], per_class: Iterable[dict[str, Any]] = ()) -> str:
        row = summary if self.category is None else class_row(self.category, per_class)[0] or {}
        text = _figure(row[self.metric], row.get("unit") if self.metric in DISTANCES else None)
        return f"{self._what(row)} {text} {'>=' if self.under else '<='} {self.given}"


def _figure(value: float, unit: str | None, exact: bool = False) -> str:
    """A figure as a bound's message says it: a count whole, a ratio or distance to 4 places (``exact``:
    every digit), a distance with its unit."""
    text = repr(float(value)) if exact else f"{value:.4f}"
    return (str(value) if isinstance(value, int) else text) + (f" {unit}" if unit in UNITS else "")


def parse_bound(text: str, under: bool = True) -> Bound:
    """``METRIC[:CLASS]=VALUE`` of ``--fail-under`` (``under``) or ``--fail-over`` as a ``Bound``;
    ValueError with a message naming what is wrong (a bound the wrong way round names the option that
    fits)."""
    option = OPTION[under]
    name, sep, value = text.rpartition("=")
    metric, colon, category = name.partition(":")
    metric = metric.strip().lower()
    example = "dice=0.9" if under else "hd95=5"
    if not sep or not metric:
        raise ValueError(f"{option} takes METRIC=VALUE or METRIC:CLASS=VALUE (e.g. {example}), got {text!r}")
    if colon and not category:
        raise ValueError(f"{option} {text}: no class after ':' (METRIC:CLASS=VALUE)")
    own, other = (GATED, GATED_OVER) if under else (GATED_OVER, GATED)
    if metric in other:
        better = "lower is better" if under else "higher is better"
        raise ValueError(
            f"{option} {text}: for {metric} {better}, so a bound the other way would pass the worst runs; "
            f"use {OPTION[not under]} {text.strip()}"
        )
    if metric not in own:
        raise ValueError(f"{option}: {metric!r} cannot be gated; one of: {', '.join(own)}")
    number, unit = value.strip(), None
    for u in UNITS if metric in DISTANCES else ():
        if number.lower().endswith(u):
            number, unit = number[: -len(u)].strip(), u
            break
    try:
        limit = float(number)
    except ValueError:
        raise ValueError(f"{option} {text}: {value!r} is not a number") from None
    if under and not 0 <= limit <= 1:  # also NaN
        raise ValueError(f"{option} {text}: {metric} is between 0 and 1, got {value}")
    if not under and not (math.isfinite(limit) and limit >= 0):
        raise ValueError(f"{option} {text}: {metric} is a finite number >= 0, got {value}")
    return Bound(metric, limit, value.strip(), under, category if colon else None, unit)


def find_class(name: str, names: Iterable[str]) -> str | None:
    """The class of ``names`` a bound's ``name`` means: spelt exactly, else the one spelt otherwise only
    in case, spaces, ``_`` or ``-`` (QA pairs such spellings: ``qa_categories``); None when none or
    several."""
    names = list(names)
    if name in names:
        return name
    alike = [n for n in names if name_key(n) == name_key(name)]
    return alike[0] if len(alike) == 1 else None


def class_row(name: str, per_class: Iterable[dict[str, Any]]) -> tuple[dict[str, Any] | None, str | None]:
    """Class ``name``'s row of a report's ``per_class``, or None and why it has none."""
    rows = {r["category"]: r for r in per_class}
    found = find_class(name, rows)
    return (rows[found], None) if found is not None else (None, "no objects of it on either side")


def class_names(reference: Project, candidate: Project) -> list[str]:
    """The classes a per-class bound may name, before scoring: both projects' (non-void) categories, a
    reference's respelling of a candidate's class under the candidate's name, as QA scores it."""

    def names(p: Project) -> set[str]:
        return {c.name for c in p.categories.values() if not c.void}

    renamed, _ = category_pairing(names(reference), names(candidate))
    return sorted(names(candidate) | {renamed.get(n, n) for n in names(reference)})


def unknown_classes(bounds: Iterable[Bound], names: Iterable[str]) -> str | None:
    """A usage error for the first bound whose class is none of ``names`` (the categories of the two
    projects), listing them; None when every class is known. Checked before scoring."""
    names = sorted(set(names))
    for b in bounds:
        if b.category is None or find_class(b.category, names) is not None:
            continue
        said = f"{OPTION[b.under]} {b.metric}:{b.category}={b.given}"
        alike = [n for n in names if name_key(n) == name_key(b.category)]
        if alike:  # "CAT" where both "Cat" and "cat" are classes
            spelt = ", ".join(repr(n) for n in alike)
            return f"{said}: {b.category!r} could be any of {spelt}; spell one exactly"
        listed = ", ".join(repr(n) for n in names[:LISTED_CLASSES])
        more = len(names) - LISTED_CLASSES
        listed += f" and {more} more" if more > 0 else ""
        return f"{said}: no class {b.category!r} in either project; the classes: {listed or 'none'}"
    return None


def with_keypoints(
    summary: dict[str, Any], per_class: Iterable[dict[str, Any]], section: dict[str, Any] | None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Copies of a report's ``summary`` and ``per_class`` rows with the keypoint figures of its
    ``keypoints`` section under their bound names (``KEYPOINT_GATED``), each n/a one beside a
    ``<name>_reason`` saying why: no keypoints on both sides, none in the class, no matched pair, AP not
    computed (no scores) or no reference object with labelled keypoints."""

    def add(row: dict[str, Any]) -> dict[str, Any]:
        out = dict(row)
        kp = keypoint_row(section, "(all)" if row is summary else row.get("category", ""))
        for name, key in KEYPOINT_GATED.items():
            value = None if kp is None else kp.get(key)
            out[name] = value
            if value is not None:
                continue
            if section is None:
                out[f"{name}_reason"] = "no objects with keypoints on both sides"
            elif kp is None:
                out[f"{name}_reason"] = "no keypoints in this class on either side"
            elif name == "oks":
                out[f"{name}_reason"] = "no matched pair with keypoints on both sides"
            elif not section["computed"]:
                out[f"{name}_reason"] = f"keypoint AP not computed: {section['reason']}"
            else:
                out[f"{name}_reason"] = "no reference object with labelled keypoints"
        return out

    return add(summary), [add(r) for r in per_class]


def unmet(
    bounds: list[Bound], summary: dict[str, Any], per_class: Iterable[dict[str, Any]] = ()
) -> list[str]:
    """One message per bound the summary (or a class's row of ``per_class``) misses, in the order given."""
    rows = list(per_class)
    return [m for b in bounds if (m := b.check(summary, rows)) is not None]
