"""The Problems panel's Compare pictures, with real clicks: off, no picture is compared; on, Find problems
reads every picture and lists the same picture under another name (duplicate picture), a picture that
cannot be read is said in the summary, a click and a double-click show the copy, and labelling the
original anew re-scores the copy's problem without a new run."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import skimage.data
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QCheckBox, QPushButton

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.edits import AddAnnotations
from pixelproof.core.model import Annotation, ImageRecord
from tests.ui.conftest import make_project

LEFT = Qt.MouseButton.LeftButton
PROBLEM = Qt.ItemDataRole.UserRole + 1


@pytest.fixture
def project_file(tmp_path: Path) -> Path:
    """(Overrides conftest's.) img1.png is img0.png under another name, img2.png coffee, img3.png gone."""
    path = make_project(tmp_path)
    images = tmp_path / "images"
    shutil.copyfile(images / "img0.png", images / "img1.png")
    coffee = Image.fromarray(skimage.data.coffee()).resize((320, 240))
    coffee.save(images / "img2.png")
    p = load_project(path)
    p.add_image(ImageRecord(4, "images/img3.png", 320, 240))
    p.add_annotation(Annotation(1, 1, 1, [40.0, 40.0, 80.0, 60.0], None, 4800.0))
    p.add_annotation(Annotation(2, 2, 1, [40.0, 40.0, 80.0, 60.0], None, 4800.0))
    save_project(p, path)
    return path


@pytest.fixture
def win(problems_window):  # type: ignore[no-untyped-def]
    return problems_window


def find(qtbot, panel) -> None:
    before = panel.result
    qtbot.mouseClick(panel.findChild(QPushButton, "button_lint.run"), LEFT)
    qtbot.waitUntil(lambda: panel.result is not before and not panel.runner.running, timeout=20000)


def problems(panel) -> list:
    return [panel.proxy.index(r, 0).data(PROBLEM) for r in range(panel.proxy.rowCount())]


def test_compare_pictures_lists_the_copy_and_shows_it(qtbot, win) -> None:
    panel = win.panels["problemsDock"]
    panel.show_dock()
    box = panel.findChild(QCheckBox, "lintPictures")
    assert box is not None and not box.isChecked()
    assert "reads every picture" in box.toolTip()
    find(qtbot, panel)  # off: no picture is read
    assert not [p for p in problems(panel) if p.kind == "duplicate_picture"]
    assert "not read" not in panel.summary.text()

    qtbot.mouseClick(box, LEFT, pos=box.rect().center())
    assert box.isChecked()
    find(qtbot, panel)
    (dup,) = [p for p in problems(panel) if p.kind == "duplicate_picture"]
    assert (dup.image_id, dup.figures["other_image_id"]) == (2, 1)
    assert "images/img1.png is the same picture as images/img0.png" in dup.message
    assert "1 picture not read: images/img3.png" in panel.summary.text()

    doc = win.document
    row = problems(panel).index(dup)
    rect = panel.table.visualRect(panel.proxy.index(row, 1))
    qtbot.mouseClick(panel.table.viewport(), LEFT, pos=rect.center())
    assert doc.current_image_id == 2
    assert "duplicate picture" in panel.detail.text()
    QTest.keyClick(win, Qt.Key.Key_D)  # on to the next image
    assert doc.current_image_id == 3
    qtbot.mouseDClick(panel.table.viewport(), LEFT, pos=rect.center())
    assert doc.current_image_id == 2  # back at the copy

    # the original gets a dog its copy lacks: the copy's problem says so, without a new run
    score = dup.score
    doc.push(AddAnnotations([Annotation(9, 1, 2, [150.0, 100.0, 40.0, 40.0], None, 1600.0)]))
    qtbot.waitUntil(
        lambda: any(p.kind == "duplicate_picture" and p.score > score for p in problems(panel)), timeout=10000
    )
    (again,) = [p for p in problems(panel) if p.kind == "duplicate_picture"]
    assert "labelled differently (dog 0 vs 1)" in again.message
    assert np.isclose(again.score, score + 0.25)
