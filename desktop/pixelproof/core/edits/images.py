"""Edits of the image list: add images (a merge, ``pixelproof add``), point images at their moved files."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from pixelproof.core.edits.base import (
    CATEGORY,
    IMAGE,
    IMAGE_ADDED,
    IMAGE_MOVED,
    IMAGE_REMOVED,
    Change,
    Changes,
    Edit,
    applied,
    require,
    restore_order,
)
from pixelproof.core.model import ImageRecord, Project
from pixelproof.core.paths import Rebased, name_parts, project_folder
from pixelproof.core.run_ids import RUN, only_images
from pixelproof.core.shard_match import COPY, FILES_AT_SPLIT
from pixelproof.core.wording import plural


class AddImages(Edit):
    """Add images at the end of the list; revert removes them (their annotations must be gone first, as a
    Compound that added them after the images reverts them before). The outside marks of the videos they
    join keep to their frame files (``core.outside_follow.renumbered``: an image added to a folder shifts
    the frame places after it); revert puts the marks back as they were."""

    def __init__(self, images: Iterable[ImageRecord], label: str | None = None) -> None:
        self.images = [replace(im, extra=dict(im.extra)) for im in images]
        n = len(self.images)
        self.label = label or f"Add {plural(n, 'image')}"
        self._done: bool | None = None  # after apply: whether the project had an image_status map
        self._run: tuple[object, list[str]] | None = None  # the run record a new id was named in, key order
        self._marks: Edit | None = None  # the outside marks renumbered (a SetOutsideMarks), when any moved

    def apply(self, project: Project) -> Changes:
        ids = [im.id for im in self.images]
        require(len(set(ids)) == len(ids), "the same image id is added twice")
        taken = [i for i in ids if i in project.images]
        require(not taken, f"image id {taken[:1]} already exists")
        new, before = set(ids), (copy.deepcopy(project.app.get(RUN)), list(project.app))
        only_images(project.app, lambda i: i not in new)  # a removed image's id: the new image is not done
        self._run = None if project.app.get(RUN) == before[0] else before
        before = list(project.images.values())
        for im in self.images:
            project.add_image(replace(im, extra=dict(im.extra)))
        self._done = "image_status" in project.app
        changes = Changes(Change(IMAGE_ADDED, image_id=im.id) for im in self.images)
        self._marks = _marks_follow(project, before, self.label, ids[0] if ids else -1)
        return Changes([*changes, *(self._marks.apply(project) if self._marks is not None else [])])

    def revert(self, project: Project) -> Changes:
        applied(self._done)
        marks = self._marks.revert(project) if self._marks is not None else []
        for im in reversed(self.images):
            require(not project.annotation_count(im.id), f"image {im.id} still has annotations")
            project.remove_image(im.id)
        if not self._done and not project.app.get("image_status"):
            project.app.pop("image_status", None)  # remove_image made it; it was not there before
        if self._run is not None:
            project.app[RUN], order = copy.deepcopy(self._run[0]), self._run[1]
            restore_order(project.app, order)
        return Changes([*marks, *(Change(IMAGE_REMOVED, image_id=im.id) for im in reversed(self.images))])


def _marks_follow(project: Project, before: list[ImageRecord], label: str, image_id: int) -> Edit | None:
    """The edit that renumbers the outside marks of the videos whose images are now the project's instead
    of ``before`` (None: no mark moves)."""
    from pixelproof.core.outside_follow import renumbered  # track_outside imports the edits: not at the top
    from pixelproof.core.track_outside import SetOutsideMarks, outside_marks

    marks = outside_marks(project)
    found = renumbered(marks, before, project.images.values()) if marks else None
    return None if found is None else SetOutsideMarks(found, image_id, label)


_NONE = object()  # no copy recorded before


def _files_at_split(project: Project) -> dict:
    """The shard's ``files_at_split`` (an empty dict when the project is no shard that records them)."""
    info = project.app.get("shard")
    files = info.get(FILES_AT_SPLIT) if isinstance(info, dict) else None
    return files if isinstance(files, dict) else {}


