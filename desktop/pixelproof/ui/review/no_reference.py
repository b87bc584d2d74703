"""The review view of a project without a reference: the current image with its objects in the candidate
pane, and in place of the reference and difference panes a card saying what is missing, with the two
ways to choose a reference (its buttons are wired by ``ReviewMode`` to the Review menu's actions).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QVBoxLayout, QWidget

from pixelproof.core.volumes import expected_identity
from pixelproof.ui.jobs import Job
from pixelproof.ui.review import compute

if TYPE_CHECKING:
    from pixelproof.ui.review.view import ReviewView


class NoReferenceCard(QFrame):
    """What the review view needs, and the buttons that give it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("noReferenceCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        title = QLabel("<h3>Choose a reference to review against</h3>")
        text = QLabel(
            "The review view compares this project — the candidate, shown on the right — with reference "
            "labels: another project file, a folder of PNG masks, or any dataset folder PixelProof reads. "
            "It then scores every image (Dice, IoU, missed and extra objects) and shows the differences."
        )
        text.setWordWrap(True)
        self.project_button = QPushButton("Choose Reference Project…")
        self.project_button.setObjectName("chooseReferenceProject")
        self.folder_button = QPushButton("Choose Reference Dataset Folder…")
        self.folder_button.setObjectName("chooseReferenceFolder")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 24)
        layout.addStretch(1)
        layout.addWidget(title)
        layout.addWidget(text)
        layout.addSpacing(12)
        for button in (self.project_button, self.folder_button):
            button.setMinimumHeight(32)
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(2)


class CandidatePreview:
    """Shows the document's current image and its objects in the candidate pane while there is no
    reference; the card stands in for the reference and difference panes."""

    def __init__(self, view: ReviewView, card: NoReferenceCard) -> None:
        self.view = view
        self.card = card
        self.job: Job | None = None
        self.active = False

    def show(self) -> None:
        """No reference: the card, and the current image as the candidate."""
        view = self.view
        self.active = True
        view.ref_pane.hide()
        view.diff_pane.hide()
        self.card.show()
        self.show_image()

    def hide(self) -> None:
        """A reference: the three panes again."""
        if not self.active:
            return
        self.active = False
        if self.job is not None:
            self.job.cancel()
            self.job = None
        self.card.hide()
        self.view.ref_pane.show()
        self.view.diff_pane.show()
        self.view.cand_pane.clear()
        self.view.image_id = -1

    def show_image(self) -> None:
        view, doc = self.view, self.view.document
        image = doc.current_image if doc is not None else None
        if not self.active or image is None or image.id == view.image_id:
            return
        view.image_id = image.id
        pane = view.cand_pane
        pane.set_size(image.height, image.width, f"Loading {image.file_name}…", image)
        pane.fitted = True
        pane.fit()
        cached = view.loader.request(
            image.id, doc.project.image_path(image), expect=expected_identity(image.extra)
        )
        if cached is not None:
            pane.set_image(cached)
        project, outline = doc.project.snapshot(), view.outline
        if self.job is not None:
            self.job.cancel()
        job = Job(lambda _j: _objects_layer(project, image.id, outline), view)
        job.finished.connect(lambda layer, j=job, i=image.id: self._on_layer(j, i, layer))
        self.job = job
        job.start()

    def _on_layer(self, job: Job, image_id: int, drawn: tuple[np.ndarray, int]) -> None:
        if job is self.job and self.active and image_id == self.view.image_id:
            self.job = None
            layer, scale = drawn
            self.view.cand_pane.set_overlay(layer, scale=scale)
            project = self.view.document.project
            image = project.images.get(image_id)
            if image is not None:  # its objects' keypoints, as the canvas draws them
                self.view.cand_pane.set_keypoints(
                    image, project.annotations_of(image_id), project.categories.get
                )


def _objects_layer(project, image_id: int, outline: bool) -> tuple[np.ndarray, int]:  # type: ignore[no-untyped-def]
    """The candidate pane's layer for one image: each object in its category colour, and its scale (a
    slide past the pixel limit is drawn by blocks, ``qa_difference.layer_scale``, as with a reference)."""
    from pixelproof.core.qa_difference import layer_scale

    image = project.images[image_id]
    colors = compute.category_colors(project, project)
    scale = layer_scale(image.height, image.width)
    return compute.mask_layer(project, image, (image.height, image.width), colors, outline, scale), scale
