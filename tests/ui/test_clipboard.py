"""Edit > Copy / Paste / Duplicate on the real window with real keys and clicks: Ctrl+C, Ctrl+V onto another
image (of another size, another slice, another project), Ctrl+D, Ctrl+Z; text fields keep Ctrl+C / Ctrl+V."""

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
from pixelproof.core.coco import new_project, save_project
from pixelproof.core.edits import RemoveAnnotations, RemoveCategory
from pixelproof.core.image_folder import project_from_folder
from pixelproof.core.model import Annotation, ImageRecord
from tests.ui.conftest import open_main_window, wait_loaded
from tests.ui.test_workbench import click, draw_box, key, set_zoom, view_point

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


def ring_and_square(h: int, w: int) -> np.ndarray:
    """A ring (a hole in the middle) around (60, 50) and a square crossing x = 160 and y = 120."""
    yy, xx = np.mgrid[:h, :w]
    d2 = (yy - 50) ** 2 + (xx - 60) ** 2
    m = (d2 <= 30**2) & (d2 > 10**2)
    m[100:140, 140:180] = True
    return m


@pytest.fixture
def two_sizes(qtbot, tmp_path: Path, no_prompts):
    """Image 1 (240 x 320) with a two-part mask with a hole, a box inside 160 x 120 and a box right of it;
    image 2 is 120 x 160."""
    (tmp_path / "images").mkdir()
    p = new_project(["cat", "dog"])
    for iid, (h, w) in ((1, (240, 320)), (2, (120, 160))):
        cv2.imwrite(str(tmp_path / f"images/{iid}.png"), np.full((h, w, 3), 90, np.uint8))
        p.add_image(ImageRecord(iid, f"images/{iid}.png", w, h))
    m = ring_and_square(240, 320)
    p.add_annotation(Annotation(1, 1, 2, masks.bbox(m), masks.encode(m), float(m.sum()), note="occluded"))
    p.add_annotation(Annotation(2, 1, 1, [110.0, 20.0, 30.0, 20.0], area=600.0, score=0.9, source="model:x"))
    p.add_annotation(Annotation(3, 1, 1, [200.0, 20.0, 40.0, 30.0], area=1200.0))
    save_project(p, tmp_path / "p.json")
    win = open_main_window(qtbot, tmp_path / "p.json")
    yield win
    win.document.undo_stack.setClean()
    win.close()


def status(win) -> str:
    return win.statusBar().currentMessage()


def test_copy_then_paste_onto_a_smaller_image_cuts_the_copies_and_one_undo_takes_them_back(
    qtbot, two_sizes
) -> None:
    win, doc = two_sizes, two_sizes.document
    set_zoom(win, 1.0)
    key(win, Qt.Key.Key_V)
    click(win, view_point(win, 85, 50))  # on the ring, right of its hole
    click(win, view_point(win, 125, 30), SHIFT)
    click(win, view_point(win, 220, 35), SHIFT)
    assert sorted(doc.selection) == [1, 2, 3]
    key(win, Qt.Key.Key_C, CTRL)
    assert "Copied 3 objects" in status(win)
    key(win, Qt.Key.Key_D)
    wait_loaded(qtbot, win)
    assert doc.current_image_id == 2 and win.clipboard.act_paste.isEnabled()
    key(win, Qt.Key.Key_V, CTRL)
    pasted = doc.project.annotations_of(2)
    assert len(pasted) == 2 and sorted(doc.selection) == sorted(a.id for a in pasted)
    assert min(a.id for a in pasted) == 4  # new ids from the project
    mask, box = sorted(pasted, key=lambda a: a.kind != "mask")
    assert np.array_equal(mask.mask(120, 160), ring_and_square(240, 320)[:120, :160])
    assert (mask.category_id, mask.note, mask.source, mask.review) == (2, "occluded", "manual", None)
    assert box.bbox == [110.0, 20.0, 30.0, 20.0] and box.score is None and box.source == "manual"
    assert "Pasted 2 objects at the same place; 1 object left out: outside this 160 x 120 image" in status(
        win
    )
    assert all(a.id in win.canvas.items_by_id for a in pasted)
    key(win, Qt.Key.Key_Z, CTRL)
    assert doc.project.annotations_of(2) == [] and doc.selection == []
    assert win.act_undo.text() == "&Undo"  # the paste was one step (nothing else to undo)


