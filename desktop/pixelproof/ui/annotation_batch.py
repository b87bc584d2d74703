"""One signal for an edit's many objects: ``Document.annotationsBatch`` carries the changes of a run of
object additions, changes and removals instead of one ``annotationAdded`` / ``annotationChanged`` /
``annotationRemoved`` each, when an edit touches at least ``BATCH_AT`` objects (a fill of 100,000 frames,
a paste or Propagate of many objects, Delete of thousands, their undo). Emitting one signal per object to
each receiver was ~1 s of a frozen window per 50,000 objects; a receiver of the batch does its work once
per image, or once."""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable

from pixelproof.core.edits import ANNOTATION_ADDED, ANNOTATION_CHANGED, ANNOTATION_REMOVED, Change, Changes

BATCH_AT = 100  # objects an edit touches from which they are announced as one batch
KINDS = frozenset((ANNOTATION_ADDED, ANNOTATION_CHANGED, ANNOTATION_REMOVED))

Slot = Callable[[int, int], object]


def each_change(
    changes: Iterable[Change], added: Slot | None, changed: Slot | None, removed: Slot | None
) -> None:
    """Call a receiver's per-object slot for each change of a batch, in order, as the per-object signals
    would have (None: the receiver does not follow that kind)."""
    slots = {ANNOTATION_ADDED: added, ANNOTATION_CHANGED: changed, ANNOTATION_REMOVED: removed}
    for change in changes:
        slot = slots[change.kind]
        if slot is not None:
            slot(change.image_id, change.annotation_id)


def touched_images(changes: Iterable[Change], kinds: Iterable[str] = KINDS) -> list[int]:
    """The images whose objects a batch added, changed or removed (of ``kinds``), each once, in order."""
    wanted = frozenset(kinds)
    return list(dict.fromkeys(c.image_id for c in changes if c.kind in wanted))


def settled(changes: Changes, present: Container[int]) -> Changes:
    """The changes receivers are told, which read each object from the project: an object's addition or
    change that a later part of the same edit undid by removing it is left out (its removal follows), and
    an object added and removed again within the edit is not announced at all. An edit adding, changing
    and removing the same objects (and its undo) raised KeyError in the canvas and the Annotations panel,
    which then showed objects that were gone and left others undrawn."""
    if all(
        c.kind not in (ANNOTATION_ADDED, ANNOTATION_CHANGED) or c.annotation_id in present for c in changes
    ):
        return changes
    out = Changes()
    born: set[int] = set()  # added, then gone by the edit's end: never announced
    for c in changes:
        if c.kind in (ANNOTATION_ADDED, ANNOTATION_CHANGED) and c.annotation_id not in present:
            if c.kind == ANNOTATION_ADDED:
                born.add(c.annotation_id)
            continue
        if c.kind == ANNOTATION_REMOVED and c.annotation_id in born:
            born.discard(c.annotation_id)
            continue
        out.append(c)
    return out


def change_runs(changes: Iterable[Change]) -> list[tuple[str, list[Change]]]:
    """A batch's changes as runs of one kind on one image, in order: a receiver that can take many objects
    at once (the canvas's layer) takes each run so, and the order of the kinds stays as it was."""
    runs: list[tuple[str, list[Change]]] = []
    for change in changes:
        last = runs[-1][1] if runs else None
        if last is not None and last[0].kind == change.kind and last[0].image_id == change.image_id:
            last.append(change)
        else:
            runs.append((change.kind, [change]))
    return runs