class RelocateImages(Edit):
    """Give images new ``file_name``s (their files were moved: ``image_folder.find_moved``); revert gives
    back the names as they were. Taxonomy examples that name a relocated image follow it. ``copies``: on
    a shard, what it records of each copy relocated to (``shard_match.check_copies``), so merge can tell
    a copy sent back without its file. Its names start from the project's folder when it last applied or
    reverted: after a Save As to another folder, an undo or redo first renames them as the save renamed the
    project's (``_follow``), so the images keep their files and the marks their folders."""

    def __init__(
        self, names: dict[int, str], label: str | None = None, copies: dict[int, dict] | None = None
    ) -> None:
        self.names = {int(iid): str(name) for iid, name in names.items()}
        self.copies = {iid: c for iid, c in (copies or {}).items() if iid in self.names}
        self._copies_before: dict[int, object] = {}
        n = len(self.names)
        self.label = label or f"Relocate {plural(n, 'image')}"
        self._before: dict[int, str] | None = None
        self._examples: list[tuple[int, object]] = []  # category id, its examples list before
        self._folder: object = _NONE  # the project's folder the names start from (None: never saved)

    def _follow(self, project: Project) -> None:
        """The names as they read from the project's folder now (a Save As moved it since)."""
        now = project_folder(project.path)
        if isinstance(self._folder, Path) and (move := Rebased(self._folder, now)).moves:
            self.names = {iid: move.name(name) for iid, name in self.names.items()}
            if self._before is not None:
                self._before = {iid: move.name(name) for iid, name in self._before.items()}
            self._examples = [(cid, _examples_moved(examples, move)) for cid, examples in self._examples]
        self._folder = now

    def apply(self, project: Project) -> Changes:
        self._follow(project)
        missing = [iid for iid in self.names if iid not in project.images]
        require(not missing, f"image {missing[:1]} does not exist")
        self._before = {iid: project.images[iid].file_name for iid in self.names}
        renamed = {self._before[iid]: name for iid, name in self.names.items()}
        changes = Changes()
        self._examples = []
        for c in project.categories.values():
            examples = c.app_extra.get("examples")
            if not isinstance(examples, list):
                continue
            named = [isinstance(e, dict) and e.get("file_name") in renamed for e in examples]
            if any(named):
                self._examples.append((c.id, examples))
                c.app_extra["examples"] = [
                    {**e, "file_name": renamed[e["file_name"]]} if hit else copy.deepcopy(e)
                    for e, hit in zip(examples, named, strict=True)
                ]
                changes.append(Change(CATEGORY, category_id=c.id))
        for iid, name in self.names.items():
            project.images[iid].file_name = name
            changes.append(Change(IMAGE_MOVED, image_id=iid))
        _move_marks(project, moved_folders(self._before, self.names))
        self._copies_before = {}
        for iid, record in self.copies.items():
            entry = _files_at_split(project).get(str(iid))
            if isinstance(entry, dict):
                self._copies_before[iid] = entry.get(COPY, _NONE)
                entry[COPY] = dict(record)
        return changes

    def revert(self, project: Project) -> Changes:
        applied(self._before)
        self._follow(project)
        for iid, name in self._before.items():  # type: ignore[union-attr]
            project.images[iid].file_name = name
        _move_marks(project, moved_folders(self.names, self._before))  # type: ignore[arg-type]
        for cid, examples in self._examples:
            project.categories[cid].app_extra["examples"] = examples
        for iid, before in self._copies_before.items():
            entry = _files_at_split(project)[str(iid)]
            if before is _NONE:
                del entry[COPY]
            else:
                entry[COPY] = before
        changes = Changes(Change(CATEGORY, category_id=cid) for cid, _e in self._examples)
        return Changes([*changes, *(Change(IMAGE_MOVED, image_id=iid) for iid in self.names)])


def _examples_moved(examples: object, move: Rebased) -> object:
    """A category's taxonomy examples list (an undo step's snapshot) with its image names as ``move`` reads
    them, as Save As renames the project's."""
    if not isinstance(examples, list):
        return examples
    return [
        {**e, "file_name": move.name(e["file_name"])}
        if isinstance(e, dict) and isinstance(e.get("file_name"), str)
        else e
        for e in examples
    ]


