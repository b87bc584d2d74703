"""Edit > Fill Between Slices on the real window: a liver painted on slices 0 and 4 of a CT volume, the mask
on slice 0 clicked, the menu item clicked - slices 1-3 get interpolated masks, the status bar counts them,
one Ctrl+Z takes them all back; after the painted slice 4 is corrected, the menu item again recomputes
slices 1-3 and one Ctrl+Z puts the earlier interpolated masks back; the item is greyed, saying why, on an
image that is no slice."""

from __future__ import annotations

from pathlib import Path

import cv2
import nibabel as nib
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from pixelproof.core import masks
from pixelproof.core.coco import save_project
from pixelproof.core.edits import ReplaceAnnotations
from pixelproof.core.image_folder import project_from_folder
from pixelproof.core.model import Annotation
from pixelproof.core.slice_fill import SOURCE
from pixelproof.ui.slice_fill_actions import NOT_A_SLICE
from tests.ui.conftest import settle, wait_loaded
from tests.ui.test_workbench import click, key, set_zoom, view_point

LEFT, CTRL = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier
N = 48


def disc(r: float) -> np.ndarray:
    yy, xx = np.mgrid[:N, :N]
    return (yy - 24) ** 2 + (xx - 24) ** 2 <= r * r


@pytest.fixture
def ct(tmp_path: Path, open_on):  # type: ignore[no-untyped-def]
    """A 48x48x6 CT (slices ct.nii.gz#z=000..005) and a photo after it; a liver mask of radius 8 on slice 0
    (#1), of 16 on slice 4 (#2) and of 5 on the photo (#3)."""
    data = tmp_path / "data"
    data.mkdir()
    nib.save(
        nib.Nifti1Image(np.zeros((N, N, 6), np.int16), np.diag([1.0, 1.0, 2.5, 1.0])), data / "ct.nii.gz"
    )
    cv2.imwrite(str(data / "zz.png"), np.zeros((N, N), np.uint8))
    project = project_from_folder(data, tmp_path / "p.json", ["liver"])
    ids = {im.file_name: im.id for im in project.images.values()}
    for ann_id, (name, r) in enumerate((("ct.nii.gz#z=000", 8), ("ct.nii.gz#z=004", 16), ("zz.png", 5)), 1):
        m = disc(r)
        image_id = ids[f"data/{name}"]
        project.add_annotation(
            Annotation(ann_id, image_id, 1, masks.bbox(m), masks.encode(m), float(m.sum()))
        )
    save_project(project, tmp_path / "p.json")
    win = open_on(tmp_path / "p.json")
    return win, ids


def edit_menu(win):  # type: ignore[no-untyped-def]
    return next(m for m in win.shell.menus if m.title().replace("&", "") == "Edit")


def click_in_edit_menu(qtbot, win, act) -> None:  # type: ignore[no-untyped-def]
    """Open the Edit menu with the mouse and click ``act`` in it."""
    assert act in edit_menu(win).actions()
    click_in_menu(qtbot, win, act)


def click_in_menu(qtbot, win, act) -> None:  # type: ignore[no-untyped-def]
    """Open the menu bar's menu that holds ``act`` with the mouse and click ``act`` in it."""
    bar = win.menuBar()
    menu = next(m for m in win.menus if act in m.actions())
    QTest.mouseClick(bar, LEFT, pos=bar.actionGeometry(menu.menuAction()).center())
    qtbot.waitUntil(menu.isVisible, timeout=10000)
    QTest.mouseClick(menu, LEFT, pos=menu.actionGeometry(act).center())
    qtbot.waitUntil(lambda: not menu.isVisible(), timeout=10000)
    win.activateWindow()  # the offscreen platform leaves the closed menu active: keys would go nowhere
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=10000)
    win.canvas.setFocus()


def show_in_select(qtbot, win, image_id: int) -> None:  # type: ignore[no-untyped-def]
    """``image_id`` shown at 8x the select tool in hand (a click at 24.5 picks a mask)."""
    win.document.set_current_image(image_id)
    wait_loaded(qtbot, win)
    set_zoom(win, 8.0, (24, 24))
    key(win, Qt.Key.Key_V)


