"""Locked objects on overlap images (``core.object_lock``): a lead locks the objects checked so far before a
``split``, every shard carries the lock, and on an overlap image each annotator's copy arrives locked. Every
copy is then the one object the lead checked, so their consensus is that object: the consensus object takes
its exact shape and class (not a mean of corners or a STAPLE mask, which could differ from it by rounding)
and its lock, and accepting the consensus replaces the locked copies by it - the lock's protection, against
an accidental change of a checked object, holds, as the object does not change.

That holds only where every annotator's copy is the same object. Where a copy is locked but another
annotator moved, reshaped, reclassified or deleted theirs (having unlocked it), the consensus would change
or drop a checked object: accepting it is refused naming the locked copy (``LockedError``), and the lead
looks, then unlocks the copies (``pixelproof unlock``, Alt+L) to accept."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import TYPE_CHECKING

from pixelproof.core.object_lock import LOCKED, is_locked, same_shape, with_locked

if TYPE_CHECKING:
    from pixelproof.core.model import Annotation, Project
    from pixelproof.core.qa_objects import ImageObject


def locked_object(chosen: list[ImageObject], annotators: int) -> Annotation | None:
    """The consensus object of a unit when every one of the ``annotators`` drew it as the same object (shape
    and class) and a copy of it is locked: that object, locked (id 0); else None (worked out as usual)."""
    from pixelproof.core.model import Annotation

    if len(chosen) != annotators or not any(o.ann.app_extra and is_locked(o.ann) for o in chosen):
        return None
    first = chosen[0]
    if any(o.category != first.category or not _same_geometry(first.ann, o.ann) for o in chosen[1:]):
        return None
    a = first.ann
    out = Annotation(0, 0, 0, list(a.bbox), copy.deepcopy(a.segmentation), a.area)
    out.app_extra[LOCKED] = True
    return out


def _same_geometry(a: Annotation, b: Annotation) -> bool:
    return (
        a.bbox == b.bbox and a.area == b.area and a.iscrowd == b.iscrowd and a.segmentation == b.segmentation
    )


def unlock_replaced(
    project: Project, kept: Iterable[Annotation], of: dict[int, list[int]]
) -> list[Annotation]:
    """The locked copies each kept locked consensus object (``of``: its id -> the copies it summarises)
    replaces with its very shape and class, unlocked: accepting the consensus unlocks them before deleting
    them (one undoable edit), so the lock refuses only the deletion of a copy whose object would change."""
    anns = project.annotations
    out: list[Annotation] = []
    for c in kept:
        if not is_locked(c):
            continue
        for i in of.get(c.id, ()):
            a = anns.get(i)
            if a is not None and a.app_extra and is_locked(a) and same_shape(a, c):
                b = with_locked(a, False)
                if b is not None:
                    out.append(b)
    return out
