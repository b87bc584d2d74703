"""What the panels say of keypoints, and a class change that would rename them: the Properties panel counts
one object's keypoints (``2 of 3 labelled, 1 occluded``) or names Alt+K for a box whose category
names some; the Annotations list row counts the labelled ones; a box drawn in such a category offers Alt+K
in the status bar; a digit key or the Properties panel's class choice that would give a posed object a
class naming other keypoints is refused, the status bar saying why."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.ui.conftest import hover, list_rows
from tests.ui.test_keypoints import BARE_ID, COCO_ID, posed  # noqa: F401 (the fixture)
from tests.ui.test_workbench import LEFT, NOMOD, draw_box, key, view_point


def _row_text(win, ann_id: int) -> str:  # type: ignore[no-untyped-def]
    rows = list_rows(win.panels["annotationsDock"].list)
    return next(r.text() for r in rows if r.data(Qt.ItemDataRole.UserRole) == ann_id)


def test_properties_and_the_list_count_an_objects_keypoints(posed, qtbot) -> None:  # noqa: F811
    win = posed
    props = win.panels["propertiesDock"]
    QTest.mouseClick(win.canvas.viewport(), LEFT, NOMOD, view_point(win, 160, 120))
    assert win.document.selection == [COCO_ID]
    qtbot.waitUntil(lambda: props.keypoints.isVisible())
    assert props.keypoints.text() == "2 of 3 labelled, 1 occluded"
    assert _row_text(win, COCO_ID).endswith("box  ·  2 of 3 keypoints")
    hover(win, view_point(win, 100, 60))
    key(win, Qt.Key.Key_V, Qt.KeyboardModifier.ShiftModifier)  # the nose occluded: the count follows
    qtbot.waitUntil(lambda: props.keypoints.text() == "2 of 3 labelled, 2 occluded")
    QTest.mouseClick(win.canvas.viewport(), LEFT, NOMOD, view_point(win, 100, 220))
    assert win.document.selection == [BARE_ID]
    qtbot.waitUntil(lambda: "none yet" in props.keypoints.text())
    assert props.keypoints.text() == "none yet: Alt+K places its 3"
    assert "keypoints" not in _row_text(win, BARE_ID)


def test_the_keypoints_row_reads_on_one_line_in_a_1366_window(posed, qtbot) -> None:  # noqa: F811
    """At 1366x768 the Properties row of 17 keypoints fits its cell on one line (a longer wording wrapped
    and its second line was cut off by the form's row height)."""
    win = posed
    win.resize(1366, 768)
    props = win.panels["propertiesDock"]
    for at in ((160, 120), (100, 220)):  # the posed object, then the one without keypoints
        QTest.mouseClick(win.canvas.viewport(), LEFT, NOMOD, view_point(win, *at))
        qtbot.waitUntil(lambda: props.keypoints.isVisible() and props.keypoints.text() != "")
        longest = props.keypoints.text().replace("2 of 3", "17 of 17").replace("its 3", "its 17")
        room = props.keypoints.contentsRect().width()
        assert props.keypoints.fontMetrics().horizontalAdvance(longest) <= room, (longest, room)


def test_a_box_drawn_in_a_class_naming_keypoints_offers_to_place_them(posed) -> None:  # noqa: F811
    win = posed
    new = draw_box(win, 200, 20, 260, 100)
    assert win.statusBar().currentMessage() == (
        f"#{new} cat: Alt+K places its 3 keypoints, one click each (nose first)"
    )
    assert win.canvas.tool.name == "box"  # offered, not started: the next drag draws a box
    key(win, Qt.Key.Key_2)  # dog names none: a box without keypoints changes class freely
    assert win.document.project.annotations[new].category_id == 2
    draw_box(win, 200, 120, 260, 140)
    assert "places its" not in win.statusBar().currentMessage()  # a dog: nothing to offer


def test_a_class_change_that_would_rename_keypoints_is_refused_and_said(posed, qtbot) -> None:  # noqa: F811
    win = posed
    doc = win.document
    steps = doc.undo_stack.count()
    QTest.mouseClick(win.canvas.viewport(), LEFT, NOMOD, view_point(win, 160, 120))
    key(win, Qt.Key.Key_2)
    assert doc.project.annotations[COCO_ID].category_id == 1
    assert win.statusBar().currentMessage() == (
        "#1 stays cat: its 3 keypoints are cat's, and dog names no keypoints"
    )
    assert doc.undo_stack.count() == steps
    props = win.panels["propertiesDock"]
    qtbot.waitUntil(lambda: props.category.currentData() == 1)  # the panel shows the class kept
    combo = props.category
    combo.activated.emit(combo.findData(2))  # picked in the Properties panel's list
    assert doc.project.annotations[COCO_ID].category_id == 1
    assert "dog names no keypoints" in win.statusBar().currentMessage()
    qtbot.waitUntil(lambda: combo.currentData() == 1)
