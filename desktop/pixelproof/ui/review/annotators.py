"""Review > Annotators Side by Side: the versions annotators made of one overlap image (kept side by side by
a merge), each in its own linked pane, and the per-pixel disagreement map; Consensus adds pending
consensus objects (STAPLE or majority; an object exactly half of the annotators drew proposed pending or
left out, the ties box) and Accept Consensus keeps them and drops the versions, Accept / Reject All Ties
decide every tie still pending (``consensus_ties``), each one undoable edit.
The layers and the share of pixels the annotators differ on are worked out in a background ``Job``
(``core.disagreement``: exact counts, layers reduced on a large image); the UI thread shows them.
The consensus too (STAPLE over a large image's masks takes seconds): its edit is pushed once worked out, if
the project still holds what it was worked out from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from pixelproof.core import disagreement as compare
from pixelproof.core.agreement import Member, raters_from_merged
from pixelproof.core.category_colors import shown_color
from pixelproof.core.consensus import (
    accept_consensus,
    consensus_edit,
    dropped_by_accept,
    dropped_text,
    overlap_images,
    summary_line,
    ties_advice,
    ties_left_pending,
    ties_text,
    unchanged_for_consensus,
)
from pixelproof.core.limits import LimitError
from pixelproof.core.volumes import expected_identity
from pixelproof.core.wording import plural
from pixelproof.ui.dialogs import as_text
from pixelproof.ui.jobs import Job
from pixelproof.ui.review.consensus_ties import TieButtons, remember_ties_box
from pixelproof.ui.review.panes import LinkedPanes, ReviewPane
from pixelproof.ui.shortcuts import make_action
from pixelproof.ui.workers import load_image

if TYPE_CHECKING:
    from pixelproof.ui.shell import Shell

LEGEND = "(green: all agree, orange to red: more of them differ)"


@dataclass
class Layers:
    """What the panes draw for one overlap image: each annotator's objects then the disagreement heat map,
    RGBA at one pixel per ``scale`` x ``scale`` image pixels, and the share they differ on."""

    image_id: int
    scale: int
    rgba: list[np.ndarray]
    share: float | None  # None: nobody labelled the image


def compute_layers(
    job: Job, image_id: int, members: list[Member], colors: dict[str, tuple[int, int, int]]
) -> Layers:
    """The layers of one image, off the UI thread (stops at the job's Cancel)."""
    image = members[0].image
    found = compare.disagreement(members, compare.overlay_scale(image.height, image.width), job.check)
    rgba = [compare.annotator_rgba(found, k, colors) for k in range(len(members))]
    return Layers(image_id, found.scale, [*rgba, compare.heat_rgba(found)], found.share)


def share_text(n: int, share: float | None, scale: int) -> str:
    """The line above the panes once the layers are there."""
    if share is None:
        return f"{plural(n, 'annotator')}; no annotator labelled this image"
    shown = f"{share:.1%}" if 0 < share < 0.01 else f"{share:.0%}"  # a few pixels are not "0%"
    reduced = f"; drawn at 1/{scale} of the image's resolution" if scale > 1 else ""
    return f"{plural(n, 'annotator')}; they differ on {shown} of the labelled pixels {LEGEND}{reduced}"


class NameLabel(QLabel):
    """An annotator's name above its pane, shortened to the pane's width (the whole name in its tip): a
    64-character name would otherwise widen its column and squeeze the other panes."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.setToolTip(as_text(name))  # a name from the file, shown as written
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.font()
        font.setBold(True)
        self.setFont(font)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setText(name)

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().resizeEvent(event)
        self.setText(self.fontMetrics().elidedText(self.name, Qt.TextElideMode.ElideMiddle, self.width()))


class AnnotatorsView(QObject):
    """The view and its Review-menu action (see the module docstring)."""

    paneAdded = Signal(object)  # a new ReviewPane (each image gets its own): the status bar watches it

    def __init__(self, shell: Shell) -> None:
        super().__init__(shell)
        self.shell = shell
        self.widget = QWidget()
        self.widget.setObjectName("annotatorsView")
        self.images = QComboBox()
        self.images.currentIndexChanged.connect(self._show_current)
        self.info = QLabel()
        self.method = QComboBox()
        self.method.addItems(["staple", "majority"])
        self.ties = QComboBox()  # what becomes of an object exactly half of the annotators drew
        self.ties.addItem("Ties: review", "pending")
        self.ties.addItem("Ties: drop", "drop")
        self.ties.setToolTip(
            "An object exactly half of the annotators drew (with two, one drew it alone): review adds it as "
            "a pending consensus object noted 'drawn by 1 of 2 annotators', which Accept Consensus leaves "
            "pending for you to decide; drop leaves it out (Accept Consensus then deletes it)"
        )
        remember_ties_box(self.ties)
        self.consensus_button = QPushButton("Consensus")
        self.consensus_button.setToolTip(
            "Add pending consensus objects to every overlap image (one undo step)"
        )
        self.consensus_button.clicked.connect(self.add_consensus)
        self.accept_button = QPushButton("Accept Consensus")
        self.accept_button.setToolTip(
            "Keep this image's consensus objects not rejected; drop the annotators' versions"
        )
        self.accept_button.clicked.connect(self.accept)
        back = QPushButton("Back to Labeling")
        back.clicked.connect(self.close)
        top = QHBoxLayout()
        top.addWidget(QLabel("Overlap image:"))
        top.addWidget(self.images, 1)
        top.addWidget(back)
        # the consensus controls on a row of their own: beside the image box they widened the view past a
        # 1024-pixel window's centre (the right dock cut, the image's name cut to "images/i")
        actions = QHBoxLayout()
        self.consensus_job: Job | None = None
        self.tie_buttons = TieButtons(shell, lambda: self.consensus_job is not None)
        tie_buttons = (self.tie_buttons.accept_button, self.tie_buttons.reject_button)
        for w in (self.method, self.ties, self.consensus_button, self.accept_button, *tie_buttons):
            actions.addWidget(w)
        actions.addStretch(1)
        self.grid = QGridLayout()
        layout = QVBoxLayout(self.widget)
        layout.addLayout(top)
        layout.addLayout(actions)
        layout.addWidget(self.info)
        layout.addLayout(self.grid, 1)
        self.panes: list[ReviewPane] = []
        self.linked: LinkedPanes | None = None
        self.members: dict[int, list] = {}
        self.overlays: list[np.ndarray] = []  # the shown image's layers, once worked out
        self.scale = 1
        self.job: Job | None = None
        self.overlay_job: Job | None = None
        self.consensus_image: int | None = None  # the image shown when Consensus was pressed
        self._info_text = ""
        shell.add_view(self.widget, "labeling")  # the window's labeling keys go to the image chosen here
        self.action = make_action(
            "review.annotators",
            self,
            self.open,
            tip="Each annotator's version of an overlap image and where they disagree",
        )
        shell.add_action(self.action)
        shell.documentChanged.connect(self._document_changed)
        self._hooked = None
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self._refresh_if_open)

    @staticmethod
    def _signals(doc):  # type: ignore[no-untyped-def]
        """What changes the versions shown."""
        return (doc.annotationAdded, doc.annotationRemoved, doc.annotationChanged, doc.annotationsBatch)

    def _document_changed(self, doc) -> None:  # type: ignore[no-untyped-def]
        if self._hooked is not None:
            for sig in self._signals(self._hooked):
                sig.disconnect(self._changed)
            self._hooked.currentImageChanged.disconnect(self._follow)
        self._hooked = doc
        if doc is not None:
            for sig in self._signals(doc):
                sig.connect(self._changed)
            doc.currentImageChanged.connect(self._follow)
        if self.is_open():
            self.close()

    def _changed(self, *_: object) -> None:
        # one refresh once the edit is announced, not one per object (a merge or an undo announces
        # every object it adds or removes: each refresh recomputes every overlay of the image)
        if self.is_open():
            self._refresh_timer.start()

    def _follow(self, image_id: int) -> None:
        """D / A (labeling keys, on here too) moved to another image: show it if it is an overlap image."""
        index = self.images.findData(image_id)
        if self.is_open() and index >= 0 and index != self.images.currentIndex():
            self.images.setCurrentIndex(index)

    def _refresh_if_open(self) -> None:
        if self.is_open():
            self.refresh()

    def is_open(self) -> bool:
        return self.shell.current_view() is self.widget

    def open(self) -> None:
        if self.shell.document is None:
            return
        canvas = self.shell.canvas
        if canvas.tool is not None:
            canvas.tool.cancel()
        self.shell.show_view(self.widget)  # which empties the selection (Shell._show_selection)
        # the image being labelled, when it is an overlap image: Accept Consensus acts on the one shown
        self.refresh(self.shell.document.current_image_id)

    def close(self) -> None:
        self._cancel_layers()
        self._cancel_consensus()
        self.shell.show_view(None)

    def _cancel_layers(self) -> None:
        if self.overlay_job is not None:
            self.overlay_job.cancel()
            self.overlay_job = None

    def overlays_ready(self) -> bool:
        """The layers of the image shown are drawn (the background job is done)."""
        return self.overlay_job is None and bool(self.overlays)

    def refresh(self, prefer: int | None = None) -> None:
        """Re-read the overlap images and show image ``prefer`` if it is one, else the chosen one again."""
        doc = self.shell.document
        self.members = overlap_images(doc.project) if doc is not None else {}
        current = prefer if prefer in self.members else self.images.currentData()
        self.images.blockSignals(True)
        self.images.clear()
        for image_id in self.members:
            self.images.addItem(doc.project.images[image_id].file_name, image_id)
        index = max(0, self.images.findData(current)) if current is not None else 0
        self.images.setCurrentIndex(index if self.members else -1)
        self.images.blockSignals(False)
        self._enable_buttons()
        if not self.members:
            self._set_info("No overlap image: merge shards that share images (File > Merge Shards…) first.")
            self._cancel_layers()
            self._set_panes([])
            return
        self._show_current()

    def _set_panes(self, titles: list[str]) -> None:
        """New panes (a box each: name above pane) in place of the previous image's, boxes and all."""
        while (old := self.grid.takeAt(0)) is not None:
            if (box := old.widget()) is not None:
                box.hide()
                box.deleteLater()  # its pane and name go with it
        self.panes = [ReviewPane(t) for t in titles]
        for p in self.panes:
            self.paneAdded.emit(p)  # before its image and fit, so its zoom and window reach the status bar
        columns = 2 if len(titles) <= 4 else 3
        for k, p in enumerate(self.panes):
            box = QWidget()
            lay = QVBoxLayout(box)
            lay.setContentsMargins(0, 0, 0, 0)
            lay.addWidget(NameLabel(titles[k]))
            lay.addWidget(p, 1)
            self.grid.addWidget(box, k // columns, k % columns)
        self.linked = LinkedPanes(self.panes) if self.panes else None

    def _show_current(self, *_: object) -> None:
        doc = self.shell.document
        image_id = self.images.currentData()
        if doc is None or image_id is None or image_id not in self.members:
            return
        # the window's labeling keys (Alt+3: Mark as Done) and Back to Labeling follow the image shown
        doc.set_current_image(image_id)
        snapshot = doc.project.snapshot([image_id])  # what the job reads while the user goes on editing
        members = overlap_images(snapshot)[image_id]
        names = [r.name for r in raters_from_merged(snapshot)]
        self._set_panes([names[m.rater] for m in members] + ["disagreement"])
        image = snapshot.images[image_id]
        for pane in self.panes:
            pane.set_size(image.height, image.width, "loading…", image)
        self._set_info(f"{plural(len(members), 'annotator')}; computing where they differ…")
        self._cancel_layers()  # the previous image's, if still running
        if image_id != self.consensus_image:  # another image shown (D / A): the consensus stops too
            self._cancel_consensus()
        self.overlays, self.scale = [], 1
        colors = {
            c.name: QColor(shown_color(c.color, c.id)).getRgb()[:3] for c in snapshot.categories.values()
        }
        job = Job(lambda j: compute_layers(j, image_id, members, colors), self, expected=(LimitError,))
        job.finished.connect(lambda layers, j=job: self._layers_done(j, layers))
        job.failed.connect(lambda reason, j=job: self._layers_failed(j, reason))
        self.overlay_job = job
        job.start()
        path = doc.project.image_path(image)
        exif, expect = doc.project.applies_exif, expected_identity(image.extra)
        load = Job(lambda _job: load_image(path, apply_exif=exif, expect=expect), self)
        load.finished.connect(lambda img, panes=list(self.panes): self._image_loaded(img, panes))
        load.failed.connect(lambda reason, panes=list(self.panes): self._image_failed(reason, panes))
        self.job = load
        load.start()
        self.panes[0].fit()

    def _layers_done(self, job: Job, layers: Layers) -> None:
        if job is not self.overlay_job:
            return
        self.overlay_job = None
        if layers.image_id != self.images.currentData():
            return
        self.overlays, self.scale = layers.rgba, layers.scale
        for pane, overlay in zip(self.panes, self.overlays, strict=True):
            pane.set_overlay(overlay, scale=self.scale)
        self._set_info(share_text(len(layers.rgba) - 1, layers.share, layers.scale))

    def _layers_failed(self, job: Job, reason: str) -> None:
        if job is self.overlay_job:
            self.overlay_job = None
            self._set_info(f"Cannot compare the annotators' versions: {reason}")

    def _image_loaded(self, image, panes) -> None:  # type: ignore[no-untyped-def]
        if panes != self.panes:
            return
        for p in panes:
            p.set_image(image)
        for p, overlay in zip(panes, self.overlays, strict=False):  # none yet while they are worked out
            p.set_overlay(overlay, scale=self.scale)  # above the image
        self.panes[0].fit()

    def _image_failed(self, reason: str, panes: list[ReviewPane]) -> None:
        if panes == self.panes:  # not those of an image shown before (deleted since, or going)
            for p in panes:
                p.set_image(None, reason, True)

    def _set_info(self, text: str) -> None:
        """The line above the panes, saying so while the consensus is worked out."""
        self._info_text = text
        self.info.setText(f"{text}; computing consensus…" if self.consensus_job is not None else text)

    def _enable_buttons(self) -> None:
        """Consensus and Accept Consensus: off while the consensus is worked out (a second press would
        work it out again; an accept would change what it is worked out from)."""
        for button in (self.consensus_button, self.accept_button):
            button.setEnabled(bool(self.members) and self.consensus_job is None)
        self.tie_buttons.update()

    def add_consensus(self) -> None:
        """Work out the consensus of every overlap image in a background job, from a snapshot."""
        doc = self.shell.document
        if doc is None or self.consensus_job is not None:
            return
        before, method, ties = doc.project.snapshot(), self.method.currentText(), self.ties.currentData()
        job = Job(
            lambda j: consensus_edit(before, method, check=j.check, ties=ties), self, expected=(LimitError,)
        )
        job.finished.connect(lambda result, j=job: self._consensus_done(j, doc, before, result))
        job.failed.connect(lambda reason, j=job: self._consensus_failed(j, reason))
        job.cancelled.connect(lambda j=job: self._consensus_over(j))
        self.consensus_job, self.consensus_image = job, self.images.currentData()
        self._consensus_changed()
        job.start()

    def _cancel_consensus(self) -> None:
        if self.consensus_job is not None:
            self.consensus_job.cancel()
            self._consensus_over(self.consensus_job)

    def _consensus_over(self, job: Job) -> bool:
        """Forget ``job`` if it is the running one (True); False for one cancelled before."""
        if job is not self.consensus_job:
            return False
        self.consensus_job = self.consensus_image = None
        self._consensus_changed()
        return True

    def _consensus_changed(self) -> None:
        self._enable_buttons()
        self._set_info(self._info_text)

    def _consensus_done(self, job: Job, doc, before, result) -> None:  # type: ignore[no-untyped-def]
        """Push the edit as one undo step, unless the project changed since it was read."""
        if not self._consensus_over(job) or self.shell.document is not doc:
            return
        edit, summary = result
        if not unchanged_for_consensus(before, doc.project):
            self.shell.status("The image changed while the consensus was computed: press Consensus again", 0)
            return
        if not edit.parts:  # every overlap image has its consensus already: no empty undo step
            self.shell.status(summary_line(summary))
            return
        doc.push(edit)
        advice = ties_advice(summary, "Accept All Ties / Reject All Ties", "Accept Consensus")
        self.shell.status(f"{summary_line(summary)}; review them, then Accept Consensus. {advice}".strip())

    def _consensus_failed(self, job: Job, reason: str) -> None:
        if self._consensus_over(job):
            self.shell.status(f"Consensus not worked out: {reason}", 0, "warning")

    def accept(self) -> None:
        doc = self.shell.document
        image_id = self.images.currentData()
        if doc is None or image_id is None:
            return
        dropped = dropped_text(doc.project, dropped_by_accept(doc.project, [image_id]))
        pending = ties_text(ties_left_pending(doc.project, [image_id]))
        edit = accept_consensus(doc.project, [image_id])
        if not edit.parts:  # no consensus worked out on this image: nothing to accept, nothing to undo
            self.shell.status("No consensus on this image yet: press Consensus first")
            return
        doc.push(edit)
        if dropped:  # ties dropped: every object one of two drew alone; say it, undo brings them back
            dropped = f"{dropped} (Edit > Undo brings them back)"
        said = [f"Consensus accepted: {edit.counts_text()}", *(t for t in (dropped, pending) if t)]
        self.shell.status("; ".join(said), 0 if dropped or pending else 4000)
