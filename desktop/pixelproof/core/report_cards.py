"""The worst images' cards on the QA page: their heading (how many images have a problem, how many none)
and each card's caption: which objects differ, by annotation id.

A lead reading the page sees the difference overlay and the image's Dice; the ids say which objects to
look up (in the review view's Objects table, Ref and Cand, or the project file): missed ones by the
reference's id, extra ones by the candidate's (each with its best IoU with an object of its class on the
other side when it overlaps one: why it made no pair), wrong-class pairs by both."""

from __future__ import annotations

import html
from typing import Any

from pixelproof.core.names import shown_name
from pixelproof.core.wording import plural

SHOWN_IDS = 8  # per class and kind on a card; the rest are counted (every one in --json per_object)


def objects_caption(rows: list[dict[str, Any]]) -> str:
    """HTML lines (each after a ``<br>``) for one image's ``per_object`` rows that are no match."""
    lines = []
    for status, word in (("fn", "missed"), ("fp", "extra"), ("wrong_class", "wrong class")):
        by_class: dict[str, list[dict[str, Any]]] = {}
        for r in rows:
            if r["status"] == status:
                by_class.setdefault(str(r["category"]), []).append(r)
        parts = [_class_part(status, name, rs) for name, rs in by_class.items()]
        if parts:
            lines.append(f"<br>{word}: " + "; ".join(parts))
    return "".join(lines)


def _class_part(status: str, name: str, rows: list[dict[str, Any]]) -> str:
    shown = rows[:SHOWN_IDS]
    if status == "fn":
        ids = ", ".join(f"#{r['ref_id']}" + _best(r) for r in shown)
        text = f"{shown_name(name)} ref {ids}"
    elif status == "fp":
        ids = ", ".join(f"#{r['cand_id']}" + _best(r) for r in shown)
        text = f"{shown_name(name)} cand {ids}"
    else:
        text = ", ".join(
            f"ref #{r['ref_id']} {shown_name(name)} → cand #{r['cand_id']} "
            f"{shown_name(str(r['cand_category']))}"
            for r in shown
        )
    more = f" and {len(rows) - len(shown)} more" if len(rows) > len(shown) else ""
    return html.escape(text + more)


def _best(r: dict[str, Any]) -> str:
    best = r.get("best_iou")
    return f" (best IoU {best:.3f})" if isinstance(best, float) and best > 0 else ""


def fine_text(instance_scored: bool = True) -> str:
    """What an image with no problem is. A semantic reference (a label volume, a DICOM SEG, a mask folder)
    pairs no objects one to one, so "every object matched" would claim a check that was never made."""
    return "Dice 1 in every class" + (" and every object matched" if instance_scored else "")


def problem_share(with_problem: int, scored: int) -> str:
    """How many of the images scored have a problem, said plainly (``7 of 10 images scored have a
    problem``, ``all 3 images scored have a problem``): the count the worst images are listed under."""
    verb = "has" if with_problem == 1 else "have"
    if with_problem < scored:
        return f"{with_problem} of {plural(scored, 'image')} scored {verb} a problem"
    return f"{'the image' if scored == 1 else f'all {scored} images'} scored {verb} a problem"


def worst_heading(shown: int, scored: int, with_problem: int, instance_scored: bool = True) -> str:
    """The cards' heading: only images with a problem get one (a perfect or n/a image has nothing to
    look at), so it says how many had none; the cards are the worst ``shown`` of ``with_problem``."""
    fine = scored - with_problem
    empty = "no object on either side" if instance_scored else "nothing drawn on either side"
    if not with_problem:
        return (
            f"<h2>No image with a problem</h2><p>All {scored} images scored: {fine_text(instance_scored)}, "
            f"or {empty} (n/a).</p>"
        )
    head = f"the {shown} worst of {with_problem}" if shown < with_problem else str(with_problem)
    share = problem_share(with_problem, scored)
    others = (
        f" The other {plural(fine, 'image')}: {fine_text(instance_scored)}, or {empty} (n/a)." if fine else ""
    )
    return (
        f"<h2>{head[0].upper()}{head[1:]} images with a problem, worst first (mean Dice)</h2>"
        f"<p>{share[0].upper()}{share[1:]}.{others}</p>"
    )
