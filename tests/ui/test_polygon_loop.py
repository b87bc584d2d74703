"""The instance-segmentation loop with the polygon tool, as an annotator drawing object after object runs
it: real clicks and keys on the real main window. The polygon just drawn stays selected (to edit its
vertices), so what the next object's clicks and keys do must not fall on it by mistake."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from pixelproof.ui.tools.paint_options import OPTIONS
from tests.ui.test_mask_tools import click, default_options, draw_polygon, key, only_new, set_view, vp_at

__all__ = ["default_options"]  # its defaults restored for each test (the tool settings are app-wide)


def test_a_category_key_while_drawing_goes_to_the_new_polygon_not_the_one_drawn_before(window) -> None:
    """CVAT's and LabelMe's way: the class chosen while an outline is drawn is that outline's. The polygon
    drawn before is still selected; it keeps its class (it was silently given the new one)."""
    doc = window.document
    set_view(window, 2.0)
    first = draw_polygon(window, [(40, 40), (120, 40), (120, 100), (40, 100)], close_with="enter")
    assert doc.selection == [first] and doc.project.annotations[first].category_id == 1
    before = set(doc.project.annotations)
    click(window, vp_at(window, 200, 50))
    key(window, Qt.Key.Key_2)  # dog, for the object being drawn
    assert doc.project.annotations[first].category_id == 1
    assert doc.undo_stack.undoText() == "Draw polygon"  # no recategorising step
    assert "dog" in window.statusBar().currentMessage()
    for x, y in [(260, 50), (260, 120)]:
        click(window, vp_at(window, x, y))
    key(window, Qt.Key.Key_Return)
    second = only_new(window, before)
    assert doc.project.annotations[second].category_id == 2
    assert doc.project.annotations[first].category_id == 1
    # once nothing is being drawn, the key gives the selection (the polygon just drawn) its category
    key(window, Qt.Key.Key_1)
    assert doc.project.annotations[second].category_id == 1


def test_the_outline_being_drawn_takes_the_colour_of_a_category_chosen_meanwhile(window) -> None:
    doc = window.document
    set_view(window, 2.0)
    key(window, Qt.Key.Key_P)
    click(window, vp_at(window, 40, 40))
    click(window, vp_at(window, 120, 40))
    tool = window.canvas.tool
    assert tool._preview.pens[2].color() == QColor(doc.project.categories[1].color)
    key(window, Qt.Key.Key_2)
    dog = QColor(doc.project.categories[2].color)
    assert dog != QColor(doc.project.categories[1].color)
    assert tool._preview.pens[2].color() == dog
    assert tool._first_handle.brush().color() == dog


def test_a_click_inside_the_polygon_just_drawn_starts_the_next_one_there(window) -> None:
    """An object drawn over or inside the one before (a part of it, an object in front): the first click
    falls inside the polygon just drawn, still selected. It was lost (a move that did not move); it is
    the new outline's first vertex. A drag inside still moves the polygon."""
    doc = window.document
    set_view(window, 2.0)
    first = draw_polygon(window, [(40, 40), (140, 40), (140, 110), (40, 110)], close_with="enter")
    kept = doc.project.annotations[first].segmentation
    before = set(doc.project.annotations)
    corners = [(60, 60), (100, 60), (80, 90)]
    for x, y in corners:
        click(window, vp_at(window, x, y))
    key(window, Qt.Key.Key_Return)
    second = only_new(window, before)
    assert len(doc.project.annotations[second].segmentation[0]) == 2 * len(corners)
    assert doc.project.annotations[first].segmentation == kept
    assert doc.selection == [second]


def test_a_click_on_the_edge_of_the_polygon_just_drawn_says_it_added_a_vertex(window) -> None:
    """The next object touching the one just drawn: a first click on its edge adds a vertex to it (the
    documented edit), not a new outline. The status bar says so, and how to start a polygon there."""
    doc = window.document
    set_view(window, 2.0)
    first = draw_polygon(window, [(40, 40), (140, 40), (140, 110), (40, 110)], close_with="enter")
    click(window, vp_at(window, 140, 70))
    assert doc.undo_stack.undoText() == "Insert vertex"
    said = window.statusBar().currentMessage()
    assert f"#{first}" in said and "Esc" in said
    key(window, Qt.Key.Key_Escape)
    before = set(doc.project.annotations)
    for x, y in [(140, 70), (200, 60), (200, 100)]:
        click(window, vp_at(window, x, y))
    key(window, Qt.Key.Key_Return)
    assert len(doc.project.annotations[only_new(window, before)].segmentation[0]) == 6


