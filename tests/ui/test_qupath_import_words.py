"""File > Import of a QuPath export says how to do better in the dialog's words, not convert's flags: the
report read "give the images' folder with --image-dir" and "(--cell-shape nucleus reads the nuclei
instead)", options the app has as the dialog's Images folder and Cells."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image

from pixelproof.interop.geojson import CELL_SHAPES
from tests.ui.test_interop_dialogs import import_through_dialog, new_window

CELL = {
    "type": "Feature",
    "geometry": {"type": "Polygon", "coordinates": [[[10, 10], [30, 10], [30, 25], [12, 28], [10, 10]]]},
    "nucleusGeometry": {"type": "Polygon", "coordinates": [[[15, 15], [20, 15], [20, 20], [15, 15]]]},
    "properties": {"objectType": "cell", "classification": {"name": "Tumor", "color": [200, 0, 0]}},
}


def _export(folder: Path, stem: str, image: bool) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if image:
        Image.new("RGB", (64, 48)).save(folder / f"{stem}.png")
    (folder / f"{stem}.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [CELL]}))
    return folder


def test_the_import_report_names_the_dialogs_options(qtbot, tmp_path: Path, no_prompts, errors) -> None:
    folder = _export(tmp_path / "qp", "slide1", image=True)
    _export(folder, "slide2", image=False)
    win = new_window(qtbot)
    import_through_dialog(qtbot, win, "geojson", folder)
    qtbot.waitUntil(lambda: win.document is not None and win.interop.report is not None, timeout=10000)
    lines = "\n".join(win.interop.report.lines)
    assert "--" not in lines, lines
    assert "give the images' folder with the Import dialog's Images folder" in lines
    assert f"(the Import dialog's Cells: {CELL_SHAPES['nucleus']} reads the nuclei instead)" in lines
    if win.document is not None:
        win.document.undo_stack.setClean()
