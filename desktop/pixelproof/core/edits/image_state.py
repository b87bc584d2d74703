"""Edits of per-image and project state: image status, whole-image review decision, QA reference, and the
review decision on objects or a whole image as one edit."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from pixelproof.core.channel_display import KEY as DISPLAY_KEY
from pixelproof.core.edits.annotations import ReplaceAnnotations
from pixelproof.core.edits.base import (
    IMAGE,
    REFERENCE,
    Change,
    Changes,
    Compound,
    Edit,
    applied,
    insert_before,
    require,
    restore_order,
)
from pixelproof.core.geometry import clone
from pixelproof.core.labels import set_review
from pixelproof.core.limits import MAX_NOTE, LimitError, short_repr
from pixelproof.core.model import IMAGE_STATES, REVIEW_STATES, Project, utc_now
from pixelproof.core.overlap_versions import CONSENSUS_KEY, OVERLAP_KEY
from pixelproof.core.wording import plural

_UNSET = object()


class _AppMapEntries(Edit):
    """Set or (with None) delete entries ``project.app[map_name][str(image_id)]`` of some images; revert
    restores the map as it was: the keys' old values and places, and the map's absence (or place) when the
    edit made or dropped it. It keeps the old values of its own keys only (a copy of the whole map was
    3.8 MB per status change in a project of 100,000 images)."""

    map_name = ""
    drop_empty = False  # remove the map when its last entry goes

    def __init__(self, values: dict[int, Any]) -> None:
        self.values = {int(i): copy.deepcopy(v) for i, v in values.items()}
        self._before: dict[str, Any] | object | None = _UNSET  # None: there was no map
        self._places: dict[str | None, list[str]] = {}  # deleted keys by the key they stood before
        self._app_order: list[str] = []

    def apply(self, project: Project) -> Changes:
        missing = [i for i in self.values if i not in project.images]
        require(not missing, f"image {missing[0] if missing else 0} does not exist")
        self._app_order = list(project.app)
        entries = project.app.get(self.map_name)
        if isinstance(entries, dict):  # entries are replaced, not edited: keep the old values as they are
            self._before = {k: entries.get(k, _UNSET) for k in map(str, self.values)}
            gone = {str(i) for i, v in self.values.items() if v is None and str(i) in entries}
            self._places = _places(entries, gone) if gone else {}
        else:
            self._before, self._places = None, {}
            entries = project.app[self.map_name] = {}
        for image_id, value in self.values.items():
            if value is None:
                entries.pop(str(image_id), None)
            else:
                entries[str(image_id)] = copy.deepcopy(value)
        if self.drop_empty and not entries:
            del project.app[self.map_name]
        return Changes(Change(IMAGE, image_id=i) for i in self.values)

    def revert(self, project: Project) -> Changes:
        applied(None if self._before is _UNSET else True)
        before = self._before
        if not isinstance(before, dict):
            project.app.pop(self.map_name, None)
        else:
            entries = project.app.setdefault(self.map_name, {})
            for key, old in before.items():
                if old is _UNSET:
                    entries.pop(key, None)
                elif key in entries:  # replaced: in its place
                    entries[key] = old
            for run in self._places.values():  # deleted: back at the end, then each run before its key
                for key in run:
                    entries[key] = before[key]
            insert_before(entries, {k: run for k, run in self._places.items() if k is not None})
        restore_order(project.app, self._app_order)
        return Changes(Change(IMAGE, image_id=i) for i in self.values)


def _places(entries: dict[str, Any], gone: set[str]) -> dict[str | None, list[str]]:
    """The keys of ``gone`` in runs, each by the key it stands before (None: the end), in map order."""
    places: dict[str | None, list[str]] = {}
    run: list[str] = []
    for key in entries:
        if key in gone:
            run.append(key)
        elif run:
            places[key], run = run, []
    if run:
        places[None] = run
    return places


class SetImageStatus(_AppMapEntries):
    """Set an image's status (todo / in_progress / done / reviewed), or forget it with None."""

    map_name = "image_status"

    def __init__(self, image_id: int, status: str | None) -> None:
        require(status is None or status in IMAGE_STATES, f"unknown image status {status!r}")
        super().__init__({image_id: status})
        self.image_id = image_id
        self.status = status
        self.label = f"Mark image as {status.replace('_', ' ')}" if status else "Forget image status"


class SetImageReview(_AppMapEntries):
    """Set (or with None forget) the whole-image review decision ``pixelproof.image_review[image_id]``."""

    map_name = "image_review"
    drop_empty = True

    def __init__(self, image_id: int, entry: dict[str, Any] | None) -> None:
        super().__init__({image_id: entry})
        self.image_id = image_id
        self.label = "Review image"


