"""Files (autosave, recovery, bad input, save failure, folders), panels, settings and the 16-bit path."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QItemSelectionModel, QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from pixelproof.core.coco import ProjectSaveError, load_project, new_project, save_project
from pixelproof.core.model import Annotation, ImageRecord
from tests.ui.conftest import (
    click_button,
    click_item,
    hover,
    list_rows,
    make_project,
    selected_ids,
    settle,
    wait_loaded,
)
from tests.ui.test_workbench import draw_box, key, set_zoom, view_point


def new_window(qtbot):
    from pixelproof.ui.app import create_app
    from pixelproof.ui.main_window import MainWindow

    create_app()
    win = MainWindow()
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    win.activateWindow()
    qtbot.waitActive(win)  # window shortcuts (B, D, Ctrl+S) need the active window
    return win


def test_autosave_writes_a_side_file_and_recovery_is_offered(window, project_file: Path, qtbot, monkeypatch):
    set_zoom(window, 1.0)
    ann_id = draw_box(window, 40, 30, 120, 90)
    original = project_file.read_bytes()
    assert window.document.autosave()
    auto = project_file.with_name("project.json.autosave")
    assert auto.exists() and project_file.read_bytes() == original  # never the project itself
    assert any(a["id"] == ann_id for a in json.loads(auto.read_text())["annotations"])
    written = auto.read_bytes()
    window.document.undo_stack.setClean()  # leave without the unsaved-changes question...
    window.close_project()
    auto.write_bytes(written)  # ...as a crash does: the autosave stays (a clean document drops its own)
    future = time.time() + 5
    os.utime(auto, (future, future))

    asked = []

    def question(parent, title, text, *args, **kwargs):
        asked.append(title)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    assert window.open_path(project_file)
    wait_loaded(qtbot, window)
    assert asked == ["Recover unsaved work?"]
    assert ann_id in window.document.project.annotations
    assert window.isWindowModified()  # recovered edits are not saved yet
    key(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not auto.exists() and not window.isWindowModified()
    assert any(a["id"] == ann_id for a in json.loads(project_file.read_text())["annotations"])


def test_autosave_timer_only_writes_when_modified(window, project_file: Path) -> None:
    doc = window.document
    assert doc.autosave_timer.isActive() and doc.autosave_timer.interval() == 60_000
    assert not doc.autosave()  # nothing to save
    assert not project_file.with_name("project.json.autosave").exists()


def test_corrupt_project_shows_every_problem_and_keeps_running(qtbot, tmp_path: Path, monkeypatch) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "images": [{"id": 1, "file_name": "a.png", "width": 10}],
                "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 2, 3]}],
                "categories": [{"id": 1, "name": "a"}],
            }
        )
    )
    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: shown.append((self.text(), self.informativeText())))
    win = new_window(qtbot)
    assert not win.open_path(bad)
    assert len(shown) == 1
    text, problems = shown[0]
    assert str(bad) in text
    assert "images[0]" in problems and "annotations[0].bbox" in problems
    assert win.document is None
    not_json = tmp_path / "x.json"
    not_json.write_text("{ nope")
    assert not win.open_path(not_json)
    assert "not valid JSON" in shown[1][1]


def test_save_failure_reports_and_stays_modified(window, monkeypatch) -> None:
    set_zoom(window, 1.0)
    draw_box(window, 40, 30, 120, 90)
    errors = []
    monkeypatch.setattr(
        QMessageBox, "critical", staticmethod(lambda parent, title, text: errors.append(text))
    )

    def fail(project, path=None, overwrite=False):
        raise ProjectSaveError("could not save project.json: disk full; the previous file is unchanged")

    monkeypatch.setattr("pixelproof.ui.document.save_project", fail)
    key(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert errors and "disk full" in errors[0]
    assert window.isWindowModified() and window.document.is_modified()


def test_missing_and_unreadable_images_show_a_placeholder(qtbot, tmp_path: Path, no_prompts) -> None:
    path = make_project(tmp_path, n_images=3)
    (tmp_path / "images" / "img0.png").unlink()
    (tmp_path / "images" / "img1.png").write_bytes(b"not a png at all")
    win = new_window(qtbot)
    assert win.open_path(path)
    qtbot.waitUntil(
        lambda: win.canvas.placeholder is not None and win.canvas.placeholder.error, timeout=20000
    )
    assert "not found" in win.canvas.placeholder.message
    assert "Moved? File > Locate Missing Images… (Ctrl+Alt+L) finds it" in win.canvas.placeholder.message
    # the app keeps working on the placeholder: boxes can be drawn at the recorded size
    set_zoom(win, 1.0)
    draw_box(win, 40, 30, 120, 90)
    key(win, Qt.Key.Key_D)
    qtbot.waitUntil(
        lambda: win.canvas.placeholder is not None and win.canvas.placeholder.error, timeout=20000
    )
    assert "not a readable image" in win.canvas.placeholder.message
    key(win, Qt.Key.Key_D)
    wait_loaded(qtbot, win)
    win.document.undo_stack.setClean()


def test_16bit_image_window_level_and_raw_pixel_value(qtbot, tmp_path: Path, no_prompts) -> None:
    img = (np.arange(200 * 300, dtype=np.uint32).reshape(200, 300) % 4096).astype(np.uint16)
    img[10, 20] = 3120
    cv2.imwrite(str(tmp_path / "phantom.png"), img)
    project = new_project(["lesion"])
    project.add_image(ImageRecord(1, "phantom.png", 300, 200))
    save_project(project, tmp_path / "p.json")
    win = new_window(qtbot)
    assert win.open_path(tmp_path / "p.json")
    wait_loaded(qtbot, win)
    c = win.canvas
    assert c.loaded.needs_window and c.loaded.raw.dtype == np.uint16
    lo, hi = c.loaded.window
    assert 0 <= lo < 100 and 4000 < hi <= 4095  # percentiles, not the 16-bit range
    set_zoom(win, 4.0, center=(20, 10))
    hover(win, view_point(win, 20.5, 10.5))
    # the readout is throttled to one per 30 ms, so it may land a moment after the move
    qtbot.waitUntil(lambda: win.pos_label.text() == "x 20, y 10", timeout=10000)
    assert win.value_label.text() == "value 3120 (16-bit)"
    assert win.window_label.text().startswith("W ") and "  L " in win.window_label.text()
    # right drag to the right widens the window; the stored pixels do not change
    vp = c.viewport()
    start = QPoint(200, 200)
    QTest.mousePress(vp, Qt.MouseButton.RightButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(vp, start + QPoint(100, 0))
    QTest.mouseRelease(vp, Qt.MouseButton.RightButton, Qt.KeyboardModifier.NoModifier, start + QPoint(100, 0))
    lo2, hi2 = c.loaded.window
    assert hi2 - lo2 == pytest.approx((hi - lo) * 1.5, rel=0.02)
    assert int(c.loaded.raw[10, 20]) == 3120
    win.act_auto_window.trigger()
    assert c.loaded.window == (lo, hi)


def test_annotation_list_and_canvas_share_the_selection(window) -> None:
    set_zoom(window, 1.0)
    a = draw_box(window, 20, 20, 60, 60)
    b = draw_box(window, 100, 20, 140, 60)
    panel = window.panels["annotationsDock"]
    settle()  # the panel refreshes on the next event-loop turn
    assert selected_ids(panel.list) == [b]
    rect = panel.list.visualRect(panel.list.model().index(0, 0))
    QTest.mouseClick(
        panel.list.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, rect.center()
    )
    assert window.document.selection == [a]
    assert window.canvas.items_by_id[a].is_selected_look and not window.canvas.items_by_id[b].is_selected_look


def test_panels_update_only_the_rows_an_edit_touches(window) -> None:
    """Adding, editing and removing one annotation keeps the other rows of the Annotations panel (its
    model is never reset: a row followed by a persistent index keeps its object) and those of the
    Categories panel (the same item objects); the touched row shows the new values; selection still syncs."""
    from pixelproof.core.edits import AddAnnotations, RemoveAnnotations, ReplaceAnnotations
    from pixelproof.core.geometry import clone
    from pixelproof.ui.panels import annotations as annotations_panel

    doc = window.document
    panel = window.panels["annotationsDock"]
    cats = window.panels["categoriesDock"]
    images = window.panels["imagesDock"]

    def box(i: int, cat: int = 1) -> Annotation:
        return Annotation(100 + i, 1, cat, [10.0 * i, 10.0, 8.0, 8.0], None, 64.0, source="manual")

    def rows() -> list:
        return list_rows(panel.list)

    def ids() -> list[int]:
        return [it.data(Qt.ItemDataRole.UserRole) for it in rows()]

    def kept(now: list, then: list) -> bool:  # the rows followed since: the same rows, no rebuild
        return resets == [] and [(r.row(), r.data(role)) for r in then] == [
            (r.row(), r.data(role)) for r in now
        ]

    role = Qt.ItemDataRole.UserRole
    resets: list[int] = []
    panel.rows.modelReset.connect(lambda: resets.append(1))

    def cat_rows() -> list:
        return [cats.tree.topLevelItem(n) for n in range(cats.tree.topLevelItemCount())]

    doc.push(AddAnnotations([box(i) for i in range(4)]))
    settle()
    resets.clear()
    before, before_cats = rows(), cat_rows()
    assert ids() == [100, 101, 102, 103] and [r.text(2) for r in before_cats] == ["4", "0"]
    assert images.model.data(images.model.index(0, 2)) == "4"

    edited = clone(doc.project.annotations[101])
    edited.category_id, edited.review = 2, "rejected"
    doc.push(ReplaceAnnotations([edited]))
    settle()
    assert kept(rows(), before)
    assert rows()[1].text() == "#101  dog  ·  box  ✗"
    assert all(a is b for a, b in zip(cat_rows(), before_cats, strict=True))
    assert [r.text(2) for r in cat_rows()] == ["3", "1"]

    doc.push(AddAnnotations([box(4, 2)]))
    doc.set_selection([104])
    settle()
    assert kept(rows()[:4], before) and ids()[4] == 104
    assert selected_ids(panel.list) == [104]
    assert [r.text(2) for r in cat_rows()] == ["3", "2"]
    assert images.model.data(images.model.index(0, 2)) == "5"

    doc.push(RemoveAnnotations([102, 104]))
    settle()
    assert ids() == [100, 101, 103] and kept(rows(), [before[0], before[1], before[3]])
    assert doc.selection == [] and selected_ids(panel.list) == []
    assert [r.text(2) for r in cat_rows()] == ["2", "1"]
    assert all(a is b for a, b in zip(cat_rows(), before_cats, strict=True))

    doc.set_selection([103])  # canvas -> list, and list -> canvas
    assert selected_ids(panel.list) == [103]
    panel.list.selectionModel().select(rows()[0].index, QItemSelectionModel.SelectionFlag.Select)
    assert sorted(doc.selection) == [100, 103]
    assert window.canvas.items_by_id[100].is_selected_look

    # a burst larger than the panel queues is one rebuild, with the same result
    many = [box(10 + i) for i in range(annotations_panel.MAX_PENDING + 5)]
    doc.push(AddAnnotations(many))
    settle()
    assert ids() == [a.id for a in doc.project.annotations_of(1)] and len(ids()) == 3 + len(many)
    doc.undo_stack.undo()
    doc.undo_stack.undo()  # the removal comes back in its places, as a rebuild puts it too
    settle()
    assert ids() == [a.id for a in doc.project.annotations_of(1)] == [100, 101, 102, 103, 104]
    assert [r.text(2) for r in cat_rows()] == ["3", "2"]
    cats.refresh()  # the incremental counts equal a recount
    assert [r.text(2) for r in cat_rows()] == ["3", "2"]


def test_properties_panel_edits_review_and_note_undoably(qtbot, window) -> None:
    set_zoom(window, 1.0)
    ann_id = draw_box(window, 20, 20, 60, 60)
    props = window.panels["propertiesDock"]
    settle()
    assert not props.fields.isHidden() and props.hint.isHidden()
    assert props.source.text() == "drawn in PixelProof"
    assert props.review.currentIndex() == 0 and props.review.itemData(2) == "accepted"
    qtbot.mouseClick(props.review, Qt.MouseButton.LeftButton)  # opens the list of review states
    qtbot.waitUntil(props.review.view().isVisible, timeout=10000)
    for k in (Qt.Key.Key_Down, Qt.Key.Key_Down, Qt.Key.Key_Return):  # Not reviewed, Pending, Accepted
        qtbot.keyClick(props.review.view(), k)
    qtbot.mouseClick(props.note, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(props.note, "check the edge")
    qtbot.keyClick(props.note, Qt.Key.Key_Return)
    ann = window.document.project.annotations[ann_id]
    assert ann.review == "accepted" and ann.note == "check the edge"
    key(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    key(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    ann = window.document.project.annotations[ann_id]
    assert ann.review is None and ann.note is None


def _two_boxes_typing_a_note_on_the_first(window, qtbot) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """Boxes a and b drawn, a selected, "scratch on a" typed in the note field (not yet finished)."""
    set_zoom(window, 1.0)
    a = draw_box(window, 20, 20, 60, 60)
    b = draw_box(window, 100, 20, 140, 60)
    props = window.panels["propertiesDock"]
    window.document.set_selection([a])
    qtbot.waitUntil(lambda: props.heading.text() == f"Object #{a}", timeout=10000)
    QTest.mouseClick(props.note, Qt.MouseButton.LeftButton)
    QTest.keyClicks(props.note, "scratch on a")
    return a, b


def test_a_note_typed_then_the_selection_changing_under_the_field_goes_to_its_object(window, qtbot) -> None:
    """The note field kept its text while it had focus (so a refresh does not clobber typing): when the
    selection changed without the focus leaving it (a shortcut, a script), it went on showing the first
    object's note, and Return then wrote that text onto the newly selected object."""
    a, b = _two_boxes_typing_a_note_on_the_first(window, qtbot)
    doc, props = window.document, window.panels["propertiesDock"]
    assert props.note.hasFocus()
    doc.set_selection([b])  # the focus stays in the field
    qtbot.waitUntil(lambda: props.heading.text() == f"Object #{b}", timeout=10000)
    assert props.note.text() == ""  # b's (none), not a's typing
    QTest.keyClick(props.note, Qt.Key.Key_Return)
    assert doc.project.annotations[b].note is None
    assert doc.project.annotations[a].note == "scratch on a"  # what was typed went to its object


