"""A Label Studio user's image-level results (choices, a text area, a rating) are kept in the image extras
on import: they must be seen in the app, on the image they belong to, not only written back on export."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from pixelproof.core.coco import save_project
from pixelproof.interop.labelstudio import read_labelstudio
from tests.ui.conftest import open_main_window, wait_loaded


def _result(kind: str, name: str, value: dict) -> dict:
    return {"id": name, "type": kind, "from_name": name, "to_name": "image", "value": value}


def test_an_images_choices_show_in_properties_for_that_image_only(qtbot, tmp_path: Path, no_prompts) -> None:
    box = {"x": 10, "y": 10, "width": 20, "height": 20, "rotation": 0, "rectanglelabels": ["car"]}
    region = {"type": "rectanglelabels", "from_name": "label", "to_name": "image", "value": box,
              "original_width": 200, "original_height": 100}  # fmt: skip
    tasks = [
        {"id": 1, "data": {"image": "a.png"}, "annotations": [{"id": 1, "result": [
            region,
            _result("choices", "weather", {"choices": ["Rainy", "Night"]}),
            _result("textarea", "comment", {"text": ["blurry corner"]}),
            _result("rating", "quality", {"rating": 4}),
        ]}]},
        {"id": 2, "data": {"image": "b.png"}, "annotations": [{"id": 2, "result": [region]}]},
    ]  # fmt: skip
    for name in ("a.png", "b.png"):
        Image.new("RGB", (200, 100), (90, 90, 90)).save(tmp_path / name)
    (tmp_path / "export.json").write_text(json.dumps(tasks))
    save_project(read_labelstudio(tmp_path / "export.json").project, tmp_path / "project.json")

    window = open_main_window(qtbot, tmp_path / "project.json")
    props = window.panels["propertiesDock"]
    qtbot.waitUntil(lambda: props.image_results.isVisible(), timeout=10000)
    text = props.image_results.text()
    assert "weather: Rainy, Night" in text and "comment: blurry corner" in text and "quality: 4" in text
    assert props.image_results.textFormat() == Qt.TextFormat.PlainText  # text from a file: never rich

    QTest.keyClick(window, Qt.Key.Key_D)  # the next image has none
    wait_loaded(qtbot, window)
    assert window.document.current_image_id == 2
    qtbot.waitUntil(lambda: not props.image_results.isVisible(), timeout=10000)
    QTest.keyClick(window, Qt.Key.Key_A)
    qtbot.waitUntil(
        lambda: props.image_results.isVisible() and "Rainy" in props.image_results.text(), timeout=10000
    )
