"""How one image's versions merge (issue 16): ``merge_image``, a pure function of the image's versions in
the base and in each shard, so any worker can compute it (``merge.merge_shards`` assembles the results).

Versions equal to each other (or to the base) merge trivially; one edited version wins. When several
versions differ, every version is kept, each object tagged with its annotator (``pixelproof.annotator``)
until a consensus is accepted: a conflict (``edited_in_two_shards``) but on an overlap image - unless the
base holds what the split dealt out and the shards changed different objects: merged object by object
(``merge_objects``). On an overlap
image every version is kept so, equal or empty ones too (each is a rating), and
``pixelproof.overlap_annotators`` lists the annotators whose versions it holds; with a manifest naming it,
one annotator's version alone is kept tagged too, for the next shards to join. A base that holds versions
side by side (a merged project, a late shard merged into it) keeps them, and a shard's version joins them
(replacing that annotator's, when the base holds one): the same as merging all at once; a consensus worked
out before is outdated - unless every shard brings the version the base holds already (merged again).
What cannot be merged (an image whose size differs) is left out and reported.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson

from pixelproof.core.coco_dump import annotation_to_dict
from pixelproof.core.merge_geometry import geometry_differs
from pixelproof.core.merge_locks import keep_locked
from pixelproof.core.merge_objects import Side, dealt_out, merge_by_object
from pixelproof.core.model import IMAGE_STATES, Annotation, ImageRecord
from pixelproof.core.overlap_versions import ANNOTATOR_KEY, is_consensus
from pixelproof.core.split import copy_annotation
from pixelproof.core.wording import plural


@dataclass(slots=True)
class Conflict:
    type: str
    message: str
    file_name: str | None = None
    shards: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"type": self.type, "message": self.message}
        if self.file_name is not None:
            d["file_name"] = self.file_name
        if self.shards:
            d["shards"] = self.shards
        d.update(self.data)
        return d


@dataclass(slots=True)
class Version:
    """One shard's copy of an image: objects carry category *names* (shards may number them apart)."""

    shard: int
    image: ImageRecord
    objects: list[tuple[Annotation, str]]
    status: str | None = None
    time_spent: dict[str, float] | None = None  # seconds per author
    raters: list[str] | None = None  # its project's ``overlap_annotators`` entry (a merged project's)
    review: dict[str, Any] | None = None  # its project's ``image_review`` entry (whole-image decision)
    at_split: str | None = None  # a shard's: what the image held when split (``image_fingerprint``)
    split_names: dict[str, str] | None = None  # classes the lead renamed since the split: new -> old name
    status_at_split: str | None = None  # a shard's: the image's status as dealt out (None: unknown)
    display: dict[str, Any] | None = None  # its project's ``channel_display`` entry (display settings)
    # a shard of a split that recorded no ``at_split`` (PixelProof before 2026-12-04): whether the base
    # changed since the split cannot be told, so the base's objects its version replaces are reported
    split_unknown: bool = False
    # a shard's: the ids of the objects the split dealt out on the image (empty: unknown), when every shard
    # merged is of one split - the same object in each shard, whichever annotator changed it
    dealt_ids: frozenset[int] = frozenset()

    def as_split(self, objects: list[tuple[Annotation, str]]) -> list[tuple[Annotation, str]]:
        """``objects`` with the class names the split gave them, to compare with ``at_split``: a class the
        lead renamed since is no edit of the image, in the shard or in the base."""
        names = self.split_names
        return [(a, names.get(c, c)) for a, c in objects] if names else objects

    def unchanged_since_split(self) -> bool:
        """A shard's version the annotator left as the split gave it (False when the split is unknown)."""
        return self.at_split is not None and image_fingerprint(self.as_split(self.objects)) == self.at_split

    def status_changed(self) -> bool:
        """The annotator set the image's status since the split (False when the split is unknown)."""
        return self.status_at_split is not None and (self.status or "todo") != self.status_at_split


