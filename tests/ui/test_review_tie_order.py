"""The review view's Images table, sorted worst Dice first, lists rows of one Dice in W's order (the most
objects missed, extra or of the wrong class first), so W from the top row goes to the next row. A QA
lead's merged project had four images of Dice 0: the table listed them by file name, W ranked them by
their problems, and W from the top row went to the fifth row, skipping three of the worst images."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from pixelproof.core.coco import save_project
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from tests.ui.test_review import enter_review, open_window, table_click

NAMES = ("a.png", "b.png", "c.png")


def _projects(tmp_path: Path) -> tuple[Project, Project]:
    """a.png: its one object missed (Dice 0, 1 problem); b.png: missed and two extra ones drawn elsewhere
    (Dice 0, 3 problems); c.png: drawn shifted (a Dice between 0 and 1, 1 problem or none)."""
    ref, cand = Project(), Project()
    for p in (ref, cand):
        p.add_category(Category(1, "dent"))
        for i, name in enumerate(NAMES, start=1):
            cv2.imwrite(str(tmp_path / name), np.full((60, 80), 128, np.uint8))
            p.add_image(ImageRecord(i, name, 80, 60))
    for i in (1, 2, 3):
        ref.add_annotation(Annotation(i, i, 1, [10, 10, 20, 20], None, 400, 0))
    cand.add_annotation(Annotation(1, 2, 1, [50, 30, 10, 10], None, 100, 0))
    cand.add_annotation(Annotation(2, 2, 1, [62, 5, 10, 10], None, 100, 0))
    cand.add_annotation(Annotation(3, 3, 1, [14, 10, 20, 20], None, 400, 0))
    return ref, cand


def test_w_from_the_top_row_goes_down_the_table(qtbot, tmp_path: Path, no_prompts) -> None:  # type: ignore[no-untyped-def]
    ref, cand = _projects(tmp_path)
    save_project(ref, tmp_path / "reference.json")
    cand.reference = "reference.json"
    win = open_window(qtbot, save_project(cand, tmp_path / "project.json"))
    try:
        enter_review(qtbot, win)  # Ctrl+Tab on the canvas
        view = win.review.view
        proxy = view.images.image_proxy
        listed = [proxy.index(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(proxy.rowCount())]
        assert listed == [2, 1, 3]  # b (3 problems) before a (1) at Dice 0, then c
        table = view.images.image_table
        table_click(table, 0)
        assert view.image_id == 2
        for expected in (1, 3):  # W walks the rows as listed, none skipped
            QTest.keyClick(table, Qt.Key.Key_W)
            assert view.image_id == expected
    finally:
        win.document.undo_stack.setClean()
        win.close()


def test_rows_tied_on_dice_and_problems_go_by_file_name_in_the_table_and_for_w(
    qtbot, tmp_path: Path, no_prompts
) -> None:  # type: ignore[no-untyped-def]
    """b.png (id 1) and a.png (id 2), each with its one object missed: the table listed b then a (row
    order), W went a then b (file name); from the top row W went up, not down. One rule now: a, then b."""
    ref, cand = Project(), Project()
    for p in (ref, cand):
        p.add_category(Category(1, "dent"))
        for i, name in enumerate(("b.png", "a.png"), start=1):
            cv2.imwrite(str(tmp_path / name), np.full((60, 80), 128, np.uint8))
            p.add_image(ImageRecord(i, name, 80, 60))
    for i in (1, 2):
        ref.add_annotation(Annotation(i, i, 1, [10, 10, 20, 20], None, 400, 0))
    save_project(ref, tmp_path / "reference.json")
    cand.reference = "reference.json"
    win = open_window(qtbot, save_project(cand, tmp_path / "project.json"))
    try:
        enter_review(qtbot, win)
        view = win.review.view
        proxy = view.images.image_proxy
        listed = [proxy.index(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(proxy.rowCount())]
        assert listed == [2, 1]  # a.png, b.png
        table = view.images.image_table
        table_click(table, 0)
        assert view.image_id == 2
        QTest.keyClick(table, Qt.Key.Key_W)
        assert view.image_id == 1  # the next row, as listed
    finally:
        win.document.undo_stack.setClean()
        win.close()
