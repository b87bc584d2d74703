"""New Project from Folder over an engineer's own folder, with a notes file among the pictures: the status
bar names the file left out once, as a warning (kept so in View > Messages…), not "1 file skipped, first:
readme.txt: not an image, skipped"."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from PySide6.QtWidgets import QFileDialog

from tests.ui.conftest import open_main_window, wait_loaded


def _new_project_from_folder(qtbot, monkeypatch, folder: Path):  # type: ignore[no-untyped-def]
    """File > New Project from Folder…, ``folder`` chosen in its dialog, ``scratch`` its category."""
    import pixelproof.ui.project_files as project_files

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(folder)))
    monkeypatch.setattr(project_files, "ask_categories", lambda *a, **k: ["scratch"])
    win = open_main_window(qtbot)
    win.files.act_open_folder.trigger()  # File > New Project from Folder…
    qtbot.waitUntil(lambda: win.document is not None, timeout=20000)
    wait_loaded(qtbot, win)
    return win


def test_a_file_left_out_is_named_once_as_a_warning(qtbot, monkeypatch, tmp_path: Path, no_prompts) -> None:
    for name in ("part 1.png", "part_é.png"):
        cv2.imwrite(str(tmp_path / name), np.full((20, 30, 3), 90, np.uint8))
    (tmp_path / "readme.txt").write_text("inspection notes")
    win = _new_project_from_folder(qtbot, monkeypatch, tmp_path)
    said = [m for m in win.shell.messages.messages if m.text.startswith("New project over")][-1]
    assert said.text.endswith("; 1 file skipped: readme.txt: not an image"), said.text
    assert said.kind == "warning"


def test_several_files_left_out_name_the_first(qtbot, monkeypatch, tmp_path: Path, no_prompts) -> None:
    cv2.imwrite(str(tmp_path / "a.png"), np.full((20, 30, 3), 90, np.uint8))
    (tmp_path / "b.txt").write_text("x")
    (tmp_path / "c.txt").write_text("y")
    win = _new_project_from_folder(qtbot, monkeypatch, tmp_path)
    said = [m for m in win.shell.messages.messages if m.text.startswith("New project over")][-1]
    assert said.text.endswith("; 2 files skipped, first: b.txt: not an image"), said.text
    assert "skipped, first" in said.text and said.text.count("skipped") == 1
    assert said.kind == "warning"


def test_a_folder_of_images_only_is_no_warning(qtbot, monkeypatch, tmp_path: Path, no_prompts) -> None:
    cv2.imwrite(str(tmp_path / "a.png"), np.full((20, 30, 3), 90, np.uint8))
    win = _new_project_from_folder(qtbot, monkeypatch, tmp_path)
    said = [m for m in win.shell.messages.messages if m.text.startswith("New project over")][-1]
    assert "skipped" not in said.text and said.kind == "info"
