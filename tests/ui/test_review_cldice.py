"""The review Images table's clDice column: offered in the header's column menu, explained in its header
tooltip, and filterable."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu

from pixelproof.core.demo import install_demo
from tests.ui.conftest import settle, tooltip_of
from tests.ui.test_review import LEFT, enter_review, image_ids, open_window


def test_cldice_column_and_filter(qtbot, tmp_path) -> None:
    window = open_window(qtbot, install_demo(tmp_path / "demo"))
    view = window.review.view
    enter_review(qtbot, window)
    model, table = view.images.image_model, view.images.image_table
    col = model.column_of("cldice")
    assert table.isColumnHidden(col)  # not among the default columns
    header = table.horizontalHeader()
    picked: list[str] = []

    def pick() -> None:  # the menu runs its own loop: click its clDice entry from within it
        menu = QApplication.activePopupWidget()
        if not isinstance(menu, QMenu):
            QTimer.singleShot(20, pick)
            return
        (act,) = [a for a in menu.actions() if a.text() == "clDice"]
        picked.append(act.text())
        QTest.mouseClick(menu, LEFT, pos=menu.actionGeometry(act).center())

    QTimer.singleShot(0, pick)
    pos = QPoint(header.sectionViewportPosition(1) + 5, header.height() // 2)
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, header.viewport().mapToGlobal(pos))
    QApplication.sendEvent(header.viewport(), event)
    settle()
    assert picked == ["clDice"] and not table.isColumnHidden(col)
    table.scrollTo(view.images.image_proxy.index(0, col))
    settle()
    x = header.sectionViewportPosition(col) + header.sectionSize(col) // 2
    tip = tooltip_of(qtbot, header.viewport(), QPoint(x, header.height() // 2), "clDice")
    assert "thin structures only" in tip and "mean over the image's classes" in tip
    # the demo's classes are blobs, coins and people: no thin structure, so n/a, which no filter matches
    assert all(r["cldice"] != r["cldice"] for r in model.rows)  # NaN
    assert model.headerData(col, Qt.Orientation.Horizontal) == "clDice"
    QTest.mouseClick(view.images.filter_edit, LEFT)
    QTest.keyClicks(view.images.filter_edit, "clDice < 1")
    settle()
    assert image_ids(view) == []
    view.images.filter_edit.clear()
    QTest.keyClicks(view.images.filter_edit, "Dice < 1")
    settle()
    assert image_ids(view)
