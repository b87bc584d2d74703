"""The brush / eraser width a user chose comes back after a restart: it is kept in the app's settings at
each change (keys, the toolbar's box) and read by the next window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QSpinBox

from pixelproof.ui.settings import settings
from pixelproof.ui.tools.paint_options import OPTIONS, PaintOptions
from pixelproof.ui.tools.width_setting import KEY

LEFT = Qt.MouseButton.LeftButton
DEFAULT = PaintOptions().width


@pytest.fixture(autouse=True)
def default_width():  # type: ignore[no-untyped-def]
    OPTIONS.set(width=DEFAULT)
    yield
    OPTIONS.set(width=DEFAULT)


def width_box(win) -> QSpinBox:  # type: ignore[no-untyped-def]
    return win.findChild(QSpinBox, "brushWidth")


def restarted() -> None:
    """What a new process starts with: the default width, nothing told (no setting written)."""
    OPTIONS.width = DEFAULT


def test_the_width_set_by_the_box_and_keys_comes_back_in_a_new_window(open_on, project_file) -> None:
    first = open_on(project_file)
    box = width_box(first)
    QTest.mouseClick(box.lineEdit(), LEFT)
    box.lineEdit().selectAll()
    QTest.keyClicks(box.lineEdit(), "33")
    QTest.keyClick(box.lineEdit(), Qt.Key.Key_Return)
    first.canvas.setFocus()
    QTest.keyClick(first.canvas, Qt.Key.Key_E)  # the eraser shares the width
    QTest.keyClick(first.canvas, Qt.Key.Key_BracketRight)  # 33 -> 35
    assert OPTIONS.width == 35 and box.value() == 35
    first.close()
    restarted()
    second = open_on(project_file)
    assert OPTIONS.width == 35 and width_box(second).value() == 35
    QTest.keyClick(second.canvas, Qt.Key.Key_R)
    QTest.keyClick(second.canvas, Qt.Key.Key_BracketLeft)  # 35 -> 30, kept at once (no close needed)
    assert settings().value(KEY) in (30, "30")
    restarted()
    third = open_on(project_file)
    assert width_box(third).value() == 30


@pytest.mark.parametrize(
    ("stored", "want"), [("wide", DEFAULT), ("", DEFAULT), ("²", DEFAULT), ("5000", 1000)]
)
def test_a_damaged_setting_gives_the_default_or_the_nearest_width(
    open_on, project_file, stored, want
) -> None:
    settings().setValue(KEY, stored)  # a hand edit of the settings file
    restarted()
    win = open_on(project_file)
    assert OPTIONS.width == want and width_box(win).value() == want
