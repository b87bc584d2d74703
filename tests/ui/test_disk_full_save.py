"""Ctrl+S on a full disk: the error names the file and says the edits are still open; the project file is
byte-identical, and Save As onto a disk with room saves every edit."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog

from pixelproof.core.coco import load_project
from tests.ui.test_two_writers import click_in_next_message_box
from tests.ui.test_workbench import draw_box, key, set_zoom


def test_a_save_on_a_full_disk_keeps_the_file_and_the_edits_for_save_as(
    window, project_file: Path, qtbot, monkeypatch, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    set_zoom(window, 1.0)
    draw_box(window, 40, 30, 120, 90)
    before = project_file.read_bytes()
    real_fsync = os.fsync

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    seen: list[str] = []
    click_in_next_message_box(qtbot, "OK", seen)
    key(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert len(seen) == 1, seen
    assert "No space left on device" in seen[0] and "still open with your changes" in seen[0]
    assert project_file.read_bytes() == before
    assert window.document.is_modified() and window.isWindowModified()
    assert not [f for f in os.listdir(project_file.parent) if ".tmp" in f]

    monkeypatch.setattr(os, "fsync", real_fsync)  # the other disk has room
    elsewhere = tmp_path / "elsewhere" / "mine.json"
    elsewhere.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(elsewhere), "")))
    window.activateWindow()  # back from the error box: window shortcuts need the active window
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    key(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert len(load_project(elsewhere).annotations) == 1
    assert not window.document.is_modified()
    assert project_file.read_bytes() == before
