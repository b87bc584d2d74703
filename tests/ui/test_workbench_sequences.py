"""Sequences a demanding labeler runs through (undo across image switches, filters, notes, gestures cut
short), driven by real mouse and key events: none may lose or change work on an image that is not shown."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from tests.ui.conftest import click_button, click_item, wait_loaded
from tests.ui.test_workbench import draw_box, key

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def next_image(qtbot, win) -> None:
    key(win, Qt.Key.Key_D)
    wait_loaded(qtbot, win)


def previous_image(qtbot, win) -> None:
    key(win, Qt.Key.Key_A)
    wait_loaded(qtbot, win)


def test_undoing_a_category_deletion_selects_only_objects_of_the_shown_image(qtbot, window, monkeypatch):
    """The undo step's focus names the restored objects of every image; Delete right after it must not
    delete the one on the image that is not shown."""
    doc = window.document
    on_first = draw_box(window, 40, 30, 120, 90)
    next_image(qtbot, window)
    on_second = draw_box(window, 40, 30, 120, 90)
    previous_image(qtbot, window)
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a: QMessageBox.StandardButton.Yes))
    panel = window.panels["categoriesDock"]
    click_item(panel.tree, panel.tree.topLevelItem(0))  # "cat": both boxes
    click_button(panel.buttons["delete"])
    assert not doc.project.annotations
    window.canvas.setFocus()
    key(window, Qt.Key.Key_Z, CTRL)
    assert set(doc.project.annotations) == {on_first, on_second}
    assert doc.current_image_id == 1 and doc.selection == [on_first]
    key(window, Qt.Key.Key_Delete)
    assert set(doc.project.annotations) == {on_second}  # the second image's box is still there


def test_an_image_leaving_the_images_filter_stays_shown(qtbot, window) -> None:
    """Filter "to do", draw the first object: the image becomes "in progress" and leaves the filtered list,
    but the canvas stays on it (it jumped to the next image, with the new box still selected)."""
    from PySide6.QtTest import QTest

    doc = window.document
    panel = window.panels["imagesDock"]
    QTest.mouseClick(panel.filter, Qt.MouseButton.LeftButton)
    QTest.keyClicks(panel.filter, "to do")
    assert panel.proxy.rowCount() == 3
    window.canvas.setFocus()
    box = draw_box(window, 20, 20, 80, 80)
    assert doc.project.image_status(1) == "in_progress" and panel.proxy.rowCount() == 2
    assert doc.current_image_id == 1 and window.canvas.image_id == 1 and doc.selection == [box]
    assert not panel.table.currentIndex().isValid()  # no other row looks current
    # a click on a row of the filtered list still goes there
    index = panel.proxy.index(0, 0)
    rect = panel.table.visualRect(index)
    QTest.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     rect.center())  # fmt: skip
    assert doc.current_image_id == 2
    wait_loaded(qtbot, window)


def test_enter_in_the_note_of_several_objects_keeps_their_different_notes(qtbot, window) -> None:
    """Two objects with different notes selected: the note field is empty ("(several)"); clicking into it
    and pressing Enter without typing erased both notes."""
    from PySide6.QtTest import QTest

    doc = window.document
    props = window.panels["propertiesDock"]
    first = draw_box(window, 20, 20, 60, 60)
    second = draw_box(window, 100, 100, 150, 150)

    def write_note(ann_id: int, text: str) -> None:
        doc.set_selection([ann_id])
        qtbot.waitUntil(lambda: props.heading.text() == f"Object #{ann_id}", timeout=10000)
        QTest.mouseClick(props.note, Qt.MouseButton.LeftButton)
        props.note.selectAll()
        QTest.keyClicks(props.note, text)
        QTest.keyClick(props.note, Qt.Key.Key_Return)

    write_note(first, "edge unclear")
    write_note(second, "occluded")
    window.canvas.setFocus()
    key(window, Qt.Key.Key_V)
    key(window, Qt.Key.Key_A, CTRL)
    qtbot.waitUntil(lambda: props.heading.text() == "2 objects", timeout=10000)
    assert props.note.text() == "" and props.note.placeholderText() == "(several)"
    steps = doc.undo_stack.count()
    QTest.mouseClick(props.note, Qt.MouseButton.LeftButton)
    QTest.keyClick(props.note, Qt.Key.Key_Return)
    assert [doc.project.annotations[i].note for i in (first, second)] == ["edge unclear", "occluded"]
    assert doc.undo_stack.count() == steps
    # typing a note still gives it to both
    QTest.keyClicks(props.note, "check")
    QTest.keyClick(props.note, Qt.Key.Key_Return)
    assert [doc.project.annotations[i].note for i in (first, second)] == ["check", "check"]


def test_ctrl_z_while_drawing_takes_back_the_drawing_only(window) -> None:
    """Ctrl+Z in the middle of a polygon removes its last vertex (as Backspace, as in LabelMe), in the
    middle of a brush stroke drops the stroke; it used to drop the drawing and undo the object before."""
    from PySide6.QtTest import QTest

    from tests.ui.test_mask_tools import click, set_view, vp_at

    doc = window.document
    set_view(window, 2.0)
    box = draw_box(window, 200, 150, 260, 200)
    key(window, Qt.Key.Key_P)
    for x, y in [(20, 20), (80, 20), (80, 80), (50, 100)]:
        click(window, vp_at(window, x, y))
    key(window, Qt.Key.Key_Z, CTRL)
    assert box in doc.project.annotations and doc.undo_stack.index() == 1
    assert window.canvas.tool.busy()  # still drawing, three vertices left
    key(window, Qt.Key.Key_Return)
    (polygon,) = set(doc.project.annotations) - {box}
    assert doc.project.annotations[polygon].segmentation == [[20, 20, 80, 20, 80, 80]]
    # a brush stroke: Ctrl+Z with the button down drops it, nothing else
    key(window, Qt.Key.Key_R)
    doc.set_selection([])
    vp = window.canvas.viewport()
    left, nomod = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    QTest.mousePress(vp, left, nomod, vp_at(window, 200, 30))
    QTest.mouseMove(vp, vp_at(window, 240, 30))
    key(window, Qt.Key.Key_Z, CTRL)
    QTest.mouseMove(vp, vp_at(window, 260, 30))
    QTest.mouseRelease(vp, left, nomod, vp_at(window, 260, 30))
    assert set(doc.project.annotations) == {box, polygon} and doc.undo_stack.index() == 2
    # with no drawing in progress Ctrl+Z undoes as ever
    key(window, Qt.Key.Key_Z, CTRL)
    assert set(doc.project.annotations) == {box}


def test_undo_and_redo_of_an_edit_on_another_image_show_that_image(qtbot, window) -> None:
    """Draw on image 1, go to image 2, Ctrl+Z: the box on image 1 goes and image 1 is shown (the undo was
    invisible, on an image not shown); redo from image 2 likewise shows image 1 with the box selected."""
    doc = window.document
    images = window.panels["imagesDock"]
    box = draw_box(window, 40, 30, 120, 90)
    next_image(qtbot, window)
    key(window, Qt.Key.Key_Z, CTRL)
    wait_loaded(qtbot, window)
    assert box not in doc.project.annotations
    assert doc.current_image_id == 1 and window.canvas.image_id == 1
    assert images.model.data(images.model.index(0, 2)) == "0"
    assert doc.project.image_status(1) == "todo" and doc.selection == []
    next_image(qtbot, window)
    key(window, Qt.Key.Key_Z, CTRL | SHIFT)
    wait_loaded(qtbot, window)
    assert doc.current_image_id == 1 and doc.selection == [box]
    assert window.canvas.items_by_id.get(box) is not None  # shown, selected
    assert images.model.data(images.model.index(0, 2)) == "1"
    # an edit on the shown image does not move anywhere
    second = draw_box(window, 150, 100, 200, 150)
    key(window, Qt.Key.Key_Z, CTRL)
    assert doc.current_image_id == 1 and second not in doc.project.annotations


def test_undoing_back_to_the_saved_state_drops_the_autosave(qtbot, window, project_file, no_prompts) -> None:
    """Draw, the autosave is written, Ctrl+Z: the project is as saved again and closes without a question,
    so its autosave must go too; it stayed, and the next open offered to "recover" the undone box."""
    doc = window.document
    box = draw_box(window, 40, 30, 120, 90)
    assert doc.autosave()
    auto = project_file.with_name("project.json.autosave")
    assert auto.exists()
    key(window, Qt.Key.Key_Z, CTRL)
    assert not window.isWindowModified() and not auto.exists()
    assert window.close_project() and no_prompts == []
    assert window.open_path(project_file)
    wait_loaded(qtbot, window)
    assert no_prompts == [] and box not in window.document.project.annotations


def test_typing_a_filter_that_hides_the_shown_image_keeps_it_shown(qtbot, window) -> None:
    """The filter hides the current image's row ("d" matches "To do", not "In progress"): that is no
    choice of another image; the canvas switched and the selection was lost while typing."""
    from PySide6.QtTest import QTest

    doc = window.document
    box = draw_box(window, 20, 20, 80, 80)  # image 1 is now in progress
    panel = window.panels["imagesDock"]
    QTest.mouseClick(panel.filter, Qt.MouseButton.LeftButton)
    QTest.keyClicks(panel.filter, "do")
    assert panel.proxy.rowCount() == 2 and panel.filter.text() == "do"
    assert doc.current_image_id == 1 and window.canvas.image_id == 1 and doc.selection == [box]
    assert not panel.table.currentIndex().isValid()
    QTest.keyClick(panel.filter, Qt.Key.Key_A, CTRL)
    QTest.keyClick(panel.filter, Qt.Key.Key_Backspace)  # the whole list again: image 1 is current there
    assert panel.proxy.rowCount() == 3 and doc.current_image_id == 1
    assert panel.table.currentIndex().data(Qt.ItemDataRole.UserRole) == 1


def test_ctrl_z_while_dragging_a_box_puts_it_back_and_undoes_nothing_else(window) -> None:
    from PySide6.QtTest import QTest

    from tests.ui.test_workbench import view_point

    doc = window.document
    first = draw_box(window, 20, 20, 60, 60)
    second = draw_box(window, 100, 100, 150, 150)
    key(window, Qt.Key.Key_V)
    vp = window.canvas.viewport()
    left, nomod = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    QTest.mousePress(vp, left, nomod, view_point(window, 120, 120))
    QTest.mouseMove(vp, view_point(window, 130, 130))
    QTest.mouseMove(vp, view_point(window, 160, 160))
    key(window, Qt.Key.Key_Z, CTRL)
    QTest.mouseMove(vp, view_point(window, 170, 170))
    QTest.mouseRelease(vp, left, nomod, view_point(window, 170, 170))
    assert set(doc.project.annotations) == {first, second} and doc.undo_stack.index() == 2
    assert doc.project.annotations[second].bbox == [100, 100, 50, 50]
    assert window.canvas.items_by_id[second].pos().isNull()  # drawn where it is
