"""A pathologist's QuPath cell export opened in the app: a slide of many small cells shows with its
classes in QuPath's colours, and a cell clicked shows the measurements QuPath made (kept in the project,
shown nowhere before) on a read-only line of the Properties panel."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from pixelproof.core.coco import save_project
from pixelproof.interop.geojson import read_geojson
from tests.ui.conftest import open_main_window, tip_text
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
    qtbot.waitUntil(lambda: len(doc.selected_annotations()) == 1)
    qtbot.waitUntil(lambda: not props.fields.isHidden())
    (cell,) = doc.selected_annotations()
    assert doc.project.categories[cell.category_id].name == list(CLASSES)[k % 3]
    assert props.form.isRowVisible(props.qupath)
    line = props.qupath.whole
    assert line.startswith("cell · ") and f"Nucleus: Area µm^2 {k * 1.5:g}" in line and "DAB —" in line
    tip = tip_text(props.qupath.toolTip())
    assert tip.splitlines()[:4] == [
        "cell",
        f"Nucleus: Area µm^2: {k * 1.5:g}",
        "Cell: Eosin OD mean: 0.25",
        "DAB: —",
    ]
    doc.set_selection(list(doc.project.annotations)[:2])  # two cells: whose measurements? none shown
    qtbot.waitUntil(lambda: not props.form.isRowVisible(props.qupath))


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


def test_a_cells_long_qupath_line_is_cut_with_an_ellipsis_inside_the_panel(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    """A cell's dozens of measurements do not fit the dock: the line was clipped at its edge in the middle
    of a word ('… · Nucleus'), nothing telling that more followed. It now ends in '…' inside its room, the
    whole line kept for the tooltip and Copy All."""
    folder = tmp_path / "qupath"
    folder.mkdir()
    Image.new("RGB", (64, 64), (230, 200, 220)).save(folder / "slide.png")
    cell = _cell(32, 32, 20, "Tumor", 1)
    cell["properties"]["measurements"] = {f"Nucleus: {m}": 10.125 + n for n, m in enumerate(MEASURED)}
    doc_json = {"type": "FeatureCollection", "features": [cell]}
    (folder / "slide.geojson").write_text(json.dumps(doc_json), encoding="utf-8")
    save_project(read_geojson(folder).project, tmp_path / "project.json")
    window = open_main_window(qtbot, tmp_path / "project.json")
    doc = window.document
    props = window.panels["propertiesDock"]
    _click(window, 32, 32)
    qtbot.waitUntil(lambda: len(doc.selected_annotations()) == 1)
    label = props.qupath
    qtbot.waitUntil(lambda: props.form.isRowVisible(label) and label.whole != "")
    whole = "cell · " + " · ".join(f"Nucleus: {m} {10.125 + n:g}" for n, m in enumerate(MEASURED))
    assert label.whole == whole
    room = label.contentsRect().width()
    assert 0 < room < label.fontMetrics().horizontalAdvance(whole)  # the line cannot fit: it is cut
    shown = label.text()
    assert shown.endswith("…") and whole.startswith(shown[:-1]), shown
    assert label.fontMetrics().horizontalAdvance(shown) <= room  # what is drawn is inside the label
    panel = props.rect()  # and the label inside the panel, not pushed past its edge
    top_left = label.mapTo(props, label.rect().topLeft())
    assert panel.contains(top_left) and top_left.x() + label.width() <= panel.width()
    assert "Nucleus: DAB OD mean: 17.125" in tip_text(label.toolTip())  # the cut value in the tooltip
    label.copy_all()
    from PySide6.QtGui import QGuiApplication

    assert QGuiApplication.clipboard().text() == whole
