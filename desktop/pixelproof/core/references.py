"""What QA scores against: a reference ``Project`` plus its void regions (DESIGN.md §6).

Reading a reference from disk is the job of ``pixelproof.interop.references`` (one reader per format,
the same as ``convert`` uses); core only sees the result. Void regions are the objects of the reference's
void categories (``"pixelproof": {"void": true}``, DESIGN.md §3): Cityscapes ignore labels, KITTI
``DontCare``, VOC's 255 border, LabelMe ``__ignore__``. QA leaves their pixels out of both masks.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from pixelproof.core.model import ImageRecord, Project


@dataclass
class Reference:
    """A reference project, how it was read, and the void mask of each image (union of its void objects).

    ``kind``: "project" (objects are instances), or "semantic masks" (each object is the union of a class
    in one image, so instance figures are not scored), or the name of the format it was read from.
    """

    project: Project
    kind: str = "project"
    source: str = ""
    problems: list[str] = field(default_factory=list)  # non-fatal: unreadable files, unknown values
    semantic: bool = False
    _void_cache: dict[int, np.ndarray | None] = field(default_factory=dict, repr=False)

    @property
    def instance_scored(self) -> bool:
        return not self.semantic

    @property
    def has_void(self) -> bool:
        """Whether any image has void regions (a view shows the void colour in its legend)."""
        void = self.project.void_category_ids()
        return bool(void) and any(a.category_id in void for a in self.project.annotations.values())

    def void_mask(self, image: ImageRecord) -> np.ndarray | None:
        """Boolean HxW of the image's void pixels, or None when it has none."""
        if image.id not in self._void_cache:
            self._void_cache[image.id] = void_mask(self.project, image)
        return self._void_cache[image.id]


def void_mask(project: Project, image: ImageRecord) -> np.ndarray | None:
    """Union of the void objects of one image (boxes filled), or None."""
    void = project.void_category_ids()
    if not void:
        return None
    out = None
    for ann in project.annotations_of(image.id):
        if ann.category_id in void:
            m = ann.mask(image.height, image.width)
            out = m.copy() if out is None else out | m
    return out


# -- where a project's reference is ------------------------------------------------------------------


def reference_path(project: Project) -> Path | None:
    """The project's ``pixelproof.reference``, resolved against the project file's folder."""
    ref = project.reference
    if not ref:
        return None
    p = Path(ref).expanduser()
    if not p.is_absolute() and project.path is not None:
        p = Path(project.path).parent / p
    lexical = os.path.normpath(p)
    if os.path.realpath(lexical) != os.path.realpath(p):  # ``..`` after a symlinked folder: where it leads
        return Path(os.path.realpath(p))
    return Path(lexical)


def stored_reference(project: Project, chosen: Path) -> str:
    """How to store a chosen reference: relative to the project folder when it is below or beside it."""
    chosen = Path(chosen).resolve()
    if project.path is None:
        return str(chosen)
    try:
        rel = os.path.relpath(chosen, Path(project.path).resolve().parent)
    except ValueError:  # another drive on Windows
        return str(chosen)
    return Path(rel).as_posix() if not rel.startswith(os.pardir + os.sep + os.pardir) else str(chosen)
