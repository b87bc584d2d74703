"""The review panes read the pointer as the labeling canvas does (``tool_event.scene_at``): its fraction
of a logical pixel kept (a high-DPI screen or a fractional scale gives one). Rounded first, the status bar
named the next pixel for the right half of each image pixel, and a click was placed up to half a screen
pixel off."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from tests.ui.test_review import demo, enter_review, window  # noqa: F401

LEFT, NONE = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton


def send(pane, kind: QEvent.Type, at: QPointF, button=NONE) -> None:  # type: ignore[no-untyped-def]
    """A real mouse event at ``at``, a fraction of a logical pixel, to ``pane``'s viewport."""
    vp = pane.viewport()
    held = LEFT if kind == QEvent.Type.MouseButtonPress else NONE
    ev = QMouseEvent(kind, at, QPointF(vp.mapToGlobal(at)), button, held, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(vp, ev)


def test_review_panes_keep_the_pointer_s_fraction(qtbot, window) -> None:  # noqa: F811
    enter_review(qtbot, window)
    view = window.review.view
    view.linked.show_at(QPointF(40, 30), 2.0)
    for pane in view.panes:
        corner = pane.viewportTransform().map(QPointF(40, 30))  # image pixel (40, 30)'s top-left corner
        assert corner == QPointF(corner.toPoint()), pane.title  # on a screen pixel's edge
        send(pane, QEvent.Type.MouseMove, corner + QPointF(1.75, 1.75))  # its last quarter of a screen pixel
        qtbot.waitUntil(lambda: window.pos_label.text() == "x 40, y 30", timeout=10000)
        got: list[QPointF] = []
        pane.clicked.connect(got.append)
        at = corner + QPointF(0.75, 1.25)
        send(pane, QEvent.Type.MouseButtonPress, at, LEFT)
        send(pane, QEvent.Type.MouseButtonRelease, at, LEFT)
        pane.clicked.disconnect(got.append)
        assert got == [QPointF(40.375, 30.625)], pane.title
