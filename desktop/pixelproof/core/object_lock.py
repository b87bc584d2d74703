"""Locked objects (CVAT's lock): ``"pixelproof": {"locked": true}`` on an annotation keeps its shape, class
and existence as they are. A reviewer locks the objects checked so far and edits the rest without changing
one by mistake (a drag that grabbed the wrong box, a Delete on a selection that held it, a brush stroke).

The rule lives at the edit layer (``core.edits``), so the app and every command keep it alike: an edit
that would move, resize, reshape, repaint, reclassify or delete a locked object is refused with a
``LockedError`` (a ValueError) naming the object, before it changes anything. What the lock leaves free:
the object's review state, note, CVAT attributes and occluded flag, and unlocking it (an edit that changes
nothing but the flag). Only ``true`` locks (as ``void``): an absent key - every file written before - is
unlocked. Unlocking removes the key, so lock + unlock gives the file back byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterable

from pixelproof.core.geometry import clone
from pixelproof.core.model import Annotation, Project

LOCKED = "locked"  # annotation app extra (under "pixelproof" in the file)


def is_locked(ann: Annotation) -> bool:
    return ann.app_extra.get(LOCKED) is True


def with_locked(ann: Annotation, locked: bool) -> Annotation | None:
    """A copy of ``ann`` locked or unlocked; None when it already is."""
    if is_locked(ann) == locked:
        return None
    out = clone(ann)
    if locked:
        out.app_extra[LOCKED] = True
    else:
        out.app_extra.pop(LOCKED, None)
    return out


class LockedError(ValueError):
    """An edit refused because it would change a locked object; ``annotation_id`` names it, ``doing`` what
    the edit would do to it ("delete", "paint", ...), so the app words its own message."""

    def __init__(self, ann: Annotation, doing: str) -> None:
        super().__init__(f"annotation {ann.id} is locked: unlock it to {doing} it")
        self.annotation_id = ann.id
        self.doing = doing


def require_unlocked(project: Project, ids: Iterable[int], doing: str) -> None:
    """Refuse (ValueError) when any of ``ids`` is a locked object of ``project``."""
    anns = project.annotations
    for i in ids:
        a = anns.get(i)
        if a is not None and a.app_extra and is_locked(a):
            raise LockedError(a, doing)


def same_shape(a: Annotation, b: Annotation) -> bool:
    """Whether ``b`` has ``a``'s geometry and class (what a lock keeps)."""
    return (
        a.category_id == b.category_id
        and a.bbox == b.bbox
        and a.area == b.area
        and a.iscrowd == b.iscrowd
        and a.segmentation == b.segmentation
    )


def require_kept(project: Project, after: Iterable[Annotation]) -> None:
    """Refuse replacing a locked object by one of another geometry or class (unlocking it is allowed: an
    edit that changes the flag alone)."""
    anns = project.annotations
    for b in after:
        a = anns.get(b.id)
        if a is not None and a.app_extra and is_locked(a) and not same_shape(a, b):
            raise LockedError(a, "move, reshape or reclassify")


def locked_among(project: Project, ids: Iterable[int]) -> list[int]:
    """Those of ``ids`` that are locked objects of ``project``, in order."""
    anns = project.annotations
    return [i for i in ids if (a := anns.get(i)) is not None and a.app_extra and is_locked(a)]
