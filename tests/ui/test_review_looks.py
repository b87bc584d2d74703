"""How the canvas shows review states: pending model predictions (dashed, their score in the tag, hidden by
the Show slider below its cut), accepted objects (labels) and rejected ones (a reviewer said they are
wrong: their own look and tag, never taken for pending, never hidden by the slider). The slider's cut
belongs to its window's canvas: another window keeps its own."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics
from PySide6.QtTest import QTest

from pixelproof.core import masks
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.edits import ReplaceAnnotations, ReviewDecision
from pixelproof.core.geometry import clone
from pixelproof.core.model import Annotation
from pixelproof.ui.canvas.looks import REJECTED_COLOR, category_color
from pixelproof.ui.canvas.marks import SELECTED_TAG_LIFT
from tests.ui.conftest import make_project, open_main_window, settle
from tests.ui.test_prediction_tags import layer_tag
from tests.ui.test_workbench import key, view_point

MODEL = "model:yolo-onnx/yolo11n.onnx@1"
DIAMOND = [[420.0, 300.0, 520.0, 360.0, 420.0, 420.0, 320.0, 360.0]]
PENDING_BOX, PENDING_POLYGON, ACCEPTED, REJECTED, MANUAL = 1, 2, 3, 4, 5


def reviewed_project(folder: Path, rejected: bool = True) -> Path:
    """One image: a pending box and a pending polygon scoring 0.30, a model box accepted, a model box scoring
    0.30 a reviewer rejected (unless not ``rejected``), a box drawn by hand."""
    path = make_project(folder, n_images=1, size=(480, 640))
    project = load_project(path)
    model = {"source": MODEL, "score": 0.3}
    project.add_annotation(
        Annotation(PENDING_BOX, 1, 1, [40.0, 60.0, 200.0, 120.0], review="pending", **model)
    )
    project.add_annotation(
        Annotation(
            PENDING_POLYGON, 1, 2, [320.0, 300.0, 200.0, 120.0], DIAMOND, 12000.0, review="pending", **model
        )
    )
    project.add_annotation(
        Annotation(ACCEPTED, 1, 1, [340.0, 60.0, 200.0, 120.0], review="accepted", **model)
    )
    if rejected:
        project.add_annotation(
            Annotation(REJECTED, 1, 2, [40.0, 300.0, 200.0, 120.0], review="rejected", **model)
        )
    project.add_annotation(Annotation(MANUAL, 1, 1, [560.0, 200.0, 60.0, 60.0], source="manual"))
    save_project(project, path)
    return path


def open_with_model_panel(qtbot, path: Path):  # type: ignore[no-untyped-def]
    win = open_main_window(qtbot, path)
    win.docks["modelDock"].show()
    win.docks["modelDock"].raise_()
    return win


@pytest.fixture
def two_windows(qtbot, tmp_path: Path, no_prompts):
    wins = [open_with_model_panel(qtbot, reviewed_project(tmp_path / name, False)) for name in ("a", "b")]
    yield wins
    for win in wins:
        win.document.undo_stack.setClean()
        win.close()


def slider_of(win):  # type: ignore[no-untyped-def]
    return win.panels["modelDock"].review.score_slider


def raise_slider(win, pages: int) -> None:
    """PageUp on the Show slider (a page is 0.10), focused as a click on it would."""
    slider = slider_of(win)
    win.activateWindow()
    QTest.qWaitForWindowActive(win)
    slider.setFocus()
    for _ in range(abs(pages)):
        QTest.keyClick(slider, Qt.Key.Key_PageUp if pages > 0 else Qt.Key.Key_PageDown)


def selectable(win) -> set[int]:
    """What Select All (Ctrl+A on the canvas, its window active) takes: the objects drawn, as a click or a
    band may pick."""
    win.activateWindow()
    QTest.qWaitForWindowActive(win)
    key(win, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    chosen = set(win.document.selection)
    key(win, Qt.Key.Key_Escape)
    return chosen


def test_the_show_slider_of_one_window_hides_nothing_in_another(qtbot, two_windows) -> None:
    """The cut lived on the item class: the slider moved in one window hid the other window's predictions
    too (its own slider still at 0.00), and a box of the layer and an item alike."""
    a, b = two_windows
    everything = {PENDING_BOX, PENDING_POLYGON, ACCEPTED, MANUAL}
    assert selectable(a) == selectable(b) == everything
    raise_slider(a, 5)
    assert slider_of(a).value() == 50 and slider_of(b).value() == 0
    assert selectable(b) == everything
    assert selectable(a) == everything - {PENDING_BOX, PENDING_POLYGON}
    assert b.canvas.items_by_id[PENDING_POLYGON].isVisible()
    b.document.set_current_image(1)  # the other window redraws (an edit, another image): still its own cut
    b.canvas.refresh_display()
    assert selectable(b) == everything
    raise_slider(b, 2)  # 0.20: below the predictions' 0.30, the first window keeps hiding them
    assert selectable(a) == everything - {PENDING_BOX, PENDING_POLYGON}
    assert selectable(b) == everything
    raise_slider(a, -5)
    assert selectable(a) == everything


@pytest.fixture
def reviewed(qtbot, tmp_path: Path, no_prompts):
    win = open_with_model_panel(qtbot, reviewed_project(tmp_path))
    win.canvas.set_zoom(1.0)
    win.canvas.centerOn(QPointF(320, 240))
    yield win
    win.document.undo_stack.setClean()
    win.close()


def pixels_along(win, y: float, x0: float, x1: float) -> list[QColor]:
    """The canvas's pixels along an image row ``y`` from ``x0`` to ``x1``, one a screen pixel."""
    img = win.canvas.viewport().grab().toImage()
    a, b = view_point(win, x0, y), view_point(win, x1, y)
    return [img.pixelColor(x, a.y()) for x in range(a.x(), b.x())]


