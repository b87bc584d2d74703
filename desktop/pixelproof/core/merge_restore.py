"""Bring back objects a merge left out (the report's ``left_out_objects``: a base's objects a shard's
version replaced, an outsider's version, a shard's version of a locked object, a mis-sized copy's): a team
lead who decides the left-out version was right takes it back instead of redrawing it (``pixelproof
restore``, the app's merge report). One edit, so one undo step in the app and one change-log entry.

Each object restored gets a new id, keeps its class (by name; a class the project lacks is created, as
merge creates a class a shard added), its author and everything else it was saved with. With ``replace``
it takes the place of the object of the same id on its image (the version the merge kept of it); a locked
object is never removed. A report none of whose images the project holds is refused (another project's);
an object whose image the project lacks, or whose image was of another size (drawn on another copy), is
skipped and said.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pixelproof.core.category_colors import default_color
from pixelproof.core.coco_rules import read_annotations
from pixelproof.core.edits import AddAnnotations, AddCategory, Compound, Edit, RemoveAnnotations
from pixelproof.core.image_glob import name_matches
from pixelproof.core.model import LAST_ANNOTATION_ID, LAST_CATEGORY_ID, Annotation, Category, Project
from pixelproof.core.object_lock import is_locked
from pixelproof.core.wording import plural

KEY = "left_out_objects"
_REPORT_KEYS = ("shard", "file_name", "category", "image_size")  # the report's, not the object's


class RestoreRefused(Exception):
    """The report cannot be restored from (not a merge report, another project's, nothing selected);
    the message names the report file and what is wrong."""


@dataclass
class Restored:
    """What ``restore_left_out`` would do: ``edit`` (None: nothing to restore) and what to say of it."""

    edit: Edit | None
    objects: list[Annotation] = field(default_factory=list)  # as added, with their new ids
    rows: list[int] = field(default_factory=list)  # the report row of each of ``objects``
    shards: Counter[str] = field(default_factory=Counter)  # objects restored per shard (or "base")
    created: list[str] = field(default_factory=list)  # classes the project lacked, created
    by_id: list[int] = field(default_factory=list)  # report rows whose class was taken by id (no name)
    removed: list[int] = field(default_factory=list)  # objects replaced (``replace``)
    locked: list[int] = field(default_factory=list)  # objects ``replace`` left in place: locked
    skipped: list[str] = field(default_factory=list)  # "where: why", one per object skipped


def left_out_rows(report: Any, name: str) -> list[Any]:
    """The report's ``left_out_objects``, or ``RestoreRefused`` when ``report`` is no merge report."""
    rows = report.get(KEY) if isinstance(report, dict) else None
    if not isinstance(rows, list):
        raise RestoreRefused(f"{name}: not a merge report (no '{KEY}' list)")
    return rows


# why a conflict of each type left objects out, as the app's list of them says it (``who``: the shards the
# conflict names; ``shard``: the row's)
_WHY = {
    "edited_in_base_and_shard": "the base's, replaced by {who}'s version",
    "base_state_unknown": "the base's, replaced by {who}'s version (a split of an earlier PixelProof)",
    "image_size_mismatch": "{shard}'s copy is another size",
    "locked_in_base": "{shard} changed an object locked in the base",
    "edited_outside_shard": "the image was not dealt to {shard}",
}
_BASE_REPLACED = ("edited_in_base_and_shard", "base_state_unknown")  # conflicts that left the base's out


def left_out_reasons(report: Any) -> list[str]:
    """Why each of the report's left-out objects was left out, one per row ("" where no conflict tells):
    the conflict of its image that left it out (the rows record no reason of their own; the base's rows
    go with the conflicts that replaced the base, a shard's with those naming that shard)."""
    rows = report.get(KEY) if isinstance(report, dict) else None
    conflicts = report.get("conflicts") if isinstance(report, dict) else None
    if not isinstance(rows, list):
        return []
    by_image: dict[str, list[dict[str, Any]]] = {}
    for c in conflicts if isinstance(conflicts, list) else ():
        if isinstance(c, dict) and c.get("type") in _WHY and isinstance(c.get("file_name"), str):
            by_image.setdefault(c["file_name"], []).append(c)
    out = []
    for e in rows:
        e = e if isinstance(e, dict) else {}
        shard = str(e.get("shard", ""))
        mine = set(shard.split(", "))
        found = next(
            (
                c
                for c in by_image.get(str(e.get("file_name")), [])
                if (shard == "base") == (c["type"] in _BASE_REPLACED)
                and (shard == "base" or mine & set(map(str, c.get("shards") or [])))
            ),
            None,
        )
        who = ", ".join(map(str, found.get("shards") or [])) if found else ""
        out.append(_WHY[found["type"]].format(who=who or "a shard", shard=shard) if found else "")
    return out


def restore_label(report_name: str, shards: Counter[str]) -> str:
    """The undo step and change-log line: how many objects, from which report, of which shards."""
    n = sum(shards.values())
    whose = ", ".join(f"{s} {c}" for s, c in shards.items())
    return f"Restore {plural(n, 'left-out object')} from {report_name} ({whose})"


def restore_left_out(
    project: Project,
    report: Any,
    report_name: str,
    *,
    images: list[str] | None = None,
    shards: list[str] | None = None,
    rows: list[int] | None = None,
    replace: bool = False,
) -> Restored:
    """The edit that adds back the report's left-out objects ``images`` (names or globs), ``shards`` and
    ``rows`` (indexes into ``left_out_objects``) select - all when none is given. See the module docstring.
    Raises ``RestoreRefused`` (nothing changed) or ``IdsExhausted``."""
    entries = left_out_rows(report, report_name)
    at = f"{report_name}: {KEY}"
    named = [
        (i, e) for i, e in enumerate(entries) if isinstance(e, dict) and isinstance(e.get("file_name"), str)
    ]
    if entries and not any(project.image_by_file_name(e["file_name"]) for _, e in named):
        first = ", ".join(dict.fromkeys(e["file_name"] for _, e in named[:3])) or "none named"
        raise RestoreRefused(
            f"{report_name}: none of the images of its left-out objects ({first}) is in "
            f"{project.path or 'the project'}: the report of another project?"
        )
    chosen = _selected(entries, images, shards, rows, report_name)
    out = Restored(None)
    items: list[dict[str, Any]] = []
    where: list[int] = []  # each item's row in the report
    new_cats: dict[str, Category] = {}
    cat_ids = iter(project.new_ids(LAST_CATEGORY_ID, len(chosen) or 1)) if chosen else iter(())
    for i in chosen:
        e = entries[i]
        if not isinstance(e, dict) or not isinstance(e.get("file_name"), str):
            out.skipped.append(f"{at}[{i}]: not a left-out object (no file_name)")
            continue
        image = project.image_by_file_name(e["file_name"])
        if image is None:
            out.skipped.append(f"{at}[{i}]: {e['file_name']}: no such image in the project")
            continue
        size = e.get("image_size")
        if isinstance(size, list) and size != [image.width, image.height]:
            out.skipped.append(
                f"{at}[{i}]: {e['file_name']}: drawn on a copy of {_size(size)}, the project's image is "
                f"{image.width}x{image.height}"
            )
            continue
        cat = e.get("category")
        if isinstance(cat, str):
            found = project.category_by_name(cat) or new_cats.get(cat)
            if found is None:
                cid = next(cat_ids)
                found = new_cats[cat] = Category(cid, cat, color=default_color(cid))
            cid = found.id
        elif isinstance(e.get("category_id"), int) and e["category_id"] in project.categories:
            cid = e["category_id"]  # a report of an earlier PixelProof: no class names
            out.by_id.append(i)
        else:
            out.skipped.append(f"{at}[{i}]: no class named, and no class of the project by its category_id")
            continue
        item = {k: v for k, v in e.items() if k not in _REPORT_KEYS}
        item.update(id=len(items) + 1, image_id=image.id, category_id=cid)
        items.append(item)
        where.append(i)
    categories = dict(project.categories) | {c.id: c for c in new_cats.values()}
    problems: list[str] = []
    built = read_annotations(items, project.images, categories, problems)
    for p in problems:  # "annotations[k]: ..." -> the report's row
        m = re.match(r"annotations\[(\d+)\]", p)
        row = where[int(m.group(1))] if m else None
        out.skipped.append(f"{at}[{row}]{p[m.end() :]}" if m else f"{at}: {p}")
    kept = [(where[k - 1], a) for k, a in sorted(built.items())]
    if not kept:
        return out
    new_ids = project.new_ids(LAST_ANNOTATION_ID, len(kept))
    removed: list[int] = []
    for (i, a), new_id in zip(kept, new_ids, strict=True):
        e = entries[i]
        a.id = new_id
        out.objects.append(a)
        out.rows.append(i)
        out.shards[str(e.get("shard", "?"))] += 1
        old = project.annotations.get(e.get("id")) if isinstance(e.get("id"), int) else None
        if replace and old is not None and old.image_id == a.image_id and old.id not in removed:
            (out.locked if is_locked(old) else removed).append(old.id)
    used = {a.category_id for a in out.objects}
    out.created = [c.name for c in new_cats.values() if c.id in used]
    out.removed = removed
    label = restore_label(report_name, out.shards)
    parts: list[Edit] = [AddCategory(c) for c in new_cats.values() if c.id in used]
    if removed:
        parts.append(RemoveAnnotations(removed, label))
    parts.append(AddAnnotations(out.objects, label))
    out.edit = Compound(parts, label, focus=[a.id for a in out.objects])
    return out


def _selected(
    entries: list[Any], images: list[str] | None, shards: list[str] | None, rows: list[int] | None, name: str
) -> list[int]:
    """The rows asked for; ``RestoreRefused`` naming a selector that matches no left-out object."""
    chosen = list(range(len(entries))) if rows is None else [i for i in rows if 0 <= i < len(entries)]

    def shard_of(i: int) -> list[str]:
        e = entries[i]
        return str(e.get("shard", "")).split(", ") if isinstance(e, dict) else []

    def file_of(i: int) -> str:
        e = entries[i]
        return e.get("file_name") if isinstance(e, dict) and isinstance(e.get("file_name"), str) else ""

    for s in shards or ():
        if not any(s in shard_of(i) for i in chosen):
            known = ", ".join(dict.fromkeys(x for i in chosen for x in shard_of(i))) or "none"
            raise RestoreRefused(f"{name}: no left-out object of shard {s!r} (shards: {known})")
    for pattern in images or ():
        if not any(name_matches(file_of(i), pattern) for i in chosen):
            raise RestoreRefused(f"{name}: no left-out object on an image {pattern!r} names")
    return [
        i
        for i in chosen
        if (not shards or any(s in shard_of(i) for s in shards))
        and (not images or any(name_matches(file_of(i), p) for p in images))
    ]


def _size(size: list[Any]) -> str:
    return "x".join(str(v) for v in size) if len(size) == 2 else str(size)
