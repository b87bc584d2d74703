"""A problem of the project as a whole (``empty_class``: no image) in the Problems dock: listed with
"(project)" for its image, selected without leaving the image shown, Shift+F saying it has no fix, marked
"not a problem" with X, and gone from the list once an object of the class is drawn."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Annotation
from tests.ui.conftest import make_project, settle
from tests.ui.test_problems_panel import click_row, find, rows

LEFT = Qt.MouseButton.LeftButton
NOMOD = Qt.KeyboardModifier.NoModifier


@pytest.fixture
def project_file(tmp_path: Path) -> Path:
    """(Overrides conftest's.) 24 cats spread over three images, no dog."""
    path = make_project(tmp_path)
    p = load_project(path)
    for k in range(24):
        x, y = 10 + 50 * (k % 6), 10 + 50 * (k // 6 % 4)
        p.add_annotation(Annotation(k + 1, 1 + k % 3, 1, [float(x), float(y), 30.0, 30.0], None, 900.0))
    save_project(p, path)
    return path


def press(win, k, modifier=NOMOD) -> None:  # type: ignore[no-untyped-def]
    QTest.keyClick(QApplication.focusWidget() or win, k, modifier)


def test_an_empty_class_is_listed_for_the_project_and_leaves_once_drawn(qtbot, problems_window) -> None:
    win = problems_window
    doc = win.document
    panel = find(qtbot, win)
    assert rows(panel) == [("empty_class", None)]
    index = panel.proxy.index(0, 3)
    assert index.data() == "(project)" and panel.proxy.index(0, 2).data() == "dog"
    shown = doc.current_image_id
    click_row(qtbot, panel, 0)  # no image to open: the detail says it, the image shown stays
    assert "class dog has no objects in the project" in panel.detail.text()
    assert doc.current_image_id == shown and panel.act_dismiss.isEnabled()
    press(win, Qt.Key.Key_F, Qt.KeyboardModifier.ShiftModifier)  # no fix: the key says so, changes nothing
    assert win.statusBar().currentMessage() == "empty class: no automatic fix; edit it by hand"
    assert rows(panel) == [("empty_class", None)] and not doc.undo_stack.canUndo()
    press(win, Qt.Key.Key_X)
    assert doc.project.app["lint"]["dismissed"] == ["empty_class|-|dog"] and rows(panel) == []
    press(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: rows(panel) == [("empty_class", None)], timeout=10000)
    # a dog drawn (2, then a box dragged on the picture): the re-check takes the class off the list
    win.canvas.setFocus()
    press(win, Qt.Key.Key_2)
    press(win, Qt.Key.Key_B)
    vp = win.canvas.viewport()
    start, end = (win.canvas.mapFromScene(QPointF(*xy)) for xy in ((60, 215), (140, 235)))
    QTest.mousePress(vp, LEFT, NOMOD, start)
    for i in range(1, 5):
        QTest.mouseMove(vp, start + (end - start) * (i / 4))
    QTest.mouseRelease(vp, LEFT, NOMOD, end)
    assert any(doc.project.categories[a.category_id].name == "dog" for a in doc.project.annotations.values())
    qtbot.waitUntil(lambda: rows(panel) == [], timeout=10000)
    settle()
    assert panel.detail.text() == ""