class SetChannelDisplay(_AppMapEntries):
    """Save (or with None forget) images' display settings in the project (``pixelproof.channel_display``,
    ``core.channel_display``): a change of the shared project file, so one undo step and the project
    unsaved, unlike a slider moved in Brightness / Contrast, which is the viewer's own."""

    map_name = DISPLAY_KEY
    drop_empty = True

    def __init__(self, values: dict[int, dict[str, Any] | None], label: str = "") -> None:
        super().__init__(values)
        n = len(values)
        self.label = label or f"Save display settings of {plural(n, 'image')} to the project"


class SetReference(Edit):
    """Point the project at another QA reference (``pixelproof.reference``: a project or a dataset in any
    readable format) and, when the user named it, its format (``pixelproof.reference_format``; without
    one the format is detected from the reference's layout)."""

    def __init__(self, reference: str | None, fmt: str | None = None) -> None:
        self.reference = reference
        self.fmt = fmt if reference else None
        self.label = "Set reference" if reference else "Forget reference"
        self._before: Any = _UNSET
        self._before_fmt: Any = None

    def apply(self, project: Project) -> Changes:
        self._app_order = list(project.app)
        self._before = project.reference
        self._before_fmt = project.app.get("reference_format")
        project.reference = self.reference
        if self.fmt is None:
            project.app.pop("reference_format", None)
        else:
            project.app["reference_format"] = self.fmt
        return Changes([Change(REFERENCE)])

    def revert(self, project: Project) -> Changes:
        applied(None if self._before is _UNSET else True)
        project.reference = self._before
        if self._before_fmt is None:
            project.app.pop("reference_format", None)
        else:
            project.app["reference_format"] = self._before_fmt
        restore_order(project.app, self._app_order)
        return Changes([Change(REFERENCE)])


class ReviewDecision(Compound):
    """Accept or reject objects (``review`` + ``note`` on the annotations), or a whole image: its undecided
    objects get the decision, the image gets ``pixelproof.image_review`` {review, note, updated} and the
    status "reviewed". ``focus`` holds the objects whose decision changed. A new note holds at most
    ``MAX_NOTE`` characters (refused with a ``LimitError`` naming the image, else a script stored 1 MB);
    a longer note already on an object (made before the limit, or by hand) is kept as it is."""

    def __init__(
        self,
        project: Project,
        image_id: int,
        decision: str,
        note: str = "",
        ann_ids: Iterable[int] | None = None,
    ) -> None:
        require(decision in REVIEW_STATES, f"unknown review decision {decision!r}")
        require(image_id in project.images, f"image {image_id} does not exist")
        whole = ann_ids is None
        ids = [a.id for a in project.annotations_of(image_id)] if ann_ids is None else list(ann_ids)
        if len(note) > MAX_NOTE:  # the app's field stops there; a script or command gets this
            where = f"image {image_id} ({project.images[image_id].file_name})"
            if not whole:
                where += f", objects {short_repr(ids)}" if len(ids) > 1 else f", object {ids[0]}"
            raise LimitError(
                where,
                f"a review note holds at most {MAX_NOTE:,} characters; this one has {len(note):,} "
                "(nothing was changed)",
            )
        what = "image" if whole else ("object" if len(ids) == 1 else f"{len(ids)} objects")
        label = f"{'Accept' if decision == 'accepted' else 'Reject'} {what}"
        changed = []
        for i in ids:
            a = project.annotations[i]
            if whole and a.review in ("accepted", "rejected"):
                continue  # an explicit object decision outlives the image's
            b = clone(a)
            set_review(b, decision)
            if note and not whole:
                b.note = note
            changed.append(b)
        parts: list[Edit] = [ReplaceAnnotations(changed, label)] if changed else []
        if whole:
            entry = {"review": decision, "updated": utc_now()}
            if note:
                entry["note"] = note
            parts += [SetImageStatus(image_id, "reviewed"), SetImageReview(image_id, entry)]
        super().__init__(parts, label, focus=[a.id for a in changed] or None)
        self.revert_focus = self.focus


class SetOverlapAnnotators(_AppMapEntries):
    """Set (or with None forget, once its consensus is accepted) who labelled an overlap image whose versions
    a merge kept side by side, ``pixelproof.overlap_annotators[image_id]``: an annotator who drew nothing
    there is a rater of it too (``agreement.raters_from_merged``)."""

    map_name = OVERLAP_KEY
    drop_empty = True

    def __init__(self, values: dict[int, list[str] | None], label: str = "Set overlap annotators") -> None:
        super().__init__(values)
        self.label = label


class SetConsensusMethod(_AppMapEntries):
    """Mark images whose consensus was worked out (``pixelproof.consensus[image_id]`` = the method), an
    empty one too (no object drawn by most annotators), or with None forget it (accepted)."""

    map_name = CONSENSUS_KEY
    drop_empty = True

    def __init__(self, values: dict[int, str | None], label: str = "Mark consensus") -> None:
        super().__init__(values)
        self.label = label
