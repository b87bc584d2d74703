"""A keyboard-first labeler (CVAT's Tab / Shift+Tab) goes through the objects of the image without a click:
S / Shift+S select the next / previous object drawn (the panels keep Tab), a zoomed-in view follows it, and
K / J on a prediction go on to the next pending one, so a model's proposals are decided key after key."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication

from pixelproof.core.edits import AddAnnotations
from pixelproof.core.model import Annotation
from pixelproof.ui.shortcuts import REGISTRY
from tests.ui.test_workbench import click, key, view_point

SHIFT = Qt.KeyboardModifier.ShiftModifier


def boxes(win, specs: list[tuple[int, list[float]]], pending: bool = False) -> list[int]:
    """Objects on the shown image (a pre-label run's proposals with ``pending``), ids 900 on."""
    doc = win.document
    anns = [
        Annotation(900 + n, doc.current_image_id, cat, bbox, None, bbox[2] * bbox[3],
                   score=0.9 if pending else None, source="model:x" if pending else "manual",
                   review="pending" if pending else None)
        for n, (cat, bbox) in enumerate(specs)
    ]  # fmt: skip
    doc.push(AddAnnotations(anns, "Pre-label" if pending else "Add"))
    return [a.id for a in anns]


def ids_on_image(win) -> list[int]:
    doc = win.document
    return [a.id for a in doc.project.annotations_of(doc.current_image_id)]


def test_s_and_shift_s_go_round_the_objects_of_the_image_from_the_canvas(qtbot, window) -> None:
    doc = window.document
    boxes(window, [(1, [10, 10, 20, 20]), (2, [60, 10, 20, 20]), (1, [110, 10, 20, 20])])
    order = ids_on_image(window)
    window.canvas.setFocus()
    key(window, Qt.Key.Key_S)  # nothing selected: the first
    assert doc.selection == [order[0]]
    for want in [*order[1:], order[0]]:  # on, and round from the last to the first
        key(window, Qt.Key.Key_S)
        assert doc.selection == [want]
    key(window, Qt.Key.Key_S, SHIFT)  # back, round from the first to the last
    assert doc.selection == [order[-1]]
    key(window, Qt.Key.Key_2)  # the class key acts on the object stepped to
    assert doc.project.annotations[order[-1]].category_id == 2
    assert QApplication.focusWidget() is window.canvas  # the keys never left the canvas
    assert "Select Next Object" in REGISTRY.get("edit.next_object").label
    edit_menu = next(m for m in window.shell.menus if m.title().replace("&", "") == "Edit")
    assert {a.property("shortcut_id") for a in edit_menu.actions()} >= {
        "edit.next_object",
        "edit.previous_object",
    }


def test_s_passes_over_hidden_categories_and_brings_the_object_into_view(qtbot, window) -> None:
    doc = window.document
    far = boxes(window, [(1, [10, 10, 20, 20]), (2, [60, 10, 20, 20]), (1, [280, 200, 20, 20])])
    window.canvas.set_hidden_categories({2})
    window.canvas.set_zoom(6.0)
    window.canvas.centerOn(20, 20)
    key(window, Qt.Key.Key_S)
    assert doc.selection == [far[0]]
    key(window, Qt.Key.Key_S)  # #901 (a hidden category) is not picked
    assert doc.selection == [far[2]]
    seen = window.canvas.mapToScene(window.canvas.viewport().rect()).boundingRect()
    assert seen.contains(QRectF(280, 200, 20, 20))  # the view went to it
    assert abs(window.canvas.zoom - 6.0) < 1e-6  # at the zoom the labeler chose


def test_k_and_j_go_on_to_the_next_pending_prediction(qtbot, window) -> None:
    doc = window.document
    p = boxes(window, [(1, [10, 10, 20, 20]), (1, [60, 10, 20, 20]), (2, [110, 10, 20, 20])], pending=True)
    accept = next(
        a for a in window.findChildren(QAction) if a.property("shortcut_id") == "model.accept_selected"
    )
    qtbot.waitUntil(accept.isEnabled, timeout=10000)  # the Model panel follows the document on the next turn
    doc.set_selection([p[0]])
    key(window, Qt.Key.Key_K)
    assert doc.project.annotations[p[0]].review == "accepted"
    assert doc.selection == [p[1]]  # the next one to decide
    key(window, Qt.Key.Key_J)
    assert p[1] not in doc.project.annotations
    assert doc.selection == [p[2]]
    key(window, Qt.Key.Key_K)  # the last: none left, nothing else is picked
    assert doc.project.annotations[p[2]].review == "accepted"
    assert doc.selection == [p[2]]


def test_z_zooms_to_the_selected_object(qtbot, window) -> None:
    """A speck stepped to with S is read at a zoom that shows it (as a double-click on its Annotations row
    zooms there), without a mouse."""
    doc = window.document
    (small,) = boxes(window, [(1, [250, 180, 6, 6])])
    window.canvas.fit()
    fit = window.canvas.zoom
    doc.set_selection([])
    key(window, Qt.Key.Key_Z)  # nothing selected: nothing moves
    assert window.canvas.zoom == pytest.approx(fit)
    key(window, Qt.Key.Key_S)
    assert doc.selection == [small]
    key(window, Qt.Key.Key_Z)
    assert window.canvas.zoom > 2 * fit
    seen = window.canvas.mapToScene(window.canvas.viewport().rect()).boundingRect()
    assert seen.contains(QRectF(250, 180, 6, 6))
    view_menu = next(m for m in window.shell.menus if m.title().replace("&", "") == "View")
    assert "view.zoom_selection" in {a.property("shortcut_id") for a in view_menu.actions()}


def test_s_mid_outline_leaves_the_selection_and_the_polygon_alone(qtbot, window) -> None:
    """S pressed while a polygon is half drawn: the object drawn before stays selected (1-9, K / J act on
    it, not on one the labeler cannot see being picked) and the outline goes on to be closed."""
    doc = window.document
    first, other = boxes(window, [(1, [10, 10, 20, 20]), (1, [60, 10, 20, 20])])
    doc.set_selection([first])
    key(window, Qt.Key.Key_P)
    for x, y in [(150, 100), (200, 100), (200, 150)]:
        click(window, view_point(window, x, y))
    assert window.canvas.tool.busy()
    key(window, Qt.Key.Key_S)
    assert doc.selection == [first]
    key(window, Qt.Key.Key_S, SHIFT)
    assert doc.selection == [first]
    assert "Finish the drawing" in window.statusBar().currentMessage()
    before = set(doc.project.annotations)
    key(window, Qt.Key.Key_Return)  # the outline was not lost: Enter closes it
    (drawn,) = set(doc.project.annotations) - before
    assert len(doc.project.annotations[drawn].segmentation[0]) == 6
    doc.set_selection([])
    key(window, Qt.Key.Key_S)  # drawing done: S steps again
    assert doc.selection == [first]
    assert other in ids_on_image(window)


def test_q_toggles_the_selected_objects_occluded_flag_as_one_undo_step(qtbot, window) -> None:
    """CVAT's Q: the object stepped to marked occluded without the Properties panel; again, cleared."""
    doc = window.document
    a, b = boxes(window, [(1, [10, 10, 20, 20]), (1, [60, 10, 20, 20])])
    window.canvas.setFocus()
    doc.set_selection([])
    key(window, Qt.Key.Key_Q)  # nothing selected: nothing changes
    assert not any("occluded" in x.app_extra for x in doc.project.annotations.values())
    key(window, Qt.Key.Key_S)
    assert doc.selection == [a]
    depth = doc.undo_stack.index()
    key(window, Qt.Key.Key_Q)
    assert doc.project.annotations[a].app_extra["occluded"] == 1
    assert "occluded" not in doc.project.annotations[b].app_extra
    assert doc.undo_stack.index() == depth + 1
    assert "occluded on" in window.statusBar().currentMessage()
    key(window, Qt.Key.Key_Q)
    assert doc.project.annotations[a].app_extra["occluded"] == 0
    assert "occluded off" in window.statusBar().currentMessage()
    doc.undo_stack.undo()
    assert doc.project.annotations[a].app_extra["occluded"] == 1
    doc.set_selection([a, b])  # one of two occluded: Q marks both, as the mixed checkbox does
    key(window, Qt.Key.Key_Q)
    assert [doc.project.annotations[i].app_extra["occluded"] for i in (a, b)] == [1, 1]
    assert doc.selection == [a, b]
    edit_menu = next(m for m in window.shell.menus if m.title().replace("&", "") == "Edit")
    assert "edit.occluded" in {x.property("shortcut_id") for x in edit_menu.actions()}
