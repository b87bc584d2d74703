"""The images where two annotators differ, worst first: what a lead opens after the agreement means.

One row per image and pair of annotators, from the agreement report's ``per_image`` rows (one per image,
class and pair): the mean Dice over the classes either drew (as QA's per-image mean), the objects left
unmatched (``fp`` + ``fn``: an object of one with no object of its class on the other) and the classes
that differ. Used by ``pixelproof agreement``'s printed summary and HTML page."""

from __future__ import annotations

import math
from typing import Any


def differing_images(per_image: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows ``file_name``, ``a``, ``b``, ``pair``, ``dice``, ``iou``, ``unmatched``, ``classes`` for every
    image and pair that differ in any class (Dice under 1 or an object unmatched), lowest Dice first, then
    most objects unmatched, then by name."""
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for r in per_image:
        groups.setdefault((r["file_name"], r["a"], r["b"]), []).append(r)
    rows = []
    for (name, a, b), rs in groups.items():
        differ = [r for r in rs if _differs(r)]
        if not differ:
            continue
        rows.append(
            {
                "file_name": name,
                "a": a,
                "b": b,
                "pair": f"{a} / {b}",
                "dice": _mean(r.get("dice") for r in rs),
                "iou": _mean(r.get("iou") for r in rs),
                "unmatched": sum(int(r.get("fp") or 0) + int(r.get("fn") or 0) for r in rs),
                "classes": ", ".join(sorted({str(r["category"]) for r in differ})),
            }
        )
    rows.sort(key=lambda r: (math.inf if r["dice"] is None else r["dice"], -r["unmatched"], r["file_name"]))
    return rows


def _differs(r: dict[str, Any]) -> bool:
    dice = r.get("dice")
    return (dice is not None and dice < 1.0) or bool(r.get("fp")) or bool(r.get("fn"))


def _mean(values: Any) -> float | None:
    kept = [float(v) for v in values if v is not None and math.isfinite(v)]
    return sum(kept) / len(kept) if kept else None


def differing_html(data: dict[str, Any]) -> list[str]:
    """The images where the annotators differ, worst first (``agreement_images``), names cut as QA's."""
    from pixelproof.core.names import short_file_name
    from pixelproof.core.report_html import html_table

    rows = differing_images(data.get("per_image", []))
    if not rows:
        return ["<h2>Images where the annotators differ</h2><p>None: Dice 1 in every class and every object "
                "matched on every overlap image.</p>"]  # fmt: skip
    shown = [{**r, "file_name": short_file_name(r["file_name"])} for r in rows]
    return [
        f"<h2>Images where the annotators differ ({len(rows)})</h2><p>Worst first: mean Dice over the "
        "classes either annotator drew; unmatched = objects with no object of their class on the other side "
        "(fp + fn of the pair); classes = those whose masks or objects differ.</p>",
        html_table(shown, ["file_name", "pair", "dice", "iou", "unmatched", "classes"]),
    ]
