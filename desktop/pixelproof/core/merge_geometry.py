"""Shards that give an image another geometry than the record merge keeps: another ``pixel_spacing`` (an
annotator's tool wrote 0.5 mm where the lead's project says 0.8 mm), ``slice_position`` or
``slice_offset``. One of the two is wrong, and every distance measured later in the merged project (qa's
HD95 in mm, a volume's slice spacing) would be off by their ratio. merge keeps the base's record (the
lead's project is the reference, as qa trusts the reference's spacing; never silently an annotator's),
the first shard's only when merging without a base, and says each disagreement (the report's
``geometry_differs``, ``geometry_lines``: pixel_spacing in qa's words, ``spacing_line``)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from pixelproof.core.model import ImageRecord
from pixelproof.core.qa_objects import mm_text, same_spacing, spacing_line, spacing_value

GEOMETRY_KEYS = ("pixel_spacing", "slice_position", "slice_offset")  # the image extras in mm


def _numbers(value: Any, n: int) -> tuple[float, ...] | None:
    """``value`` as ``n`` finite numbers (one number for ``n == 1``), else None (nothing to compare)."""
    values = [value] if n == 1 else value
    if not isinstance(values, list | tuple) or len(values) != n:
        return None
    if not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in values):
        return None
    return tuple(float(v) for v in values)


def _differ(key: str, a: Any, b: Any) -> bool:
    """Whether two values of ``key`` are both readable and differ by more than float32 rounding."""
    if key == "pixel_spacing":
        x, y = spacing_value(a), spacing_value(b)
        return x is not None and y is not None and not same_spacing(x, y)
    n = 1 if key == "slice_position" else 2
    x, y = _numbers(a, n), _numbers(b, n)
    return (
        x is not None
        and y is not None
        and not all(math.isclose(p, q, rel_tol=1e-5, abs_tol=1e-6) for p, q in zip(x, y, strict=True))
    )


def geometry_differs(
    file_name: str,
    kept: ImageRecord,
    kept_from: str,
    from_base: bool,
    others: Iterable[tuple[str, ImageRecord]],
) -> list[dict[str, Any]]:
    """One report row per geometry key a shard's copy (``others``: shard name, record) gives another value
    than ``kept``, the record the merged project takes (from the base, or the shard ``kept_from``)."""
    rows = []
    for shard, image in others:
        for key in GEOMETRY_KEYS:
            a, b = kept.extra.get(key), image.extra.get(key)
            if _differ(key, a, b):
                rows.append(
                    {
                        "file_name": file_name,
                        "key": key,
                        "kept": a,
                        "kept_from": kept_from,
                        "from_base": from_base,
                        "shard": shard,
                        "value": b,
                    }
                )
    return rows


def _kept_text(kept_from: str, from_base: bool, base_given: bool) -> str:
    if from_base:
        return "the merged project keeps the base's"
    if base_given:  # an image the base lacks (shards added it, the lead removed it): --into is no way on
        return (
            f"the merged project keeps {kept_from}'s (the base does not hold this image: no record of its "
            "own to keep)"
        )
    return (
        f"the merged project keeps {kept_from}'s (no base to settle it: merge into the lead's project, "
        "--into, to keep its own)"
    )


def geometry_lines(rows: list[dict[str, Any]], named: int = 3, base_given: bool = False) -> list[str]:
    """What merge says of ``geometry_differs`` (the CLI prints it, the app's merge report shows it): a
    pixel_spacing line per two spacings a shard and the kept record give (qa's wording), naming the
    images; a line per shard and other key, with the first images' two values. ``base_given``: merged into
    a base (``--into``; the app always is), so a shard's record kept is of an image the base lacks - not
    one to settle by merging into the lead's project."""
    spacing: dict[tuple, list[str]] = {}
    other: dict[tuple, list[dict[str, Any]]] = {}
    for r in rows:
        side = (r["kept_from"], r["shard"], bool(r.get("from_base")))
        if r["key"] == "pixel_spacing":
            pair = (spacing_value(r["kept"]), spacing_value(r["value"]))
            spacing.setdefault((*side, *pair), []).append(r["file_name"])
        else:
            other.setdefault((*side, r["key"]), []).append(r)
    lines = [
        spacing_line(a, b, files, (kept_from, shard), _kept_text(kept_from, base, base_given), named)  # type: ignore[arg-type]
        for (kept_from, shard, base, a, b), files in spacing.items()
    ]
    for (kept_from, shard, base, key), group in other.items():
        k = len(group)
        shown = "; ".join(
            f"{r['file_name']}: {kept_from} {mm_text(r['kept'])}, {shard} {mm_text(r['value'])}"
            for r in group[:named]
        )
        more = f"; and {k - named} more" if k > named else ""
        lines.append(
            f"{key} differs: {kept_from} and {shard} on {k} image{'' if k == 1 else 's'} ({shown}{more}); "
            f"{_kept_text(kept_from, base, base_given)}"
        )
    return lines
