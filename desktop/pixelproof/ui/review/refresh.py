"""When the review view scores again after an edit, and how little it scores: a part of ``ReviewView`` (its
base class), kept apart so the view stays building and showing.

An edit that can change a score (an object added, removed, moved, reshaped or relabelled; images added,
removed or relocated; categories changed) makes the scores out of date (``stale``); while the view is shown
``refresh`` runs 400 ms after the last such edit (and on the way back from the labeling view). A refresh
scores again only the image pairs whose inputs changed and keeps the others' scores (``core.qa_cache``), in
the app's one job runner, so one edit on a project of hundreds of images scores one image; the tables, means,
counts, AP, confusion matrix and volumes are made again from every image's score, as a full run makes them.

Everything is scored again when what every image depends on changed: another reference (chosen, or undone),
Run QA / F5 (which reads the reference again), a reference changed on disk (by a colleague, another tool:
``compute.read_key``; also on the way back from the labeling view), the candidate's category names (the
reference is read again: a mask folder's values are named by them), the classes scored (a class drawn for
the first time, or no longer drawn), a category renamed, merged, deleted or made void, or the QA settings
(see ``core.qa_cache``). A decision (accept / reject) changes no figure: the Review column reads it from the
project at once, and the next refresh scores that image again for its object rows' decision.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pixelproof.core.edits import Changes
from pixelproof.core.references import reference_path
from pixelproof.core.wording import plural
from pixelproof.interop.references import reference_stamp
from pixelproof.ui.annotation_batch import each_change

if TYPE_CHECKING:
    from pixelproof.ui.review.compute import Scored
    from pixelproof.ui.review.view import ReviewView


def scored_message(scored: Scored) -> str:
    """The status bar after a run: how many images were scored, of how many, against what."""
    against = scored.reference.source or "the reference"
    n = len(scored.image_table)
    if scored.changed_on_disk:
        return f"QA: {against} changed on disk: read again, {plural(n, 'image')} scored against it"
    if scored.rescored is None:
        return f"QA: {plural(n, 'image')} scored against {against}"
    return f"QA refreshed: {scored.rescored} of {plural(n, 'image')} scored again against {against}"


class ReviewRefresh:
    """The refresh after edits of ``ReviewView`` (``self`` is the view)."""

    def refresh(self: ReviewView) -> None:
        """Score again what the edits since the last run changed (every image when nothing is scored: none
        yet, or the last run failed)."""
        self._score(self.scored)

    def _geometry_changed(self: ReviewView, *_: object) -> None:
        if self.scored is not None:
            self.stale = True
            if self.isVisible():
                self._stale_timer.start()

    def _annotation_changed(self: ReviewView, image_id: int, ann_id: int) -> None:
        """An object changed: a refresh when its pixels or class did (not for a decision: no figure moves;
        the Review column and the objects' decisions are read from the project)."""
        doc = self.document
        if self.scored is not None and doc is not None and ann_id in doc.project.annotations:
            a = doc.project.annotations[ann_id]
            before = self.scored.geometry.get(ann_id)
            now = (a.category_id, list(a.bbox), a.segmentation)
            if before is None or before != now:
                self._geometry_changed()
        if image_id == self.image_id:
            self.object_model.refresh_object(ann_id)
            self._update_buttons()
        self.images.image_model.image_changed(image_id)

    def _annotations_batch(self: ReviewView, changes: Changes) -> None:
        each_change(changes, self._geometry_changed, self._annotation_changed, self._geometry_changed)

    def _reference_file_changed(self: ReviewView) -> bool:
        """The reference file is no longer as it was read (one stat; a folder's files are looked at by the
        next refresh, off this thread)."""
        path = reference_path(self.document.project) if self.document is not None else None
        if self.scored is None or path is None or path.is_dir() or len(self.scored.read_with) < 2:
            return False
        return reference_stamp(path) != self.scored.read_with[1]

    def _rerun_if_stale(self: ReviewView) -> None:
        if self.stale and self.isVisible() and self.job is None:
            self.refresh()
