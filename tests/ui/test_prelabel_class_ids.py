"""The Model panel's Pre-label All summary says, as ``pixelproof prelabel`` warns, when the run made
categories named from class ids (a model without class names: ``class0``, ``class2``), naming the panel's
``classes_file`` option rather than the CLI's ``--classes``; with the names file set there it says nothing
of the kind."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.cli.test_prelabel_cli import make_project
from tests.ui.test_model_panel import LEFT, choose, close_window, open_window, predictions, press, wait_batch
from tests.ui.test_model_panel_files import enter_model

pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

from tests.inference.graphs import yolo_unnamed


def test_pre_label_all_says_categories_were_named_from_class_ids(qtbot, tmp_path: Path, no_prompts) -> None:  # type: ignore[no-untyped-def]
    pictures = {f"{i}.png": np.full((64, 64, 3), 60 * i, np.uint8) for i in range(2)}
    win = open_window(qtbot, make_project(tmp_path / "p", pictures))
    try:
        doc = win.document
        panel = choose(qtbot, win, "yolo-onnx")
        assert enter_model(qtbot, panel, yolo_unnamed(tmp_path / "best.onnx")).startswith("✓ Ready")
        press(qtbot, panel, panel.act_prelabel_all)
        wait_batch(qtbot, panel)
        summary = panel.batch.summary_label.text()
        assert len(predictions(doc)) == 4, summary
        assert (
            "2 new categories named from class ids (class0, class2): the model names no classes; name them "
            "with classes_file in the Model panel's Options (one name a line, line n = class id n), or "
            "rename them (the Categories panel)"
        ) in summary, summary
        assert "--classes" not in summary

        names = tmp_path / "names.txt"
        names.write_text("scratch\ndent\nrust\n")
        form = panel.backends.options
        edit = form.option_edits["classes_file"]
        if not edit.isVisible():
            QTest.mouseClick(form.section.toggle, LEFT)
            qtbot.waitUntil(edit.isVisible, timeout=10000)
        QTest.keyClicks(edit, str(names))
        QTest.keyClick(edit, Qt.Key.Key_Return)
        qtbot.waitUntil(
            lambda: panel.session.is_idle() and getattr(panel.session.backend, "classes_file", None) == names,
            timeout=10000,
        )
        press(qtbot, panel, panel.act_prelabel_all)
        wait_batch(qtbot, panel)
        summary = panel.batch.summary_label.text()
        assert "2 new categories" in summary and "class ids" not in summary, summary
        assert {c.name for c in doc.project.categories.values()} == {"class0", "class2", "scratch", "rust"}
    finally:
        close_window(win)