@dataclass(slots=True)
class ImageMerge:
    """What ``merge_image`` decided for one image."""

    image: ImageRecord
    objects: list[tuple[Annotation, str, bool]]  # (object, category name, keeps a base id)
    status: str | None
    tagged: list[str] = field(default_factory=list)  # annotators whose versions were kept side by side
    conflicts: list[Conflict] = field(default_factory=list)
    left_out: list[dict[str, Any]] = field(default_factory=list)
    time_spent: dict[str, float] = field(default_factory=dict)
    review: dict[str, Any] | None = None  # the whole-image review decision kept (``merged_review``)
    display: dict[str, Any] | None = None  # the display settings kept (the latest saved)
    raters: list[str] = field(default_factory=list)  # the annotator tags of the versions kept side by side
    outdated: int | None = None  # versions joined a base's: its consensus no longer holds (None: not so);
    # how many of its pending consensus objects were dropped
    geometry: list[dict[str, Any]] = field(default_factory=list)  # ``merge_geometry.geometry_differs``
    by_object: bool = False  # edited in several shards, merged object by object (``merge_objects``)


def left_out_entry(
    shard: str, file_name: str, a: Annotation, category: str, image: ImageRecord
) -> dict[str, Any]:
    """One row of the report's ``left_out_objects``: the object as saved, where it came from, its class by
    name (each shard numbers classes its own way) and the size of the image it was drawn on, so ``restore``
    can bring it back into the merged project, or tell that it does not fit there."""
    return {
        "shard": shard,
        "file_name": file_name,
        **annotation_to_dict(a),
        "category": category,
        "image_size": [image.width, image.height],
    }


def content_key(ann: Annotation, category: str) -> bytes:
    """Everything that makes an object what it is, with the category by name: equal keys = same object."""
    d = annotation_to_dict(ann)
    d["category_id"] = category
    d.pop("image_id", None)
    return orjson.dumps(d, option=orjson.OPT_SORT_KEYS | orjson.OPT_SERIALIZE_NUMPY, default=str)


def image_fingerprint(objects: Iterable[tuple[Annotation, str]]) -> str:
    """What an image holds, as one hash (``content_key`` of each object, in any order): what ``split``
    records per image, so a merge tells a version the annotator left alone from one they changed."""
    digest = hashlib.sha256()
    for key in sorted(content_key(a, c) for a, c in objects):
        digest.update(len(key).to_bytes(8, "little"))
        digest.update(key)
    return digest.hexdigest()[:32]  # 128 bits: one per image of every shard


def _status_rank(status: str | None) -> int:
    return IMAGE_STATES.index(status) if status in IMAGE_STATES else 0


def merge_image(
    file_name: str,
    base: Version | None,
    versions: list[Version],
    shard_names: list[str],
    annotators: list[str | None],
    overlap: bool,
    named: bool = False,
) -> ImageMerge:
    """Merge one image's versions (see the module docstring). Pure: reads its arguments only. ``named``:
    the manifest names it an overlap image, so even one annotator's version (the others' shards to come)
    is kept tagged, for the next shards to join. The image record kept is the base's (the first shard's
    without a base); a shard's copy giving it another geometry is reported (``ImageMerge.geometry``)."""
    m = _merge_versions(file_name, base, versions, shard_names, annotators, overlap, named)
    keep_locked(file_name, base, m, [shard_names[v.shard] for v in versions])
    kept = m.image
    source = next((v for v in versions if v.image is kept), None)
    from_base = base is not None and kept is base.image
    if from_base or source is not None:
        size = (kept.width, kept.height)  # a copy of another size is left out, a conflict already
        others = [(shard_names[v.shard], v.image) for v in versions
                  if v.image is not kept and (v.image.width, v.image.height) == size]  # fmt: skip
        kept_from = "base" if from_base else shard_names[source.shard]  # type: ignore[union-attr]
        m.geometry = geometry_differs(file_name, kept, kept_from, from_base, others)
    return m