def test_fill_between_slices_from_the_edit_menu_and_one_undo(qtbot, ct) -> None:
    win, ids = ct
    doc = win.document
    act = win.clipboard.slice_fill.act_fill
    show_in_select(qtbot, win, ids["data/ct.nii.gz#z=000"])
    assert not act.isEnabled()  # nothing selected: no class to fill
    click(win, view_point(win, 24.5, 24.5))
    assert [a.id for a in doc.selected_annotations()] == [1]
    assert act.isEnabled() and act.property("shortcut_id") == "edit.fill_between_slices"
    before = set(doc.project.annotations)
    click_in_edit_menu(qtbot, win, act)
    settle()
    by_slice = {k: doc.project.annotations_of(ids[f"data/ct.nii.gz#z={k:03d}"]) for k in range(6)}
    assert [len(by_slice[k]) for k in range(6)] == [1, 1, 1, 1, 1, 0]  # nothing after the last key
    areas = []
    for k in (1, 2, 3):
        (a,) = by_slice[k]
        assert a.source == SOURCE and a.category_id == 1 and a.kind == "mask"
        areas.append(a.area)
    assert areas == sorted(areas) and abs(areas[1] / (np.pi * 12**2) - 1) < 0.05  # radius 12 half-way
    assert win.statusBar().currentMessage().startswith("Filled 3 slices of liver between 2 painted slices")
    assert [a.id for a in doc.selected_annotations()] == [1]  # the selection stays
    assert win.act_undo.text() == "&Undo Fill Between Slices (3 slices of liver)"
    key(win, Qt.Key.Key_Z, CTRL)  # one undo takes every filled slice back
    assert set(doc.project.annotations) == before


def test_filling_again_after_a_painted_slice_is_corrected_replaces_the_filled_masks_in_one_undo(
    qtbot, ct
) -> None:
    win, ids = ct
    doc = win.document
    act = win.clipboard.slice_fill.act_fill
    show_in_select(qtbot, win, ids["data/ct.nii.gz#z=000"])
    click(win, view_point(win, 24.5, 24.5))
    assert [a.id for a in doc.selected_annotations()] == [1]
    click_in_edit_menu(qtbot, win, act)
    settle()
    slices = [ids[f"data/ct.nii.gz#z={k:03d}"] for k in (1, 2, 3)]
    first = [(a.id, a.area) for i in slices for a in doc.project.annotations_of(i)]
    assert len(first) == 3
    m = disc(8)  # the painted slice 4 corrected: a radius of 8, as slice 0
    doc.push(
        ReplaceAnnotations(
            [Annotation(2, ids["data/ct.nii.gz#z=004"], 1, masks.bbox(m), masks.encode(m), float(m.sum()))]
        )
    )
    settle()
    click(win, view_point(win, 24.5, 24.5))  # the painted mask of slice 0 selected again
    assert [a.id for a in doc.selected_annotations()] == [1]
    click_in_edit_menu(qtbot, win, act)
    settle()
    now = [a for i in slices for a in doc.project.annotations_of(i)]
    assert len(now) == 3 and all(a.source == SOURCE for a in now)
    assert not {a.id for a in now} & {i for i, _ in first}
    assert all(abs(a.area - m.sum()) <= 8 for a in now)  # radius 8 throughout: the new interpolation
    said = win.statusBar().currentMessage()
    assert said.startswith("Filled 3 slices of liver between 2 painted slices, 3 of them again"), said
    assert win.act_undo.text() == "&Undo Fill Between Slices (3 slices of liver, 3 filled again)"
    assert [a.id for a in doc.selected_annotations()] == [1]
    key(win, Qt.Key.Key_Z, CTRL)  # one undo: the earlier interpolated masks back, the new ones gone
    assert [(a.id, a.area) for i in slices for a in doc.project.annotations_of(i)] == first
    assert doc.project.annotations[2].area == m.sum()  # the correction itself is another step


def test_greyed_with_the_reason_on_an_image_that_is_no_slice(qtbot, ct) -> None:
    win, ids = ct
    doc = win.document
    act = win.clipboard.slice_fill.act_fill
    show_in_select(qtbot, win, ids["data/zz.png"])
    click(win, view_point(win, 24.5, 24.5))
    assert [a.id for a in doc.selected_annotations()] == [3]
    assert not act.isEnabled()
    assert NOT_A_SLICE in act.toolTip() and act.statusTip() == NOT_A_SLICE
    bar, menu = win.menuBar(), edit_menu(win)
    QTest.mouseClick(bar, LEFT, pos=bar.actionGeometry(menu.menuAction()).center())
    qtbot.waitUntil(menu.isVisible, timeout=10000)
    said = win.statusBar().currentMessage()
    QTest.mouseClick(menu, LEFT, pos=menu.actionGeometry(act).center())  # greyed: nothing happens
    settle()
    assert len(doc.project.annotations) == 3 and win.statusBar().currentMessage() in (said, NOT_A_SLICE)
    QTest.keyClick(menu, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not menu.isVisible(), timeout=10000)
