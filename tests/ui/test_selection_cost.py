"""A click on an image of thousands of objects: what follows it (the Annotations list, the box layer, the
tag layout, the Model panel) follows the objects whose selection changed and what is on screen, not every
object of the image (20,000 boxes: a click took 0.3-0.5 s, a wheel zoom over a pile of them 0.7 s a step).
The work is counted (speed itself is for ``bench canvas``); what the user sees is checked with it."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, QRect, Qt
from PySide6.QtGui import QPainter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Annotation
from tests.ui.conftest import make_project, open_main_window, selected_ids, settle
from tests.ui.test_workbench import click, key, view_point

PITCH, SIDE = 16, 12  # a grid of 12-px boxes, 16 px apart
COLS, ROWS = 50, 30


@pytest.fixture
def grid(qtbot, tmp_path: Path, no_prompts):  # type: ignore[no-untyped-def]
    """1,500 boxes in a grid on an 800x480 image, in two categories, the select tool on."""
    path = make_project(tmp_path, n_images=1, size=(ROWS * PITCH, COLS * PITCH))
    project = load_project(path)
    for k in range(COLS * ROWS):
        x, y = (k % COLS) * PITCH + 2.0, (k // COLS) * PITCH + 2.0
        project.add_annotation(Annotation(k + 1, 1, 1 + k % 2, [x, y, SIDE, SIDE], area=SIDE * SIDE))
    save_project(project, path)
    win = open_main_window(qtbot, path)
    key(win, Qt.Key.Key_V)
    yield win
    win.document.undo_stack.setClean()


def centre(win, ann_id: int):  # type: ignore[no-untyped-def]
    x, y, w, h = win.document.project.annotations[ann_id].bbox
    return view_point(win, x + w / 2, y + h / 2)


def listed_selection(win) -> list[int]:  # type: ignore[no-untyped-def]
    panel = win.panels["annotationsDock"]
    return sorted(selected_ids(panel.list))


def test_a_click_selects_its_row_reading_only_the_rows_that_change(grid) -> None:
    """Click an object, another, Shift-click a third: the list selects exactly those rows, the first in
    sight; after a deletion and its undo (the rows move) too. The list's rows are read once after they
    change, not on every click (a click read all 20,000: ~60 ms)."""
    win = grid
    panel = win.panels["annotationsDock"]
    reads: list[int] = []  # the rows' id -> row map built anew (it reads every row)
    real_build = panel.rows.row_of

    def row_of() -> dict[int, int]:
        if panel.rows._rows is None:
            reads.extend(panel.rows.ids)
        return real_build()

    panel.rows.row_of = row_of  # type: ignore[method-assign]
    n = COLS * ROWS
    click(win, centre(win, 700))
    assert win.document.selection == [700] and listed_selection(win) == [700]
    reads.clear()
    for clicked, expected in ((701, [701]), (1200, [1200]), (3, [3])):
        click(win, centre(win, clicked))
        assert win.document.selection == expected and listed_selection(win) == expected
    QTest.mouseClick(win.canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier,
                     centre(win, 1400))  # fmt: skip
    assert win.document.selection == [3, 1400] and listed_selection(win) == [3, 1400]
    assert len(reads) < 20, len(reads)
    current = panel.list.currentIndex()
    assert not current.isValid() or panel.list.selectionModel().isSelected(current)
    visible = panel.list.visualRect(panel.list.model().index(2, 0))
    assert panel.list.viewport().rect().intersects(visible)  # the first selected row is scrolled to
    key(win, Qt.Key.Key_Delete)  # rows 3 and 1400 go; the rows after them move up
    settle()
    assert panel.list.model().rowCount() == n - 2
    click(win, centre(win, 1401))
    assert listed_selection(win) == [1401]
    assert panel.list.selectionModel().selectedIndexes()[0].row() == 1398  # 1401 moved up two rows
    win.document.undo_stack.undo()  # both back in their places, selected
    settle()
    assert panel.list.model().rowCount() == n and listed_selection(win) == [3, 1400]
    role = Qt.ItemDataRole.UserRole
    assert [panel.list.model().index(r, 0).data(role) for r in (2, 3, 1399, 1400)] == [3, 4, 1400, 1401]
    key(win, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)  # every row, in one range
    assert listed_selection(win) == list(range(1, n + 1))
    key(win, Qt.Key.Key_Escape)
    assert listed_selection(win) == [] and win.document.selection == []


def on_screen(win):  # type: ignore[no-untyped-def]
    """The canvas as last painted on screen (the window's backing store: only what was repainted changed),
    beside a full repaint of it now (inside its focus frame); the two are the same when every change was
    repainted."""
    QApplication.processEvents()
    vp = win.canvas.viewport()
    at = vp.mapTo(win, vp.rect().topLeft())
    shown = win.screen().grabWindow(win.winId(), at.x(), at.y(), vp.width(), vp.height()).toImage()
    fresh = vp.grab().toImage()
    shown = shown.convertToFormat(fresh.format())
    overview = win.canvas.overview  # a widget over the viewport (not in its grab): left out of both
    if overview.isVisible():
        box = QRect(vp.mapFrom(win.canvas, overview.pos()), overview.size())
        for image in (shown, fresh):
            painter = QPainter(image)
            painter.fillRect(box, Qt.GlobalColor.black)
            painter.end()
    inside = vp.rect().adjusted(2, 2, -2, -2)  # the focus frame the canvas draws at its edge
    return shown.copy(inside), fresh.copy(inside)


def test_a_click_repaints_what_it_changes(grid) -> None:
    """A click repaints the boxes whose selection changed with their handles and tags, not the whole
    canvas: what is on screen after each click is what a full repaint shows."""
    win = grid
    win.canvas.set_zoom(4.0)
    win.canvas.centerOn(QPointF(160, 100))
    click(win, centre(win, 360))  # the first selection gives the canvas its focus frame, fills the
    key(win, Qt.Key.Key_Escape)  # Properties panel: the window's layout may repaint it whole
    settle()
    repainted: list[float] = []
    real_paint = win.canvas.box_layer.paint

    def paint(painter, option, widget=None):  # type: ignore[no-untyped-def]
        r = option.exposedRect
        repainted.append(r.width() * r.height())
        real_paint(painter, option, widget)

    win.canvas.box_layer.paint = paint  # type: ignore[method-assign]
    seen = win.canvas.mapToScene(win.canvas.viewport().rect()).boundingRect()
    for ann_id in (260, 261, 310, 211):  # neighbours: one's tag and handles reach the other's box
        repainted.clear()
        click(win, centre(win, ann_id))
        QApplication.processEvents()
        assert win.document.selection == [ann_id]
        assert repainted and max(repainted) < 0.25 * seen.width() * seen.height(), (ann_id, repainted)
        shown, fresh = on_screen(win)
        assert shown == fresh, ann_id
    key(win, Qt.Key.Key_Escape)
    shown, fresh = on_screen(win)
    assert shown == fresh


def wheel_in(win, at, steps: int) -> None:  # type: ignore[no-untyped-def]
    """``steps`` wheel notches towards the screen, delivered one after another with no frame between (a
    burst the window system queued while a frame was drawn)."""
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QWheelEvent

    vp = win.canvas.viewport()
    for _ in range(steps):
        ev = QWheelEvent(QPointF(at), QPointF(vp.mapToGlobal(at)), QPoint(0, 0), QPoint(0, 120),
                         Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                         Qt.ScrollPhase.NoScrollPhase, False)  # fmt: skip
        QApplication.sendEvent(vp, ev)


def test_a_wheel_burst_places_the_tags_once_before_its_frame(grid, monkeypatch) -> None:
    """Five wheel notches at once: the tags are placed once, for the zoom the frame shows (they were placed
    at each notch), and that frame shows them placed: on screen what a full repaint shows, the hover mark's
    tag on the side of the object's own tag."""
    from pixelproof.ui.canvas import tag_layout
    from tests.ui.conftest import hover

    win = grid
    win.canvas.set_zoom(2.0)
    win.canvas.centerOn(QPointF(200, 120))
    settle()
    at = centre(win, 263)
    hover(win, at)
    assert win.canvas.hover.ann_id == 263
    placed: list[float] = []
    real = tag_layout.relayout
    monkeypatch.setattr(tag_layout, "relayout", lambda view: placed.append(view.zoom) or real(view))
    wheel_in(win, at, 5)
    assert win.canvas.zoom > 2.0 * 1.2**4 and placed == []
    shown, fresh = on_screen(win)
    assert placed == [win.canvas.zoom] and shown == fresh
    layer = win.canvas.box_layer
    _, tag = win.canvas.hover.shown_tag
    assert win.canvas.hover.ann_id == 263 and tag is not None
    assert tag[3] == (layer.tags.side_of(263) == tag_layout.BELOW)


def test_accept_and_reject_follow_a_click_without_counting_the_pending(grid, monkeypatch) -> None:
    """The Model panel's Accept and Reject are on when a click selects a pending prediction, off when it
    selects a person's object or nothing; the click does not count the image's pending predictions again
    (every object of the image read at each click)."""
    from pixelproof.core.edits import ReplaceAnnotations
    from pixelproof.core.geometry import clone

    win = grid
    doc = win.document
    proposal = clone(doc.project.annotations[40])
    proposal.source, proposal.score = "model:test", 0.9
    doc.push(ReplaceAnnotations([proposal], "make a proposal"))
    settle()
    review = win.panels["modelDock"].review
    counted: list[int] = []
    real = review.pending_on_image
    monkeypatch.setattr(review, "pending_on_image", lambda: counted.append(1) or real())
    for clicked, on in ((40, True), (41, False), (40, True)):
        click(win, centre(win, clicked))
        settle()
        assert doc.selection == [clicked]
        assert review.act_accept.isEnabled() == on and review.act_reject.isEnabled() == on
    key(win, Qt.Key.Key_Escape)
    settle()
    assert not review.act_accept.isEnabled() and not review.act_reject.isEnabled()
    assert counted == []
    assert "1 pending" in review.pending_label.text()
