"""An image the canvas cannot show ("Cannot show this image … not a readable image", a missing file) is
something gone wrong, and View > Messages listed it as info among the routine notes: it is a warning."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.ui.conftest import make_project, open_main_window, wait_loaded

pytestmark = pytest.mark.gui


def test_an_unreadable_image_is_logged_as_a_warning(qtbot, tmp_path: Path, no_prompts) -> None:
    path = make_project(tmp_path, n_images=2)
    (tmp_path / "images" / "img1.png").write_bytes(b"not a png at all")
    win = open_main_window(qtbot, path)
    wait_loaded(qtbot, win)
    QTest.keyClick(win, Qt.Key.Key_D)  # the next image: the unreadable one
    qtbot.waitUntil(
        lambda: win.canvas.placeholder is not None and win.canvas.placeholder.error, timeout=20000
    )
    said = [m for m in win.shell.messages.messages if "not a readable image" in m.text]
    assert [m.kind for m in said] == ["warning"], said
    assert "img1.png" in said[0].text
    win.close()