def near(got: QColor, want: QColor, tolerance: int = 40) -> bool:
    return max(
        abs(got.red() - want.red()), abs(got.green() - want.green()), abs(got.blue() - want.blue())
    ) <= (tolerance)


def test_a_rejected_prediction_is_drawn_rejected_not_pending(qtbot, reviewed) -> None:
    """A model's object a reviewer rejected was drawn dashed with its score, as a proposal still to decide:
    it is outlined solid in the rejected colour, struck out by diagonal lines, its tag says rejected; the
    pending box beside it keeps its dashes and score, the accepted one its category's solid outline."""
    win = reviewed
    qtbot.waitUntil(lambda: win.canvas.box_layer.tags.is_laid_out(win.canvas.scale_xy), timeout=10000)
    assert layer_tag(win, REJECTED) == "dog · rejected"
    assert layer_tag(win, PENDING_BOX) == "cat 0.30" and layer_tag(win, ACCEPTED) == "cat"
    cat = category_color(win.document.project.categories[1])
    # top edges, inside the corners: solid rejected colour / broken category colour / solid category colour
    rejected_edge = pixels_along(win, 300, 50, 230)
    assert all(near(c, REJECTED_COLOR) for c in rejected_edge)
    pending_edge = pixels_along(win, 60, 50, 230)
    assert any(near(c, cat) for c in pending_edge) and not all(near(c, cat) for c in pending_edge)
    assert not any(near(c, REJECTED_COLOR) for c in pending_edge)
    assert all(near(c, cat) for c in pixels_along(win, 60, 350, 530))
    # inside: the hatching's lines cross a row of the rejected box, none of the pending one
    inside = pixels_along(win, 360, 50, 230)
    lines = sum(near(c, REJECTED_COLOR, 90) for c in inside)
    assert 10 <= lines <= len(inside) // 2
    assert not any(near(c, REJECTED_COLOR, 90) for c in pixels_along(win, 120, 50, 230))


