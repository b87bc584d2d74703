"""Orientation letters (R/L, A/P, S/I) at the middle of an image view's four edges, as 3D Slicer and PACS
viewers show them: which side of the patient lies that way on the screen. Drawn for an image whose file
places it in the patient (``core.patient_space``), in screen pixels (a zoom or pan does not move or scale
them); none for any other image. One overlay for every view of a slice: the labeling canvas and the review
view's three panes."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent
from PySide6.QtWidgets import QGraphicsView, QWidget

if TYPE_CHECKING:
    from pixelproof.core.patient_space import PatientGeometry

MARGIN = 6  # screen pixels between a letter and its edge
EDGES = ("left", "right", "top", "bottom")


def patient_of(loaded: Any) -> PatientGeometry | None:
    """Where a loaded image (``workers.LoadedImage``, or None) lies in the patient, if its file says."""
    return getattr(loaded, "patient", None) if loaded is not None else None


class OrientationMarks(QWidget):
    """Over a view's viewport (a child of the view, as the focus frame, so a pan does not scroll it);
    lets every mouse event through. It reads the shown image's geometry (``placed``) when it paints, so an
    image being replaced shows no stale letters; the view calls ``follow`` when its image changes."""

    def __init__(self, view: QGraphicsView, placed: Callable[[], PatientGeometry | None]) -> None:
        super().__init__(view)
        self.view = view
        self.placed = placed
        self.setObjectName("orientationMarks")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        font = QFont(self.font())
        font.setBold(True)
        self.setFont(font)
        self._laid_out: tuple[object, ...] = ()  # (geometry, size) the rects below were laid out for
        self._rects: dict[str, QRect] = {}
        self._letters: dict[str, str] = {}
        self.hide()
        view.viewport().installEventFilter(self)  # laid out after the view's own resize event

    def geometry_shown(self) -> PatientGeometry | None:
        return self.placed()

    def letters(self) -> dict[str, str]:
        """{edge: letters} drawn now; empty for an image with no known patient orientation."""
        where = self.geometry_shown()
        return where.edge_letters() if where is not None else {}

    def follow(self) -> None:
        """Shown while the image has a patient orientation (a hidden overlay costs the canvas nothing)."""
        self.setGeometry(self.view.viewport().geometry())
        self.setVisible(self.geometry_shown() is not None)
        self.raise_()
        self.update()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and watched is self.view.viewport():
            self.setGeometry(self.view.viewport().geometry())
        return False

    def letter_rects(self) -> dict[str, QRect]:
        """Where each edge's letters are drawn, in this widget's (= the viewport's) pixels; laid out once
        per image and size (the overlay paints with every canvas repaint under it, a brush stroke's too)."""
        key = (self.geometry_shown(), self.width(), self.height())
        if key != self._laid_out:
            self._laid_out, self._letters = key, self.letters()
            self._rects = self._layout()
        return dict(self._rects)

    def _layout(self) -> dict[str, QRect]:
        metrics = self.fontMetrics()
        w, h = self.width(), self.height()
        out = {}
        for edge, text in self._letters.items():
            box = metrics.boundingRect(text).adjusted(-2, 0, 2, 0)
            bw, bh = box.width(), metrics.height()
            x = {"left": MARGIN, "right": w - MARGIN - bw}.get(edge, (w - bw) // 2)
            y = {"top": MARGIN, "bottom": h - MARGIN - bh}.get(edge, (h - bh) // 2)
            out[edge] = QRect(x, y, bw, bh)
        return out

    def paintEvent(self, event: QPaintEvent) -> None:
        rects = {e: r for e, r in self.letter_rects().items() if r.intersects(event.rect())}
        if not rects:
            return
        letters = self._letters
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        for edge, rect in rects.items():
            box = QRectF(rect)
            p.setPen(QColor(0, 0, 0, 200))  # a shadow: legible on white bone and black air alike
            p.drawText(box.translated(QPointF(1, 1)), Qt.AlignmentFlag.AlignCenter, letters[edge])
            p.setPen(QColor(255, 236, 150))
            p.drawText(box, Qt.AlignmentFlag.AlignCenter, letters[edge])
        p.end()
