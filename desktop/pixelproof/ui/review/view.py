"""ReviewView: the review side of the main window (Ctrl+Tab).

Left: the images with their metrics (sortable by any column, worst Dice first; a filter box such as
"Dice < 0.9"), the per-class summary and a histogram of per-image Dice. Right: reference | candidate |
difference with linked zoom and pan, and the objects of the current image with the review actions.

QA and the overlays are computed in ``jobs.Job``s; the UI thread only swaps in results. Decisions go
through ``ReviewDecision`` edits, so they are undoable and saved with the project.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from pixelproof.core.edits import ReviewDecision
from pixelproof.core.limits import note_preview
from pixelproof.core.qa import QAOptions
from pixelproof.core.qa_objects import finest_pixel_mm
from pixelproof.core.references import reference_path
from pixelproof.core.volumes import expected_identity
from pixelproof.core.wording import plural
from pixelproof.interop.references import reference_line
from pixelproof.ui.dialogs import as_text
from pixelproof.ui.jobs import Job
from pixelproof.ui.review import compute
from pixelproof.ui.review.image_list import ImageList
from pixelproof.ui.review.navigation import ReviewNavigation
from pixelproof.ui.review.no_reference import CandidatePreview
from pixelproof.ui.review.panes import LinkedPanes, show_keypoints
from pixelproof.ui.review.parts import (
    RUN_TIP,
    DecisionBox,
    ObjectList,
    PaneRow,
    ReviewHeader,
    ShareSplitter,
)
from pixelproof.ui.review.refresh import ReviewRefresh, scored_message
from pixelproof.ui.review.volumes import KEY_ROLE
from pixelproof.ui.review.window import ReviewWindow
from pixelproof.ui.workers import ImageLoader, LoadedImage

if TYPE_CHECKING:
    from pixelproof.ui.document import Document

DIM_OPACITY = 0.45  # black veil over the picture in the difference pane, so the colours read


class ReviewView(ReviewRefresh, ReviewNavigation, ReviewWindow, QWidget):
    """Everything of the review view; ``ReviewMode`` puts it in the main window and makes its actions."""

    statusMessage = Signal(str)
    decisionsChanged = Signal()  # the selected object or image changed: actions re-check what they can do

    def __init__(
        self, keys: Callable[[], list[QKeySequence]] | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("reviewView")
        self.document: Document | None = None
        self.options = QAOptions()
        self.scored: compute.Scored | None = None
        self.stale = False
        self.error: str | None = None
        self.job: Job | None = None
        self.where = ""  # "2 local worker processes x 1 thread" while QA runs on a pool
        self.overlay_job: Job | None = None
        self.image_id = -1
        self._shown_for_user = True  # False while an image is shown in place of an unscored one
        self.outline = False
        self._first_result = True
        self.worst_first = True  # the first result sorts the images worst Dice first (not a kept sort)
        self._center_on_select = True
        self._advanced_to = -1  # the object row a decision moved on to (``step_problem``)
        self.loader = ImageLoader(self, cache_size=3)
        self.loader.loaded.connect(self._on_image_loaded)
        self.loader.failed.connect(self._on_image_failed)
        self._bound: list = []
        self._build(keys or list)

    # -- building --------------------------------------------------------------------------------
    def _build(self, keys: Callable[[], list[QKeySequence]]) -> None:
        self.header = ReviewHeader()
        self.header.run_button.clicked.connect(self.run)
        self.header.cancel_button.clicked.connect(self.cancel)
        self.header.outline_box.toggled.connect(self.set_outline)
        self.images = ImageList()
        self.images.filter_edit.textChanged.connect(self._filter_changed)
        self.images.filterChanged.connect(lambda: self._filter_changed(self.images.filter_edit.text()))
        self.images.statusMessage.connect(self.statusMessage)
        self.images.image_table.selectionModel().currentRowChanged.connect(self._image_row_changed)
        self.images.volume_table.selectionModel().currentRowChanged.connect(self._volume_row_changed)
        self.images.volume_table.clicked.connect(self._volume_row_changed)  # the current row again too
        self.splitter = ShareSplitter()  # the images a share of the width, at least 480 px
        self.splitter.addWidget(self.images)
        self.splitter.addWidget(self._build_right(keys))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.header)
        layout.addWidget(self.splitter, 1)
        self._stale_timer = QTimer(self)
        self._stale_timer.setSingleShot(True)
        self._stale_timer.setInterval(400)
        self._stale_timer.timeout.connect(self._rerun_if_stale)
        self.keep_keys_out_of_fields()
        self._update_buttons()

    def _build_right(self, keys: Callable[[], list[QKeySequence]]) -> QWidget:
        """Reference | candidate | difference above the objects of the image and the decisions."""
        panes_box = PaneRow()
        self.panes, self.no_reference = panes_box.panes, panes_box.no_reference
        self.ref_pane, self.cand_pane, self.diff_pane = self.panes
        for pane in self.panes:
            pane.clicked.connect(self._pane_clicked)
        self.preview = CandidatePreview(self, self.no_reference)
        self.linked = LinkedPanes(self.panes)
        self._link_windows()  # a right-drag on one pane sets the window of all three
        self.header.fit_button.clicked.connect(self.linked.fit)
        objects = ObjectList()
        self.object_model, self.object_table = objects.object_model, objects.object_table
        self.object_title = objects.object_title
        self.object_table.selectionModel().currentRowChanged.connect(self._object_row_changed)
        self.decision = DecisionBox(keys)
        d = self.decision
        d.accept_object_button.clicked.connect(lambda: self.decide("accepted"))
        d.reject_object_button.clicked.connect(lambda: self.decide("rejected"))
        d.accept_image_button.clicked.connect(lambda: self.decide("accepted", whole_image=True))
        d.reject_image_button.clicked.connect(lambda: self.decide("rejected", whole_image=True))
        bottom = QWidget()
        bh = QHBoxLayout(bottom)
        bh.setContentsMargins(0, 0, 6, 6)
        bh.addWidget(objects, 3)
        bh.addWidget(self.decision, 2)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(panes_box)
        right.addWidget(bottom)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 1)
        right.setSizes([640, 230])
        return right

    # -- document --------------------------------------------------------------------------------
    def set_document(self, doc: Document | None) -> None:
        for sig, slot in self._bound:
            with contextlib.suppress(RuntimeError, TypeError):  # the old document may be gone already
                sig.disconnect(slot)
        self._bound = []
        self.cancel()
        self.preview.hide()
        self.document = doc
        self.error = None
        self.stale = False
        self._first_result = True
        self.loader.forget()
        self._forget_scores()
        if doc is not None:
            pairs = [
                (doc.annotationAdded, self._geometry_changed),
                (doc.annotationRemoved, self._geometry_changed),
                (doc.annotationChanged, self._annotation_changed),
                (doc.annotationsBatch, self._annotations_batch),
                (doc.imageStatusChanged, self._image_status_changed),
                (doc.imagesChanged, self._geometry_changed),
                (doc.categoriesChanged, self._geometry_changed),  # paired by name; drawn in their colour
                (doc.referenceChanged, self.run),
                (doc.currentImageChanged, self._doc_image_changed),
            ]
            for sig, slot in pairs:
                sig.connect(slot)
            self._bound = pairs
        self._show_reference_label()
        self._show_banner(None)
        self._update_buttons()

    def _forget_scores(self) -> None:
        """No scores to show (no project, no reference, or one that cannot be read): empty tables and
        panes, so nothing is shown or decided against a reference that is no longer the project's."""
        self.scored = None
        self.image_id = -1
        self.images.image_model.set_rows([], None)
        self.object_model.set_rows([], None)
        self.object_title.set_title("", "")
        self.images.set_result(None)
        self.images.histogram.set_values([])
        self.images.histogram.set_current(None)
        for p in self.panes:
            p.clear()
        self._update_buttons()

    def activate(self) -> None:
        """The view is shown: score if never scored (or out of date), follow the document's image."""
        if self.document is None:
            self._show_banner("No project is open.")
            return
        if self.scored is None or self.stale or self._reference_file_changed():
            if self.job is None:
                self.refresh()
        elif self.preview.active:
            self.preview.show_image()
        elif self.document.current_image_id != self.image_id:
            self.select_image(self.document.current_image_id)

    def _show_reference_label(self) -> None:
        """What is compared with what: the reference's file or folder and what in it, and this project."""
        project = self.document.project if self.document is not None else None
        path = reference_path(project) if project is not None else None
        if project is None or path is None:
            self.header.reference_label.set_line("none")
            return
        scored = self.scored.reference if self.scored is not None else None
        fmt = project.app.get("reference_format")
        line, tip = reference_line(path, scored, fmt if isinstance(fmt, str) else None, project.path)
        self.header.reference_label.set_line(line, as_text(tip))

    def _show_banner(self, text: str | None, tip: str | None = None, warning: bool = False) -> None:
        self.header.banner.show_text(text, tip, warning)

    # -- QA run ----------------------------------------------------------------------------------
    def run(self) -> None:
        """Read the reference and score every image in a background job (progress, Cancel): Run QA, F5, a
        reference chosen. After an edit ``refresh`` scores only what changed."""
        self._score(None)

    def _score(self, previous: compute.Scored | None) -> None:
        """Score in a background job, reusing ``previous``'s reference and scores (``compute.score``)."""
        doc = self.document
        self._show_reference_label()
        if doc is None:
            return
        self.cancel()
        path = reference_path(doc.project)
        if path is None:
            self.error = "no reference"
            self._show_banner(None)
            self._forget_scores()
            self.preview.show()  # the candidate, and how to choose a reference
            self._update_buttons()
            return
        self.preview.hide()
        candidate = doc.project.snapshot()
        options = self.options
        fmt = doc.project.app.get("reference_format")
        job = Job(lambda j: compute.score(j, path, candidate, options, fmt, previous), self)
        self.where = ""
        job.progress.connect(self._on_progress)
        job.message.connect(self._on_message)
        job.finished.connect(lambda scored, j=job: self._on_scored(j, scored))
        job.failed.connect(lambda reason, j=job: self._on_failed(j, reason, path))
        job.cancelled.connect(lambda j=job: self._on_cancelled(j))
        self.job = job
        self.header.progress.setRange(0, 0)
        self.header.progress.show()
        self._swap_buttons(self.header.run_button, self.header.cancel_button)
        self.stale = False
        job.start()

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.job = None
        self._idle()

    def is_busy(self) -> bool:
        return self.job is not None

    @staticmethod
    def _swap_buttons(gone: QWidget, shown: QWidget) -> None:
        """Cancel takes Run QA's place while a run lasts, and back (side by side they widened a 1024 px
        window past its screen); the keys go with them, so Space on Run QA, then Space, cancels, and Run QA
        has them again after the run (they went to the Outlines box)."""
        had = gone.hasFocus()
        shown.show()
        if had:
            shown.setFocus(Qt.FocusReason.OtherFocusReason)
        gone.hide()

    def _idle(self) -> None:
        """Run QA is greyed out, saying why, while there is no reference to score against."""
        self.header.progress.hide()
        self._swap_buttons(self.header.cancel_button, self.header.run_button)
        doc = self.document
        ready = doc is not None and reference_path(doc.project) is not None
        self.header.run_button.setEnabled(ready)
        self.header.run_button.setToolTip(
            RUN_TIP if ready else "Choose a reference first (Choose Reference…)"
        )

    def _on_progress(self, done: int, total: int) -> None:
        self.header.progress.setRange(0, max(total, 1))
        self.header.progress.setValue(done)
        where = f" · {self.where}" if self.where else ""
        self.header.progress.setFormat(f"{done} / {plural(total, 'image')}{where}")

    def _on_message(self, message: object) -> None:
        if isinstance(message, tuple) and message[0] == "where":  # a large project: on worker processes
            self.where = str(message[1])

    def _on_cancelled(self, job: Job) -> None:
        if job is self.job:
            self.job = None
            self._idle()
            self.statusMessage.emit("QA cancelled")

    def _on_failed(self, job: Job, reason: str, path: Path) -> None:
        if job is not self.job:
            return
        self.job = None
        self._idle()
        self.error = reason
        self._forget_scores()
        self._show_reference_label()
        self._show_banner(compute.failure_text(reason, path))
        self.statusMessage.emit(f"Cannot read the reference {path.name}")
        self._update_buttons()

    def _on_scored(self, job: Job, scored: compute.Scored) -> None:
        if job is not self.job or self.document is None:
            return
        self.job = None
        self._idle()
        self.error = None
        self.scored = scored
        result = scored.result
        self._show_banner(compute.result_notes(result), compute.banner_tip(result), warning=True)
        self._show_reference_label()
        self.header.legend.show_void(scored.reference.has_void)
        keep = self.image_id
        self.images.image_model.pixel_mm = self.object_model.pixel_mm = finest_pixel_mm(result.pairs)
        self.images.image_model.set_rows(
            scored.image_table, self.document.project, self.document.shown_file_name
        )
        self.images.set_result(result)
        self.images.histogram.set_values([r["dice"] for r in scored.image_table])
        if self._first_result and self.worst_first:
            self.images.image_table.sortByColumn(
                self.images.image_model.column_of("dice"), Qt.SortOrder.AscendingOrder
            )
        self.image_id = -1
        # the user's image stays current (the worst-Dice order does not move them): the labeling view's (the
        # review view keeps it in step; after an edit there it is the image just edited), else the image
        # shown before; the top row only when neither was scored
        labeling = self.document.current_image_id
        self.select_image(labeling)
        unscored = self.image_id == -1 and labeling in self.document.project.images
        self._shown_for_user = not unscored  # an image shown in its place leaves the labeling view's alone
        try:
            if self.image_id == -1:
                self.select_image(keep)
            if self.image_id == -1:
                self.images.select_row(0)
        finally:
            self._shown_for_user = True
        self._filter_changed(self.images.filter_edit.text())  # its count, of the new rows
        self._first_result = False
        said = scored_message(scored)
        if unscored and self.image_id != -1:  # the labeling view stays on it (Ctrl+Tab goes back there)
            name = self.document.shown_file_name(labeling)
            said = f"{name} is not scored (see the banner), shown here: the image listed first; {said}"
        self.statusMessage.emit(said)
        if self.stale and self.isVisible():  # edited while it ran: score what that changed too
            self._stale_timer.start()

    def _image_status_changed(self, image_id: int) -> None:
        self.images.image_model.image_changed(image_id)
        if image_id == self.image_id:
            self._update_buttons()

    # -- images ----------------------------------------------------------------------------------
    def _filter_changed(self, text: str) -> None:
        if self.images.apply_filter(text) and not self.images.shows(self.image_id):
            self.images.select_row(0)

    def _image_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        image_id = self.images.image_proxy.index(current.row(), 0).data(Qt.ItemDataRole.UserRole)
        self.show_image(int(image_id))

    def _volume_row_changed(self, current: QModelIndex, _previous: QModelIndex | None = None) -> None:
        """A volume's 3D row picked: show its first slice where the two sides differ in that class (the
        row of the Images table too, unless its filter hides it)."""
        if not current.isValid() or self.scored is None:
            return
        volume, category = current.siblingAtColumn(0).data(KEY_ROLE)
        start = self.scored.volume_starts.get((volume, category))
        if start is None:
            return
        image_id, differs = start
        name = self.scored.pairs[image_id].file_name
        said = "the first slice where they differ" if differs else "no slice differs in it; its first slice"
        if self.images.shows(image_id):
            self.select_image(image_id)
        else:
            self.show_image(image_id)
            said += " (hidden from the Images table by its filter)"
        self.statusMessage.emit(f"{name}: {category} in 3D, {said}")

    def _doc_image_changed(self, image_id: int) -> None:
        if self.preview.active:
            self.preview.show_image()
        elif self.isVisible() and image_id != self.image_id:
            self.select_image(image_id)

    def show_image(self, image_id: int) -> None:
        """Show one image pair in the panes, its objects in the table; the labeling view follows."""
        if self.scored is None or self.document is None or image_id == self.image_id:
            return
        pair = self.scored.pairs.get(image_id)
        if pair is None:
            return
        self.image_id = image_id
        doc = self.document
        h, w = pair.shape
        for p in self.panes:
            p.set_size(h, w, f"Loading {pair.file_name}…", pair.cand)  # drawn at its pixels' aspect
            p.fitted = True
        self.linked.fit()
        rows = self.scored.objects.get(pair.file_name, [])
        self.object_model.set_rows(rows, doc.project, self.scored.result.options.iou_threshold)
        problems = sum(r.status not in ("match", "ignored") for r in rows)  # ignored: inside a crowd region
        counts = plural(len(rows), "object")
        if problems:
            counts += f", {problems} missed / extra / wrong class"
        if not self.scored.result.instance_scored:  # "0 objects" read as if the candidate drew none
            drawn = plural(len(doc.project.annotations_of(image_id)), "candidate object")
            counts = f"{drawn}, not paired (semantic reference)"
        name = self.images.image_model.shown_name({"image_id": image_id, "file_name": pair.file_name})
        self.object_title.set_title(name, counts)
        dice = next((r["dice"] for r in self.scored.image_table if r["image_id"] == image_id), math.nan)
        self.images.histogram.set_current(dice)
        self._start_overlays()
        path, expect = doc.project.image_path(pair.cand), expected_identity(pair.cand.extra)
        cached = self.loader.request(image_id, path, expect=expect)
        if cached is not None:
            self._on_image_loaded(image_id, cached)
        if self.isVisible() and self._shown_for_user:  # a run ending while the labeling view is shown
            doc.set_current_image(image_id)  # must not move it, nor the image shown for an unscored one
        self._update_buttons()

    def _on_image_loaded(self, image_id: object, image: LoadedImage) -> None:
        if image_id != self.image_id:
            return
        self.kept_window(image)  # a window chosen on another slice of its volume stays
        for p in self.panes:
            p.set_image(image)
        self.diff_pane.add_veil(DIM_OPACITY)  # the difference colours read over a darkened picture

    def _on_image_failed(self, image_id: object, reason: str) -> None:
        if image_id != self.image_id:
            return
        for p in self.panes:
            p.set_image(None, f"Cannot show this image\n\n{reason}", error=True)

    def set_outline(self, on: bool) -> None:
        """Outline mode: 1-px borders instead of filled regions, in all three panes."""
        if on == self.outline:
            return
        self.outline = on
        if self.header.outline_box.isChecked() != on:
            self.header.outline_box.setChecked(on)
        self._start_overlays()

    def _start_overlays(self) -> None:
        if self.scored is None or self.document is None:
            return
        pair = self.scored.pairs.get(self.image_id)
        if pair is None:
            return
        if self.overlay_job is not None:
            self.overlay_job.cancel()
        reference, candidate, outline = self.scored.reference, self.document.project.snapshot(), self.outline
        rows = list(self.scored.objects.get(pair.file_name, []))  # unmatched ones drawn in their diff colour
        job = Job(lambda _j: compute.overlays(pair, reference, candidate, outline, rows), self)
        job.finished.connect(lambda layers, j=job: self._on_overlays(j, layers))
        job.failed.connect(lambda reason: self.statusMessage.emit(f"Cannot draw the difference: {reason}"))
        self.overlay_job = job
        job.start()

    def _on_overlays(self, job: Job, layers: compute.Overlays) -> None:
        if job is not self.overlay_job or layers.image_id != self.image_id:
            return
        self.overlay_job = None
        self.ref_pane.set_overlay(layers.reference, scale=layers.scale)
        self.cand_pane.set_overlay(layers.candidate, scale=layers.scale)
        self.diff_pane.set_overlay(layers.difference, scale=layers.scale)
        if self.scored is not None:  # overlays of the candidate alone (no reference chosen) have no pairs
            show_keypoints(self, self.scored.pairs.get(self.image_id))
        if layers.scale > 1:
            self.statusMessage.emit(
                f"Objects drawn at 1/{layers.scale} of the image's resolution (past the pixel limit)"
            )

    def overlays_ready(self) -> bool:
        return self.overlay_job is None and self.diff_pane.overlay is not None

    # -- objects ---------------------------------------------------------------------------------
    def _object_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.object_model.rows[current.row()] if current.isValid() else None
        self._advanced_to = -1
        for p in self.panes:
            p.set_focus_box(row.bbox if row is not None else None)
        if row is not None and self._center_on_select:
            self.linked.centre_on(row.bbox)
        self._update_buttons()

    def _pane_clicked(self, pos: QPointF) -> None:
        """A click in a view picks the smallest object whose box holds the point."""
        best = self.object_model.row_at(pos.x(), pos.y())
        if best < 0:
            return
        self._center_on_select = False
        try:
            self.object_table.setCurrentIndex(self.object_model.index(best, 0))
            self.object_table.scrollTo(self.object_model.index(best, 0))
        finally:
            self._center_on_select = True

    # -- decisions -------------------------------------------------------------------------------
    def can_decide_object(self) -> bool:
        row = self.current_object()
        return (
            row is not None
            and row.cand_id is not None
            and self.document is not None
            and row.cand_id in self.document.project.annotations
        )

    def can_decide_image(self) -> bool:
        return self.document is not None and self.scored is not None and self.image_id in self.scored.pairs

    def decide(self, decision: str, whole_image: bool = False) -> bool:
        """Accept or reject the selected object (or the whole image) with the note typed; undoable."""
        doc = self.document
        note = self.decision.note_edit.text().strip()
        if doc is None:
            return False
        if whole_image:
            if not self.can_decide_image():
                return False
            doc.push(ReviewDecision(doc.project, self.image_id, decision, note))
            what = "Image"
        else:
            row = self.current_object()
            if row is None or not self.can_decide_object():
                if row is not None and row.cand_id is None:
                    self.statusMessage.emit(self.decision.missed_hint())
                return False
            doc.push(ReviewDecision(doc.project, self.image_id, decision, note, [row.cand_id]))
            what = f"Object {row.cand_id}"
            self._next_object()
        self.decision.note_edit.setText("")  # no history: Ctrl+Z here then undoes the decision
        self.object_model.refresh()
        self.images.image_model.image_changed(self.image_id)
        self._update_buttons()
        self.statusMessage.emit(f"{what} {decision}" + (f": {note}" if note else ""))
        return True

    def focus_note(self) -> None:
        self.decision.note_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.decision.note_edit.selectAll()

    def _update_buttons(self) -> None:
        obj, img = self.can_decide_object(), self.can_decide_image()
        for b in (self.decision.accept_object_button, self.decision.reject_object_button):
            b.setEnabled(obj)
        for b in (self.decision.accept_image_button, self.decision.reject_image_button):
            b.setEnabled(img)
        text = ""
        if img and self.document is not None:
            entry = (self.document.project.app.get("image_review") or {}).get(str(self.image_id))
            if isinstance(entry, dict) and entry.get("review"):
                note = f" — “{escape(note_preview(str(entry['note'])))}”" if entry.get("note") else ""
                text = f"This image: <b>{escape(str(entry['review']))}</b>{note}"
        row = self.current_object()
        if img and row is not None and row.cand_id is None:  # a missed row: why the object keys do nothing
            text = "<br>".join(t for t in (text, escape(self.decision.missed_hint(bool(text)))) if t)
        self.decision.show_decision(text)
        self.decisionsChanged.emit()