def test_a_rejected_prediction_is_not_pending_to_the_show_slider_nor_the_panel(qtbot, reviewed) -> None:
    """The Show slider hid a rejected prediction as a pending one and the panel counted it pending: the slider
    at 0.50 hides the two pending ones (0.30) only, the panel counts 2 pending, and the rejected box is
    still what Select All takes."""
    win = reviewed
    review = win.panels["modelDock"].review
    qtbot.waitUntil(lambda: review.pending_label.text().startswith("2 pending"), timeout=10000)
    raise_slider(win, 5)
    assert selectable(win) == {ACCEPTED, REJECTED, MANUAL}
    assert review.pending_label.text() == "2 pending on this image · 2 hidden"


@pytest.mark.parametrize("kind", ["polygon", "mask"])
def test_rejecting_and_undoing_restyles_an_item(qtbot, reviewed, kind: str) -> None:
    """A pending polygon (or a mask made of it) rejected by the review's decision, then the decision undone:
    its outline goes from dashed to the solid rejected colour, its fill to hatching, its tag from the score
    to 'rejected', its score no longer hides it; Ctrl+Z brings the proposal back as it was."""
    win, doc = reviewed, reviewed.document
    if kind == "mask":
        ann = clone(doc.project.annotations[PENDING_POLYGON])
        ann.segmentation = masks.encode(ann.mask(480, 640))
        doc.push(ReplaceAnnotations([ann], "as a mask"))

    def item():  # type: ignore[no-untyped-def]  # looked up each time: unselected, a mask goes back to the layer
        return win.canvas.items_by_id[PENDING_POLYGON]

    assert item().kind == kind
    pen = lambda: item().pen() if kind == "polygon" else item()._pen  # noqa: E731
    assert pen().style() == Qt.PenStyle.CustomDashLine and item()._label.text.text() == "dog 0.30"
    raise_slider(win, 5)
    assert not item().isVisible()
    doc.push(ReviewDecision(doc.project, 1, "rejected", ann_ids=[PENDING_POLYGON]))
    assert item().isVisible() and pen().style() == Qt.PenStyle.SolidLine and pen().color() == REJECTED_COLOR
    assert item()._label.text.text() == "dog · rejected"
    grab = win.canvas.viewport().grab().toImage()
    centre = view_point(win, 420, 360)
    row = [grab.pixelColor(x, centre.y()) for x in range(centre.x() - 40, centre.x() + 40)]
    assert sum(near(c, REJECTED_COLOR, 90) for c in row) >= 5  # hatched inside
    key(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert not item().isVisible() and pen().style() == Qt.PenStyle.CustomDashLine
    assert item()._label.text.text() == "dog 0.30"


def test_the_images_panel_counts_pending_predictions_apart(qtbot, reviewed) -> None:
    """The Objects column said 5 for three objects and two proposals nobody decided: it says `3 +2` (its
    tooltip in words), ``objects`` compares the 3 and ``predictions`` the 2; accepting them (Shift+K) makes
    them objects: `5`."""
    win = reviewed
    panel = win.panels["imagesDock"]
    model = panel.table.model()
    cell = model.index(0, 2)
    assert cell.data() == "3 +2"
    tip = cell.data(Qt.ItemDataRole.ToolTipRole)
    assert "3 objects" in tip and "2 pending predictions" in tip
    for text, rows in (("objects:3 predictions:2", 1), ("objects:5", 0), ("objects>3", 0)):
        QTest.mouseClick(panel.filter, Qt.MouseButton.LeftButton)
        QTest.keyClick(panel.filter, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        QTest.keyClicks(panel.filter, text)
        qtbot.waitUntil(lambda rows=rows: model.rowCount() == rows, timeout=10000)
    QTest.keyClick(panel.filter, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(panel.filter, Qt.Key.Key_Backspace)
    accept = win.panels["modelDock"].review.act_accept_all
    qtbot.waitUntil(accept.isEnabled, timeout=10000)
    win.canvas.setFocus()
    key(win, Qt.Key.Key_K, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: model.index(0, 2).data() == "5", timeout=10000)
    assert "pending" not in model.index(0, 2).data(Qt.ItemDataRole.ToolTipRole)


def test_the_categories_panel_counts_pending_predictions_apart(qtbot, reviewed) -> None:
    """The Objects column of the Categories panel said 3 cats for two objects and a proposal nobody decided:
    it says `2 +1` (its tooltip in words), as the Images panel does; accepting (K), rejecting (J, which
    deletes) and their undo (Ctrl+Z) move the counts, row by row (no rebuild: a recount of a 1M-object
    project on each edit), and they equal a recount."""
    win = reviewed
    cats = win.panels["categoriesDock"]
    rows = [cats.tree.topLevelItem(n) for n in range(cats.tree.topLevelItemCount())]

    def counts() -> list[str]:
        settle()  # the rows are written once the edit's signals are over
        return [r.text(2) for r in rows]

    # cat: the accepted box, the manual box, the pending box; dog: the rejected box, the pending polygon
    assert counts() == ["2 +1", "1 +1"]
    tip = rows[0].toolTip(2)
    assert "2 objects" in tip and "1 pending prediction" in tip
    assert "+N" in cats.tree.headerItem().toolTip(2)
    win.activateWindow()
    QTest.qWaitForWindowActive(win)
    key(win, Qt.Key.Key_V)
    QTest.mouseClick(win.canvas.viewport(), Qt.MouseButton.LeftButton, pos=view_point(win, 140, 120))
    assert win.document.selection == [PENDING_BOX]
    key(win, Qt.Key.Key_K)  # accepted: an object
    assert counts() == ["3", "1 +1"] and "pending" not in rows[0].toolTip(2)
    key(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert counts() == ["2 +1", "1 +1"]
    win.document.set_selection([PENDING_BOX])
    key(win, Qt.Key.Key_J)  # rejected: deleted
    assert PENDING_BOX not in win.document.project.annotations
    assert counts() == ["2", "1 +1"]
    key(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert counts() == ["2 +1", "1 +1"]
    key(win, Qt.Key.Key_K, Qt.KeyboardModifier.ShiftModifier)  # every pending one of the image accepted
    assert counts() == ["3", "2"]
    assert rows == [cats.tree.topLevelItem(n) for n in range(cats.tree.topLevelItemCount())]  # no rebuild
    cats.refresh()  # the counts kept up equal a recount
    rows = [cats.tree.topLevelItem(n) for n in range(cats.tree.topLevelItemCount())]
    assert counts() == ["3", "2"]
    key(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert counts() == ["2 +1", "1 +1"]


# -- tags: a narrow prediction's, and the selected objects' -----------------------------------------------
def name_and_tag_widths() -> tuple[int, int]:
    """Screen widths of a tag naming `cat` and of one naming `cat 0.30` (4 px padding each side)."""
    metrics = QFontMetrics(QFont())
    return metrics.horizontalAdvance("cat") + 8, metrics.horizontalAdvance("cat 0.30") + 8


@pytest.fixture
def narrow(qtbot, tmp_path: Path, no_prompts):
    """At zoom 1: a pending box (10) and a box drawn by hand (11) wider than a `cat` tag and narrower than a
    `cat 0.30` one, a pending polygon (12) as wide; two pending boxes side by side (20 cat, 21 dog) whose
    tags, at their top-left corners, would cover each other."""
    path = make_project(tmp_path, n_images=1, size=(480, 640))
    project = load_project(path)
    name_w, tag_w = name_and_tag_widths()
    w = float((name_w + tag_w) // 2)
    model = {"source": MODEL, "score": 0.3, "review": "pending"}
    add = project.add_annotation
    add(Annotation(10, 1, 1, [60.0, 100.0, w, 60.0], area=60 * w, **model))
    add(Annotation(11, 1, 1, [300.0, 100.0, w, 60.0], area=60 * w, source="manual"))
    diamond = [[60.0, 300.0, 60.0 + w / 2, 260.0, 60.0 + w, 300.0, 60.0 + w / 2, 340.0]]
    add(Annotation(12, 1, 1, [60.0, 260.0, w, 80.0], diamond, 40 * w, **model))
    add(Annotation(20, 1, 1, [400.0, 300.0, 40.0, 60.0], area=2400.0, **model))
    add(Annotation(21, 1, 2, [445.0, 300.0, 40.0, 60.0], area=2400.0, **model))
    save_project(project, path)
    win = open_main_window(qtbot, path)
    win.canvas.set_zoom(1.0)
    win.canvas.centerOn(QPointF(320, 240))
    qtbot.waitUntil(lambda: win.canvas.box_layer.tags.is_laid_out(win.canvas.scale_xy), timeout=10000)
    yield win
    win.document.undo_stack.setClean()
    win.close()


def colour_at(win, x: float, y: float, dx: float = 0, dy: float = 0) -> QColor:
    """The canvas's pixel at image point (x, y) moved by (dx, dy) screen pixels."""
    p = view_point(win, x, y)
    return win.canvas.viewport().grab().toImage().pixelColor(round(p.x() + dx), round(p.y() + dy))


def test_a_narrow_prediction_shows_its_tag_where_a_label_as_narrow_does(qtbot, narrow) -> None:
    """Its score made the tag wider than the box, so a prediction narrower than `cat 0.30` lost its tag
    where a label as narrow kept `cat`: whether a tag shows is decided by the category name's width; the
    score reads past the box's right edge."""
    win = narrow
    cat = category_color(win.document.project.categories[1])
    h = QFontMetrics(QFont()).height()
    assert near(colour_at(win, 300, 100, 2, -h / 2), cat, 2)  # the label's tag, above its corner
    assert near(colour_at(win, 60, 100, 2, -h / 2), cat, 2)  # the prediction's too
    _, tag_w = name_and_tag_widths()
    assert near(colour_at(win, 60, 100, tag_w - 3, -h / 2), cat, 2)  # all of it: the score past the edge
    assert win.canvas.items_by_id[12]._label.isVisible()


def test_the_selected_objects_tags_do_not_cover_one_another(qtbot, narrow) -> None:
    """Two selected boxes side by side each kept its tag above its corner, lifted over the handles: the
    later one's covered the score of the first. A selected tag now goes under its box when the spot above
    is another selected tag's (both still shown, clear of the handles)."""
    win = narrow
    key(win, Qt.Key.Key_V)
    QTest.mouseClick(win.canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     view_point(win, 420, 340))  # fmt: skip
    QTest.mouseClick(win.canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier,
                     view_point(win, 465, 340))  # fmt: skip
    assert sorted(win.document.selection) == [20, 21]
    settle()
    h = QFontMetrics(QFont()).height() + 2
    lift = SELECTED_TAG_LIFT
    _, tag_w = name_and_tag_widths()
    rects = []
    for ann_id, x in ((20, 400.0), (21, 445.0)):
        colour = category_color(win.document.project.categories[1 if ann_id == 20 else 2])
        above = near(colour_at(win, x, 300, 2, -lift - h / 2), colour, 2)
        below = near(colour_at(win, x, 360, 2, lift + h / 2), colour, 2)
        assert above != below, (ann_id, above, below)  # shown, once
        top = (300 - lift - h) if above else (360 + lift)
        rects.append((x, top, x + tag_w, top + h))
    (a0, a1, a2, a3), (b0, b1, b2, b3) = rects
    assert not (a0 < b2 and b0 < a2 and a1 < b3 and b1 < a3), rects