def test_a_note_typed_then_return_before_the_panel_follows_the_selection_goes_to_its_object(
    window, qtbot
) -> None:
    """The panel follows a selection on the next event-loop turn: a Return already queued behind the key
    that moved the selection (fast typing, a key repeat) wrote the note typed for the first object onto
    the newly selected one."""
    a, b = _two_boxes_typing_a_note_on_the_first(window, qtbot)
    doc, props = window.document, window.panels["propertiesDock"]
    doc.set_selection([b])  # the focus stays in the field; the panel has not followed yet
    QTest.keyClick(props.note, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: props.heading.text() == f"Object #{b}", timeout=10000)
    assert doc.project.annotations[b].note is None
    assert doc.project.annotations[a].note == "scratch on a"
    assert doc.selection == [b]  # the selection made since stays
    assert props.note.text() == ""


def test_categories_add_and_delete_with_confirmation_and_undo(qtbot, window, monkeypatch) -> None:
    from PySide6.QtWidgets import QInputDialog

    panel = window.panels["categoriesDock"]
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("bird", True)))
    click_button(panel.buttons["add"])
    doc = window.document
    bird = doc.project.category_by_name("bird")
    assert bird is not None and bird.shortcut == "3" and doc.current_category_id == bird.id
    set_zoom(window, 1.0)
    ann_id = draw_box(window, 20, 20, 60, 60)
    assert doc.project.annotations[ann_id].category_id == bird.id
    warned = []

    def warning(parent, title, text, *args):
        warned.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "warning", staticmethod(warning))
    qtbot.waitUntil(lambda: panel.tree.topLevelItemCount() == 3, timeout=10000)  # the panel lists bird
    click_item(panel.tree, panel.tree.topLevelItem(2))
    click_button(panel.buttons["delete"])
    assert warned and "1 annotation" in warned[0]
    assert "bird" not in {c.name for c in doc.project.categories.values()}
    assert ann_id not in doc.project.annotations
    doc.undo_stack.undo()
    assert doc.project.categories[bird.id].name == "bird" and ann_id in doc.project.annotations
    assert list(doc.project.categories) == [1, 2, bird.id]


