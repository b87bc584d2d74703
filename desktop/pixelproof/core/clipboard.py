"""Copy and paste of annotations (Edit > Copy / Paste / Duplicate): the app's own clipboard, no Qt.

A :class:`Clipboard` holds deep copies of the copied objects as they were, the size of the image they
came from and their categories' names; it outlives image and project changes. :func:`paste` makes the
new objects for an image of any size - same pixel position, cut to the image (``geometry.placed_on``);
an object with nothing left inside is left out and counted. Categories: by id in the project copied
from, by name in another; one that cannot be found refuses the whole paste (:class:`PasteRefused`) -
no category is created behind the user's back, and no object is silently dropped for its category.

Keypoints follow the rule of a change of class (``keypoints.require_same_keypoints``): a copied object's
COCO keypoints are named by its category as it was when copied, and the target category must name the same
ones. One that names none, and holds no keypoints of its own, takes the copied category's names and skeleton
in the paste's undo step, as a taxonomy merge into it does (``keypoints.taking_keypoints``); one that names
others leaves that object out, saying why, and the others are pasted. A YOLO pose object's points are its
dataset's (``kpt_shape``, no names): into a project of another ``kpt_shape`` it is left out so, said.
Keypoints stay at their pixels on a smaller image (``geometry.placed_on``), not squeezed into the cut box.

A copy is a new manual object: new id, ``source`` "manual", no review state, score or author (the change
log records who pasted), a fresh ``updated``, unlocked (a lock says a reviewer checked that object where it
is; the copy elsewhere is unchecked); it keeps its category, crowd flag, note and attributes (extra
fields), but not the provenance keys that describe the original (``rle_origin`` is worked out anew, the
consensus / annotator tags of merges). Edit > Propagate and Keep Previous Objects make the same copies
(``core.propagate``). A video object's ``track_id`` goes with its copy onto another frame (the same object
there), but not onto an image already holding an object of that track (Duplicate, a paste back): one
object per track on a frame, as COCO video readers and CVAT take it.
"""

from __future__ import annotations

import copy
import weakref
from dataclasses import dataclass, field
from typing import Any

from pixelproof.core.edits import AddAnnotations, Compound, Edit, ReplaceCategory
from pixelproof.core.geometry import clone, placed_on
from pixelproof.core.keypoints import (
    coco_values,
    dataset_kpt_shape,
    keypoint_names,
    names_text,
    taking_keypoints,
    valid_kpt_shape,
)
from pixelproof.core.model import LAST_ANNOTATION_ID, Annotation, Category, Project
from pixelproof.core.object_lock import LOCKED
from pixelproof.core.overlap_versions import ANNOTATOR_KEY, CONSENSUS_OF

# a video object's track (CVAT for video, COCO video files): one object of a track per image
TRACK_ID = "track_id"
# pixelproof keys a copy does not inherit: the provenance of merges, the lock of the original
_NOT_COPIED = (ANNOTATOR_KEY, CONSENSUS_OF, LOCKED)


class PasteRefused(ValueError):
    """Nothing was pasted; the message says why (a category that is gone)."""


@dataclass(frozen=True, eq=False)
class Clipboard:
    annotations: tuple[Annotation, ...]  # deep copies, as they were when copied
    image_id: int  # the image they were copied from
    size: tuple[int, int]  # (height, width) of the image they were copied from
    category_names: dict[int, str]  # their categories' names then, by id
    _project: Any = field(repr=False)  # weakref.ref to the Project copied from
    categories: dict[int, Category] = field(default_factory=dict)  # their categories then (keypoint names)

    def is_from(self, project: Project) -> bool:
        """Whether the objects were copied from ``project`` (this very Project, not a file of the same
        name: a project opened again matches categories by name, which is the same thing there)."""
        return self._project() is project

    def is_on(self, project: Project, image_id: int) -> bool:
        """Whether a paste onto this image puts the copies on their originals."""
        return self.is_from(project) and image_id == self.image_id


@dataclass(frozen=True)
class Pasted:
    annotations: list[Annotation]  # new objects of the target image, ids given out, not yet added
    left_out: int  # copied objects with no pixel inside the target image
    refused: list[str] = field(default_factory=list)  # why each object left out for its keypoints was
    named: list[Category] = field(default_factory=list)  # target categories taking keypoint names (after)


def pasted_edit(pasted: Pasted, label: str) -> Edit:
    """The one undo step adding ``pasted``'s objects, after giving categories their keypoint names."""
    # new clones of the clipboard's objects for this paste, held by nobody else: the edit keeps them
    add = AddAnnotations(pasted.annotations, label, owned=True)
    if not pasted.named:
        return add
    return Compound(
        [*(ReplaceCategory(c, f"{c.name} takes keypoints") for c in pasted.named), add], label, add.focus
    )


def copy_annotations(project: Project, image_id: int, ids: list[int]) -> Clipboard:
    """The objects ``ids`` of image ``image_id`` (others are ignored) on a new clipboard."""
    image = project.images[image_id]
    anns = [clone(project.annotations[i]) for i in ids if project.annotations[i].image_id == image_id]
    cats = {a.category_id: copy.deepcopy(project.categories[a.category_id]) for a in anns}
    names = {cid: c.name for cid, c in cats.items()}
    return Clipboard(tuple(anns), image_id, image.size, names, weakref.ref(project), cats)


