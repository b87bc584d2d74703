"""An inspection project read from MVTec AD: every class is ``<part>/<defect>`` (``metal_plate/scratch``)
and every defect folder numbers its images from ``000.png``. The toolbar's Category box showed
``metal_plate/c`` whatever the class, the part they all share: it kept the width it took for the
categories it first showed."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStyle, QStyleOptionComboBox

from pixelproof.core.coco import load_project, save_project
from tests.ui.conftest import make_project, open_main_window, wait_loaded

pytestmark = pytest.mark.gui

DEFECTS = ("metal_plate/contamination", "metal_plate/dent", "metal_plate/scratch")


@pytest.fixture
def inspection(qtbot, tmp_path: Path, no_prompts):  # type: ignore[no-untyped-def]
    first = make_project(tmp_path / "first", n_images=1, size=(48, 64))  # classes cat and dog
    path = make_project(tmp_path, n_images=2, size=(48, 64))
    project = load_project(path)
    project.categories[1].name, project.categories[2].name = DEFECTS[:2]
    project.add_category(project.categories[1].__class__(3, DEFECTS[2], color="#4363d8"))
    save_project(project, path)
    win = open_main_window(qtbot, first)  # the box was sized for "cat" when it first showed
    assert win.open_path(path)
    wait_loaded(qtbot, win)
    yield win
    win.document.undo_stack.setClean()


def _shown_whole(combo) -> bool:  # type: ignore[no-untyped-def]
    """Whether the closed box's text field holds its current text whole."""
    opt = QStyleOptionComboBox()
    combo.initStyleOption(opt)
    field = combo.style().subControlRect(
        QStyle.ComplexControl.CC_ComboBox, opt, QStyle.SubControl.SC_ComboBoxEditField, combo
    )
    room = field.width() - combo.iconSize().width() - 4  # the swatch and its gap
    return combo.fontMetrics().horizontalAdvance(combo.currentText()) <= room


def test_category_box_shows_the_whole_defect_name(qtbot, inspection) -> None:  # type: ignore[no-untyped-def]
    win = inspection
    combo = win.categories.combo
    win.canvas.setFocus()
    for key, name in ((Qt.Key.Key_3, DEFECTS[2]), (Qt.Key.Key_1, DEFECTS[0])):
        qtbot.keyClick(win.canvas, key)
        qtbot.waitUntil(lambda name=name: combo.currentText().startswith(name), timeout=10000)
        assert _shown_whole(combo), (combo.currentText(), combo.width())


@pytest.fixture
def numbered(qtbot, tmp_path: Path, no_prompts):  # type: ignore[no-untyped-def]
    """MVTec AD's layout: each defect folder numbers its images from 000.png."""
    from PIL import Image

    from pixelproof.core.coco import new_project
    from pixelproof.core.model import ImageRecord

    project = new_project(["plate/dent"])
    for i, name in enumerate(NUMBERED, 1):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        Image.new("L", (32, 24), 40 * i).save(tmp_path / name)
        project.add_image(ImageRecord(i, name, 32, 24))
    save_project(project, tmp_path / "p.json")
    win = open_main_window(qtbot, tmp_path / "p.json")
    yield win
    win.document.undo_stack.setClean()


NUMBERED = [
    "plate/test/contamination/000.png",
    "plate/test/dent/000.png",
    "plate/test/dent/001.png",
    "plate/test/good/000.png",
    "plate/train/good/000.png",
    "plate/train/good/002.png",
]


def test_images_list_tells_numbered_files_apart_and_filters_by_folder(qtbot, numbered) -> None:  # type: ignore[no-untyped-def]
    win = numbered
    panel = win.panels["imagesDock"]
    shown = [panel.proxy.index(r, 0).data() for r in range(panel.proxy.rowCount())]
    assert shown == [
        "contamination/000.png",
        "dent/000.png",
        "dent/001.png",  # as many folders as the other files of its folder show
        "test/good/000.png",
        "train/good/000.png",
        "train/good/002.png",
    ]
    assert win.readout.image_label.name == "contamination/000.png"
    qtbot.keyClicks(panel.filter, "dent")  # what the list shows is what the filter finds
    qtbot.waitUntil(lambda: panel.proxy.rowCount() == 2, timeout=10000)
    qtbot.keyClick(win.canvas, Qt.Key.Key_D)
    qtbot.waitUntil(lambda: win.readout.image_label.name == "dent/000.png", timeout=10000)
