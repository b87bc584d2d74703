"""Edit > Propagate (CVAT's Ctrl+B) and Edit > Keep Previous Objects (LabelMe's "Keep Previous Annotation"):
objects of one image copied onto other images - the following frames of a video, slices of a stack, photos of
an inspection line - as one edit, so one undo takes every copy back. No Qt.

The copies are the ones Edit > Paste makes (``core.clipboard``): same pixel position, cut to a smaller image
(an object with no pixel left inside is left out and counted), new ids, ``source`` "manual", no author (the
change log records who made the edit), unlocked, category and note kept. They are added by one
``AddAnnotations``, the edit drawing and pasting use. Beyond the paste's rules, a copy that would sit on an
object of the same class and geometry already there (``object_lock.same_shape``) is not added, and counted:
propagating twice, or over a frame labelled the same already, makes no duplicates.

Keep Previous Objects carries the objects of the image left to the next one when that one has no object at
all and is not marked done or reviewed (an empty frame someone finished is empty on purpose). It carries every
object but a model's proposals nobody decided and objects a reviewer rejected: neither is a label to repeat.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from pixelproof.core.clipboard import copy_annotations, give_ids, placed_copies
from pixelproof.core.edits import AddAnnotations
from pixelproof.core.image_order import row_after
from pixelproof.core.model import Project, is_pending_prediction, is_rejected
from pixelproof.core.object_lock import same_shape
from pixelproof.core.wording import plural


@dataclass(frozen=True)
class Propagated:
    """What a propagation adds (``edit`` None: nothing) and what it leaves out, for the message."""

    edit: AddAnnotations | None
    added: dict[int, int] = field(default_factory=dict)  # image id -> copies added there (0 not listed)
    identical: int = 0  # copies not added: an object of the same class and geometry is there already
    left_out: int = 0  # copies not added: no pixel of the object inside the (smaller) target image


def propagate(
    project: Project, image_id: int, ids: Iterable[int], targets: Iterable[int], label: str | None = None
) -> Propagated:
    """Copies of the objects ``ids`` of image ``image_id`` (others are ignored) on each image of ``targets``
    (the source image itself and unknown ids are skipped) as one ``AddAnnotations`` (see the module
    docstring). Raises IdsExhausted when the copies' ids do not all fit: nothing is made."""
    clip = copy_annotations(project, image_id, list(ids))
    images = [t for t in dict.fromkeys(targets) if t != image_id and t in project.images]
    copies, added = [], {}
    identical = left_out = 0
    for target in images if clip.annotations else []:
        placed = placed_copies(clip, project, target)
        left_out += placed.left_out
        there = [project.annotations[i] for i in project.annotation_ids_of(target)]
        new = [c for c in placed.annotations if not any(same_shape(o, c) for o in there)]
        identical += len(placed.annotations) - len(new)
        if new:
            copies += new
            added[target] = len(new)
    if not copies:
        return Propagated(None, {}, identical, left_out)
    give_ids(project, copies)
    n = plural(len(clip.annotations), "object")
    # the copies are new (``placed_copies`` clones the clipboard's), held by nobody else: the edit keeps them
    edit = AddAnnotations(copies, label or f"Propagate {n} to {plural(len(added), 'image')}", owned=True)
    return Propagated(edit, added, identical, left_out)


def following_images(
    order: Sequence[int], listed: Sequence[int], current: int, count: int | None = None
) -> list[int]:
    """The ``count`` (None: all) images after ``current`` in ``listed``, the image list as shown (``order``:
    the file order): those D steps to one after the other, fewer at the list's end."""
    row = row_after(order, listed, current)
    if row is None or (count is not None and count <= 0):
        return []
    return list(listed[row : len(listed) if count is None else row + count])


def kept_objects(project: Project, image_id: int) -> list[int]:
    """The objects Keep Previous Objects carries from image ``image_id``: all but a model's undecided
    proposals and rejected objects."""
    anns = (project.annotations[i] for i in project.annotation_ids_of(image_id))
    return [a.id for a in anns if not is_pending_prediction(a) and not is_rejected(a)]


def keep_previous(
    project: Project, previous: int, image_id: int, unfinished: Callable[[int], bool]
) -> Propagated | None:
    """Keep Previous Objects on moving from image ``previous`` to ``image_id``: the previous image's objects
    (``kept_objects``) copied onto it, or None when it is not to receive them (it has objects, or is
    finished: ``unfinished`` says which images are still to do)."""
    if image_id not in project.images or project.annotation_ids_of(image_id) or not unfinished(image_id):
        return None
    ids = kept_objects(project, previous) if previous in project.images else []
    if not ids:
        return None
    return propagate(project, previous, ids, [image_id], f"Keep {plural(len(ids), 'previous object')}")
