"""Teams work seen from the workbench (issue 19 follow-ups): a merge that brings images shows them in the
Images panel (and its undo takes them away); the Annotators side-by-side panes keep one zoom through a
window resize at 1366x768."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import ImageRecord
from tests.ui.test_teams_ui import _answer_modal, _shards

pytestmark = pytest.mark.gui


def merge(qtbot, window, paths: list[str]) -> None:  # type: ignore[no-untyped-def]
    """File > Merge Shards… through its dialog, the report closed."""
    teams = window.teams

    def fill(dialog) -> None:  # type: ignore[no-untyped-def]
        for p in paths:
            dialog.shards.addItem(p)
        qtbot.keyClick(dialog, Qt.Key.Key_Return)

    closed = []

    def close_report(dialog) -> None:  # type: ignore[no-untyped-def]
        closed.append(True)
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    _answer_modal(qtbot, fill)
    teams.act_merge.trigger()
    qtbot.waitUntil(lambda: teams.job is not None, timeout=10000)
    _answer_modal(qtbot, close_report)
    qtbot.waitUntil(lambda: bool(closed), timeout=20000)


def test_images_a_merge_brings_are_listed_and_its_undo_removes_them(qtbot, window, project_file) -> None:  # type: ignore[no-untyped-def]
    paths = _shards(project_file)
    shard = load_project(paths[0])
    cv2.imwrite(str(project_file.parent / "images" / "extra.png"), np.full((60, 80, 3), 90, np.uint8))
    shard.add_image(ImageRecord(77, "../images/extra.png", 80, 60))  # relative to the shard's folder
    save_project(shard, paths[0])
    doc, panel = window.document, window.panels["imagesDock"]
    table = panel.table
    assert table.model().rowCount() == 3
    merge(qtbot, window, paths)
    assert len(doc.project.images) == 4
    qtbot.waitUntil(lambda: table.model().rowCount() == 4, timeout=10000)
    names = [table.model().index(r, 0).data() for r in range(4)]
    row = next(r for r, n in enumerate(names) if "extra" in n)
    rect = table.visualRect(table.model().index(row, 0))
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    new_id = doc.current_image_id
    assert doc.project.images[new_id].file_name == "images/extra.png"
    assert window.readout.image_label.text().endswith("/ 4")
    doc.undo_stack.undo()  # the merge
    assert len(doc.project.images) == 3 and doc.current_image_id in doc.project.images
    qtbot.waitUntil(lambda: table.model().rowCount() == 3, timeout=10000)
    assert window.readout.image_label.text().endswith("/ 3")


def test_annotators_panes_keep_one_zoom_through_a_resize(qtbot, window, project_file) -> None:  # type: ignore[no-untyped-def]
    merge(qtbot, window, _shards(project_file))
    view = window.teams.view
    view.action.trigger()
    assert [p.title for p in view.panes][-1] == "disagreement"

    def in_step() -> bool:
        zooms = {round(p.zoom, 6) for p in view.panes}
        centres = {(round(p.center().x()), round(p.center().y())) for p in view.panes}
        return len(zooms) == 1 and len(centres) == 1

    sizes = set()
    for size in ((1366, 768), (1920, 1080), (1366, 768), (1100, 700)):
        window.resize(*size)
        QTest.qWait(0)  # the layout gives the panes their new sizes
        sizes.add(tuple((p.width(), p.height()) for p in view.panes))
        assert in_step(), [(p.title, p.zoom, p.center(), p.size()) for p in view.panes]
        h, w = view.panes[0].image_size
        for p in view.panes:  # fitted: the whole image in sight in every pane
            shown = p.mapToScene(p.viewport().rect()).boundingRect()
            assert shown.width() >= w - 1 and shown.height() >= h - 1, (p.title, size)
    assert len(sizes) >= 2, sizes  # the panes did change size
    # zoomed in on one pane, a resize keeps the others on the same point and zoom
    pane = view.panes[-1]
    pane.setFocus()
    QTest.keyClick(pane, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert not pane.fitted and in_step()
    window.resize(1920, 1080)
    QTest.qWait(0)
    assert in_step()
