"""The demo at 1024x768 with the Problems panel open (F6), as a review at that size saw it: the Problems
list cut its kinds and classes in the middle of a word ("asp…ier", "mo…le") and the Images list its short
names ("c…a.png" for camera.png) beside a whole "In progress"; Help > Shortcuts kept its Keys column as wide
as its longest row (two keys of Accept Image), the actions beside it wrapped to three lines."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtTest import QTest

from pixelproof.core.demo import install_demo
from tests.ui.conftest import open_main_window, settle, tip_text
from tests.ui.test_keyboard_annotator import _keys_cut
from tests.ui.test_review_volumes import shown_text


@contextlib.contextmanager
def demo_at(qtbot, tmp_path: Path, width: int, height: int, edit=None):  # type: ignore[no-untyped-def]
    """The demo in a window of ``width`` x ``height``, its problems found (F6); ``edit`` (the project
    file) changes the project before it opens."""
    project = install_demo(tmp_path / "demo")
    if edit is not None:
        edit(project)
    win = open_main_window(qtbot, project)
    win.resize(width, height)
    qtbot.waitUntil(lambda: (win.width(), win.height()) == (width, height), timeout=10000)
    panel = win.panels["problemsDock"]
    win.canvas.setFocus()
    QTest.keyClick(win.canvas, Qt.Key.Key_F6)
    qtbot.waitUntil(lambda: win.docks["problemsDock"].isVisible() and not panel.runner.running, timeout=20000)
    qtbot.waitUntil(lambda: panel.proxy.rowCount() > 0, timeout=10000)
    settle()
    try:
        yield win
    finally:
        panel.cancel()
        qtbot.waitUntil(lambda: not panel.runner.running, timeout=10000)
        win.document.undo_stack.setClean()
        win.close()


@pytest.fixture
def demo_1024(qtbot, tmp_path: Path, no_prompts):  # type: ignore[no-untyped-def]
    """The demo in a 1024x768 window, its problems found (F6)."""
    with demo_at(qtbot, tmp_path, 1024, 768) as win:
        yield win


def cut_after_a_word(shown: str, whole: str) -> bool:
    """``shown`` is ``whole``, or its start up to the end of a word with "…" after it."""
    if shown == whole:
        return True
    start = shown.removesuffix("…")
    return shown.endswith("…") and whole.startswith(start) and whole[len(start) : len(start) + 1] == " "


def test_the_problems_kinds_and_classes_are_cut_after_a_whole_word(demo_1024) -> None:
    panel = demo_1024.panels["problemsDock"]
    table, proxy = panel.table, panel.proxy
    assert table.viewport().width() < 330  # the squeeze this is about
    cut = 0
    for r in range(proxy.rowCount()):
        for col in (1, 2):  # Kind, Class
            index = proxy.index(r, col)
            whole = str(index.data())
            shown, room = shown_text(table, index)
            assert cut_after_a_word(shown, whole), (shown, whole, room)
            cut += shown != whole
            if " " not in whole.strip():  # one word ("motorcycle"): whole
                assert shown == whole, (shown, room)
            tip = tip_text(index.data(Qt.ItemDataRole.ToolTipRole))
            assert whole in tip.replace("_", " "), tip  # the whole of it in the tooltip
    assert cut, "nothing cut: the test would prove nothing"
    assert table.horizontalHeader().length() <= table.viewport().width()  # no sideways scroll bar


def test_the_images_list_keeps_twelve_characters_of_a_name(demo_1024) -> None:
    panel = demo_1024.panels["imagesDock"]
    table, proxy = panel.table, panel.proxy
    fm = table.fontMetrics()
    assert table.columnWidth(0) >= 12 * fm.horizontalAdvance("x")
    assert table.horizontalHeader().length() <= table.viewport().width()  # no sideways scroll bar
    names = status_cut = 0
    for r in range(proxy.rowCount()):
        name = str(proxy.index(r, 0).data())
        shown, room = shown_text(table, proxy.index(r, 0))
        if fm.horizontalAdvance(name) <= room:
            assert shown == name, (shown, room)  # a name that fits is never cut
        if len(name) <= 12:
            names += 1
            assert shown == name, (shown, name)  # "camera.png", not "c…a.png"
        assert "." in shown and name.endswith(shown.rpartition(".")[2])  # the extension kept
        status = proxy.index(r, 1)
        shown, _ = shown_text(table, status)
        assert shown in ("", status.data()), shown  # whole, or the swatch alone: never "In…"
        status_cut += shown != status.data()
        assert str(status.data()) in tip_text(status.data(Qt.ItemDataRole.ToolTipRole))
    assert names >= 5 and status_cut == proxy.rowCount(), (names, status_cut)  # swatches: the names' room


def test_help_shortcuts_keys_column_is_as_wide_as_a_key(qtbot, demo_1024) -> None:
    from pixelproof.ui import dialogs
    from pixelproof.ui.shortcuts import REGISTRY

    dlg = dialogs.ShortcutsDialog(REGISTRY.rows(), demo_1024)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    table = dlg.table
    bold = QFontMetrics(table.item(0, 0).font())
    longest_row = max(bold.horizontalAdvance(table.item(r, 0).text()) for r in range(table.rowCount()))
    longest_key = max(
        bold.horizontalAdvance(key)
        for r in range(table.rowCount())
        for key in table.item(r, 0).text().split(" / ")
    )
    keys, actions, where = table.columnWidth(0), table.columnWidth(1), table.columnWidth(2)
    assert keys < longest_row and keys <= longest_key + bold.horizontalAdvance(" /") + 24, (keys, longest_key)
    assert keys + actions + where >= table.viewport().width() - 1 and actions > 1.8 * keys  # actions: room
    assert _keys_cut(table, 2) == []  # "labeling view" whole
    assert _keys_cut(table, 0) == []  # every key whole: two keys of a row wrap between them
    wrapped = next(
        r for r in range(table.rowCount()) if bold.horizontalAdvance(table.item(r, 0).text()) > keys
    )
    assert table.rowHeight(wrapped) >= 2 * bold.height()