def _merge_versions(
    file_name: str,
    base: Version | None,
    versions: list[Version],
    shard_names: list[str],
    annotators: list[str | None],
    overlap: bool,
    named: bool,
) -> ImageMerge:
    ref = base.image if base is not None else versions[0].image
    usable, conflicts, left_out = _same_size(file_name, ref, versions, shard_names)
    held = _held_versions(base)
    if held is not None and usable:  # a merged project's image: the shards' versions join those it holds
        merged = _join_held(base, held, usable, shard_names, annotators)  # type: ignore[arg-type]
        if merged is None:  # the versions it holds already (the same shards merged again): it stands
            objects = [(copy_annotation(a), c, True) for a, c in base.objects]  # type: ignore[union-attr]
            raters = list(held)
            return ImageMerge(ref, objects, base.status, raters, conflicts, left_out, raters=raters)  # type: ignore[union-attr]
        if not overlap:
            conflicts.append(
                Conflict(
                    "edited_in_two_shards",
                    f"{file_name}: the base holds versions of {', '.join(held)} side by side (not an overlap "
                    f"image); every version is kept, tagged with its annotator, for review",
                    file_name,
                    merged.tagged,
                )
            )
        merged.conflicts, merged.left_out = conflicts, left_out
        return merged
    if base is None and len(usable) == 1 and not named:  # the common case (one shard has the image)
        v = usable[0]
        keys = [content_key(a, c) for a, c in v.objects]
        dealt = _as_dealt(v, keys)
        objects = [
            _own(a, c, k, dealt, set(), annotators[v.shard])
            for (a, c), k in zip(v.objects, keys, strict=True)
        ]
        return ImageMerge(v.image, objects, v.status, [], conflicts, left_out, raters=v.raters or [])
    base_keys = {content_key(a, c): a.id for a, c in base.objects} if base is not None else {}
    base_ids = {a.id for a, _ in base.objects} if base is not None else set()
    keyed = [(v, [content_key(a, c) for a, c in v.objects]) for v in usable]
    if overlap and (len(keyed) >= 2 or (named and keyed)):
        # each annotator's version is a rating, an unchanged or empty one too: all are kept side by side
        side_by_side = keyed
    else:
        # a version left as the split gave it is no edit: the base keeps what was done to it since
        edited = [(v, k) for v, k in keyed if not v.unchanged_since_split()]
        if base is not None:  # a split's shard merged before: the base holds its objects, stamped
            whole = Counter(base_keys.keys())
            edited = [
                (v, k)
                for v, k in edited
                if (v.at_split is None and not v.split_unknown)
                or Counter(_stamped(v, k, base_keys, annotators[v.shard])) != whole
            ]
        # the objects only (their keys, the id in each: one per object); a copy whose objects equal the
        # base's is no edit of them, whatever its status: that is merged on its own (``_status_set``)
        side_by_side = _distinct(edited, Counter(base_keys.keys()) if base is not None else None)
        if not side_by_side:
            chosen = base if base is not None else (usable[0] if usable else None)
            objects = [(copy_annotation(a), c, a.id in base_ids) for a, c in chosen.objects] if chosen else []
            status = chosen.status if chosen is not None else None
            if base is not None:  # no object changed, yet an annotator may have marked the image done
                status = _status_set(usable, base) or status
            raters = (chosen.raters if chosen is not None else None) or []
            return ImageMerge(ref, objects, status, [], conflicts, left_out, raters=raters)
        if len(side_by_side) == 1:
            v, keys = side_by_side[0]
            who = annotators[v.shard]
            held = base_keys if base is not None else _as_dealt(v, keys)
            objects = [_own(a, c, k, held, base_ids, who) for (a, c), k in zip(v.objects, keys, strict=True)]
            _base_edits_replaced(
                file_name, base, usable, set(keys), [shard_names[v.shard]], conflicts, left_out
            )
            image = v.image if base is None else ref
            return ImageMerge(image, objects, v.status, [], conflicts, left_out, raters=v.raters or [])
    names = [shard_names[v.shard] for v, _ in side_by_side]
    clashes: list[int] = []
    if not overlap and base is not None and from_split_state(base, [v for v, _ in side_by_side]):
        sides = _sides(side_by_side, shard_names, annotators)
        by_object = merge_by_object(base.objects, [content_key(a, c) for a, c in base.objects], sides)
        if by_object.objects is not None:  # the shards changed different objects: each change is taken
            status = _status_set(usable, base) or base.status  # set in one shard, as dealt in the other
            return ImageMerge(ref, by_object.objects, status, [], conflicts, left_out, by_object=True)
        clashes = by_object.clashes
    elif not overlap and base is not None and _merged_before(base, side_by_side, shard_names, annotators):
        status = _status_set(usable, base) or base.status  # these shards, merged object by object before
        objects = [(copy_annotation(a), c, True) for a, c in base.objects]
        return ImageMerge(ref, objects, status, [], conflicts, left_out, raters=base.raters or [])
    if not overlap:
        clash = (
            f"; {'object' if len(clashes) == 1 else 'objects'} {', '.join(map(str, clashes))} changed in "
            "two of them differently (or changed in one, deleted in another), so they cannot be merged "
            "object by object"
            if clashes
            else ""
        )
        conflicts.append(
            Conflict(
                "edited_in_two_shards",
                f"{file_name}: edited differently in {', '.join(names)} (not an overlap image){clash}; "
                "every version is kept, tagged with its annotator, for review",
                file_name,
                names,
                {"objects": clashes} if clashes else {},
            )
        )
    kept = {k for _, keys in side_by_side for k in keys}
    _base_edits_replaced(file_name, base, usable, kept, names, conflicts, left_out)
    objects = _tagged_objects(
        side_by_side, base_keys if base is not None else None, base_ids, shard_names, annotators
    )
    status = min((v.status for v, _ in side_by_side), key=_status_rank, default=None)
    raters = list(dict.fromkeys(annotators[v.shard] or shard_names[v.shard] for v, _ in side_by_side))
    return ImageMerge(ref, objects, status, names, conflicts, left_out, raters=raters)


