"""Friction a first-run walk of the app found, each checked with real events on the real widgets: where a
LabelMe / CVAT user looks for "New Project", where a new project reopens, what G says on the last image,
whether a category's colour swatch reads on the selection highlight, and how the Properties panel writes
an object's box."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit, QStyle, QStyleOptionViewItem

from pixelproof.core.edits import ReplaceCategory
from pixelproof.ui.shortcuts import REGISTRY
from tests.ui.conftest import ListRow, tip_text, wait_loaded
from tests.ui.test_file_lifecycle import click_file_menu
from tests.ui.test_files_and_panels import new_window
from tests.ui.test_new_project_flow import when_modal
from tests.ui.test_workbench import draw_box

LEFT = Qt.MouseButton.LeftButton
NOMOD = Qt.KeyboardModifier.NoModifier
CTRL = Qt.KeyboardModifier.ControlModifier


def key(win, k, modifier=NOMOD) -> None:  # type: ignore[no-untyped-def]
    QTest.keyClick(QApplication.focusWidget() or win, k, modifier)


def image_folder(root: Path, n: int = 4) -> Path:
    folder = root / "photos"
    folder.mkdir()
    for i in range(n):
        cv2.imwrite(str(folder / f"p{i}.png"), np.full((60, 80, 3), 40 * i, np.uint8))
    return folder


# -- 1. starting a project ------------------------------------------------------------------------


def test_the_file_menu_starts_a_new_project_from_a_folder_and_the_empty_canvas_says_so(
    qtbot, tmp_path: Path, monkeypatch, no_prompts
) -> None:
    """A LabelMe / CVAT user looks for "New Project" in the File menu: it is its first item, and the empty
    canvas names the same item and key."""
    folder = image_folder(tmp_path)
    win = new_window(qtbot)
    menu = next(m for m in win.menus if m.objectName() == "fileMenu")
    first = menu.actions()[0]
    assert first.text().replace("&", "").startswith("New Project")
    name = first.text().replace("&", "")
    hint = win.image_list.empty_hint.label.text()
    assert name in hint and REGISTRY.text("file.open_folder") in hint
    asked: list[str] = []

    def choose(parent, caption, *a, **k) -> str:  # type: ignore[no-untyped-def]
        asked.append(caption)
        return str(folder)

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(choose))

    def answer(dialog) -> None:  # type: ignore[no-untyped-def]
        names = dialog.findChild(QLineEdit, "categoryNames")
        names.selectAll()
        QTest.keyClicks(names, "cat, dog")
        QTest.keyClick(names, Qt.Key.Key_Return)

    when_modal(answer)
    click_file_menu(qtbot, win, name)
    wait_loaded(qtbot, win)
    assert "new project" in asked[0].lower()
    doc = win.document
    assert doc.path is None and len(doc.project.images) == 4
    assert [c.name for c in doc.project.categories.values()] == ["cat", "dog"]
    doc.undo_stack.setClean()
    win.close()


# -- 2. a new project reopens where the user was --------------------------------------------------


def test_a_new_project_saved_once_reopens_on_the_image_shown_when_it_was_saved(
    qtbot, tmp_path: Path, monkeypatch, no_prompts
) -> None:
    folder = image_folder(tmp_path)
    win = new_window(qtbot)
    assert win.files.open_folder(folder, ["cat"])
    wait_loaded(qtbot, win)
    for _ in range(2):
        key(win, Qt.Key.Key_D)
        wait_loaded(qtbot, win)
    doc = win.document
    where = doc.project.images[doc.current_image_id].file_name
    assert where.endswith("p2.png")
    saved = folder / "project.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(saved), "")))
    key(win, Qt.Key.Key_S, CTRL)  # the first save of the new project: no image change after it
    assert saved.is_file() and not win.isWindowModified()
    key(win, Qt.Key.Key_W, CTRL)
    assert win.document is None
    menu = win.files.recent_menu
    menu.aboutToShow.emit()
    next(a for a in menu.actions() if tip_text(a.toolTip()) == str(saved.resolve())).trigger()
    wait_loaded(qtbot, win)
    doc = win.document
    assert doc.project.images[doc.current_image_id].file_name == where
    win.close()


# -- 3. G on the last image -----------------------------------------------------------------------


def test_mark_done_on_the_last_image_says_how_many_images_are_done(qtbot, window) -> None:
    doc = window.document
    ids = doc.image_ids()
    key(window, Qt.Key.Key_G)  # the first image done, the second shown
    wait_loaded(qtbot, window)
    key(window, Qt.Key.Key_D)  # the second skipped
    wait_loaded(qtbot, window)
    assert doc.current_image_id == ids[-1]
    key(window, Qt.Key.Key_G)
    message = window.statusBar().currentMessage()
    done = sum(doc.project.image_status(i) in ("done", "reviewed") for i in ids)
    assert done == 2
    assert "\n" not in message and message.startswith("Last image")
    assert re.search(rf"\b{done} of {len(ids)} images done\b", message), message
    key(window, Qt.Key.Key_A)
    wait_loaded(qtbot, window)
    key(window, Qt.Key.Key_G)  # the second done too: every image is done
    wait_loaded(qtbot, window)
    key(window, Qt.Key.Key_G)
    assert re.search(rf"\b{len(ids)} of {len(ids)} images done\b", window.statusBar().currentMessage())


# -- 4. colour swatches on the selection highlight ------------------------------------------------


def luminance(c: QColor) -> float:
    """WCAG 2 relative luminance."""

    def lin(v: float) -> float:
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * lin(c.redF()) + 0.7152 * lin(c.greenF()) + 0.0722 * lin(c.blueF())


def contrast(a: QColor, b: QColor) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def decoration_contrast(view, index, background: QColor) -> float:  # type: ignore[no-untyped-def]
    """The largest contrast with ``background`` of any pixel of the row's icon, as the view paints it."""
    opt = QStyleOptionViewItem()
    view.initViewItemOption(opt)
    opt.rect = view.visualRect(index)
    view.itemDelegate().initStyleOption(opt, index)
    rect = view.style().subElementRect(QStyle.SubElement.SE_ItemViewItemDecoration, opt, view)
    shot: QImage = view.viewport().grab().toImage()
    ratio = shot.devicePixelRatio()
    best = 0.0
    for y in range(int(rect.top() * ratio), int((rect.bottom() + 1) * ratio)):
        for x in range(int(rect.left() * ratio), int((rect.right() + 1) * ratio)):
            best = max(best, contrast(shot.pixelColor(x, y), background))
    return best


