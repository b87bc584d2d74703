"""File > Import, Label Studio JSON, as a Label Studio user reads it: what an empty Images folder means,
and what the Predictions choices do in Label Studio's words (proposals to accept or reject)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.ui.test_interop_dialogs import new_window


def test_the_label_studio_options_say_what_their_defaults_do(qtbot, no_prompts) -> None:
    win = new_window(qtbot)
    win.interop.act_import.trigger()
    dlg = win.interop.dialog
    combo = dlg.format_combo
    combo.setFocus()
    while combo.currentData() != "labelstudio":  # chosen with the keyboard, as a user would
        QTest.keyClick(combo, Qt.Key.Key_Down)
    form = dlg.forms["labelstudio"]
    assert dlg.stack.currentWidget() is form
    images = form.widgets["image_dir"].placeholderText()
    assert "beside the JSON" in images and "Label Studio's upload folder" in images
    assert "label_config.xml beside the JSON" in form.widgets["label_config"].placeholderText()
    predictions = form.widgets["import_predictions"]
    texts = [predictions.itemText(i) for i in range(predictions.count())]
    assert all(len(t) <= 50 for t in texts)  # read whole in the box at 1366 x 768
    assert "accept or reject" in texts[predictions.currentIndex()]
    assert any("nobody annotated" in t for t in texts) and any("Not imported" in t for t in texts)