def test_duplicate_lies_on_the_original_and_keeps_what_was_copied(window) -> None:
    set_zoom(window, 1.0)
    doc = window.document
    a = draw_box(window, 20, 20, 60, 60)
    key(window, Qt.Key.Key_C, CTRL)
    b = draw_box(window, 100, 100, 150, 140)
    key(window, Qt.Key.Key_D, CTRL)
    dup = doc.selection
    assert len(dup) == 1 and dup[0] not in (a, b)
    assert doc.project.annotations[dup[0]].bbox == doc.project.annotations[b].bbox
    assert "Duplicated 1 object on top of the originals" in window.statusBar().currentMessage()
    assert window.act_undo.text() == "&Undo Duplicate 1 object"
    key(window, Qt.Key.Key_V, CTRL)  # the clipboard still holds the first box
    (pasted,) = doc.selection
    assert doc.project.annotations[pasted].bbox == doc.project.annotations[a].bbox
    key(window, Qt.Key.Key_V)
    key(window, Qt.Key.Key_Right)  # the pasted copy is selected: the arrows move it, not the original
    assert doc.project.annotations[pasted].bbox[0] == doc.project.annotations[a].bbox[0] + 1
    for _ in range(3):
        key(window, Qt.Key.Key_Z, CTRL)
    assert set(doc.project.annotations) == {a, b}


def test_ctrl_c_and_ctrl_v_in_text_fields_work_on_text_not_objects(window) -> None:
    set_zoom(window, 1.0)
    doc = window.document
    draw_box(window, 20, 20, 60, 60)
    key(window, Qt.Key.Key_C, CTRL)
    copied = window.clipboard.clip
    assert copied is not None and window.clipboard.act_paste.isEnabled()  # Ctrl+V would paste on the canvas
    note = window.panels["propertiesDock"].note
    note.setFocus()
    QTest.keyClicks(note, "edge")
    note.selectAll()
    QTest.keyClick(note, Qt.Key.Key_C, CTRL)
    assert QApplication.clipboard().text() == "edge"
    assert window.clipboard.clip is copied  # the objects copied before stay
    box = window.panels["imagesDock"].filter
    box.setFocus()
    QTest.keyClick(box, Qt.Key.Key_V, CTRL)
    assert box.text() == "edge" and len(doc.project.annotations) == 1


def test_a_deleted_category_refuses_the_paste(window) -> None:
    set_zoom(window, 1.0)
    doc = window.document
    key(window, Qt.Key.Key_2)  # draw a dog
    a = draw_box(window, 20, 20, 60, 60)
    key(window, Qt.Key.Key_C, CTRL)
    doc.push(RemoveAnnotations([a]))
    doc.push(RemoveCategory(2))
    window.canvas.setFocus()
    key(window, Qt.Key.Key_V, CTRL)
    assert doc.project.annotations == {}
    assert "category “dog” was deleted since the copy: nothing pasted" in window.statusBar().currentMessage()


def test_paste_into_another_project_matches_categories_by_name(qtbot, window, tmp_path: Path) -> None:
    set_zoom(window, 1.0)
    key(window, Qt.Key.Key_2)
    draw_box(window, 20, 20, 60, 60)  # a dog
    key(window, Qt.Key.Key_C, CTRL)
    other = new_project(["dog", "bird"])  # dog is category 1 here
    cv2.imwrite(str(tmp_path / "o.png"), np.zeros((50, 50, 3), np.uint8))
    other.add_image(ImageRecord(1, "o.png", 50, 50))
    save_project(other, tmp_path / "other.json")
    window.document.undo_stack.setClean()
    assert window.open_path(tmp_path / "other.json")
    wait_loaded(qtbot, window)
    key(window, Qt.Key.Key_V, CTRL)
    (pasted,) = window.document.project.annotations.values()
    assert pasted.category_id == 1 and pasted.bbox == [20.0, 20.0, 30.0, 30.0]  # cut to the 50 x 50 image