def test_the_status_bar_says_the_keys_of_the_polygon_being_drawn(window) -> None:
    """CVAT and LabelMe users look for how to close, take back a vertex and cancel: the status bar's tool
    line says it while an outline is drawn, with its vertex count, and goes back when it is done."""
    set_view(window, 2.0)
    key(window, Qt.Key.Key_P)
    line = window.readout.target_label
    idle = line.whole
    assert idle.startswith("Polygon: click to draw")
    click(window, vp_at(window, 40, 40))
    click(window, vp_at(window, 120, 40))
    text = line.whole
    assert "2 vertices" in text and "“cat”" in text
    for word in ("Enter", "first vertex", "Backspace", "Esc"):
        assert word in text
    key(window, Qt.Key.Key_Backspace)
    assert "1 vertex" in line.whole
    key(window, Qt.Key.Key_2)
    assert "“dog”" in line.whole
    key(window, Qt.Key.Key_Escape)
    assert line.whole == idle.replace("“cat”", "“dog”")


def test_the_eraser_with_no_mask_selected_erases_from_the_mask_it_starts_on(window) -> None:
    """CVAT's and X-AnyLabeling's eraser works on what it is drawn over; ours needed V, a click, then E
    (it said 'Select the mask to erase from'). With no mask selected, a stroke starting on a mask now
    erases from that one (the smallest under the pointer, as a click of V picks) and selects it; on no mask
    it still says to select one and changes nothing."""
    import numpy as np

    from tests.ui.test_mask_tools import pixels, stroke

    doc = window.document
    set_view(window, 2.0)
    OPTIONS.set(width=13)
    key(window, Qt.Key.Key_R)
    before = set(doc.project.annotations)
    stroke(window, [vp_at(window, x, 60) for x in (40, 80, 120)])
    left = only_new(window, before)
    key(window, Qt.Key.Key_Escape)
    before = set(doc.project.annotations)
    stroke(window, [vp_at(window, x, 60) for x in (180, 220, 260)])
    right = only_new(window, before)
    key(window, Qt.Key.Key_Escape)
    assert doc.selection == []
    left_px, right_px = pixels(window, left), pixels(window, right)
    key(window, Qt.Key.Key_E)
    steps = doc.undo_stack.count()
    stroke(window, [vp_at(window, 220, 60), vp_at(window, 220, 80)])
    assert doc.selection == [right] and doc.undo_stack.count() == steps + 1
    erased = pixels(window, right)
    assert 0 < erased.sum() < right_px.sum() and not (erased & ~right_px).any()
    assert np.array_equal(pixels(window, left), left_px)
    # on no mask, nothing selected: the message, no step
    key(window, Qt.Key.Key_Escape)
    stroke(window, [vp_at(window, 200, 180), vp_at(window, 240, 180)])
    assert doc.undo_stack.count() == steps + 1 and doc.selection == []
    assert "Select the mask" in window.statusBar().currentMessage()


def test_a_category_key_that_recategorises_the_selection_says_so(window) -> None:
    """A CVAT user picks the next object's class before drawing it: after a polygon (still selected), the
    key gives that polygon the class too, as documented (a box pass depends on it). The status bar said
    only 'Category: dog'; it now names the object changed and the way back."""
    doc = window.document
    set_view(window, 2.0)
    first = draw_polygon(window, [(40, 40), (120, 40), (120, 100), (40, 100)], close_with="enter")
    key(window, Qt.Key.Key_2)
    assert doc.project.annotations[first].category_id == 2
    said = window.statusBar().currentMessage()
    assert said.startswith("Category: dog") and f"#{first}" in said and "Ctrl+Z" in said
    key(window, Qt.Key.Key_Escape)  # nothing selected: the category of new objects only
    key(window, Qt.Key.Key_1)
    assert window.statusBar().currentMessage() == "Category: cat"
    assert doc.project.annotations[first].category_id == 2


def test_the_properties_panel_names_no_shape_once_nothing_is_selected(window, qtbot) -> None:
    """After Esc the panel said 'Select an object...' beside a left-over 'polygon' (the shape of the
    object no longer selected), as if one still were."""
    from pixelproof.ui.panels.properties import PropertiesPanel

    panel = window.findChild(PropertiesPanel)
    set_view(window, 2.0)
    draw_polygon(window, [(40, 40), (120, 40), (120, 100), (40, 100)], close_with="enter")
    qtbot.waitUntil(
        lambda: panel.kind.text() == "polygon", timeout=10000
    )  # the panel refreshes once events settle
    assert panel.kind.isVisibleTo(panel)
    key(window, Qt.Key.Key_Escape)
    assert window.document.selection == []
    qtbot.waitUntil(lambda: panel.hint.isVisibleTo(panel), timeout=10000)
    assert not panel.kind.isVisibleTo(panel)
