"""The mask tools' options a user chose come back after a restart: the brush / eraser width, the wand's
tolerance, 8-connectivity and floating range and Preserve others are kept in the app's settings at each
change (keys, the toolbar) and read by the next window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QSpinBox

from pixelproof.ui.settings import settings
from pixelproof.ui.tools.kept_options import KEY, KEYS
from pixelproof.ui.tools.paint_options import OPTIONS, PaintOptions

LEFT = Qt.MouseButton.LeftButton
DEFAULT = PaintOptions().width


DEFAULTS = {name: getattr(PaintOptions(), name) for name in KEYS}


@pytest.fixture(autouse=True)
def default_options():  # type: ignore[no-untyped-def]
    OPTIONS.set(**DEFAULTS)
    yield
    OPTIONS.set(**DEFAULTS)


def width_box(win) -> QSpinBox:  # type: ignore[no-untyped-def]
    return win.findChild(QSpinBox, "brushWidth")


def restarted() -> None:
    """What a new process starts with: the default options, nothing told (no setting written)."""
    for name, value in DEFAULTS.items():
        setattr(OPTIONS, name, value)


def test_the_width_set_by_the_box_and_keys_comes_back_in_a_new_window(open_on, project_file) -> None:
    first = open_on(project_file)
    QTest.keyClick(first.canvas, Qt.Key.Key_R)  # the brush: the bar shows its width
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


def test_the_wand_options_and_preserve_others_come_back_in_a_new_window(open_on, project_file) -> None:
    first = open_on(project_file)
    masks = first.masks_menu
    QTest.keyClick(first.canvas, Qt.Key.Key_F)  # the wand: the bar shows its options
    box = first.findChild(QSpinBox, "wandTolerance")
    QTest.mouseClick(box.lineEdit(), LEFT)
    box.lineEdit().selectAll()
    QTest.keyClicks(box.lineEdit(), "40")
    QTest.keyClick(box.lineEdit(), Qt.Key.Key_Return)
    for act in (masks.act_eight, masks.act_floating, masks.act_preserve):
        QTest.mouseClick(masks.options_bar.button_for(act), LEFT)
    assert (OPTIONS.tolerance, OPTIONS.connectivity, OPTIONS.fixed_range, OPTIONS.preserve_others) == (
        40.0,
        8,
        False,
        True,
    )
    first.close()
    restarted()
    second = open_on(project_file)
    masks = second.masks_menu
    assert (OPTIONS.tolerance, OPTIONS.connectivity, OPTIONS.fixed_range, OPTIONS.preserve_others) == (
        40.0,
        8,
        False,
        True,
    )
    assert second.findChild(QSpinBox, "wandTolerance").value() == 40
    assert masks.act_eight.isChecked() and masks.act_floating.isChecked() and masks.act_preserve.isChecked()
    second.canvas.setFocus()
    QTest.keyClick(second.canvas, Qt.Key.Key_P, Qt.KeyboardModifier.ShiftModifier)  # Preserve others off
    assert OPTIONS.preserve_others is False
    restarted()
    third = open_on(project_file)
    assert not third.masks_menu.act_preserve.isChecked() and OPTIONS.connectivity == 8


@pytest.mark.parametrize(
    ("key", "stored"),
    [("tolerance", "-3"), ("tolerance", "lots"), ("connectivity", "6"), ("fixed_range", "maybe"),
     ("preserve_others", "")],
)  # fmt: skip
def test_a_damaged_wand_setting_gives_the_default(open_on, project_file, key, stored) -> None:
    settings().setValue(KEYS[key], stored)
    restarted()
    open_on(project_file)
    assert getattr(OPTIONS, key) == DEFAULTS[key]


def test_a_tolerance_over_the_range_is_brought_into_it(open_on, project_file) -> None:
    settings().setValue(KEYS["tolerance"], "999")
    restarted()
    win = open_on(project_file)
    assert OPTIONS.tolerance == 255.0 and win.findChild(QSpinBox, "wandTolerance").value() == 255
