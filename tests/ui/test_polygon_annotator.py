"""The polygon tool as an annotator coming from LabelMe and CVAT expects it: the first vertex is marked and
the line snaps to it when a click would close; Alt+click deletes a vertex (CVAT's), in P and in V; an
outline that crosses itself is kept but said; going to another image, saving or closing mid-outline closes
it first instead of losing it; a click just inside the image's edge puts the vertex on it. Real mouse and
key events on the canvas of the real main window."""

from __future__ import annotations

import json

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from pixelproof.ui.tools.vertex_edit import VertexHandle
from tests.ui.conftest import hover
from tests.ui.test_mask_tools import click, draw_polygon, key, only_new, set_view, vertices, vp_at

ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier


def first_handle(win) -> VertexHandle:  # type: ignore[no-untyped-def]
    """The marked first vertex of the outline being drawn (the larger of the handles)."""
    handles = [h for h in win.canvas.scene().items() if isinstance(h, VertexHandle) and h.isVisible()]
    return max(handles, key=lambda h: h.rect().width())


def rubber_end(win) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Where the outline being drawn ends now: the line from the last vertex to the pointer."""
    path = win.canvas.tool._preview.path()
    end = path.elementAt(path.elementCount() - 1)
    return round(end.x, 2), round(end.y, 2)


def test_the_first_vertex_is_marked_and_the_line_snaps_to_it_when_a_click_would_close(window) -> None:
    set_view(window, 2.0)
    key(window, Qt.Key.Key_P)
    for x, y in [(40, 40), (120, 40), (120, 100)]:
        click(window, vp_at(window, x, y))
    near = vp_at(window, 40, 40) + QPoint(4, -3)  # a hand's few pixels off it
    hover(window, near)
    assert rubber_end(window) == (40.0, 40.0)  # the closing edge drawn as it will be stored
    assert first_handle(window).scale() > 1
    hover(window, vp_at(window, 60, 90))  # away from it: the line follows the pointer, the mark goes
    assert rubber_end(window) != (40.0, 40.0) and first_handle(window).scale() == 1
    before = set(window.document.project.annotations)
    hover(window, near)
    click(window, near)
    assert len(vertices(window, only_new(window, before))) == 3


def test_alt_click_deletes_a_vertex_in_the_polygon_tool_and_in_select(window) -> None:
    set_view(window, 2.0)
    ann_id = draw_polygon(window, [(40, 40), (120, 40), (140, 100), (80, 120), (40, 100)], close_with="enter")
    stack = window.document.undo_stack
    click(window, vp_at(window, 140, 100), ALT)
    assert (140.0, 100.0) not in vertices(window, ann_id) and len(vertices(window, ann_id)) == 4
    assert stack.undoText() == "Delete vertex"
    key(window, Qt.Key.Key_V)
    click(window, vp_at(window, 80, 120), ALT)
    assert vertices(window, ann_id) == [(40.0, 40.0), (120.0, 40.0), (40.0, 100.0)]
    assert stack.undoText() == "Delete vertex" and window.document.selection == [ann_id]
    stack.undo()
    assert len(vertices(window, ann_id)) == 4


def test_an_outline_crossing_itself_is_kept_and_said(window) -> None:
    set_view(window, 2.0)
    bowtie = draw_polygon(window, [(40, 40), (120, 100), (120, 40), (40, 100)], close_with="enter")
    assert len(vertices(window, bowtie)) == 4  # kept as drawn: COCO and pycocotools take it
    said = window.statusBar().currentMessage()
    assert f"#{bowtie}" in said and "crosses itself" in said and "pycocotools" in said
    key(window, Qt.Key.Key_Escape)
    square = draw_polygon(window, [(160, 40), (220, 40), (220, 100), (160, 100)], close_with="enter")
    assert "crosses" not in window.statusBar().currentMessage()
    vp = window.canvas.viewport()  # a vertex dragged across the opposite edge: said too
    start, end = vp_at(window, 220, 100), vp_at(window, 100, 70)
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(vp, start + QPoint(10, 10))
    QTest.mouseMove(vp, end)
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    assert window.document.undo_stack.undoText() == "Move vertex"
    assert f"#{square}" in window.statusBar().currentMessage()
    assert "crosses itself" in window.statusBar().currentMessage()


def test_going_to_the_next_image_mid_outline_closes_it_on_its_image(window) -> None:
    doc = window.document
    set_view(window, 2.0)
    key(window, Qt.Key.Key_P)
    first_image = doc.current_image_id
    before = set(doc.project.annotations)
    for x, y in [(40, 40), (120, 40), (120, 100)]:
        click(window, vp_at(window, x, y))
    key(window, Qt.Key.Key_D)
    assert doc.current_image_id != first_image
    ann_id = only_new(window, before)
    ann = doc.project.annotations[ann_id]
    assert ann.image_id == first_image and len(ann.segmentation[0]) == 6
    said = window.statusBar().currentMessage()
    assert f"#{ann_id}" in said and "img0.png" in said
    assert not window.canvas.tool.busy()  # nothing carried over onto this image
    # two vertices make no polygon: dropped, and said
    second_image = doc.current_image_id
    set_view(window, 2.0)
    for x, y in [(40, 40), (120, 40)]:
        click(window, vp_at(window, x, y))
    n = len(doc.project.annotations)
    key(window, Qt.Key.Key_A)
    assert doc.current_image_id != second_image and len(doc.project.annotations) == n
    said = window.statusBar().currentMessage()
    assert "dropped" in said and "img1.png" in said and "2 vertices" in said


def test_choosing_another_tool_mid_outline_closes_it(window) -> None:
    doc = window.document
    set_view(window, 2.0)
    key(window, Qt.Key.Key_P)
    before = set(doc.project.annotations)
    for x, y in [(40, 40), (120, 40), (120, 100)]:
        click(window, vp_at(window, x, y))
    key(window, Qt.Key.Key_B)  # meant for the next object: the outline is not thrown away
    assert window.canvas.tool.name == "box"
    ann_id = only_new(window, before)
    assert vertices(window, ann_id) == [(40.0, 40.0), (120.0, 40.0), (120.0, 100.0)]
    said = window.statusBar().currentMessage()
    assert said.startswith(f"#{ann_id} cat closed on choosing another tool")
    doc.undo_stack.undo()  # one step takes it back
    assert ann_id not in doc.project.annotations


def test_ctrl_s_mid_outline_saves_it_and_ctrl_w_asks_about_it(window, project_file, no_prompts) -> None:
    """LabelMe saves without the shape being drawn and closes without a word: here the outline is closed
    first (one undo step), so the file holds it, and closing asks before it is lost."""
    doc = window.document
    set_view(window, 2.0)
    key(window, Qt.Key.Key_P)
    for x, y in [(40, 40), (120, 40), (120, 100), (60, 110)]:
        click(window, vp_at(window, x, y))
    key(window, Qt.Key.Key_S, CTRL)
    saved = json.loads(project_file.read_text())["annotations"]
    assert [len(a["segmentation"][0]) for a in saved] == [8] and doc.undo_stack.isClean()
    assert not window.canvas.tool.busy()
    for x, y in [(200, 40), (260, 40), (260, 100)]:
        click(window, vp_at(window, x, y))
    key(window, Qt.Key.Key_W, CTRL)  # no_prompts answers Discard: asked, not closed silently
    (asked,) = [text for _title, text in no_prompts]  # and a line on time spent, when some was
    assert asked.startswith("Save the changes to project.json before closing it?")
    assert window.document is None


def test_a_vertex_clicked_within_4_screen_pixels_of_the_image_edge_goes_on_the_edge(window) -> None:
    """An object the frame cuts is outlined up to the frame exactly: clicks just inside the edge (as a
    hand lands) put the vertex on it; 5 screen pixels in, and elsewhere, the vertex stays where clicked."""
    set_view(window, 2.0, center=(40, 40))
    key(window, Qt.Key.Key_P)
    before = set(window.document.project.annotations)
    o = vp_at(window, 0, 0)
    for d in (QPoint(3, 40), QPoint(2, 2), QPoint(60, 4), QPoint(60, 60), QPoint(5, 60)):
        click(window, o + d)
    key(window, Qt.Key.Key_Return)
    left, corner, top, inner, near = vertices(window, only_new(window, before))
    assert left[0] == 0 and abs(left[1] - 20) <= 1
    assert corner == (0, 0)
    assert top[1] == 0 and abs(top[0] - 30) <= 1
    assert abs(inner[0] - 30) <= 1 and abs(inner[1] - 30) <= 1
    assert abs(near[0] - 2.5) <= 0.5 and near[0] > 0  # 5 screen pixels in: not on the edge
