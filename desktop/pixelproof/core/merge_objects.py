"""A three-way merge of one image, object by object: two (or more) shards edited an image that is not an
overlap image, and the merge knows the state each started from (the base still holds what the split dealt
out: ``merge_image.from_split_state``). Git merges two branches that changed different lines; here two
annotators who changed different objects are merged the same way, rather than both versions kept side by
side as a conflict.

Objects are paired by id with the base's (a split keeps the base's ids; a new object gets an id of the
shard's own range). Per base object: left as the base has it in every shard, it stays; changed (shape,
class, attributes, review state, note... anything ``merge_image.content_key`` holds) or deleted in some
shards, all alike, that change is taken; changed differently in two shards, or changed in one and deleted
in another, it clashes. Objects a shard added are all added. One clash and the image is not merged object
by object: the caller keeps every version side by side (``edited_in_two_shards``), nothing lost, and the
conflict names the clashing objects. Deterministic: sides are taken in shard-name order, not in the order
the shards were given, so the same shards merge to the same bytes in any order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pixelproof.core.model import Annotation
from pixelproof.core.split import copy_annotation


@dataclass(slots=True)
class Side:
    """One shard's edited version of the image: its objects with their ``content_key``s."""

    name: str  # the shard's name in the merge (unique)
    annotator: str | None
    objects: list[tuple[Annotation, str]]
    keys: list[bytes]


@dataclass(slots=True)
class ObjectMerge:
    """What ``merge_by_object`` decided: ``objects`` (object, category name, keeps a base id) when the
    image merged; else None, with the ids of the base objects that clash (empty: ids that cannot pair)."""

    objects: list[tuple[Annotation, str, bool]] | None
    clashes: list[int]


def _by_id(
    objects: list[tuple[Annotation, str]], keys: list[bytes]
) -> dict[int, tuple[Annotation, str, bytes]]:
    """``objects`` by id; an empty dict for a version holding one id twice (objects cannot be paired)."""
    out = {a.id: (a, c, k) for (a, c), k in zip(objects, keys, strict=True)}
    return out if len(out) == len(objects) else {}


def _stamped(a: Annotation, annotator: str | None) -> Annotation:
    """A copy of a shard's object it added or changed: the shard's annotator is its author (as a merge
    gives every object a shard added or changed, ``merge_image._own``)."""
    obj = copy_annotation(a)
    if annotator is not None:
        obj.author = annotator
    return obj


def merge_by_object(
    base_objects: list[tuple[Annotation, str]], base_keys: list[bytes], sides: list[Side]
) -> ObjectMerge:
    """Merge ``sides`` (each shard's edited version) into the base's objects, object by object (see the
    module docstring). The base's objects come first, in its order (each kept, changed or deleted), then
    each side's new objects, sides in name order."""
    base = _by_id(base_objects, base_keys)
    if len(base) != len(base_objects):
        return ObjectMerge(None, [])
    sides = sorted(sides, key=lambda s: s.name)
    theirs = [_by_id(s.objects, s.keys) for s in sides]
    if any(len(t) != len(s.objects) for t, s in zip(theirs, sides, strict=True)):
        return ObjectMerge(None, [])
    objects: list[tuple[Annotation, str, bool]] = []
    clashes: list[int] = []
    for (a, c), key in zip(base_objects, base_keys, strict=True):
        changes: dict[bytes | None, tuple[Side, tuple[Annotation, str, bytes] | None]] = {}
        for side, mine in zip(sides, theirs, strict=True):
            now = mine.get(a.id)
            if now is None:  # deleted in that shard
                changes.setdefault(None, (side, None))
            elif now[2] != key:
                changes.setdefault(now[2], (side, now))
        if not changes:
            objects.append((copy_annotation(a), c, True))
        elif len(changes) > 1:
            clashes.append(a.id)
        else:
            side, now = next(iter(changes.values()))
            if now is not None:  # one change (several shards made the same: the first by name)
                objects.append((_stamped(now[0], side.annotator), now[1], True))
    if clashes:
        return ObjectMerge(None, sorted(clashes))
    for side, mine in zip(sides, theirs, strict=True):
        objects += [(_stamped(a, side.annotator), c, False) for i, (a, c, _) in mine.items() if i not in base]
    return ObjectMerge(objects, [])


def dealt_out(
    base_objects: list[tuple[Annotation, str]],
    base_keys: list[bytes],
    sides: list[Side],
    key: Callable[[Annotation, str], bytes],
) -> list[tuple[Annotation, str]] | None:
    """What the split dealt out, worked back from a base that merged ``sides`` object by object before
    (the same shards merged again) and from the sides: per object, the side's that the base does not hold
    as changed by it; one the base holds as every side does, unchanged; one the base lacks, the sides'
    that kept it (another deleted it). A guess (None: it cannot be one), to be checked by the caller
    against each shard's ``at_split`` and by merging again (``key``: ``merge_image.content_key``)."""
    base = _by_id(base_objects, base_keys)
    theirs = [_by_id(s.objects, s.keys) for s in sides]
    if len(base) != len(base_objects) or any(
        len(t) != len(s.objects) for t, s in zip(theirs, sides, strict=True)
    ):
        return None
    out: list[tuple[Annotation, str]] = []
    for i in dict.fromkeys([*base, *(i for t in theirs for i in t)]):
        held = [(s, t[i]) for s, t in zip(sides, theirs, strict=True) if i in t]
        if not held:  # the base holds an object no shard has: the lead's, since the split
            return None
        if i not in base:  # deleted in one shard, kept in the others
            if len({k for _, (_, _, k) in held}) != 1:
                return None
            out.append(held[0][1][:2])
            continue
        now = base[i][2]
        old = [h for s, h in held if h[2] != now and key(_stamped(h[0], s.annotator), h[1]) != now]
        if len({k for _, _, k in old}) > 1:
            return None
        if old:  # the base holds another shard's change of it
            out.append(old[0][:2])
        elif any(k == now for _, (_, _, k) in held):  # left alone
            out.append(base[i][:2])
        # else added in a shard (or changed alike in every one: the check tells)
    return out
