"""Reviewing predictions (review "pending", drawn dashed): accept keeps them (review "accepted", solid;
a mask made from a box turns that box into the mask, keeping its id, author and category);
reject deletes them (undoable) — a rejected guess holds no human work, and keeping it would leak model
false positives into exports and QA. The score slider only hides low-scoring pending predictions."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QSlider, QWidget

from pixelproof.core.edits.prediction_review import (
    accept_predictions,
    pending_predictions,
    reject_predictions,
)
from pixelproof.core.model import Annotation, is_pending_prediction
from pixelproof.core.wording import plural
from pixelproof.ui.document import Document
from pixelproof.ui.panels.prelabel.batch import text_button


def _count(n: int) -> str:
    return f"{plural(n, 'prediction')}"


class PredictionReview(QGroupBox):
    """The accept / reject actions (``actions``, for the Model menu) and their buttons, the score slider.
    ``message`` is for the status bar; ``scoreFilterChanged`` asks its window's canvas to hide what scores
    below ``score_cut`` (that canvas's, no other window's)."""

    message = Signal(str)
    scoreFilterChanged = Signal()

    def __init__(self, make_action: Callable[..., QAction], parent: QWidget | None = None) -> None:
        super().__init__("Review predictions (dashed)", parent)
        self.document: Document | None = None
        a = make_action
        self.act_accept = a("model.accept_selected", self.accept_selected, "Selected predictions: keep them")
        self.act_reject = a(
            "model.reject_selected", self.reject_selected, "Selected predictions: delete them"
        )
        self.act_accept_all = a(
            "model.accept_all",
            self.accept_all,
            "Every prediction shown on this image (hidden ones stay pending)",
        )
        self.act_reject_all = a("model.reject_all", self.reject_all, "Every prediction on this image")
        self.act_accept_project = a(
            "model.accept_project",
            self.accept_all_in_project,
            "Every pending prediction in the project the Show slider does not hide, on every image (one "
            "undo step; those it hides stay pending)",
        )
        self.act_reject_below = a(
            "model.reject_below", self.reject_below, "Predictions on this image scoring below the slider"
        )
        self.act_reject_below_project = a(
            "model.reject_below_project",
            self.reject_below_in_project,
            "Every pending prediction in the project scoring below the Show slider, on every image (one "
            "undo step)",
        )
        self.act_reject_category = a(
            "model.reject_category_project",
            self.reject_category_in_project,
            "Every pending prediction of the current category (the toolbar's), on every image: a class "
            "the model should not propose, as a COCO model's dining table under a shelf (one undo step)",
        )
        self.actions_list = [self.act_accept, self.act_reject, self.act_accept_all, self.act_reject_all,
                             self.act_reject_below, self.act_accept_project, self.act_reject_below_project,
                             self.act_reject_category]  # fmt: skip
        self.score_slider = QSlider(Qt.Orientation.Horizontal)
        self.score_slider.setObjectName("scoreFilter")
        self.score_slider.setRange(0, 100)
        self.score_slider.setToolTip("Hide pending predictions scoring below this (display only)")
        self.score_slider.valueChanged.connect(self._score_filter_changed)
        self.score_label = QLabel("≥ 0.00")
        self.pending_label = QLabel()
        grid = QGridLayout(self)
        grid.addWidget(QLabel("Show"), 0, 0)
        grid.addWidget(self.score_slider, 0, 1)
        grid.addWidget(self.score_label, 0, 2)
        self.reject_below_button = text_button(self.act_reject_below)
        buttons = [text_button(a) for a in self.actions_list[:4]] + [self.reject_below_button]
        buttons.append(text_button(self.act_accept_project))
        for row, b in enumerate(buttons, 1):  # one column: the dock stays narrow on a 1366-px screen
            grid.addWidget(b, row, 0, 1, 3)
        grid.addWidget(self.pending_label, len(buttons) + 1, 0, 1, 3)

    # -- what there is to review -------------------------------------------------------------------
    def pending_on_image(self) -> list[Annotation]:
        doc = self.document
        if doc is None or doc.current_image_id == -1:
            return []
        return [a for a in doc.project.annotations_of(doc.current_image_id) if is_pending_prediction(a)]

    def selected_pending(self) -> list[Annotation]:
        doc = self.document
        return [a for a in doc.selected_annotations() if is_pending_prediction(a)] if doc is not None else []

    def score_cut(self) -> float:
        return self.score_slider.value() / 100

    # -- decisions ---------------------------------------------------------------------------------
    def _accept(self, anns: list[Annotation], what: str) -> None:
        if not anns or self.document is None:
            self.message.emit("No pending predictions there (predictions are dashed)")
            return
        self.document.push(accept_predictions(self.document.project, anns, f"Accept {what}"))

    def _reject(self, anns: list[Annotation], what: str) -> None:
        if not anns or self.document is None:
            self.message.emit("No pending predictions there (predictions are dashed)")
            return
        self.document.push(reject_predictions(anns, f"Reject {what}"))

    def accept_selected(self) -> None:
        """K: keep the selected predictions, then select the next one shown (``_select_next``)."""
        anns = self.selected_pending()
        after = self._pending_after(anns)
        self._accept(anns, _count(len(anns)))
        self._select_next(after, "accepted")

    def reject_selected(self) -> None:
        """J: delete the selected predictions, then select the next one shown."""
        anns = self.selected_pending()
        after = self._pending_after(anns)
        self._reject(anns, _count(len(anns)))
        self._select_next(after, "rejected")

    def _pending_after(self, decided: list[Annotation]) -> list[int]:
        """The shown pending predictions not in ``decided``, in the image's order starting after the last
        of them (round to the first): the queue K and J walk, as the Problems panel's fix goes on to the
        next problem. A keyboard reviewer decides one after the other without a click between."""
        if not decided:
            return []
        gone = {a.id for a in decided}
        order = [a.id for a in self.shown_pending()]
        last = max((n for n, i in enumerate(order) if i in gone), default=-1)
        return [i for i in order[last + 1 :] + order[: last + 1] if i not in gone]

    def _select_next(self, queue: list[int], done: str) -> None:
        doc = self.document
        if doc is None or not queue:
            return
        left = [a.id for a in self.shown_pending()]
        following = next((i for i in queue if i in left), None)
        if following is None:
            return
        doc.set_selection([following])
        self.message.emit(
            f"Prediction {done}; the next is selected: #{following} ({_count(len(left))} left on the image)"
        )

    def shown_pending(self) -> list[Annotation]:
        """The pending predictions on this image the Show slider does not hide (a prediction without a
        score is always shown)."""
        cut = self.score_cut()
        return [a for a in self.pending_on_image() if a.score is None or a.score >= cut]

    def accept_all(self) -> None:
        """Accept what is shown: predictions the slider hides were not looked at, so they stay pending
        (Reject Below removes them)."""
        anns = self.shown_pending()
        self._accept(anns, f"all {_count(len(anns))} shown on the image")

    def accept_all_in_project(self) -> None:
        """Accept, on every image, the pending predictions the Show slider does not hide: the X-AnyLabeling
        habit of pre-labelling a folder and trusting the model above a score, in one undo step. Those
        below stay pending (left out of exports) and are counted, so the cut is never silent."""
        doc = self.document
        if doc is None:
            return
        cut = self.score_cut()
        pending = [a for a in doc.project.annotations.values() if is_pending_prediction(a)]
        shown = [a for a in pending if a.score is None or a.score >= cut]
        below = len(pending) - len(shown)
        left = f"; {below} below {cut:.2f} stay pending (lower Show to see them)" if below else ""
        if not shown:
            self.message.emit(f"No pending predictions scoring {cut:.2f} or more in the project" + left)
            return
        images = len({a.image_id for a in shown})
        self._accept(shown, f"all {_count(len(shown))} in the project")
        self.message.emit(f"Accepted {_count(len(shown))} on {plural(images, 'image')}{left} · Ctrl+Z undoes")

    def _reject_in_project(self, anns: list[Annotation], what: str, nothing: str) -> None:
        """Reject ``anns`` (on any image) as one undo step and say how many on how many images."""
        if self.document is None:
            return
        if not anns:
            self.message.emit(nothing)
            return
        images = len({a.image_id for a in anns})
        self._reject(anns, f"{what} in the project")
        self.message.emit(f"Rejected {what} on {plural(images, 'image')} (deleted) · Ctrl+Z undoes")

    def reject_below_in_project(self) -> None:
        """Reject, on every image, the pending predictions scoring below the slider: after Accept All
        in Project, those left below the cut would otherwise need a visit to each image."""
        if self.document is None:
            return
        cut = self.score_cut()
        anns = pending_predictions(self.document.project, below=cut)
        self._reject_in_project(
            anns,
            f"{_count(len(anns))} below {cut:.2f}",
            f"No pending predictions below {cut:.2f} in the project",
        )

    def reject_category_in_project(self) -> None:
        """Reject, on every image, the pending predictions of the current category: a class the model
        proposes and the project does not want (mapping it to *ignore* only stops the next run)."""
        doc = self.document
        if doc is None:
            return
        cat = doc.project.categories.get(doc.current_category_id)
        if cat is None:
            self.message.emit("No current category: choose one in the toolbar or the Categories panel")
            return
        anns = pending_predictions(doc.project, category_ids={cat.id})
        self._reject_in_project(
            anns, f"{_count(len(anns))} of {cat.name}", f"No pending {cat.name} predictions in the project"
        )

    def reject_all(self) -> None:
        anns = self.pending_on_image()
        self._reject(anns, f"all {_count(len(anns))} on the image")

    def reject_below(self, score: float | None = None) -> None:
        """Reject the pending predictions on this image scoring below ``score`` (default: the slider)."""
        cut = self.score_cut() if score is None else score
        anns = [a for a in self.pending_on_image() if a.score is not None and a.score < cut]
        self._reject(anns, f"{_count(len(anns))} below {cut:.2f}")

    def _score_filter_changed(self, value: int) -> None:
        self.score_label.setText(f"≥ {value / 100:.2f}")
        self.act_reject_below.setText(f"Reject Below {value / 100:.2f}")
        self.scoreFilterChanged.emit()
        self.update_state()

    def update_selection(self) -> None:
        """Accept and Reject follow the selection: what a selection change updates (reading every object
        of the image for its pending count took ~20 ms a click at 20,000 objects)."""
        has_image = self.document is not None and self.document.current_image_id != -1
        selected = self.selected_pending() if has_image else []
        self.act_accept.setEnabled(bool(selected))
        self.act_reject.setEnabled(bool(selected))

    def update_state(self) -> None:
        """Actions enabled by what is pending / selected on the current image; the count line."""
        has_image = self.document is not None and self.document.current_image_id != -1
        pending = self.pending_on_image() if has_image else []
        below = [a for a in pending if a.score is not None and a.score < self.score_cut()]
        self.update_selection()
        self.act_accept_all.setEnabled(len(below) < len(pending))  # something shown to accept
        self.act_reject_all.setEnabled(bool(pending))
        self.act_reject_below.setEnabled(bool(below))
        self.act_accept_project.setEnabled(self.document is not None)  # (says so when nothing is pending)
        # nothing scores below 0.00: the menu still shows the cut, greyed, rather than say so when clicked
        self.act_reject_below_project.setEnabled(self.document is not None and self.score_cut() > 0)
        self.act_reject_below_project.setText(f"Reject Below {self.score_cut():.2f} in Projec&t")
        doc = self.document
        cat = doc.project.categories.get(doc.current_category_id) if doc is not None else None
        self.act_reject_category.setEnabled(cat is not None)
        named = cat.name.replace("&", "&&") if cat is not None else "of the Current Category"
        self.act_reject_category.setText(f"Reject A&ll {named} Predictions in Project")
        text = f"{len(pending)} pending on this image" if pending else ""
        self.pending_label.setText(text + (f" · {len(below)} hidden" if below else ""))
