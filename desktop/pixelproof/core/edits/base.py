"""What every edit shares: the record of what it touched (:class:`Change`), the :class:`Edit` protocol and
:class:`Compound`, several edits as one."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pixelproof.core.model import LAST_ANNOTATION_ID, LAST_CATEGORY_ID, LAST_IMAGE_ID, Project

# Change kinds. The annotation ones carry image_id and annotation_id; "category" a category_id;
# "image" (status, whole-image review decision, time spent) an image_id; "image_added" / "image_removed"
# (the image list itself: a merge brings images, its undo takes them away) an image_id; "reference" nothing.
ANNOTATION_ADDED = "annotation_added"
ANNOTATION_CHANGED = "annotation_changed"
ANNOTATION_REMOVED = "annotation_removed"
ANNOTATION_ORDER = "annotation_order"  # an image's stacking changed (Bring to Front): its image_id only
CATEGORY = "category"
IMAGE = "image"
IMAGE_ADDED = "image_added"
IMAGE_REMOVED = "image_removed"
IMAGE_MOVED = "image_moved"  # an image's file_name changed (relocated): its pixels come from elsewhere
REFERENCE = "reference"


@dataclass(frozen=True, slots=True)
class Change:
    """One thing an edit did to the project, by id (a viewer looks the current state up itself)."""

    kind: str
    image_id: int = -1
    annotation_id: int = -1
    category_id: int = -1


class Changes(list[Change]):
    """The changes of one apply or revert, in the order they happened."""

    def annotation_ids(self, kind: str | None = None) -> list[int]:
        """Annotation ids touched (of one kind, e.g. ``ANNOTATION_ADDED``), in order, without repeats."""
        kinds = (ANNOTATION_ADDED, ANNOTATION_CHANGED, ANNOTATION_REMOVED) if kind is None else (kind,)
        return list(dict.fromkeys(c.annotation_id for c in self if c.kind in kinds))

    @property
    def image_ids(self) -> list[int]:
        """Images whose annotations, status or review decision changed."""
        return list(dict.fromkeys(c.image_id for c in self if c.image_id != -1))

    @property
    def category_ids(self) -> list[int]:
        return list(dict.fromkeys(c.category_id for c in self if c.kind == CATEGORY))

    def annotation(self, kind: str, image_id: int, annotation_id: int) -> None:
        self.append(Change(kind, image_id=image_id, annotation_id=annotation_id))


_ABSENT = object()
_MARKS = (LAST_ANNOTATION_ID, LAST_IMAGE_ID, LAST_CATEGORY_ID)
_NO_MARKS = (_ABSENT,) * len(_MARKS)  # shared: an undo step of a project with no marks holds nothing for them


def _marks_of(project: Project) -> tuple[Any, ...]:
    """The ``LAST_*_ID`` marks as found (``_ABSENT``: none), in ``_MARKS`` order: a tuple, not a dict, since
    every undo step keeps one (tests/core/test_undo_memory.py)."""
    found = tuple(project.app.get(k, _ABSENT) for k in _MARKS)
    return _NO_MARKS if found == _NO_MARKS else found


def _ids_kept(method: Callable, reverting: bool) -> Callable:
    """``method`` recording (apply) or restoring (revert) the ``LAST_*_ID`` marks; only the outermost call
    on an edit does (a subclass's apply may call its base's after it has removed objects). A mark is
    restored only as far as it frees no id the project file has held (see ``Edit.__init_subclass__``)."""

    @functools.wraps(method)
    def wrapper(self: Edit, project: Project) -> Changes:
        if self.__dict__.get("_ids_busy"):
            return method(self, project)
        self._ids_busy = True
        try:
            if not reverting:
                return _applied(self, method, project)
            changes = method(self, project)
            found = self.__dict__.get("_ids_before")
            if found is None:
                return changes
            before = dict(zip(_MARKS, found, strict=True))
            _put_marks(project, before)
            # what a redo sets back: the mark the undo raised stood in for an id the redo brings back
            if raised := project.keep_given_out(project.ids_in_file):
                self._ids_raised = {key: (mark, before[key]) for key, mark in raised.items()}
            return changes
        finally:
            self._ids_busy = False

    return wrapper


def _applied(edit: Edit, method: Callable, project: Project) -> Changes:
    """``method`` (an apply) run with the marks as its last apply found them, when its undo raised one to
    keep a held id given out and nothing moved it since (a redo): the id is back, so the project is the
    file again, byte for byte. Were it not back, the mark is raised again."""
    lowered = {}
    for key, (mark, under) in edit.__dict__.pop("_ids_raised", {}).items():
        if project.app.get(key, _ABSENT) == mark:
            lowered[key] = mark
            _put_marks(project, {key: under})
    edit._ids_before = _marks_of(project)
    try:
        changes = method(edit, project)
    except BaseException:
        _put_marks(project, lowered)  # it did not apply: the project as it was
        raise
    if lowered:
        project.keep_given_out(project.ids_in_file)
    return changes


def _put_marks(project: Project, marks: dict[str, Any]) -> None:
    """Set each ``LAST_*_ID`` mark (``_ABSENT``: none)."""
    for key, value in marks.items():
        if value is _ABSENT:
            project.app.pop(key, None)
        else:
            project.app[key] = value


class Edit:
    """A change to a Project that can be undone exactly.

    ``apply`` does it and returns the :class:`Changes`; ``revert`` undoes the last ``apply``. Both may be
    called alternately any number of times (undo / redo). An edit that cannot apply raises ``ValueError``
    and leaves the project as it was. ``label`` names it for an undo menu or a log.

    Two hints for a viewer (the CLI ignores them): ``focus`` lists the annotations to show selected after
    apply (None: leave the selection alone); ``revert_focus`` those to select after revert (None: the
    viewer's own selection from before the apply when there is a focus, else leave it alone).
    ``only_fills``: every object it adds or removes is a fill nobody changed (Fill Between Frames' own
    edit), so it edits no track's key and no refill follows it (``core.track_refill``): checking each of
    100,000 new objects was half a second.
    """

    label: str = "Edit"
    focus: list[int] | None = None
    revert_focus: list[int] | None = None
    only_fills: bool = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Every edit's revert puts the ``LAST_*_ID`` marks back as its apply found it: removing an object,
        image or class marks its id given out (``Project.remove_annotation``), and an undo restores the
        file exactly (undoing an unsaved drawing frees its id again; undoing a deletion brings the object
        back). Except that an undo never frees an id the project file has held (``Project.ids_in_file``,
        ``Project.keep_given_out``): an object, image or class added, saved, then undone leaves its id given
        out, since a shard split from that file, the change log and the file's "not a problem" decisions
        know the id as that one."""
        super().__init_subclass__(**kwargs)
        for name in ("apply", "revert"):
            method = cls.__dict__.get(name)
            if method is not None:
                setattr(cls, name, _ids_kept(method, reverting=name == "revert"))

    def apply(self, project: Project) -> Changes:
        raise NotImplementedError

    def revert(self, project: Project) -> Changes:
        raise NotImplementedError


class Compound(Edit):
    """Several edits as one: applied in order, reverted in reverse order. If a part cannot apply, the
    parts before it are reverted and the error is raised (all or nothing)."""

    def __init__(self, parts: Iterable[Edit], label: str = "Edit", focus: list[int] | None = None) -> None:
        self.parts = list(parts)
        self.label = label
        self.focus = focus

    def apply(self, project: Project) -> Changes:
        changes = Changes()
        done: list[Edit] = []
        try:
            for part in self.parts:
                changes += part.apply(project)
                done.append(part)
        except Exception:
            for part in reversed(done):
                part.revert(project)
            raise
        return changes

    def revert(self, project: Project) -> Changes:
        changes = Changes()
        for part in reversed(self.parts):
            changes += part.revert(project)
        return changes


def require(condition: bool, message: str) -> None:
    """Refuse an edit before it touches the project."""
    if not condition:
        raise ValueError(message)


def applied(state: object) -> None:
    """Refuse a revert without a prior apply."""
    if state is None:
        raise RuntimeError("revert() called before apply()")


def restore_order(mapping: dict, order: list) -> None:
    """Put ``mapping``'s keys back in ``order`` (others last): a saved file is then byte-identical."""
    if list(mapping) == order:
        return
    rank = {k: n for n, k in enumerate(order)}
    items = sorted(mapping.items(), key=lambda kv: rank.get(kv[0], len(rank)))
    mapping.clear()
    mapping.update(items)


def insert_before(mapping: dict, before: dict[Any, list]) -> None:
    """Move keys (present in ``mapping``) in front of others: ``before`` maps a key to those that go just
    before it. One pass over ``mapping``, nothing sorted, no object made per key (a million new tuples
    would set off full runs of the cyclic collector)."""
    moved = {k for run in before.values() for k in run}
    old = dict(mapping)
    mapping.clear()
    for k, v in old.items():
        if k not in moved:
            for m in before.get(k, ()):
                mapping[m] = old[m]
            mapping[k] = v
