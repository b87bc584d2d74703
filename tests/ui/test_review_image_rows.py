"""The review Images table's rows out of the app: the images a filter shows are the ones to relabel, and
there was no way to take them elsewhere. Its context menu copies their file names and saves the shown rows
as CSV (``qa --images-csv``'s columns); Ctrl+C copies the selected rows."""

from __future__ import annotations

import csv

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QContextMenuEvent, QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu

from pixelproof.core.demo import install_demo
from tests.ui.conftest import settle, tooltip_of
from tests.ui.test_review import CTRL, LEFT, enter_review, image_ids, open_window


def open_menu(qtbot, table) -> QMenu:  # type: ignore[no-untyped-def]
    """Right-click the table's first row as the platform reports it (a context-menu event) and wait for
    the menu."""
    pos = table.visualRect(table.model().index(0, 0)).center()
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, table.viewport().mapToGlobal(pos))
    QApplication.sendEvent(table.viewport(), event)
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu), timeout=10000)
    return QApplication.activePopupWidget()


def click(qtbot, menu: QMenu, starts: str) -> None:  # type: ignore[no-untyped-def]
    (act,) = [a for a in menu.actions() if a.text().startswith(starts)]
    assert act.isEnabled()
    QTest.mouseClick(menu, LEFT, pos=menu.actionGeometry(act).center())
    qtbot.waitUntil(lambda: not menu.isVisible(), timeout=10000)
    settle()


def test_copy_and_save_what_the_filter_shows(qtbot, tmp_path, no_prompts, monkeypatch) -> None:
    window = open_window(qtbot, install_demo(tmp_path / "demo"))
    view = window.review.view
    enter_review(qtbot, window)
    table = view.images.image_table
    QTest.mouseClick(view.images.filter_edit, LEFT)
    QTest.keyClicks(view.images.filter_edit, "Dice < 0.99")
    settle()
    shown = image_ids(view)
    assert 0 < len(shown) < 10
    names = {r["image_id"]: r["file_name"] for r in view.images.image_model.rows}
    want = [names[i] for i in shown]  # the table's order (worst Dice first), the filter's rows only

    menu = open_menu(qtbot, table)
    texts = [a.text().partition("\t")[0] for a in menu.actions() if not a.isSeparator()]
    n = len(shown)
    assert texts == [f"Copy {n} File Names", "Copy Selected Rows", f"Save {n} Shown Rows as CSV…"]
    QGuiApplication.clipboard().clear()
    click(qtbot, menu, f"Copy {len(shown)} File")
    assert QGuiApplication.clipboard().text() == "\n".join(want) + "\n"
    assert window.statusBar().currentMessage() == f"Copied the file names of {len(shown)} images"

    target = tmp_path / "bad"  # typed without .csv: added
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
    click(qtbot, open_menu(qtbot, table), "Save ")
    with open(tmp_path / "bad.csv", newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["file_name"] for r in rows] == want
    by_id = {r["image_id"]: r for r in view.images.image_model.rows}
    for r in rows:  # the table's figures, unrounded
        assert float(r["dice"]) == by_id[int(r["image_id"])]["dice"] < 0.99
        assert r["problem"] == "True"

    # Ctrl+click a second row, Ctrl+C: both rows, as the table shows them, under the header
    first, second = (table.visualRect(table.model().index(r, 0)).center() for r in (0, 1))
    QTest.mouseClick(table.viewport(), LEFT, pos=first)
    QTest.mouseClick(table.viewport(), LEFT, CTRL, second)
    settle()
    QGuiApplication.clipboard().clear()
    QTest.keyClick(table, Qt.Key.Key_C, CTRL)
    lines = QGuiApplication.clipboard().text().splitlines()
    assert lines[0].split("\t")[:3] == ["Image", "Dice", "IoU"]
    assert [line.split("\t")[0] for line in lines[1:]] == want[:2]
    dice = table.model().index(0, 1).data()
    assert lines[1].split("\t")[1] == dice
    assert window.document.current_image_id == shown[1]  # the last row clicked is the image shown
    menu = open_menu(qtbot, table)
    QTest.keyClick(menu, Qt.Key.Key_Escape)
    window.document.undo_stack.setClean()
    window.close()


def test_the_headers_say_how_each_figure_is_averaged(qtbot, tmp_path, no_prompts) -> None:
    """A mean Dice of 0.5 beside a PQ of 0.8 read as a contradiction: every header said "mean over the
    image's classes", PQ's and FP's too, though PQ pools the image's objects and FP sums them."""
    window = open_window(qtbot, install_demo(tmp_path / "demo"))
    view = window.review.view
    enter_review(qtbot, window)
    header = view.images.image_table.horizontalHeader()
    model = view.images.image_model

    def tip(metric: str, want: str) -> str:
        x = header.sectionViewportPosition(model.column_of(metric)) + header.sectionSize(1) // 2
        return tooltip_of(qtbot, header.viewport(), QPoint(x, header.height() // 2), want)

    assert "mean over the image's classes" in tip("dice", "Dice (field")
    pq = tip("pq", "PQ (field")
    assert "objects of every class pooled" in pq and "mean over the image's classes" not in pq
    assert "summed over the image's classes" in tip("fp", "FP (field")
    window.document.undo_stack.setClean()
    window.close()


def test_copied_rows_guard_a_file_name_a_spreadsheet_would_run(qtbot, tmp_path, no_prompts) -> None:
    """The rows are copied for a spreadsheet: a file name such as ``=HYPERLINK(...)`` pasted there became a
    live formula, which the CSV the same menu saves guards (``safe_csv``)."""
    window = open_window(qtbot, install_demo(tmp_path / "demo"))
    view = window.review.view
    enter_review(qtbot, window)
    table = view.images.image_table
    view.images.image_model.rows[0]["file_name"] = '=HYPERLINK("http://x","a").png'
    row = table.model().mapFromSource(view.images.image_model.index(0, 0)).row()
    QTest.mouseClick(table.viewport(), LEFT, pos=table.visualRect(table.model().index(row, 0)).center())
    settle()
    QGuiApplication.clipboard().clear()
    QTest.keyClick(table, Qt.Key.Key_C, CTRL)
    lines = QGuiApplication.clipboard().text().splitlines()
    assert lines[1].split("\t")[0] == '\'=HYPERLINK("http://x","a").png'
    window.document.undo_stack.setClean()
    window.close()
