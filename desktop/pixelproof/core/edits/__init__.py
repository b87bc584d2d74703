"""Edits: every change to a Project as a small Qt-free object, shared by the app and the CLI.

The app wraps an edit in a thin QUndoCommand (``ui.undo``) and the Document turns what it touched into
signals; the CLI applies the same edit object directly. One edit class per kind of change, so pre-labeling,
review decisions, lint fixes, merges and taxonomy changes behave the same wherever they are made.

The API::

    edit = RemoveAnnotations([12, 14])      # built with what it will do
    changes = edit.apply(project)            # does it; returns Changes: Change(kind, image_id, annotation_id,
                                             #   category_id) in order, e.g. changes.annotation_ids()
    edit.revert(project)                     # undoes it exactly; apply/revert may alternate (redo/undo)

Rules every edit keeps (tests/core/test_edits.py checks each):

- ``apply`` captures the state it replaces; ``revert`` restores it exactly: mask pixels (RLE strings as
  they were, even non-canonical ones), timestamps, the file order of annotations and categories. A
  project saved after apply + revert is byte-identical to one saved before, unless it was saved in
  between: an undo never frees an id the file has held (``LAST_*_ID`` marks, ``Edit.__init_subclass__``).
- The project gets fresh copies on every apply / revert; the edit's own copies are never handed out, so
  later in-place changes cannot corrupt undo.
- An edit that cannot apply (unknown id, id taken, annotation moved to another image, unknown status)
  raises ``ValueError`` and leaves the project untouched; a :class:`Compound` is all or nothing.
- ``label`` is the human name ("Delete 2 annotations"); ``focus`` lists the annotation ids the edit is
  about (a viewer selects them after apply) or is None.

Kinds of change (``Change.kind``): ``annotation_added`` / ``annotation_changed`` / ``annotation_removed``
(image_id, annotation_id), ``annotation_order`` (image_id: its objects restacked, Bring to Front),
``category`` (category_id), ``image`` (image_id: status or image review),
``image_added`` / ``image_removed`` / ``image_moved`` (image_id: the image list, a file name), ``reference``.

To add an edit: subclass :class:`Edit` (or compose existing ones in a :class:`Compound`), return the
Changes from both methods, add apply/revert tests to tests/core/test_edits.py, then give it a one-line
factory in ``ui/undo.py`` if the app makes it.
"""

from pixelproof.core.edits.annotations import (
    AddAnnotations,
    RemoveAnnotations,
    ReplaceAnnotations,
    SetCategory,
    categories_left,
    set_category,
)
from pixelproof.core.edits.base import (
    ANNOTATION_ADDED,
    ANNOTATION_CHANGED,
    ANNOTATION_ORDER,
    ANNOTATION_REMOVED,
    CATEGORY,
    IMAGE,
    IMAGE_ADDED,
    IMAGE_MOVED,
    IMAGE_REMOVED,
    REFERENCE,
    Change,
    Changes,
    Compound,
    Edit,
)
from pixelproof.core.edits.image_split import SetImageSplit
from pixelproof.core.edits.image_state import (
    ReviewDecision,
    SetChannelDisplay,
    SetConsensusMethod,
    SetImageReview,
    SetImageStatus,
    SetOverlapAnnotators,
    SetReference,
)
from pixelproof.core.edits.lint import DismissProblems, SetLintRules
from pixelproof.core.edits.predictions import AddPredictions
from pixelproof.core.edits.shapes import (
    Chooser,
    PaintMask,
    as_mask,
    fill_holes,
    merge_masks,
    new_mask_annotation,
    paint_edit,
    split_mask,
    to_mask,
    to_polygons,
)
from pixelproof.core.edits.stacking import InPlaces, Restack, restack
from pixelproof.core.edits.taxonomy import AddCategory, RemoveCategory, ReorderCategories, ReplaceCategory

__all__ = [
    "ANNOTATION_ADDED",
    "ANNOTATION_CHANGED",
    "ANNOTATION_ORDER",
    "ANNOTATION_REMOVED",
    "CATEGORY",
    "IMAGE",
    "IMAGE_ADDED",
    "IMAGE_MOVED",
    "IMAGE_REMOVED",
    "REFERENCE",
    "AddAnnotations",
    "AddCategory",
    "AddPredictions",
    "Change",
    "Changes",
    "Chooser",
    "Compound",
    "DismissProblems",
    "Edit",
    "InPlaces",
    "PaintMask",
    "RemoveAnnotations",
    "RemoveCategory",
    "ReorderCategories",
    "ReplaceAnnotations",
    "ReplaceCategory",
    "Restack",
    "ReviewDecision",
    "SetCategory",
    "SetChannelDisplay",
    "SetConsensusMethod",
    "SetImageReview",
    "SetImageSplit",
    "SetImageStatus",
    "SetLintRules",
    "SetOverlapAnnotators",
    "SetReference",
    "as_mask",
    "categories_left",
    "fill_holes",
    "merge_masks",
    "new_mask_annotation",
    "paint_edit",
    "restack",
    "set_category",
    "split_mask",
    "to_mask",
    "to_polygons",
]