def test_a_category_added_in_the_panel_never_takes_the_id_of_one_undone_or_deleted(
    qtbot, window, project_file: Path, monkeypatch
) -> None:
    """Before: "bird" added and saved, undone (Ctrl+Z) and saved, the next class added took bird's id: a
    shard split while bird was in the file knows that id as bird."""
    from PySide6.QtWidgets import QInputDialog

    panel = window.panels["categoriesDock"]
    names = iter(["bird", "fish", "eel"])
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: (next(names), True)))
    click_button(panel.buttons["add"])
    doc = window.document
    bird = doc.project.category_by_name("bird").id
    key(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    key(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert doc.project.category_by_name("bird") is None
    key(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert load_project(project_file).next_category_id() == bird + 1  # the file keeps bird's id taken
    click_button(panel.buttons["add"])
    fish = doc.project.category_by_name("fish").id
    assert fish == bird + 1
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a: QMessageBox.StandardButton.Yes))
    qtbot.waitUntil(lambda: panel.tree.topLevelItemCount() == 3, timeout=10000)  # the panel lists fish
    click_item(panel.tree, panel.tree.topLevelItem(2))
    click_button(panel.buttons["delete"])
    assert fish not in doc.project.categories
    click_button(panel.buttons["add"])
    assert doc.project.category_by_name("eel").id == fish + 1


def test_image_status_from_the_panel_and_filter(qtbot, window) -> None:
    panel = window.panels["imagesDock"]
    assert panel.status.currentText() == "To do"
    qtbot.mouseClick(panel.status, Qt.MouseButton.LeftButton)  # opens the list of states
    popup = panel.status.view()
    qtbot.waitUntil(popup.isVisible, timeout=10000)
    for k in (Qt.Key.Key_Down, Qt.Key.Key_Down, Qt.Key.Key_Return):  # To do, In progress, Done: chosen
        qtbot.keyClick(popup, k)
    assert not popup.isVisible()
    assert window.document.project.image_status(1) == "done"
    assert panel.model.data(panel.model.index(0, 1)) == "Done"
    qtbot.keyClicks(panel.filter, "img2")
    assert panel.proxy.rowCount() == 1
    assert panel.proxy.index(0, 0).data() == "img2.png"
    key(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.document.project.image_status(1) == "todo"


def test_shortcuts_dialog_lists_the_key_map(window) -> None:
    from pixelproof.ui import dialogs
    from pixelproof.ui.shortcuts import REGISTRY

    rows = {what: keys for keys, what, _ in REGISTRY.rows()}
    assert rows["Save"] == "Ctrl+S"
    nxt, prev = REGISTRY.get("image.next").described, REGISTRY.get("image.previous").described
    assert rows[nxt] == "D" and rows[prev] == "A"
    assert nxt.startswith("Next Image (the next in the Images list as filtered; review view: ")  # its order
    assert "Images table" in nxt
    assert rows["Box"] == "B / Ctrl+R" and rows["Select / Edit"] == "V / Ctrl+J"  # LabelMe's keys second
    assert "Del" in rows["Delete"] and "Backspace" in rows["Delete"]
    assert rows["Fit Image"] == "Ctrl+0"
    assert any(k.startswith("Space") for k, _, _ in REGISTRY.rows())
    dlg = dialogs.ShortcutsDialog(REGISTRY.rows(), window)
    assert dlg.table.rowCount() > 20


def test_open_folder_is_an_untitled_project_and_save_asks_for_a_name(
    qtbot, tmp_path, monkeypatch, no_prompts, capfd
):
    from PySide6.QtWidgets import QFileDialog

    make_project(tmp_path / "data", n_images=2)
    (tmp_path / "data" / "project.json").unlink()
    (tmp_path / "data" / "images" / "broken.png").write_bytes(b"not a png")
    win = new_window(qtbot)
    assert win.open_path(tmp_path / "data" / "images", ["thing"])  # read in a background job
    wait_loaded(qtbot, win)
    assert win.document.untitled and len(win.document.project.images) == 2
    message = win.statusBar().currentMessage()
    assert "over 2 images" in message and "1 file skipped: " in message and "broken.png" in message
    assert capfd.readouterr().err == ""  # the app prints nothing (the CLI's warnings are the CLI's)
    win.panels["categoriesDock"].document  # noqa: B018 - the panels share the document
    target = tmp_path / "out" / "labels.json"
    target.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
    assert [c.name for c in win.document.project.categories.values()] == ["thing"]
    set_zoom(win, 1.0)
    draw_box(win, 10, 10, 50, 50)
    key(win, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    saved = load_project(target)
    assert len(saved.annotations) == 1
    assert (
        saved.image_path(saved.images[1]).resolve() == (tmp_path / "data" / "images" / "img0.png").resolve()
    )
    assert not win.isWindowModified() and not win.document.untitled


def test_settings_remember_last_tool_layout_and_recent_projects(qtbot, project_file, no_prompts) -> None:
    win = new_window(qtbot)
    assert win.open_path(project_file)
    wait_loaded(qtbot, win)
    key(win, Qt.Key.Key_B)
    win.docks["historyDock"].hide()
    win.close()
    again = new_window(qtbot)
    assert again.canvas.tool.name == "box" and not again.tool_actions["box"].isChecked()  # no project yet
    assert again.open_path(project_file)
    assert again.tool_actions["box"].isChecked()
    assert again.recent_projects()[0] == str(project_file.resolve())
    assert not again.docks["historyDock"].isVisible()
    again.close()


def test_undo_restores_a_deleted_mask_exactly(window) -> None:
    from pixelproof.core import masks
    from pixelproof.core.edits import AddAnnotations

    doc = window.document
    m = np.zeros((240, 320), bool)
    m[50:90, 60:130] = True
    m[60:70, 80:90] = False  # a hole
    ann = Annotation(50, 1, 2, masks.bbox(m), segmentation=masks.encode(m), area=masks.area(m))
    doc.push(AddAnnotations([ann]))
    assert window.canvas.items_by_id[50].kind == "mask"
    saved = json.dumps(doc.project.annotations[50].segmentation)
    window.act_delete.trigger()
    assert 50 not in doc.project.annotations and 50 not in window.canvas.items_by_id
    doc.undo_stack.undo()
    assert json.dumps(doc.project.annotations[50].segmentation) == saved
    assert np.array_equal(doc.project.annotations[50].mask(240, 320), m)
    # the mask item is hit where the mask is, not in its hole
    set_zoom(window, 2.0, center=(95, 70))
    assert window.canvas.annotation_at(view_point(window, 65.5, 55.5))[0] == 50
    assert window.canvas.annotation_at(view_point(window, 85.5, 65.5))[0] is None


def test_old_project_shows_stored_pixels_and_says_so(qtbot, tmp_path: Path, no_prompts) -> None:
    """Item 15: a format 1 project was labeled on the stored pixels; the app keeps showing them (no EXIF
    turn) and the status bar says so, while a new project over the same photo shows it turned."""
    from PIL import Image

    stored = np.zeros((30, 60, 3), dtype=np.uint8)
    exif = Image.Exif()
    exif[0x0112] = 6  # turn 90 degrees clockwise
    Image.fromarray(stored).save(tmp_path / "phone.jpg", exif=exif)
    old = tmp_path / "old.json"
    image = {"id": 1, "file_name": "phone.jpg", "width": 60, "height": 30}
    old.write_text(json.dumps({"images": [image], "categories": [], "pixelproof": {"format": 1}}))
    win = new_window(qtbot)
    assert win.open_path(old)
    wait_loaded(qtbot, win)
    assert (win.canvas.loaded.width, win.canvas.loaded.height) == (60, 30)
    message = win.statusBar().currentMessage()
    assert "format 1 (saved as 2); EXIF orientation not applied (labeled on stored pixels)" in message
    win.close_project()
    assert win.open_path(tmp_path, ["spot"])  # a folder: a new project, images seen as EXIF says
    qtbot.waitUntil(lambda: win.document is not None, timeout=20000)
    wait_loaded(qtbot, win)
    assert (win.canvas.loaded.width, win.canvas.loaded.height) == (30, 60)
