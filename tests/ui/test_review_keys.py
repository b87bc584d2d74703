"""The review view's keys at 1366x768 on the demo project, pressed as a lead presses them: none reaches
the labeling workbench (its tool stays the one picked), and the keys that walk the problems (the next
problem object of the image, the next worst image) go where the tables say."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QToolBar, QToolButton

from pixelproof.core.demo import install_demo
from pixelproof.ui.shortcuts import REGISTRY
from tests.ui.test_review import LEFT, enter_review, open_window, table_click, wait_image

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return install_demo(tmp_path / "demo")


@pytest.fixture
def window(qtbot, demo: Path, no_prompts):
    win = open_window(qtbot, demo)
    win.resize(1366, 768)
    yield win
    if win.document is not None:
        win.document.undo_stack.setClean()
    win.close()


def press(seq: QKeySequence) -> None:
    """``seq`` pressed on whatever has the keyboard focus, as a keyboard sends it."""
    combo = seq[0]
    QTest.keyClick(QApplication.focusWidget(), combo.key(), combo.keyboardModifiers())


def tool_in_hand(win) -> tuple[list[str], object]:
    return [n for n, a in win.tool_actions.items() if a.isChecked()], win.canvas.tool


def test_no_review_key_changes_the_workbench_tool(qtbot, window) -> None:
    """A lead saw the toolbar's tool change while reviewing with table clicks, Ctrl+Backspace and
    Ctrl+Return. Every key of the review view (and every tool key, dropped there) on every row's
    objects, a missed one (nothing to decide) too, leaves the tool picked on the toolbar in hand, there
    and back in the labeling view."""
    toolbar = window.findChild(QToolBar, "mainToolbar")
    button = toolbar.widgetForAction(window.tool_actions["brush"])
    assert isinstance(button, QToolButton)
    QTest.mouseClick(button, LEFT)
    picked = tool_in_hand(window)
    assert picked == (["brush"], window.tools["brush"])
    view = window.review.view
    enter_review(qtbot, window)
    review_keys = [s for e in REGISTRY.entries() if e.context == "review" for s in REGISTRY.sequences(e.id)]
    tool_keys = [
        s
        for e in REGISTRY.entries()
        if e.id.startswith("tool.") or e.id == "model.prelabel"
        for s in REGISTRY.sequences(e.id)
    ]
    assert len(review_keys) >= 9 and len(tool_keys) >= 8
    statuses = set()
    for row in range(view.images.image_proxy.rowCount()):
        table_click(view.images.image_table, row)
        wait_image(qtbot, view)
        for obj in range(min(view.object_model.rowCount(), 4)):
            statuses.add(view.object_model.rows[obj].status)
            for seq, table in [(s, t) for s in [*review_keys, *tool_keys] for t in ("images", "objects")]:
                if obj >= view.object_model.rowCount():
                    break  # an image decision took a row out of the filtered table
                if table == "objects":
                    table_click(view.object_table, obj)  # the focus back from the note field (N)
                else:
                    view.images.image_table.setFocus()
                press(seq)
                qtbot.waitUntil(lambda: view.job is None, timeout=10000)  # F5 re-runs QA
                assert tool_in_hand(window) == picked, f"{seq.toString()} changed the tool"
                assert window.review.active
    assert {"match", "fn", "fp"} <= statuses
    window.canvas.setFocus()
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab, CTRL)  # back to labeling
    assert not window.review.active and tool_in_hand(window) == picked
