"""The per-image maps of the top-level ``pixelproof`` object a merge carries over from every copy of an
image (time spent, whole-image review decisions, display settings saved to the project), out of
``core.merge``."""

from __future__ import annotations

from typing import Any

from pixelproof.core.merge_image import Version
from pixelproof.core.model import Project, id_key


def merged_time(versions: list[Version]) -> dict[str, float]:
    """Seconds per author over all copies of an image: each copy starts from the base's figure and only
    grows, so the largest figure per author is that author's total (a sum would count the base twice)."""
    out: dict[str, float] = {}
    for v in versions:
        for who, seconds in (v.time_spent or {}).items():
            if isinstance(seconds, int | float) and seconds >= 0:
                out[who] = max(out.get(who, 0.0), float(seconds))
    return out


def image_reviews(project: Project) -> dict[int, dict[str, Any]]:
    """A project's whole-image review decisions (``pixelproof.image_review``), by image id."""
    reviews = project.app.get("image_review")
    if not isinstance(reviews, dict):
        return {}
    return {id_key(k): v for k, v in reviews.items() if id_key(k) is not None and isinstance(v, dict)}


def merged_review(versions: list[Version], field: str = "review") -> dict[str, Any] | None:
    """The whole-image review decision of an image over all its copies (or with ``field`` "display" its
    display settings saved to the project): the latest made (by its ``updated``; on a tie the later copy,
    a shard's over the base's), None when no copy has one."""
    entries = [e for v in versions if (e := getattr(v, field)) is not None]
    return max(entries, key=lambda r: str(r.get("updated", "")), default=None)


def time_spent_by_image(project: Project) -> dict[int, dict[str, float]]:
    """A project's recorded seconds per author, by image id (``RecordTime``'s ``time_spent``)."""
    spent = project.app.get("time_spent")
    if not isinstance(spent, dict):
        return {}
    return {int(k): dict(v) for k, v in spent.items() if id_key(k) in project.images and isinstance(v, dict)}
