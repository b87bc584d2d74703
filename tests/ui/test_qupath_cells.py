"""A pathologist's QuPath cell export opened in the app: a slide of many small cells shows with its
classes in QuPath's colours, and a cell clicked shows the measurements QuPath made (kept in the project)
in a name | value table of the Properties panel, as QuPath's own measurement table."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QScrollArea

from pixelproof.core.coco import save_project
from pixelproof.interop.geojson import read_geojson
from pixelproof.interop.geojson_writer import write_geojson
from tests.ui.conftest import open_main_window
from tests.ui.test_workbench import set_zoom

CLASSES = {"Tumor": [200, 0, 0], "Stroma": [150, 200, 150], "Immune cells": [160, 90, 160]}


def _cell(cx: float, cy: float, r: float, name: str, k: int) -> dict:
    angles = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    ring = np.stack([cx + r * np.cos(angles), cy + r * np.sin(angles)], 1).round(2).tolist()
    return {
        "type": "Feature",
        "id": f"00000000-0000-4000-8000-{k:012d}",
        "geometry": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
        "nucleusGeometry": {"type": "Polygon", "coordinates": [[*ring[::2], ring[0]]]},
        "properties": {
            "objectType": "cell",
            "classification": {"name": name, "color": CLASSES[name]},
            "measurements": {
                "Nucleus: Area µm^2": round(k * 1.5, 2),
                "Cell: Eosin OD mean": 0.25,
                "DAB": None,
            },
        },
    }


def _slide(tmp_path: Path) -> Path:
    folder = tmp_path / "qupath"
    folder.mkdir()
    Image.new("RGB", (640, 480), (230, 200, 220)).save(folder / "slide.png")
    cells = [
        _cell(12 + 16 * (k % 38), 12 + 16 * (k // 38), 5, list(CLASSES)[k % 3], k)
        for k in range(38 * 28)  # 1,064 cells a few pixels apart
    ]
    doc = {"type": "FeatureCollection", "features": cells}
    (folder / "slide.geojson").write_text(json.dumps(doc), encoding="utf-8")
    save_project(read_geojson(folder).project, folder / "project.json")
    return folder / "project.json"


def _click(window, x: float, y: float) -> None:  # type: ignore[no-untyped-def]
    at: QPoint = window.canvas.mapFromScene(x, y)
    QTest.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at)


def test_a_qupath_cell_export_shows_its_classes_and_a_cells_measurements(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    window = open_main_window(qtbot, _slide(tmp_path))
    doc = window.document
    assert len(doc.project.annotations) == 38 * 28
    tree = window.panels["categoriesDock"].tree
    rows = {tree.topLevelItem(n).text(0): tree.topLevelItem(n) for n in range(tree.topLevelItemCount())}
    assert set(rows) == set(CLASSES)
    for name, rgb in CLASSES.items():  # the swatch in QuPath's colour, the count of its cells
        swatch = rows[name].icon(0).pixmap(16, 16).toImage()
        assert swatch.pixelColor(8, 8).getRgb()[:3] == tuple(rgb), name
        assert rows[name].text(2).replace(",", "") in {"354", "355"}
    set_zoom(window, 2.0)
    props = window.panels["propertiesDock"]
    k = 38 * 3 + 5  # the cell at (92, 60), an immune cell
    _click(window, 12 + 16 * 5, 12 + 16 * 3)
    qtbot.waitUntil(lambda: len(doc.selected_annotations()) == 1, timeout=10000)
    qtbot.waitUntil(lambda: not props.fields.isHidden(), timeout=10000)
    (cell,) = doc.selected_annotations()
    assert doc.project.categories[cell.category_id].name == list(CLASSES)[k % 3]
    assert props.form.isRowVisible(props.qupath) and props.qupath.whole == "cell"
    table = props.measurements
    assert table.isVisible()
    shown = [(table.item(r, 0).text(), table.item(r, 1).text()) for r in range(table.rowCount())]
    assert shown == [  # the file's order; NaN (null in the file) as QuPath shows it
        ("Nucleus: Area µm^2", f"{k * 1.5:g}"),
        ("Cell: Eosin OD mean", "0.25"),
        ("DAB", "NaN"),
    ]
    doc.set_selection(list(doc.project.annotations)[:2])  # two cells: whose measurements? none shown
    qtbot.waitUntil(lambda: not props.form.isRowVisible(props.qupath) and table.isHidden(), timeout=10000)
    assert props.stale.isHidden()


MEASURED = [
    "Area µm^2",
    "Perimeter µm",
    "Circularity",
    "Max caliper µm",
    "Min caliper µm",
    "Eccentricity",
    "Hematoxylin OD mean",
    "DAB OD mean",
]


def test_a_cells_many_measurements_scroll_in_a_table_no_wider_than_the_panel_and_copy_as_lines(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    """A cell's dozens of measurements were one line cut after the first ('Nucleus: Area µm^2 5.378 · …'),
    the rest in a tooltip. They are now rows of a table that scrolls inside the panel at 1366x768 without
    widening it; rows selected with the mouse copy as name<TAB>value lines (Ctrl+C), every digit kept."""
    folder = tmp_path / "qupath"
    folder.mkdir()
    Image.new("RGB", (64, 64), (230, 200, 220)).save(folder / "slide.png")
    cell = _cell(32, 32, 20, "Tumor", 1)
    values = {f"{part}: {m}": 10.125 + n for n, (part, m) in enumerate(
        (part, m) for part in ("Nucleus", "Cell", "Cytoplasm", "Nucleus/Cell") for m in MEASURED
    )}  # fmt: skip
    values["Nucleus: Hematoxylin OD std dev"] = 0.000123456
    values["Cell: a name long enough to be wider than the whole Properties panel at 1366 px"] = 1234567.891
    cell["properties"]["measurements"] = values
    doc_json = {"type": "FeatureCollection", "features": [cell]}
    (folder / "slide.geojson").write_text(json.dumps(doc_json), encoding="utf-8")
    save_project(read_geojson(folder).project, tmp_path / "project.json")
    window = open_main_window(qtbot, tmp_path / "project.json")
    window.resize(1366, 768)
    doc = window.document
    props = window.panels["propertiesDock"]
    dock = window.docks["propertiesDock"]
    qtbot.waitUntil(lambda: dock.width() > 0, timeout=10000)
    width = dock.width()
    rows = window.panels["annotationsDock"].list
    qtbot.waitUntil(lambda: rows.model().rowCount() == 1, timeout=10000)
    at = rows.visualRect(rows.model().index(0, 0)).center()
    QTest.mouseClick(rows.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at)
    table = props.measurements
    qtbot.waitUntil(lambda: len(doc.selected_annotations()) == 1 and table.isVisible(), timeout=10000)
    assert table.rowCount() == len(values) == 34
    names = [table.item(r, 0).text() for r in range(table.rowCount())]
    assert names == list(values)  # as the file had them
    assert table.item(0, 1).text() == "10.125"
    assert table.item(32, 1).text() == "0.0001235"  # significant digits, not '0.0001'
    assert table.item(33, 1).text() == "1234567.891"  # no exponent
    assert table.verticalScrollBar().isVisible()  # more rows than room: it scrolls
    area = props.parentWidget().parentWidget()  # the dock's scroll area: the table scrolls, not the panel
    QApplication.processEvents()  # the scroll area updates its bars on the layout request posted
    assert isinstance(area, QScrollArea) and not area.verticalScrollBar().isVisible()
    assert dock.width() == width  # the long name did not widen the dock
    right = table.mapTo(props, table.rect().topRight()).x()
    assert right <= props.width()
    cell_rect = table.visualItemRect(table.item(0, 1))  # the values column in sight, right of the names
    assert cell_rect.right() <= table.viewport().width() and cell_rect.width() > 0
    first = table.visualItemRect(table.item(0, 0)).center()
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, first)
    second = table.visualItemRect(table.item(1, 0)).center()
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, second)
    from PySide6.QtGui import QGuiApplication

    QGuiApplication.clipboard().setText("")
    QTest.keyClick(table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "Nucleus: Area µm^2\t10.125\nNucleus: Perimeter µm\t11.125"
    assert window.clipboard.clip is None  # the rows copied, not the selected cell
    table.scrollToBottom()
    last = table.visualItemRect(table.item(32, 0)).center()
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, last)
    QTest.keyClick(table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "Nucleus: Hematoxylin OD std dev\t0.000123456"
    assert props.stale.isHidden()
    # the cell moved off its nucleus by the arrow key: what QuPath measured on it no longer holds; the rows
    # the export leaves out are greyed, the others as they were (checked against a real export)
    window.canvas.setFocus()
    QTest.keyClick(window.canvas, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: props.stale.isVisible(), timeout=10000)
    grey = table.palette().color(QPalette.ColorRole.PlaceholderText)
    greyed = {
        table.item(r, 0).text() for r in range(table.rowCount()) if table.item(r, 0).foreground() == grey
    }
    write_geojson(doc.project, tmp_path / "out", images="keep")
    features = json.loads((tmp_path / "out" / "slide.geojson").read_text(encoding="utf-8"))["features"]
    (moved,) = features
    assert greyed and greyed == {m.name for m in table.rows} - set(
        moved["properties"].get("measurements", {})
    )


def test_a_slide_cells_measurements_scroll_in_the_table_not_the_panel_at_1366x768(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    """On a slide (a pixel size: the Box line gains its sides in µm and wraps to two lines, the Area its µm²)
    the Properties panel of a QuPath cell scrolled as a whole at 1366x768, the table inside it scrolling
    too, cut at the panel's bottom: the table gives up its height first, down to its two rows."""
    folder = tmp_path / "qupath"
    folder.mkdir()
    Image.new("RGB", (9000, 16), (230, 200, 220)).save(folder / "slide.png")
    cell = _cell(8123.45, 8, 6, "Tumor", 1)
    cell["properties"]["measurements"] = {f"Nucleus: {m}": 10.125 for m in MEASURED}
    doc_json = {"type": "FeatureCollection", "features": [cell]}
    (folder / "slide.geojson").write_text(json.dumps(doc_json), encoding="utf-8")
    project = read_geojson(folder).project
    next(iter(project.images.values())).extra["pixel_spacing"] = [0.00025, 0.00025]
    save_project(project, tmp_path / "project.json")
    window = open_main_window(qtbot, tmp_path / "project.json")
    window.resize(1366, 768)
    props = window.panels["propertiesDock"]
    rows = window.panels["annotationsDock"].list
    qtbot.waitUntil(lambda: rows.model().rowCount() == 1, timeout=10000)
    at = rows.visualRect(rows.model().index(0, 0)).center()
    QTest.mouseClick(rows.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at)
    table = props.measurements
    qtbot.waitUntil(lambda: table.isVisible() and "µm" in props.geometry_label.text(), timeout=10000)
    QApplication.processEvents()  # the scroll area updates its bars on the layout request posted
    area = props.parentWidget().parentWidget()
    assert isinstance(area, QScrollArea) and not area.verticalScrollBar().isVisible()
    assert table.mapTo(props, table.rect().bottomLeft()).y() < props.height()  # the table whole in sight
