"""Review > Choose Reference Dataset Folder… on LabelMe's ``labelme2coco`` output (``annotations.json``
beside ``JPEGImages/``): auto-detection leaves a folder's own .json files alone, so the app asks the
format; the list offered no COCO JSON at all, COCO panoptic preselected, which cannot read the folder.
COCO JSON is now first and preselected, and OK scores the project against it."""

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
