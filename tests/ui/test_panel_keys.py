"""View > Panels: every dock has its show / hide item there, bound to the one shortcut registry; the main
docks have keys (Alt+Shift+I Images, Alt+Shift+C Categories, Alt+Shift+A Annotations, Alt+Shift+P
Properties, Alt+Shift+G Guidelines, Alt+Shift+M Model) that hide and show them again, and the user can
give them other keys as any action's. Real key presses on the window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from pixelproof.ui.shortcuts import REGISTRY
from tests.ui.conftest import settle

ALT_SHIFT = Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.ShiftModifier
KEYS = {
    "imagesDock": Qt.Key.Key_I,
    "categoriesDock": Qt.Key.Key_C,
    "annotationsDock": Qt.Key.Key_A,
    "propertiesDock": Qt.Key.Key_P,
    "guidelinesDock": Qt.Key.Key_G,
    "modelDock": Qt.Key.Key_M,
}


def press(win, key, modifiers=ALT_SHIFT) -> None:  # type: ignore[no-untyped-def]
    win.canvas.setFocus()
    QTest.keyClick(win.canvas, key, modifiers)
    settle()


def test_view_panels_lists_every_dock_with_its_registry_entry(window) -> None:
    items = {a.property("shortcut_id"): a for a in window.panels_menu.actions() if not a.isSeparator()}
    for name, dock in window.docks.items():
        act = dock.toggleViewAction()
        assert items.get(f"panels.{name.removesuffix('Dock')}") is act, name
    assert window.toolbar.toggleViewAction() in window.panels_menu.actions()
    assert REGISTRY.conflicts() == []


@pytest.mark.parametrize("name", list(KEYS))
def test_a_panels_key_hides_and_shows_its_dock(qtbot, window, name) -> None:
    dock = window.docks[name]
    if not dock.isVisible():  # a tab behind another: the key shows it first
        press(window, KEYS[name])
    qtbot.waitUntil(dock.isVisible, timeout=10000)
    press(window, KEYS[name])
    qtbot.waitUntil(lambda: not dock.isVisible(), timeout=10000)
    assert not dock.toggleViewAction().isChecked()
    press(window, KEYS[name])
    qtbot.waitUntil(dock.isVisible, timeout=10000)
    assert "Alt+Shift+" in dock.toggleViewAction().toolTip()


def test_a_panels_key_is_the_users_own_once_changed(qtbot, window) -> None:
    dock = window.docks["imagesDock"]
    REGISTRY.set_keys("panels.images", ["Ctrl+Alt+9"])
    try:
        press(window, Qt.Key.Key_I)  # the old key does nothing now
        assert dock.isVisible()
        press(window, Qt.Key.Key_9, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
        qtbot.waitUntil(lambda: not dock.isVisible(), timeout=10000)
    finally:
        REGISTRY.set_keys("panels.images", None)
