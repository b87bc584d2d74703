"""A number in the settings file damaged by a hand edit ("nan", "1e999", text, out of range) gives the
default: the window opens, the project opens, and no run uses a 16-px tile or an IoU of 0 (QSettings'
``value(type=int)`` raised on "nan" and gave 0 for text)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pixelproof.inference.apply import SKIP_EXISTING_IOU
from pixelproof.inference.tiling import DEFAULT_OVERLAP
from tests.ui.conftest import wait_loaded


def _open(qtbot, path: Path | None = None):  # type: ignore[no-untyped-def]
    from pixelproof.ui.app import create_app
    from pixelproof.ui.main_window import MainWindow

    create_app()
    win = MainWindow()
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    if path is not None:
        assert win.open_path(path)
        wait_loaded(qtbot, win)
    return win


def _spin(win, name: str):  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QAbstractSpinBox

    return win.findChild(QAbstractSpinBox, name)


@pytest.mark.parametrize(
    ("tile", "iou", "overlap"),
    [("nan", "nan", "nan"), ("1e999", "1e999", "-1e999"), ("abc", "abc", "0,3"), ("70000", "1.5", "0.9")],
)
def test_damaged_run_options_give_the_defaults(qtbot, no_prompts, tile: str, iou: str, overlap: str) -> None:
    from pixelproof.ui.settings import settings

    s = settings()
    s.setValue("model/tile_size", tile)
    s.setValue("model/skip_iou", iou)
    s.setValue("model/tile_overlap", overlap)
    win = _open(qtbot)
    assert _spin(win, "tileSize").value() == 1024
    assert _spin(win, "skipExistingIou").value() == pytest.approx(SKIP_EXISTING_IOU)
    assert _spin(win, "tileOverlap").value() == pytest.approx(DEFAULT_OVERLAP)


def test_kept_run_options_are_read(qtbot, no_prompts) -> None:
    from pixelproof.ui.settings import settings

    s = settings()
    s.setValue("model/tile_size", 512)
    s.setValue("model/skip_iou", 0.25)
    s.setValue("model/tile_overlap", 0.4)
    win = _open(qtbot)
    assert _spin(win, "tileSize").value() == 512
    assert _spin(win, "skipExistingIou").value() == pytest.approx(0.25)
    assert _spin(win, "tileOverlap").value() == pytest.approx(0.4)


@pytest.mark.parametrize("damaged", ["nan", "1e999", "2.5", "x"])
def test_damaged_last_image_opens_the_first(qtbot, no_prompts, project_file: Path, damaged: str) -> None:
    from pixelproof.ui.main_window import _last_image_key

    win = _open(qtbot, project_file)
    assert win.document.current_image_id == 1
    win.document.set_current_image(3)  # kept as the project's last image
    wait_loaded(qtbot, win)
    key = _last_image_key(win.document)
    win.close()
    from pixelproof.ui.settings import settings

    assert settings().value(key) in ("3", 3)
    again = _open(qtbot, project_file)  # a kept image is shown again
    assert again.document.current_image_id == 3
    again.close()
    settings().setValue(key, damaged)
    third = _open(qtbot, project_file)
    assert third.document.current_image_id == 1


def test_damaged_layout_version_opens(qtbot, no_prompts) -> None:
    from pixelproof.ui.settings import settings

    first = _open(qtbot)
    first.close()  # keeps its window state
    settings().setValue("window/layout", "nan")
    win = _open(qtbot)
    assert win.isVisible()
