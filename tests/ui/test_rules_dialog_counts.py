"""The Rules dialog's counts read as counts: "outlier min objects 20", "near picture bits 6" (the README:
a whole number of bits), not "20.000" and "6.000". A count a rules file set to a fraction keeps it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from pixelproof.ui.panels.problems.rules_dialog import RulesDialog


def test_counts_show_without_decimals_and_a_typed_count_is_saved(qtbot, window) -> None:
    window.document.project.app["rules"] = {"thresholds": {"speckle_px": 12.5}}
    dialog = RulesDialog(window.document, window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    spins = dialog.spins
    shown = {k: spins[k].text() for k in ("outlier_min_objects", "touch_min_px", "near_picture_bits")}
    assert shown == {"outlier_min_objects": "20", "touch_min_px": "3", "near_picture_bits": "6"}
    assert spins["speckle_px"].text() == "12.500"  # the file's fraction, not rounded away
    assert spins["confident"].text() == "0.950" and spins["bbox_tolerance"].text() == "1.000"
    bits = spins["near_picture_bits"].lineEdit()
    qtbot.mouseDClick(bits, Qt.MouseButton.LeftButton)
    QTest.keyClick(bits, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(bits, "8")
    QTest.keyClick(bits, Qt.Key.Key_Tab)
    assert dialog.document()["thresholds"] == {"speckle_px": 12.5, "near_picture_bits": 8}
