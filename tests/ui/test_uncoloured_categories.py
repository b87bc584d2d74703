"""A plain COCO file names no colours (every export of COCO, CVAT, FiftyOne, labelme2coco): the Categories
panel showed each class in its palette colour while the canvas, the Annotations list, the Properties and
toolbar category choosers drew every class in one magenta, so a cat and a dog looked alike. They now all
show the colour the Categories panel shows."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QIcon

from tests.ui.conftest import list_rows, open_main_window
from tests.ui.test_canvas import shown_pixel

SQUARES = {1: (20, 20, 60, 60), 2: (120, 20, 60, 60)}  # category id -> x, y, w, h


@pytest.fixture
def plain_coco(tmp_path: Path) -> Path:
    cv2.imwrite(str(tmp_path / "a.png"), np.zeros((120, 200, 3), np.uint8))
    anns = [
        {
            "id": cid,
            "image_id": 1,
            "category_id": cid,
            "bbox": [x, y, w, h],
            "area": w * h,
            "iscrowd": 0,
            "segmentation": [[x, y, x + w, y, x + w, y + h, x, y + h]],
        }
        for cid, (x, y, w, h) in SQUARES.items()
    ]
    coco = {
        "images": [{"id": 1, "file_name": "a.png", "width": 200, "height": 120}],
        "categories": [{"id": 1, "name": "cat"}, {"id": 2, "name": "dog"}],
        "annotations": anns,
    }
    path = tmp_path / "coco.json"
    path.write_text(json.dumps(coco))
    return path


def icon_rgb(icon: QIcon) -> tuple[int, int, int]:
    c = icon.pixmap(14, 14).toImage().pixelColor(7, 7)
    return c.red(), c.green(), c.blue()


def panel_rgb(win, name: str) -> tuple[int, int, int]:
    tree = win.panels["categoriesDock"].tree
    (item,) = [
        tree.topLevelItem(i) for i in range(tree.topLevelItemCount()) if tree.topLevelItem(i).text(0) == name
    ]
    return icon_rgb(item.icon(0))


def test_every_view_shows_a_class_in_the_categories_panel_colour(qtbot, plain_coco: Path, no_prompts) -> None:
    win = open_main_window(qtbot, plain_coco)
    try:
        cat, dog = panel_rgb(win, "cat"), panel_rgb(win, "dog")
        assert cat != dog
        inside = {cid: shown_pixel(win, x + w / 2, y + h / 2) for cid, (x, y, w, h) in SQUARES.items()}
        assert inside[1] != inside[2]  # two classes, two colours on the canvas
        for cid, want in ((1, cat), (2, dog)):  # the fill over black: the class colour, dimmed
            got = np.array(inside[cid], float)
            assert np.argmax(got) == np.argmax(want) and got.any()
        rows = win.panels["annotationsDock"].list
        assert [icon_rgb(r.icon()) for r in list_rows(rows)] == [cat, dog]
        x, y, w, h = SQUARES[2]  # a click on the dog selects it: Properties shows its class in its colour
        v = win.canvas.mapFromScene(QPointF(x + w / 2, y + h / 2))
        qtbot.mouseClick(win.canvas.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(v.x(), v.y()))
        combo = win.panels["propertiesDock"].category
        qtbot.waitUntil(lambda: combo.currentText() == "dog", timeout=10000)
        assert icon_rgb(combo.itemIcon(combo.currentIndex())) == dog
    finally:
        win.document.undo_stack.setClean()
        win.close()