def from_split_state(base: Version, versions: list[Version]) -> bool:
    """Whether the base still holds what the split dealt each of ``versions`` (each records it: an
    ``at_split``): the state the annotators started from is known, so their edits can be merged object by
    object (``merge_objects``). A copy that records no split, a split's of an earlier PixelProof, or a base
    the lead changed since cannot tell what each annotator changed."""
    return all(
        v.at_split is not None and image_fingerprint(v.as_split(base.objects)) == v.at_split for v in versions
    )


def _sides(
    side_by_side: list[tuple[Version, list[bytes]]], shard_names: list[str], annotators: list[str | None]
) -> list[Side]:
    """Each differing version as ``merge_objects`` takes it: its shard, annotator, objects and their keys."""
    return [Side(shard_names[v.shard], annotators[v.shard], v.objects, k) for v, k in side_by_side]


def _merged_before(
    base: Version,
    side_by_side: list[tuple[Version, list[bytes]]],
    shard_names: list[str],
    annotators: list[str | None],
) -> bool:
    """Whether the base holds these versions merged object by object already (the same shards merged
    again): a state dealt out worked back from them (``merge_objects.dealt_out``) matches every shard's
    ``at_split`` and merges them into just what the base holds. Else they would be a conflict now."""
    if any(v.at_split is None for v, _ in side_by_side):
        return False
    sides = _sides(side_by_side, shard_names, annotators)
    held = [content_key(a, c) for a, c in base.objects]
    guess = dealt_out(base.objects, held, sides, content_key)
    if guess is None or any(image_fingerprint(v.as_split(guess)) != v.at_split for v, _ in side_by_side):
        return False
    again = merge_by_object(guess, [content_key(a, c) for a, c in guess], sides).objects
    return again is not None and Counter(content_key(a, c) for a, c, _ in again) == Counter(held)


