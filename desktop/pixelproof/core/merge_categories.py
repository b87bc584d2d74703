"""Categories of a merge (issue 16): matched by name across the base and the shards, each difference a
typed conflict. A shard records the classes the split dealt out, so a class the lead renamed since takes
the shard's objects under its new name, and one the lead removed since is told from one the annotator
added."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from pixelproof.core.category_colors import default_color, is_color
from pixelproof.core.merge_image import Conflict
from pixelproof.core.model import Category, Project
from pixelproof.core.name_fold import fold
from pixelproof.core.wording import plural

if TYPE_CHECKING:
    from pixelproof.core.merge import Shard


def merge_categories(
    shards: list[Shard], names: list[str], base: Project | None, conflicts: list[Conflict]
) -> tuple[list[Category], list[dict[int, str]], list[dict[str, str]], dict[str, list[str]]]:
    """Categories by name: the base's (or the first shard's), then the ones shards add, in order. Also,
    per shard, its category names as merged, and the classes the lead renamed since the split (merged
    name -> the shard's), which ``merge_image`` needs to tell the shard's edits from the lead's; and the
    classes the lead removed since, with the shards holding them."""
    reference = base if base is not None else shards[0].project if shards else None
    out: list[Category] = []
    by_name: dict[str, Category] = {}
    ref_by_id: dict[int, str] = {}
    if reference is not None:
        for c in reference.categories.values():
            out.append(c)
            by_name[c.name] = c
            ref_by_id[c.id] = c.name
    ref_by_name = dict(by_name)
    kept = _ids_kept(base, shards) if base is not None else set()
    removed: dict[str, list[str]] = {}  # a class the lead removed since the split -> the shards holding it
    maps: list[dict[int, str]] = []
    renames: list[dict[str, str]] = []
    for shard, n in zip(shards, names, strict=True):
        p = shard.project
        cat_map = {c.id: c.name for c in p.categories.values()}
        maps.append(cat_map)
        renames.append({})
        if p is reference:
            continue
        shard_names = {c.name for c in p.categories.values()}
        renamed_here: set[str] = set()  # the merged names this shard renamed: said once, not missing too
        for c in p.categories.values():
            old = ref_by_id.get(c.id)
            dealt = base is not None and (shard.at_split or {}).get(c.id) == c.name  # not the annotator's
            if dealt and old is not None and old != c.name and c.id in kept:
                cat_map[c.id] = old  # the lead renamed it since the split: the shard's objects follow
                renames[-1][old] = c.name
                continue
            if c.name in ref_by_name:
                continue
            if dealt:  # the lead removed it since: reported once merged (``removed_classes``)
                removed.setdefault(c.name, []).append(n)
            elif c.name in by_name:
                continue
            elif old is not None and old not in shard_names:
                renamed_here.add(old)
                conflicts.append(
                    Conflict(
                        "category_renamed",
                        f"{n}: category id {c.id} is {c.name!r} where the merged project has {old!r}; "
                        "kept apart as a category of its own (in a colour of its own when it had the "
                        f"other's; the same class? `pixelproof taxonomy merge MERGED {c.name} {old}`)",
                        None,
                        [n],
                        {"category_id": c.id, "name": c.name, "expected": old},
                    )
                )
            else:
                conflicts.append(_added(n, c.name, by_name))
            if c.name not in by_name:
                by_name[c.name] = c
                out.append(c)
        merged_names = set(cat_map.values())
        missing = [
            c.name
            for c in out[: len(ref_by_id)]
            if c.name not in merged_names
            and c.name not in renamed_here
            and _dealt(shard.at_split if base is not None else None, c)
        ]
        if missing:
            conflicts.append(
                Conflict(
                    "category_missing",
                    f"{n}: has no category {', '.join(repr(m) for m in missing)}",
                    None,
                    [n],
                    {"names": missing},
                )
            )
    return _distinct_colors(out, len(ref_by_id)), maps, renames, removed


def _distinct_colors(categories: list[Category], first_added: int) -> list[Category]:
    """A class a shard brings (``categories[first_added:]``) in the colour of one already there - a class an
    annotator renamed keeps its colour and is kept apart - takes a palette colour no class has: else the two
    look alike side by side while agreement calls every pixel of them a difference."""
    out = list(categories)
    used = {c.color.lower() for c in out if is_color(c.color)}
    for k in range(first_added, len(out)):
        c = out[k]
        if not is_color(c.color) or all(str(o.color).lower() != c.color.lower() for o in out[:k]):
            continue
        free = next((default_color(i) for i in range(1, 17) if default_color(i) not in used), None)
        if free is not None:
            out[k] = replace(c, extra=dict(c.extra), app_extra=dict(c.app_extra), color=free)
            used.add(free)
    return out


def _dealt(at_split: dict[int, str] | None, category: Category) -> bool:
    """Whether the split dealt the shard this class (by id or name; unknown for a shard that records none):
    one the base gained since (the lead's, or another shard's merged before) is not missing from it."""
    return at_split is None or category.id in at_split or category.name in at_split.values()


def _ids_kept(base: Project, shards: list[Shard]) -> set[int]:
    """Category ids the base still gives the class the split dealt out under them: an object dealt out (the
    same object id, never given twice) is in that category in the base and a shard. A class deleted or
    merged away leaves its id free for the next class made (``next_category_id``), so the same id under
    another name is a rename only with an object to show it (else a new class took the id: the shards'
    objects went into it, silently)."""
    out: set[int] = set()
    for shard in shards:
        for a in shard.project.annotations.values():
            b = base.annotations.get(a.id)
            if b is not None and b.category_id == a.category_id:
                out.add(a.category_id)
    return out


def removed_classes(project: Project, conflicts: list[Conflict], removed: dict[str, list[str]]) -> None:
    """Classes the lead removed (deleted, merged into another) since the split that shards still hold: one
    the merge put objects in is kept (a ``category_removed`` conflict: the lead moves them again), one
    it put none in (the shards' images in it left as dealt out, the base's version standing) is not."""
    for name, holders in removed.items():
        cat = project.category_by_name(name)
        if cat is None:
            continue
        count = sum(1 for _ in project.annotations_with_category(cat.id))
        if not count:
            project.remove_category(cat.id)
            continue
        conflicts.append(
            Conflict(
                "category_removed",
                f"category {name!r} was removed from the project since the split (deleted, merged into "
                f"another or renamed), yet the shards of {', '.join(holders)} still use it: kept, with the "
                f"{plural(count, 'merged object')} in it (move them with `pixelproof taxonomy merge`)",
                None,
                holders,
                {"name": name, "objects": count},
            )
        )


def _added(shard: str, name: str, by_name: dict[str, Category]) -> Conflict:
    """``category_added``; a name equal to a merged class's but for case or Unicode form ('dog' where
    another shard or the base has 'Dog') is said as such, with the fold that joins them: kept apart, the
    two split one class's objects, and agreement counts each overlap object one called 'Dog' and the other
    'dog' a class difference."""
    twin = next((other for other in by_name if other != name and fold(other) == fold(name)), None)
    if twin is None:
        return Conflict("category_added", f"{shard}: adds category {name!r}", None, [shard], {"name": name})
    return Conflict(
        "category_added",
        f"{shard}: adds category {name!r}, which differs from {twin!r} only in case or spelling form; kept "
        f"apart (the same class? `pixelproof taxonomy merge MERGED {name} {twin}`)",
        None,
        [shard],
        {"name": name, "same_as": twin},
    )
