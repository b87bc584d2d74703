"""Copy and paste of annotations (Edit > Copy / Paste / Duplicate): the app's own clipboard, no Qt.

A :class:`Clipboard` holds deep copies of the copied objects as they were, the size of the image they
came from and their categories' names; it outlives image and project changes. :func:`paste` makes the
new objects for an image of any size - same pixel position, cut to the image (``geometry.placed_on``);
an object with nothing left inside is left out and counted. Categories: by id in the project copied
from, by name in another; one that cannot be found refuses the whole paste (:class:`PasteRefused`) -
no category is created behind the user's back, and no object is silently dropped for its category.

A copy is a new manual object: new id, ``source`` "manual", no review state, score or author (the change
log records who pasted), a fresh ``updated``; it keeps its category, crowd flag, note and attributes
(extra fields), but not the provenance keys that describe the original (``rle_origin`` is worked out
anew, the consensus / annotator tags of merges).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any

from pixelproof.core.geometry import clone, placed_on
from pixelproof.core.model import LAST_ANNOTATION_ID, Annotation, Project
from pixelproof.core.overlap_versions import ANNOTATOR_KEY, CONSENSUS_OF

_PROVENANCE = (ANNOTATOR_KEY, CONSENSUS_OF)  # pixelproof keys of merges a copy does not inherit


class PasteRefused(ValueError):
    """Nothing was pasted; the message says why (a category that is gone)."""


@dataclass(frozen=True, eq=False)
class Clipboard:
    annotations: tuple[Annotation, ...]  # deep copies, as they were when copied
    image_id: int  # the image they were copied from
    size: tuple[int, int]  # (height, width) of the image they were copied from
    category_names: dict[int, str]  # their categories' names then, by id
    _project: Any = field(repr=False)  # weakref.ref to the Project copied from

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


def copy_annotations(project: Project, image_id: int, ids: list[int]) -> Clipboard:
    """The objects ``ids`` of image ``image_id`` (others are ignored) on a new clipboard."""
    image = project.images[image_id]
    anns = [clone(project.annotations[i]) for i in ids if project.annotations[i].image_id == image_id]
    names = {a.category_id: project.categories[a.category_id].name for a in anns}
    return Clipboard(tuple(anns), image_id, image.size, names, weakref.ref(project))


def paste(clip: Clipboard, project: Project, image_id: int) -> Pasted:
    """New objects for image ``image_id`` of ``project`` from ``clip`` (see the module docstring); raises
    :class:`PasteRefused` when a category cannot be found."""
    categories = _categories(clip, project)
    target = project.images[image_id].size
    out: list[Annotation] = []
    left_out = 0
    for ann in clip.annotations:
        placed = placed_on(ann, clip.size, target)
        if placed is None:
            left_out += 1
            continue
        placed.image_id = image_id
        placed.category_id = categories[ann.category_id]
        placed.source, placed.review, placed.score, placed.author = "manual", None, None, None
        for key in _PROVENANCE:  # (``rle_origin``: placed_on sets it when the target image needs it)
            placed.app_extra.pop(key, None)
        placed.touch()
        out.append(placed)
    for placed, new_id in zip(out, project.new_ids(LAST_ANNOTATION_ID, len(out)), strict=True):
        placed.id = new_id  # raises IdsExhausted when they do not all fit: nothing pasted
    return Pasted(out, left_out)


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
