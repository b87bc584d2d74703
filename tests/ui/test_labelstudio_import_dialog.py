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


def test_alt_letters_reach_the_label_studio_options(qtbot, no_prompts) -> None:
    """Keyboard only: the option rows had no Alt+letter, so the Annotators box was some eight Tabs down.
    Each row's label now has a letter of its own in the dialog (Alt+A: Annotators), said with its box."""
    from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel

    from tests.ui.test_accessibility import clashes, labels_of

    win = new_window(qtbot)
    win.interop.act_import.trigger()
    dlg = win.interop.dialog
    dlg.set_format("labelstudio")
    dlg.activateWindow()
    dlg.format_combo.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dlg.format_combo, timeout=10000)
    annotators = dlg.forms["labelstudio"].widgets["annotator_versions"]
    assert [t.replace("&", "") for t in labels_of(annotators)] == ["Annotators"]
    QTest.keyClick(dlg, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is annotators
    QTest.keyClick(dlg, Qt.Key.Key_F, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is dlg.format_combo
    texts = [w.text() for w in dlg.findChildren(QLabel) + dlg.findChildren(QAbstractButton) if w.isVisible()]
    lettered = [t for t in texts if "&" in t.replace("&&", "")]
    assert len(lettered) >= 6 and clashes(lettered) == [], lettered
    dlg.reject()
