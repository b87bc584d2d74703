"""Edit > Preferences > "Mouse wheel": Zoom (the default, CVAT's) or Scroll (LabelMe's: the wheel scrolls up
and down, Shift+wheel left and right, Ctrl+wheel zooms at the cursor, a touchpad's pixel deltas scroll as many
pixels, and the image's edge stops at the window's). Real wheel events on the canvas's viewport and on the
review view's panes, which follow the same setting; the setting is kept for the next window."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QGraphicsView

from pixelproof.ui.preferences import PreferencesDialog
from pixelproof.ui.settings import settings
from tests.ui.conftest import open_main_window, settle

NO = Qt.KeyboardModifier.NoModifier
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def wheel(view: QGraphicsView, dy: int = 0, modifiers=NO, pixels: QPoint | None = None, dx: int = 0) -> None:  # type: ignore[no-untyped-def]
    """A wheel turn of ``dy`` eighths of a degree (120: a notch; positive: away from the user) over the
    middle of ``view``'s viewport; ``pixels``: a touchpad's pixel delta with it."""
    vp = view.viewport()
    at = QPoint(vp.width() // 2, vp.height() // 2)
    event = QWheelEvent(QPointF(at), QPointF(vp.mapToGlobal(at)), pixels or QPoint(0, 0), QPoint(dx, dy),
                        Qt.MouseButton.NoButton, modifiers, Qt.ScrollPhase.NoScrollPhase, False)  # fmt: skip
    QApplication.sendEvent(vp, event)


def bars(view: QGraphicsView) -> tuple[int, int]:
    return view.horizontalScrollBar().value(), view.verticalScrollBar().value()


def choose_scroll(win) -> None:  # type: ignore[no-untyped-def]
    """Through the Preferences dialog: the combo box, an arrow key, Close."""
    dialog = PreferencesDialog(win)
    combo = dialog.findChild(QComboBox, "wheelMode")
    assert combo.currentText() == "Zoom (CVAT)"  # the default
    combo.setFocus()
    QTest.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentText() == "Scroll (LabelMe)"
    dialog.close()


def test_the_wheel_zooms_by_default_and_scrolls_as_labelme_when_chosen(qtbot, window) -> None:
    canvas = window.canvas
    zoom = canvas.zoom
    wheel(canvas, 120)  # the default: CVAT's zoom
    assert canvas.zoom > zoom
    canvas.fit()

    choose_scroll(window)
    assert settings().value("canvas/wheel") == "scroll"
    fitted = bars(canvas), canvas.zoom
    wheel(canvas, -120)
    wheel(canvas, -120, SHIFT)
    assert (bars(canvas), canvas.zoom) == fitted  # the whole image in sight: nothing to scroll to (LabelMe)

    middle = canvas.mapToScene(canvas.viewport().rect().center())
    wheel(canvas, 480, CTRL)  # Ctrl+wheel zooms at the cursor
    assert canvas.zoom > 2 * fitted[1]
    assert (canvas.mapToScene(canvas.viewport().rect().center()) - middle).manhattanLength() < 1.0
    (x0, y0), zoom = bars(canvas), canvas.zoom

    wheel(canvas, -120)  # toward the user: down the image, a twentieth of the window a line
    x1, y1 = bars(canvas)
    step = canvas.verticalScrollBar().singleStep() * QApplication.wheelScrollLines()
    assert (x1, y1 - y0) == (x0, step) and canvas.zoom == zoom
    wheel(canvas, 120)
    assert bars(canvas) == (x0, y0)
    wheel(canvas, -120, SHIFT)  # Shift: sideways, to the right
    assert bars(canvas)[0] > x0 and bars(canvas)[1] == y0
    wheel(canvas, 0, NO, dx=120)  # a sideways wheel (or macOS's Shift+wheel) back to the left
    assert bars(canvas) == (x0, y0)
    wheel(canvas, -8, NO, QPoint(0, -7))  # a touchpad: its pixels, smoothly
    assert bars(canvas) == (x0, y0 + 7) and canvas.zoom == zoom

    for _ in range(60):  # far down: the image's bottom edge stops at the window's
        wheel(canvas, -120)
    bottom = canvas.mapFromScene(QPointF(0, canvas.image_rect().bottom())).y()
    assert abs(bottom - canvas.viewport().height()) <= 1
    stopped = bars(canvas)
    wheel(canvas, -120)
    assert bars(canvas) == stopped
    wheel(canvas, 120)
    assert bars(canvas)[1] < stopped[1]  # and back up


def test_the_wheel_setting_is_kept_for_the_next_window(qtbot, window, project_file) -> None:
    choose_scroll(window)
    window.close()
    settle()
    win = open_main_window(qtbot, project_file)
    try:
        canvas = win.canvas
        wheel(canvas, 480, CTRL)
        before, zoom = bars(canvas), canvas.zoom
        wheel(canvas, -120)
        assert bars(canvas)[1] > before[1] and canvas.zoom == zoom  # scrolls, as chosen before
        combo = PreferencesDialog(win).findChild(QComboBox, "wheelMode")
        assert combo.currentText() == "Scroll (LabelMe)"
    finally:
        win.document.undo_stack.setClean()
        win.close()


def test_the_review_panes_follow_the_same_setting(qtbot, tmp_path, no_prompts) -> None:
    from pixelproof.core.demo import install_demo
    from tests.ui.test_review import enter_review, open_window

    win = open_window(qtbot, install_demo(tmp_path / "demo"))
    try:
        enter_review(qtbot, win)
        view = win.review.view
        ref, cand = view.ref_pane, view.cand_pane
        zoom = ref.zoom
        wheel(ref, 120)  # the default: zoom, as on the canvas
        assert ref.zoom > zoom
        ref.fit()
        choose_scroll(win)
        wheel(ref, 720, CTRL)  # in, till the image overflows the tall panes both ways
        zoom = ref.zoom
        centre = cand.center()
        wheel(ref, -120)
        assert ref.zoom == zoom and cand.zoom == zoom
        assert cand.center().y() > centre.y() and cand.center().x() == centre.x()
        wheel(ref, -120, SHIFT)
        assert cand.center().x() > centre.x()
    finally:
        win.document.undo_stack.setClean()
        win.close()
