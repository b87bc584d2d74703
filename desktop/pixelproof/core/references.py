"""What QA scores against: a reference ``Project`` plus its void regions (DESIGN.md §6).

Reading a reference from disk is the job of ``pixelproof.interop.references`` (one reader per format,
the same as ``convert`` uses); core only sees the result. Void regions are the objects of the reference's
void categories (``"pixelproof": {"void": true}``, DESIGN.md §3): Cityscapes ignore labels, KITTI
``DontCare``, VOC's 255 border, LabelMe ``__ignore__``. QA leaves their pixels out of both masks.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from pixelproof.core.labels import images_rejected, is_label
from pixelproof.core.model import ImageRecord, Project, is_pending
from pixelproof.core.wording import plural

if TYPE_CHECKING:
    from pixelproof.core.qa_objects import ImagePair


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
    #: the format it was read as and the reader options used (``qa --one-based no``): they change figures,
    #: so the reports name them; "" and {} for a project given as one
    format: str = ""
    reader_options: dict[str, Any] = field(default_factory=dict)
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


def labels_only(reference: Reference) -> Reference:
    """The reference QA scores against: its labels (``core.labels.is_label``), as exports and lint take
    them. Its objects pending review (a model's proposals, consensus objects) and those a reviewer rejected
    are no ground truth: a candidate's object on one is no match. ``reference`` itself is left whole."""
    project = reference.project
    gone = [a.id for a in project.annotations.values() if not is_label(a)]
    if not gone:
        return reference
    return replace(reference, project=project.snapshot(without=gone), _void_cache={})


def scorable_pairs(pairs: list[ImagePair], reference: Project) -> tuple[list[ImagePair], list[str]]:
    """The pairs QA scores, and a problem line for each kind left out: a size mismatch (each named), the
    reference's objects that are no labels (``labels_only``), the reference images those rejections leave
    wrong (``images_rejected``: every object rejected, or the image as a whole) and those not labelled yet
    (``Project.unlabeled_image_ids``: no objects, or only pending or rejected ones, and not marked Done or
    Reviewed), where the reference says nothing - a candidate's object there is no false alarm, an empty
    one no agreement. ``reference``: the whole reference, before ``labels_only``."""
    proposals: list[str] = []
    rejects: list[str] = []
    wrong = set(images_rejected(reference))
    kept, problems, unseen, rejected_images = [], [], [], []
    for pair in pairs:
        for a in reference.annotations_of(pair.ref.id):
            if not is_label(a):
                (proposals if is_pending(a) else rejects).append(pair.file_name)
    leaving_out = (lambda a: not is_label(a)) if proposals or rejects else None
    unlabeled = set(reference.unlabeled_image_ids(leaving_out))
    for pair in pairs:
        if (pair.ref.height, pair.ref.width) != pair.shape:
            problems.append(
                f"{pair.file_name}: reference is {pair.ref.width}x{pair.ref.height}, candidate "
                f"{pair.cand.width}x{pair.cand.height}; image skipped"
            )
        elif pair.ref.id in wrong:
            rejected_images.append(pair.file_name)
        elif pair.ref.id in unlabeled:
            unseen.append(pair.file_name)
        else:
            kept.append(pair)
    if proposals:
        problems.append(
            f"{_objects(len(proposals))} pending review (proposals not accepted yet: a model's, consensus) "
            f"not taken as ground truth, on {_named(list(dict.fromkeys(proposals)))}"
        )
    if rejects:
        problems.append(
            f"{_objects(len(rejects))} rejected in review (labels a reviewer said are wrong) not taken as "
            f"ground truth, on {_named(list(dict.fromkeys(rejects)))}"
        )
    if rejected_images:
        n = len(rejected_images)
        problems.append(
            f"{plural(n, 'reference image')} rejected in review (every object rejected, or the "
            f"image as a whole: its labels wrong or missing) not scored: {_named(rejected_images, False)}"
        )
    if unseen:
        problems.append(
            f"{plural(len(unseen), 'reference image')} not labelled yet (no objects, or only "
            "pending or rejected "
            f"ones; not marked Done or Reviewed) not scored: {_named(unseen, False)}"
        )
    return kept, problems


def _objects(n: int) -> str:
    return plural(n, "reference object")


def _named(names: list[str], counted: bool = True) -> str:
    """Up to five names, then how many more (``counted``: after how many images)."""
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    if not counted:
        return shown
    return f"{plural(len(names), 'image')}: {shown}"


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