def _status_set(versions: list[Version], base: Version) -> str | None:
    """The status the annotators set on an image whose objects they left alone (the least finished when
    several did), where the base still holds the status dealt out; None when none changed it, or the
    lead set one since (a review, an image sent back, or this shard merged before): the base's stands.
    Taken over the base's own, merging the same shard again undid every review made after the first.
    A copy that records no split (``subset``, a hand-made shard) tells nothing of what was dealt out: a
    status further on than the base's is the annotator's; one behind it is the copy's older state (taken
    before the lead reviewed the image), so it never sends a reviewed image back to done."""
    held = base.status or "todo"
    changed = [
        v.status or "todo"
        for v in versions
        if (v.status_changed() and v.status_at_split == held)
        or (
            v.at_split is None
            and v.status_at_split is None
            and _status_rank(v.status or "todo") > _status_rank(held)
        )
    ]
    return min(changed, key=_status_rank) if changed else None


def _base_edits_replaced(
    file_name: str,
    base: Version | None,
    versions: list[Version],
    kept: set[bytes],
    names: list[str],
    conflicts: list[Conflict],
    left_out: list[dict[str, Any]],
) -> None:
    """The base was edited since the split too (its objects are no longer what the shards were given) and
    the shards' versions replace it: a conflict, and each base object no version keeps goes to the
    report's ``left_out_objects`` - nothing of the lead's work is dropped silently."""
    split = next((v for v in versions if v.at_split is not None), None)
    if base is None:
        return
    unknown = split is None and any(v.split_unknown for v in versions)
    if not unknown and (split is None or image_fingerprint(split.as_split(base.objects)) == split.at_split):
        return
    dropped = [(a, c) for a, c in base.objects if content_key(a, c) not in kept]
    if not dropped:
        return
    if unknown:  # an old split's shard: its copy may be the annotator's edit or the image as dealt out
        conflict = Conflict(
            "base_state_unknown",
            f"{file_name}: the {'version' if len(names) == 1 else 'versions'} of {', '.join(names)} "
            f"{'replaces' if len(names) == 1 else 'replace'} the base's {plural(len(dropped), 'object')}, "
            "and the shard records nothing of what the image held when split (split by an earlier version of "
            "PixelProof): the lead may have changed them since; the shard's version is kept, the base's "
            "objects it replaces listed in the report (left_out_objects)",
            file_name,
            names,
        )
    else:
        conflict = Conflict(
            "edited_in_base_and_shard",
            f"{file_name}: changed in the base since the split and in {', '.join(names)}; the shard's "
            f"version is kept, the base's {plural(len(dropped), 'object')} it replaces listed in the report "
            "(left_out_objects)",
            file_name,
            names,
        )
    conflicts.append(conflict)
    left_out += [left_out_entry("base", file_name, a, c, base.image) for a, c in dropped]


def _held_versions(base: Version | None) -> dict[str, list[tuple[Annotation, str]]] | None:
    """The annotators' versions a base (a merged project, consensus not accepted) holds side by side on an
    image, by annotator: tagged objects, and an empty version for one listed in its
    ``overlap_annotators`` who drew nothing. None when it holds none."""
    if base is None:
        return None
    held: dict[str, list[tuple[Annotation, str]]] = {n: [] for n in base.raters or []}
    for a, c in base.objects:
        who = a.app_extra.get(ANNOTATOR_KEY)
        if who is not None:
            held.setdefault(str(who), []).append((a, c))
    return held or None


def _untagged_key(a: Annotation, category: str) -> bytes:
    """``content_key`` without the annotator tag: one object found in several annotators' versions."""
    return content_key(
        copy_annotation(a, app_extra={k: v for k, v in a.app_extra.items() if k != ANNOTATOR_KEY}), category
    )


def rating(objects: Iterable[tuple[Annotation, str] | tuple[Annotation, str, bool]]) -> Counter[bytes]:
    """An annotator's version of an image, whatever the ids its objects took (overlap copies are
    renumbered when merged) and the author merging stamped on them (an object dealt out, kept, takes its
    annotator's name once another version took its id): to tell the version a base holds from a new one."""
    return Counter(_untagged_key(copy_annotation(o[0], id=0, author=None), o[1]) for o in objects)


