"""An object the canvas gave its own item while selected (a polygon's vertex handles, a box a resize took
out of the layer) goes back in the layer the moment it is no longer selected, in its place in the image's
order: a resized box kept its item for good, drawn above every box of the layer - over the later boxes it
used to be under - and with a tag of its own."""

from __future__ import annotations

from PySide6.QtCore import Qt

from pixelproof.ui.canvas.items import AnnotationItemMixin
from tests.ui.test_overlap_pick import piled  # noqa: F401 (fixture)
from tests.ui.test_workbench import click, drag, key, view_point

SHIFT = Qt.KeyboardModifier.ShiftModifier
CTRL = Qt.KeyboardModifier.ControlModifier


def made_items(win) -> list[int]:  # type: ignore[no-untyped-def]
    return sorted(i.ann_id for i in win.canvas.scene().items() if isinstance(i, AnnotationItemMixin))


def in_order(win) -> bool:  # type: ignore[no-untyped-def]
    """The layer draws every object of the image, in the image's order."""
    order = win.document.project.annotation_ids_of(win.canvas.image_id)
    return list(win.canvas.box_layer.boxes) == list(order)


def test_a_resized_box_goes_back_in_the_layer_when_deselected(piled) -> None:  # noqa: F811
    win = piled
    click(win, view_point(win, 190, 70))  # box 4, over box 3
    assert win.document.selection == [4]
    drag(win, view_point(win, 220, 100), view_point(win, 230, 180))  # its bottom-right handle, over box 6
    assert win.document.project.annotations[4].bbox == [160.0, 40.0, 70.0, 140.0]
    key(win, Qt.Key.Key_Escape)
    assert made_items(win) == [] and in_order(win)  # under box 6 again, as the image's order has it
    key(win, Qt.Key.Key_Z, CTRL)  # the undo selects it again: still no item (the layer draws it selected)
    assert win.document.selection == [4] and made_items(win) == [] and in_order(win)
    click(win, view_point(win, 300, 20))
    assert win.document.selection == [] and made_items(win) == [] and in_order(win)


def test_deselected_polygons_leave_their_items_at_once(piled) -> None:  # noqa: F811
    win = piled
    click(win, view_point(win, 70, 70))
    click(win, view_point(win, 200, 200), SHIFT)  # box 6 over polygon 5: polygon 2 and box 6
    assert sorted(win.document.selection) == [2, 6] and made_items(win) == [2]
    click(win, view_point(win, 200, 200), SHIFT)  # box 6 out again
    assert made_items(win) == [2]
    key(win, Qt.Key.Key_Escape)
    assert made_items(win) == [] and in_order(win)
