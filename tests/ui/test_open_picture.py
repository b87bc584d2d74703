"""The app started on a picture (``pixelproof photo.jpg``, a LabelMe habit) says it is a picture and which
folder to open, in the error it shows, not a JSON parser's byte position."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from PySide6.QtWidgets import QMessageBox

from tests.ui.conftest import open_main_window


def test_opening_a_picture_names_its_folder(qtbot, monkeypatch, tmp_path: Path, no_prompts) -> None:
    shown: list[str] = []

    def record(box: QMessageBox) -> int:
        shown.append(f"{box.text()}\n{box.informativeText()}")
        return 0

    monkeypatch.setattr(QMessageBox, "exec", record)
    picture = tmp_path / "plain.jpg"
    cv2.imwrite(str(picture), np.full((20, 30, 3), 90, np.uint8))
    win = open_main_window(qtbot)
    assert not win.open_path(picture)  # what ``pixelproof plain.jpg`` does once the window painted
    assert win.document is None
    (text,) = shown
    assert "a picture, not a project: open its folder to label it" in text and str(tmp_path) in text
    assert "UTF-8" not in text
