"""A tag that would run past the image's right edge moves left to end there (as CVAT's and Label Studio's):
at fit zoom, where that edge is the window's, a box at the right edge read 'a very long categ', cut."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtTest import QTest

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Annotation
from pixelproof.ui.canvas.looks import category_color
from pixelproof.ui.canvas.marks import SELECTED_TAG_LIFT
from tests.ui.conftest import hover, make_project, open_main_window, settle
from tests.ui.test_prediction_tags import near

W = 1600  # image pixels: at fit zoom the image fills the window's width
LONG = "a very long category name"
EDGE_POLYGON = [1560.0, 200.0, 1590.0, 260.0, 1450.0, 320.0, 1300.0, 260.0]  # top vertex (1560, 200)


@pytest.fixture
def edge(qtbot, tmp_path: Path, no_prompts):  # type: ignore[no-untyped-def]
    path = make_project(tmp_path, n_images=1, size=(400, W))
    project = load_project(path)
    project.categories[1].name = LONG
    project.categories[2].name = LONG + " too"
    project.add_annotation(Annotation(1, 1, 1, [1290.0, 60.0, 300.0, 80.0], area=24000.0))  # the right edge
    project.add_annotation(Annotation(2, 1, 1, [500.0, 60.0, 300.0, 80.0], area=24000.0))  # the middle
    project.add_annotation(Annotation(3, 1, 2, [1300.0, 200.0, 290.0, 120.0], [EDGE_POLYGON], 17400.0))
    save_project(project, path)
    win = open_main_window(qtbot, path)
    win.canvas.fit()
    settle()  # the tags are placed before the next frame
    yield win
    win.document.undo_stack.setClean()


def tag_run(win, cat_id: int, at: QPointF) -> tuple[int, int]:
    """The first and last viewport column of the tag colour of ``cat_id`` in the row of the tag whose
    bottom-left anchor is image point ``at`` (second row of the tag: its padding, above the text), seen from
    the anchor both ways."""
    grab = win.canvas.viewport().grab().toImage()
    colour = category_color(win.document.project.categories[cat_id])
    v = win.canvas.viewportTransform().map(at)
    h = QFontMetrics(QFont()).height() + 2
    y = round(v.y()) - h + 1
    start = min(max(round(v.x()), 0), grab.width() - 1)
    is_tag = [near(grab.pixelColor(x, y), colour, 2) for x in range(grab.width())]
    # the run through the anchor's column, or the one ending nearest left of it (shifted left)
    x = start if is_tag[start] else max(i for i in range(start) if is_tag[i])
    left = x
    while left > 0 and is_tag[left - 1]:
        left -= 1
    right = x
    while right + 1 < len(is_tag) and is_tag[right + 1]:
        right += 1
    return left, right


def whole_width(text: str) -> int:
    return QFontMetrics(QFont()).horizontalAdvance(text) + 8


def test_a_box_tag_at_the_right_edge_moves_left_to_show_whole_and_one_in_the_middle_stays(edge) -> None:
    win = edge
    zoom = win.canvas.zoom
    image_right = win.canvas.viewportTransform().map(QPointF(W, 0)).x()
    assert image_right <= win.canvas.viewport().width() + 1  # fit zoom: the image's edge is the window's
    assert 80 <= 300 * zoom < whole_width(LONG)  # the box shows its tag, and the tag is wider
    left, right = tag_run(win, 1, QPointF(1290, 60))
    assert right - left + 1 >= whole_width(LONG) - 1  # all of it drawn, not cut by the window
    assert right < min(image_right, win.canvas.viewport().width())
    assert right >= image_right - 2  # moved only as far as needed: it ends at the edge
    box_left = win.canvas.viewportTransform().map(QPointF(1290, 60)).x()
    assert left < box_left - 5  # it starts left of its box
    mid_left, mid_right = tag_run(win, 1, QPointF(500, 60))
    assert abs(mid_left - win.canvas.viewportTransform().map(QPointF(500, 60)).x()) <= 1  # unchanged
    assert mid_right - mid_left + 1 >= whole_width(LONG) - 1


def test_an_items_tag_at_the_right_edge_moves_left_too(edge) -> None:
    win = edge
    zoom = win.canvas.zoom
    image_right = win.canvas.viewportTransform().map(QPointF(W, 0)).x()
    assert 290 * zoom >= 80 and (W - 1560) * zoom < whole_width(LONG + " too")
    label = win.canvas.items_by_id[3]._label
    assert label is not None and label.isVisible() and label.text.text() == LONG + " too"
    left, right = tag_run(win, 2, QPointF(1560, 200))
    assert right - left + 1 >= whole_width(LONG + " too") - 1
    assert image_right - 2 <= right < min(image_right, win.canvas.viewport().width())


def test_the_selected_and_the_hovered_box_tag_at_the_right_edge_show_whole(edge, qtbot) -> None:
    win = edge
    image_right = win.canvas.viewportTransform().map(QPointF(W, 0)).x()
    inside = win.canvas.viewportTransform().map(QPointF(1500, 100)).toPoint()
    hover(win, inside)
    assert win.canvas.hover.ann_id == 1
    tag = win.canvas.hover.tag
    shown = tag.deviceTransform(win.canvas.viewportTransform()).mapRect(tag.boundingRect())
    assert shown.width() >= whole_width(LONG) - 1
    assert image_right - 2 <= shown.right() <= image_right + 0.5  # where its own tag is: ending at the edge
    QTest.mouseClick(win.canvas.viewport(), Qt.MouseButton.LeftButton, pos=inside)
    assert win.canvas.box_layer.selected == {1}
    settle()
    hover(win, win.canvas.viewportTransform().map(QPointF(900, 300)).toPoint())  # off it: its own tag shows
    left, right = tag_run(win, 1, QPointF(1290, 60 - SELECTED_TAG_LIFT / win.canvas.zoom))
    assert right - left + 1 >= whole_width(LONG) - 1
    assert image_right - 2 <= right < min(image_right, win.canvas.viewport().width())
