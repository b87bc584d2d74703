"""The review view in a 1024x576 window over a project of 300 images: the Objects title's long file name
was the panes' minimum width, so the left side fell from its 480 px to about 360, the Images table
scrolled sideways and its names read "…"; the per-class table scrolled sideways too, and the hint under
the decision buttons was cut off at the window's bottom. An undone decision left "Image rejected" on the
status bar."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QStyleOptionViewItem

from pixelproof.core.coco import new_project, save_project
from pixelproof.core.model import Annotation, ImageRecord
from pixelproof.ui.review.parts import LEFT_MIN
from tests.ui.conftest import settle
from tests.ui.test_review import enter_review, open_window, table_click, wait_image

pytestmark = pytest.mark.gui

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
N_IMAGES = 300
CLASSES = ("crack", "dent", "scratch", "stain", "hole")


def name_of(k: int) -> str:
    return f"images/2026-11-30_assembly_line3_station{k % 7}_camera2_part_{k:04d}.png"


def write_project(folder: Path) -> Path:
    """A candidate and its reference over ``N_IMAGES`` small images, one object each (a box a little
    off), except the first image, whose object the candidate missed."""
    (folder / "images").mkdir(parents=True)
    cand, ref = new_project(list(CLASSES)), new_project(list(CLASSES))
    picture = np.full((24, 32, 3), 90, np.uint8)
    for k in range(N_IMAGES):
        cv2.imwrite(str(folder / name_of(k)), picture)
        for project in (cand, ref):
            project.add_image(ImageRecord(k + 1, name_of(k), 32, 24))
        cat = 1 + k % len(CLASSES)
        ref.add_annotation(Annotation(k + 1, k + 1, cat, [4.0, 4.0, 12.0, 10.0], None, 120.0))
        if k:
            cand.add_annotation(Annotation(k + 1, k + 1, cat, [5.0, 4.0, 12.0 - k % 5, 10.0], None, 120.0))
    save_project(ref, folder / "reference.json")
    cand.reference = "reference.json"
    save_project(cand, folder / "project.json")
    return folder / "project.json"


@pytest.fixture
def small_window(qtbot, tmp_path, no_prompts):  # type: ignore[no-untyped-def]
    win = open_window(qtbot, write_project(tmp_path))
    win.resize(1024, 576)
    enter_review(qtbot, win)
    view = win.review.view
    view.select_image(2)  # a long name over the Objects table
    wait_image(qtbot, view)
    settle()  # the columns are fitted on a later turn of the event loop
    yield win
    win.document.undo_stack.setClean()
    win.close()


def shown_name(table, row: int) -> str:  # type: ignore[no-untyped-def]
    """The Image cell's text as its delegate draws it (cut to the column's room)."""
    index = table.model().index(row, 0)
    option = QStyleOptionViewItem()
    table.initViewItemOption(option)
    option.rect = table.visualRect(index)
    table.itemDelegateForColumn(0).initStyleOption(option, index)
    return option.text


def test_at_1024_the_left_side_keeps_its_width_and_the_names_tell_rows_apart(small_window) -> None:
    view = small_window.review.view
    assert view.splitter.sizes()[0] >= LEFT_MIN, view.splitter.sizes()
    table = view.images.image_table
    assert table.horizontalScrollBar().maximum() == 0  # every figure in sight, no sideways scroll
    shown = [shown_name(table, r) for r in range(table.model().rowCount())]
    assert len(set(shown)) == N_IMAGES, shown[:5]  # no two rows alike
    for row, text in enumerate(shown):
        part = table.model().index(row, 0).data().rsplit("_", 1)[1].removesuffix(".png")
        assert part in text, (part, text)  # the part number that tells the image is read
    title = view.object_title
    assert "part_0001" in title.text() or "…" in title.text()
    assert title.fontMetrics().horizontalAdvance(title.text()) > 0 and title.toolTip().endswith("1 object")


def test_at_1024_the_class_rows_fit_and_the_missed_hint_reads_whole(qtbot, small_window) -> None:
    view = small_window.review.view
    classes = view.images.class_table
    assert classes.horizontalScrollBar().maximum() == 0
    in_sight = classes.viewport().height() // classes.rowHeight(0)
    assert in_sight >= 3, in_sight
    view.select_image(1)  # the candidate missed its object
    wait_image(qtbot, view)
    table_click(view.object_table, 0)
    assert view.object_model.rows[0].cand_id is None
    label = view.decision.image_decision_label
    assert "missed object" in label.text()
    settle()
    needs = label.heightForWidth(label.width())  # its wrapped lines, all of them
    assert label.height() >= needs, (label.height(), needs)
    seen = label.visibleRegion().boundingRect()
    assert seen == label.rect(), (seen, label.rect())


def test_undoing_a_whole_image_rejection_says_so_on_the_status_bar(small_window) -> None:
    win = small_window
    view = win.review.view
    table_click(view.object_table, 0)
    QTest.keyClick(view.object_table, Qt.Key.Key_Backspace, CTRL | SHIFT)
    assert "rejected" in win.statusBar().currentMessage()
    QTest.keyClick(view.object_table, Qt.Key.Key_Z, CTRL)
    assert "image_review" not in win.document.project.app
    message = win.statusBar().currentMessage()
    assert message.startswith("Undone") and "Reject" in message, message
    QTest.keyClick(view.object_table, Qt.Key.Key_Z, CTRL | SHIFT)
    assert win.document.project.app["image_review"]
    assert win.statusBar().currentMessage().startswith("Redone"), win.statusBar().currentMessage()
    kept = [m.text for m in win.shell.messages.messages]  # View > Messages: the decision, not its echoes
    assert any("rejected" in t for t in kept), kept
    assert not [t for t in kept if t.startswith(("Undone", "Redone"))], kept


def test_at_1024_the_objects_fit_without_scrolling_and_every_column_shows_at_1366(
    qtbot, small_window
) -> None:
    """At 1024x576 every column but the ids and Dice was pushed half out of sight, the class names read
    "c…"; a column hidden for room comes back from the header's menu; at 1366x768 all show again."""
    view = small_window.review.view
    table = view.object_table
    bar = table.horizontalScrollBar()
    assert not bar.isVisible() and bar.maximum() == 0, bar.maximum()
    header, model = table.horizontalHeader(), table.model()
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(header.count())]
    cls = titles.index("Class")
    name = model.index(0, cls).data()
    room = header.sectionSize(cls) - 8  # the cell's text margins
    assert room >= table.fontMetrics().horizontalAdvance(name[:6]), (name, room)
    for title in ("Status", "IoU", "HD95", "Review"):
        assert not table.isColumnHidden(titles.index(title)), title
    small_window.resize(1366, 768)
    oks = titles.index("OKS")  # shown by need: the demo has no keypoints
    shown = [c for c in range(header.count()) if c != oks]
    qtbot.waitUntil(lambda: not any(table.isColumnHidden(c) for c in shown), timeout=10000)
    assert table.isColumnHidden(oks)
    qtbot.waitUntil(lambda: bar.maximum() == 0, timeout=10000)
    right = header.sectionViewportPosition(header.count() - 1) + header.sectionSize(header.count() - 1)
    assert right <= table.viewport().width(), (right, table.viewport().width())


def test_the_decision_heading_and_note_stay_in_sight_with_the_missed_hint(qtbot, small_window) -> None:
    view = small_window.review.view
    view.select_image(1)  # the candidate missed its object: the hint under the buttons
    wait_image(qtbot, view)
    table_click(view.object_table, 0)
    box = view.decision
    assert "missed object" in box.image_decision_label.text()
    settle()
    heading = next(label for label in box.findChildren(QLabel) if label.text() == "<b>Decision</b>")
    for part in (heading, box.note_edit, box.image_decision_label):
        seen = part.visibleRegion().boundingRect()
        assert seen == part.rect(), (part, seen, part.rect())