def test_paste_onto_another_slice_of_a_volume(qtbot, tmp_path: Path, no_prompts) -> None:
    data = tmp_path / "data"
    data.mkdir()
    nib.save(nib.Nifti1Image(np.zeros((30, 20, 4), np.int16), np.eye(4)), data / "ct.nii.gz")
    project = project_from_folder(data, tmp_path / "p.json", ["organ"])
    save_project(project, tmp_path / "p.json")
    win = open_main_window(qtbot, tmp_path / "p.json")
    doc = win.document
    first = doc.current_image_id
    draw_box(win, 2, 3, 10, 12)
    key(win, Qt.Key.Key_C, CTRL)
    QTest.keyClick(win.canvas, Qt.Key.Key_PageDown)
    wait_loaded(qtbot, win)
    assert doc.current_image_id != first and doc.current_image.file_name.endswith("#z=001")
    key(win, Qt.Key.Key_V, CTRL)
    (pasted,) = doc.project.annotations_of(doc.current_image_id)
    (original,) = doc.project.annotations_of(first)
    assert pasted.bbox == original.bbox and doc.selection == [pasted.id]
    doc.undo_stack.setClean()
    win.close()


def test_edit_menu_lists_the_actions_enabled_when_they_can_act(window) -> None:
    edit = next(m for m in window.menus if m.title() == "&Edit")
    names = [a.text() for a in edit.actions() if a.text()]
    assert names[names.index("Cop&y") : names.index("Fill &Between Slices") + 1] == [
        "Cop&y",
        "Pa&ste",
        "Dupl&icate",
        "&Delete",
        "Propa&gate…",
        "&Keep Previous Objects",
        "Fill &Between Slices",
    ]  # the track items are the Tracks menu's (tests/ui/test_tracks_menu.py)
    clip = window.clipboard
    propagate = clip.propagation.act_propagate
    assert (
        not clip.act_copy.isEnabled()
        and not clip.act_paste.isEnabled()
        and not clip.act_duplicate.isEnabled()
        and not propagate.isEnabled()
    )
    set_zoom(window, 1.0)
    draw_box(window, 20, 20, 60, 60)
    assert clip.act_copy.isEnabled() and clip.act_duplicate.isEnabled() and not clip.act_paste.isEnabled()
    assert propagate.isEnabled()
    key(window, Qt.Key.Key_Escape)  # nothing selected
    assert not clip.act_copy.isEnabled() and not propagate.isEnabled()


def test_pasting_a_hidden_category_shows_it_again(window) -> None:
    set_zoom(window, 1.0)
    a = draw_box(window, 20, 20, 60, 60)  # a cat
    key(window, Qt.Key.Key_C, CTRL)
    window.masks_menu.set_category_visible(1, False)  # Masks > Categories hides cat
    assert 1 in window.canvas.show_filter.hidden
    key(window, Qt.Key.Key_V, CTRL)
    (pasted,) = window.document.selection
    assert pasted != a and 1 not in window.canvas.show_filter.hidden
    assert window.canvas.items_by_id[pasted].isVisible()
    assert "cat was hidden: shown again" in window.statusBar().currentMessage()


def test_ctrl_c_and_ctrl_v_from_the_annotations_list_act_on_objects(window) -> None:
    set_zoom(window, 1.0)
    a = draw_box(window, 20, 20, 60, 60)
    objects = window.panels["annotationsDock"].list
    objects.setFocus()
    QTest.keyClick(objects, Qt.Key.Key_C, CTRL)
    assert [c.id for c in window.clipboard.clip.annotations] == [a]
    QTest.keyClick(objects, Qt.Key.Key_V, CTRL)
    assert len(window.document.project.annotations) == 2