def paste(clip: Clipboard, project: Project, image_id: int) -> Pasted:
    """New objects for image ``image_id`` of ``project`` from ``clip`` (see the module docstring); raises
    :class:`PasteRefused` when a category cannot be found."""
    pasted = placed_copies(clip, project, image_id)
    give_ids(project, pasted.annotations)
    return pasted


def placed_copies(clip: Clipboard, project: Project, image_id: int) -> Pasted:
    """:func:`paste` without the ids (each 0): for a caller that places copies on several images and gives
    them ids at once (``give_ids``), as ``new_ids`` hands out the same ids until they are added."""
    categories = _categories(clip, project)
    target = project.images[image_id].size
    tracks_there = {track_of(a) for a in project.annotations_of(image_id)} - {None}
    out: list[Annotation] = []
    left_out = 0
    refused: list[str] = []
    named: dict[int, Category] = {}  # target categories given keypoint names by this paste
    for ann in clip.annotations:
        placed = placed_on(ann, clip.size, target)
        if placed is None:
            left_out += 1
            continue
        why = _keypoints_refused(clip, project, ann, categories[ann.category_id], named)
        if why is not None:  # (after the cut: an object outside names no category)
            refused.append(why)
            continue
        placed.id = 0
        placed.image_id = image_id
        placed.category_id = categories[ann.category_id]
        placed.source, placed.review, placed.score, placed.author = "manual", None, None, None
        for key in _NOT_COPIED:  # (``rle_origin``: placed_on sets it when the target image needs it)
            placed.app_extra.pop(key, None)
        if track_of(placed) in tracks_there:  # that track's object is on the image already
            placed.extra.pop(TRACK_ID)
        placed.touch()
        out.append(placed)
    return Pasted(out, left_out, refused, list(named.values()))


def _keypoints_refused(
    clip: Clipboard, project: Project, ann: Annotation, target_id: int, named: dict[int, Category]
) -> str | None:
    """Why ``ann`` cannot go to category ``target_id`` (its keypoints would be renamed), None when it can;
    a target naming none takes the copied category's names (into ``named``)."""
    values = coco_values(ann)
    source = clip.categories.get(ann.category_id)
    if values is None:
        return _pose_refused(clip, project, ann)
    if source is None:
        return None
    target = named.get(target_id) or project.categories[target_id]
    have, want = keypoint_names(source), keypoint_names(target)
    if have == want:
        return None
    taken = taking_keypoints(project, target, source)
    if taken is not None:
        named[target_id] = taken
        return None
    held = " and holds keypoints of its own" if want is None and have is not None else ""
    named_by = (
        f"named by the copied {source.name}" if have is not None else f"unnamed in the copied {source.name}"
    )
    return f"its {len(values) // 3} keypoints are {named_by}, and here {names_text(target, want)}{held}"


def _pose_refused(clip: Clipboard, project: Project, ann: Annotation) -> str | None:
    """Why a YOLO pose object cannot go into ``project`` (a pose dataset of another ``kpt_shape``: its
    points would be read as other ones, or cut or padded by the export), None when it can. Its points are
    the dataset's, unnamed: another project of the same ``kpt_shape``, or of none, takes them."""
    kept = ann.extra.get("yolo")
    have = kept.get("kpt_shape") if isinstance(kept, dict) else None
    if clip.is_from(project) or not valid_kpt_shape(have):
        return None
    want = dataset_kpt_shape(project)
    if want is None or want == have:
        return None
    return (
        f"its {have[0]} YOLO keypoints are of kpt_shape {have}, and this project's pose dataset is of "
        f"kpt_shape {want}"
    )


def track_of(ann: Annotation) -> int | str | None:
    """The object's track id (``track_value``); None when it has none."""
    return track_value(ann.extra.get(TRACK_ID))


def track_value(value: object) -> int | str | None:
    """A track id as the whole number the exports write it as: an int, or a file's text of up to 9 ASCII
    digits (CVAT's and a COCO file's ``"7"`` is track 7, the one New Track and the Track field mean); other
    text is a track named so; None for a value no track id is (a list, a float, ``true`` from a file:
    ``true == 1`` had joined such objects to track 1)."""
    if isinstance(value, str):
        digits = value.strip()
        return int(digits) if digits.isascii() and digits.isdecimal() and len(digits) < 10 else value
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def give_ids(project: Project, anns: list[Annotation]) -> None:
    """New object ids for ``anns`` (copies not yet added); raises IdsExhausted when they do not all fit,
    before any is given: nothing is pasted."""
    for placed, new_id in zip(anns, project.new_ids(LAST_ANNOTATION_ID, len(anns)), strict=True):
        placed.id = new_id


def _categories(clip: Clipboard, project: Project) -> dict[int, int]:
    """The target category of each copied category id."""
    same = clip.is_from(project)
    found: dict[int, int] = {}
    for cid, name in clip.category_names.items():
        if same:
            if cid not in project.categories:
                raise PasteRefused(f"category “{name}” was deleted since the copy: nothing pasted")
            found[cid] = cid
            continue
        cat = project.category_by_name(name)
        if cat is None:
            raise PasteRefused(f"this project has no category “{name}”: nothing pasted (add it first)")
        found[cid] = cat.id
    return found
