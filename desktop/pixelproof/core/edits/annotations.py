"""Edits of annotations: add, remove, replace (any change of one object: shape, category, review, note)."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from pixelproof.core.cvat_attributes import attributes_after_move, declared_attributes
from pixelproof.core.dict_order import put_back, runs_out
from pixelproof.core.edits.base import (
    ANNOTATION_ADDED,
    ANNOTATION_CHANGED,
    ANNOTATION_REMOVED,
    Changes,
    Compound,
    Edit,
    applied,
    require,
)
from pixelproof.core.geometry import clone
from pixelproof.core.keypoints import require_same_keypoints
from pixelproof.core.limits import NAME_IN_TEXT
from pixelproof.core.model import Annotation, Project, utc_now
from pixelproof.core.names import shown_name
from pixelproof.core.object_lock import require_kept, require_unlocked
from pixelproof.core.wording import plural


def check_addable(project: Project, anns: list[Annotation], new_categories: Iterable[int] = ()) -> None:
    """Raise ValueError unless every annotation can be added (free id, known image and category)."""
    cats = set(new_categories)
    ids = [a.id for a in anns]
    require(len(set(ids)) == len(ids), "the same annotation id is added twice")
    taken, images, categories = project.annotations, project.images, project.categories
    for a in anns:  # a message is made for an offender only (thousands of predictions an image)
        if a.id in taken:
            raise ValueError(f"annotation id {a.id} already exists")
        if a.image_id not in images:
            raise ValueError(f"annotation {a.id}: image {a.image_id} does not exist")
        if a.category_id not in categories and a.category_id not in cats:
            raise ValueError(f"annotation {a.id}: category {a.category_id} does not exist")


class AddAnnotations(Edit):
    """Add new annotations (drawn, pasted, predicted) at the end of the file order.

    ``owned``: ``anns`` were made for this edit and nobody else holds them (a fill's, a paste's new
    objects), so the edit keeps them as they are instead of a copy; apply still gives the project copies,
    so later edits of the project's objects never reach the edit's (undo stays exact). Copying 100,000
    new objects twice held the window ~0.5 s more."""

    def __init__(
        self, anns: Iterable[Annotation], label: str = "Add annotation", owned: bool = False
    ) -> None:
        self.annotations = list(anns) if owned else [clone(a) for a in anns]
        self.label = label
        self.focus = [a.id for a in self.annotations]
        self._done: bool | None = None

    def apply(self, project: Project) -> Changes:
        check_addable(project, self.annotations)
        changes = Changes()
        for a in self.annotations:
            project.add_annotation(clone(a))  # the project gets its own copy: later edits cannot reach ours
            changes.annotation(ANNOTATION_ADDED, a.image_id, a.id)
        self._done = True
        return changes

    def revert(self, project: Project) -> Changes:
        applied(self._done)
        changes = Changes()
        for a in reversed(self.annotations):
            project.remove_annotation(a.id)
            changes.annotation(ANNOTATION_REMOVED, a.image_id, a.id)
        return changes


class RemoveAnnotations(Edit):
    """Delete annotations; revert puts them back with the same ids and pixels, in the same file order and
    in the same places in their images' lists.

    It keeps the removed objects and where each run of them stood (not the order of the whole project: a
    copy per deletion, 8 MB each in a project of a million objects); its revert moves only the objects after
    the first one put back, in C (``dict_order.put_back``)."""

    def __init__(self, ids: Iterable[int], label: str | None = None) -> None:
        self.ids = list(dict.fromkeys(ids))
        n = len(self.ids)
        self.label = label or f"Delete {plural(n, 'annotation')}"
        self._removed: list[Annotation] | None = None
        self._runs: list[tuple[int, int]] = []  # (place among the objects kept, count): in the file order
        self._image_runs: dict[int, list[tuple[int, int]]] = {}  # the same in each image's list

    @property
    def revert_focus(self) -> list[int]:  # type: ignore[override]
        """The annotations revert brings back, in file order."""
        return self.ids if self._removed is None else [a.id for a in self._removed]

    @property
    def removed(self) -> list[Annotation]:
        """The objects the last apply removed, as they were (none before an apply): what a follow-up of
        the deletion reads of them (``core.track_refill``: was it a track's key)."""
        return list(self._removed or [])

    def apply(self, project: Project) -> Changes:
        missing = [i for i in self.ids if i not in project.annotations]
        require(not missing, f"annotation {missing[:1]} does not exist")
        require_unlocked(project, self.ids, "delete")
        wanted = set(self.ids)
        self._runs, order = runs_out(project.annotations, wanted)  # one pass: file order, where runs stood
        self._removed = [project.annotations[i] for i in order]
        images = dict.fromkeys(a.image_id for a in self._removed)
        self._image_runs = {i: runs_out(project.annotation_ids_of(i), wanted)[0] for i in images}
        changes = Changes()
        for a in self._removed:
            project.remove_annotation(a.id)
            a.forget_pixels()
            changes.annotation(ANNOTATION_REMOVED, a.image_id, a.id)
        return changes

    def revert(self, project: Project) -> Changes:
        applied(self._removed)
        changes = Changes()
        for a in self._removed:  # type: ignore[union-attr]
            project.add_annotation(clone(a))  # last in the file and in its image's list, then in place
            changes.annotation(ANNOTATION_ADDED, a.image_id, a.id)
        put_back(project.annotations, self._runs)
        for image_id, runs in self._image_runs.items():
            project.put_back_annotations(image_id, runs)
        return changes


class ReplaceAnnotations(Edit):
    """Replace annotations by edited versions (same ids, same images), each keeping its place in the file.

    ``touch`` stamps ``updated`` with the time the edit was made. Consecutive edits of the same objects
    may be folded into one with :meth:`merge_with` (arrow-key nudges are one undo step)."""

    def __init__(
        self, after: Iterable[Annotation], label: str = "Edit annotation", touch: bool = True
    ) -> None:
        self.after = [clone(a) for a in after]
        if touch:
            now = utc_now()
            for a in self.after:
                a.updated = now
        self.label = label
        self.focus = self.revert_focus = [a.id for a in self.after]
        self._before: list[Annotation] | None = None

    @property
    def before(self) -> list[Annotation]:
        """The objects as the last apply found them (none before an apply): what a follow-up of the edit
        reads of them (``core.track_refill``: the track a key left)."""
        return list(self._before or [])

    def apply(self, project: Project) -> Changes:
        for a in self.after:
            old = project.annotations.get(a.id)
            require(old is not None, f"annotation {a.id} does not exist")
            require(old.image_id == a.image_id, f"annotation {a.id}: an annotation cannot change image")  # type: ignore[union-attr]
            require(
                a.category_id in project.categories,
                f"annotation {a.id}: category {a.category_id} does not exist",
            )
        require_kept(project, self.after)
        self._before = [project.annotations[a.id] for a in self.after]
        for a in self._before:
            a.forget_pixels()
        return self._put(project, self.after)

    def revert(self, project: Project) -> Changes:
        applied(self._before)
        return self._put(project, self._before)  # type: ignore[arg-type]

    @staticmethod
    def _put(project: Project, anns: list[Annotation]) -> Changes:
        changes = Changes()
        for a in anns:
            project.replace_annotation(clone(a))
            changes.annotation(ANNOTATION_CHANGED, a.image_id, a.id)
        return changes

    def merge_with(self, other: Edit) -> bool:
        """Take ``other``'s result as this edit's when it edits the same objects (already applied)."""
        if not isinstance(other, ReplaceAnnotations) or [a.id for a in other.after] != self.focus:
            return False
        self.after = other.after
        return True


class SetCategory(Edit):
    """Give objects another category (1-9 on a selection, a class merged into another). It keeps each
    object's old category and ``updated`` only: a copy of every object before and after was 1.3 kB an
    object, 63 MB of undo history for a class merge of 50,000 polygons."""

    def __init__(self, ids: Iterable[int], category_id: int, label: str = "Set category") -> None:
        self.ids = list(dict.fromkeys(ids))
        self.category_id = category_id
        self.label = label
        self.focus = self.revert_focus = self.ids
        self._updated = utc_now()
        self._before: tuple[list[int], list[str | None]] | None = None
        self._attributes: dict[int, tuple[Any, Any]] = {}

    def apply(self, project: Project) -> Changes:
        require(self.category_id in project.categories, f"category {self.category_id} does not exist")
        anns = project.annotations
        missing = [i for i in self.ids if i not in anns]
        require(not missing, f"annotation {missing[:1]} does not exist")
        require_unlocked(
            project, (i for i in self.ids if anns[i].category_id != self.category_id), "reclassify"
        )
        require_same_keypoints(project, self.ids, self.category_id)  # a person's points never a dog's
        self._before = ([anns[i].category_id for i in self.ids], [anns[i].updated for i in self.ids])
        self._attributes = _moved_attributes(project, self.ids, self.category_id)
        after = {aid: new for aid, (_, new) in self._attributes.items()}
        return self._put(project, [self.category_id] * len(self.ids), [self._updated] * len(self.ids), after)

    def revert(self, project: Project) -> Changes:
        applied(self._before)
        before = {aid: old for aid, (old, _) in self._attributes.items()}
        return self._put(project, *self._before, before)  # type: ignore[misc]

    def left(self, reverted: bool = False) -> dict[int, int]:
        """Object id -> the category its last apply (or, ``reverted``, revert) took it out of."""
        applied(self._before)
        if reverted:
            return dict.fromkeys(self.ids, self.category_id)
        return dict(zip(self.ids, self._before[0], strict=True))  # type: ignore[index]

    def _put(
        self, project: Project, categories: list[int], updated: list[str | None], attributes: dict[int, Any]
    ) -> Changes:
        changes = Changes()
        for aid, category_id, stamp in zip(self.ids, categories, updated, strict=True):
            a = clone(project.annotations[aid])  # a new object, as every edit gives the project
            a.category_id, a.updated = category_id, stamp
            if aid in attributes:
                if attributes[aid] is _NONE:
                    a.app_extra.pop("attributes", None)
                else:
                    a.app_extra["attributes"] = copy.deepcopy(attributes[aid])
            project.replace_annotation(a)
            changes.annotation(ANNOTATION_CHANGED, a.image_id, aid)
        return changes


_NONE = object()  # an object that held no attributes


def _moved_attributes(project: Project, ids: list[int], category_id: int) -> dict[int, tuple[Any, Any]]:
    """Object id -> (the CVAT attributes it held, those it holds in ``category_id``) for the objects whose
    attributes change with their category (``attributes_after_move``, as CVAT changes a label). Only
    those are kept: a class merge of 50,000 objects without attributes keeps nothing more. A project whose
    labels declare no attribute at all (a CVAT-like file without a label list) has no declaration to
    follow: its objects keep what they hold."""
    if not any(declared_attributes(c) for c in project.categories.values()):
        return {}
    specs: dict[int, list] = {}

    def declared(cid: int) -> list:
        if cid not in specs:
            specs[cid] = declared_attributes(project.categories.get(cid))
        return specs[cid]

    out: dict[int, tuple[Any, Any]] = {}
    for aid in ids:
        a = project.annotations[aid]
        if a.category_id == category_id or not (a.app_extra.get("attributes") or declared(a.category_id)):
            continue
        after = attributes_after_move(a, declared(a.category_id), declared(category_id))
        if after is not None:
            held = a.app_extra.get("attributes", _NONE)
            out[aid] = (held if held is _NONE else copy.deepcopy(held), after or _NONE)
    return out


def set_category(project: Project, ids: Iterable[int], category_id: int) -> SetCategory | None:
    """The edit that gives ``ids`` another category, or None when nothing would change."""
    require(category_id in project.categories, f"category {category_id} does not exist")
    changed = [i for i in ids if project.annotations[i].category_id != category_id]
    if not changed:
        return None
    return SetCategory(
        changed,
        category_id,
        f"Set category to {shown_name(project.categories[category_id].name, NAME_IN_TEXT)}",
    )


def categories_left(edit: Edit, reverted: bool = False) -> dict[int, int]:
    """Object id -> the category ``edit`` (applied, or ``reverted`` just now) moved it out of, for the
    objects it gave another category (``SetCategory``, in a ``Compound`` too: a class merge, a delete that
    moves objects). A viewer compares the two for objects it does not draw (on images not shown)."""
    if isinstance(edit, SetCategory):
        return edit.left(reverted)
    out: dict[int, int] = {}
    parts = edit.parts if isinstance(edit, Compound) else []
    for part in reversed(parts) if reverted else parts:  # an object moved twice: where it first left
        for aid, category_id in categories_left(part, reverted).items():
            out.setdefault(aid, category_id)
    return out
