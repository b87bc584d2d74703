"""Tags that do not cover each other. Thinning by width (``tag_fits``) left a crowd of boxes each wide
enough for its tag, their tags overlapping: each cut by the next, unreadable. A tag that would cover one
already placed (the selected objects' first, then the larger objects') goes below its object, or is left
out if that spot is taken too; again at each zoom and after each change. For the box layer's tags and for
an item's. The tags are found on screen by colour (one category, one colour per object), so what is checked
is what the user sees."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, QRect, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Annotation, Category
from tests.ui.conftest import hover, make_project, open_main_window
from tests.ui.test_workbench import click, key, view_point

COLORS = [
    "#e6194b",
    "#3cb44b",
    "#4363d8",
    "#f58231",
    "#911eb4",
    "#f032e6",
]  # red > 0: none in the gradient images
N = len(COLORS)
TOP, HIGH = 80.0, 40.0  # the row of boxes: each overlaps the next, as people in a crowd


def tag_size(name: str) -> tuple[int, int]:
    """A tag's size on screen (as the canvas draws it: the name, 4 px padding either side)."""
    m = QFontMetrics(QFont())
    return m.horizontalAdvance(name) + 8, m.height() + 2


@pytest.fixture(params=["layer", "item", "far"])
def crowd(request, qtbot, tmp_path: Path, no_prompts):  # type: ignore[no-untyped-def]
    """N boxes (or polygons) in a row, each wide enough for its tag, the next starting 0.6 tags to the
    right: at 100 % each tag overlapped the next. "far": boxes at the far end of a wide image, out of the
    window's surroundings where the tags are placed until a pan comes near (``check_tags`` pans there)."""
    far = 2400.0 if request.param == "far" else 0.0
    path = make_project(tmp_path, n_images=1, size=(240, 400 + int(far)))
    project = load_project(path)
    tag_w, _ = tag_size("obj0")
    step, width = round(tag_w * 0.6), float(tag_w + 6)
    boxes = {}
    for k, color in enumerate(COLORS):
        cid = 10 + k
        project.add_category(Category(cid, f"obj{k}", color=color))
        box = [far + 20.0 + k * step, TOP, width, HIGH]
        x, y, w, h = box
        poly = [[x, y, x + w, y, x + w, y + h, x, y + h]] if request.param == "item" else None
        project.add_annotation(Annotation(k + 1, 1, cid, box, poly, w * h))
        boxes[k + 1] = box
    save_project(project, path)
    win = open_main_window(qtbot, path)
    win.canvas.set_zoom(1.0)
    win.canvas.centerOn(QPointF(200, 120))
    key(win, Qt.Key.Key_V)
    hover(win, view_point(win, 390, 230))  # off every object
    if far:
        assert view_point(win, far, TOP).x() > 2 * win.canvas.viewport().width()  # far out of sight
    win.boxes, win.step, win.tag_w = boxes, step, tag_w
    yield win
    win.document.undo_stack.setClean()


def grab(win) -> QImage:  # type: ignore[no-untyped-def]
    return win.canvas.viewport().grab().toImage()


def found_tag(img: QImage, win, ann_id: int) -> QRect:  # type: ignore[no-untyped-def]
    """The bounding rectangle (view pixels) of the pixels in the object's colour above it or below it
    (2 px off its edges: its outline is in that colour too), within reach of its left edge."""
    x, y, _w, h = win.boxes[ann_id]
    rgb = QColor(COLORS[ann_id - 1]).rgb()
    left, top, bottom = view_point(win, x, y), view_point(win, x, y).y(), view_point(win, x, y + h).y()
    rows = [*range(top - 40, top - 1), *range(bottom + 2, bottom + 40)]
    xs, ys = [], []
    for py in rows:
        for px in range(left.x() - 4, left.x() + 120):
            if 0 <= px < img.width() and 0 <= py < img.height() and img.pixel(px, py) == rgb:
                xs.append(px)
                ys.append(py)
    return QRect(QPoint(min(xs), min(ys)), QPoint(max(xs), max(ys))) if xs else QRect()


def whole(found: QRect, ann_id: int) -> bool:
    """Whether a tag found on screen is the whole tag: as wide as it, as high but for the 2 rows next to
    the object's edge left out of the search."""
    w, h = tag_size(f"obj{ann_id - 1}")
    return abs(found.width() - w) <= 2 and found.height() >= h - 3


def check_tags(win) -> dict[int, QRect]:  # type: ignore[no-untyped-def]
    """Every object's tag shown whole, none over another; returns them. The row in the middle of the
    window first (a zoom keeps the window's centre: the row's ends went out of sight)."""
    boxes = win.boxes.values()
    win.canvas.centerOn(QPointF((min(b[0] for b in boxes) + max(b[0] + b[2] for b in boxes)) / 2, 120))
    img = grab(win)
    tags = {i: found_tag(img, win, i) for i in win.boxes}
    cut = [i for i, r in tags.items() if not r.isNull() and not whole(r, i)]
    assert not cut, f"tags cut by another at zoom {win.canvas.zoom}: {cut}"
    shown = [(i, r) for i, r in tags.items() if not r.isNull()]
    for a, (i, r) in enumerate(shown):
        for j, s in shown[a + 1 :]:
            assert not r.intersects(s), (i, j, r, s)
    return tags


def test_tags_of_a_crowd_do_not_cover_each_other_at_any_zoom(crowd) -> None:
    win = crowd
    tags = check_tags(win)
    assert all(not r.isNull() for r in tags.values())  # a free spot below for every other one: all shown
    below = [i for i, r in tags.items() if r.top() > view_point(win, 0, TOP).y()]
    assert 0 < len(below) < N
    while win.canvas.zoom * win.step < win.tag_w + 1:  # Ctrl+= until there is room for each tag above
        key(win, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    tags = check_tags(win)
    assert all(not r.isNull() and r.bottom() < view_point(win, 0, TOP).y() for r in tags.values())
    while win.canvas.zoom * win.step >= win.tag_w:  # Ctrl+- until they collide again: nudged again
        key(win, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    tags = check_tags(win)
    assert any(r.top() > view_point(win, 0, TOP).y() for r in tags.values() if not r.isNull())


def test_the_selected_objects_tag_stays_above_and_the_others_make_way(crowd) -> None:
    win = crowd
    tags = check_tags(win)
    mover = 1  # of equal objects the one drawn on top keeps its spot: the last above, the one before below
    assert tags[mover].top() > view_point(win, 0, TOP).y() and tags[N].bottom() < view_point(win, 0, TOP).y()
    x, y, _w, h = win.boxes[mover]
    click(win, view_point(win, x + 3, y + h / 2))  # its left edge, left of the next object
    assert win.document.selection == [mover]
    hover(win, view_point(win, win.boxes[1][0] - 15, 230))  # the pointer off every object
    tags = check_tags(win)  # its handles are white: found tags are not cut by them either
    assert not tags[mover].isNull() and tags[mover].bottom() < view_point(win, 0, TOP).y()
    key(win, Qt.Key.Key_Escape)
    check_tags(win)
