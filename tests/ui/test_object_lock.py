"""Edit > Lock (Alt+L; CVAT's L), by real keys and mouse drags (``ui.object_flags``, ``core.object_lock``): a
locked box shows no handles, a drag leaves it where it is and Delete leaves it there, each saying why in the
status bar with no undo step; the Annotations panel marks its row; unlocking lets it move again, and the lock
itself is one undo step."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QTextDocumentFragment
from PySide6.QtWidgets import QInputDialog, QMessageBox

from pixelproof.core import masks
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.edits import set_category
from pixelproof.core.model import Annotation
from pixelproof.core.object_lock import is_locked
from tests.ui.conftest import hover, list_rows, make_project, settle
from tests.ui.test_channel_project import tick
from tests.ui.test_guidelines_ui import _click_category
from tests.ui.test_prediction_tags import layer_tag
from tests.ui.test_workbench import click, drag, key, view_point

BOX, OTHER, MASK = 1, 2, 3
ALT, CTRL = Qt.KeyboardModifier.AltModifier, Qt.KeyboardModifier.ControlModifier
IN_BOX, IN_MASK = (80.0, 80.0), (270.0, 180.0)


@pytest.fixture
def win(tmp_path: Path, open_on):  # type: ignore[no-untyped-def]
    """A cat box, a dog box and a dog mask at 100 %, the select tool on, the box selected."""
    path = make_project(tmp_path, n_images=1, size=(240, 320))
    p = load_project(path)
    p.add_annotation(Annotation(BOX, 1, 1, [40.0, 40.0, 80.0, 80.0], area=6400.0))
    p.add_annotation(Annotation(OTHER, 1, 2, [180.0, 20.0, 40.0, 40.0], area=1600.0))
    m = np.zeros((240, 320), dtype=bool)
    m[150:210, 240:300] = True
    p.add_annotation(Annotation(MASK, 1, 2, masks.bbox(m), masks.encode(m), float(m.sum())))
    save_project(p, path)
    w = open_on(path)
    w.canvas.set_zoom(1.0)
    w.canvas.centerOn(QPointF(160, 120))
    key(w, Qt.Key.Key_V)
    hover(w, view_point(w, 310, 230))
    click(w, view_point(w, *IN_BOX))
    assert w.document.selection == [BOX]
    return w


def box(win) -> list[float]:  # type: ignore[no-untyped-def]
    return list(win.document.project.annotations[BOX].bbox)


def row_text(win, ann_id: int) -> str:  # type: ignore[no-untyped-def]
    panel = win.panels["annotationsDock"]
    rows = list_rows(panel.list)
    return next(r for r in rows if r.text().startswith(f"#{ann_id} ")).text()


def test_a_locked_box_is_not_dragged_nor_deleted_unlocked_it_moves_and_undo_takes_the_lock_back(win) -> None:
    doc = win.document
    start = box(win)
    assert win.canvas.annotation_at(view_point(win, 40, 40)) == (BOX, "tl")  # its corner handle
    key(win, Qt.Key.Key_L, ALT)
    assert is_locked(doc.project.annotations[BOX])
    assert win.statusBar().currentMessage() == f"#{BOX} locked"
    assert doc.undo_stack.count() == 1 and doc.undo_stack.undoText() == "Lock"
    settle()
    assert row_text(win, BOX).endswith("(locked)") and not row_text(win, OTHER).endswith("(locked)")
    assert win.canvas.annotation_at(view_point(win, 40, 40))[1] is None  # no corner handle to take
    drag(win, view_point(win, *IN_BOX), view_point(win, 110, 100))
    settle()
    assert box(win) == start
    assert win.statusBar().currentMessage() == f"#{BOX} is locked: unlock it (Alt+L) to move it"
    key(win, Qt.Key.Key_Delete)
    assert BOX in doc.project.annotations
    assert win.statusBar().currentMessage() == f"#{BOX} is locked: unlock it (Alt+L) to delete it"
    key(win, Qt.Key.Key_Right)  # a nudge: refused too, no step kept
    assert box(win) == start and doc.undo_stack.count() == 1
    key(win, Qt.Key.Key_L, ALT)  # all selected locked: unlock
    assert not is_locked(doc.project.annotations[BOX])
    drag(win, view_point(win, *IN_BOX), view_point(win, 110, 100))
    assert box(win) == [start[0] + 30, start[1] + 20, start[2], start[3]]
    key(win, Qt.Key.Key_Z, CTRL)  # the move
    key(win, Qt.Key.Key_Z, CTRL)  # the unlock
    assert is_locked(doc.project.annotations[BOX]) and box(win) == start
    key(win, Qt.Key.Key_Z, CTRL)  # the lock
    assert not is_locked(doc.project.annotations[BOX]) and doc.undo_stack.isClean()
    settle()
    assert not row_text(win, BOX).endswith("(locked)")


def test_a_selection_holding_a_locked_object_is_deleted_as_a_whole_or_not_at_all(win) -> None:
    doc = win.document
    key(win, Qt.Key.Key_L, ALT)
    click(win, view_point(win, 200, 40), Qt.KeyboardModifier.ShiftModifier)
    assert sorted(doc.selection) == [BOX, OTHER]
    key(win, Qt.Key.Key_Delete)
    assert {BOX, OTHER} <= set(doc.project.annotations) and doc.undo_stack.count() == 1
    key(win, Qt.Key.Key_L, ALT)  # one of two locked: Alt+L locks both
    assert all(is_locked(doc.project.annotations[i]) for i in (BOX, OTHER))


def test_the_brush_does_not_paint_into_a_locked_mask(win) -> None:
    doc = win.document
    click(win, view_point(win, *IN_MASK))
    key(win, Qt.Key.Key_L, ALT)
    before = doc.project.annotations[MASK].segmentation
    key(win, Qt.Key.Key_R)
    drag(win, view_point(win, 265, 175), view_point(win, 290, 200))
    settle()
    assert doc.project.annotations[MASK].segmentation == before
    assert "is locked: unlock it (Alt+L) to paint it" in win.statusBar().currentMessage()
    assert doc.undo_stack.count() == 1


def test_lock_is_in_the_edit_menu_after_occluded(win) -> None:
    edit_menu = next(m for m in win.menus if m.title().replace("&", "") == "Edit")
    ids = [a.property("shortcut_id") for a in edit_menu.actions()]
    assert ids.index("edit.lock") == ids.index("edit.occluded") + 1


def test_the_edit_menu_checks_lock_and_occluded_as_the_selection_has_them(win) -> None:
    """The entries show the selection's state (all selected have it: checked), following the selection and
    undo; one clicked with nothing selected stays unchecked."""
    edit_menu = next(m for m in win.menus if m.title().replace("&", "") == "Edit")
    acts = {a.property("shortcut_id"): a for a in edit_menu.actions()}
    lock, occluded = acts["edit.lock"], acts["edit.occluded"]
    assert lock.isCheckable() and occluded.isCheckable()
    assert not lock.isChecked() and not occluded.isChecked()
    key(win, Qt.Key.Key_L, ALT)
    assert lock.isChecked() and not occluded.isChecked()
    key(win, Qt.Key.Key_Q)
    assert lock.isChecked() and occluded.isChecked()
    click(win, view_point(win, 200, 40), Qt.KeyboardModifier.ShiftModifier)  # with an unlocked one: mixed
    assert win.document.selection == [BOX, OTHER] and not lock.isChecked() and not occluded.isChecked()
    click(win, view_point(win, *IN_BOX))
    assert lock.isChecked()
    key(win, Qt.Key.Key_Z, CTRL)  # the occluded mark undone, then the lock
    assert lock.isChecked() and not occluded.isChecked()
    key(win, Qt.Key.Key_Z, CTRL)
    assert not lock.isChecked()
    click(win, view_point(win, 150, 200))  # empty image: nothing selected
    assert win.document.selection == []
    lock.trigger()  # from the menu: nothing to lock, the mark does not stay
    assert not lock.isChecked() and win.statusBar().currentMessage().startswith("Nothing selected to lock")


def test_a_locked_objects_tag_on_the_canvas_says_locked_until_unlocked(win) -> None:
    """The canvas, not only the Annotations panel, says why the object shows no handles (a box's tag drawn
    by the box layer, a mask's by its item)."""
    key(win, Qt.Key.Key_L, ALT)
    assert layer_tag(win, BOX).endswith(" · locked") and not layer_tag(win, OTHER).endswith("locked")
    click(win, view_point(win, *IN_MASK))
    key(win, Qt.Key.Key_L, ALT)
    assert win.canvas.items_by_id[MASK]._label.text.text().endswith(" · locked")
    key(win, Qt.Key.Key_L, ALT)
    assert not win.canvas.items_by_id[MASK]._label.text.text().endswith("locked")
    click(win, view_point(win, *IN_BOX))
    key(win, Qt.Key.Key_L, ALT)
    assert not layer_tag(win, BOX).endswith("locked")


def test_the_properties_panels_locked_box_locks_as_alt_l_does_and_keeps_the_class_from_change(
    win, qtbot
) -> None:  # type: ignore[no-untyped-def]
    """The Locked box shows the selection's lock and toggles it through Alt+L's edit (one undo step, the
    status bar saying so); a locked object's category is not offered for change."""
    doc, panel = win.document, win.panels["propertiesDock"]
    settle()
    assert panel.locked.isVisible() and not panel.locked.isChecked() and panel.category.isEnabled()
    tick(qtbot, panel.locked)
    assert is_locked(doc.project.annotations[BOX])
    assert doc.undo_stack.count() == 1 and doc.undo_stack.undoText() == "Lock"
    assert win.statusBar().currentMessage() == f"#{BOX} locked"
    settle()
    assert panel.locked.isChecked() and not panel.category.isEnabled()
    assert "unlock it (Alt+L)" in panel.category.toolTip()
    key(win, Qt.Key.Key_L, ALT)  # the key unlocks what the box locked, and the box follows
    settle()
    assert not is_locked(doc.project.annotations[BOX])
    assert not panel.locked.isChecked() and panel.category.isEnabled()
    key(win, Qt.Key.Key_L, ALT)
    settle()
    assert panel.locked.isChecked()
    tick(qtbot, panel.locked)  # checked: the click unlocks
    settle()
    assert not is_locked(doc.project.annotations[BOX]) and not panel.locked.isChecked()
    assert doc.undo_stack.undoText() == "Unlock" and doc.undo_stack.count() == 4
    key(win, Qt.Key.Key_Z, CTRL)
    settle()
    assert is_locked(doc.project.annotations[BOX]) and panel.locked.isChecked()
    click(win, view_point(win, 200, 40), Qt.KeyboardModifier.ShiftModifier)  # + an unlocked one: partly
    settle()
    assert panel.locked.checkState() == Qt.CheckState.PartiallyChecked and not panel.category.isEnabled()
    tick(qtbot, panel.locked)  # a mixed selection is locked whole
    settle()
    assert all(is_locked(doc.project.annotations[i]) for i in (BOX, OTHER)) and panel.locked.isChecked()


def test_deleting_or_merging_a_class_with_a_locked_object_names_it_and_says_how_to_unlock(
    win, qtbot, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """Refused before any question, naming the class, how many of its objects are locked and the keys (or
    command) that unlock them; the project as it was."""
    doc, panel = win.document, win.panels["categoriesDock"]
    key(win, Qt.Key.Key_L, ALT)
    said: list[tuple[str, str]] = []
    monkeypatch.setattr(
        QMessageBox, "information", staticmethod(lambda _parent, title, text, *_: said.append((title, text)))
    )
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *_: pytest.fail("asked before refusing")))
    _click_category(qtbot, win, "cat")
    qtbot.mouseClick(panel.buttons["delete"], Qt.MouseButton.LeftButton)
    assert len(said) == 1 and said[0][0] == "Delete category"
    text = QTextDocumentFragment.fromHtml(said[0][1]).toPlainText()
    assert text.startswith(
        "Cannot delete class 'cat' and its objects: it has 1 locked object; unlock it first.\n"
    )
    assert "press Alt+L (Edit > Lock)" in text  # the app's way first; the command said to be one
    assert text.endswith(
        ", or, for every image at once, from the command line:\npixelproof unlock PROJECT --category cat"
    )
    assert [c.name for c in doc.project.categories.values()] == ["cat", "dog"]
    assert BOX in doc.project.annotations and doc.undo_stack.count() == 1
    click(win, view_point(win, 200, 40))
    doc.push(set_category(doc.project, [OTHER], 1))
    key(win, Qt.Key.Key_L, ALT)  # a second cat object locked: "2 locked objects"
    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(lambda *_: ("dog", True)))
    panel.taxonomy_menu.act_merge.trigger()  # its entry in the row's context menu
    text = QTextDocumentFragment.fromHtml(said[1][1]).toPlainText()
    assert text.startswith("Cannot merge class 'cat' into 'dog': it has 2 locked objects; unlock them first.")
    assert "To unlock them: select them" in text