def moved_folders(before: dict[int, str], after: dict[int, str]) -> dict[str, str]:
    """Old folder -> new (``frame_sequences.sequence_name``'s text) of the images renamed from ``before`` to
    ``after`` (image id -> file name), for the folders whose images all went to one folder."""
    found: dict[str, set[str]] = {}
    for iid, old in before.items():
        found.setdefault("/".join(name_parts(old)[:-1]), set()).add("/".join(name_parts(after[iid])[:-1]))
    return {old: next(iter(new)) for old, new in found.items() if len(new) == 1}


def _move_marks(project: Project, folders: dict[str, str]) -> None:
    """The outside marks of the videos moved name their new folder (``core.track_outside``)."""
    from pixelproof.core.track_outside import rebase_sequences  # it imports the edits: here, not at the top

    rebase_sequences(project, folders)


class RecordTime(Edit):
    """Add ``seconds`` to the time ``author`` spent on an image (``pixelproof.time_spent``, for the
    honeypot scorecards). The app applies it when the user leaves an image; it is not an undo step."""

    def __init__(self, image_id: int, author: str, seconds: float) -> None:
        self.image_id = image_id
        self.author = author
        self.seconds = float(seconds)
        self.label = "Record time"
        self._before: tuple[object, object] | None = None

    def apply(self, project: Project) -> Changes:
        require(self.image_id in project.images, f"image {self.image_id} does not exist")
        require(self.seconds >= 0 and self.seconds < 1e9, f"time spent must be >= 0 s, got {self.seconds}")
        spent = project.app.get("time_spent")
        entry = spent.get(str(self.image_id)) if isinstance(spent, dict) else None
        self._before = (copy.deepcopy(spent), list(project.app))
        spent = project.app.setdefault("time_spent", {}) if isinstance(spent, dict) else {}
        project.app["time_spent"] = spent
        entry = dict(entry) if isinstance(entry, dict) else {}
        entry[self.author] = round(float(entry.get(self.author, 0.0)) + self.seconds, 1)
        spent[str(self.image_id)] = entry
        return Changes([Change(IMAGE, image_id=self.image_id)])

    def revert(self, project: Project) -> Changes:
        restore_time_spent(project, self._before)
        return Changes([Change(IMAGE, image_id=self.image_id)])


class SetTimeSpent(Edit):
    """Set the seconds per author of some images (a merge brings the figures its shards recorded with
    ``RecordTime``); images not named keep theirs. Not an undo step of its own: part of the merge's."""

    def __init__(self, spent: dict[int, dict[str, float]], label: str = "Set time spent") -> None:
        self.spent = {int(iid): dict(per_author) for iid, per_author in spent.items()}
        self.label = label
        self._before: tuple[object, object] | None = None

    def apply(self, project: Project) -> Changes:
        missing = [iid for iid in self.spent if iid not in project.images]
        require(not missing, f"image {missing[:1]} does not exist")
        current = project.app.get("time_spent")
        self._before = (copy.deepcopy(current), list(project.app))
        spent = dict(current) if isinstance(current, dict) else {}
        for iid, per_author in self.spent.items():
            spent[str(iid)] = dict(per_author)
        project.app["time_spent"] = spent
        return Changes(Change(IMAGE, image_id=iid) for iid in self.spent)

    def revert(self, project: Project) -> Changes:
        restore_time_spent(project, self._before)
        return Changes(Change(IMAGE, image_id=iid) for iid in self.spent)


def restore_time_spent(project: Project, before: tuple[object, object] | None) -> None:
    """Undo of a time edit: the ``time_spent`` table and the order of ``project.app``'s keys as they
    were before it (``before`` as its ``apply`` saved them)."""
    applied(before)
    spent, order = before  # type: ignore[misc]
    if spent is None:
        project.app.pop("time_spent", None)
    else:
        project.app["time_spent"] = copy.deepcopy(spent)
    restore_order(project.app, order)  # type: ignore[arg-type]
