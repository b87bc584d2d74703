"""The review Images table's WC column: an image with one object of the wrong class read FN 1, FP 1, where
``pixelproof qa`` says "1 wrong class". The FN, FP and WC cells' tooltip says the image's objects as qa
does, and WC (hidden by default: shown, the table no longer fits 1366x768) is one click away in the
header's column menu, narrow enough to show in sight."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu

from pixelproof.cli import main
from pixelproof.core.coco import save_project
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from tests.ui.conftest import settle, tooltip_of
from tests.ui.test_review import enter_review, open_window


def test_wrong_class_column_shows_and_says_what_qa_says(qtbot, tmp_path: Path, no_prompts, capsys) -> None:  # type: ignore[no-untyped-def]
    ref, cand = Project(), Project()
    for p in (ref, cand):
        p.add_category(Category(1, "dent"))
        p.add_category(Category(2, "scratch"))
        cv2.imwrite(str(tmp_path / "a.png"), np.full((60, 80), 128, np.uint8))
        p.add_image(ImageRecord(1, "a.png", 80, 60))
    ref.add_annotation(Annotation(1, 1, 1, [10, 10, 20, 20], None, 400, 0))
    cand.add_annotation(Annotation(1, 1, 2, [10, 10, 20, 20], None, 400, 0))  # the same box, as scratch
    save_project(ref, tmp_path / "reference.json")
    cand.reference = "reference.json"
    project = save_project(cand, tmp_path / "project.json")
    assert main(["qa", str(tmp_path / "reference.json"), str(project)]) == 0
    assert "a.png" in (said := capsys.readouterr().out) and "1 wrong class" in said

    win = open_window(qtbot, project)
    try:
        enter_review(qtbot, win)
        view = win.review.view
        table, model = view.images.image_table, view.images.image_model
        col = model.column_of("wrong_class")
        assert table.isColumnHidden(col)
        header, picked = table.horizontalHeader(), []

        def pick() -> None:  # the menu runs its own loop: click its WC entry from within it
            menu = QApplication.activePopupWidget()
            if not isinstance(menu, QMenu):
                QTimer.singleShot(20, pick)
                return
            (act,) = [a for a in menu.actions() if a.text() == "WC"]
            picked.append(act.text())
            QTest.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(act).center())

        QTimer.singleShot(0, pick)
        pos = QPoint(header.sectionViewportPosition(1) + 5, header.height() // 2)
        event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, header.viewport().mapToGlobal(pos))
        QApplication.sendEvent(header.viewport(), event)
        settle()
        assert picked == ["WC"] and not table.isColumnHidden(col)
        assert table.model().headerData(col, Qt.Orientation.Horizontal) == "WC"
        cells = {m: table.model().index(0, model.column_of(m)).data() for m in ("fn", "fp", "wrong_class")}
        assert cells == {"fn": "1", "fp": "1", "wrong_class": "1"}
        wc = table.visualRect(table.model().index(0, col))
        assert wc.right() <= table.viewport().width()  # in sight, not scrolled to
        rect = table.visualRect(table.model().index(0, model.column_of("fn")))
        assert tooltip_of(qtbot, table.viewport(), rect.center(), "wrong class") == "1 wrong class"
    finally:
        win.document.undo_stack.setClean()
        win.close()
