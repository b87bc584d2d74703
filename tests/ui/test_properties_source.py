"""The Properties panel says where the selected object came from: a QuPath cell imported through File >
Import reads as imported from QuPath's folder (it read "manual", as if drawn here), a box drawn in the app
as drawn, a cell whose outline was moved since as edited since import."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from tests.interop.test_geojson_cells import _export
from tests.ui.conftest import ListRow, row_ids, wait_loaded
from tests.ui.test_interop_dialogs import import_through_dialog, new_window
from tests.ui.test_workbench import draw_box

LEFT, NOMOD = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
IMPORTED = "imported: QuPath GeoJSON (qupath_export)"


def click(win, x: float, y: float) -> None:  # type: ignore[no-untyped-def]
    QTest.mouseClick(win.canvas.viewport(), LEFT, NOMOD, win.canvas.mapFromScene(QPointF(x, y)))


def test_an_imported_cell_says_where_it_came_from_and_a_drawn_box_that_it_was_drawn(
    qtbot, tmp_path: Path, no_prompts, errors
) -> None:
    _export(tmp_path / "qupath_export")  # three cells and a tumour annotation on a 96 x 64 slide
    win = new_window(qtbot)
    import_through_dialog(qtbot, win, "geojson", tmp_path / "qupath_export")
    qtbot.waitUntil(lambda: win.document is not None, timeout=10000)
    wait_loaded(qtbot, win)
    if win.interop.report is not None:  # what the import said (a tumour annotation's measurements...)
        win.interop.report.close()
    win.activateWindow()
    qtbot.waitActive(win)  # the tools' keys are window shortcuts
    props = win.panels["propertiesDock"]
    win.canvas.setFocus()
    QTest.keyClick(win.canvas, Qt.Key.Key_V)
    click(win, 75.125, 40.5)  # the third cell's centre
    qtbot.waitUntil(lambda: props.source.isVisible() and props.source.text() == IMPORTED, timeout=10000)
    cell = win.document.selected_annotations()[0]
    assert props.source.toolTip().startswith("Where the object came from")
    rows = win.panels["annotationsDock"].list
    row = ListRow(rows, row_ids(rows).index(cell.id))
    assert f"source: {IMPORTED}" in row.toolTip()
    # its outline moved a pixel: edited since import (QuPath's measurements of it no longer hold)
    QTest.keyPress(win.canvas, Qt.Key.Key_Right)
    QTest.keyRelease(win.canvas, Qt.Key.Key_Right)
    assert win.document.project.annotations[cell.id].bbox[0] == cell.bbox[0] + 1
    qtbot.waitUntil(lambda: props.source.text() == IMPORTED + ", shape edited since", timeout=10000)
    # a box drawn here
    before = set(win.document.project.annotations)
    drawn = draw_box(win, 2.0, 50.0, 12.0, 62.0)
    assert drawn not in before and win.document.selection == [drawn]
    qtbot.waitUntil(lambda: props.source.text() == "drawn in PixelProof", timeout=10000)
    win.document.undo_stack.setClean()
    win.close()


def test_an_object_of_a_cvat_video_task_says_cvat_for_video(
    qtbot, tmp_path: Path, no_prompts, errors
) -> None:
    """File > Import of Datumaro's CVAT for video export: the format list's CVAT entry names video as well
    as images, and the box's Source reads CVAT for video, not the "CVAT for images" a video user was told."""
    import shutil

    video = Path(__file__).resolve().parents[1] / "data" / "datumaro" / "cvat_dataset" / "for_video"
    shutil.copytree(video, tmp_path / "for_video")
    win = new_window(qtbot)
    dlg = import_through_dialog(qtbot, win, "cvat", tmp_path / "for_video")
    assert "for images" in dlg.format_combo.currentText() and "for video" in dlg.format_combo.currentText()
    qtbot.waitUntil(lambda: win.document is not None, timeout=10000)
    wait_loaded(qtbot, win)
    if win.interop.report is not None:  # what the import said (the tracks read as shapes...)
        win.interop.report.close()
    win.activateWindow()
    qtbot.waitActive(win)
    props = win.panels["propertiesDock"]
    win.canvas.setFocus()
    QTest.keyClick(win.canvas, Qt.Key.Key_V)
    click(win, 6.5, 4.5)  # track 0's box (3, 4, 7 x 1) on frame 10, the first image
    want = "imported: CVAT for video 1.1 XML (for_video)"
    qtbot.waitUntil(lambda: props.source.isVisible() and props.source.text() == want, timeout=10000)
    win.close()
