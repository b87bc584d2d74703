"""A 6 px defect on a 3000 px picture is a pixel or two at fit zoom: double-clicking its row in the
Annotations panel zooms to it with its surroundings in view (as the Problems panel shows a problem), so
each object of an image can be found and checked in turn."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tifffile
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from pixelproof.core.coco import new_project, save_project
from pixelproof.core.model import Annotation, ImageRecord
from tests.ui.conftest import row_ids, settle, wait_loaded
from tests.ui.test_files_and_panels import new_window


def test_double_click_on_a_row_zooms_to_a_tiny_object(qtbot, tmp_path: Path, no_prompts) -> None:
    img = np.full((2400, 3000), 30000, dtype=np.uint16)
    img[1777:1783, 2211:2217] = 33000  # the pore
    tifffile.imwrite(tmp_path / "part.tif", img)
    project = new_project(["pore"])
    project.add_image(ImageRecord(1, "part.tif", 3000, 2400))
    project.add_annotation(Annotation(1, 1, 1, [2211.0, 1777.0, 6.0, 6.0], None, 36.0))
    project.add_annotation(Annotation(2, 1, 1, [100.0, 200.0, 8.0, 8.0], None, 64.0))
    save_project(project, tmp_path / "p.json")
    win = new_window(qtbot)
    assert win.open_path(tmp_path / "p.json")
    wait_loaded(qtbot, win)
    canvas = win.canvas
    canvas.fit()
    fit_zoom = canvas.zoom
    panel = win.panels["annotationsDock"]
    settle()  # the panel fills on the next event-loop turn
    row = row_ids(panel.list).index(1)
    rect = panel.list.visualRect(panel.list.model().index(row, 0))
    for send in (QTest.mouseClick, QTest.mouseDClick):  # a double click's first press, then the second
        send(panel.list.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, rect.center())
    assert win.document.selection == [1]
    assert canvas.zoom > 10 * fit_zoom  # the pore is more than a speck now
    on_screen = canvas.mapFromScene(QPointF(2214.0, 1780.0))
    centre = canvas.viewport().rect().center()
    assert abs(on_screen.x() - centre.x()) <= 2 and abs(on_screen.y() - centre.y()) <= 2
    # the surroundings stay in view: the object takes at most a third of the view
    assert 6 * canvas.zoom <= canvas.viewport().width() / 3