def _join_held(
    base: Version,
    held: dict[str, list[tuple[Annotation, str]]],
    usable: list[Version],
    shard_names: list[str],
    annotators: list[str | None],
) -> ImageMerge | None:
    """A base image holding annotators' versions side by side, and shards bringing more versions of it (a
    late shard merged into the merged project): each shard's version joins them tagged, as if all had
    been merged at once; a version the base holds of that annotator is replaced (a shard delivered
    again, changed). The base's versions and its other objects (a pending consensus) keep their ids; what
    a shard added or changed, compared with every object the base holds, gets the shard's annotator as
    author. None when every shard brings the version the base holds of its annotator: no new rating (the
    same shards merged again), so no consensus outdated, no status or id changed."""
    base_ids: dict[bytes, set[int]] = {}
    for a, c in base.objects:
        base_ids.setdefault(_untagged_key(a, c), set()).add(a.id)
    arriving: dict[str, Version] = {}
    for v in usable:
        arriving[annotators[v.shard] or shard_names[v.shard]] = v
    joined: dict[str, list[tuple[Annotation, str, bool]]] = {}
    for who, v in arriving.items():
        mine = []
        for a, c in v.objects:
            key = _untagged_key(a, c)
            obj, cat, _ = _own(a, c, key, dict.fromkeys(base_ids, 0), set(), annotators[v.shard])
            obj.app_extra[ANNOTATOR_KEY] = who
            mine.append((obj, cat, a.id in base_ids.get(key, ())))
        if who not in held or rating(mine) != rating(held[who]):
            joined[who] = mine
    if not joined:
        return None
    others = [(a, c) for a, c in base.objects if a.app_extra.get(ANNOTATOR_KEY) is None]
    # a consensus worked out on the versions so far is outdated by a new one: its proposals go (one accepted
    # already stays), and the image is marked for a consensus again (``ImageMerge.outdated``)
    stale = [(a, c) for a, c in others if is_consensus(a) and a.review != "accepted"]
    objects: list[tuple[Annotation, str, bool]] = [
        (copy_annotation(a), c, True) for a, c in others if not any(a is b for b, _ in stale)
    ]
    raters = list(dict.fromkeys([*held, *arriving]))
    for who in raters:
        mine = joined.get(who)
        objects += mine if mine is not None else [(copy_annotation(a), c, True) for a, c in held[who]]
    status = min([base.status, *(arriving[who].status for who in joined)], key=_status_rank)
    return ImageMerge(base.image, objects, status, raters, raters=raters, outdated=len(stale))


def _distinct(
    keyed: list[tuple[Version, list[bytes]]], base_set: Counter[bytes] | None
) -> list[tuple[Version, list[bytes]]]:
    """The versions that differ from the base (when there is one) and from each other, first of each."""
    distinct: list[tuple[Version, list[bytes]]] = []
    for v, keys in keyed:
        if base_set is not None and Counter(keys) == base_set:
            continue
        if not any(Counter(keys) == Counter(k) for _, k in distinct):
            distinct.append((v, keys))
    return distinct


def _same_size(
    file_name: str, ref: ImageRecord, versions: list[Version], shard_names: list[str]
) -> tuple[list[Version], list[Conflict], list[dict[str, Any]]]:
    """The versions whose image has the reference's size; the others are left out, each a conflict."""
    usable: list[Version] = []
    conflicts: list[Conflict] = []
    left_out: list[dict[str, Any]] = []
    for v in versions:
        if (v.image.width, v.image.height) == (ref.width, ref.height):
            usable.append(v)
            continue
        name = shard_names[v.shard]
        conflicts.append(
            Conflict(
                "image_size_mismatch",
                f"{file_name}: {name} has it as {v.image.width}x{v.image.height}, expected "
                f"{ref.width}x{ref.height}; that version ({len(v.objects)} objects) is left out",
                file_name,
                [name],
            )
        )
        left_out += [left_out_entry(name, file_name, a, c, v.image) for a, c in v.objects]
    return usable, conflicts, left_out


