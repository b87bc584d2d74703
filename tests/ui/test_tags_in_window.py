"""Zoomed in on an object whose top-left corner is out of the window, its category tag was cut at the
window's edge or out of sight: the object on screen went unnamed. Its tag is kept inside the window (at
its edge, beside the part of the object shown) while the object is in the window, as in CVAT and LabelMe."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Annotation
from pixelproof.ui.canvas.looks import category_color
from tests.ui.conftest import make_project, open_main_window

DIAMOND = [140.0, 20.0, 220.0, 120.0, 140.0, 220.0, 60.0, 120.0]  # top vertex (140, 20)


@pytest.fixture
def big_objects(qtbot, tmp_path: Path, no_prompts):  # type: ignore[no-untyped-def]
    path = make_project(tmp_path, n_images=1, size=(240, 320))
    project = load_project(path)
    project.add_annotation(Annotation(1, 1, 1, [40.0, 30.0, 200.0, 150.0], area=30000.0))  # cat: a box
    project.add_annotation(
        Annotation(2, 1, 2, [60.0, 20.0, 160.0, 200.0], segmentation=[DIAMOND], area=16000.0)
    )  # dog: a polygon
    save_project(project, path)
    win = open_main_window(qtbot, path)
    yield win
    win.document.undo_stack.setClean()


def wheel_zoom_in(canvas, at: QPointF) -> None:  # type: ignore[no-untyped-def]
    """One wheel step up over image point ``at``, as the mouse sends it."""
    vp = canvas.viewport()
    pos = QPointF(canvas.mapFromScene(at))
    event = QWheelEvent(pos, QPointF(vp.mapToGlobal(pos.toPoint())), QPoint(0, 0), QPoint(0, 120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase,
                        False)  # fmt: skip
    QApplication.sendEvent(vp, event)


def rgb(colour) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    return colour.red(), colour.green(), colour.blue()


def shown_at(canvas, x: float, y: float) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    """The colour drawn at viewport pixel (x, y)."""
    img = canvas.viewport().grab().toImage()
    ratio = img.devicePixelRatio()
    return rgb(img.pixelColor(int(x * ratio), int(y * ratio)))


def pinned_rect(qtbot, canvas, ann_id: int) -> QRectF:  # type: ignore[no-untyped-def]
    canvas.viewport().grab()  # a frame: the tags a zoom moved are placed before it
    qtbot.waitUntil(lambda: canvas.pinned.rect_of(ann_id) is not None, timeout=10000)
    return canvas.pinned.rect_of(ann_id)


def test_a_tag_stays_in_the_window_when_a_wheel_zoom_puts_its_corner_out(qtbot, big_objects) -> None:
    win = big_objects
    canvas = win.canvas
    cats = win.document.project.categories
    cat, dog = rgb(category_color(cats[1])), rgb(category_color(cats[2]))
    window = QRectF(canvas.viewport().rect())
    canvas.viewport().grab()
    assert canvas.pinned.rect_of(1) is None and canvas.pinned.rect_of(2) is None  # whole at fit: not moved
    while canvas.zoom < 4.0:
        wheel_zoom_in(canvas, QPointF(140, 120))
    corner, vertex = canvas.mapFromScene(QPointF(40, 30)), canvas.mapFromScene(QPointF(140, 20))
    assert corner.x() < 0 and corner.y() < 0  # the box's top-left corner, where its tag sat, is out
    assert vertex.y() < 0 < vertex.x() < window.width()  # the polygon's top vertex too, above the window

    box_tag = pinned_rect(qtbot, canvas, 1)
    assert window.contains(box_tag), (box_tag, window)
    assert box_tag.topLeft() == QPointF(0, 0)  # at the corner of the window the box reaches
    assert shown_at(canvas, box_tag.left() + 1, box_tag.top() + 1) == cat  # drawn there, not only listed
    polygon_tag = pinned_rect(qtbot, canvas, 2)
    assert window.contains(polygon_tag), (polygon_tag, window)
    assert polygon_tag.top() == 0 and abs(polygon_tag.left() - vertex.x()) <= 1  # over its vertex, at the top
    assert shown_at(canvas, polygon_tag.left() + 1, polygon_tag.top() + 1) == dog

    # a middle drag pans the objects out of the window: their tags go with them
    vp = canvas.viewport()
    right, left = QPoint(int(window.width()) - 5, 100), QPoint(5, 100)
    while canvas.mapFromScene(QPointF(241, 0)).x() >= 0:
        qtbot.mousePress(vp, Qt.MouseButton.MiddleButton, pos=right)
        qtbot.mouseMove(vp, left)
        qtbot.mouseRelease(vp, Qt.MouseButton.MiddleButton, pos=left)
    vp.grab()
    assert canvas.pinned.rect_of(1) is None and canvas.pinned.rect_of(2) is None
    assert shown_at(canvas, 1, 1) != cat


def test_a_copy_that_changes_repaints_its_own_area_not_every_copys(qtbot, big_objects, monkeypatch) -> None:
    """A selection click moved one copy among a window edge's many; the whole area of the copies (the
    window, at 1:1 on a crowd) was repainted at each click."""
    from pixelproof.ui.canvas import pinned_tags

    canvas = big_objects.canvas
    pinned = canvas.pinned
    t = canvas.viewportTransform()
    dx, dy = round(t.dx()), round(t.dy())
    pm = canvas.box_layer.tags.pixmap("cat", category_color(big_objects.document.project.categories[1]))
    copies = [(1, 0.0, 0.0, pm), (2, 50.0, 40.0, pm), (3, 150.0, 120.0, pm)]  # viewport pixels
    monkeypatch.setattr(pinned_tags, "cut_tags", lambda view, dx_, dy_: list(copies))
    pinned.refresh()
    areas: list[tuple] = []
    monkeypatch.setattr(pinned, "update", lambda *rect: areas.append(rect))
    copies[1] = (2, 60.0, 40.0, pm)  # one copy moves, inside the others' bounds
    pinned.refresh()
    assert [(i, x + dx, y + dy) for i, x, y, _ in pinned.pinned] == [(i, x, y) for i, x, y, _ in copies]
    size = pm.deviceIndependentSize()
    zx, zy = canvas.scale_xy
    expected = [
        QRectF((x - dx - 1) / zx, (40.0 - dy - 1) / zy, (size.width() + 2) / zx, (size.height() + 2) / zy)
        for x in (50.0, 60.0)
    ]
    assert areas == [(r,) for r in expected]  # the copy's old and new places only
    pinned.refresh()
    assert len(areas) == 2  # nothing changed: nothing repainted
