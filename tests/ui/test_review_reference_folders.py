"""Review > Choose Reference Dataset Folder… on folders a QA reviewer gets: LabelMe's ``labelme2coco``
output (``annotations.json`` beside ``JPEGImages/``), which auto-detection leaves alone, so the app asks the
format (the list offered no COCO JSON, COCO panoptic preselected, which cannot read it); and QuPath's
GeoJSON export whose slides are nowhere to be found, said in the app's words."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QDialogButtonBox, QFileDialog, QInputDialog

from tests.ui.test_review import LEFT, opened


@pytest.fixture
def project(tmp_path: Path, labelme_dir: Path) -> Path:
    fixture = labelme_dir / "instance_segmentation" / "data_dataset_coco"
    ref = tmp_path / "data_dataset_coco"
    shutil.copytree(fixture, ref)
    work = tmp_path / "vendor"
    shutil.copytree(fixture / "JPEGImages", work / "JPEGImages")
    data = json.loads((ref / "annotations.json").read_text())
    data["annotations"] = [a for a in data["annotations"] if a["id"] != 10]  # one person missed
    (work / "vendor.json").write_text(json.dumps(data))
    return work / "vendor.json"


@pytest.fixture
def window(qtbot, project: Path, no_prompts):
    yield from opened(qtbot, project, size=(1366, 768), review=False)


def test_a_labelme2coco_folder_is_read_as_coco_when_the_app_asks(qtbot, window, project, monkeypatch) -> None:
    folder = project.parent.parent / "data_dataset_coco"
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(folder)))
    offered: list[str] = []

    def answer() -> None:
        dialog = next(
            w for w in QApplication.topLevelWidgets() if isinstance(w, QInputDialog) and w.isVisible()
        )
        combo = dialog.findChild(QComboBox)
        offered.extend(combo.itemText(i) for i in range(combo.count()))
        ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
        QTest.mouseClick(ok, LEFT)

    QTimer.singleShot(300, answer)
    window.review.act_choose_folder.trigger()
    assert offered[0] == "COCO JSON (coco)"
    view = window.review.view
    qtbot.waitUntil(lambda: view.scored is not None and view.job is None, timeout=20000)
    assert window.document.project.app.get("reference_format") == "coco"
    fns = sorted(r["fn"] for r in view.scored.image_table)
    assert fns == [0, 0, 1] and view.error is None


def test_a_geojson_reference_without_its_images_is_said_in_the_app_s_words(
    qtbot, window, project, monkeypatch
) -> None:
    """QuPath's export of slides found neither beside it nor in the project's image folders: the banner
    told the app's user to "give the images' folder with --image-dir", an option the view does not have.
    It says where to put them; the file is still named."""
    export = project.parent.parent / "qupath_export"
    export.mkdir()
    ring = [[10, 10], [40, 10], [40, 40], [10, 40], [10, 10]]
    feature = {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]}, "properties": {}}
    (export / "elsewhere.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": [feature]})
    )
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(export)))
    window.review.act_choose_folder.trigger()
    view = window.review.view
    banner = view.header.banner
    qtbot.waitUntil(lambda: view.job is None and "Cannot read the reference" in banner.text(), timeout=20000)
    assert "elsewhere.geojson: no image named elsewhere.*" in banner.text()
    assert "put the image beside it or in a folder of the project's images" in banner.text()
    assert "--" not in banner.text()