def _tagged_objects(
    side_by_side: list[tuple[Version, list[bytes]]],
    base_keys: dict[bytes, int] | None,
    base_ids: set[int],
    shard_names: list[str],
    annotators: list[str | None],
) -> list[tuple[Annotation, str, bool]]:
    """Every version's objects, each tagged with its annotator (kept side by side until a consensus). An
    object the base holds keeps its id (its copies in the other versions take new ones, no conflict); without
    a base, so does one every shard of the image records as dealt out (``Version.dealt_ids``): changed by
    one annotator, it is still the object dealt out, not a new one whose id collides (merged ``--into``, it
    was not)."""
    objects = []
    # an object found unchanged in several versions is one object copied, not an id collision
    copies = Counter((a.id, k) for v, keys in side_by_side for (a, _), k in zip(v.objects, keys, strict=True))
    # the split dealt every version of the image the same objects: an id one shard's record alone claims (a
    # hand-edited shard taking another annotator's new object's id) is no object dealt out
    dealt = frozenset.intersection(*(v.dealt_ids for v, _ in side_by_side)) if side_by_side else frozenset()
    for v, keys in side_by_side:
        who = annotators[v.shard] or shard_names[v.shard]
        held = base_ids if base_keys is not None else dealt
        own_keys = base_keys if base_keys is not None else _as_dealt(v, keys)
        for (a, c), k in zip(v.objects, keys, strict=True):
            obj, cat, keeps = _own(a, c, k, own_keys, held, annotators[v.shard])
            obj.app_extra[ANNOTATOR_KEY] = who
            objects.append((obj, cat, keeps or copies[a.id, k] > 1))
    return objects


def _stamped(
    v: Version, keys: list[bytes], base_keys: dict[bytes, int], annotator: str | None
) -> list[bytes]:
    """A version's object keys as merging it would put them in the base (``_own``: an object the base does
    not hold takes the annotator as author), so the same shard merged again is seen to be there already
    rather than to replace the base's version of it (a conflict, with its objects "left out")."""
    if annotator is None:
        return keys
    out = []
    for (a, c), k in zip(v.objects, keys, strict=True):
        if k not in base_keys:
            a = copy_annotation(a)
            a.author = annotator
            k = content_key(a, c)
        out.append(k)
    return out


def _as_dealt(v: Version, keys: list[bytes]) -> dict[bytes, int] | None:
    """Without a base: the keys of ``v``'s objects still as the split dealt them out, as a base holding
    them would give them (``_own``), so that merging with or without ``--into`` credits the same author -
    the objects a shard left alone keep theirs, the ones it added take its annotator. The shard's record
    tells them (``at_split``, ``dealt_ids``) when every object dealt out is unchanged; None when it cannot
    (one changed or deleted, a split that recorded neither)."""
    if v.at_split is None:
        return None
    if image_fingerprint(v.as_split(v.objects)) == v.at_split:  # left as dealt: every object the split's
        return dict.fromkeys(keys, 0)
    dealt = [(o, k) for o, k in zip(v.objects, keys, strict=True) if o[0].id in v.dealt_ids]
    if image_fingerprint(v.as_split([o for o, _ in dealt])) != v.at_split:
        return None
    return dict.fromkeys((k for _, k in dealt), 0)


def _own(
    a: Annotation,
    category: str,
    key: bytes | None,
    base_keys: dict[bytes, int] | None,
    base_ids: set[int],
    annotator: str | None,
) -> tuple[Annotation, str, bool]:
    """A copy of a shard's object. With a base (or the shard's record of what it was dealt, ``_as_dealt``),
    objects added or changed in the shard get the shard's annotator as author; without either (what was
    added cannot be known) only objects without an author."""
    obj = copy_annotation(a)
    if annotator is not None:
        if base_keys is None:
            obj.author = obj.author or annotator
        elif key not in base_keys:
            obj.author = annotator
    return obj, category, a.id in base_ids