@pytest.mark.parametrize("shade", [100, 130, 77])  # the highlight colour itself, darker, lighter
def test_a_category_swatch_reads_on_the_selection_highlight(qtbot, window, shade: int) -> None:
    """A blue category on the blue selection: its swatch disappeared in the Categories and Annotations
    lists. Its border now contrasts (WCAG's 3:1 for graphics) with the highlight around it."""
    doc = window.document
    highlight = window.palette().color(QPalette.ColorGroup.Active, QPalette.ColorRole.Highlight)
    color = highlight.darker(shade) if shade >= 100 else highlight.lighter(200 - shade)
    cat = doc.project.categories[1]
    doc.push(ReplaceCategory(dataclasses.replace(cat, color=color.name())))
    draw_box(window, 40, 40, 120, 100)  # a cat box, selected: its row in Annotations is highlighted
    panel = window.panels["annotationsDock"]
    lst = panel.list
    qtbot.waitUntil(lambda: lst.model().rowCount() == 1 and ListRow(lst, 0).isSelected(), timeout=10000)
    lst.setFocus()  # the Active highlight
    assert decoration_contrast(lst, lst.model().index(0, 0), highlight) >= 3
    tree = window.panels["categoriesDock"].tree
    row = tree.topLevelItem(0)
    QTest.mouseClick(tree.viewport(), LEFT, NOMOD, tree.visualItemRect(row).center())
    assert row.isSelected()
    assert decoration_contrast(tree, tree.indexFromItem(row, 0), highlight) >= 3
    doc.undo_stack.setClean()


def test_a_near_white_swatch_reads_on_a_white_list(qtbot, window) -> None:
    doc = window.document
    cat = doc.project.categories[2]
    doc.push(ReplaceCategory(dataclasses.replace(cat, color="#f6f6f6")))
    tree = window.panels["categoriesDock"].tree
    row = tree.topLevelItem(1)
    assert not row.isSelected()
    base = tree.palette().color(QPalette.ColorRole.Base)
    assert contrast(QColor("#f6f6f6"), base) < 1.2  # the colour alone does not read there
    assert decoration_contrast(tree, tree.indexFromItem(row, 0), base) >= 3


# -- 6. the Properties panel's box ----------------------------------------------------------------


def test_properties_write_a_polygons_box_in_one_decimal_pixels(qtbot, window) -> None:
    doc = window.document
    key(window, Qt.Key.Key_P)
    canvas = window.canvas
    points = [(10.37, 12.5), (130.26, 20.0), (95.81, 140.74)]
    for x, y in points:
        QTest.mouseClick(canvas.viewport(), LEFT, NOMOD, canvas.mapFromScene(x, y))
    key(window, Qt.Key.Key_Return)
    (ann,) = doc.project.annotations.values()
    label = window.panels["propertiesDock"].geometry_label
    qtbot.waitUntil(lambda: label.text() != "", timeout=10000)
    numbers = re.findall(r"-?\d+(?:\.\d+)?", label.text())
    assert len(numbers) == 4 and all(re.fullmatch(r"-?\d+\.\d", n) for n in numbers), label.text()
    assert [float(n) for n in numbers] == pytest.approx(ann.bbox, abs=0.0501)  # rounded, not cut
    assert label.text().startswith("x ") and label.text().endswith(" px") and " × " in label.text()
